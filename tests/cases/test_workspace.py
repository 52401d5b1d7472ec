"""The agent workspace's services: items raised once by the step that causes them, scored
from explained factors, leased by "next", and the agent's actions on the timeline."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import (
    CaseEvent,
    ContactLog,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
    WorkScoreWeights,
)
from cases.services import lifecycle as lc
from cases.services import scheduling, workspace
from collections_portal.tenancy import agency_scope, creditor_scope
from tests.factories import agency_user

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)


@pytest.fixture
def case(tenant_a):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("W-1", "10000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        yield case


def to_collection(case):
    with at(date(2025, 3, 20)):
        lc.case_send_warning(case=case, on=date(2025, 3, 20))
    with at(date(2025, 3, 31)):
        lc.case_hand_over(case=case, on=date(2025, 3, 31))
    case.refresh_from_db()
    return case


def open_items(case, reason):
    return list(WorkItem.objects.filter(case=case, reason=reason, status=WorkItemStatus.OPEN))


def test_hand_over_raises_new_in_collection_once(case):
    to_collection(case)
    [item] = open_items(case, WorkItemReason.NEW_IN_COLLECTION)
    # The same cause again (a retried step, the scheduler twice) gives the same item.
    again = workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)
    assert again.pk == item.pk
    assert len(open_items(case, WorkItemReason.NEW_IN_COLLECTION)) == 1
    assert item.priority > 0 and set(item.factors) == set(WorkScoreWeights.FIELDS)


def test_a_dispute_raises_a_decision_item_and_the_decision_closes_it(case, tenant_a):
    from cases.models import Dispute

    dispute = lc.dispute_open(case=case, reason="Never ordered")
    lc.dispute_open(case=case, reason="And wrong amount")
    assert len(open_items(case, WorkItemReason.DISPUTE_DECISION)) == 1
    agent = agency_user()
    lc.dispute_resolve(dispute=dispute, outcome=Dispute.Outcome.REJECTED, note="Order seen.",
                       user=agent)  # fmt: skip
    # One dispute is still open: the item stays.
    assert len(open_items(case, WorkItemReason.DISPUTE_DECISION)) == 1
    second = case.disputes.get(resolved_at__isnull=True)
    lc.dispute_resolve(dispute=second, outcome=Dispute.Outcome.REJECTED, note="Amount right.",
                       user=agent)  # fmt: skip
    assert open_items(case, WorkItemReason.DISPUTE_DECISION) == []
    assert (
        WorkItem.objects.get(case=case, reason=WorkItemReason.DISPUTE_DECISION).closed_by == agent
    )


def test_a_broken_promise_raises_an_item(case):
    with at(date(2025, 3, 10)):
        promise = lc.promise_to_pay_record(
            case=case, amount=Decimal("500.00"), pay_by=date(2025, 3, 12)
        )
    with at(date(2025, 3, 14)):
        assert scheduling.promise_settle(case=case, promise=promise) is False
    assert len(open_items(case, WorkItemReason.PROMISE_BROKEN)) == 1


def test_the_score_is_the_sum_of_weighted_explained_factors(case):
    weights = WorkScoreWeights.current()
    workspace.weights_set(user=agency_user(), balance=100, days_past_due=0, stage=0,
                          limitation=0, promise_due=0, last_contact=50)  # fmt: skip
    weights.refresh_from_db()
    with at(date(2025, 3, 10)):
        priority, factors = workspace.score(case)
    # 10,000 of a full 50,000 is a fifth of the balance weight; never contacted counts in full.
    assert factors["balance"] == {"value": "10000.00", "share": 0.2, "points": 20}
    assert factors["last_contact"]["points"] == 50
    assert factors["days_past_due"]["value"] == 7 and factors["days_past_due"]["points"] == 0
    assert priority == sum(f["points"] for f in factors.values()) == 70


def test_a_promise_due_today_and_a_near_limitation_date_raise_the_score(case):
    with at(date(2025, 3, 10)):
        base, _ = workspace.score(case)
        PromiseToPay.objects.create(creditor_id=case.creditor_id, case=case,
                                    promised_on=date(2025, 3, 9), pay_by=date(2025, 3, 10),
                                    amount=Decimal("10.00"))  # fmt: skip
        with_promise, factors = workspace.score(case)
        near, lf = workspace.score(case, limitation_date=date(2025, 3, 20))
    assert factors["promise_due"]["points"] == WorkScoreWeights.current().promise_due
    assert with_promise == base + factors["promise_due"]["points"]
    assert lf["limitation"]["value"] == "2025-03-20" and near > with_promise


def test_next_leases_the_highest_item_and_never_the_same_to_two_agents(case, tenant_a):
    other = file_case(tenant_a.creditor, claim("W-2", "100.00", DUE))
    high = workspace.work_item_raise(case=case, reason=WorkItemReason.CALLBACK)
    low = workspace.work_item_raise(case=other, reason=WorkItemReason.CALLBACK)
    assert high.priority > low.priority
    anna, bo = agency_user(), agency_user()
    assert workspace.work_next(user=anna) == high
    # Pressing "next" again without finishing gives the same item back, not a second one.
    assert workspace.work_next(user=anna) == high
    assert workspace.work_next(user=bo) == low
    assert workspace.work_next(user=agency_user()) is None
    # Skip gives the lease back and moves on; close releases it.
    workspace.work_item_release(item=high, user=anna)
    assert workspace.work_next(user=anna, skip=high) is None
    assert workspace.work_next(user=anna) == high
    workspace.work_item_done(item=high, user=anna, outcome="Called.")
    high.refresh_from_db()
    assert (high.status, high.leased_by, high.closed_by) == (WorkItemStatus.DONE, None, anna)
    assert CaseEvent.objects.filter(case=case, code="work.item_closed").exists()


def test_an_expired_lease_goes_back_to_the_queue(case):
    item = workspace.work_item_raise(case=case, reason=WorkItemReason.CALLBACK)
    anna, bo = agency_user(), agency_user()
    now = timezone.now()
    assert workspace.work_next(user=anna, now=now) == item
    assert workspace.work_next(user=bo, now=now + timedelta(minutes=5)) is None
    assert workspace.work_next(user=bo, now=now + workspace.LEASE + timedelta(seconds=1)) == item


def test_contact_log_writes_the_timeline_and_reaching_the_debtor_settles_new_in_collection(case):
    to_collection(case)
    agent = agency_user(first_name="Kim", last_name="Holm")
    workspace.contact_log(case=case, user=agent, channel="phone", direction="outbound",
                          outcome="no_answer", note="Rang 3 times")  # fmt: skip
    assert len(open_items(case, WorkItemReason.NEW_IN_COLLECTION)) == 1
    workspace.contact_log(case=case, user=agent, channel="phone", direction="outbound",
                          outcome="reached")  # fmt: skip
    assert open_items(case, WorkItemReason.NEW_IN_COLLECTION) == []
    assert ContactLog.objects.filter(case=case).count() == 2
    event = CaseEvent.objects.filter(case=case, code="case.contact_logged").first()
    assert "Kim Holm" in event.message and event.actor == agent


def test_a_callback_is_an_item_for_the_agent_due_at_its_time(case):
    agent = agency_user()
    at_time = timezone.now() + timedelta(hours=2)
    item = workspace.callback_set(case=case, user=agent, at=at_time, note="After lunch")
    assert (item.reason, item.due_at, item.assignee) == (WorkItemReason.CALLBACK, at_time, agent)
    assert workspace.work_next(user=agent) is None  # not due yet
    with agency_scope(reason="test"):
        assert workspace.work_next(user=agency_user(), now=at_time) is None  # someone else's
        assert workspace.work_next(user=agent, now=at_time) == item


def test_the_limitation_watch_raises_one_item_with_its_date(tenant_a):
    from cases.limitation_watch import flag_approaching_limitation

    with at(date(2024, 3, 5)):
        case = file_case(tenant_a.creditor, claim("L-1", "1000.00", date(2024, 3, 1)))
    for day in (date(2026, 9, 1), date(2026, 10, 1)):
        with at(day):
            flag_approaching_limitation(today=day)
    with creditor_scope(tenant_a.creditor):
        [item] = open_items(case, WorkItemReason.LIMITATION)
        assert item.factors["limitation"]["value"] == "2027-03-01"
        assert item.factors["limitation"]["points"] > 0


def test_a_monitoring_recheck_raises_an_item(case):
    to_collection(case)
    with at(date(2025, 5, 1)):
        lc.case_to_monitoring(case=case, on=date(2025, 5, 1))
    with at(date(2025, 8, 1)):
        lc.case_monitoring_recheck(case=case, on=date(2025, 8, 1))
        lc.case_monitoring_recheck(case=case, on=date(2025, 8, 1))
    assert len(open_items(case, WorkItemReason.MONITORING_RECHECK)) == 1


def test_a_contact_ranks_the_cases_open_items_anew(case):
    item = workspace.work_item_raise(case=case, reason=WorkItemReason.CALLBACK)
    assert item.factors["last_contact"]["value"] is None
    workspace.contact_log(case=case, user=agency_user(), channel="phone", direction="outbound",
                          outcome="no_answer")  # fmt: skip
    item.refresh_from_db()
    # Contacted today: the factor counts nothing, and the priority drops by its weight.
    assert item.factors["last_contact"] == {"value": 0, "share": 0.0, "points": 0}
    assert item.priority == sum(f["points"] for f in item.factors.values())
