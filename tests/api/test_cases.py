"""Cases over the API: filed with their claims and debtor in one POST, listed with filters,
shown with balance, timeline and notices; changed only through the action endpoints."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState, Claim, PaymentMethod
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from debtors.models import Debtor
from tests.cases.helpers import claim, file_case
from tests.factories import MembershipFactory, UserFactory, agency_user

from .conftest import case_payload, days_ago

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def count(model, creditor) -> int:
    with creditor_scope(creditor):
        return model.objects.count()


def test_a_case_is_filed_with_its_debtor_and_claims_in_one_post(api_a, tenant_a):
    response = api_a.post(CASES, case_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/cases/{body['id']}/"
    assert body["state"] == "new"
    assert body["creditor"] == tenant_a.creditor.pk
    assert body["creditor_reference"] == "K-77"
    assert body["debtor"]["name"] == "Jens Hansen"
    # The CPR number is masked and never sent in full.
    assert body["debtor"]["national_id_masked"] == "010190-XXXX"
    assert "0101901234" not in response.content.decode()
    [claim_out] = body["claims"]
    assert claim_out["invoice_number"] == "INV-1001"
    assert claim_out["principal"] == "1250.00"
    assert claim_out["due_date"] == days_ago(30).isoformat()
    # The balance comes from the ledger: the principal was posted by case_create.
    assert body["balance"]["principal"] == "1250.00"
    assert body["balance"]["costs"] == "0.00"
    assert Decimal(body["balance"]["total"]) >= Decimal("1250.00")
    assert [e["code"] for e in body["timeline"]] == []
    with creditor_scope(tenant_a.creditor):
        case = Case.objects.get(pk=body["id"])
        assert case.debtor.national_id == "0101901234"
        assert case.ledger.get().amount == Decimal("1250.00")


def test_money_is_accepted_as_a_string_or_a_json_number_and_answered_as_a_string(api_a):
    payload = case_payload(principal="99.5")
    payload["claims"][0]["principal"] = 99.5
    body = api_a.post(CASES, payload, format="json").json()
    assert body["claims"][0]["principal"] == "99.50"


def test_a_known_cpr_number_files_the_case_on_the_existing_debtor(api_a, tenant_a):
    first = api_a.post(CASES, case_payload("INV-1"), format="json").json()
    second = api_a.post(CASES, case_payload("INV-2"), format="json").json()
    assert first["debtor"]["id"] == second["debtor"]["id"]


def test_a_case_for_a_debtor_by_id(api_a, tenant_a):
    payload = case_payload()
    del payload["debtor"]
    payload["debtor_id"] = tenant_a.debtor.pk
    response = api_a.post(CASES, payload, format="json")
    assert response.status_code == 201
    assert response.json()["debtor"]["id"] == tenant_a.debtor.pk


def test_another_creditors_debtor_cannot_be_named(api_a, tenant_b):
    payload = case_payload()
    del payload["debtor"]
    payload["debtor_id"] = tenant_b.debtor.pk
    response = api_a.post(CASES, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "debtor_id"


def test_the_state_sent_by_a_client_is_ignored(api_a, tenant_a):
    payload = case_payload(state="closed", closed_reason="paid")
    body = api_a.post(CASES, payload, format="json").json()
    assert body["state"] == "new"
    assert body["closed_reason"] == ""


def test_a_retried_upload_without_idempotency_key_is_409_naming_the_claim(api_a, tenant_a):
    first = api_a.post(CASES, case_payload("INV-9"), format="json")
    assert first.status_code == 201
    debtors_before = count(Debtor, tenant_a.creditor)
    payload = case_payload("INV-10")
    payload["claims"].append({**payload["claims"][0], "invoice_number": "INV-9"})
    payload["debtor"]["national_id"] = "020290-1234"  # a new debtor: must not be left behind
    retry = api_a.post(CASES, payload, format="json")
    assert retry.status_code == 409
    error = retry.json()["error"]
    assert error["code"] == "duplicate"
    assert error["fields"] == [
        {
            "field": "claims[1].invoice_number",
            "code": "duplicate",
            "message": (
                f"Invoice INV-9 has already been handed over (case {first.json()['reference']})."
            ),
        }
    ]
    with creditor_scope(tenant_a.creditor):
        assert Claim.objects.filter(invoice_number__in=["INV-9", "INV-10"]).count() == 1
    assert count(Debtor, tenant_a.creditor) == debtors_before


def test_the_same_invoice_number_at_another_creditor_is_fine(api_a, api_b):
    assert api_a.post(CASES, case_payload("INV-1"), format="json").status_code == 201
    assert api_b.post(CASES, case_payload("INV-1"), format="json").status_code == 201


def test_an_invoice_twice_in_one_request_is_400_naming_the_second(api_a):
    payload = case_payload("INV-1")
    payload["claims"].append(dict(payload["claims"][0]))
    response = api_a.post(CASES, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "claims[1].invoice_number"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["claims"][0].update(due_date=days_ago(90).isoformat()), "claims[0].due_date"),
        (lambda p: p["claims"][0].update(principal="0"), "claims[0].principal"),
        (lambda p: p["claims"][0].update(principal="12.345"), "claims[0].principal"),
        (lambda p: p["claims"][0].update(invoice_date="1899-01-01"), "claims[0].invoice_date"),
        (lambda p: p["debtor"].update(national_id="3213213213"), "debtor.national_id"),
        (lambda p: p["debtor"].update(postal_code="80"), "debtor.postal_code"),
        (lambda p: p.update(claims=[]), "claims"),
        (lambda p: p.pop("debtor"), "debtor"),
    ],
)
def test_bad_input_is_400_naming_the_field(api_a, tenant_a, change, field):
    payload = case_payload()
    change(payload)
    response = api_a.post(CASES, payload, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert field in [f["field"] for f in error["fields"]], error
    assert count(Case, tenant_a.creditor) == 1  # the fixture's case only
    assert count(Debtor, tenant_a.creditor) == 1


def test_the_list_is_filtered_by_state_dates_and_references(api_a, tenant_a):
    old = file_case(
        tenant_a.creditor,
        claim("A-1", "100.00", days_ago(400)),
        creditor_reference="REF-OLD",
    )
    new = file_case(tenant_a.creditor, claim("A-2", "200.00", days_ago(10)))
    with creditor_scope(tenant_a.creditor):
        Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    def ids(**query) -> set[int]:
        response = api_a.get(CASES, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    everyone = {old.pk, new.pk, tenant_a.case.pk}
    assert ids() == everyone
    assert ids(state="new") == everyone
    assert ids(state="closed") == set()
    assert ids(invoice_number="A-1") == {old.pk}
    assert ids(creditor_reference="REF-OLD") == {old.pk}
    assert ids(reference=new.number) == {new.pk}
    assert ids(due_to=days_ago(100).isoformat()) == {old.pk}
    assert ids(due_from=days_ago(100).isoformat()) == {new.pk}
    assert ids(created_to=days_ago(30).isoformat()) == {old.pk}
    assert ids(created_from=days_ago(1).isoformat()) == {new.pk, tenant_a.case.pk}
    assert ids(reference=10**30) == set()


def test_the_list_is_paginated_by_cursor(api_a, tenant_a):
    for n in range(3):
        file_case(tenant_a.creditor, claim(f"P-{n}", "10.00", days_ago(20)))
    first = api_a.get(CASES, {"page_size": 2}).json()
    assert len(first["results"]) == 2
    second = api_a.get(first["next"]).json()
    assert len(second["results"]) == 2
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(seen) == 4


def test_the_list_shows_only_the_keys_creditor(api_a, tenant_a, tenant_b):
    rows = api_a.get(CASES).json()["results"]
    assert [r["id"] for r in rows] == [tenant_a.case.pk]


# --- Actions ------------------------------------------------------------------------------


@pytest.fixture
def filed(tenant_a):
    return file_case(tenant_a.creditor, claim("F-1", "1000.00", days_ago(30)))


def action(client, case, name, data=None, **kwargs):
    return client.post(f"{CASES}{case.pk}/{name}/", data or {}, **kwargs)


def events(case) -> list[str]:
    with creditor_scope(case.creditor_id):
        return list(CaseEvent.objects.filter(case=case).values_list("code", flat=True))


def test_withdraw_closes_the_case_through_the_service(api_a, filed):
    response = action(api_a, filed, "withdraw", {"message": "Paid us"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["closed_reason"]) == ("closed", "withdrawn")
    assert "case.closed" in [e["code"] for e in body["timeline"]]
    closed = next(e for e in body["timeline"] if e["code"] == "case.closed")
    assert closed["actor_label"] == f"API key {api_a.api_key.prefix}"
    assert [n["kind"] for n in body["notices"]] == ["closed"]


def test_a_second_withdraw_is_409_with_the_reason_not_a_silent_200(api_a, filed):
    first = action(api_a, filed, "withdraw", {"message": "Paid us"}, format="json")
    assert first.status_code == 200
    response = action(api_a, filed, "withdraw", {"message": "Again"}, format="json")
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert "closed already" in message or "allerede lukket" in message
    assert events(filed).count("case.closed") == 1


def test_a_direct_payment_on_a_withdrawn_case_is_409(api_a, filed):
    action(api_a, filed, "withdraw", format="json")
    body = {"amount": "100.00", "received_on": days_ago(1).isoformat()}
    response = action(api_a, filed, "direct-payments", body, format="json")
    assert response.status_code == 409
    with creditor_scope(filed.creditor_id):
        assert not filed.payments.exists()


def test_a_document_is_refused_by_its_content_not_its_name(api_a, filed):
    program = ContentFile(b"MZ\x90\x00" + b"\x00" * 100, name="invoice.pdf")
    response = action(api_a, filed, "documents", {"file": program}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "file"


def test_pause_holds_the_case_until_the_date(api_a, filed):
    until = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = action(api_a, filed, "pause", {"until": until, "reason": "Talks"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["paused_until"] == until
    assert "case.paused" in events(filed)


def test_pause_in_the_past_is_400_and_on_a_closed_case_409(api_a, filed):
    response = action(api_a, filed, "pause", {"until": days_ago(1).isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "until"
    action(api_a, filed, "withdraw", format="json")
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = action(
        api_a, filed, "pause", {"until": future}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "closed" in response.json()["error"]["message"]


def test_a_direct_payment_to_the_creditor_reduces_the_balance(api_a, filed):
    response = action(
        api_a,
        filed,
        "direct-payments",
        {"amount": "400.00", "received_on": days_ago(2).isoformat(), "payer_reference": "MP"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    payment = response.json()
    assert payment["method"] == PaymentMethod.DIRECT_TO_CREDITOR
    assert payment["amount"] == "400.00"
    assert response["Location"] == f"/api/v1/payments/{payment['id']}/"
    detail = api_a.get(f"{CASES}{filed.pk}/").json()
    owed = Decimal(detail["balance"]["principal"]) + Decimal(detail["balance"]["interest"])
    assert owed < Decimal("1000.00")
    assert "payment.received" in events(filed)
    listed = api_a.get("/api/v1/payments/", {"case": filed.pk}).json()["results"]
    assert [p["id"] for p in listed] == [payment["id"]]
    assert api_a.get(f"/api/v1/payments/{payment['id']}/").json()["amount"] == "400.00"


def test_a_payment_on_a_case_with_a_letter_lists_its_receipt_with_the_payment(api_a, filed):
    from cases.services import lifecycle

    with creditor_scope(filed.creditor_id):
        lifecycle.case_send_reminder(case=filed, on=timezone.localdate())
    payment = action(
        api_a,
        filed,
        "direct-payments",
        {"amount": "100.00", "received_on": days_ago(1).isoformat()},
        format="json",
    ).json()
    notices = api_a.get("/api/v1/notices/", {"case": filed.pk}).json()["results"]
    assert sorted((n["kind"], n["payment"] or 0) for n in notices) == [
        ("receipt", payment["id"]),
        ("reminder", 0),
    ]


def test_a_direct_payment_naming_another_cases_claim_is_400(api_a, filed, tenant_a):
    other = file_case(tenant_a.creditor, claim("F-2", "50.00", days_ago(30)))
    with creditor_scope(tenant_a.creditor):
        other_claim = other.claims.get()
    response = action(
        api_a,
        filed,
        "direct-payments",
        {
            "amount": "1.00",
            "received_on": days_ago(1).isoformat(),
            "designated_claim": other_claim.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "designated_claim"


def test_a_dispute_is_opened_and_acknowledged(api_a, filed):
    response = action(api_a, filed, "disputes", {"reason": "Never ordered"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["reason"] == "Never ordered"
    detail = api_a.get(f"{CASES}{filed.pk}/").json()
    assert [d["reason"] for d in detail["disputes"]] == ["Never ordered"]
    assert detail["next_action_at"] is None
    assert [n["kind"] for n in detail["notices"]] == ["dispute_ack"]


def test_a_note_goes_on_the_timeline(api_a, filed):
    response = action(api_a, filed, "notes", {"text": "Called the debtor."}, format="json")
    assert response.status_code == 201
    assert response.json()["code"] == "case.note"
    timeline = api_a.get(f"{CASES}{filed.pk}/").json()["timeline"]
    assert [(e["code"], e["message"]) for e in timeline] == [("case.note", "Called the debtor.")]
    assert action(api_a, filed, "notes", {"text": "  "}, format="json").status_code == 400


def test_a_document_is_stored_and_downloaded(api_a, filed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = ContentFile(b"%PDF-1.4 invoice copy", name="invoice.pdf")
    response = action(
        api_a, filed, "documents", {"file": upload, "description": "Copy"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    document = response.json()
    assert (document["filename"], document["size"]) == ("invoice.pdf", 21)
    download = api_a.get(document["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 invoice copy"
    assert "case.document_added" in events(filed)
    listed = api_a.get("/api/v1/documents/", {"case": filed.pk}).json()["results"]
    assert [d["id"] for d in listed] == [document["id"]]


def test_an_empty_document_is_400(api_a, filed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = action(
        api_a, filed, "documents", {"file": ContentFile(b"", name="e.txt")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "file"


def test_a_put_or_patch_cannot_change_the_state(api_a, filed):
    for method in (api_a.put, api_a.patch):
        response = method(f"{CASES}{filed.pk}/", {"state": "closed"}, format="json")
        assert response.status_code == 405
    filed.refresh_from_db()
    assert filed.state == CaseState.NEW


# --- Session users ------------------------------------------------------------------------


def test_agency_staff_see_every_creditor_and_name_the_creditor_to_file(client, tenant_a, tenant_b):
    client.force_login(agency_user())
    rows = client.get(CASES).json()["results"]
    assert {r["id"] for r in rows} == {tenant_a.case.pk, tenant_b.case.pk}
    response = client.post(CASES, case_payload(), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "creditor"
    payload = case_payload(creditor=tenant_b.creditor.pk)
    response = client.post(CASES, payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["creditor"] == tenant_b.creditor.pk


def test_a_creditor_user_acts_for_their_creditor_and_a_viewer_only_reads(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(CASES, case_payload(), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["creditor"] == tenant_a.creditor.pk
    viewer = UserFactory()
    MembershipFactory(user=viewer, creditor=tenant_a.creditor, role=Role.VIEWER)
    client.force_login(viewer)
    assert client.get(CASES).status_code == 200
    response = client.post(CASES, case_payload("V-1"), content_type="application/json")
    assert response.status_code == 403


def test_an_api_key_cannot_file_for_another_creditor(api_a, tenant_b):
    response = api_a.post(CASES, case_payload(creditor=tenant_b.creditor.pk), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "creditor"


# --- The dates a claim may have: one rule (cases/claim_dates.py) for the API and the import ---


@pytest.mark.parametrize("language", ["en", "da"])
def test_an_invoice_dated_after_tomorrow_is_400_naming_the_field(api_a, tenant_a, language):
    payload = case_payload()
    in_two_days = timezone.localdate() + timedelta(days=2)
    payload["claims"][0].update(
        invoice_date=in_two_days.isoformat(),
        due_date=(in_two_days + timedelta(days=14)).isoformat(),
    )
    response = api_a.post(CASES, payload, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400, response.json()
    fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
    shown = in_two_days.strftime("%d-%m-%Y")
    assert (
        fields["claims[0].invoice_date"]
        == {
            "en": f"The invoice date {shown} is in the future.",
            "da": f"Fakturadatoen {shown} ligger i fremtiden.",
        }[language]
    )
    assert count(Case, tenant_a.creditor) == 1  # the fixture's case only


def test_an_invoice_dated_tomorrow_is_filed(api_a):
    payload = case_payload()
    tomorrow = timezone.localdate() + timedelta(days=1)
    payload["claims"][0].update(
        invoice_date=tomorrow.isoformat(), due_date=(tomorrow + timedelta(days=366)).isoformat()
    )
    assert api_a.post(CASES, payload, format="json").status_code == 201


def test_a_due_date_more_than_366_days_after_the_invoice_is_400_naming_the_field(api_a):
    payload = case_payload()
    payload["claims"][0].update(
        invoice_date=days_ago(400).isoformat(),
        due_date=(days_ago(400) + timedelta(days=367)).isoformat(),
    )
    response = api_a.post(CASES, payload, format="json", HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400, response.json()
    fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
    assert fields == {
        "claims[0].due_date": "Forfaldsdatoen ligger mere end et år efter fakturadatoen."
    }
