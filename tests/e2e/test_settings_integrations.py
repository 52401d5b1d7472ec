"""A creditor's administrator sets up a webhook endpoint, test-fires it to a real local
receiver (sent by a real Celery worker), sees the delivery in the log and replays it; changes
the collection policy and is refused with the law's reason; sets a channel policy. axe-core
finds no serious violation on any of the pages, at the desktop and the phone width."""

import time

import pytest
from playwright.sync_api import expect

from collections_portal.celery import app
from collections_portal.tenancy import creditor_scope
from creditors.models import CreditorEvent, Role
from integrations.webhooks.models import WebhookEndpoint
from integrations.webhooks.signing import verify
from notices.delivery.models import ChannelPolicy
from tests.factories import MembershipFactory, UserFactory
from tests.webhooks.conftest import receiver  # noqa: F401 (the fixture)

from .axe import PHONE, assert_accessible, assert_no_sideways_scroll, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def webhook_worker(request, monkeypatch, settings):
    """A real worker that may call the loopback receiver, and this process queueing to it."""
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True  # the live server's URL check
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE_HOSTS", "1")  # the worker's
    queue = request.getfixturevalue("worker")
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    return queue


def accessible_here(page) -> None:  # noqa: F811 (a page, not the fixture)
    """The page as it is (the answer to a POST) at both widths."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page, f"{page.url} at 390 px")
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def reload_until(page, locator, text: str, timeout: float = 60) -> None:  # noqa: F811
    """Reload until ``locator`` has ``text`` (the worker sends in its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        page.reload()
        if text in locator.inner_text() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(locator).to_contain_text(text)


def test_an_admin_sets_up_tests_and_replays_a_webhook(
    page,  # noqa: F811
    live_server,
    tenant_a,
    receiver,  # noqa: F811
    webhook_worker,
):
    user = UserFactory(username="alfa-admin")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.ADMIN)
    sign_in(page, live_server, user.username)

    page.get_by_role("link", name="Indstillinger").click()
    page.locator(".settings-nav").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()
    check_page_at_widths(page, f"{live_server.url}/settings/webhooks/")
    page.get_by_role("button", name="Tilføj en modtager").click()
    check_page_at_widths(page, page.url)

    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Beskrivelse").fill("ERP")
    page.get_by_label("Sag oprettet").check()
    page.get_by_label("Betaling modtaget").check()
    page.get_by_role("button", name="Opret modtager").click()

    secret = page.locator("#webhook-secret-value").inner_text()
    assert secret.startswith("whsec_")
    expect(page.get_by_text("Kopiér den nu: den vises ikke igen.")).to_be_visible()
    accessible_here(page)
    with creditor_scope(tenant_a.creditor):
        endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.created", "payment.received"]

    page.get_by_role("button", name="Gå til modtageren").click()
    expect(page.locator("#webhook-secret-value")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Send en testhændelse").click()
    expect(page.get_by_text("En testhændelse er på vej")).to_be_visible()
    receiver.wait(1, timeout=90)
    [test_event] = receiver.requests
    assert test_event.headers["Webhook-Event"] == "webhook.test"
    assert verify(secret, test_event.headers["Webhook-Signature"], test_event.body)

    log = page.locator("#webhook-delivery-log tbody tr").first
    reload_until(page, log, "Lykkedes")
    expect(log).to_contain_text("Testhændelse")
    expect(log).to_contain_text("200")
    check_page_at_widths(page, page.url)

    log.get_by_role("button", name="Gensend").click()
    expect(page.get_by_text("Hændelsen sendes igen som en ny levering")).to_be_visible()
    receiver.wait(2, timeout=90)
    assert receiver.requests[1].headers["Webhook-Id"] == test_event.headers["Webhook-Id"]
    rows = page.locator("#webhook-delivery-log tbody tr")
    reload_until(page, rows.first, "Lykkedes")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("gensendt")

    with creditor_scope(tenant_a.creditor):
        events = CreditorEvent.objects.filter(creditor=tenant_a.creditor).order_by("pk")
        logged = list(events.values_list("code", "actor_id"))
    assert logged == [
        ("webhook.endpoint_created", user.pk),
        ("webhook.test_sent", user.pk),
        ("webhook.delivery_replayed", user.pk),
    ]


def test_an_admin_is_refused_a_loose_policy_and_sets_channels(page, live_server, tenant_a):  # noqa: F811
    user = UserFactory(username="alfa-admin")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.ADMIN)
    sign_in(page, live_server, user.username)

    page.get_by_role("link", name="Indstillinger").click()
    page.locator(".settings-nav").get_by_role("link", name="Inkassopolitik").click()
    expect(page.get_by_role("heading", name="Inkassopolitik")).to_be_visible()
    check_page_at_widths(page, page.url)
    page.get_by_label("Dage mellem rykkere").fill("5")
    page.get_by_role("button", name="Gem politikken").click()
    refusal = page.locator("#id_policy_reminder_interval_days_error")
    expect(refusal).to_contain_text("mindst 10 dage mellem rykkere")
    expect(refusal).to_contain_text("renteloven § 9 b, DK@2024-01-01")
    accessible_here(page)
    tenant_a.creditor.refresh_from_db()
    assert tenant_a.creditor.policy_reminder_interval_days == 10

    page.get_by_label("Dage mellem rykkere").fill("14")
    page.get_by_role("button", name="Gem politikken").click()
    expect(page.get_by_text("Inkassopolitikken er gemt.")).to_be_visible()
    expect(page.locator("#settings-history")).to_contain_text("10 → 14")
    tenant_a.creditor.refresh_from_db()
    assert tenant_a.creditor.policy_reminder_interval_days == 14

    page.locator(".settings-nav").get_by_role("link", name="Kanaler").click()
    expect(page.get_by_role("heading", name="Kanaler pr. brev")).to_be_visible()
    check_page_at_widths(page, page.url)
    warning = page.locator("#channels-warning")
    expect(warning).to_contain_text("Standard")
    warning.get_by_label("Kanaler for Inkassovarsel").fill("email")
    warning.get_by_role("button", name="Gem kanalerne for Inkassovarsel").click()
    refusal = page.locator("#channels-warning-error")
    expect(refusal).to_contain_text("registrerede adresse")
    expect(refusal).to_contain_text("inkassoloven § 10")
    accessible_here(page)

    warning = page.locator("#channels-warning")
    warning.get_by_label("Kanaler for Inkassovarsel").fill("digital_post > print + email")
    warning.get_by_role("button", name="Gem kanalerne for Inkassovarsel").click()
    expect(page.get_by_text("Kanalerne for Inkassovarsel er gemt.")).to_be_visible()
    expect(page.locator("#channels-warning")).to_contain_text(
        "Digital Post, ellers Brev (print) og E-mail"
    )
    with creditor_scope(tenant_a.creditor):
        assert ChannelPolicy.objects.get(kind="warning").channels == "digital_post > print + email"
