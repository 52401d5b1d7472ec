"""The scheduler's own writes: when a case is looked at next, parking a case for a person, and
settling a promise to pay that fell due. The scheduler (``cases.scheduler``) decides; these
services write, each with its timeline entry where the case's story changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from cases.models import Case, Payment, PromiseToPay, WorkItemReason
from cases.timeline import event_record

from .steps import action_at
from .workspace import work_item_raise

SCHEDULER = "scheduler"


def case_wait_until(*, case: Case, day: date) -> None:
    """Look at the case again on ``day`` (at the hour actions are taken)."""
    Case.objects.filter(pk=case.pk).update(next_action_at=action_at(day))
    case.next_action_at = action_at(day)


def case_hold(*, case: Case) -> None:
    """Stop looking at the case until a person or a service sets its next action (an open
    dispute, the legal track). Nothing on the timeline: the step that caused it wrote there."""
    Case.objects.filter(pk=case.pk).update(next_action_at=None)
    case.next_action_at = None


def case_park(*, case: Case, reason: str) -> None:
    """The rules refused the scheduler's step: hold the case and say why on its timeline, so a
    person looks rather than the scheduler retrying it every minute."""
    case_hold(case=case)
    event_record(
        case=case, code="case.needs_attention", actor=SCHEDULER, from_state=case.state,
        message=reason,
    )  # fmt: skip


def promise_settle(*, case: Case, promise: PromiseToPay) -> bool:
    """Mark a promise due and not yet settled as kept (paid in full since it was made) or
    broken, on the timeline too; returns whether it was kept."""
    paid = Payment.objects.filter(
        case=case, reversed_at__isnull=True, received_on__gte=promise.promised_on
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    promise.kept = paid >= promise.amount
    promise.save(update_fields=["kept"])
    event_record(
        case=case,
        code="case.promise_kept" if promise.kept else "case.promise_broken",
        actor=SCHEDULER,
        from_state=case.state,
        data={"paid": str(paid), "promised": str(promise.amount)},
    )
    if not promise.kept:
        work_item_raise(case=case, reason=WorkItemReason.PROMISE_BROKEN)
    return promise.kept
