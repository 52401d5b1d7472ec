"""The portal page where a creditor's owners and administrators manage its API keys."""

import pytest
from django.urls import reverse

from creditors.agency import AgencyRole
from creditors.models import ApiKey, Role
from creditors.services import api_key_authenticate, api_key_create
from tests.factories import MembershipFactory, UserFactory, agency_user

pytestmark = pytest.mark.django_db


def member(tenant, role):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_an_owner_or_admin_creates_a_key_for_their_own_creditor_shown_once(
    client, tenant_a, tenant_b, role
):
    client.force_login(member(tenant_a, role))
    # A creditor id smuggled into the form changes nothing: the request's creditor decides.
    response = client.post(
        reverse("api_keys"), {"name": "ERP integration", "creditor": tenant_b.creditor.pk}
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "private, no-store"
    raw = response.context["new_key"]
    assert raw in response.content.decode()
    key = ApiKey.objects.get(name="ERP integration")
    assert key.creditor == tenant_a.creditor
    assert api_key_authenticate(raw) == key
    assert not ApiKey.objects.filter(creditor=tenant_b.creditor).exists()
    # The list shows the key by its prefix, never the key itself again.
    page = client.get(reverse("api_keys")).content.decode()
    assert "ERP integration" in page and key.prefix in page and raw not in page


def test_the_list_holds_only_the_own_creditors_keys(client, tenant_a, tenant_b):
    api_key_create(creditor=tenant_a.creditor, name="Alfa key")
    api_key_create(creditor=tenant_b.creditor, name="Beta key")
    client.force_login(member(tenant_a, Role.OWNER))
    body = client.get(reverse("api_keys")).content.decode()
    assert "Alfa key" in body
    assert "Beta key" not in body


def test_an_admin_revokes_an_own_key_but_another_creditors_key_is_404(client, tenant_a, tenant_b):
    own, raw = api_key_create(creditor=tenant_a.creditor, name="Alfa key")
    other, other_raw = api_key_create(creditor=tenant_b.creditor, name="Beta key")
    client.force_login(member(tenant_a, Role.ADMIN))
    assert client.post(reverse("api_key_revoke"), {"key": own.pk}).status_code == 302
    assert api_key_authenticate(raw) is None
    assert client.post(reverse("api_key_revoke"), {"key": other.pk}).status_code == 404
    assert api_key_authenticate(other_raw) == other


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_get_403(client, tenant_a, role):
    key, raw = api_key_create(creditor=tenant_a.creditor, name="Alfa key")
    client.force_login(member(tenant_a, role))
    assert client.get(reverse("api_keys")).status_code == 403
    assert client.post(reverse("api_keys"), {"name": "mine"}).status_code == 403
    assert client.post(reverse("api_key_revoke"), {"key": key.pk}).status_code == 403
    assert ApiKey.objects.filter(creditor=tenant_a.creditor).count() == 1
    assert api_key_authenticate(raw) == key


def test_an_owner_acting_for_another_creditor_manages_only_that_one(client, tenant_a, tenant_b):
    """Role is per creditor: an owner at A who is a viewer at B cannot manage B's keys."""
    user = member(tenant_a, Role.OWNER)
    MembershipFactory(user=user, creditor=tenant_b.creditor, role=Role.VIEWER)
    client.force_login(user)
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk})
    assert client.get(reverse("api_keys")).status_code == 403


def test_signed_out_users_go_to_sign_in_and_agency_staff_use_the_admin(client, tenant_a):
    assert client.get(reverse("api_keys"))["Location"].startswith(reverse("login"))
    client.force_login(agency_user(AgencyRole.AGENT))
    assert client.get(reverse("api_keys")).status_code == 403


def test_a_name_is_required(client, tenant_a):
    client.force_login(member(tenant_a, Role.OWNER))
    response = client.post(reverse("api_keys"), {"name": ""})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_the_menu_links_the_page_for_managers_only(client, tenant_a):
    # The main menu links the settings, whose menu (creditors/_settings_nav.html) links the keys.
    client.force_login(member(tenant_a, Role.ADMIN))
    assert reverse("settings") in client.get("/").content.decode()
    assert reverse("api_keys") in client.get(reverse("settings")).content.decode()
    client.force_login(tenant_a.user)  # a member
    assert reverse("settings") not in client.get("/").content.decode()
    assert client.get(reverse("settings")).status_code == 403
