"""An agent in the browser: opens a dispute and decides it both ways (each with its letter),
escalates a case to a betalingspåkrav from its review page and sees the next step offered, sets
a callback that "next case" returns only at its time, and works the queue and the screen with
keyboard shortcuts; the changed pages pass axe at 1280 and 390 px."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseState, Dispute, LegalStep, LegalStepKind, WorkItem, WorkItemReason
from cases.services import workspace
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from notices.models import Notice, NoticeKind
from tests.cases.helpers import claim, file_case
from tests.cases.test_legal import case_in_collection
from tests.factories import agency_user

from .axe import check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def raise_item(case, reason=WorkItemReason.NEW_IN_COLLECTION):
    with agency_scope(reason="test: the agency's queue"):
        return workspace.work_item_raise(case=case, reason=reason)


def open_and_decide(tab, *, reason: str, outcome: str, answer: str, amount: str = ""):
    tab.locator("details:has(#action-dispute-open) > summary").click()
    form = tab.locator("#action-dispute-open")
    form.get_by_label("Hvad skyldneren bestrider").select_option("amount")
    form.get_by_label("Begrundelse").fill(reason)
    form.get_by_role("button", name="Registrér indsigelsen").click()
    expect(tab.get_by_text("Indsigelsen er registreret")).to_be_visible()
    expect(tab.locator("#letters")).to_contain_text("Kvittering for indsigelse")
    decide = tab.locator("#action-dispute-decide")
    decide.locator(f"input[name=outcome][value={outcome}]").check()
    if amount:
        decide.get_by_label("Ved medhold").select_option("write_down")
        decide.locator("input[name=amount]").fill(amount)
    decide.locator("textarea[name=note]").fill(answer)
    decide.get_by_role("button", name="Afgør og send brevet").click()
    expect(tab.get_by_text("Indsigelsen er afgjort")).to_be_visible()
    expect(tab.locator("#letters")).to_contain_text("Svar på indsigelse")


def test_an_agent_decides_disputes_both_ways_and_files_a_payment_claim(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
):
    rejected = file_case(tenant_a.creditor, claim("D-1", "1200.00", date.today() - timedelta(30)))
    upheld = file_case(tenant_a.creditor, claim("D-2", "800.00", date.today() - timedelta(30)))
    legal = case_in_collection(tenant_a.creditor)
    items = [raise_item(rejected), raise_item(upheld)]
    with agency_scope(reason="test"):
        legal_item = WorkItem.objects.get(case=legal, reason=WorkItemReason.NEW_IN_COLLECTION)
    sign_in(page, live_server, agency_user(username="agent-kim", first_name="Kim").username)

    page.goto(f"{live_server.url}/workspace/items/{items[0].pk}/")
    open_and_decide(page, reason="Prisen var aftalt lavere", outcome="rejected",
                    answer="Prisen fremgår af ordrebekræftelsen.")  # fmt: skip
    expect(page.locator("#timeline")).to_contain_text("Indsigelse besvaret")
    page.goto(f"{live_server.url}/workspace/items/{items[1].pk}/")
    open_and_decide(page, reason="Rabat mangler", outcome="upheld", answer="Rabatten gives.",
                    amount="100,00")  # fmt: skip
    expect(page.locator("#timeline")).to_contain_text("Kravet nedskrevet")
    with agency_scope(reason="test: what the agent did"):
        assert Dispute.objects.get(case=rejected).outcome == "rejected"
        assert Dispute.objects.get(case=upheld).outcome == "upheld"
        for case in (rejected, upheld):
            case.refresh_from_db()
            assert case.state != CaseState.CLOSED
            assert Notice.objects.filter(case=case, kind=NoticeKind.DISPUTE_ANSWER).count() == 1
    check_page_at_widths(page, f"{live_server.url}/workspace/items/{items[1].pk}/")

    page.goto(f"{live_server.url}/workspace/items/{legal_item.pk}/")
    page.locator("details:has(#payment-claim-review) > summary").click()
    page.get_by_role("link", name="Forbered betalingspåkravet til gennemsyn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Betalingspåkrav")
    expect(page.locator("#payment-claim-parties")).to_contain_text(tenant_a.creditor.cvr)
    expect(page.locator("#payment-claim-amounts")).to_contain_text("5.000,00")
    expect(page.locator("#payment-claim-amounts")).to_contain_text("750,00")
    check_page_at_widths(page, page.url)
    form = page.locator("#action-legal-payment-claim")
    form.get_by_label("Ret (byret / fogedret)").fill("Retten i Glostrup")
    form.get_by_role("button", name="Indgiv betalingspåkravet").click()
    expect(page.get_by_text("Det retlige skridt er registreret.")).to_be_visible()
    expect(page.locator("#action-legal-endorsed")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Betalingspåkrav indleveret")
    with agency_scope(reason="test"):
        step = LegalStep.objects.get(case=legal)
        assert step.kind == LegalStepKind.PAYMENT_CLAIM_FILED and "Glostrup" in step.note
    page.locator("#action-legal-endorsed").get_by_role("button").click()
    expect(page.locator("#action-legal-enforcement")).to_be_visible()


def test_a_callback_returns_at_its_time_and_shortcuts_work_the_queue(
    page,  # noqa: F811
    live_server,
    tenant_a,
):
    case = file_case(tenant_a.creditor, claim("C-1", "900.00", date.today() - timedelta(20)))
    item = raise_item(case)
    agent = agency_user(username="agent-ole", first_name="Ole", last_name="Lund")
    sign_in(page, live_server, agent.username)
    page.goto(f"{live_server.url}/workspace/")
    # ? opens the list of shortcuts, Esc closes it; n takes the next case.
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()
    page.keyboard.press("n")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    # c puts the focus in the contact form; typing there is typing, not a shortcut.
    page.keyboard.press("c")
    expect(page.locator("#action-contact select[name=channel]")).to_be_focused()
    page.locator("#action-contact textarea[name=note]").fill("")
    page.locator("#action-contact textarea[name=note]").press_sequentially("snak")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.locator("#action-contact textarea[name=note]")).to_have_value("snak")

    at = timezone.localtime() + timedelta(hours=2)
    page.locator("details:has(#action-callback) > summary").click()
    callback = page.locator("#action-callback")
    callback.locator("input[name=at]").fill(at.strftime("%Y-%m-%dT%H:%M"))
    callback.get_by_role("button", name="Aftal tilbagekald").click()
    expect(page.get_by_text("Tilbagekaldet er aftalt.")).to_be_visible()
    page.keyboard.press("s")  # save and next: this item closes, the callback is not due
    expect(page.get_by_text("Køen er tom")).to_be_visible()
    with agency_scope(reason="test"):
        callback_item = WorkItem.objects.get(case=case, reason=WorkItemReason.CALLBACK)
        assert WorkItem.objects.get(pk=item.pk).status == "done"
    with time_machine.travel(at + timedelta(minutes=1), tick=True):
        page.goto(f"{live_server.url}/workspace/")
        page.keyboard.press("n")
        expect(page).to_have_url(f"{live_server.url}/workspace/items/{callback_item.pk}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Tilbagekald forfaldent")
    for path in ("/workspace/", "/workspace/?tab=team"):
        check_page_at_widths(page, f"{live_server.url}{path}")


def test_a_supervisor_makes_a_team_and_an_agent_sees_its_items(
    page,  # noqa: F811
    live_server,
    tenant_a,
):
    case = file_case(tenant_a.creditor, claim("T-1", "500.00", date.today() - timedelta(20)))
    item = raise_item(case)
    mate = agency_user(username="agent-mia")
    with creditor_scope(tenant_a.creditor):
        WorkItem.objects.filter(pk=item.pk).update(assignee=mate)
    supervisor = agency_user(AgencyRole.SUPERVISOR, username="supervisor-sus")
    sign_in(page, live_server, supervisor.username)
    page.goto(f"{live_server.url}/workspace/teams/")
    page.get_by_label("Navn").fill("Hold Syd")
    page.get_by_role("button", name="Opret teamet").click()
    expect(page.get_by_role("heading", name="Hold Syd")).to_be_visible()
    for username in ("agent-mia", "supervisor-sus"):
        page.get_by_label("Brugernavn på den medarbejder, der skal tilføjes").fill(username)
        page.get_by_role("button", name="Føj til teamet").click()
        expect(page.get_by_text("Medlemmet er føjet til teamet.")).to_be_visible()
    check_page_at_widths(page, f"{live_server.url}/workspace/teams/")
    page.goto(f"{live_server.url}/workspace/?tab=team")
    expect(page.locator("#work-queue")).to_contain_text(case.reference)
