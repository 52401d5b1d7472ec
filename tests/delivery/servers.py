"""Real local peers for delivery tests: an SMTP server (aiosmtpd) and an HTTP SMS gateway
(http.server), each in a thread of the test process, recording what they received."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    """aiosmtpd on localhost. ``on_data`` may act before a message is accepted: return an SMTP
    reply to refuse it, "drop" to cut the connection, or None to accept."""

    port: int = 0
    messages: list = field(default_factory=list)
    on_data: Callable | None = None
    on_received: Callable | None = None  # called after recording, before the 250 reply
    refuse_rcpt: str | None = None  # an SMTP reply to RCPT TO, e.g. "550 no such user"
    drop_rcpt: int = 0  # cut the connection at RCPT TO this many times

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.drop_rcpt:
            self.drop_rcpt -= 1
            server.transport.close()
            return "421 closing"
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            action = self.on_data(envelope)
            if action == "drop":
                server.transport.close()
                return "421 closing"
            if action:
                return action
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
            }
        )
        if self.on_received is not None:
            self.on_received(envelope)
        return "250 Message accepted for delivery"


class RunningSmtp:
    def __init__(self):
        self.server = SmtpServer(port=free_port())
        self.controller = Controller(self.server, hostname="127.0.0.1", port=self.server.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self.server

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class SmsGateway:
    """An SMS gateway as providers run them: bearer token, JSON in and out, and an
    Idempotency-Key it honours (a repeated key answers the first id and sends nothing)."""

    token: str = "sms-test-token"
    requests: list = field(default_factory=list)  # every request: headers and JSON body
    sent: dict = field(default_factory=dict)  # idempotency key -> the SMS actually sent
    script: list = field(default_factory=list)  # answers for the next calls: 503, "slow", ...
    on_request: Callable | None = None
    slow_seconds: float = 2.5
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict]:
        length = int(handler.headers.get("Content-Length", "0"))
        body = json.loads(handler.rfile.read(length) or b"{}")
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.requests.append({"path": handler.path, "headers": headers, "json": body})
            step = self.script.pop(0) if self.script else None
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "bad token"}
        if isinstance(step, int):
            return step, {"error": "scripted failure"}
        key = headers.get("idempotency-key", "")
        with self.lock:
            if key not in self.sent:
                self.sent[key] = {"id": f"sms-{len(self.sent) + 1}", **body}
            message_id = self.sent[key]["id"]
        if self.on_request is not None:
            self.on_request(body)
        if step == "slow":  # sent, but the answer comes after the client has given up
            time.sleep(self.slow_seconds)
        return 200, {"id": message_id, "status": "queued"}


class RunningSmsGateway:
    def __init__(self):
        self.gateway = SmsGateway()
        gateway = self.gateway

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                status, answer = gateway.handle(self)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client is gone (timed out or killed)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        gateway.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self.gateway

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
