"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) and helpers to send what is
pending, as the Celery task would, in this process."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collections_portal.tenancy import creditor_scope
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery
from integrations.webhooks.services import webhook_delivery_send, webhook_endpoint_create
from tests.delivery.conftest import media, smtp  # noqa: F401 - fixtures for test_wiring


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server got, and the statuses it answers with (then 200 for ever)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    event: threading.Event = field(default_factory=threading.Event)
    delay: float = 0.0  # seconds to wait before answering
    arrived: threading.Event = field(default_factory=threading.Event)  # set on receipt

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)

    def of_type(self, event_type: str) -> list[Received]:
        return [r for r in self.requests if r.headers.get("Webhook-Event") == event_type]

    def wait(self, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            self.event.wait(0.1)
        assert len(self.requests) >= count, f"received {len(self.requests)} of {count}"


@pytest.fixture
def receiver():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            recv: Receiver = state["receiver"]
            recv.requests.append(Received(self.path, dict(self.headers.items()), body))
            recv.arrived.set()
            status = recv.statuses.pop(0) if recv.statuses else 200
            if recv.delay:
                time.sleep(recv.delay)
            reply = json.dumps({"ok": status < 300, "n": len(recv.requests)}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            recv.event.set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/inkasso")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def allow_private(settings):
    """Development mode: http and loopback receivers are allowed."""
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def deny_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False


ALL_EVENTS = ["case.created", "case.state_changed", "payment.received"]


@pytest.fixture
def endpoint(tenant_a, receiver, allow_private):
    """Tenant A's endpoint at the local receiver, subscribed to the case and payment events."""
    with creditor_scope(tenant_a.creditor):
        endpoint, secret = webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk, url=receiver.url, events=ALL_EVENTS
        )
    endpoint.plain_secret = secret
    return endpoint


def send_pending(creditor) -> list[WebhookDelivery]:
    """Run the sender for every pending delivery of the creditor, as the task does."""
    with creditor_scope(creditor):
        ids = list(
            WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return [webhook_delivery_send(delivery_id=pk) for pk in ids]
