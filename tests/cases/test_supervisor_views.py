"""The plan builder, write-off and supervisor pages through the browser's requests: agents
build plans and ask for write-offs, supervisors decide in the inbox and reassign on the board;
agents get 403 on every supervisor page and POST; the board's query count is fixed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import board as board_data
from cases.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CaseEvent,
    ContactOutcome,
    InstalmentPlan,
    PaymentMethod,
    PlanStatus,
    WorkItem,
    WorkItemReason,
)
from cases.services import lifecycle, payment_register, workspace
from cases.services.approvals import write_off_request
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from tests.factories import agency_user

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return agency_user(AgencyRole.AGENT, first_name="Anna", last_name="Agent")


@pytest.fixture
def supervisor():
    return agency_user(AgencyRole.SUPERVISOR, first_name="Sofie", last_name="Supervisor")


def make_item(creditor, number: str, principal: str = "1000.00"):
    # Due in the future: no interest, round amounts.
    case = file_case(creditor, claim(number, principal, timezone.localdate() + timedelta(days=30)))
    with creditor_scope(creditor):
        return workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)


@pytest.fixture
def item(tenant_a):
    return make_item(tenant_a.creditor, "SV-1")


def supervisor_paths(item) -> list[tuple[str, str]]:
    return [
        ("get", reverse("work:board")),
        ("get", reverse("work:inbox")),
        ("post", reverse("work:decide", kwargs={"approval_id": 1, "decision": "approve"})),
        ("post", reverse("work:reassign_items")),
        ("post", reverse("work:reassign_cases")),
    ]


def test_agents_are_refused_every_supervisor_page_and_post(client, item, agent, supervisor):
    with agency_scope(reason="test"):
        request = write_off_request(case=item.case, user=supervisor, amount="10.00", reason="R.")
    client.force_login(agent)
    for method, path in supervisor_paths(item):
        assert getattr(client, method)(path).status_code == 403, path
    url = reverse("work:decide", kwargs={"approval_id": request.pk, "decision": "approve"})
    assert client.post(url).status_code == 403
    reassign = client.post(
        reverse("work:reassign_items"), {"items": [item.pk], "assignee": agent.pk}
    )
    assert reassign.status_code == 403
    with agency_scope(reason="test"):
        request.refresh_from_db()
        item.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING and item.assignee_id is None


def test_the_preview_shows_the_exact_schedule_in_danish(client, item, agent):
    client.force_login(agent)
    first = timezone.localdate() + timedelta(days=1)
    url = reverse("work:plan_preview", kwargs={"item_id": item.pk})
    page = client.get(
        url,
        {"count": "3", "first_due": first.isoformat(), "interval_months": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="da",
    )
    html = page.content.decode()
    assert page.status_code == 200 and "<html" not in html  # a fragment
    assert html.count("333,33") == 2 and "333,34" in html and "1.000,00" in html
    assert "Inden for politikken" in html
    bad = client.get(url, {"amount": "1000.01", "first_due": first.isoformat()})
    assert "1.000,00" in bad.content.decode() or "1,000.00" in bad.content.decode()
    with agency_scope(reason="test"):
        assert not InstalmentPlan.objects.exists()  # a preview writes nothing


def test_an_agent_builds_plans_inside_and_outside_the_policy(client, tenant_a, agent, supervisor):
    inside, outside = make_item(tenant_a.creditor, "SV-2"), make_item(tenant_a.creditor, "SV-3")
    client.force_login(agent)
    first = timezone.localdate().isoformat()
    client.post(reverse("work:plan", args=[inside.pk]), {"count": "4", "first_due": first})
    client.post(
        reverse("work:plan", args=[outside.pk]),
        {"amount": "50", "first_due": first, "reason": "Low income."},
    )
    with agency_scope(reason="test"):
        assert InstalmentPlan.objects.get(case=inside.case).status == PlanStatus.ACTIVE
        plan = InstalmentPlan.objects.get(case=outside.case)
        assert plan.status == PlanStatus.PROPOSED and plan.instalments.count() == 20
        request = ApprovalRequest.objects.get(case=outside.case, kind=ApprovalKind.PLAN)
    screen = client.get(reverse("work:item", args=[outside.pk]), HTTP_ACCEPT_LANGUAGE="da")
    assert "Afventer en supervisors godkendelse" in screen.content.decode()

    client.force_login(supervisor)
    inbox = client.get(reverse("work:inbox"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert f'id="approval-{request.pk}"' in inbox and "Low income." in inbox
    client.post(reverse("work:decide", args=[request.pk, "approve"]), {"note": "Fine."})
    with agency_scope(reason="test"):
        plan.refresh_from_db()
        assert plan.status == PlanStatus.ACTIVE
        assert CaseEvent.objects.filter(case=outside.case, code="approval.approved").exists()


def test_a_write_off_is_asked_and_rejected_through_the_pages(client, item, agent, supervisor):
    client.force_login(agent)
    client.post(
        reverse("work:write_off", args=[item.pk]),
        {"scope": "amount", "amount": "250,00", "reason": "Small remainder."},
    )
    with agency_scope(reason="test"):
        request = ApprovalRequest.objects.get(case=item.case, kind=ApprovalKind.WRITE_OFF)
    assert request.payload == {"whole_balance": False, "amount": "250.00"}
    client.force_login(supervisor)
    refused = client.post(reverse("work:decide", args=[request.pk, "reject"]), {"note": ""})
    assert refused.status_code == 302
    with agency_scope(reason="test"):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.PENDING  # a rejection says why
    client.post(reverse("work:decide", args=[request.pk, "reject"]), {"note": "No."})
    with agency_scope(reason="test"):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.REJECTED


def test_a_supervisor_reassigns_items_and_cases_in_bulk(client, tenant_a, agent, supervisor):
    items = [make_item(tenant_a.creditor, f"SV-R{n}") for n in range(3)]
    client.force_login(supervisor)
    page = client.get(reverse("work:board"), HTTP_ACCEPT_LANGUAGE="da")
    assert page.status_code == 200 and "Anna Agent" in page.content.decode()
    client.post(
        reverse("work:reassign_items"), {"items": [items[0].pk, items[1].pk], "assignee": agent.pk}
    )
    with agency_scope(reason="test"):
        assigned = set(WorkItem.objects.filter(assignee=agent).values_list("pk", flat=True))
        assert assigned == {items[0].pk, items[1].pk}
        event = CaseEvent.objects.get(case=items[0].case, code="work.item_reassigned")
        assert event.actor_id == supervisor.pk and "Anna Agent" in event.message
    client.post(
        reverse("work:reassign_cases"),
        {"cases": f"{items[2].case.number}, {items[0].case.number}", "assignee": "none"},
    )
    with agency_scope(reason="test"):
        assert list(WorkItem.objects.filter(assignee=agent).values_list("pk", flat=True)) == [
            items[1].pk
        ]
    bad = client.post(reverse("work:reassign_cases"), {"cases": "12x", "assignee": "none"})
    assert bad.status_code == 302


def _touch_and_pay(creditor, number: str, agent):
    item = make_item(creditor, number)
    case = item.case
    with creditor_scope(creditor):
        workspace.contact_log(
            case=case, user=agent, channel="phone", direction="outbound",
            outcome=ContactOutcome.REACHED,
        )  # fmt: skip
        lifecycle.promise_to_pay_record(
            case=case,
            amount=Decimal("100.00"),
            pay_by=timezone.localdate() + timedelta(days=3),
            actor=agent,
        )
        payment_register(
            case=case,
            amount=Decimal("100.00"),
            received_on=timezone.localdate(),
            method=PaymentMethod.BANK_TRANSFER,
        )
        # The contact settled "new in collection"; an item the agent holds next:
        return workspace.work_item_raise(
            case=case, reason=WorkItemReason.MONITORING_RECHECK, assignee=agent
        )


def test_the_board_counts_and_its_query_count_is_fixed(tenant_a, agent, supervisor):
    _touch_and_pay(tenant_a.creditor, "SV-B1", agent)
    with agency_scope(reason="test"):
        # The creditor's own user acts on its case: not one of the agency's people.
        paused = make_item(tenant_a.creditor, "SV-B0").case
        lifecycle.case_pause(
            case=paused, until=timezone.localdate() + timedelta(days=5), actor=tenant_a.user
        )
        write_off_request(
            case=make_item(tenant_a.creditor, "SV-B2").case, user=agent, amount="1", reason="R"
        )
        with CaptureQueriesContext(connection) as one:
            data = board_data.board(days=7)
    row = next(r for r in data.agents if r.user_id == agent.pk)
    assert tenant_a.user.pk not in {r.user_id for r in data.agents}
    assert (row.open, row.promises_made, row.payments) == (1, 1, 1)
    assert row.collected == Decimal("100.00")
    assert row.daily[-1][1] == 1 and row.daily[-1][0] >= 2  # a contact and a promise today
    assert data.pending_approvals == 1 and data.open_total == 3
    assert sum(data.by_age.values()) == data.open_total
    by_reason = {reason: n for reason, _label, n in data.by_reason}
    assert by_reason[WorkItemReason.NEW_IN_COLLECTION] == 2  # B0's, B2's; B1's was settled
    assert by_reason[WorkItemReason.MONITORING_RECHECK] == 1

    other = agency_user(AgencyRole.AGENT, first_name="Bo")
    for n in range(3):
        _touch_and_pay(tenant_a.creditor, f"SV-B3{n}", other)
    with agency_scope(reason="test"), CaptureQueriesContext(connection) as more:
        board_data.board(days=7)
    assert len(more) == len(one)


def test_the_board_page_shows_it(client, tenant_a, agent, supervisor):
    _touch_and_pay(tenant_a.creditor, "SV-P1", agent)
    client.force_login(supervisor)
    html = client.get(reverse("work:board"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "100,00" in html and 'id="pending-approvals">0<' in html
    assert reverse("work:weights") in html and reverse("work:inbox") in html


def test_staff_acting_for_one_creditor_get_404_for_another_creditors_objects(
    client, tenant_a, tenant_b, agent, supervisor
):
    """With creditor B chosen in the switcher, A's items and requests are not found."""
    from creditors.selectors import SESSION_CREDITOR_KEY

    item = make_item(tenant_a.creditor, "SV-T1")
    with agency_scope(reason="test"):
        request = write_off_request(case=item.case, user=agent, amount="10.00", reason="R.")
    for user, paths in (
        (
            agent,
            [
                ("get", reverse("work:plan_preview", args=[item.pk])),
                ("post", reverse("work:plan", args=[item.pk])),
                ("post", reverse("work:plan_signed", args=[item.pk, 1])),
                ("post", reverse("work:write_off", args=[item.pk])),
            ],
        ),
        (supervisor, [("post", reverse("work:decide", args=[request.pk, "approve"]))]),
    ):
        client.force_login(user)
        session = client.session
        session[SESSION_CREDITOR_KEY] = tenant_b.creditor.pk
        session.save()
        for method, path in paths:
            assert getattr(client, method)(path).status_code == 404, path
    with agency_scope(reason="test"):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.PENDING
        assert not InstalmentPlan.objects.filter(case=item.case).exists()
    # The board and the inbox in B's scope show nothing of A's.
    inbox = client.get(reverse("work:inbox")).content.decode()
    assert f'id="approval-{request.pk}"' not in inbox
