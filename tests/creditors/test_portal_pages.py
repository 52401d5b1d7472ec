"""The creditor home page, the creditor switcher and what agency staff see."""

import pytest
from django.urls import reverse

from creditors.agency import AgencyRole
from creditors.models import Role
from tests.factories import CaseFactory, MembershipFactory, UserFactory, agency_user

pytestmark = pytest.mark.django_db


def test_home_shows_the_creditors_name_and_its_case_count(client, tenant_a, tenant_b):
    CaseFactory.create_batch(2, creditor=tenant_a.creditor)
    client.force_login(tenant_a.user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["current_creditor"] == tenant_a.creditor
    assert response.context["counts"]["total"] == 3
    body = response.content.decode()
    assert tenant_a.creditor.name in body
    assert '<span class="figure" id="case-count">3</span>' in body


def test_a_user_with_two_creditors_switches_between_them(client, tenant_a, tenant_b):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.VIEWER)
    client.force_login(tenant_a.user)
    assert client.get("/").context["current_creditor"] == tenant_a.creditor

    response = client.post(
        reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk, "next": "/cases/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    page = client.get("/cases/")
    assert page.context["current_creditor"] == tenant_b.creditor
    assert tenant_b.case.reference in page.content.decode()
    assert tenant_a.case.reference not in page.content.decode()
    # And the case of the creditor no longer selected is out of reach.
    assert client.get(reverse("case_detail", args=[tenant_a.case.pk])).status_code == 404


def test_switching_to_a_creditor_without_membership_is_404(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    response = client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk})
    assert response.status_code == 404
    assert client.get("/").context["current_creditor"] == tenant_a.creditor


def test_switching_ignores_a_next_url_on_another_site(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("switch_creditor"),
        {"creditor": tenant_a.creditor.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_a_user_without_a_creditor_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "portal/no_creditor.html" in [t.name for t in response.templates]
    assert "ikke knyttet til en kreditor" in response.content.decode()


def test_a_removed_membership_takes_effect_at_the_next_request(client, tenant_a, tenant_b):
    membership = MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor)
    client.force_login(tenant_a.user)
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk})
    membership.delete()
    response = client.get(reverse("case_detail", args=[tenant_b.case.pk]))
    assert response.status_code == 404


def test_an_agent_sees_every_creditors_cases(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.AGENT))
    response = client.get("/")
    assert response.context["current_creditor"] is None
    assert response.context["counts"]["total"] == 2
    for tenant in (tenant_a, tenant_b):
        assert client.get(reverse("case_detail", args=[tenant.case.pk])).status_code == 200


def test_an_agent_may_focus_on_one_creditor(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.AGENT))
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk})
    response = client.get("/")
    assert response.context["current_creditor"] == tenant_b.creditor


def test_pages_are_in_danish_first_and_english_on_request(client, tenant_a):
    client.force_login(tenant_a.user)
    assert "Sager" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Cases" in client.get("/").content.decode()
