"""A real Celery worker (as the application role) reads an uploaded bank file end to end."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases.models import Payment
from collections_portal.tenancy import creditor_scope
from tests.conftest import start_celery_worker, stop_celery_worker

from .conftest import debt_case, sample

pytestmark = [pytest.mark.celery_worker]


def test_a_worker_reads_an_uploaded_file(transactional_db, tenant_a, agent, settings, tmp_path):
    from collections_portal.celery import app

    settings.MEDIA_ROOT = tmp_path
    case = debt_case(tenant_a.creditor)
    queue, process = start_celery_worker({"MEDIA_ROOT": str(tmp_path)})
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the upload queues on this test's worker
    try:
        client = APIClient()
        client.force_login(agent)
        data = sample(
            "danske_camt054_v02.xml",
            TOTAL="300.00",
            AMOUNT_A="200.00",
            AMOUNT_B="100.00",
            PID_A=case.payment_id,
            CASE_B="1",
        )
        response = client.post("/api/v1/bank-files/", {"file": SimpleUploadedFile("d.xml", data)})
        assert response.status_code == 202
        url = f"/api/v1/bank-files/{response.json()['id']}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = client.get(url).json()
            if body["status"] in ("finished", "failed"):
                break
            time.sleep(0.1)
    finally:
        app.conf.task_default_queue = previous
        stop_celery_worker(queue, process)
    assert (body["status"], body["booked"], body["unmatched"]) == ("finished", 1, 1), body
    with creditor_scope(case.creditor_id):
        assert Payment.objects.get(case=case).amount == 200
