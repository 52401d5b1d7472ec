"""The API with the broker down: a POST answers with what it committed (201), a client's retry
with the same Idempotency-Key replays it, and the queued work waits in its records for the
sweeps (letters pending, webhook deliveries pending)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, Payment
from cases.services import lifecycle
from collections_portal.tenancy import creditor_scope
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery
from integrations.webhooks.services import webhook_deliveries_enqueue_due, webhook_endpoint_create
from notices.models import Notice, NoticeKind, NoticeStatus
from tests.cases.helpers import claim, file_case
from tests.faults import broker_unreachable

from .conftest import case_payload, days_ago

pytestmark = pytest.mark.django_db(transaction=True)
CASES = "/api/v1/cases/"


@pytest.fixture
def subscribed(tenant_a, settings):
    """Tenant A has a webhook endpoint for case and payment events (nobody listens)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    with creditor_scope(tenant_a.creditor):
        endpoint, _secret = webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk,
            url="http://127.0.0.1:9/hooks",
            events=["case.created", "payment.received"],
        )
    return endpoint


def pending_deliveries(creditor, event: str) -> int:
    with creditor_scope(creditor):
        pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        return pending.filter(event__type=event).count()


def test_a_case_posted_with_the_broker_down_is_created(api_a, tenant_a, subscribed):
    with broker_unreachable():
        response = api_a.post(CASES, case_payload(), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
        assert response.status_code == 201, response.content
        again = api_a.post(CASES, case_payload(), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert again.status_code == 201
    assert again.content == response.content
    with creditor_scope(tenant_a.creditor):
        assert Case.objects.count() == 2  # the fixture's and this one
    assert pending_deliveries(tenant_a.creditor, "case.created") == 1  # waits for the sweep


def test_a_payment_posted_with_the_broker_down_is_registered_once(api_a, tenant_a, subscribed):
    case = file_case(tenant_a.creditor, claim("F-1", "1000.00", days_ago(30)))
    with creditor_scope(tenant_a.creditor):
        lifecycle.case_send_reminder(case=case, on=timezone.localdate())  # so a receipt follows
    url = f"{CASES}{case.pk}/direct-payments/"
    body = {"amount": "400.00", "received_on": days_ago(2).isoformat(), "payer_reference": "MP"}

    with broker_unreachable():
        first = api_a.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
        assert first.status_code == 201, first.content
        retry = api_a.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    with creditor_scope(tenant_a.creditor):
        assert Payment.objects.filter(case=case).count() == 1
        receipt = Notice.objects.get(case=case, kind=NoticeKind.RECEIPT)
    assert receipt.status == NoticeStatus.PENDING  # the render sweep queues it later
    assert receipt.payment_id == first.json()["id"]

    # The webhook delivery stays pending; once its lease has passed the sweep queues it again.
    assert pending_deliveries(tenant_a.creditor, "payment.received") == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert webhook_deliveries_enqueue_due() == 2  # this one and the filing's case.created
