"""The creditor and language switchers (issue 15, item 7)."""

import pytest
from django.urls import reverse

from creditors.agency import AgencyRole
from creditors.models import Role
from tests.factories import MembershipFactory, agency_user

pytestmark = pytest.mark.django_db


def test_an_agent_who_picks_a_creditor_sees_only_its_cases(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.AGENT))
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk, "next": "/"})
    body = client.get("/cases/").content.decode()
    assert tenant_b.case.reference in body
    assert tenant_a.case.reference not in body
    assert client.get(reverse("case_detail", args=[tenant_a.case.pk])).status_code == 404
    assert client.get(reverse("case_detail", args=[tenant_b.case.pk])).status_code == 200


def test_an_agent_goes_back_to_all_creditors(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.AGENT))
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk})
    response = client.post(reverse("switch_creditor"), {"creditor": "", "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    page = client.get("/cases/")
    assert page.context["current_creditor"] is None
    body = page.content.decode()
    assert tenant_a.case.reference in body and tenant_b.case.reference in body


def test_the_all_creditors_choice_is_selectable_not_disabled(client, tenant_a):
    client.force_login(agency_user(AgencyRole.AGENT))
    body = client.get("/").content.decode()
    start = body.index('<option value=""')
    option = body[start : body.index("</option>", start)]
    assert "disabled" not in option
    assert "selected" in option


def test_a_creditor_user_cannot_choose_all_creditors(client, tenant_a, tenant_b):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.VIEWER)
    client.force_login(tenant_a.user)
    assert client.post(reverse("switch_creditor"), {"creditor": ""}).status_code == 404
    assert client.get("/").context["current_creditor"] == tenant_a.creditor


def test_the_admin_stays_across_creditors_after_a_pick(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.ADMIN))
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk})
    body = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert tenant_a.case.reference in body and tenant_b.case.reference in body


def test_switching_creditor_on_a_case_lands_on_the_case_list(client, tenant_a, tenant_b):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.VIEWER)
    client.force_login(tenant_a.user)
    case_page = reverse("case_detail", args=[tenant_a.case.pk])
    response = client.post(
        reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk, "next": case_page}
    )
    assert response["Location"] == "/cases/"
    assert client.get(response["Location"]).status_code == 200


def test_switching_on_a_letter_preview_lands_on_the_case_list(client, tenant_a, tenant_b):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.VIEWER)
    client.force_login(tenant_a.user)
    preview = reverse("notice_preview", args=[tenant_a.case.pk]) + "?kind=reminder"
    response = client.post(
        reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk, "next": preview}
    )
    assert response["Location"] == "/cases/"


def test_switching_keeps_a_lists_filters(client, tenant_a, tenant_b):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.VIEWER)
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("switch_creditor"),
        {"creditor": tenant_b.creditor.pk, "next": "/cases/?stage=new"},
    )
    assert response["Location"] == "/cases/?stage=new"


def test_switching_on_a_post_only_address_lands_on_its_page(client, tenant_a, tenant_b):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.OWNER)
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("switch_creditor"),
        {"creditor": tenant_b.creditor.pk, "next": reverse("api_key_revoke")},
    )
    assert response["Location"] == reverse("api_keys")
    assert client.get(response["Location"]).status_code == 200


def test_switching_language_on_a_post_only_address_lands_on_its_page(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("api_key_revoke")}
    )
    assert response["Location"] == reverse("api_keys")


def test_switching_language_on_a_case_stays_on_the_case(client, tenant_a):
    client.force_login(tenant_a.user)
    case_page = reverse("case_detail", args=[tenant_a.case.pk])
    response = client.post(reverse("set_language"), {"language": "en", "next": case_page})
    assert response["Location"] == case_page
    assert "Sign out" in client.get(case_page).content.decode()


def test_switching_language_on_a_missing_page_lands_on_the_nearest_that_exists(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/cases/no-such/thing/"}
    )
    assert response["Location"] == "/cases/"
    response = client.post(reverse("set_language"), {"language": "da", "next": "/nowhere/"})
    assert response["Location"] == "/"
