"""A real Celery worker sends a delivery queued on commit to the real local receiver."""

from __future__ import annotations

import time
from datetime import date

import pytest

from collections_portal.celery import app
from collections_portal.tenancy import creditor_scope
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery
from integrations.webhooks.services import webhook_endpoint_create
from integrations.webhooks.signing import verify
from tests.cases.helpers import claim, file_case


@pytest.fixture
def webhook_worker(transactional_db, request, monkeypatch):
    """The worker fixture, started with loopback receivers allowed, and this process sending
    to its queue. (``transactional_db`` named here: steps really commit.)"""
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE_HOSTS", "1")
    queue = request.getfixturevalue("worker")
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    return queue


@pytest.mark.celery_worker
def test_a_worker_delivers_what_a_committed_step_queued(
    webhook_worker, receiver, allow_private, tenant_a
):
    with creditor_scope(tenant_a.creditor):
        endpoint, secret = webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk, url=receiver.url, events=["case.created"]
        )
    # case_create commits (no test transaction here): on commit the task goes to the worker.
    case = file_case(tenant_a.creditor, claim("CW-1", "999.95", date(2025, 3, 3)))
    receiver.wait(1, timeout=60)
    [got] = receiver.requests
    assert got.headers["Webhook-Event"] == "case.created"
    assert got.json["data"]["case"]["id"] == case.pk
    assert got.json["data"]["case"]["claims"][0]["principal"] == "999.95"
    assert verify(secret, got.headers["Webhook-Signature"], got.body)

    deadline = time.monotonic() + 30
    with creditor_scope(tenant_a.creditor):
        while time.monotonic() < deadline:
            delivery = WebhookDelivery.objects.get(endpoint=endpoint)
            if delivery.status != DeliveryStatus.PENDING:
                break
            time.sleep(0.2)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1 and delivery.last_response_code == 200
