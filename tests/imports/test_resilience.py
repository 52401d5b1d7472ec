"""A database error costs only the row at fault; a crashed job resumes without doubling."""

import pytest
from django.db import OperationalError, connection

from cases.models import Claim
from collections_portal.tenancy import creditor_scope
from integrations.imports import services
from integrations.imports.models import ImportJob, ImportStatus

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
        assert (job.status, job.rows_done, job.rows_accepted) == (ImportStatus.RUNNING, 20, 20)

        monkeypatch.setattr(services, "_write", original)
        services.import_job_process(job_id=job.pk, chunk_rows=10)  # the task, redelivered
        job.refresh_from_db()
        assert (job.status, job.rows_done, job.rows_accepted) == (ImportStatus.FINISHED, 50, 50)
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
