"""A person signs in with a real browser (Debian's Chromium) and sees their creditor's home."""

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from creditors.models import Role
from tests.factories import TEST_PASSWORD, CaseFactory, MembershipFactory

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in the test's thread; Django's ORM refuses to
    # run in a thread with a running loop unless told it is safe, which it is in this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 800})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # Inside Playwright's event loop the ORM holds a connection of its own; closing it
            # here lets the test database be dropped at the end of the run.
            connections.close_all()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_sign_in_and_see_the_home_page(page, live_server, tenant_a, tenant_b, tmp_path):
    CaseFactory(creditor=tenant_a.creditor)
    sign_in(page, live_server, tenant_a.user.username)

    expect(page.locator("#creditor-name")).to_have_text(tenant_a.creditor.name)
    expect(page.locator("#case-count")).to_have_text("2")
    expect(page.get_by_text(tenant_b.creditor.name)).to_have_count(0)
    screenshot = tmp_path / "home.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


def test_switch_creditor_and_language(page, live_server, tenant_a, tenant_b, tmp_path):
    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.VIEWER)
    sign_in(page, live_server, tenant_a.user.username)
    expect(page.locator("#creditor-name")).to_have_text(tenant_a.creditor.name)

    page.locator("#creditor-select").select_option(label=tenant_b.creditor.name)
    expect(page.locator("#creditor-name")).to_have_text(tenant_b.creditor.name)
    expect(page.locator("#case-count")).to_have_text("1")

    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=str(tmp_path / "home-en.png"), full_page=True)
