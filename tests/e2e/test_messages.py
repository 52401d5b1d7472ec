"""Messages on a case in a real browser (issue 15, item 1): a creditor's member writes to the
agency from the case page, the agent answers from the work screen, and the member finds the
answer under "needs your attention"; each thread updates without a reload. axe-core at 1280
and 390 px on the case page, the work screen, the dashboard and the notification settings."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseMessage, MessageSide, WorkItemReason
from cases.services import workspace
from collections_portal.tenancy import agency_scope
from tests.cases.helpers import claim, file_case
from tests.factories import agency_user

from .axe import assert_accessible, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page, live_server) -> None:  # noqa: F811
    page.get_by_role("button", name="Log ud").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_a_member_writes_to_the_agency_and_the_agent_answers(page, live_server, tenant_a):  # noqa: F811
    case = file_case(
        tenant_a.creditor, claim("M-1", "2500.00", timezone.localdate() - timedelta(days=60))
    )
    with agency_scope(reason="test: the agency's queue"):
        item = workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)
    agent = agency_user(username="agent-kim", first_name="Kim", last_name="Holm")

    # The creditor's member writes from the case page: the thread and the timeline follow.
    sign_in(page, live_server, tenant_a.user.username)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    page.goto(case_url)
    expect(page.locator("#message-none")).to_be_visible()
    form = page.locator("#message-form")
    form.get_by_role("button", name="Send til inkassobureauet").click()  # empty: refused
    expect(page.locator("#id_message-body_error")).to_contain_text("Besked")
    assert_accessible(page, "the message form with an error")
    form = page.locator("#message-form")
    form.get_by_label("Besked").fill("Har skyldner reageret på brevet?")
    form.get_by_role("button", name="Send til inkassobureauet").click()
    expect(page.locator("#message-result")).to_have_text("Beskeden er sendt.")
    expect(page.locator("#message-thread")).to_contain_text("Har skyldner reageret på brevet?")
    expect(page.locator("#case-timeline")).to_contain_text("Besked fra kreditor")
    check_page_at_widths(page, case_url)
    sign_out(page, live_server)

    # The agent sees it as new on the work screen and answers there.
    sign_in(page, live_server, agent.username)
    expect(page.locator("#unread-messages")).to_contain_text(case.reference)
    item_url = f"{live_server.url}/workspace/items/{item.pk}/"
    page.goto(item_url)
    expect(page.locator("#message-thread .message-new")).to_contain_text("Har skyldner reageret")
    form = page.locator("#message-form")
    form.get_by_label("Besked").fill("Ja, han ringer i morgen.")
    form.get_by_role("button", name="Send til kreditor").click()
    expect(page.locator("#message-result")).to_have_text("Beskeden er sendt.")
    expect(page.locator("#message-thread")).to_contain_text("Kim Holm")
    expect(page).to_have_url(item_url)  # no reload, no redirect
    check_page_at_widths(page, item_url)
    sign_out(page, live_server)

    # The member finds the answer under "needs your attention" and opens the case.
    sign_in(page, live_server, tenant_a.user.username)
    attention = page.locator("#unread-messages")
    expect(attention).to_contain_text("Ja, han ringer i morgen.")
    check_page_at_widths(page, f"{live_server.url}/")
    page.goto(f"{live_server.url}/")
    page.locator("#unread-messages a").first.click()
    expect(page.locator("#message-thread .message-new")).to_contain_text("Ja, han ringer")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#unread-messages")).to_have_count(0)

    with agency_scope(reason="test: the thread"):
        thread = list(CaseMessage.objects.filter(case=case).order_by("pk"))
    assert [m.side for m in thread] == [MessageSide.CREDITOR, MessageSide.AGENCY]
    assert all(m.read_by_creditor_at and m.read_by_agency_at for m in thread)


def test_the_notification_settings_page(page, live_server, tenant_a):  # noqa: F811
    sign_in(page, live_server, tenant_a.user.username)
    page.get_by_role("link", name="Notifikationer").click()
    expect(page.get_by_role("heading", name="Notifikationer", level=1)).to_be_visible()
    check_page_at_widths(page, f"{live_server.url}/settings/notifications/")
    page.goto(f"{live_server.url}/settings/notifications/")
    page.locator("#kind-message").get_by_label("I en daglig oversigt").check()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Dine notifikationsindstillinger er gemt.")).to_be_visible()
    expect(page.locator("#kind-message").get_by_label("I en daglig oversigt")).to_be_checked()
    assert_accessible(page, "the notification settings after saving")
