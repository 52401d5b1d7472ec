"""XLSX uploads: read with openpyxl in read-only mode, row by row, into the same validation as
CSV (Danish characters, dates and amounts as Excel numbers and as text); the API takes them by
content type and by file name; a column mapping reads a file with headers of its own."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cases.models import Claim
from collections_portal.tenancy import creditor_scope
from debtors.models import Debtor
from integrations.imports.models import ImportJob
from integrations.imports.reading import FileError, iter_rows, read_rows
from integrations.imports.views import XLSX_TYPE
from tests.factories import valid_cpr

from .helpers import HEADER, api_client, invoice_rows, run_job, upload

pytestmark = pytest.mark.django_db


def to_xlsx(rows, header=None, *, as_numbers=True) -> bytes:
    """A workbook as Excel writes one: dates as Excel dates and amounts as numbers, or (with
    ``as_numbers=False``) every cell as the text of a Danish spreadsheet."""
    header = header or HEADER
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        cells = []
        for column in header:
            value = row.get(column, "")
            if as_numbers and column in ("invoice_date", "due_date") and value:
                value = datetime.fromisoformat(value)
            elif as_numbers and column == "amount" and value:
                value = float(value)
            elif not as_numbers and column in ("invoice_date", "due_date") and value:
                value = date.fromisoformat(value).strftime("%d-%m-%Y")
            elif not as_numbers and column == "amount" and value:
                whole, cents = value.split(".")
                value = f"{int(whole):,}".replace(",", ".") + "," + cents
            cells.append(value if value != "" else None)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_with_excel_dates_and_numbers_imports_with_danish_characters(tenant_a):
    rows = invoice_rows(30)
    rows[0]["debtor_name"] = "Søren Æbelø-Åberg"
    rows[0]["debtor_city"] = "Ærøskøbing"
    rows[0]["amount"] = "1234.56"
    rows[0]["invoice_date"], rows[0]["due_date"] = "2026-03-02", "2026-03-16"
    client = api_client(tenant_a.creditor)
    response = upload(client, to_xlsx(rows), XLSX_TYPE)
    assert response.status_code == 202, response.content
    assert response.json()["format"] == "xlsx"
    job = run_job(response, tenant_a.creditor, chunk_rows=7)
    assert (job.status, job.units_total, job.rows_accepted, job.rows_rejected) == (
        "finished",
        30,
        30,
        0,
    )
    with creditor_scope(tenant_a.creditor):
        claim = Claim.objects.get(invoice_number=rows[0]["invoice_number"])
        assert claim.principal == Decimal("1234.56")
        assert (claim.invoice_date, claim.due_date) == (date(2026, 3, 2), date(2026, 3, 16))
        debtor = Debtor.objects.get(name="Søren Æbelø-Åberg")
        assert debtor.city == "Ærøskøbing"


def test_an_xlsx_with_dates_and_amounts_as_danish_text_imports_the_same(tenant_a):
    rows = invoice_rows(5)
    rows[2]["amount"] = "12345.50"
    client = api_client(tenant_a.creditor)
    response = upload(client, to_xlsx(rows, as_numbers=False), XLSX_TYPE)
    job = run_job(response, tenant_a.creditor)
    assert (job.rows_accepted, job.rows_rejected) == (5, 0)
    with creditor_scope(tenant_a.creditor):
        claim = Claim.objects.get(invoice_number=rows[2]["invoice_number"])
        assert claim.principal == Decimal("12345.50")
        assert claim.invoice_date == date.fromisoformat(rows[2]["invoice_date"])


def test_a_date_as_a_bare_serial_number_and_a_cpr_that_lost_its_zero_are_read_right():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    cpr = valid_cpr(1)  # a CPR number of someone born on the 1st: it starts with a 0
    assert cpr.startswith("0")
    # 46082 is Excel's day number of 2026-03-01; an amount with more places than money has.
    sheet.append(
        ["Ane", int(cpr), "Vej 1", 8000, "Aarhus C", "", "", 1001, 46082, 46096.0, 1234.5, ""]
    )
    sheet.append([None] * len(HEADER))  # an empty row is no row
    sheet.append(
        ["Bo", "", "Vej 2", 8000, "Aarhus C", "", "", "F-2", "x", "y", 10.005, "", "extra"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_rows(buffer.getvalue(), "xlsx")
    assert [line for line, _row in rows] == [2, 4]
    first = rows[0][1]
    assert first["debtor_national_id"] == cpr
    assert (first["invoice_date"], first["due_date"]) == ("2026-03-01", "2026-03-15")
    assert (first["amount"], first["debtor_postal_code"], first["invoice_number"]) == (
        "1234.5",
        "8000",
        "1001",
    )
    # A value in a column without a heading: the row is the wrong width, rejected as in a CSV.
    assert type(rows[1][1]).__name__ == "WrongWidth"


def test_bad_xlsx_rows_are_rejected_with_their_sheet_line(tenant_a):
    rows = invoice_rows(4)
    rows[1]["amount"] = "-5"
    rows[3]["due_date"] = ""
    response = upload(api_client(tenant_a.creditor), to_xlsx(rows), XLSX_TYPE)
    job = run_job(response, tenant_a.creditor)
    assert (job.rows_accepted, job.rows_rejected) == (2, 2)
    with creditor_scope(tenant_a.creditor):
        lines = sorted(job.rejections.values_list("line", "field"))
    assert lines == [(3, "amount"), (5, "due_date")]


def test_a_form_upload_named_xlsx_is_read_as_xlsx(tenant_a):
    client = api_client(tenant_a.creditor)
    data = to_xlsx(invoice_rows(3))
    response = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("fakturaer.xlsx", data)}, format="multipart"
    )
    assert response.status_code == 202, response.content
    assert (response.json()["format"], response.json()["file_name"]) == ("xlsx", "fakturaer.xlsx")
    assert run_job(response, tenant_a.creditor).rows_accepted == 3


def test_an_xlsx_that_is_not_a_workbook_or_lacks_columns_is_refused_at_once(tenant_a):
    client = api_client(tenant_a.creditor)
    response = upload(client, b"debtor_name;amount\nx;1\n", XLSX_TYPE)
    assert response.status_code == 400
    assert "XLSX" in response.json()["error"]["fields"][0]["message"]
    response = upload(client, to_xlsx([], header=["debtor_name", "amount"]), XLSX_TYPE)
    assert response.status_code == 400
    assert "invoice_number" in response.json()["error"]["fields"][0]["message"]
    with creditor_scope(tenant_a.creditor):
        assert not ImportJob.objects.exists()


def test_a_mapping_reads_a_file_with_headers_of_its_own():
    header = ["Kunde", "Gade", "Post", "Bynavn", "Nr.", "Dato", "Forfald", "Total", "amount"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    sheet.append(
        ["Ane", "Vej 1", "8000", "Aarhus C", "F-9", "01-03-2026", "15-03-2026", "99,50", "7"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FileError):
        read_rows(buffer.getvalue(), "xlsx")
    mapping = {
        "debtor_name": "Kunde",
        "debtor_address": "Gade",
        "debtor_postal_code": "post",  # headers match without regard to case
        "debtor_city": "Bynavn",
        "invoice_number": "Nr.",
        "invoice_date": "Dato",
        "due_date": "Forfald",
        "amount": "Total",
    }
    ((line, row),) = list(iter_rows(io.BytesIO(buffer.getvalue()), "xlsx", mapping))
    assert line == 2
    # The mapping wins over a header that happens to carry our name.
    assert (row["debtor_name"], row["amount"], row["debtor_postal_code"]) == (
        "Ane",
        "99,50",
        "8000",
    )
