"""A creditor's administrator makes an API key in the browser, copies it, calls the API with it,
revokes it, and the API then answers 401."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from creditors.models import ApiKey, Role
from creditors.services import api_key_authenticate
from tests.factories import MembershipFactory, UserFactory

from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def call_api(live_server, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the live server's http URL)
        f"{live_server.url}/api/v1/cases/", headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_an_administrator_creates_uses_and_revokes_a_key(page, live_server, tenant_a, tenant_b):  # noqa: F811
    user = UserFactory(username="alfa-admin")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.ADMIN)
    sign_in(page, live_server, user.username)

    page.get_by_role("link", name="Indstillinger").click()
    page.get_by_role("link", name="API-nøgler").click()
    expect(page.get_by_role("heading", name="API-nøgler")).to_be_visible()
    page.get_by_placeholder("Navn").fill("ERP-integration")
    page.get_by_role("button", name="Opret nøgle").click()

    raw = page.locator("#new-api-key-value").inner_text()
    assert raw.startswith("ink_")
    key = ApiKey.objects.get(name="ERP-integration")
    assert key.creditor == tenant_a.creditor
    assert api_key_authenticate(raw) == key
    expect(page.get_by_text("Kopiér den nu: den vises ikke igen.")).to_be_visible()

    # The key works against the live API, for its own creditor's data only.
    # (A client of its own, without the browser's session cookie: the key alone decides.)
    status, body = call_api(live_server, raw)
    assert status == 200
    assert [row["id"] for row in body["results"]] == [tenant_a.case.pk]

    # Shown once: the key is in the answer to the POST only, never in the page's GET.
    page.goto(f"{live_server.url}/settings/api-keys/")
    expect(page.locator("#new-api-key-value")).to_have_count(0)
    page.get_by_role("button", name="Tilbagekald ERP-integration").click()
    expect(page.get_by_text("API-nøglen ERP-integration er tilbagekaldt.")).to_be_visible()
    assert api_key_authenticate(raw) is None
    status, body = call_api(live_server, raw)
    assert status == 401
    assert body["error"]["status"] == 401
