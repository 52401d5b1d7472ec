"""The agent's plan builder: a schedule drafted from the agent's terms, checked against the
creditor's plan policy, and started at once when it is within it, or sent to a supervisor as
an approval request when it is not.

A started plan is activated (``plan_activate``: the confirmation letter) and the debtor gets
the acknowledgement of debt (skyldnererklæring) to sign; the agent records the date it was
signed when it comes back (``plan_settlement_record``), which turns every claim's limitation
to the acknowledged period (forældelsesloven § 5). The draft and the plan share one schedule
function (``plans._schedule``), so the preview is the plan to the øre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases import selectors
from cases.models import (
    ApprovalKind,
    ApprovalRequest,
    Case,
    CaseState,
    InstalmentPlan,
    LimitationEvent,
    PlanStatus,
)
from cases.timeline import event_record
from collections_portal.money import format_money, to_money
from creditors.models import Creditor
from notices.models import Notice, NoticeKind

from . import approvals, plans
from .approvals import agent_name
from .cases import limitation_events_for_case
from .errors import CaseError
from .locking import lock_case
from .steps import notice_create


@dataclass(frozen=True)
class PlanPolicy:
    """What an agent may agree without a supervisor (the creditor's settings)."""

    max_instalments: int
    max_months: int
    min_instalment: Decimal


def plan_policy(creditor: Creditor) -> PlanPolicy:
    return PlanPolicy(
        max_instalments=creditor.policy_plan_max_instalments,
        max_months=creditor.policy_plan_max_months,
        min_instalment=creditor.policy_plan_min_instalment,
    )


@dataclass
class PlanDraft:
    """A schedule before it is a plan: what the preview shows and the policy check reads."""

    balance: Decimal
    schedule: list[tuple[int, date, Decimal]]
    breaches: list[str] = field(default_factory=list)

    @property
    def within_policy(self) -> bool:
        return not self.breaches

    @property
    def total(self) -> Decimal:
        return sum((amount for _n, _d, amount in self.schedule), Decimal("0.00"))


def _terms(
    *, count: int | None, amount: Decimal | str | None, first_due: date | None, interval_months: int
) -> tuple[int | None, Decimal | None]:
    """The checks ``plan_propose`` makes, made before anything is written."""
    if (count is None) == (amount is None):
        raise ValidationError({"count": _("Give either the number of instalments or an amount.")})
    if count is not None and count < 1:
        raise ValidationError({"count": _("A plan has at least one instalment.")})
    if first_due is None:
        raise ValidationError({"first_due": _("Give the date of the first instalment.")})
    if first_due < timezone.localdate():
        raise ValidationError({"first_due": _("The first instalment is due today or later.")})
    if interval_months < 1 or interval_months > 12:
        raise ValidationError({"interval_months": _("Instalments are one to twelve months apart.")})
    money = None
    if amount is not None:
        money = to_money(amount, field="amount")
        if money <= 0:
            raise ValidationError({"amount": _("The instalment is more than 0.")})
    return count, money


def policy_breaches(
    policy: PlanPolicy, schedule: list[tuple[int, date, Decimal]], *, today: date
) -> list[str]:
    """Where a schedule goes beyond the policy, in words a supervisor reads (in the active
    language: amounts and dates as the page writes them)."""
    language = get_language() or "da"
    breaches = []
    if len(schedule) > policy.max_instalments:
        breaches.append(
            _("%(n)s instalments; the policy allows at most %(max)s.")
            % {"n": len(schedule), "max": policy.max_instalments}
        )
    last_due = schedule[-1][1]
    if last_due > today + relativedelta(months=policy.max_months):
        breaches.append(
            _("The last instalment falls due %(date)s, more than %(months)s months from today.")
            % {"date": date_format(last_due, "DATE_FORMAT"), "months": policy.max_months}
        )
    if len(schedule) > 1 and schedule[0][2] < policy.min_instalment:
        breaches.append(
            _("Instalments of %(amount)s are less than the policy's minimum of %(min)s.")
            % {
                "amount": format_money(schedule[0][2], language),
                "min": format_money(policy.min_instalment, language),
            }
        )
    return breaches


def plan_draft(
    *,
    case: Case,
    first_due: date | None,
    count: int | None = None,
    amount: Decimal | str | None = None,
    interval_months: int = 1,
) -> PlanDraft:
    """The schedule a plan on these terms would have today (nothing is written): the whole
    balance with the interest accrued to today, equal parts rounded down to the øre (or parts
    of ``amount``), the last one the exact rest; due dates counted from the first."""
    count, money = _terms(
        count=count, amount=amount, first_due=first_due, interval_months=interval_months
    )
    assert first_due is not None
    today = timezone.localdate()
    # What ``plan_propose`` spreads: every posting, and the interest it posts up to today.
    accrued = selectors.case_statement(case, on=today).accrued_interest
    balance = selectors.case_balance(case).total + accrued
    if balance <= 0:
        raise CaseError(_("The case owes nothing: there is nothing to spread."))
    if money is not None and money > balance:
        raise ValidationError(
            {
                "amount": _("The instalment is more than the balance of %(b)s.")
                % {"b": format_money(balance)}
            }
        )
    amounts = plans._schedule(balance=balance, count=count, amount=money)
    schedule = [
        (number, first_due + relativedelta(months=(number - 1) * interval_months), part)
        for number, part in enumerate(amounts, start=1)
    ]
    return PlanDraft(
        balance=balance,
        schedule=schedule,
        breaches=policy_breaches(plan_policy(case.creditor), schedule, today=today),
    )


def _plan_schedule(plan: InstalmentPlan) -> list[tuple[int, date, Decimal]]:
    return [(i.number, i.due_date, i.amount) for i in plan.instalments.order_by("number")]


def acknowledgement_send(*, plan: InstalmentPlan, user: AbstractBaseUser | None) -> Notice:
    """The skyldnererklæring with the plan's schedule, for the debtor to sign (the caller
    holds the case lock)."""
    case = plan.case
    notice = notice_create(case, NoticeKind.ACKNOWLEDGEMENT, dated=timezone.localdate())
    event_record(
        case=case,
        code="plan.acknowledgement_sent",
        actor=user,
        from_state=case.state,
        message=f"{agent_name(user)}: acknowledgement of debt sent for signature.",
        data={"plan": plan.pk, "notice": notice.pk},
    )
    return notice


def _plan_start(*, plan: InstalmentPlan, user: AbstractBaseUser | None) -> InstalmentPlan:
    plan = plans.plan_activate(plan=plan, user=user)
    acknowledgement_send(plan=plan, user=user)
    return plan


@transaction.atomic
def plan_build(
    *,
    case: Case,
    user: AbstractBaseUser,
    first_due: date | None,
    count: int | None = None,
    amount: Decimal | str | None = None,
    interval_months: int = 1,
    reason: str = "",
) -> tuple[InstalmentPlan, ApprovalRequest | None]:
    """The agent's plan: proposed on the terms; started at once when within the creditor's
    policy (activated, the acknowledgement of debt sent), else left proposed and sent to a
    supervisor (an approval request naming where it goes beyond the policy)."""
    case = lock_case(case)
    count, money = _terms(
        count=count, amount=amount, first_due=first_due, interval_months=interval_months
    )
    assert first_due is not None
    plan = plans.plan_propose(
        case=case,
        first_due=first_due,
        count=count,
        amount=money,
        interval_months=interval_months,
        user=user,
    )
    schedule = _plan_schedule(plan)
    breaches = policy_breaches(plan_policy(case.creditor), schedule, today=plan.proposed_on)
    if not breaches:
        return _plan_start(plan=plan, user=user), None
    request = approvals.approval_request_create(
        case=case,
        kind=ApprovalKind.PLAN,
        user=user,
        reason=reason.strip() or " ".join(breaches),
        payload={
            "plan": plan.pk,
            "breaches": breaches,
            "instalments": len(schedule),
            "first_due": schedule[0][1].isoformat(),
            "last_due": schedule[-1][1].isoformat(),
            "instalment": str(schedule[0][2]),
            "total": str(sum((a for _n, _d, a in schedule), Decimal("0.00"))),
            "interval_months": interval_months,
        },
    )
    return plan, request


def _plan_of(request: ApprovalRequest) -> InstalmentPlan:
    return InstalmentPlan.objects.get(pk=request.payload["plan"], case=request.case)


def _approve_plan(request: ApprovalRequest, user: AbstractBaseUser) -> None:
    plan = _plan_of(request)
    first = plan.instalments.order_by("number").first()
    if first is not None and first.due_date < timezone.localdate():
        # The debtor was told a date that has gone by: a new plan, not a late one.
        raise CaseError(
            _("The first instalment was due %(date)s: reject this plan and make a new one.")
            % {"date": date_format(first.due_date, "DATE_FORMAT")}
        )
    _plan_start(plan=plan, user=user)


def _reject_plan(request: ApprovalRequest, user: AbstractBaseUser) -> None:
    plan = _plan_of(request)
    if plan.status == PlanStatus.PROPOSED:
        plans.plan_cancel(
            plan=plan,
            reason=f"Not approved by {agent_name(user)}: {request.decision_note}",
            user=user,
        )


approvals.approval_kind_register(
    ApprovalKind.PLAN, on_approve=_approve_plan, on_reject=_reject_plan
)


@transaction.atomic
def plan_settlement_record(
    *, plan: InstalmentPlan, signed_on: date | None, user: AbstractBaseUser
) -> InstalmentPlan:
    """The signed acknowledgement of debt came back: record the date it was signed; every
    claim's limitation runs the acknowledged period from that day (forældelsesloven § 5)."""
    case = lock_case(plan.case)
    plan = InstalmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.BROKEN):
        raise CaseError(_("Only an agreed plan has a settlement to sign."))
    if plan.settlement_signed_on is not None:
        raise CaseError(
            _("The settlement was recorded as signed on %(date)s already.")
            % {"date": plan.settlement_signed_on.isoformat()}
        )
    if signed_on is None:
        raise ValidationError({"signed_on": _("Give the date the debtor signed.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("A settlement is signed today or earlier.")})
    if signed_on < plan.proposed_on:
        raise ValidationError(
            {"signed_on": _("The settlement cannot be signed before the plan was made.")}
        )
    if case.state == CaseState.CLOSED:
        raise CaseError(_("The case is closed."))
    plan.settlement_signed_on = signed_on
    plan.save(update_fields=["settlement_signed_on"])
    limitation_events_for_case(
        case=case,
        kind=LimitationEvent.Kind.SETTLEMENT,
        on=signed_on,
        note=f"Skyldnererklæring with instalment plan {plan.pk}.",
    )
    years = selectors.profile_for(case, signed_on).limitation_years_acknowledged
    event_record(
        case=case,
        code="plan.settlement_signed",
        actor=user,
        from_state=case.state,
        message=(
            f"{agent_name(user)}: voluntary settlement signed {signed_on.isoformat()}; the "
            f"limitation period of every claim is now {years} years."
        ),
        data={"plan": plan.pk, "signed_on": signed_on.isoformat()},
    )
    return plan
