"""A real Celery worker processes an upload end to end, and a second run changes nothing."""

import time

import pytest

from collections_portal.tenancy import creditor_scope
from integrations.imports.models import ImportJob, ImportStatus
from integrations.imports.services import import_job_process

from .helpers import api_client, invoice_rows, to_csv, upload

pytestmark = [pytest.mark.celery_worker]


def test_a_worker_imports_an_upload_end_to_end(worker, tenant_a):
    from collections_portal.celery import app

    # The upload enqueues on the default queue: this test's worker listens on its own.
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker
    try:
        _run(tenant_a)
    finally:
        app.conf.task_default_queue = previous


def _run(tenant_a):
    rows = invoice_rows(300)
    rows[10]["amount"] = "-5"
    client = api_client(tenant_a.creditor)
    response = upload(client, to_csv(rows), "text/csv")
    assert response.status_code == 202
    url = response.json()["links"]["self"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["status"] in ("finished", "failed"):
            break
        time.sleep(0.2)
    assert body["status"] == "finished", body
    assert (body["rows_total"], body["rows_accepted"], body["rows_rejected"]) == (300, 299, 1)
    assert body["cases_created"] == 299

    # Run again (a redelivered task): nothing more happens.
    with creditor_scope(tenant_a.creditor):
        job = ImportJob.objects.get(public_id=body["id"])
        again = import_job_process(job_id=job.pk)
    assert again.status == ImportStatus.FINISHED
    assert again.cases_created == 299
