"""Letters by post: notices join the creditor's open print batch; closing it composes one
duplex print file (every letter on its own sheets) and a manifest, and marks them sent."""

import io
import json
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from pypdf import PdfReader

from collections_portal.celery import app
from collections_portal.tenancy import agency_scope, creditor_scope
from notices.delivery.models import DeliveryStatus, PrintBatch, PrintBatchStatus
from notices.delivery.services import (
    DeliveryError,
    print_batch_close,
    print_batch_compose,
)
from notices.delivery.tasks import close_print_batches
from notices.models import NoticeKind, NoticeStatus

from .helpers import deliver, deliveries, email_address, notice_events, policy, refreshed
from .pdfs import case_owing, rendered_notice

pytestmark = pytest.mark.django_db


def open_batch(creditor) -> PrintBatch:
    with creditor_scope(creditor):
        return PrintBatch.objects.get(status=PrintBatchStatus.OPEN)


def compose(batch) -> PrintBatch:
    with creditor_scope(batch.creditor_id):
        assert print_batch_close(batch=batch)
        return print_batch_compose(batch=batch)


def test_letters_are_composed_into_one_duplex_print_file_in_order(tenant_a, media):
    creditor = tenant_a.creditor
    policy(creditor, NoticeKind.REMINDER, "print")
    cases = [case_owing(creditor) for _ in range(3)]
    notices = [
        rendered_notice(case, pages=pages) for case, pages in zip(cases, [1, 2, 3], strict=True)
    ]
    for notice in notices:
        report = deliver(notice)
        # In the batch, not yet printed: the notice waits for the batch.
        assert report.notice_status == NoticeStatus.RENDERED
        assert report.deliveries == {"print": DeliveryStatus.SENDING}

    batch = compose(open_batch(creditor))

    assert batch.status == PrintBatchStatus.COMPOSED
    assert batch.letter_count == 3
    assert batch.page_count == 8  # 1+1 blank, 2, 3+1 blank
    with batch.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    texts = [page.extract_text().strip() for page in reader.pages]
    n1, n2, n3 = (case.number for case in cases)
    assert texts == [
        f"Case {n1} reminder 1 page 1 of 1",
        "",
        f"Case {n2} reminder 1 page 1 of 2",
        f"Case {n2} reminder 1 page 2 of 2",
        f"Case {n3} reminder 1 page 1 of 3",
        f"Case {n3} reminder 1 page 2 of 3",
        f"Case {n3} reminder 1 page 3 of 3",
        "",
    ]
    assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages)  # A4
    with batch.manifest.open("rb") as handle:
        manifest = json.load(handle)
    assert [
        (x["case"], x["first_page"], x["pages"], x["blank_pages_added"])
        for x in manifest["letters"]
    ] == [
        (str(n1), 1, 1, 1),
        (str(n2), 3, 2, 0),
        (str(n3), 5, 3, 1),
    ]
    assert manifest["page_count"] == 8
    assert manifest["letters"][0]["recipient"]["name"] == cases[0].debtor.name

    for notice in notices:
        assert refreshed(notice).status == NoticeStatus.SENT
        delivery = deliveries(notice)["print"]
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.provider_message_id == f"print-batch-{batch.pk}/{delivery.print_sequence}"
        assert [e.code for e in notice_events(notice)] == [
            "notice.queued_for_print",
            "notice.delivered",
            "notice.sent",
        ]


def test_the_warning_goes_by_letter_and_email_and_is_sent_when_both_are(tenant_a, media, smtp):
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor)
    notice = rendered_notice(case, kind=NoticeKind.WARNING)  # default: print + email

    report = deliver(notice)
    assert report.deliveries == {"print": DeliveryStatus.SENDING, "email": DeliveryStatus.SENT}
    assert report.notice_status == NoticeStatus.RENDERED
    assert len(smtp.messages) == 1

    compose(open_batch(tenant_a.creditor))
    assert refreshed(notice).status == NoticeStatus.SENT
    sent = [e for e in notice_events(notice) if e.code == "notice.sent"]
    assert len(sent) == 1
    assert sorted(sent[0].data["channels"]) == ["email", "print"]


def test_composing_twice_changes_nothing_and_new_letters_open_a_new_batch(tenant_a, media):
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print")
    first = rendered_notice(case_owing(tenant_a.creditor))
    deliver(first)
    batch = compose(open_batch(tenant_a.creditor))
    checksum = batch.file_sha256
    with creditor_scope(tenant_a.creditor):
        assert print_batch_compose(batch=batch).file_sha256 == checksum
        assert not print_batch_close(batch=batch)

    second = rendered_notice(case_owing(tenant_a.creditor))
    deliver(second)
    newer = open_batch(tenant_a.creditor)
    assert newer.pk != batch.pk
    assert deliveries(second)["print"].print_batch_id == newer.pk
    with creditor_scope(tenant_a.creditor), pytest.raises(DeliveryError, match="still open"):
        print_batch_compose(batch=newer)


def test_a_letter_needs_a_postal_address(tenant_a, media, outbox):
    case = case_owing(tenant_a.creditor, address_line="", city="")
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print > digital_post")
    notice = rendered_notice(case)
    deliver(notice)
    sent = deliveries(notice)
    assert sent["print"].status == DeliveryStatus.SKIPPED
    assert sent["print"].last_error == "The debtor has no postal address."
    assert sent["digital_post"].status == DeliveryStatus.SENT


def test_beat_closes_every_creditors_open_batch(
    tenant_a, tenant_b, media, django_capture_on_commit_callbacks
):
    entry = django_settings.CELERY_BEAT_SCHEDULE["close-print-batches"]
    assert entry["task"] == "delivery.close_print_batches"
    assert entry["task"] in app.tasks
    for tenant in (tenant_a, tenant_b):
        policy(tenant.creditor, NoticeKind.REMINDER, "print")
        deliver(rendered_notice(case_owing(tenant.creditor)))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        result = close_print_batches()

    assert len(result["closed"]) == 2
    assert len(queued) == 2  # one composition task per batch, queued on commit
    with agency_scope(reason="test reads every creditor's batches"):
        assert set(PrintBatch.objects.values_list("status", flat=True)) == {PrintBatchStatus.CLOSED}


@pytest.mark.django_db(transaction=True)
def test_letters_added_at_the_same_moment_share_one_open_batch(tenant_a, media):
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print")
    notices = [rendered_notice(case_owing(tenant_a.creditor)) for _ in range(4)]
    barrier = threading.Barrier(len(notices))
    errors = []

    def worker(notice):
        barrier.wait()
        try:
            deliver(notice)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=[n]) for n in notices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with creditor_scope(tenant_a.creditor):
        batch = PrintBatch.objects.get()  # one open batch, not one per worker
    places = sorted(deliveries(n)["print"].print_sequence for n in notices)
    assert places == [1, 2, 3, 4]
    assert compose(batch).letter_count == 4
