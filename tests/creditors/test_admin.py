"""The Django admin serves agency administrators and no one else."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from creditors.agency import AgencyRole
from creditors.models import ApiKey
from creditors.services import api_key_create
from tests.factories import TEST_PASSWORD, agency_user

pytestmark = pytest.mark.django_db


def test_a_creditor_user_cannot_use_the_admin(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_agent_cannot_use_the_admin(client):
    client.force_login(agency_user(AgencyRole.AGENT))
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_agency_admin_can_open_every_registered_models_pages(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.ADMIN))
    objects = {
        "creditor": tenant_a.creditor,
        "debtor": tenant_a.debtor,
        "case": tenant_a.case,
    }
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        if info[0] not in ("creditors", "debtors", "cases"):
            continue
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        add = client.get(reverse("admin:{}_{}_add".format(*info)))
        request = changelist.wsgi_request
        assert add.status_code == (200 if model_admin.has_add_permission(request) else 403), info
        if info[1] in objects:
            url = reverse("admin:{}_{}_change".format(*info), args=[objects[info[1]].pk])
            assert client.get(url).status_code == 200, info


def test_the_admin_lists_cases_of_every_creditor(client, tenant_a, tenant_b):
    client.force_login(agency_user(AgencyRole.ADMIN))
    body = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert tenant_a.case.reference in body
    assert tenant_b.case.reference in body


def _staff_creditor_user(tenant):
    """A creditor user given is_staff and every permission: what the probe found possible."""
    user = tenant.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    return user


def test_a_creditor_user_with_is_staff_gets_no_admin_page(client, tenant_a, tenant_b):
    api_key_create(creditor=tenant_b.creditor, name="B's ERP")
    client.force_login(_staff_creditor_user(tenant_a))
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for name in ("changelist", "add"):
            response = client.get(reverse("admin:{}_{}_{}".format(*info, name)))
            assert response.status_code == 302, (info, name)
            assert "/admin/login/" in response["Location"]
    assert client.get(reverse("admin:index")).status_code == 302
    # Minting a key for another creditor, as the probe did, is refused too.
    response = client.post(
        reverse("admin:creditors_apikey_add"),
        {"creditor": tenant_b.creditor.pk, "name": "stolen"},
    )
    assert response.status_code == 302
    assert not ApiKey.objects.filter(name="stolen").exists()


def test_a_creditor_user_with_is_staff_cannot_sign_in_to_the_admin(client, tenant_a):
    user = _staff_creditor_user(tenant_a)
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_an_agency_admin_signs_in_to_the_admin_and_sees_every_creditors_keys(
    client, tenant_a, tenant_b
):
    api_key_create(creditor=tenant_a.creditor, name="A's ERP")
    api_key_create(creditor=tenant_b.creditor, name="B's ERP")
    user = agency_user(AgencyRole.ADMIN)
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    body = client.get(reverse("admin:creditors_apikey_changelist")).content.decode()
    assert "A&#x27;s ERP" in body and "B&#x27;s ERP" in body
