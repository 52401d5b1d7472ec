"""API test helpers: a client per creditor, authenticated with that creditor's API key."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from creditors.services import api_key_create


def key_client(creditor, name: str = "ERP") -> APIClient:
    key, raw = api_key_create(creditor=creditor, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.api_key = key
    client.raw_key = raw
    return client


@pytest.fixture
def api_a(tenant_a) -> APIClient:
    return key_client(tenant_a.creditor, "ERP A")


@pytest.fixture
def api_b(tenant_b) -> APIClient:
    return key_client(tenant_b.creditor, "ERP B")


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def case_payload(invoice: str = "INV-1001", *, principal: str = "1250.00", **extra) -> dict:
    """A case for a new person debtor with one overdue invoice, as a client would send it."""
    payload = {
        "debtor": {
            "kind": "person",
            "name": "Jens Hansen",
            "national_id": "010190-1234",
            "address_line": "Nørregade 1",
            "postal_code": "8000",
            "city": "Aarhus C",
        },
        "creditor_reference": "K-77",
        "claims": [
            {
                "invoice_number": invoice,
                "invoice_date": days_ago(60).isoformat(),
                "due_date": days_ago(30).isoformat(),
                "principal": principal,
                "description": "Electricity, Q1",
            }
        ],
    }
    payload.update(extra)
    return payload
