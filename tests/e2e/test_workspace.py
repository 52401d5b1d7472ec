"""An agent works the queue in the browser: "next case", logs a contact, makes a promise,
"save and next" opens the following item; the workspace pages pass axe at 1280 and 390 px."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ContactLog, PromiseToPay, WorkItem, WorkItemReason, WorkItemStatus
from cases.services import workspace
from collections_portal.tenancy import agency_scope
from creditors.agency import AgencyRole
from tests.cases.helpers import claim, file_case
from tests.factories import ContactPointFactory, agency_user

from .axe import check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_takes_next_logs_a_contact_promises_and_gets_the_next(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
    tenant_b,
):
    big = file_case(tenant_a.creditor, claim("E-1", "40000.00", date.today() - timedelta(days=90)))
    small = file_case(tenant_b.creditor, claim("E-2", "300.00", date.today() - timedelta(days=5)))
    with agency_scope(reason="test: the agency's queue"):
        ContactPointFactory(creditor=big.creditor, debtor=big.debtor)
        first = workspace.work_item_raise(case=big, reason=WorkItemReason.NEW_IN_COLLECTION)
        second = workspace.work_item_raise(case=small, reason=WorkItemReason.CALLBACK)
    agent = agency_user(username="agent-kim", first_name="Kim", last_name="Holm")
    sign_in(page, live_server, agent.username)

    page.get_by_role("link", name="Arbejdskø").click()
    expect(page.get_by_role("heading", name="Arbejdskø")).to_be_visible()
    expect(page.locator("#work-queue tbody tr").first).to_contain_text(big.reference)
    page.get_by_role("button", name="Næste sag").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(big.reference)

    contact = page.locator("#action-contact")
    contact.locator("select[name=outcome]").select_option("reached")
    contact.locator("textarea[name=note]").fill("Skyldneren vil betale")
    contact.get_by_role("button", name="Gem kontakt").click()
    expect(page.get_by_text("Kontakten er registreret.")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Kim Holm")

    page.locator("details:has(#action-promise) > summary").click()
    promise = page.locator("#action-promise")
    pay_by = timezone.localdate() + timedelta(days=10)
    promise.locator("input[name=amount]").fill("1.500,00")
    promise.locator("input[name=pay_by]").fill(pay_by.isoformat())
    promise.get_by_role("button", name="Gem og næste").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(small.reference)

    with agency_scope(reason="test: what the agent did"):
        assert PromiseToPay.objects.get(case=big).amount == Decimal("1500.00")
        assert ContactLog.objects.get(case=big).user == agent
        done = WorkItem.objects.get(pk=first.pk)
        assert (done.status, done.closed_by) == (WorkItemStatus.DONE, agent)
        assert WorkItem.objects.get(pk=second.pk).leased_by == agent

    for path in ("/workspace/", f"/workspace/items/{second.pk}/", f"/workspace/items/{first.pk}/"):
        check_page_at_widths(page, f"{live_server.url}{path}")
    supervisor = agency_user(AgencyRole.SUPERVISOR, username="supervisor-sus")
    page.context.clear_cookies()
    sign_in(page, live_server, supervisor.username)
    check_page_at_widths(page, f"{live_server.url}/workspace/weights/")
