"""A real Celery worker processes an upload end to end, and a second run changes nothing; a job
uploaded with the broker down, or whose worker was killed, is finished by the stale-job sweep."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from cases.models import Claim
from collections_portal.celery import queue_discard
from collections_portal.tenancy import creditor_scope
from integrations.imports.models import ImportJob, ImportStatus
from integrations.imports.services import import_job_process, import_jobs_requeue_stale
from tests.conftest import start_celery_worker, stop_celery_worker

from .conftest import broker_unreachable
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


def _wait_for(client, url, done, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if done(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting: {body}")


def test_a_job_uploaded_while_the_broker_was_down_is_picked_up_once_it_is_back(worker, tenant_a):
    from collections_portal.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker
    try:
        client = api_client(tenant_a.creditor)
        with broker_unreachable():
            response = upload(client, to_csv(invoice_rows(40)), "text/csv")
        assert response.status_code == 202  # committed, and said so
        url = response.json()["links"]["self"]
        assert client.get(url).json()["status"] == "queued"
        # The broker is back; beat's sweep runs once the job has waited long enough.
        later = timezone.now() + timedelta(minutes=settings.IMPORT_STALE_MINUTES + 1)
        assert import_jobs_requeue_stale(now=later) == 1
        body = _wait_for(client, url, lambda b: b["status"] in ("finished", "failed"))
    finally:
        app.conf.task_default_queue = previous
    assert (body["status"], body["rows_accepted"], body["cases_created"]) == ("finished", 40, 40)


def test_a_worker_killed_mid_job_is_resumed_by_the_sweep_without_doubling(
    transactional_db, tenant_a
):
    from collections_portal.celery import app

    queue, process = start_celery_worker({"IMPORT_CHUNK_ROWS": "10"})
    second = None
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        client = api_client(tenant_a.creditor)
        response = upload(client, to_csv(invoice_rows(3000)), "text/csv")
        url = response.json()["links"]["self"]
        body = _wait_for(client, url, lambda b: b["rows_done"] >= 10)
        os.kill(process.pid, signal.SIGKILL)  # mid-job: no clean shutdown, no ack
        process.wait(timeout=30)
        body = client.get(url).json()
        assert body["status"] == "running" and 0 < body["rows_done"] < 3000, body
        # A new worker; the sweep finds the job without a sign of life and queues it again.
        second = start_celery_worker({"IMPORT_CHUNK_ROWS": "10"})
        app.conf.task_default_queue = second[0]
        later = timezone.now() + timedelta(minutes=settings.IMPORT_STALE_MINUTES + 1)
        assert import_jobs_requeue_stale(now=later) == 1
        body = _wait_for(client, url, lambda b: b["status"] in ("finished", "failed"), 300)
    finally:
        app.conf.task_default_queue = previous
        stop_celery_worker(queue, process)
        if second is not None:
            second[1].terminate()
            second[1].wait(timeout=30)
            queue_discard(second[0])
    assert (body["status"], body["rows_accepted"], body["rows_rejected"]) == ("finished", 3000, 0)
    with creditor_scope(tenant_a.creditor):
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == 3000
        job = ImportJob.objects.get(public_id=body["id"])
    assert job.attempts == 2
