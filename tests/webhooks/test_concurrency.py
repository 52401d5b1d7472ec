"""Two senders of one delivery at once: one sends, the other finds the row locked and leaves
it; after success nobody sends it again."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from collections_portal.tenancy import creditor_scope
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery
from integrations.webhooks.services import webhook_delivery_send, webhook_endpoint_create
from tests.cases.helpers import claim, file_case


@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_is_not_sent_by_a_second_worker(tenant_a, receiver, allow_private):
    with creditor_scope(tenant_a.creditor):
        webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk, url=receiver.url, events=["case.created"]
        )
    file_case(tenant_a.creditor, claim("C-1", "100.00", date(2025, 3, 3)))
    with creditor_scope(tenant_a.creditor):
        delivery_id = WebhookDelivery.objects.get().pk
    receiver.delay = 1.0
    results: dict[str, object] = {}

    def first_sender():
        try:
            with creditor_scope(tenant_a.creditor):
                results["first"] = webhook_delivery_send(delivery_id=delivery_id)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sender)
    thread.start()
    assert receiver.arrived.wait(10)  # the first sender's request is waiting for its answer
    with creditor_scope(tenant_a.creditor):
        second = webhook_delivery_send(delivery_id=delivery_id)
    thread.join(15)
    assert second is None  # the row was locked: the second sender left it alone
    assert results["first"].status == DeliveryStatus.SUCCEEDED
    with creditor_scope(tenant_a.creditor):
        again = webhook_delivery_send(delivery_id=delivery_id)
    assert again.status == DeliveryStatus.SUCCEEDED and again.attempts == 1
    assert len(receiver.requests) == 1
