"""Retries in one process: a dropped SMTP connection is tried again and sent once; two
workers delivering the same notice at the same moment send it once."""

import threading

import pytest
from django.db import connection

from collections_portal.tenancy import creditor_scope
from notices.delivery.models import AttemptOutcome, DeliveryStatus
from notices.delivery.services import DeliveryRetry
from notices.models import NoticeKind, NoticeStatus

from .helpers import deliver, deliveries, email_address, mobile_number, notice_events, policy
from .pdfs import case_owing, rendered_notice


@pytest.mark.django_db
def test_an_smtp_server_dropping_the_connection_is_retried_and_sends_once(tenant_a, media, smtp):
    smtp.drop_rcpt = 1  # the connection breaks before the message is handed over
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor, "debtor@example.dk")
    policy(tenant_a.creditor, NoticeKind.REMINDER, "email")
    notice = rendered_notice(case)

    with pytest.raises(DeliveryRetry):
        deliver(notice)
    assert smtp.messages == []
    delivery = deliveries(notice)["email"]
    assert delivery.status == DeliveryStatus.QUEUED
    assert "could not be reached" in delivery.last_error

    assert deliver(notice).notice_status == NoticeStatus.SENT
    assert len(smtp.messages) == 1
    with creditor_scope(tenant_a.creditor):
        outcomes = list(deliveries(notice)["email"].attempt_log.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.TRANSIENT, AttemptOutcome.ACCEPTED]


@pytest.mark.django_db
def test_a_connection_lost_after_the_email_was_handed_over_is_not_sent_again(
    tenant_a, media, smtp, outbox
):
    # The server has the whole message, then the connection breaks before its reply: the
    # e-mail may be on its way. It is not sent again; the next channel carries the notice.
    smtp.on_data = lambda envelope: "drop"
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor, "debtor@example.dk")
    policy(tenant_a.creditor, NoticeKind.REMINDER, "email > digital_post")
    notice = rendered_notice(case)

    assert deliver(notice).notice_status == NoticeStatus.SENT
    deliver(notice)

    email = deliveries(notice)["email"]
    assert email.status == DeliveryStatus.FAILED
    assert email.attempts == 1
    assert email.last_error.startswith("The outcome of the last attempt is unknown")
    with creditor_scope(tenant_a.creditor):
        assert [a.outcome for a in email.attempt_log.all()] == [AttemptOutcome.UNKNOWN]
    assert deliveries(notice)["digital_post"].status == DeliveryStatus.SENT
    assert [e.code for e in notice_events(notice)] == [
        "notice.delivery_uncertain",
        "notice.delivered",
        "notice.sent",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_notice_at_once_send_one_sms(tenant_a, media, sms):
    sms.script = ["slow"]  # the first request holds its worker inside the provider call...
    sms.slow_seconds = 0.8  # ...for less than the client's 1 s timeout
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms")
    notice = rendered_notice(case)
    outcomes = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            outcomes.append(deliver(notice).notice_status)
        except DeliveryRetry:
            outcomes.append("retry later")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # One worker sent it while the other found the delivery locked and stood back.
    assert len(sms.requests) == 1
    assert sorted(outcomes) == ["retry later", NoticeStatus.SENT]
    # The one standing back retries later and finds nothing left to do.
    assert deliver(notice).notice_status == NoticeStatus.SENT
    assert len(sms.requests) == 1
    assert len(sms.sent) == 1
    assert deliveries(notice)["sms"].attempts == 1
    assert [e.code for e in notice_events(notice)] == ["notice.delivered", "notice.sent"]
