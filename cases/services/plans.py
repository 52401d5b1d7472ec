"""Instalment plans (afdragsordning) and the voluntary settlement (skyldnererklæring).

A plan spreads a case's whole balance over instalments. Activating it sends the debtor a
confirmation; a signed settlement turns every claim's limitation to 10 years. The scheduler
visits the case after each due date (``plan_advance``): payments received since the plan was
proposed are matched to the instalments in order; a missed instalment gets a reminder without
a fee; an instalment more than ``acceleration_days`` late breaks the plan, the whole balance
falls due and the case returns to collection, where no further reminder fees may be charged
(renteloven § 9 b).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import (
    OPEN_PLAN_STATUSES,
    Case,
    CaseState,
    Claim,
    ClosedReason,
    Instalment,
    InstalmentPlan,
    LimitationEvent,
    Payment,
    PlanStatus,
    WorkItemReason,
)
from collections_portal.money import CENT, to_money
from collections_portal.texts import Day, Money, Text
from notices.models import NoticeKind

from . import lifecycle
from .cases import limitation_events_for_case
from .errors import CaseError
from .ledger import interest_post
from .locking import acting_user, lock_case
from .steps import notice_create
from .workspace import work_item_raise

# Moved to the selectors; importable from here as before.
active_plan = selectors.active_plan

# A sanity limit of the portal, not a rule of law: ten years of monthly instalments.
MAX_INSTALMENTS = 120


def _schedule(*, balance: Decimal, count: int | None, amount: Decimal | None) -> list[Decimal]:
    """The instalment amounts: equal parts (rounded down to the øre) or parts of ``amount``;
    the last one takes the rest, so the sum is the balance exactly."""
    if count is not None:
        part = (balance / count).quantize(CENT, rounding=ROUND_DOWN)
        if part <= 0:
            raise ValidationError(
                {
                    "count": _("%(count)s instalments would be less than 0.01 each.")
                    % {"count": count}
                }
            )
    else:
        assert amount is not None  # the caller gives a count or an amount
        part = amount
        # Rounded up: the last instalment is the rest, never zero or less.
        count = int((balance / part).to_integral_value(rounding=ROUND_CEILING))
    if count > MAX_INSTALMENTS:
        field = "amount" if amount is not None else "count"
        raise ValidationError(
            {field: _("A plan has at most %(n)s instalments.") % {"n": MAX_INSTALMENTS}}
        )
    amounts = [part] * (count - 1)
    return [*amounts, balance - sum(amounts, Decimal("0.00"))]


def _interest_bearing_consumer_claims(case: Case) -> bool:
    # An interest-bearing plan for a consumer may count as consumer credit (kreditaftaleloven): flag
    # it for a person to review. Kept simple: any consumer claim on which interest runs, i.e.
    # without an agreed rate of zero (no agreed rate means the statutory rate applies).
    return (
        Claim.objects.filter(case=case, debtor_is_consumer=True)
        .exclude(agreed_interest_rate=0)
        .exists()
    )


@transaction.atomic
def plan_propose(
    *,
    case: Case,
    first_due: date,
    count: int | None = None,
    amount: Decimal | str | None = None,
    interval_months: int = 1,
    acceleration_days: int = 7,
    user: AbstractBaseUser | None = None,
) -> InstalmentPlan:
    """Propose a plan over the case's whole balance: ``count`` equal instalments or
    instalments of ``amount``, the first due on ``first_due``, then every ``interval_months``.
    """
    case = lock_case(case)
    today = timezone.localdate()
    if case.state == CaseState.CLOSED:
        raise CaseError(_("Case %(case)s is closed.") % {"case": case.reference})
    if case.has_open_dispute():
        raise CaseError(
            _("Case %(case)s has an open dispute: it waits for a person to answer.")
            % {"case": case.reference}
        )
    if InstalmentPlan.objects.filter(case=case, status__in=OPEN_PLAN_STATUSES).exists():
        raise CaseError(
            _("Case %(case)s already has a proposed or active plan.") % {"case": case.reference}
        )
    if (count is None) == (amount is None):
        raise ValidationError({"count": _("Give either the number of instalments or an amount.")})
    if count is not None and count < 1:
        raise ValidationError({"count": _("A plan has at least one instalment.")})
    if first_due < today:
        raise ValidationError({"first_due": _("The first instalment is due today or later.")})
    if interval_months < 1:
        raise ValidationError({"interval_months": _("Instalments are at least a month apart.")})
    if acceleration_days < 0:
        raise ValidationError({"acceleration_days": _("The number of days cannot be negative.")})
    if amount is not None:
        amount = to_money(amount, field="amount")
    # Interest accrued up to today is owed today: post it, so the plan covers the balance.
    interest_post(case=case, up_to=today)
    balance = selectors.case_balance(case).total
    if balance <= 0:
        raise CaseError(
            _("Case %(case)s owes nothing: there is nothing to spread.") % {"case": case.reference}
        )
    if amount is not None and amount > balance:
        raise ValidationError(
            {"amount": _("The instalment is more than the balance of %(b)s.") % {"b": balance}}
        )
    amounts = _schedule(balance=balance, count=count, amount=amount)
    plan = InstalmentPlan.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        proposed_by=acting_user(user),
        proposed_by_label=user.get_username() if user is not None else "system",
        proposed_on=today,
        acceleration_days=acceleration_days,
        consumer_credit_review=_interest_bearing_consumer_claims(case),
    )
    Instalment.objects.bulk_create(
        Instalment(
            creditor_id=case.creditor_id,
            plan=plan,
            number=number,
            # Counted from the first due date each time, so 31 January gives 28 February
            # and then 31 March.
            due_date=first_due + relativedelta(months=(number - 1) * interval_months),
            amount=part,
        )
        for number, part in enumerate(amounts, start=1)
    )
    lifecycle.event_record(
        case=case,
        code="plan.created",
        actor=user,
        from_state=case.state,
        message=Text(
            N_(
                "Instalment plan proposed: %(balance)s in %(count)s instalments from %(first)s."
                " Flagged for review as consumer credit."
            )
            if plan.consumer_credit_review
            else N_(
                "Instalment plan proposed: %(balance)s in %(count)s instalments from %(first)s."
            ),
            balance=Money(balance),
            count=len(amounts),
            first=Day(first_due),
        ),
        data={"plan": plan.pk, "balance": str(balance), "instalments": len(amounts)},
    )
    return plan


@transaction.atomic
def plan_activate(
    *,
    plan: InstalmentPlan,
    settlement_signed_on: date | None = None,
    user: AbstractBaseUser | None = None,
) -> InstalmentPlan:
    """The debtor accepts the plan: confirm it in writing; a signed settlement turns every
    claim's limitation to 10 years (forældelsesloven)."""
    case = lock_case(plan.case)
    plan = InstalmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PROPOSED:
        raise CaseError(
            _("The plan is %(status)s, not proposed.")
            % {"status": plan.get_status_display().lower()}
        )
    if case.state == CaseState.CLOSED:
        raise CaseError(_("Case %(case)s is closed.") % {"case": case.reference})
    if case.has_open_dispute():
        raise CaseError(
            _("Case %(case)s has an open dispute: it waits for a person to answer.")
            % {"case": case.reference}
        )
    today = timezone.localdate()
    if settlement_signed_on is not None and settlement_signed_on > today:
        raise ValidationError(
            {"settlement_signed_on": _("A settlement is signed today or earlier.")}
        )
    plan.status = PlanStatus.ACTIVE
    plan.settlement_signed_on = settlement_signed_on
    plan.save(update_fields=["status", "settlement_signed_on"])
    notice = notice_create(case, NoticeKind.PLAN_CONFIRMATION, dated=today)
    lifecycle.event_record(
        case=case,
        code="plan.activated",
        actor=user,
        from_state=case.state,
        message=Text(N_("Instalment plan agreed; confirmation sent.")),
        data={"plan": plan.pk, "notice": notice.pk},
    )
    if settlement_signed_on is not None:
        limitation_events_for_case(
            case=case,
            kind=LimitationEvent.Kind.SETTLEMENT,
            on=settlement_signed_on,
            note=f"Skyldnererklæring with instalment plan {plan.pk}.",
        )
        lifecycle.event_record(
            case=case,
            code="plan.settlement_signed",
            actor=user,
            from_state=case.state,
            message=Text(
                N_(
                    "Voluntary settlement signed %(signed)s: the limitation period of every claim "
                    "is now %(years)s years."
                ),
                signed=Day(settlement_signed_on),
                years=selectors.profile_for(
                    case, settlement_signed_on
                ).limitation_years_acknowledged,
            ),
            data={"plan": plan.pk, "signed_on": settlement_signed_on.isoformat()},
        )
    first = plan.instalments.order_by("number").first()
    assert first is not None  # a plan is made with its instalments
    case.next_action_at = lifecycle.action_at(first.due_date + timedelta(days=1))
    case.save(update_fields=["next_action_at"])
    return plan


@transaction.atomic
def plan_cancel(
    *, plan: InstalmentPlan, reason: str, user: AbstractBaseUser | None = None
) -> InstalmentPlan:
    """Withdraw a proposed plan the debtor did not accept."""
    case = lock_case(plan.case)
    plan = InstalmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PROPOSED:
        raise CaseError(
            _("Only a proposed plan can be cancelled; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plan is cancelled.")})
    plan.status = PlanStatus.CANCELLED
    plan.save(update_fields=["status"])
    lifecycle.event_record(case=case, code="plan.cancelled", actor=user, from_state=case.state,
                           message=reason, data={"plan": plan.pk})  # fmt: skip
    return plan


@transaction.atomic
def plan_match_payments(*, plan: InstalmentPlan) -> InstalmentPlan:
    """Spread the payments received since the plan was proposed over its instalments in order.

    Recomputed from scratch each time, so calling it twice changes nothing and a reversed
    payment is simply left out. An active plan is completed when every instalment is paid, or
    when the case was closed as paid (the debtor paid the rest at once).
    """
    case = lock_case(plan.case)
    plan = InstalmentPlan.objects.select_for_update().get(pk=plan.pk)
    received = Payment.objects.filter(
        case=case, reversed_at__isnull=True, received_on__gte=plan.proposed_on
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    remaining = received
    instalments = list(plan.instalments.order_by("number"))
    for instalment in instalments:
        paid = min(remaining, instalment.amount)
        remaining -= paid
        if instalment.paid_amount != paid:
            instalment.paid_amount = paid
            instalment.save(update_fields=["paid_amount"])
    closed_paid = case.state == CaseState.CLOSED and case.closed_reason == ClosedReason.PAID
    all_paid = all(instalment.is_paid for instalment in instalments)
    if plan.status == PlanStatus.ACTIVE and (all_paid or closed_paid):
        plan.status = PlanStatus.COMPLETED
        plan.save(update_fields=["status"])
        lifecycle.event_record(
            case=case,
            code="plan.completed",
            from_state=case.state,
            message=Text(
                N_("Instalment plan paid: %(received)s received since %(since)s."),
                received=Money(received),
                since=Day(plan.proposed_on),
            ),
            data={"plan": plan.pk, "received": str(received)},
        )
    return plan


@transaction.atomic
def plan_advance(*, case: Case, today: date) -> bool:
    """The scheduler's step for a due case with an active plan; True when it was handled.

    False hands the case back to the scheduler's usual steps: no active plan, a pause or an
    open dispute (the scheduler holds those), a plan paid while money is still owed, or a
    broken plan on a case that is not in collection or monitoring.
    """
    case = lock_case(case)
    plan = selectors.active_plan(case)
    if plan is None:
        return False
    if (case.paused_until and case.paused_until > today) or case.has_open_dispute():
        return False
    plan = plan_match_payments(plan=plan)
    if plan.status == PlanStatus.COMPLETED:
        # Closed when nothing is owed. Interest that ran during the plan may still be owed:
        # then the usual steps go on for the rest.
        return lifecycle.case_close_if_paid(case=case, actor="scheduler")
    instalment = plan.instalments.filter(paid_amount__lt=F("amount")).order_by("number").first()
    assert instalment is not None  # a plan not completed has an instalment not paid
    days_late = (today - instalment.due_date).days
    if days_late <= 0:
        _next_action(case, instalment.due_date + timedelta(days=1))
        return True
    if days_late <= plan.acceleration_days:
        if instalment.missed_notice_on is None:
            notice = notice_create(
                case,
                NoticeKind.MISSED_INSTALMENT,
                dated=today,
                deadline=instalment.due_date + timedelta(days=plan.acceleration_days),
            )
            instalment.missed_notice_on = today
            instalment.save(update_fields=["missed_notice_on"])
            lifecycle.event_record(
                case=case,
                code="plan.instalment_missed",
                actor="scheduler",
                from_state=case.state,
                message=Text(
                    N_(
                        "Instalment %(number)s of %(amount)s due %(due)s is unpaid; reminder sent "
                        "without a fee."
                    ),
                    number=instalment.number,
                    amount=Money(instalment.amount),
                    due=Day(instalment.due_date),
                ),
                data={"plan": plan.pk, "instalment": instalment.number, "notice": notice.pk},
            )
            work_item_raise(case=case, reason=WorkItemReason.INSTALMENT_MISSED)
        _next_action(case, instalment.due_date + timedelta(days=plan.acceleration_days + 1))
        return True
    return _plan_break(case=case, plan=plan, instalment=instalment, today=today)


def _plan_break(*, case: Case, plan: InstalmentPlan, instalment: Instalment, today: date) -> bool:
    """The whole balance falls due; the case returns to collection."""
    days_late = (today - instalment.due_date).days
    plan.status = PlanStatus.BROKEN
    plan.save(update_fields=["status"])
    lifecycle.event_record(
        case=case,
        code="plan.broken",
        actor="scheduler",
        from_state=case.state,
        message=Text(
            N_(
                "Instalment %(number)s due %(due)s is %(days)s days late (more than %(limit)s): "
                "the plan is broken and the whole balance is due. No further reminder fees "
                "(renteloven § 9 b)."
            ),
            number=instalment.number,
            due=Day(instalment.due_date),
            days=days_late,
            limit=plan.acceleration_days,
        ),
        data={"plan": plan.pk, "instalment": instalment.number, "days_late": days_late},
    )
    if case.state == CaseState.MONITORING:
        lifecycle.case_reopen(case=case, on=today, actor="scheduler", reason="Plan broken.")
        return True
    if case.state == CaseState.COLLECTION:
        # Collection goes on from today: the scheduler's usual collection step (monitoring)
        # comes after the creditor's collection period, not in the same run.
        _next_action(case, today + timedelta(days=case.creditor.policy_collection_days))
        return True
    # A plan agreed before collection: the case goes on along its own track, now.
    case.next_action_at = timezone.now()
    case.save(update_fields=["next_action_at"])
    return False


def _next_action(case: Case, day: date) -> None:
    case.next_action_at = lifecycle.action_at(day)
    case.save(update_fields=["next_action_at"])


plan_was_broken = selectors.plan_was_broken  # where the plan code and its tests look for it
