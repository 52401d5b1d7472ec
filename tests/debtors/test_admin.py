"""The admin never shows a full CPR number; the reveal log is there, read-only."""

import pytest
from django.urls import reverse

from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from debtors.models import ContactKind, ContactPoint, Debtor
from debtors.services import debtor_reveal_national_id
from tests.factories import DebtorFactory, agency_user

pytestmark = pytest.mark.django_db


def result_list(response) -> str:
    """The changelist's table of results (the page also repeats the search term typed)."""
    body = response.content.decode()
    start = body.index("<tbody>", body.index('id="result_list"'))
    return body[start : body.index("</tbody>", start)]


@pytest.fixture
def admin_client(client):
    client.force_login(agency_user(AgencyRole.ADMIN))
    return client


@pytest.fixture
def debtor(tenant_a):
    return DebtorFactory(creditor=tenant_a.creditor, name="Mette Jensen", national_id="0101901234")


def test_the_list_shows_the_cpr_number_masked(admin_client, debtor):
    body = admin_client.get(reverse("admin:debtors_debtor_changelist")).content.decode()
    assert "010190-XXXX" in body
    assert "0101901234" not in body


@pytest.mark.parametrize("term", ["0101901234", "010190-1234"])
def test_a_search_by_the_full_number_finds_the_debtor_masked(admin_client, debtor, term):
    url = reverse("admin:debtors_debtor_changelist")
    results = result_list(admin_client.get(url, {"q": term}))
    assert "Mette Jensen" in results
    assert "010190-XXXX" in results
    # The links keep the search as typed (_changelist_filters); the rows never show the number.
    assert "0101901234" not in results.replace(f"q%3D{term}", "")


def test_a_search_by_part_of_the_number_finds_nothing(admin_client, debtor):
    response = admin_client.get(reverse("admin:debtors_debtor_changelist"), {"q": "010190"})
    assert "Mette Jensen" not in response.content.decode()


def test_the_change_form_does_not_hold_the_number(admin_client, debtor):
    body = admin_client.get(
        reverse("admin:debtors_debtor_change", args=[debtor.pk])
    ).content.decode()
    assert "0101901234" not in body
    assert "010190-XXXX" in body


def change_data(debtor, **overrides):
    data = {
        "kind": debtor.kind,
        "name": debtor.name,
        "national_id": "",
        "address_line": debtor.address_line,
        "postal_code": debtor.postal_code,
        "city": debtor.city,
        "country": debtor.country,
        "language": debtor.language,
        "contact_points-TOTAL_FORMS": "1",
        "contact_points-INITIAL_FORMS": "0",
        "contact_points-0-kind": "mobile",
        "contact_points-0-value": "20 12 34 56",
        "contact_points-0-is_primary": "on",
        "contact_points-0-source": "agent",
        "contact_points-0-consent_source": "",
        "national_id_reveals-TOTAL_FORMS": "0",
        "national_id_reveals-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_saving_with_an_empty_number_keeps_it_and_adds_a_contact_point(admin_client, debtor):
    url = reverse("admin:debtors_debtor_change", args=[debtor.pk])
    response = admin_client.post(url, change_data(debtor, name="Mette K. Jensen"))
    assert response.status_code == 302, response.content.decode()
    with creditor_scope(debtor.creditor):
        debtor = Debtor.objects.get(pk=debtor.pk)
        contact = ContactPoint.objects.get(debtor=debtor)
    assert (debtor.name, debtor.national_id) == ("Mette K. Jensen", "0101901234")
    assert (contact.kind, contact.value, contact.creditor_id) == (
        ContactKind.MOBILE,
        "+4520123456",
        debtor.creditor_id,
    )


def test_a_new_number_typed_formatted_is_stored_compact(admin_client, debtor):
    url = reverse("admin:debtors_debtor_change", args=[debtor.pk])
    response = admin_client.post(url, change_data(debtor, national_id="150585-1237"))
    assert response.status_code == 302
    with creditor_scope(debtor.creditor):
        assert Debtor.objects.get(pk=debtor.pk).national_id == "1505851237"


def test_an_invalid_number_is_refused_on_the_field(admin_client, debtor):
    url = reverse("admin:debtors_debtor_change", args=[debtor.pk])
    response = admin_client.post(url, change_data(debtor, national_id="320190-1234"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["national_id"]] == ["invalid_cpr_date"]


def test_the_reveal_log_is_listed_read_only(admin_client, tenant_a, debtor):
    with creditor_scope(tenant_a.creditor):
        debtor_reveal_national_id(debtor=debtor, user=tenant_a.user, reason="phone call")
    body = admin_client.get(reverse("admin:debtors_nationalidreveal_changelist")).content.decode()
    assert "phone call" in body
    assert tenant_a.user.username in body
    assert "010190-XXXX" in body
    assert "0101901234" not in body
    assert admin_client.get(reverse("admin:debtors_nationalidreveal_add")).status_code == 403
    change_form = admin_client.get(
        reverse("admin:debtors_debtor_change", args=[debtor.pk])
    ).content.decode()
    assert "phone call" in change_form
