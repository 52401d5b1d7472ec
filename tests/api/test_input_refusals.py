"""Input the API must refuse naming the field, not file in some other way: a currency that is
not the creditor's, a CPR number sent as a company's CVR (never echoed back)."""

import pytest

from collections_portal.tenancy import creditor_scope
from debtors.models import Debtor
from integrations.api.models import IdempotencyRecord

from .conftest import case_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("currency", ["XYZ", "EUR", "", "dkk"])
def test_a_case_in_a_currency_not_the_creditors_is_refused_naming_the_field(api_a, currency):
    response = api_a.post("/api/v1/cases/", case_payload(currency=currency), format="json")
    assert response.status_code == 400, response.content
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert "currency" in fields
    with creditor_scope(api_a.api_key.creditor):
        assert not Debtor.objects.filter(name="Jens Hansen").exists()  # nothing filed


def test_a_case_in_the_creditors_currency_is_filed(api_a):
    response = api_a.post("/api/v1/cases/", case_payload(currency="DKK"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "DKK"


@pytest.mark.parametrize("sent", ["0101901234", "010190-1234"])
def test_a_cpr_number_sent_as_a_cvr_is_refused_and_never_echoed(api_a, sent):
    payload = {
        "kind": "company",
        "name": "Jens Hansen ApS",
        "national_id": sent,
        "address_line": "Nørregade 1",
        "postal_code": "8000",
        "city": "Aarhus C",
    }
    response = api_a.post("/api/v1/debtors/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 400
    body = response.content.decode()
    assert "1234" not in body and "010190" not in body
    assert "CPR" in body
    with creditor_scope(api_a.api_key.creditor):
        assert not Debtor.objects.filter(national_id__contains="1234").exists()
    # Nor in a record kept to replay the answer to a retry.
    for record in IdempotencyRecord.objects.all():
        assert b"1234" not in bytes(record.response_body)
