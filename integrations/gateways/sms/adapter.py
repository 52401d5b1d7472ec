"""SMS through an HTTP gateway (settings SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN, SMS_SENDER).

The request is a JSON POST ``{"to", "sender", "message", "reference"}`` with
``Authorization: Bearer <token>`` and ``Idempotency-Key: <delivery key>``; the answer is JSON
with the gateway's message ``id``. The key is the same for every attempt of a delivery, so a
gateway that honours it (as SMS gateways generally do) sends one SMS however often a retry
repeats the request. 408, 425, 429 and 5xx answers, timeouts and refused connections are
temporary; other 4xx answers are permanent. No PDF: the text says a letter was sent and how
to pay (the message's body). Which number (one the debtor consented to be texted on) is the
delivery service's choice, not this adapter's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from integrations.gateways.base import (
    Gateway,
    NotConfigured,
    OutgoingMessage,
    PermanentGatewayError,
    TransientGatewayError,
)

TRANSIENT_STATUSES = {408, 425, 429}


class SmsGateway(Gateway):
    channel = "sms"
    idempotent = True

    def check(self) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise NotConfigured("The SMS channel is not configured (SMS_GATEWAY_URL is empty).")

    def send(self, outgoing: OutgoingMessage) -> str:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("http://", "https://")):
            raise NotConfigured(f"SMS_GATEWAY_URL must be an http(s) URL, not {url!r}.")
        key = outgoing.idempotency_key
        body = json.dumps(
            {
                "to": outgoing.recipient,
                "sender": settings.SMS_SENDER,
                "message": outgoing.body,
                "reference": key,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.SMS_GATEWAY_TIMEOUT
            ) as response:
                answer = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            error = f"The SMS gateway answered {exc.code}: {detail}"
            if exc.code in TRANSIENT_STATUSES or exc.code >= 500:
                raise TransientGatewayError(error) from exc
            raise PermanentGatewayError(error) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientGatewayError(f"The SMS gateway could not be reached: {exc!r}") from exc
        try:
            message_id = str(json.loads(answer)["id"])
        except (ValueError, KeyError, TypeError) as exc:
            # Accepted but unreadable: asking again with the same key is safe and tells us.
            error = f"The SMS gateway's answer has no id: {answer[:200]!r}"
            raise TransientGatewayError(error) from exc
        return message_id
