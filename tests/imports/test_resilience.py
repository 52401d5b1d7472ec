"""A database error costs only the row at fault; a crashed job resumes without doubling; a job
always ends, finished or failed with its reason (worker-side faults, the broker down)."""

from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from cases.models import Claim
from collections_portal.tenancy import creditor_scope
from integrations.imports import services
from integrations.imports.models import ImportJob, ImportStatus
from integrations.imports.tasks import process_import

from .helpers import api_client, invoice_rows, run_job, to_json, upload

pytestmark = pytest.mark.django_db


def test_a_database_error_in_a_chunk_costs_only_the_row_at_fault(tenant_a):
    # A real error from PostgreSQL for one invoice, which no validation foresaw.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_claim() RETURNS trigger AS $$ BEGIN"
            " IF NEW.invoice_number = 'F-000013' THEN RAISE EXCEPTION 'refused by test'; END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_refuse_claim BEFORE INSERT ON cases_claim"
            " FOR EACH ROW EXECUTE FUNCTION test_refuse_claim();"
        )
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_json(invoice_rows(40)), "application/json"),
                  tenant_a.creditor, chunk_rows=20)  # fmt: skip
    assert (job.rows_accepted, job.rows_rejected, job.cases_created) == (39, 1, 39)
    (rejection,) = client.get(f"/api/v1/imports/{job.public_id}/rejections/").json()["results"]
    assert rejection["line"] == 14  # the 14th invoice of the JSON list
    assert rejection["code"] == "database"
    assert "refused by test" in rejection["reason"]
    with creditor_scope(tenant_a.creditor):
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == 39


def test_a_job_that_dies_mid_way_resumes_where_it_stopped(tenant_a, monkeypatch):
    client = api_client(tenant_a.creditor)
    response = upload(client, to_json(invoice_rows(50)), "application/json")
    original = services._write
    calls = {"n": 0}

    def dies_on_the_third_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("the worker lost its database")
        return original(**kwargs)

    monkeypatch.setattr(services, "_write", dies_on_the_third_chunk)
    with creditor_scope(tenant_a.creditor):
        job = ImportJob.objects.get(public_id=response.json()["id"])
        with pytest.raises(OperationalError):
            services.import_job_process(job_id=job.pk, chunk_rows=10)
        job.refresh_from_db()
        assert (job.status, job.units_done, job.rows_accepted) == (ImportStatus.RUNNING, 20, 20)

        monkeypatch.setattr(services, "_write", original)
        services.import_job_process(job_id=job.pk, chunk_rows=10)  # the task, redelivered
        job.refresh_from_db()
        assert (job.status, job.units_done, job.rows_accepted) == (ImportStatus.FINISHED, 50, 50)
        assert (job.rows_rejected, job.cases_created) == (0, 50)
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == 50


def test_a_foreign_key_failure_is_caught_in_the_chunk_not_at_commit(tenant_a):
    # The claim of one invoice points at a case that does not exist: a foreign-key error,
    # which PostgreSQL would otherwise raise only at commit, for the whole chunk.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_orphan_claim() RETURNS trigger AS $$ BEGIN"
            " IF NEW.invoice_number = 'F-000007' THEN NEW.case_id := -1; END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_orphan_claim BEFORE INSERT ON cases_claim"
            " FOR EACH ROW EXECUTE FUNCTION test_orphan_claim();"
        )
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_json(invoice_rows(20)), "application/json"),
                  tenant_a.creditor, chunk_rows=20)  # fmt: skip
    assert (job.rows_accepted, job.rows_rejected) == (19, 1)
    (rejection,) = client.get(f"/api/v1/imports/{job.public_id}/rejections/").json()["results"]
    assert (rejection["line"], rejection["code"]) == (8, "database")


# --- Worker-side faults: every job ends, finished or failed with its reason -----------------


def _job(response, creditor) -> ImportJob:
    assert response.status_code == 202, response.content
    with creditor_scope(creditor):
        return ImportJob.objects.get(public_id=response.json()["id"])


def _run_task(job: ImportJob) -> ImportJob:
    """The Celery task's body, as a worker runs it (in the creditor's scope)."""
    process_import.apply(kwargs={"creditor_id": job.creditor_id, "job_id": job.pk})
    with creditor_scope(job.creditor_id):
        job.refresh_from_db()
    return job


def _rejections(job: ImportJob) -> list[tuple[int, str, str]]:
    with creditor_scope(job.creditor_id):
        return list(job.rejections.order_by("line").values_list("line", "field", "code"))


def test_a_lone_surrogate_in_a_json_row_rejects_that_row_only(tenant_a):
    rows = invoice_rows(6)
    body = to_json(rows).replace(b'"Person 2"', b'"Person \\ud800 2"')
    body = body.replace(b'"F-000004"', b'"F-\\udfff"')  # in the invoice number too
    job = _run_task(_job(upload(api_client(tenant_a.creditor), body, "application/json"),
                         tenant_a.creditor))  # fmt: skip
    assert job.status == ImportStatus.FINISHED
    assert (job.units_total, job.rows_accepted, job.rows_rejected) == (6, 4, 2)
    assert _rejections(job) == [(3, "debtor_name", "invalid_text"), (5, "invoice_number",
                                                                       "invalid_text")]  # fmt: skip


def test_deeply_nested_json_rejects_that_row_only(tenant_a):
    rows = invoice_rows(4)
    deep = b"[" * 100_000 + b"]" * 100_000
    body = to_json(rows).replace(b'"Levering 1"', deep)
    job = _run_task(_job(upload(api_client(tenant_a.creditor), body, "application/json"),
                         tenant_a.creditor))  # fmt: skip
    assert job.status == ImportStatus.FINISHED
    assert (job.rows_accepted, job.rows_rejected) == (3, 1)
    assert _rejections(job) == [(2, "", "too_deep")]
    with creditor_scope(tenant_a.creditor):
        reason = job.rejections.get().reason
    assert "nested too deeply" in reason or "indlejret" in reason


def test_a_value_nested_within_the_parsers_limit_is_a_rejection_not_a_crash(tenant_a):
    rows = invoice_rows(3)
    body = to_json(rows).replace(b'"Vejen 2"', b"[" * 800 + b"]" * 800)  # a list as address
    job = _run_task(_job(upload(api_client(tenant_a.creditor), body, "application/json"),
                         tenant_a.creditor))  # fmt: skip
    assert job.status == ImportStatus.FINISHED
    assert _rejections(job) == [(2, "debtor_address", "invalid")]


def test_an_unexpected_error_fails_the_job_with_a_reason(tenant_a, monkeypatch, settings):
    job = _job(upload(api_client(tenant_a.creditor), to_json(invoice_rows(30)),
                      "application/json"), tenant_a.creditor)  # fmt: skip
    original = services._file_chunk
    calls = {"n": 0}

    def breaks_on_the_second_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("a bug no test foresaw")
        return original(**kwargs)

    monkeypatch.setattr(services, "_file_chunk", breaks_on_the_second_chunk)
    settings.IMPORT_CHUNK_ROWS = 10
    job = _run_task(job)
    assert job.status == ImportStatus.FAILED
    assert (job.units_done, job.rows_accepted) == (10, 10)
    assert "10" in job.error and "30" in job.error
    assert "uventet" in job.error  # the reason in Danish, the portal's first language
    assert job.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_mid_job_resumes_from_the_last_committed_chunk(
    tenant_a, monkeypatch
):
    """pg_terminate_backend from another connection kills the job's database session while
    it writes its third chunk: the run reconnects and carries on from the second."""
    job = _job(upload(api_client(tenant_a.creditor), to_json(invoice_rows(50)),
                      "application/json"), tenant_a.creditor)  # fmt: skip
    original = services._write
    written: list[int] = []  # the first line of every chunk handed to the database

    def terminated_on_the_third_chunk(**kwargs):
        written.append(kwargs["invoices"][0].line)
        if len(written) == 3:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (pid,) = cursor.fetchone()
            db = connection.settings_dict
            with psycopg.connect(
                host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                dbname=db["NAME"], autocommit=True,
            ) as other:  # fmt: skip
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return original(**kwargs)

    monkeypatch.setattr(services, "_write", terminated_on_the_third_chunk)
    with creditor_scope(tenant_a.creditor):
        services.import_job_run(job_id=job.pk, chunk_rows=10)
        job.refresh_from_db()
        assert (job.status, job.units_done, job.rows_accepted) == (ImportStatus.FINISHED, 50, 50)
        assert (job.rows_rejected, job.cases_created, job.attempts) == (0, 50, 2)
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == 50
    # Chunks 1 and 2 were committed before the connection died and were not written again.
    assert written == [1, 11, 21, 21, 31, 41]


def test_the_sweep_queues_stale_jobs_again_and_fails_one_that_keeps_dying(tenant_a, settings):
    client = api_client(tenant_a.creditor)
    # Uploaded, and never queued (in a test the commit hook does not run: as if the broker
    # had been down), or left running by a worker that died.
    queued, running, fresh, dying = (
        _job(upload(client, to_json(invoice_rows(5, prefix=p)), "application/json"),
             tenant_a.creditor)
        for p in ("Q", "R", "N", "D")
    )  # fmt: skip
    now = timezone.now()
    with creditor_scope(tenant_a.creditor):
        ImportJob.objects.filter(pk=queued.pk).update(heartbeat_at=now - timedelta(minutes=11))
        ImportJob.objects.filter(pk=running.pk).update(
            status=ImportStatus.RUNNING, attempts=1, heartbeat_at=now - timedelta(minutes=30)
        )
        ImportJob.objects.filter(pk=fresh.pk).update(heartbeat_at=now - timedelta(minutes=2))
        ImportJob.objects.filter(pk=dying.pk).update(
            status=ImportStatus.RUNNING,
            attempts=services.MAX_ATTEMPTS,
            units_total=5,
            heartbeat_at=now - timedelta(minutes=30),
        )
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from collections_portal.celery import app

    app.conf.task_always_eager = True  # the queued task runs here, in the test's transaction
    try:
        assert services.import_jobs_requeue_stale(now=now) == 2
    finally:
        app.conf.task_always_eager = False
    with creditor_scope(tenant_a.creditor):
        statuses = dict(ImportJob.objects.values_list("pk", "status"))
        assert statuses[queued.pk] == statuses[running.pk] == ImportStatus.FINISHED
        assert statuses[fresh.pk] == ImportStatus.QUEUED  # not stale yet: left alone
        dying.refresh_from_db()
    assert dying.status == ImportStatus.FAILED
    assert "5" in dying.error and dying.finished_at is not None


def test_a_job_created_while_the_broker_is_down_answers_202_and_stays_queued(
    tenant_a, django_capture_on_commit_callbacks, broker_down
):
    client = api_client(tenant_a.creditor)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        response = upload(client, to_json(invoice_rows(3)), "application/json")
    assert response.status_code == 202
    assert len(hooks) == 1  # the hook ran, met the broker down, and did not raise
    job = _job(response, tenant_a.creditor)
    assert job.status == ImportStatus.QUEUED
    assert job.heartbeat_at is not None  # the sweep finds it once it is stale
