"""One HTTP POST to a checked webhook target, connecting only to the addresses that were checked.

The standard library's ``http.client`` with the connection step replaced: the socket goes to
one of the target's checked IP addresses, while the ``Host`` header, TLS SNI and certificate
check use the host name, so a receiver behind a shared IP and a normal certificate works and
a DNS answer that changed after the check cannot redirect the request. Redirects are not
followed (a 3xx counts as a failed attempt).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from .urlguard import Target

EXCERPT_BYTES = 2048


@dataclass(frozen=True)
class Response:
    status: int | None
    body_excerpt: str
    error: str
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float, connect_timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._connect_timeout = connect_timeout

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), self._connect_timeout)
        sock.settimeout(self.timeout)
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, *args, context: ssl.SSLContext, **kwargs):
        super().__init__(*args, **kwargs)
        self._context = context

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._open_socket(), server_hostname=self.host)


def post(
    target: Target,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    connect_timeout: float,
) -> Response:
    """POST ``body`` to ``target``; never raises for network trouble, which is in ``error``."""
    started = time.monotonic()
    errors: list[str] = []
    for address in target.addresses:
        if target.scheme == "https":
            connection: _PinnedHTTPConnection = _PinnedHTTPSConnection(
                target.host,
                target.port,
                address=address,
                timeout=timeout,
                connect_timeout=connect_timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = _PinnedHTTPConnection(
                target.host,
                target.port,
                address=address,
                timeout=timeout,
                connect_timeout=connect_timeout,
            )
        try:
            try:
                connection.connect()
            except OSError as exc:
                # Not reachable at this address: try the host's next one.
                errors.append(f"{address}: {exc.__class__.__name__}: {exc}")
                continue
            connection.request("POST", target.path, body=body, headers=headers)
            answer = connection.getresponse()
            excerpt = answer.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
            return Response(
                status=answer.status,
                body_excerpt=excerpt,
                error="",
                duration_ms=_ms_since(started),
            )
        except (OSError, http.client.HTTPException) as exc:
            return Response(
                status=None,
                body_excerpt="",
                error=f"{exc.__class__.__name__}: {exc}",
                duration_ms=_ms_since(started),
            )
        finally:
            connection.close()
    return Response(
        status=None,
        body_excerpt="",
        error="Could not connect: " + "; ".join(errors),
        duration_ms=_ms_since(started),
    )


def _ms_since(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
