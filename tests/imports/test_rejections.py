"""Every kind of rejection names the row's line, the field and the reason; the rest land."""

import pytest

from cases.models import Claim
from collections_portal.tenancy import creditor_scope

from .helpers import HEADER, api_client, invoice_rows, run_job, to_csv, upload

pytestmark = pytest.mark.django_db

EXTRA = ["debtor_kind", "debtor_country", "debtor_language", "currency", "reference",
         "reminder_dates", "warning_sent_on"]  # fmt: skip

# (change to a good row, field named, code)
KINDS = [
    ({"debtor_name": ""}, "debtor_name", "required"),
    ({"debtor_address": "x" * 201}, "debtor_address", "max_length"),
    ({"debtor_city": " "}, "debtor_city", "required"),
    ({"debtor_national_id": "3213901234"}, "debtor_national_id", "invalid_cpr_date"),
    ({"debtor_national_id": "12345"}, "debtor_national_id", "invalid_cpr_length"),
    ({"debtor_national_id": "12345679"}, "debtor_national_id", "invalid_cvr"),
    ({"debtor_kind": "ghost"}, "debtor_kind", "invalid_choice"),
    ({"debtor_country": "Danmark"}, "debtor_country", "invalid"),
    ({"debtor_postal_code": "80000"}, "debtor_postal_code", "invalid"),
    ({"debtor_language": "de"}, "debtor_language", "invalid_choice"),
    ({"debtor_email": "no-at-sign"}, "debtor_email", "invalid_email"),
    ({"debtor_phone": "12"}, "debtor_phone", "invalid_phone"),
    ({"currency": "SEK"}, "currency", "currency"),
    ({"invoice_number": ""}, "invoice_number", "required"),
    ({"invoice_date": "31-02-2026"}, "invoice_date", "invalid_date"),
    ({"due_date": ""}, "due_date", "required"),
    ({"due_date": "2025-12-01"}, "due_date", "invalid"),
    ({"warning_sent_on": "yesterday"}, "warning_sent_on", "invalid_date"),
    ({"reminder_dates": "01-02-2026|soon"}, "reminder_dates", "invalid_date"),
    ({"amount": ""}, "amount", "required"),
    ({"amount": "1.234,567"}, "amount", "invalid_amount"),
    ({"amount": "0,00"}, "amount", "invalid_amount"),
    ({"amount": "ten"}, "amount", "invalid_amount"),
    ({"invoice_number": "F-000000"}, "invoice_number", "duplicate"),  # row 0's number again
]


def test_every_rejection_kind_names_line_field_and_reason(tenant_a):
    good = invoice_rows(len(KINDS) + 5)
    rows = [dict(r) for r in good]
    expected = []
    for index, (change, field, code) in enumerate(KINDS, start=1):
        rows[index].update(change)
        expected.append((index + 2, field, code))  # the header is line 1
    body = to_csv(rows, header=HEADER + EXTRA)
    body += b"only;three;values\r\n"  # a line that does not match the header
    expected.append((len(rows) + 2, "", "columns"))
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, body, "text/csv"), tenant_a.creditor, chunk_rows=10)

    results = client.get(f"/api/v1/imports/{job.public_id}/rejections/?page_size=100").json()
    found = [(r["line"], r["field"], r["code"]) for r in results["results"]]
    assert found == expected
    assert all(r["reason"].strip() for r in results["results"])
    assert job.rows_rejected == len(KINDS) + 1
    assert job.rows_accepted == len(rows) - len(KINDS)
    with creditor_scope(tenant_a.creditor):
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == job.rows_accepted


def test_a_row_with_several_faults_names_each(tenant_a):
    rows = invoice_rows(2)
    rows[1].update({"amount": "x", "due_date": "never", "debtor_postal_code": ""})
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_csv(rows), "text/csv"), tenant_a.creditor)
    results = client.get(f"/api/v1/imports/{job.public_id}/rejections/").json()["results"]
    assert {(r["line"], r["field"]) for r in results} == {
        (3, "amount"), (3, "due_date"), (3, "debtor_postal_code"),
    }  # fmt: skip
    assert (job.rows_rejected, job.rows_accepted) == (1, 1)


def test_the_creditors_evidence_lands_on_the_case(tenant_a):
    rows = invoice_rows(1)
    rows[0].update({"reminder_dates": "11.02.2026|01-02-2026", "warning_sent_on": "2026-02-21",
                    "reference": "SAG-1", "debtor_kind": "person", "currency": "dkk"})  # fmt: skip
    job = run_job(upload(api_client(tenant_a.creditor), to_csv(rows, header=HEADER + EXTRA),
                         "text/csv"), tenant_a.creditor)  # fmt: skip
    assert job.rows_accepted == 1
    with creditor_scope(tenant_a.creditor):
        case = Claim.objects.get(invoice_number="F-000000").case
    assert [d.isoformat() for d in case.creditor_reminder_dates] == ["2026-02-01", "2026-02-11"]
    assert case.creditor_warning_sent_on.isoformat() == "2026-02-21"
    assert case.creditor_reference == "SAG-1"
