"""The events other parts of the portal report: a notice that went out, an import that ended.

Both travel the whole way: the real delivery service sends an e-mail through a local SMTP
server, the real import service files an uploaded file, and the webhook sender posts the
events to a local HTTP receiver.
"""

from __future__ import annotations

import pytest

from collections_portal.tenancy import creditor_scope
from integrations.webhooks.services import webhook_endpoint_create
from notices.models import NoticeStatus
from tests.delivery.helpers import deliver, email_address
from tests.delivery.pdfs import case_owing, rendered_notice
from tests.imports.helpers import api_client, invoice_rows, run_job, to_json, upload

from .conftest import send_pending

pytestmark = pytest.mark.django_db


def subscribe(creditor, receiver, *events):
    with creditor_scope(creditor):
        endpoint, _secret = webhook_endpoint_create(
            creditor_id=creditor.pk, url=receiver.url, events=events
        )
    return endpoint


def test_a_sent_notice_is_reported_with_its_channel(
    tenant_a,
    receiver,
    allow_private,
    media,
    smtp,
):
    subscribe(tenant_a.creditor, receiver, "notice.sent")
    case = case_owing(tenant_a.creditor, name="Jens Hansen")
    email_address(case.debtor, "jens.hansen@example.dk")
    notice = rendered_notice(case)

    report = deliver(notice)
    assert report.notice_status == NoticeStatus.SENT
    assert len(smtp.messages) == 1

    [sent] = send_pending(tenant_a.creditor)
    assert sent.status == "succeeded"
    [got] = receiver.requests
    assert got.headers["Webhook-Event"] == "notice.sent"
    data = got.json["data"]
    assert data["notice"]["id"] == notice.pk
    assert data["notice"]["kind"] == "reminder"
    assert data["notice"]["channel"] == "email"
    assert data["notice"]["status"] == "sent"
    assert data["case"]["id"] == case.pk
    # Delivering again sends neither the e-mail nor the event a second time.
    deliver(notice)
    assert len(smtp.messages) == 1
    assert send_pending(tenant_a.creditor) == []


def test_a_finished_import_is_reported_with_its_counts(tenant_a, receiver, allow_private):
    subscribe(tenant_a.creditor, receiver, "import.finished")
    rows = invoice_rows(3, prefix="WH")
    rows[1]["amount"] = "not money"
    job = run_job(
        upload(api_client(tenant_a.creditor), to_json(rows), "application/json"),
        tenant_a.creditor,
    )
    assert (job.rows_accepted, job.rows_rejected) == (2, 1)

    send_pending(tenant_a.creditor)
    [got] = receiver.requests
    assert got.headers["Webhook-Event"] == "import.finished"
    report = got.json["data"]["import"]
    assert report["id"] == str(job.public_id)
    assert report["status"] == "finished"
    assert (report["rows"], report["accepted"], report["rejected"]) == (3, 2, 1)
    assert report["cases_created"] == 2
    assert report["rejections_url"].endswith(f"/imports/{job.public_id}/rejections.csv")
