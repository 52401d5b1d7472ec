"""Helpers shared by the case's steps (lifecycle, plans, payments, the legal track).

Each is used inside a step's transaction, with the case row locked by the step.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
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


# What each transition does, in words: "Case ... cannot <this> from state ...".
_TRANSITIONS = {
    "remind": pgettext_lazy("case transition", "remind"),
    "warn": pgettext_lazy("case transition", "warn"),
    "hand_over": pgettext_lazy("case transition", "hand over"),
    "monitor": pgettext_lazy("case transition", "monitor"),
    "reopen": pgettext_lazy("case transition", "reopen"),
    "go_legal": pgettext_lazy("case transition", "go legal"),
    "legal_to_monitoring": pgettext_lazy("case transition", "legal to monitoring"),
    "close": pgettext_lazy("case transition", "close"),
    "reinstate": pgettext_lazy("case transition", "reinstate"),
}


def state_name(state: str) -> str:
    """A case state in words, in the active language (``new``, ``ny``)."""
    try:
        return str(CaseState(state).label).lower()
    except ValueError:
        return state


def _refusal(case: Case, name: str) -> str:
    if case.state == CaseState.CLOSED:
        return _("Case %(case)s is closed.") % {"case": case.reference}
    if case.has_open_dispute() and name != "close":
        return _("Case %(case)s has an open dispute: it waits for a person to answer.") % {
            "case": case.reference
        }
    if name == "hand_over" and case.warning_deadline is not None:
        return _(
            "Collection may not start before the warning's deadline %(deadline)s has passed "
            "(inkassoloven § 10)."
        ) % {"deadline": case.warning_deadline.isoformat()}
    action = _TRANSITIONS.get(name)
    return _("Case %(case)s cannot %(action)s from state %(state)s.") % {
        "case": case.reference,
        "action": str(action) if action is not None else name.replace("_", " "),
        "state": state_name(case.state),
    }
