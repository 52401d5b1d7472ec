"""File a case in the portal: the wizard's steps per role, the debtor conflict shown side by
side, and the case filed through the API's service."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseDocument
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from debtors.models import ContactPoint, Debtor, NationalIdLookup
from tests.factories import MembershipFactory, UserFactory, valid_cpr

pytestmark = pytest.mark.django_db


def user_with(tenant, role):
    user = UserFactory(username=f"wizard-{role}")
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


def debtor_post(**overrides) -> dict:
    data = {
        "action": "new",
        "kind": "person",
        "name": "Sofie Lund",
        "national_id": valid_cpr(9_999),
        "address_line": "Algade 3",
        "postal_code": "4000",
        "city": "Roskilde",
        "country": "DK",
        "language": "da",
        "email": "sofie@example.dk",
        "mobile": "20 12 34 56",
        "sms_consent": "on",
    }
    data.update(overrides)
    return data


def invoices_post(number: str = "W-1", **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "1",
        "line-MAX_NUM_FORMS": "20",
        "line-0-invoice_number": number,
        "line-0-invoice_date": (today - timedelta(days=40)).isoformat(),
        "line-0-due_date": (today - timedelta(days=20)).isoformat(),
        "line-0-principal": "1500.00",
        "line-0-debtor_is_consumer": "1",
        "line-0-description": "Service",
        "creditor_reference": "REF-9",
        "stage": "none",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER])
def test_owners_admins_and_members_file_a_case_through_the_wizard(client, tenant_a, role):
    client.force_login(user_with(tenant_a, role))
    assert client.get(reverse("case_file")).status_code == 200
    response = client.post(reverse("case_file"), debtor_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("case_file_invoices"), invoices_post())
    assert response.status_code == 302, response.content.decode()[-3000:]
    preview = client.get(reverse("case_file_preview"))
    assert preview.status_code == 200
    codes = [s.code for s in preview.context["preview"].steps]
    assert codes == ["filed", "reminder", "warning", "handover", "monitoring"]
    with creditor_scope(tenant_a.creditor):
        assert not Case.objects.filter(creditor_reference="REF-9").exists()  # nothing yet

    evidence = SimpleUploadedFile("faktura.pdf", b"%PDF-1.4 evidence", "application/pdf")
    response = client.post(reverse("case_file_preview"), {"documents": [evidence]})

    with creditor_scope(tenant_a.creditor):
        case = Case.objects.get(creditor_reference="REF-9")
        assert response.status_code == 302
        assert response["Location"] == reverse("case_detail", args=[case.pk])
        assert case.debtor.name == "Sofie Lund"
        assert [c.invoice_number for c in case.claims.all()] == ["W-1"]
        assert CaseDocument.objects.filter(case=case).count() == 1
        mobile = ContactPoint.objects.get(debtor=case.debtor, kind="mobile")
        assert mobile.value == "+4520123456" and mobile.consent
        assert ContactPoint.objects.filter(debtor=case.debtor, kind="email").exists()
    assert client.get(response["Location"]).status_code == 200


def test_viewers_get_403_on_every_step(client, tenant_a):
    client.force_login(user_with(tenant_a, Role.VIEWER))
    for name in ("case_file", "case_file_debtors", "case_file_invoices", "case_file_preview"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("case_file"), debtor_post()).status_code == 403
    assert client.post(reverse("case_file_preview")).status_code == 403


def test_the_navigation_links_to_the_wizard_for_filers_only(client, tenant_a):
    client.force_login(tenant_a.user)
    assert reverse("case_file") in client.get(reverse("case_list")).content.decode()
    client.force_login(user_with(tenant_a, Role.VIEWER))
    assert reverse("case_file") not in client.get(reverse("case_list")).content.decode()


def test_a_known_cpr_with_another_address_is_shown_side_by_side_and_the_user_chooses(
    client, tenant_a
):
    cpr = valid_cpr(9_998)
    client.force_login(tenant_a.user)
    client.post(reverse("case_file"), debtor_post(national_id=cpr))
    client.post(reverse("case_file_invoices"), invoices_post("W-1"))
    client.post(reverse("case_file_preview"))
    with creditor_scope(tenant_a.creditor):
        existing = Debtor.objects.get(national_id=cpr)
        debtors = Debtor.objects.count()

    response = client.post(
        reverse("case_file"), debtor_post(national_id=cpr, address_line="Vestergade 1")
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Algade 3" in body and "Vestergade 1" in body  # on file and entered, side by side
    conflict = body[body.index('id="debtor-conflict"') : body.index("</section>")]
    assert cpr not in conflict  # the number on file is never shown in full
    with creditor_scope(tenant_a.creditor):
        assert NationalIdLookup.objects.filter(user=tenant_a.user).exists()  # recorded
    response = client.post(reverse("case_file"), {"action": "choose", "debtor_id": existing.pk})
    assert response.status_code == 302
    client.post(reverse("case_file_invoices"), invoices_post("W-2"))
    response = client.post(reverse("case_file_preview"))
    assert response.status_code == 302
    with creditor_scope(tenant_a.creditor):
        case = Case.objects.get(claims__invoice_number="W-2")
        assert case.debtor == existing
        assert case.debtor.address_line == "Algade 3"
        assert Debtor.objects.count() == debtors  # no second debtor, nothing merged


def test_the_name_search_finds_only_the_creditors_debtors(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    response = client.get(reverse("case_file_debtors"), {"q": tenant_a.debtor.name})
    assert tenant_a.debtor.name in response.content.decode()
    response = client.get(reverse("case_file_debtors"), {"q": tenant_b.debtor.name})
    assert tenant_b.debtor.name not in response.content.decode() or (
        tenant_b.debtor.name == tenant_a.debtor.name
    )


def test_a_reminders_stage_without_dates_and_a_bad_cpr_are_refused(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(reverse("case_file"), debtor_post(national_id="123"))
    assert response.status_code == 400
    client.post(reverse("case_file"), debtor_post())
    response = client.post(reverse("case_file_invoices"), invoices_post(stage="reminders"))
    assert response.status_code == 400
    response = client.post(
        reverse("case_file_invoices"),
        invoices_post(stage="reminders", reminder_1=timezone.localdate().isoformat()),
    )
    assert response.status_code == 302


def test_a_debtor_is_found_by_a_recorded_cpr_look_up_and_chosen(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    mine = tenant_a.debtor
    response = client.post(
        reverse("case_file"),
        {"action": "lookup", "lookup-national_id": mine.national_id, "lookup-reason": "Sag"},
    )
    assert response.status_code == 200
    assert response.context["found"]["debtors"] == [mine]
    with creditor_scope(tenant_a.creditor):
        assert NationalIdLookup.objects.filter(user=tenant_a.user, reason="Sag").exists()
    # Another creditor's debtor is never found, nor can it be chosen.
    response = client.post(
        reverse("case_file"),
        {"action": "lookup", "lookup-national_id": tenant_b.debtor.national_id,
         "lookup-reason": "Sag"},
    )  # fmt: skip
    assert tenant_b.debtor not in response.context["found"]["debtors"] or (
        tenant_b.debtor.national_id == mine.national_id
    )
    response = client.post(
        reverse("case_file"), {"action": "choose", "debtor_id": tenant_b.debtor.pk}
    )
    assert response.status_code == 404


def test_add_an_invoice_keeps_what_was_typed_and_two_lines_are_filed(client, tenant_a):
    client.force_login(tenant_a.user)
    client.post(reverse("case_file"), debtor_post(national_id=valid_cpr(9_997)))
    data = invoices_post("L-1", add_line="1")
    response = client.post(reverse("case_file_invoices"), data)
    assert response.status_code == 200
    assert response.context["lines"].total_form_count() == 2
    assert 'value="L-1"' in response.content.decode()

    data = invoices_post("L-1")
    data.update({
        "line-TOTAL_FORMS": "3",  # the third line left empty: ignored
        "line-1-invoice_number": "L-2",
        "line-1-invoice_date": data["line-0-invoice_date"],
        "line-1-due_date": data["line-0-due_date"],
        "line-1-principal": "250.00",
        "line-1-debtor_is_consumer": "0",
        "line-2-debtor_is_consumer": "1",  # as a browser sends the untouched select
    })  # fmt: skip
    assert client.post(reverse("case_file_invoices"), data).status_code == 302
    assert client.post(reverse("case_file_preview")).status_code == 302
    with creditor_scope(tenant_a.creditor):
        case = Case.objects.get(claims__invoice_number="L-2")
        assert sorted(c.invoice_number for c in case.claims.all()) == ["L-1", "L-2"]
        assert case.claims.get(invoice_number="L-2").debtor_is_consumer is False


def test_agency_staff_file_for_the_creditor_they_chose(client, tenant_a):
    from creditors.selectors import SESSION_CREDITOR_KEY
    from tests.factories import agency_user

    client.force_login(agency_user(username="agent-wizard"))
    assert client.get(reverse("case_file")).status_code == 403  # no creditor chosen yet
    session = client.session
    session[SESSION_CREDITOR_KEY] = tenant_a.creditor.pk
    session.save()
    assert client.get(reverse("case_file")).status_code == 200
    assert (
        client.post(reverse("case_file"), debtor_post(national_id=valid_cpr(9_996))).status_code
        == 302
    )
    assert client.post(reverse("case_file_invoices"), invoices_post("AG-1")).status_code == 302
    assert client.post(reverse("case_file_preview")).status_code == 302
    with creditor_scope(tenant_a.creditor):
        assert Case.objects.filter(claims__invoice_number="AG-1").exists()


def test_an_invoice_handed_over_before_is_shown_on_the_preview_not_filed_twice(client, tenant_a):
    client.force_login(tenant_a.user)
    for _attempt in range(2):
        client.post(reverse("case_file"), debtor_post(national_id=valid_cpr(9_995)))
        client.post(reverse("case_file_invoices"), invoices_post("DUP-1"))
        response = client.post(reverse("case_file_preview"))
    assert response.status_code == 400
    assert "DUP-1" in response.content.decode()
    with creditor_scope(tenant_a.creditor):
        assert Case.objects.filter(claims__invoice_number="DUP-1").count() == 1


def test_the_same_details_find_the_debtor_on_file_and_add_the_contacts(client, tenant_a):
    client.force_login(tenant_a.user)
    cpr = valid_cpr(9_994)
    client.post(
        reverse("case_file"), debtor_post(national_id=cpr, email="", mobile="", sms_consent="")
    )
    client.post(reverse("case_file_invoices"), invoices_post("S-1"))
    client.post(reverse("case_file_preview"))
    # The same person again, typed with other spaces and case, now with an e-mail address.
    response = client.post(
        reverse("case_file"),
        debtor_post(national_id=cpr, name="sofie  LUND", mobile="", sms_consent=""),
    )
    assert response.status_code == 302
    client.post(reverse("case_file_invoices"), invoices_post("S-2"))
    assert client.post(reverse("case_file_preview")).status_code == 302
    with creditor_scope(tenant_a.creditor):
        [debtor] = Debtor.objects.filter(national_id=cpr)
        assert debtor.cases.count() == 2
        assert ContactPoint.objects.filter(debtor=debtor, kind="email").exists()


def test_an_invoice_dated_after_tomorrow_is_refused_at_the_invoices_step(client, tenant_a):
    """The wizard checks its lines with the API's rule on claim dates (cases/claim_dates.py)."""
    client.force_login(tenant_a.user)
    client.post(reverse("case_file"), debtor_post(national_id=valid_cpr(9_994)))
    later = timezone.localdate() + timedelta(days=30)
    response = client.post(
        reverse("case_file_invoices"),
        invoices_post(
            "FUT-1",
            **{
                "line-0-invoice_date": later.isoformat(),
                "line-0-due_date": (later + timedelta(days=14)).isoformat(),
            },
        ),
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 400
    assert f"Fakturadatoen {later.strftime('%d-%m-%Y')} ligger i fremtiden." in (
        response.content.decode()
    )
    with creditor_scope(tenant_a.creditor):
        assert not Case.objects.filter(claims__invoice_number="FUT-1").exists()
