"""Building uploads for the import tests: rows, CSV in its Danish and English spellings."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

from rest_framework.test import APIClient

from collections_portal.tenancy import creditor_scope
from creditors.services import api_key_create
from integrations.imports.models import ImportJob
from integrations.imports.services import import_job_process
from tests.factories import valid_cpr, valid_cvr

HEADER = [
    "debtor_name",
    "debtor_national_id",
    "debtor_address",
    "debtor_postal_code",
    "debtor_city",
    "debtor_email",
    "debtor_phone",
    "invoice_number",
    "invoice_date",
    "due_date",
    "amount",
    "description",
]


def invoice_rows(n: int, *, prefix: str = "F", start: int = 0, debtors: int | None = None):
    """``n`` valid invoices as dicts of text; every 7th debtor a company. ``debtors`` makes
    the invoices share that many debtors (round robin)."""
    rows = []
    for i in range(start, start + n):
        d = i % debtors if debtors else i
        company = d % 7 == 3
        invoice_day = date(2026, 1, 1) + timedelta(days=i % 200)
        rows.append(
            {
                "debtor_name": f"Firma {d} ApS" if company else f"Person {d}",
                "debtor_national_id": valid_cvr(d + 500) if company else valid_cpr(d + 1000),
                "debtor_address": f"Vejen {d % 90 + 1}",
                "debtor_postal_code": "8000",
                "debtor_city": "Aarhus C",
                "debtor_email": f"debtor{d}@example.dk",
                "debtor_phone": f"201{d % 100_000:05d}",
                "invoice_number": f"{prefix}-{i:06d}",
                "invoice_date": invoice_day.isoformat(),
                "due_date": (invoice_day + timedelta(days=14)).isoformat(),
                "amount": str(Decimal(100 + (i * 397) % 20_000) + Decimal("0.50")),
                "description": f"Levering {i}",
            }
        )
    return rows


def danish(row: dict) -> dict:
    """The same row as a Danish spreadsheet writes it: dd-mm-yyyy and 1.234,50."""
    out = dict(row)
    for field in ("invoice_date", "due_date"):
        out[field] = date.fromisoformat(row[field]).strftime("%d-%m-%Y")
    whole, cents = row["amount"].split(".")
    out["amount"] = f"{int(whole):,}".replace(",", ".") + "," + cents
    return out


def to_csv(rows, *, delimiter=";", bom=False, header=None) -> bytes:
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def to_json(rows) -> bytes:
    return json.dumps(rows).encode()


def api_client(creditor) -> APIClient:
    _key, raw = api_key_create(creditor=creditor, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def upload(client, body: bytes, content_type: str):
    return client.generic("POST", "/api/v1/imports/", body, content_type=content_type)


def run_job(response, creditor, *, chunk_rows: int = 50) -> ImportJob:
    """Process the job the response named, here and now (the worker test does it for real)."""
    assert response.status_code == 202, response.content
    with creditor_scope(creditor):
        job = ImportJob.objects.get(public_id=response.json()["id"])
        import_job_process(job_id=job.pk, chunk_rows=chunk_rows)
        job.refresh_from_db()
    return job
