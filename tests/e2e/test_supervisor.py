"""The plan builder, the approval inbox and the supervisor board in a real browser: an agent
previews and starts a plan within the policy (the acknowledgement of debt is rendered to a
PDF) and sends one outside it to a supervisor, who approves it in the inbox; the supervisor
reassigns items in bulk on the board; axe-core on the new pages at 1280 and 390 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import (
    ApprovalRequest,
    ApprovalStatus,
    InstalmentPlan,
    PlanStatus,
    WorkItem,
    WorkItemReason,
)
from cases.services import workspace
from collections_portal.tenancy import agency_scope
from creditors.agency import AgencyRole
from notices.models import Notice, NoticeKind
from notices.tasks import render_notice
from tests.cases.helpers import claim, file_case
from tests.factories import agency_user

from .axe import assert_accessible, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _item(creditor, number: str, principal: str = "1200.00"):
    # Due in the future: no interest runs, so the amounts are round.
    case = file_case(creditor, claim(number, principal, timezone.localdate() + timedelta(days=20)))
    with agency_scope(reason="test: the agency's queue"):
        return workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)


def test_plans_inside_and_outside_the_policy_and_the_inbox(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    inside, outside = _item(tenant_a.creditor, "PL-1"), _item(tenant_a.creditor, "PL-2")
    agent = agency_user(username="agent-plan", first_name="Kim", last_name="Holm")
    sign_in(page, live_server, agent.username)

    # Within the policy: 3 instalments of 400,00, the preview shows them as they are typed.
    url = f"{live_server.url}/workspace/items/{inside.pk}/"
    page.goto(url)
    page.locator("#plan-panel > summary").click()
    builder = page.locator("#plan-builder")
    builder.get_by_label("Antal afdrag").fill("3")
    expect(page.locator("#plan-schedule")).to_contain_text("400,00")
    expect(page.locator("#plan-policy")).to_contain_text("Inden for politikken")
    assert_accessible(page, "the plan builder with its preview")
    builder.get_by_role("button", name="Start afdragsordningen").click()
    expect(page.get_by_text("Afdragsordningen er startet")).to_be_visible()
    expect(page.locator("#plan-instalments tbody tr")).to_have_count(3)
    expect(page.locator("#timeline")).to_contain_text("Kim Holm")
    check_page_at_widths(page, url)

    with agency_scope(reason="test: the letter"):
        assert InstalmentPlan.objects.get(case=inside.case).status == PlanStatus.ACTIVE
        notice = Notice.objects.get(case=inside.case, kind=NoticeKind.ACKNOWLEDGEMENT)
    render_notice.apply((notice.pk,), {"creditor_id": tenant_a.creditor.pk}).get()
    with agency_scope(reason="test: the letter"):
        notice.refresh_from_db()
        assert notice.pdf and notice.pdf.read(5) == b"%PDF-"

    # The signature date when the signed acknowledgement comes back.
    page.goto(url)
    signed = page.locator("#plan-signed")
    signed.locator("input[name=signed_on]").fill(timezone.localdate().isoformat())
    signed.get_by_role("button", name="Registrér underskriften").click()
    expect(page.get_by_text("Underskriftsdatoen er registreret.")).to_be_visible()
    expect(page.locator("#plan-signed-on")).to_be_visible()

    # Outside the policy: instalments of 100,00 are under the minimum of 200,00.
    page.goto(f"{live_server.url}/workspace/items/{outside.pk}/")
    page.locator("#plan-panel > summary").click()
    builder = page.locator("#plan-builder")
    builder.get_by_label("Eller beløb pr. afdrag").fill("100")
    expect(page.locator("#plan-policy")).to_contain_text("Uden for politikken")
    expect(page.locator("#plan-breaches")).to_contain_text("200,00")
    builder.get_by_label("Hvorfor").fill("Skyldneren er på dagpenge.")
    builder.get_by_role("button", name="Start afdragsordningen").click()
    expect(page.locator("#plan-status")).to_contain_text("Afventer en supervisors godkendelse")
    # The agent may not open the inbox.
    assert page.goto(f"{live_server.url}/workspace/approvals/").status == 403

    supervisor = agency_user(
        AgencyRole.SUPERVISOR, username="supervisor-plan", first_name="Sofie", last_name="Lund"
    )
    page.context.clear_cookies()
    sign_in(page, live_server, supervisor.username)
    page.goto(f"{live_server.url}/workspace/")
    page.get_by_role("link", name="Godkendelser").click()
    with agency_scope(reason="test"):
        request = ApprovalRequest.objects.get(case=outside.case)
    card = page.locator(f"#approval-{request.pk}")
    expect(card).to_contain_text("Skyldneren er på dagpenge.")
    expect(card).to_contain_text("12 afdrag på 100,00")
    check_page_at_widths(page, f"{live_server.url}/workspace/approvals/")
    card = page.locator(f"#approval-{request.pk}")
    card.locator(".approval-approve").get_by_role("button", name="Godkend").click()
    expect(page.get_by_text("Godkendt.")).to_be_visible()
    expect(page.locator("#inbox-empty")).to_be_visible()
    with agency_scope(reason="test"):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.APPROVED and request.decided_by == supervisor
        assert InstalmentPlan.objects.get(case=outside.case).status == PlanStatus.ACTIVE
        assert Notice.objects.filter(case=outside.case, kind=NoticeKind.ACKNOWLEDGEMENT).exists()


def test_a_supervisor_reassigns_items_in_bulk(
    page,  # noqa: F811
    live_server,
    tenant_a,
    tenant_b,
):
    items = [_item(tenant_a.creditor, "RA-1"), _item(tenant_b.creditor, "RA-2")]
    keep = _item(tenant_a.creditor, "RA-3")
    agent = agency_user(username="agent-bulk", first_name="Ida", last_name="Berg")
    supervisor = agency_user(AgencyRole.SUPERVISOR, username="supervisor-bulk")
    sign_in(page, live_server, supervisor.username)
    page.goto(f"{live_server.url}/workspace/")
    page.get_by_role("link", name="Supervisoroversigt").click()
    expect(page.get_by_role("heading", name="Supervisoroversigt", level=1)).to_be_visible()
    expect(page.locator("#by-reason")).to_contain_text("3")
    check_page_at_widths(page, f"{live_server.url}/workspace/board/")
    for item in items:
        page.locator(f"#pick-{item.pk}").check()
    page.locator("#reassign-to").select_option(label="Ida Berg")
    page.get_by_role("button", name="Omfordel", exact=True).click()
    expect(page.get_by_text("2 opgaver omfordelt.")).to_be_visible()
    expect(page.locator("#agents")).to_contain_text("Ida Berg")
    with agency_scope(reason="test"):
        assert set(WorkItem.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
            item.pk for item in items
        }
        assert WorkItem.objects.get(pk=keep.pk).assignee is None
