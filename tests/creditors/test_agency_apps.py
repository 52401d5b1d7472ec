"""Agency administrators reach import jobs and webhooks in the admin (issue 15, item 7)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from creditors.agency import AGENCY_APPS, AgencyRole
from tests.factories import agency_user

pytestmark = pytest.mark.django_db


def test_every_agency_app_is_a_real_app_label():
    labels = {config.label for config in apps.get_app_configs()}
    assert set(AGENCY_APPS) <= labels
    assert all(list(apps.get_app_config(label).get_models()) for label in AGENCY_APPS)


@pytest.mark.parametrize("app_label", ["imports", "webhooks"])
def test_an_agency_admin_opens_the_import_and_webhook_pages(client, tenant_a, app_label):
    client.force_login(agency_user(AgencyRole.ADMIN))
    registered = [m for m in admin.site._registry if m._meta.app_label == app_label]
    assert registered
    for model in registered:
        url = reverse(f"admin:{app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    assert f"/admin/{app_label}/" in client.get(reverse("admin:index")).content.decode()
