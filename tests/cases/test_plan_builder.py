"""The agent's plan builder: the draft is the plan to the øre; within the creditor's policy a
plan starts at once (confirmation and acknowledgement of debt sent), outside it waits for a
supervisor; the signature date recorded later gives the acknowledged limitation period."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CaseEvent,
    LimitationEvent,
    PlanStatus,
)
from cases.services import CaseError
from cases.services.approvals import approval_approve, approval_reject
from cases.services.plan_builder import (
    plan_build,
    plan_draft,
    plan_policy,
    plan_settlement_record,
)
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from notices.models import Notice, NoticeKind
from tests.factories import agency_user

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
FUTURE = date(2099, 1, 1)  # not yet due: no interest runs, the amounts are round
TODAY = date(2026, 1, 5)


@pytest.fixture
def agent():
    return agency_user(AgencyRole.AGENT, first_name="Anna", last_name="Agent")


@pytest.fixture
def supervisor():
    return agency_user(AgencyRole.SUPERVISOR, first_name="Sofie", last_name="Supervisor")


@pytest.fixture
def case(tenant_a):
    """A case of 1000.00 in A's scope, on TODAY; A's policy: 12 instalments, 12 months, 200."""
    with at(TODAY):
        case = file_case(tenant_a.creditor, claim("PB-1", "1000.00", FUTURE))
        with creditor_scope(tenant_a.creditor):
            yield case


def test_the_default_policy(case):
    policy = plan_policy(case.creditor)
    assert (policy.max_instalments, policy.max_months, policy.min_instalment) == (
        12,
        12,
        Decimal("200.00"),
    )


def test_the_draft_is_exact_to_the_ore_and_the_last_takes_the_rest(case):
    draft = plan_draft(case=case, first_due=date(2026, 1, 31), count=3)
    assert [amount for _n, _d, amount in draft.schedule] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("333.34"),
    ]
    assert [day for _n, day, _a in draft.schedule] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert draft.total == Decimal("1000.00") == draft.balance
    assert draft.within_policy
    assert not Notice.objects.filter(case=case).exclude(kind=NoticeKind.REMINDER).exists()


def test_a_draft_by_amount_and_a_draft_outside_the_policy(case):
    draft = plan_draft(case=case, first_due=TODAY, amount="150.00", interval_months=1)
    assert [a for _n, _d, a in draft.schedule] == [Decimal("150.00")] * 6 + [Decimal("100.00")]
    # 150 is under the creditor's minimum of 200.
    assert len(draft.breaches) == 1 and "200" in draft.breaches[0]
    # Two instalments seven months apart: the last one 14 months on, beyond 12.
    long = plan_draft(case=case, first_due=TODAY, count=3, interval_months=7)
    assert [day for _n, day, _a in long.schedule][-1] == date(2027, 3, 5)
    # In the page's language (Danish by default).
    assert long.breaches == [
        "Sidste afdrag forfalder 5. marts 2027, mere end 12 måneder fra i dag."
    ]
    many = plan_draft(case=case, first_due=TODAY, count=13)
    assert many.breaches == [
        "13 afdrag; politikken tillader højst 12.",
        "Afdrag på 76,92 er mindre end politikkens minimum på 200,00.",
    ]
    with translation.override("en"):
        assert plan_draft(case=case, first_due=TODAY, amount="150").breaches == [
            "Instalments of 150.00 are less than the policy's minimum of 200.00."
        ]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("count", {}),
        ("count", {"count": 0}),
        ("first_due", {"count": 2, "first_due": TODAY - timedelta(days=1)}),
        ("first_due", {"count": 2, "first_due": None}),
        ("interval_months", {"count": 2, "interval_months": 0}),
        ("amount", {"amount": "1000.01"}),
        ("amount", {"amount": "abc"}),
    ],
)
def test_bad_terms_name_the_field(case, field, kwargs):
    kwargs.setdefault("first_due", TODAY)
    with at(TODAY), pytest.raises(ValidationError) as raised:
        plan_draft(case=case, **kwargs)
    assert field in raised.value.message_dict


def test_a_plan_within_the_policy_starts_at_once(case, agent):
    with at(TODAY):
        plan, request = plan_build(case=case, user=agent, first_due=TODAY, count=4)
    assert request is None
    assert plan.status == PlanStatus.ACTIVE
    assert list(plan.instalments.values_list("amount", flat=True)) == [Decimal("250.00")] * 4
    kinds = set(Notice.objects.filter(case=case).values_list("kind", flat=True))
    assert {NoticeKind.PLAN_CONFIRMATION, NoticeKind.ACKNOWLEDGEMENT} <= kinds
    sent = CaseEvent.objects.get(case=case, code="plan.acknowledgement_sent")
    assert sent.actor_id == agent.pk and "Anna Agent" in sent.message


def test_a_plan_outside_the_policy_waits_for_a_supervisor(case, agent, supervisor):
    with at(TODAY):
        plan, request = plan_build(
            case=case, user=agent, first_due=TODAY, count=20, reason="Debtor on benefits."
        )
    assert plan.status == PlanStatus.PROPOSED
    assert request.kind == ApprovalKind.PLAN and request.status == ApprovalStatus.PENDING
    assert request.payload["plan"] == plan.pk and request.payload["instalments"] == 20
    assert request.payload["breaches"] and request.reason == "Debtor on benefits."
    assert not Notice.objects.filter(case=case, kind=NoticeKind.ACKNOWLEDGEMENT).exists()
    with at(TODAY):
        approval_approve(request=request, user=supervisor, note="OK this once.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert Notice.objects.filter(case=case, kind=NoticeKind.ACKNOWLEDGEMENT).count() == 1
    approved = CaseEvent.objects.get(case=case, code="approval.approved")
    assert approved.actor_id == supervisor.pk and "Sofie Supervisor" in approved.message


def test_a_rejected_plan_is_cancelled(case, agent, supervisor):
    with at(TODAY):
        plan, request = plan_build(case=case, user=agent, first_due=TODAY, amount="50.00")
        with pytest.raises(ValidationError):
            approval_reject(request=request, user=supervisor, note="")  # a reason is required
        approval_reject(request=request, user=supervisor, note="Too long.")
    plan.refresh_from_db()
    request.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
    assert request.status == ApprovalStatus.REJECTED and request.decided_by == supervisor
    with at(TODAY), pytest.raises(CaseError):
        approval_approve(request=request, user=supervisor)  # decided once


def test_the_signature_date_gives_the_acknowledged_limitation(case, agent):
    with at(TODAY):
        plan, _ = plan_build(case=case, user=agent, first_due=TODAY, count=2)
    with at(TODAY + timedelta(days=3)):
        with pytest.raises(ValidationError) as raised:
            plan_settlement_record(plan=plan, signed_on=TODAY + timedelta(days=4), user=agent)
        assert "signed_on" in raised.value.message_dict
        plan_settlement_record(plan=plan, signed_on=TODAY + timedelta(days=2), user=agent)
        with pytest.raises(CaseError):
            plan_settlement_record(plan=plan, signed_on=TODAY + timedelta(days=2), user=agent)
    plan.refresh_from_db()
    assert plan.settlement_signed_on == TODAY + timedelta(days=2)
    event = LimitationEvent.objects.get(claim__case=case)
    assert event.kind == LimitationEvent.Kind.SETTLEMENT
    assert event.occurred_on == plan.settlement_signed_on
    signed = CaseEvent.objects.get(case=case, code="plan.settlement_signed")
    assert "10 years" in signed.message and "Anna Agent" in signed.message


def test_a_proposed_plan_has_no_settlement_to_record(case, agent):
    with at(TODAY):
        plan, request = plan_build(case=case, user=agent, first_due=TODAY, count=30)
        with pytest.raises(CaseError):
            plan_settlement_record(plan=plan, signed_on=TODAY, user=agent)
    assert ApprovalRequest.objects.filter(pk=request.pk, status="pending").exists()


def test_the_draft_with_interest_running_is_the_plan(tenant_a, agent):
    with at(TODAY):
        case = file_case(tenant_a.creditor, claim("PB-I", "1000.00", date(2025, 3, 3)))
        with creditor_scope(tenant_a.creditor):
            draft = plan_draft(case=case, first_due=TODAY, count=3)
            assert draft.balance > Decimal("1000.00")  # interest accrued, not yet posted
            plan, _ = plan_build(case=case, user=agent, first_due=TODAY, count=3)
            planned = list(plan.instalments.values_list("number", "due_date", "amount"))
    assert planned == draft.schedule


def test_a_plan_whose_first_date_has_gone_by_is_not_approved(case, agent, supervisor):
    with at(TODAY):
        plan, request = plan_build(case=case, user=agent, first_due=TODAY, count=30)
    with at(TODAY + timedelta(days=1)), pytest.raises(CaseError):
        approval_approve(request=request, user=supervisor)
    request.refresh_from_db()
    plan.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING and plan.status == PlanStatus.PROPOSED
