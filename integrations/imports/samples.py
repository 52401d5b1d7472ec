"""The upload template the portal offers, as CSV and as XLSX: every column the import reads,
headed in Danish (the headings are aliases in ``reading``, so a filled-in template imports as
it is), and one example row."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from .reading import DANISH_HEADINGS

# The template's columns: the debtor, then the invoice, then the evidence (every column).
TEMPLATE_COLUMNS = list(DANISH_HEADINGS)


def example_row(today: date | None = None) -> dict[str, object]:
    """One invoice that imports as it stands (dated a month ago, due two weeks later)."""
    today = today or timezone.localdate()
    invoice_date = today - timedelta(days=30)
    return {
        "debtor_name": "Jens Hansen",
        "debtor_national_id": "",
        "debtor_kind": "person",
        "debtor_address": "Vestergade 1",
        "debtor_postal_code": "8000",
        "debtor_city": "Aarhus C",
        "debtor_country": "DK",
        "debtor_email": "jens.hansen@example.dk",
        "debtor_phone": "20123456",
        "debtor_language": "da",
        "invoice_number": "F-1001",
        "invoice_date": invoice_date,
        "due_date": invoice_date + timedelta(days=14),
        "amount": Decimal("1234.50"),
        "currency": "DKK",
        "description": "Levering af varer, Århus",
        "reference": "",
        "reminder_dates": "",
        "warning_sent_on": "",
    }


def headings() -> list[str]:
    return [DANISH_HEADINGS[c] for c in TEMPLATE_COLUMNS]


def template_csv(today: date | None = None) -> bytes:
    """Semicolons, a BOM (so a Danish spreadsheet opens it as UTF-8), Danish dates and
    decimal comma."""
    row = example_row(today)
    cells = []
    for column in TEMPLATE_COLUMNS:
        value = row[column]
        if isinstance(value, date):
            value = value.strftime("%d-%m-%Y")
        elif isinstance(value, Decimal):
            whole, cents = f"{value:.2f}".split(".")
            value = f"{int(whole):,}".replace(",", ".") + "," + cents
        cells.append(value)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headings())
    writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(today: date | None = None) -> bytes:
    """The same as a workbook: dates as Excel dates, the amount as a number."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    row = example_row(today)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Fakturaer")
    sheet.append(headings())
    cells = []
    for column in TEMPLATE_COLUMNS:
        value = row[column]
        cell = WriteOnlyCell(sheet, value=value if value != "" else None)
        if isinstance(value, date):
            cell.number_format = "DD-MM-YYYY"
        elif isinstance(value, Decimal):
            cell.number_format = "#,##0.00"
        cells.append(cell)
    sheet.append(cells)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()
