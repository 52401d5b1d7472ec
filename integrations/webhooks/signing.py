"""Signing webhook deliveries, and verifying them on the receiving side.

Every delivery is a ``POST`` with a JSON body (UTF-8) and these headers:

``Webhook-Id``
    The event id (a UUID). The same on every retry and replay of the event: deduplicate on it.
``Webhook-Event``
    The event type, e.g. ``case.created``.
``Webhook-Timestamp``
    The Unix time (seconds) the request was signed, the ``t`` of the signature.
``Webhook-Signature``
    ``t=<unix seconds>,v1=<hex>``, where ``<hex>`` is the lowercase hexadecimal
    HMAC-SHA256, keyed with the endpoint's secret (the whole ``whsec_...`` string as UTF-8
    bytes), of the **signing string**::

        f"{t}.".encode() + body      # the timestamp, a full stop, then the raw body bytes

    For a while after a secret is rotated, the header carries one ``v1=`` per valid secret
    (``t=...,v1=<new>,v1=<old>``); a delivery is genuine when any ``v1`` matches.

To verify, a receiver recomputes the HMAC over the exact bytes it received (before parsing
the JSON), compares in constant time, and rejects a timestamp more than a few minutes from
its own clock (a replayed capture). :func:`verify` does exactly that::

    from integrations.webhooks.signing import verify

    if not verify(secret, request.headers["Webhook-Signature"], request.body):
        return HttpResponse(status=400)
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

SIGNATURE_HEADER = "Webhook-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}." + body`` keyed with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    """The ``Webhook-Signature`` value: ``t=<timestamp>`` and one ``v1=`` per secret."""
    parts = [f"t={timestamp}"]
    parts.extend(f"v1={signature(secret, timestamp, body)}" for secret in secrets if secret)
    return ",".join(parts)


def parse_header(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and the ``v1`` signatures of a ``Webhook-Signature`` header."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` is a valid signature of ``body`` by ``secret``, made within
    ``tolerance`` seconds of now (either side); False otherwise.

    ``body`` must be the raw request body exactly as received (bytes; a str is UTF-8 encoded).
    """
    if not secret or not header:
        return False
    raw = body.encode() if isinstance(body, str) else bytes(body)
    timestamp, signatures = parse_header(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, raw)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
