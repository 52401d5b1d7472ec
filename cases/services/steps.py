"""Helpers shared by the case's steps (lifecycle, plans, payments, the legal track).

Each is used inside a step's transaction, with the case row locked by the step.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django_fsm import TransitionNotAllowed

from cases.models import Case, CaseState, Payment
from notices.models import Notice, NoticeKind
from notices.tasks import queue_render

from .errors import CaseError

# Scheduled steps happen in the morning, Copenhagen time.
ACTION_TIME = time(8, 0)


def action_at(day: date) -> datetime:
    """The moment on ``day`` when the scheduler takes a case's next step."""
    return timezone.make_aware(datetime.combine(day, ACTION_TIME))


def notice_create(
    case: Case,
    kind: NoticeKind,
    *,
    dated: date,
    deadline: date | None = None,
    payment: Payment | None = None,
) -> Notice:
    """The notice a step sends: the record now, its letter after the step commits."""
    sequence = Notice.objects.filter(case=case, kind=kind).count() + 1
    notice = Notice.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        kind=kind,
        sequence=sequence,
        dated=dated,
        deadline=deadline,
        language=case.debtor.language,
        payment=payment,
    )
    # The record is created here, in the step's transaction; the render (and after it the
    # delivery) runs in Celery once the step has committed. A broker that is down must not
    # fail a step already committed: the notice stays pending and
    # ``notices.requeue_pending_notices`` queues it again.
    queue_render(notice_id=notice.pk, creditor_id=case.creditor_id)
    return notice


def transition_apply(case: Case, transition, **kwargs) -> str:
    """Run an fsm transition, turning a refusal into a ``CaseError`` that says why; returns
    the state the case was in."""
    before = case.state
    try:
        transition(**kwargs)
    except TransitionNotAllowed as exc:
        raise CaseError(_refusal(case, transition.__name__)) from exc
    return before


def _refusal(case: Case, name: str) -> str:
    if case.state == CaseState.CLOSED:
        return f"Case {case.reference} is closed."
    if case.has_open_dispute() and name != "close":
        return f"Case {case.reference} has an open dispute: it waits for a person to answer."
    if name == "hand_over" and case.warning_deadline is not None:
        return (
            f"Collection may not start before the warning's deadline "
            f"{case.warning_deadline.isoformat()} has passed (inkassoloven § 10)."
        )
    return f"Case {case.reference} cannot {name.replace('_', ' ')} from state {case.state}."
