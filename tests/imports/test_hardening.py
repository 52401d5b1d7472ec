"""What an upload sends never turns against the creditor: formulas in the rejections file,
one stray quote or one over-long value costing the whole file, an unknown currency, a CPR
number kept in a rejection, dates far in the future."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Claim
from collections_portal.tenancy import creditor_scope
from integrations.imports.models import ImportRejection, ImportStatus
from integrations.imports.views import spreadsheet_safe

from .helpers import HEADER, api_client, invoice_rows, run_job, to_csv, to_json, upload

pytestmark = pytest.mark.django_db


def _rejections(client, job) -> list[dict]:
    return client.get(f"/api/v1/imports/{job.public_id}/rejections/?page_size=100").json()[
        "results"
    ]


# --- rejections.csv: no formula injection -----------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_start_a_formula_is_quoted(start):
    assert spreadsheet_safe(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    assert spreadsheet_safe("F-1") == "F-1"
    assert spreadsheet_safe(7) == 7


def test_the_rejections_file_runs_no_formula(tenant_a):
    rows = invoice_rows(6)
    payloads = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"]
    for row, payload in zip(rows[1:], payloads, strict=True):
        row["invoice_number"] = payload
        row["amount"] = "nothing"  # so the row is rejected, its invoice number quoted
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_json(rows), "application/json"), tenant_a.creditor)
    text = client.get(f"/api/v1/imports/{job.public_id}/rejections.csv").content
    records = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))[1:]
    # (An invoice number is stripped of surrounding white space, the tab with it.)
    assert [r[4] for r in records] == ["'" + p for p in payloads[:4]] + ["cmd"]
    for record in records:
        for cell in record:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), record


# --- CSV: a bad line costs that line only -------------------------------------------------


def test_a_stray_quote_and_an_over_long_value_cost_their_own_rows_only(tenant_a):
    rows = invoice_rows(8)
    lines = to_csv(rows).decode().split("\r\n")  # header, 8 rows, ""
    lines[2] = lines[2].replace("Person 1", 'Person "1" x', 1)  # stray quotes mid-value
    lines[3] = lines[3].replace("Vejen 3", '"Vejen 3', 1)  # a quote never closed
    lines[5] = lines[5].replace("Levering 4", "L" * 200_000, 1)  # over csv's field limit
    lines[6] = lines[6].replace("Vejen 6", '"Vejen 6" B', 1)  # text after a closing quote
    body = "\r\n".join(lines).encode()
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, body, "text/csv"), tenant_a.creditor, chunk_rows=3)
    assert job.status == ImportStatus.FINISHED
    found = [(r["line"], r["field"], r["code"]) for r in _rejections(client, job)]
    assert found == [(4, "", "csv"), (6, "description", "max_length"), (7, "", "csv")]
    # Person "1" x: a quote inside an unquoted value is kept as it is (CSV's own rule).
    assert (job.rows_accepted, job.rows_rejected) == (5, 3)
    with creditor_scope(tenant_a.creditor):
        assert Claim.objects.filter(invoice_number__startswith="F-").count() == 5
    reasons = {r["line"]: r["reason"] for r in _rejections(client, job)}
    assert "300" in reasons[6]  # the model field's limit


def test_a_line_that_is_not_utf8_still_fails_the_file_before_anything_is_filed(tenant_a):
    body = to_csv(invoice_rows(5)).replace(b"Person 4", b"Person \xff")
    job = run_job(upload(api_client(tenant_a.creditor), body, "text/csv"), tenant_a.creditor,
                  chunk_rows=2)  # fmt: skip
    assert job.status == ImportStatus.FAILED
    assert "UTF-8" in job.error and "6" in job.error  # the line
    assert job.rows_accepted == 0


# --- Currency ----------------------------------------------------------------------------


def test_an_unknown_currency_is_refused_naming_the_field(tenant_a):
    rows = invoice_rows(3)
    rows[0]["currency"] = "XYZ"
    rows[1]["currency"] = "EUR"
    rows[2]["currency"] = "dkk"
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_csv(rows, header=[*HEADER, "currency"]), "text/csv"),
                  tenant_a.creditor)  # fmt: skip
    found = [(r["line"], r["field"], r["code"]) for r in _rejections(client, job)]
    assert found == [(2, "currency", "invalid_choice"), (3, "currency", "currency")]
    assert job.rows_accepted == 1


# --- CPR numbers are not kept in rejections -----------------------------------------------


def test_a_cpr_number_sent_as_a_cvr_or_in_another_column_is_not_stored(tenant_a):
    cpr = "0101901234"
    rows = invoice_rows(3)
    rows[0]["debtor_kind"] = "company"
    rows[0]["debtor_national_id"] = cpr
    rows[1]["debtor_phone"] = "010190-1234"  # a CPR number in the phone column
    rows[2]["amount"] = cpr + " kr"  # and in the amount
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_csv(rows, header=[*HEADER, "debtor_kind"]), "text/csv"),
                  tenant_a.creditor)  # fmt: skip
    assert job.rows_rejected == 3
    with creditor_scope(tenant_a.creditor):
        stored = list(ImportRejection.objects.filter(job=job).values_list("reason", "field"))
    assert {field for _reason, field in stored} == {
        "debtor_national_id", "debtor_phone", "amount"
    }  # fmt: skip
    for reason, _field in stored:
        assert "1234" not in reason, reason
    assert any("010190-XXXX" in reason for reason, _field in stored)
    assert "CPR" in {f: r for r, f in stored}["debtor_national_id"]


# --- Dates ---------------------------------------------------------------------------------


def test_an_invoice_date_in_the_future_and_a_due_date_years_ahead_are_refused(tenant_a):
    today = timezone.localdate()
    rows = invoice_rows(5)
    rows[0]["invoice_date"] = "2099-01-01"
    rows[0]["due_date"] = "2099-01-15"
    rows[1]["invoice_date"] = (today + timedelta(days=1)).isoformat()  # within the tolerance
    rows[1]["due_date"] = (today + timedelta(days=15)).isoformat()
    rows[2]["invoice_date"] = (today + timedelta(days=2)).isoformat()
    rows[2]["due_date"] = (today + timedelta(days=16)).isoformat()
    rows[3]["due_date"] = "2062-01-01"  # typed for 2026
    client = api_client(tenant_a.creditor)
    job = run_job(upload(client, to_csv(rows), "text/csv"), tenant_a.creditor)
    found = [(r["line"], r["field"], r["code"]) for r in _rejections(client, job)]
    assert found == [
        (2, "invoice_date", "future"),
        (4, "invoice_date", "future"),
        (5, "due_date", "too_late"),
    ]
    assert job.rows_accepted == 2
