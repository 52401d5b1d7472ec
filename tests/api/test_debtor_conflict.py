"""A CPR/CVR on file with another name or address is never merged silently: the API answers
409 debtor_conflict naming the differing fields and the existing debtor, until the client
names that debtor (debtor_id)."""

import pytest

from cases.models import Case
from collections_portal.tenancy import creditor_scope
from debtors.models import Debtor

from .conftest import case_payload

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
DEBTORS = "/api/v1/debtors/"


def count(model, creditor) -> int:
    with creditor_scope(creditor):
        return model.objects.count()


def moved(payload: dict) -> dict:
    payload["debtor"] = {**payload["debtor"], "name": "Jens Peter Hansen",
                         "address_line": "Vestergade 9"}  # fmt: skip
    return payload


def test_a_case_for_a_known_cpr_with_another_name_and_address_is_a_conflict(api_a, tenant_a):
    cases, debtors = count(Case, tenant_a.creditor), count(Debtor, tenant_a.creditor)
    first = api_a.post(CASES, case_payload("INV-1"), format="json")
    assert first.status_code == 201
    existing_id = first.json()["debtor"]["id"]

    response = api_a.post(CASES, moved(case_payload("INV-2")), format="json")

    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert error["code"] == "debtor_conflict"
    assert error["debtor_id"] == existing_id
    assert error["differing_fields"] == ["name", "address_line"]
    assert {f["field"] for f in error["fields"]} == {"debtor.name", "debtor.address_line"}
    assert "0101901234" not in response.content.decode()
    assert "010190-1234" not in response.content.decode()
    assert count(Case, tenant_a.creditor) == cases + 1
    assert count(Debtor, tenant_a.creditor) == debtors + 1


def test_naming_the_existing_debtor_files_the_case_for_it(api_a, tenant_a):
    existing_id = api_a.post(CASES, case_payload("INV-1"), format="json").json()["debtor"]["id"]
    debtors = count(Debtor, tenant_a.creditor)

    response = api_a.post(CASES, moved(case_payload("INV-2", debtor_id=existing_id)), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["debtor"]["id"] == existing_id
    assert response.json()["debtor"]["name"] == "Jens Hansen"  # on file, unchanged
    assert count(Debtor, tenant_a.creditor) == debtors


def test_naming_another_debtor_than_the_cpr_is_refused(api_a, tenant_a):
    api_a.post(CASES, case_payload("INV-1"), format="json")
    other = case_payload("INV-2")
    other["debtor"] = {**other["debtor"], "national_id": "020290-1234", "name": "Anne"}
    other_id = api_a.post(CASES, other, format="json").json()["debtor"]["id"]

    response = api_a.post(CASES, moved(case_payload("INV-3", debtor_id=other_id)), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "debtor_id"


def test_the_same_details_find_the_debtor_as_before(api_a, tenant_a):
    first = api_a.post(CASES, case_payload("INV-1"), format="json").json()
    payload = case_payload("INV-2")
    payload["debtor"]["name"] = "  jens   HANSEN "  # case and spaces are no difference

    response = api_a.post(CASES, payload, format="json")

    assert response.status_code == 201
    assert response.json()["debtor"]["id"] == first["debtor"]["id"]


def test_post_debtors_answers_the_conflict_and_resolves_with_debtor_id(api_a, tenant_a):
    details = case_payload()["debtor"]
    debtors = count(Debtor, tenant_a.creditor)
    created = api_a.post(DEBTORS, details, format="json")
    assert created.status_code == 201
    existing_id = created.json()["id"]
    assert api_a.post(DEBTORS, details, format="json").status_code == 200  # same: found

    changed = {**details, "city": "Odense C", "postal_code": "5000"}
    conflict = api_a.post(DEBTORS, changed, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["debtor_id"] == existing_id
    assert conflict.json()["error"]["differing_fields"] == ["postal_code", "city"]

    chosen = api_a.post(DEBTORS, {**changed, "debtor_id": existing_id}, format="json")
    assert chosen.status_code == 200
    assert chosen.json()["id"] == existing_id
    assert count(Debtor, tenant_a.creditor) == debtors + 1


def test_preview_answers_the_timeline_and_creates_nothing(api_a, tenant_a):
    from django.apps import apps

    from cases.models import CaseEvent, Claim, LedgerEntry
    from notices.models import Notice

    models = [Case, Claim, Debtor, LedgerEntry, CaseEvent, Notice]
    before = {m: count(m, tenant_a.creditor) for m in models}
    unscoped = {
        m: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("cases", "debtors", "notices", "integrations")
        and not hasattr(m.objects, "scope_attr")
        and m._meta.db_table not in ("integrations_idempotencykey",)
        and "creditor" not in {f.name for f in m._meta.fields}
    }

    response = api_a.post(f"{CASES}preview/", case_payload(), format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    codes = [s["code"] for s in body["steps"]]
    assert codes[0] == "filed" and "warning" in codes and "handover" in codes
    handover = next(s for s in body["steps"] if s["code"] == "handover")
    assert handover["charges"][0]["explanation"]
    assert handover["owed"]["total"] != "0.00"
    assert {m: count(m, tenant_a.creditor) for m in models} == before
    assert {m: m.objects.count() for m in unscoped} == unscoped


def test_preview_refuses_what_filing_would_refuse(api_a):
    assert api_a.post(CASES, case_payload("INV-9"), format="json").status_code == 201
    duplicate = api_a.post(f"{CASES}preview/", case_payload("INV-9"), format="json")
    assert duplicate.status_code == 409
    bad = case_payload()
    bad["debtor"]["national_id"] = "123"
    assert api_a.post(f"{CASES}preview/", bad, format="json").status_code == 400
