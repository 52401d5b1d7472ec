"""API keys: shown once, stored hashed, scoped to their creditor, revocable."""

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from creditors.models import ApiKey
from creditors.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_a_key_is_stored(tenant_a):
    key, raw = api_key_create(creditor=tenant_a.creditor, name="ERP")
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw.startswith(f"ink_{stored.prefix}_")
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.prefix, stored.name}


def test_a_request_without_credentials_is_401():
    response = APIClient().get(reverse("api-root"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["status"] == 401


def test_a_valid_key_is_accepted_and_its_use_recorded(tenant_a):
    key, raw = api_key_create(creditor=tenant_a.creditor, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(reverse("api-root")).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize("tamper", ["revoke", "wrong-secret", "garbage"])
def test_a_revoked_or_wrong_key_is_401(tenant_a, tamper):
    key, raw = api_key_create(creditor=tenant_a.creditor, name="ERP")
    if tamper == "revoke":
        api_key_revoke(key=key)
    elif tamper == "wrong-secret":
        raw = raw[:-4] + ("aaaa" if not raw.endswith("aaaa") else "bbbb")
    else:
        raw = "not-a-key"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get(reverse("api-root"))
    assert response.status_code == 401
    assert "API key" in response.json()["error"]["message"]


def test_the_admin_shows_a_new_key_once(client, tenant_a):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:creditors_apikey_add"),
        {"creditor": tenant_a.creditor.pk, "name": "Bookkeeping"},
        follow=True,
    )
    key = ApiKey.objects.get(name="Bookkeeping")
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"ink_{key.prefix}_" in m for m in shown)
    assert key.created_by == admin_user
    # The list page later shows only the prefix.
    page = client.get(reverse("admin:creditors_apikey_changelist")).content.decode()
    assert key.prefix in page
    assert key.key_hash not in page


def test_the_schema_and_docs_are_served_from_local_files(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()
