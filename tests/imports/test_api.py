"""POST /api/v1/imports/ in JSON and CSV, the job's progress, its rejections, its tenancy."""

import csv
import io

import pytest

from cases.models import Case, Claim, LedgerEntry
from collections_portal.tenancy import creditor_scope
from debtors.models import ContactPoint, Debtor
from integrations.imports.models import ImportChunk, ImportStatus

from .helpers import api_client, danish, invoice_rows, run_job, to_csv, to_json, upload

pytestmark = pytest.mark.django_db


def test_a_json_upload_answers_202_at_once_and_the_job_files_every_invoice(tenant_a):
    client = api_client(tenant_a.creditor)
    response = upload(client, to_json(invoice_rows(120)), "application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["rows_done"] == 0
    assert response["Location"] == body["links"]["self"]
    assert set(body["links"]) == {"self", "rejections", "rejections_csv", "cases"}

    job = run_job(response, tenant_a.creditor)
    assert (job.status, job.units_total, job.units_done) == (ImportStatus.FINISHED, 120, 120)
    assert (job.rows_accepted, job.rows_rejected, job.cases_created) == (120, 0, 120)
    with creditor_scope(tenant_a.creditor):
        claims = Claim.objects.filter(invoice_number__startswith="F-")
        assert claims.count() == 120
        assert LedgerEntry.objects.filter(claim__in=claims, kind="principal").count() == 120
        cases = Case.objects.filter(claims__in=claims)
        assert all(c.next_action_at is not None and c.state == "new" for c in cases)
        assert sum(len(c.case_ids) for c in ImportChunk.objects.filter(job=job)) == 120
        # Contact points came along, normalised.
        assert ContactPoint.objects.filter(value="debtor5@example.dk").exists()
        assert ContactPoint.objects.filter(value="+4520100005").exists()

    progress = client.get(body["links"]["self"]).json()
    assert progress["status"] == "finished"
    assert progress["rows_accepted"] == 120
    assert progress["finished_at"] is not None and progress["started_at"] is not None
    listed = client.get("/api/v1/imports/").json()
    assert [j["id"] for j in listed["results"]] == [body["id"]]
    cases = client.get(body["links"]["cases"]).json()["results"]
    assert len(cases) == 100  # the first page
    assert {"case_number", "payment_id", "state"} <= set(cases[0])


@pytest.mark.parametrize(
    ("delimiter", "bom", "spelling"),
    [(";", True, "danish"), (",", False, "english"), (";", False, "danish")],
)
def test_a_csv_upload_in_danish_or_english_notation(tenant_a, delimiter, bom, spelling):
    rows = invoice_rows(40)
    written = [danish(r) for r in rows] if spelling == "danish" else rows
    client = api_client(tenant_a.creditor)
    response = upload(client, to_csv(written, delimiter=delimiter, bom=bom), "text/csv")
    job = run_job(response, tenant_a.creditor)
    assert (job.rows_accepted, job.rows_rejected) == (40, 0)
    with creditor_scope(tenant_a.creditor):
        claims = Claim.objects.filter(invoice_number__startswith="F-")
        stored = {c.invoice_number: c for c in claims}
    for row in rows:  # the same amounts and dates, whichever way they were written
        claim = stored[row["invoice_number"]]
        assert str(claim.principal) == row["amount"]
        assert claim.due_date.isoformat() == row["due_date"]
    assert any(int(r["amount"].split(".")[0]) >= 1000 for r in rows)  # thousands were written


def test_a_file_in_a_form_is_accepted(tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client(tenant_a.creditor)
    file = SimpleUploadedFile("faktura.csv", to_csv(invoice_rows(5)), content_type="text/csv")
    response = client.post("/api/v1/imports/", {"file": file}, format="multipart")
    job = run_job(response, tenant_a.creditor)
    assert job.original_name == "faktura.csv"
    assert job.rows_accepted == 5


def test_good_rows_survive_bad_ones_and_each_bad_row_is_named(tenant_a):
    rows = invoice_rows(30)
    rows[4]["amount"] = "12,345"  # three decimals
    rows[9]["debtor_national_id"] = "3213901234"  # 32 December
    rows[17]["due_date"] = "2025-01-01"  # before the invoice date
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_csv(rows), "text/csv"), tenant_a.creditor, chunk_rows=7)
    assert (job.rows_accepted, job.rows_rejected) == (27, 3)
    page = client.get(f"/api/v1/imports/{job.public_id}/rejections/").json()
    found = [(r["line"], r["field"]) for r in page["results"]]
    # The header is line 1, so row i is on line i + 2.
    assert found == [(6, "amount"), (11, "debtor_national_id"), (19, "due_date")]
    assert all(r["reason"] for r in page["results"])


def test_the_rejections_download_as_csv(tenant_a):
    rows = invoice_rows(10)
    rows[2]["amount"] = "nothing"
    rows[5]["debtor_postal_code"] = "80"
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_csv(rows, delimiter=","), "text/csv"), tenant_a.creditor)
    response = client.get(f"/api/v1/imports/{job.public_id}/rejections.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    records = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert records[0] == ["line", "field", "code", "reason", "invoice_number"]
    assert [(r[0], r[1]) for r in records[1:]] == [("4", "amount"), ("7", "debtor_postal_code")]
    assert records[1][4] == "F-000002"


def test_a_re_upload_imports_nothing_twice(tenant_a):
    body = to_csv(invoice_rows(25))
    client = api_client(tenant_a.creditor)
    first = run_job(upload(client, body, "text/csv"), tenant_a.creditor)
    second = run_job(upload(client, body, "text/csv"), tenant_a.creditor)
    assert first.rows_accepted == 25
    assert (second.rows_accepted, second.rows_rejected, second.rows_duplicate) == (0, 25, 25)
    assert second.cases_created == 0
    with creditor_scope(tenant_a.creditor):
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == 25
        # The debtors were found again, not made again.
        names = {r["debtor_name"] for r in invoice_rows(25)}
        assert Debtor.objects.filter(name__in=names).count() == 25
    reasons = client.get(f"/api/v1/imports/{second.public_id}/rejections/").json()["results"]
    assert {r["code"] for r in reasons} == {"duplicate"}
    assert reasons[0]["invoice_number"] in reasons[0]["reason"]


def test_an_invoice_twice_in_one_file_is_filed_once(tenant_a):
    rows = invoice_rows(6)
    rows.append(dict(rows[1]))
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_json(rows), "application/json"), tenant_a.creditor)
    assert (job.rows_accepted, job.rows_rejected, job.rows_duplicate) == (6, 1, 1)
    (rejection,) = client.get(f"/api/v1/imports/{job.public_id}/rejections/").json()["results"]
    assert (rejection["line"], rejection["field"], rejection["code"]) == (
        7,
        "invoice_number",
        "duplicate",
    )
    assert "første gang i linje 2" in rejection["reason"]


def test_grouping_by_policy_makes_one_case_per_debtor(tenant_a):
    creditor = tenant_a.creditor
    creditor.policy_group_invoices_per_debtor = True
    creditor.save(update_fields=["policy_group_invoices_per_debtor"])
    rows = invoice_rows(30, debtors=4)  # debtors 0..3, invoices round robin, across chunks
    client = api_client(creditor)
    job = run_job(upload(client, to_json(rows), "application/json"), creditor, chunk_rows=7)
    assert job.group_per_debtor
    assert (job.rows_accepted, job.cases_created) == (30, 4)
    with creditor_scope(creditor):
        cases = Case.objects.filter(claims__invoice_number__startswith="F-").distinct()
        assert sorted(c.claims.count() for c in cases) == [7, 7, 8, 8]
        for case in cases:
            assert len({claim.ledger.get().case_id for claim in case.claims.all()}) == 1


def test_without_the_policy_each_invoice_is_a_case(tenant_a):
    rows = invoice_rows(12, debtors=3)
    job = run_job(upload(api_client(tenant_a.creditor), to_json(rows), "application/json"),
                  tenant_a.creditor)  # fmt: skip
    assert not job.group_per_debtor
    assert job.cases_created == 12


def test_progress_is_reported_while_the_job_runs(tenant_a):
    """Each chunk commits its progress: what a client polling in between would see."""
    from integrations.imports import services

    client = api_client(tenant_a.creditor)
    response = upload(client, to_json(invoice_rows(25)), "application/json")
    seen = []
    original = services._save_rejections

    def spy(**kwargs):
        original(**kwargs)
        seen.append(client.get(response.json()["links"]["self"]).json())

    services._save_rejections = spy
    try:
        run_job(response, tenant_a.creditor, chunk_rows=10)
    finally:
        services._save_rejections = original
    # Seen before each chunk's progress update: 0, 10, 20 rows done, running, total known.
    assert [s["rows_done"] for s in seen] == [0, 10, 20]
    assert {s["status"] for s in seen} == {"running"}
    assert {s["rows_total"] for s in seen} == {25}


def test_another_creditors_key_gets_404(tenant_a, tenant_b):
    job = run_job(upload(api_client(tenant_a.creditor), to_json(invoice_rows(3)),
                         "application/json"), tenant_a.creditor)  # fmt: skip
    other = api_client(tenant_b.creditor)
    for suffix in ("", "rejections/", "rejections.csv", "cases/"):
        assert other.get(f"/api/v1/imports/{job.public_id}/{suffix}").status_code == 404
    assert other.get("/api/v1/imports/").json()["results"] == []


def test_without_credentials_it_is_401(tenant_a):
    from rest_framework.test import APIClient

    client = APIClient()
    assert upload(client, to_json(invoice_rows(1)), "application/json").status_code == 401
    assert client.get("/api/v1/imports/").status_code == 401


@pytest.mark.parametrize(
    ("body", "content_type", "status", "says"),
    [
        (b"", "text/csv", 400, "tom"),
        (b"name;amount\nx;1\n", "text/csv", 400, "invoice_number"),
        (b"hello", "application/json", 400, "ikke JSON"),
        (b"<xml/>", "application/xml", 415, "JSON"),
    ],
)
def test_an_upload_that_cannot_be_an_import_is_refused_at_once(
    tenant_a, body, content_type, status, says
):
    response = upload(api_client(tenant_a.creditor), body, content_type)
    assert response.status_code == status
    assert says in response.json()["error"]["message"]


def test_json_that_does_not_parse_fails_the_job_with_the_reason(tenant_a):
    job = run_job(upload(api_client(tenant_a.creditor), b'[{"a": 1', "application/json"),
                  tenant_a.creditor)  # fmt: skip
    assert job.status == ImportStatus.FAILED
    assert "ikke gyldig JSON" in job.error


def test_agency_staff_see_import_jobs_in_the_admin(client, tenant_a):
    from tests.factories import UserFactory

    job = run_job(upload(api_client(tenant_a.creditor), to_json(invoice_rows(3)),
                         "application/json"), tenant_a.creditor)  # fmt: skip
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/imports/importjob/")
    assert page.status_code == 200
    assert str(job.public_id) in page.content.decode()
    assert client.get(f"/admin/imports/importjob/{job.pk}/change/").status_code == 200


def test_a_creditor_user_may_upload_in_the_browser_session_and_is_recorded(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.generic(
        "POST", "/api/v1/imports/", to_json(invoice_rows(2)), content_type="application/json"
    )
    job = run_job(response, tenant_a.creditor)
    assert job.created_by == tenant_a.user
    assert job.api_key is None
    with creditor_scope(tenant_a.creditor):
        entry = LedgerEntry.objects.get(claim__invoice_number="F-000001")
    assert entry.created_by == tenant_a.user  # as case_create(user=...) records it
