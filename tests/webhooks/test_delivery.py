"""Events from real service calls reach a real local HTTP server, signed as documented."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from cases.models import LedgerEntry, PaymentMethod
from cases.selectors import case_balance
from cases.services import lifecycle as lc
from cases.services import payment_register
from collections_portal.tenancy import creditor_scope
from integrations.webhooks import services
from integrations.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from integrations.webhooks.signing import verify
from tests.cases.helpers import claim, file_case

from .conftest import send_pending

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)


def at(day: date, hour: int = 9):
    moment = timezone.make_aware(datetime.combine(day, clock(hour)))
    return time_machine.travel(moment, tick=False)


def hmac_hex(secret: str, timestamp: str, body: bytes) -> str:
    """The documented scheme, recomputed here without the portal's code."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def test_a_filed_case_arrives_signed_as_documented(
    tenant_a, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        case = file_case(tenant_a.creditor, claim("W-1", "1234.50", DUE), creditor_reference="K9")
    assert len(queued) == 1  # the sending is queued on commit, not before
    [delivery] = send_pending(tenant_a.creditor)
    assert delivery.status == DeliveryStatus.SUCCEEDED

    [got] = receiver.requests
    assert got.path == "/hooks/inkasso"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Webhook-Event"] == "case.created"
    signature = dict(part.split("=", 1) for part in got.headers["Webhook-Signature"].split(","))
    assert signature["t"] == got.headers["Webhook-Timestamp"]
    assert abs(int(signature["t"]) - time.time()) < 60
    assert signature["v1"] == hmac_hex(endpoint.plain_secret, signature["t"], got.body)
    assert verify(endpoint.plain_secret, got.headers["Webhook-Signature"], got.body)
    assert not verify("whsec_wrong", got.headers["Webhook-Signature"], got.body)

    body = got.json
    with creditor_scope(tenant_a.creditor):
        event = WebhookEvent.objects.get()
    assert body["id"] == got.headers["Webhook-Id"] == str(event.id)
    assert body["type"] == "case.created"
    assert body["creditor_id"] == tenant_a.creditor.pk
    data = body["data"]
    assert data["case"]["id"] == case.pk
    assert data["case"]["reference"] == str(case.number)
    assert data["case"]["creditor_reference"] == "K9"
    assert data["case"]["state"] == "new"
    assert data["case"]["currency"] == "DKK"
    claims = data["case"]["claims"]
    assert [(c["invoice_number"], c["principal"], c["due_date"]) for c in claims] == [
        ("W-1", "1234.50", "2025-03-03")
    ]
    assert data["balance"]["principal"] == "1234.50"
    assert data["balance"]["total"] == "1234.50"


def test_a_transition_and_a_payment_arrive_with_their_figures(tenant_a, endpoint, receiver):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("W-2", "1000.00", DUE))
    with creditor_scope(tenant_a.creditor), at(date(2025, 3, 10)):
        lc.case_send_reminder(case=case, on=date(2025, 3, 10))
        payment_register(
            case=case,
            amount="300.00",
            received_on=date(2025, 3, 10),
            method=PaymentMethod.BANK_TRANSFER,
            payer_reference="bank-77",
        )
        send_pending(tenant_a.creditor)
        for request in receiver.requests:
            assert verify(endpoint.plain_secret, request.headers["Webhook-Signature"], request.body)

    assert [r.headers["Webhook-Event"] for r in receiver.requests] == [
        "case.created",
        "case.state_changed",
        "payment.received",
    ]
    changed = receiver.of_type("case.state_changed")[0].json["data"]
    assert changed["case"]["id"] == case.pk
    assert (changed["from_state"], changed["to_state"]) == ("new", "reminder")
    assert changed["reason"] == "case.reminder_sent"
    assert changed["case"]["state"] == "reminder"

    paid = receiver.of_type("payment.received")[0].json["data"]
    assert paid["payment"]["amount"] == "300.00"
    assert paid["payment"]["received_on"] == "2025-03-10"
    assert paid["payment"]["method"] == "bank_transfer"
    assert paid["payment"]["payer_reference"] == "bank-77"
    # The allocation and the balance are the ledger's: costs (the reminder fee), interest,
    # then principal, adding up to the payment.
    with creditor_scope(tenant_a.creditor):
        entries = LedgerEntry.objects.filter(payment_id=paid["payment"]["id"]).order_by("pk")
        expected = [(e.component, f"{-e.amount:.2f}") for e in entries]
        balance = case_balance(case)
    got = [(a["component"], a["amount"]) for a in paid["payment"]["allocations"]]
    assert got == expected
    assert [c for c, _ in got] == ["costs", "interest", "principal"]
    assert got[0][1] == "100.00"
    assert sum(Decimal(a) for _, a in got) == Decimal("300.00")
    assert paid["balance"]["principal"] == f"{balance.principal:.2f}"
    assert paid["balance"]["total"] == f"{balance.total:.2f}"
    assert paid["balance"]["costs"] == "0.00"


def test_a_second_reminder_is_no_state_change(tenant_a, endpoint, receiver):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("W-3", "1000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        with at(date(2025, 3, 10)):
            lc.case_send_reminder(case=case, on=date(2025, 3, 10))
        with at(date(2025, 3, 21)):
            lc.case_send_reminder(case=case, on=date(2025, 3, 21))
        types = list(WebhookEvent.objects.order_by("created_at").values_list("type", flat=True))
    assert types == ["case.created", "case.state_changed"]


def test_a_rolled_back_step_records_and_sends_nothing(
    tenant_a, endpoint, receiver, django_capture_on_commit_callbacks
):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks() as queued:
        try:
            with transaction.atomic():
                file_case(tenant_a.creditor, claim("W-4", "500.00", DUE))
                raise Abort
        except Abort:
            pass
    assert queued == []
    with creditor_scope(tenant_a.creditor):
        assert not WebhookEvent.objects.exists()
        assert not WebhookDelivery.objects.exists()
    send_pending(tenant_a.creditor)
    assert receiver.requests == []


def test_no_endpoint_costs_one_query_and_records_nothing(
    tenant_a, django_assert_num_queries, receiver, allow_private
):
    with creditor_scope(tenant_a.creditor):
        with django_assert_num_queries(1):
            assert (
                services.webhook_event_emit(
                    creditor_id=tenant_a.creditor.pk, event="case.created", data=lambda: 1 / 0
                )
                is None
            )
        # An endpoint for other events, or a disabled one, does not subscribe either.
        endpoint, _ = services.webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk, url=receiver.url, events=["payment.received"]
        )
        assert (
            services.webhook_event_emit(
                creditor_id=tenant_a.creditor.pk, event="case.created", data={}
            )
            is None
        )
        services.webhook_endpoint_update(endpoint=endpoint, is_active=False)
        assert (
            services.webhook_event_emit(
                creditor_id=tenant_a.creditor.pk, event="payment.received", data={}
            )
            is None
        )


def test_another_creditors_endpoint_gets_nothing(tenant_a, tenant_b, endpoint, receiver):
    file_case(tenant_b.creditor, claim("B-1", "100.00", DUE))
    send_pending(tenant_b.creditor)
    assert receiver.requests == []
    file_case(tenant_a.creditor, claim("A-1", "100.00", DUE))
    send_pending(tenant_a.creditor)
    assert len(receiver.requests) == 1


def test_a_500_is_retried_by_the_schedule_and_delivered_once(
    tenant_a, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        file_case(tenant_a.creditor, claim("W-5", "700.00", DUE))
        [delivery] = send_pending(tenant_a.creditor)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_response_code == 500
    assert delivery.next_attempt_at == start + timedelta(minutes=1)

    # Not due yet: a stray early message sends nothing.
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        send_pending(tenant_a.creditor)
    assert len(receiver.requests) == 1

    # A minute later the sweep queues it (on commit) and the sender delivers it.
    with time_machine.travel(start + timedelta(minutes=1, seconds=5), tick=False):
        with django_capture_on_commit_callbacks() as queued:
            assert services.webhook_deliveries_enqueue_due() == 1
        assert len(queued) == 1
        assert services.webhook_deliveries_enqueue_due() == 0  # queued once, not every minute
        [delivery] = send_pending(tenant_a.creditor)
        with creditor_scope(tenant_a.creditor):
            again = services.webhook_delivery_send(delivery_id=delivery.pk)
    assert again.status == DeliveryStatus.SUCCEEDED
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2

    assert len(receiver.requests) == 2  # the 500 and the success; never a third
    first, second = receiver.requests
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"]
    assert first.body == second.body
    assert (first.headers["Webhook-Attempt"], second.headers["Webhook-Attempt"]) == ("1", "2")
    with creditor_scope(tenant_a.creditor):
        log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.response_code, a.succeeded) for a in log] == [
        (1, 500, False),
        (2, 200, True),
    ]


def test_after_about_a_day_of_failures_it_has_failed(tenant_a, endpoint, receiver):
    receiver.answer(*[503] * services.MAX_ATTEMPTS)
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        file_case(tenant_a.creditor, claim("W-6", "700.00", DUE))
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            [delivery] = send_pending(tenant_a.creditor)
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - moment)
            moment = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS == 8
    assert [int(w.total_seconds()) for w in waits] == [60, 300, 900, 3600, 10800, 21600, 43200]
    assert timedelta(hours=20) < sum(waits, timedelta()) < timedelta(hours=26)
    assert send_pending(tenant_a.creditor) == []
    assert len(receiver.requests) == services.MAX_ATTEMPTS


def test_410_gone_disables_the_endpoint(tenant_a, endpoint, receiver):
    receiver.answer(410)
    file_case(tenant_a.creditor, claim("W-7", "700.00", DUE))
    [delivery] = send_pending(tenant_a.creditor)
    assert delivery.status == DeliveryStatus.FAILED
    with creditor_scope(tenant_a.creditor):
        endpoint.refresh_from_db()
        assert not endpoint.is_active
        assert "410" in endpoint.disabled_reason
        # Nothing more is recorded for it until someone enables it again.
        file_case(tenant_a.creditor, claim("W-8", "700.00", DUE))
        assert WebhookDelivery.objects.count() == 1


def test_an_unreachable_receiver_is_an_attempt_with_the_error(tenant_a, allow_private):
    with creditor_scope(tenant_a.creditor):
        services.webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk,
            url="http://127.0.0.1:9/closed",  # the discard port: nothing listens
            events=["case.created"],
        )
    file_case(tenant_a.creditor, claim("W-9", "100.00", DUE))
    [delivery] = send_pending(tenant_a.creditor)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_response_code is None
    assert "Could not connect" in delivery.last_error


def test_replay_sends_the_same_event_again_as_a_new_delivery(tenant_a, endpoint, receiver):
    file_case(tenant_a.creditor, claim("W-10", "100.00", DUE))
    [delivery] = send_pending(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        replay = services.webhook_delivery_replay(delivery=delivery)
    assert replay.pk != delivery.pk and replay.replay_of_id == delivery.pk
    [sent] = send_pending(tenant_a.creditor)
    assert sent.pk == replay.pk and sent.status == DeliveryStatus.SUCCEEDED
    first, second = receiver.requests
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"]
    assert first.body == second.body


def test_test_fire_reaches_the_endpoint_whatever_it_subscribes_to(tenant_a, endpoint, receiver):
    with creditor_scope(tenant_a.creditor):
        services.webhook_endpoint_test(endpoint=endpoint)
    send_pending(tenant_a.creditor)
    [got] = receiver.requests
    assert got.headers["Webhook-Event"] == "webhook.test"
    assert got.json["data"]["endpoint"]["id"] == endpoint.pk
    assert verify(endpoint.plain_secret, got.headers["Webhook-Signature"], got.body)


def test_after_rotation_both_secrets_sign_for_the_grace_period(tenant_a, endpoint, receiver):
    with creditor_scope(tenant_a.creditor):
        _, new = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
        services.webhook_endpoint_test(endpoint=endpoint)
    send_pending(tenant_a.creditor)
    got = receiver.requests[-1]
    assert verify(new, got.headers["Webhook-Signature"], got.body)
    assert verify(endpoint.plain_secret, got.headers["Webhook-Signature"], got.body)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        with creditor_scope(tenant_a.creditor):
            services.webhook_endpoint_test(endpoint=endpoint)
        send_pending(tenant_a.creditor)
        got = receiver.requests[-1]
        assert verify(new, got.headers["Webhook-Signature"], got.body)
        assert not verify(endpoint.plain_secret, got.headers["Webhook-Signature"], got.body)


def test_a_disabled_endpoint_gets_no_queued_delivery(tenant_a, endpoint, receiver):
    file_case(tenant_a.creditor, claim("W-11", "100.00", DUE))
    with creditor_scope(tenant_a.creditor):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    [delivery] = send_pending(tenant_a.creditor)
    assert delivery.status == DeliveryStatus.FAILED
    assert "deaktiveret" in delivery.last_error
    assert receiver.requests == []
