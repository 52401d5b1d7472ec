"""A creditor's administrator makes an API key in the browser, copies it, and revokes it."""

import pytest
from playwright.sync_api import expect

from creditors.models import ApiKey, Role
from creditors.services import api_key_authenticate
from tests.factories import MembershipFactory, UserFactory

from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_creates_sees_once_and_revokes_a_key(page, live_server, tenant_a):  # noqa: F811
    user = UserFactory(username="alfa-admin")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.ADMIN)
    sign_in(page, live_server, user.username)

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

    # Shown once: the key is in the answer to the POST only, never in the page's GET.
    page.goto(f"{live_server.url}/settings/api-keys/")
    expect(page.locator("#new-api-key-value")).to_have_count(0)
    page.get_by_role("button", name="Tilbagekald ERP-integration").click()
    expect(page.get_by_text("API-nøglen ERP-integration er tilbagekaldt.")).to_be_visible()
    assert api_key_authenticate(raw) is None
