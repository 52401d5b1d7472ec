"""The scheduler: advance every case whose next action is due, through the same services a
person would use.

Due cases are claimed in batches with ``SELECT ... FOR UPDATE SKIP LOCKED``, so any number of
workers can run it at once without two of them touching the same case; each step moves
``next_action_at`` forward in the same transaction, so running it twice takes one step. The
cost follows the number of due cases (a partial index on ``next_action_at``), not all cases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from collections_portal.tenancy import agency_scope

from . import selectors
from .models import Case, CaseState, PromiseToPay
from .services import lifecycle, plans
from .services.errors import CaseError
from .services.scheduling import case_hold, case_park, case_wait_until, promise_settle

logger = logging.getLogger(__name__)


@dataclass
class AdvanceReport:
    advanced: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    batches: int = 0


def advance_due_cases(*, now: datetime | None = None, batch_size: int = 500) -> AdvanceReport:
    """Take one step on every case due at ``now``; returns how many and which failed."""
    now = now or timezone.now()
    report = AdvanceReport()
    # The scheduler works for the whole agency: every creditor's due cases.
    with agency_scope(reason="scheduler advances every creditor's due cases"):
        while True:
            with transaction.atomic():
                batch = list(
                    Case.objects.filter(next_action_at__lte=now)
                    .exclude(state=CaseState.CLOSED)
                    .select_related("creditor")
                    .order_by("next_action_at", "pk")
                    .select_for_update(skip_locked=True, of=("self",))[:batch_size]
                )
                if not batch:
                    return report
                report.batches += 1
                for case in batch:
                    try:
                        with transaction.atomic():
                            case_advance(case=case, now=now)
                        report.advanced += 1
                    except CaseError as exc:
                        # The rules refuse the step: a person must look.
                        case_park(case=case, reason=str(exc))
                        report.failed.append((case.pk, str(exc)))


def case_advance(*, case: Case, now: datetime) -> None:
    """The next step of one due case, by its state and its creditor's policy."""
    today = timezone.localdate(now)
    if plans.plan_advance(case=case, today=today):
        return
    policy = case.creditor
    if case.paused_until and case.paused_until > today:
        case_wait_until(case=case, day=case.paused_until)
        return
    if case.has_open_dispute():
        case_hold(case=case)
        return
    if _promise_pending(case, today):
        return
    if case.state == CaseState.NEW and case.creditor_warning_sent_on:
        lifecycle.case_accept_creditor_warning(case=case, actor="scheduler")
    elif case.state in (CaseState.NEW, CaseState.REMINDER):
        sent = selectors.reminders_sent(case)
        first_due = case.claims.order_by("due_date").values_list("due_date", flat=True).first()
        assert first_due is not None  # a case is filed with at least one claim
        if len(sent) < policy.policy_reminders:
            earliest = first_due + timedelta(days=policy.policy_first_reminder_days)
            if sent:
                earliest = max(
                    earliest, sent[-1] + timedelta(days=policy.policy_reminder_interval_days)
                )
            if today < earliest:
                case_wait_until(case=case, day=earliest)
                return
            lifecycle.case_send_reminder(case=case, on=today, actor="scheduler")
        else:
            if sent and today < sent[-1] + timedelta(days=policy.policy_reminder_interval_days):
                case_wait_until(
                    case=case, day=sent[-1] + timedelta(days=policy.policy_reminder_interval_days)
                )
                return
            lifecycle.case_send_warning(case=case, on=today, actor="scheduler")
    elif case.state == CaseState.WARNING:
        if case.warning_deadline is not None and today <= case.warning_deadline:
            case_wait_until(case=case, day=case.warning_deadline + timedelta(days=1))
            return
        lifecycle.case_hand_over(case=case, on=today, actor="scheduler")
    elif case.state == CaseState.COLLECTION:
        lifecycle.case_to_monitoring(case=case, on=today, actor="scheduler")
    elif case.state == CaseState.MONITORING:
        lifecycle.case_monitoring_recheck(case=case, on=today, actor="scheduler")
    else:  # the legal track waits for a person
        case_hold(case=case)


def _promise_pending(case: Case, today) -> bool:
    """A promise not yet due (with its grace days) holds the case; one past them is settled:
    kept if paid, else broken."""
    promise = PromiseToPay.objects.filter(case=case, kept__isnull=True).order_by("-pay_by").first()
    if promise is None:
        return False
    if lifecycle.promise_deadline(promise.pay_by) >= today:
        case_wait_until(
            case=case, day=lifecycle.promise_deadline(promise.pay_by) + timedelta(days=1)
        )
        return True
    promise_settle(case=case, promise=promise)
    return False
