"""Delivery on real Celery workers: a temporary failure retried with backoff, and a worker
killed (SIGKILL) after the provider took the message but before the outcome was saved.

What "never twice" means after such a kill: the attempt row was committed before the
provider was called, so the next run finds it ``pending`` with nobody holding the delivery's
advisory lock (PostgreSQL released it with the dead worker's connection). Then

* the SMS gateway honours idempotency keys: it is asked again with the same key and sends
  nothing new, so the debtor gets one SMS and we learn its id;
* SMTP has no such key: the e-mail is not sent again (at most once per channel), the
  timeline records the uncertainty, and the policy's next channel carries the notice.

Redis hands an unacknowledged task to another worker only after the broker's visibility
timeout (15 minutes); the tests hand it over at once by sending the same task again.
"""

import os
import signal

import pytest
from pypdf import PdfReader

from collections_portal.tenancy import creditor_scope
from notices.delivery.models import AttemptOutcome, DeliveryStatus, PrintBatch
from notices.delivery.services import print_batch_close
from notices.delivery.tasks import compose_print_batch, deliver_notice
from notices.models import NoticeKind, NoticeStatus

from .conftest import gateway_env
from .helpers import (
    deliver,
    deliveries,
    email_address,
    mobile_number,
    notice_events,
    policy,
    refreshed,
)
from .pdfs import case_owing, rendered_notice

pytestmark = pytest.mark.celery_worker


def send_task(notice, queue):
    return deliver_notice.apply_async(
        args=[notice.pk], kwargs={"creditor_id": notice.creditor_id}, queue=queue
    )


def attempt_outcomes(delivery) -> list[str]:
    with creditor_scope(delivery.creditor_id):
        return list(delivery.attempt_log.values_list("outcome", flat=True))


@pytest.fixture
def sms_worker(request, transactional_db, media, sms, settings, monkeypatch):
    """tests/conftest.py's worker, started with this test's SMS gateway and storage."""
    for name, value in gateway_env(settings).items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("worker")


def test_a_worker_retries_a_503_with_backoff_and_sends_once(sms_worker, tenant_a, sms):
    sms.script = [503]
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms")
    notice = rendered_notice(case)

    answer = send_task(notice, sms_worker).get(timeout=60)

    assert answer["status"] == NoticeStatus.SENT
    assert answer["deliveries"] == {"sms": DeliveryStatus.SENT}
    assert [r["headers"]["idempotency-key"] for r in sms.requests] == [
        str(deliveries(notice)["sms"].idempotency_key)
    ] * 2
    assert len(sms.sent) == 1
    assert attempt_outcomes(deliveries(notice)["sms"]) == [
        AttemptOutcome.TRANSIENT,
        AttemptOutcome.ACCEPTED,
    ]
    assert [e.code for e in notice_events(notice)] == [
        "notice.delivery_deferred",
        "notice.delivered",
        "notice.sent",
    ]


def kill(process):
    def callback(*args):
        os.kill(process.pid, signal.SIGKILL)

    return callback


def test_a_worker_killed_after_the_gateway_took_the_sms_does_not_send_it_twice(
    start_worker, tenant_a, media, sms
):
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms")
    notice = rendered_notice(case)
    queue, process = start_worker()
    sms.on_request = kill(process)  # the gateway has taken the SMS; the worker dies

    send_task(notice, queue)
    assert process.wait(timeout=60) == -signal.SIGKILL

    delivery = deliveries(notice)["sms"]
    assert delivery.status == DeliveryStatus.SENDING
    assert attempt_outcomes(delivery) == [AttemptOutcome.PENDING]
    assert len(sms.sent) == 1

    sms.on_request = None
    queue, _ = start_worker()
    answer = send_task(notice, queue).get(timeout=60)

    assert answer["status"] == NoticeStatus.SENT
    assert len(sms.requests) == 2  # asked again, with the same key...
    assert len({r["headers"]["idempotency-key"] for r in sms.requests}) == 1
    assert len(sms.sent) == 1  # ...and the debtor got one SMS
    delivery = deliveries(notice)["sms"]
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_message_id == "sms-1"
    assert attempt_outcomes(delivery) == [AttemptOutcome.INTERRUPTED, AttemptOutcome.ACCEPTED]
    assert [e.code for e in notice_events(notice)] == ["notice.delivered", "notice.sent"]


def test_a_worker_killed_after_the_smtp_server_took_the_email_never_sends_it_again(
    start_worker, tenant_a, media, smtp, outbox
):
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor, "debtor@example.dk")
    policy(tenant_a.creditor, NoticeKind.REMINDER, "email > digital_post")
    notice = rendered_notice(case)
    queue, process = start_worker()
    smtp.on_received = kill(process)  # received, but the worker dies before the 250 reply

    send_task(notice, queue)
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert len(smtp.messages) == 1
    assert attempt_outcomes(deliveries(notice)["email"]) == [AttemptOutcome.PENDING]

    smtp.on_received = None
    queue, _ = start_worker()
    answer = send_task(notice, queue).get(timeout=60)

    assert len(smtp.messages) == 1  # not sent again
    assert answer["status"] == NoticeStatus.SENT
    assert answer["deliveries"] == {"email": "failed", "digital_post": "sent"}
    email = deliveries(notice)["email"]
    assert attempt_outcomes(email) == [AttemptOutcome.UNKNOWN]
    assert "not sent again" in email.last_error
    assert len(list(outbox.iterdir())) == 1
    assert refreshed(notice).status == NoticeStatus.SENT
    assert [e.code for e in notice_events(notice)] == [
        "notice.delivery_uncertain",
        "notice.delivered",
        "notice.sent",
    ]


@pytest.fixture
def storage_worker(request, transactional_db, media, settings, monkeypatch):
    for name, value in gateway_env(settings).items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("worker")


def test_a_worker_composes_a_closed_print_batch(storage_worker, tenant_a):
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print")
    notices = [rendered_notice(case_owing(tenant_a.creditor), pages=2) for _ in range(2)]
    for notice in notices:
        deliver(notice)
    with creditor_scope(tenant_a.creditor):
        batch = PrintBatch.objects.get()
        assert print_batch_close(batch=batch)

    answer = compose_print_batch.apply_async(
        args=[batch.pk], kwargs={"creditor_id": tenant_a.creditor.pk}, queue=storage_worker
    ).get(timeout=60)

    assert answer == {"batch": batch.pk, "letters": 2, "pages": 4}
    batch = refreshed(batch)
    with batch.file.open("rb") as handle:
        assert len(PdfReader(handle).pages) == 4
    assert [refreshed(n).status for n in notices] == [NoticeStatus.SENT] * 2
