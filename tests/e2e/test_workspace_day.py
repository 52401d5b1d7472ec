"""An agent's day in the browser: five items worked one after the other with "Next case" and
"Save and next", contacts logged, a promise to pay made; the clock moved past the promised date
and its grace days with no money: the promise is broken and the case is back in the queue."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import (
    ContactLog,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
)
from cases.scheduler import advance_due_cases
from cases.services import lifecycle, workspace
from collections_portal.tenancy import agency_scope, creditor_scope
from tests.cases.helpers import at, claim, file_case
from tests.factories import agency_user

from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_works_five_items_and_a_broken_promise_comes_back(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
):
    today = timezone.localdate()
    cases = []
    for n in range(5):
        # Balances apart, so the queue's order (and "next") is the order of the balances.
        case = file_case(
            tenant_a.creditor,
            claim(f"DAY-{n}", f"{(5 - n) * 1000}.00", today - timedelta(days=60)),
        )
        with creditor_scope(tenant_a.creditor):
            lifecycle.case_send_warning(case=case, on=today - timedelta(days=20))
            lifecycle.case_hand_over(case=case, on=today - timedelta(days=5))
        cases.append(case)
    with agency_scope(reason="test: the agency's queue"):
        for case in cases:
            workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)
    agent = agency_user(username="agent-dea", first_name="Dea", last_name="Lund")
    sign_in(page, live_server, agent.username)
    page.goto(f"{live_server.url}/workspace/")
    page.get_by_role("button", name="Næste sag").click()

    pay_by = today + timedelta(days=2)
    promised = None
    seen = []
    for n in range(5):
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_be_visible()
        title = heading.inner_text()
        seen.append(title)
        contact = page.locator("#action-contact")
        contact.locator("select[name=outcome]").select_option("reached" if n == 2 else "no_answer")
        contact.locator("textarea[name=note]").fill(f"Opkald {n + 1}")
        contact.get_by_role("button", name="Gem kontakt").click()
        expect(page.get_by_text("Kontakten er registreret.")).to_be_visible()
        if n == 2:
            page.locator("details:has(#action-promise) > summary").click()
            promise = page.locator("#action-promise")
            promise.locator("input[name=amount]").fill("500,00")
            promise.locator("input[name=pay_by]").fill(pay_by.isoformat())
            promise.get_by_role("button", name="Gem og næste").click()
            promised = title
        else:
            page.locator("#action-close input[name=note]").fill("Arbejdet")
            page.locator("#save-next").click()
        if n < 4:
            expect(page.get_by_role("heading", level=1)).not_to_have_text(title)
    # Five different cases, in the order of the queue: the largest balance first.
    assert len(set(seen)) == 5
    with agency_scope(reason="test: what the agent did"):
        assert ContactLog.objects.filter(user=agent).count() == 5
        assert not WorkItem.objects.filter(
            reason=WorkItemReason.NEW_IN_COLLECTION, status=WorkItemStatus.OPEN
        ).exists()
        promise = PromiseToPay.objects.get()
        broken_case = promise.case
    assert broken_case.reference in promised

    # The clock moves past the promised day and its grace days; no money came.
    later = pay_by + timedelta(days=settings.PROMISE_GRACE_DAYS + 1)
    with at(later, hour=10):
        advance_due_cases(now=timezone.now())
        with agency_scope(reason="test: the broken promise"):
            assert PromiseToPay.objects.get().kept is False
            item = WorkItem.objects.get(
                case=broken_case, reason=WorkItemReason.PROMISE_BROKEN, status=WorkItemStatus.OPEN
            )
        page.goto(f"{live_server.url}/workspace/")
        row = page.locator("#work-queue tbody tr").first
        expect(row).to_contain_text(broken_case.reference)
        expect(row).to_contain_text("Betalingsløfte brudt")
        page.get_by_role("button", name="Næste sag").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(broken_case.reference)
        expect(page.locator("#timeline")).to_contain_text("Betalingsløfte brudt")
    with agency_scope(reason="test: the lease"):
        assert WorkItem.objects.get(pk=item.pk).leased_by == agent
