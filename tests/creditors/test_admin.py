"""The Django admin serves agency administrators and no one else."""

import pytest
from django.contrib import admin
from django.urls import reverse

from creditors.agency import AgencyRole
from tests.factories import agency_user

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
