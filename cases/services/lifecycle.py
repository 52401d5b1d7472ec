"""Case transitions: each one service call, in one transaction.

Every service locks the case row, checks the rules (the jurisdiction profile through the rules
engine, open disputes, pauses), changes the state through the django-fsm transition, posts any
fee, records a timeline event, creates the notice record the step needs, and sets
``next_action_at``. Rendering and delivery of the notice happen after commit, in Celery.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    Claim,
    ClosedReason,
    Dispute,
    EntryKind,
    PromiseToPay,
    WorkItemReason,
)
from cases.rules import (
    reminder_fee,
    warning_deadline_date,
)
from cases.selectors import reminders_sent  # noqa: F401 (importable from here as before)
from cases.timeline import actor_fields, event_record
from collections_portal.texts import Money, Text
from notices.models import Notice, NoticeKind

from .errors import CaseError
from .ledger import fee_post
from .locking import lock_case
from .steps import ACTION_TIME, action_at, notice_create, transition_apply  # noqa: F401
from .work_items import work_item_close_open
from .workspace import work_item_raise

# The step helpers and the timeline writer live below this module; the old names stay
# importable from here.
_notice = notice_create
_apply = transition_apply
_actor_fields = actor_fields


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=["state", "next_action_at", *fields])


def _oldest_claim(case: Case) -> Claim:
    return Claim.objects.filter(case=case).order_by("due_date", "pk").first()


def _check_reminder_allowed(case: Case, profile, claim: Claim, on: date) -> None:
    """No reminder before the claim is due, nor closer to the last one than the profile's
    spacing (renteloven § 9 b), nor on claims that are all time-barred."""
    if on < claim.due_date:
        raise CaseError(
            _("No reminder before the claim falls due on %(due)s.")
            % {"due": claim.due_date.isoformat()}
        )
    sent = selectors.reminders_sent(case)
    if sent and (on - sent[-1]).days < profile.reminder_min_spacing_days:
        raise CaseError(
            _(
                "The last reminder was sent on %(last)s; the next may go %(days)s days later "
                "(%(profile)s)."
            )
            % {
                "last": sent[-1].isoformat(),
                "days": profile.reminder_min_spacing_days,
                "profile": profile.label,
            }
        )
    refuse_if_time_barred(case, on)


def refuse_if_time_barred(case: Case, on: date) -> None:
    """Nothing is collected on a time-barred claim (forældelsesloven); a case whose every claim
    is time-barred takes no collection step."""
    profile = selectors.profile_for(case, on)
    years = relativedelta(years=profile.limitation_years_ordinary)
    dues = Claim.objects.filter(case=case).values_list("due_date", flat=True)
    if any(on <= due + years for due in dues):
        return  # a claim still inside its first period: limitation can only be later
    limitations = selectors.claim_limitations(case, on=on)
    if limitations and all(on > lim.figure.dates[0] for lim in limitations):
        last = max(lim.figure.dates[0] for lim in limitations)
        raise CaseError(
            _(
                "Every claim of case %(case)s is time-barred (the last on %(last)s): nothing "
                "may be collected."
            )
            % {"case": case.reference, "last": last.isoformat()}
        )


@transaction.atomic
def case_send_reminder(
    *, case: Case, on: date, actor: AbstractBaseUser | str | None = None
) -> Notice:
    """Send the next reminder, with the fee the rules allow (renteloven § 9 b)."""
    case = lock_case(case)
    profile = selectors.profile_for(case, on)
    claim = _oldest_claim(case)
    _check_reminder_allowed(case, profile, claim, on)
    before = transition_apply(case, case.remind)
    figure = reminder_fee(
        profile,
        on=on,
        due_date=claim.due_date,
        previous_fee_reminders=selectors.fee_reminder_dates(case),
        disputed=case.disputes.exists(),
        broken_plan=selectors.plan_was_broken(case),
    )
    # The letter first: a reminder fee is only ever charged with the reminder that carries it.
    notice = notice_create(case, NoticeKind.REMINDER, dated=on)
    if figure.allowed:
        fee_post(
            case=case,
            claim=claim,
            kind=EntryKind.REMINDER_FEE,
            figure=figure,
            posted_on=on,
            case_locked=True,
        )
    interval = max(case.creditor.policy_reminder_interval_days, profile.reminder_min_spacing_days)
    case.next_action_at = action_at(on + timedelta(days=interval))
    _save(case)
    event_record(
        case=case,
        code="case.reminder_sent",
        actor=actor,
        from_state=before,
        message=(
            Text(
                N_("Reminder %(number)s sent; fee %(fee)s."),
                number=notice.sequence,
                fee=Money(figure.amount),
            )
            if figure.allowed
            else Text(
                N_("Reminder %(number)s sent; no fee: %(refusal)s"),
                number=notice.sequence,
                refusal=figure.refusal_text or figure.refusal,
            )
        ),
        data={"notice": notice.pk, "fee": str(figure.amount)},
    )
    return notice


@transaction.atomic
def case_send_warning(
    *, case: Case, on: date, actor: AbstractBaseUser | str | None = None
) -> Notice:
    """Send the collection warning (inkassovarsel); nothing else happens until its deadline."""
    case = lock_case(case)
    profile = selectors.profile_for(case, on)
    claim = _oldest_claim(case)
    if on < claim.due_date:
        raise CaseError(
            _("No collection warning before the claim falls due on %(due)s.")
            % {"due": claim.due_date.isoformat()}
        )
    refuse_if_time_barred(case, on)
    deadline = warning_deadline_date(profile, on)
    before = transition_apply(case, case.warn, sent_on=on, deadline=deadline)
    case.next_action_at = action_at(deadline + timedelta(days=1))
    _save(case, "warning_sent_on", "warning_deadline")
    notice = notice_create(case, NoticeKind.WARNING, dated=on, deadline=deadline)
    event_record(
        case=case,
        code="case.warning_sent",
        actor=actor,
        from_state=before,
        message=Text(
            N_(
                "Collection warning sent; pay by %(deadline)s (%(days)s days, inkassoloven § 10, "
                "%(profile)s)."
            ),
            deadline=deadline,
            days=profile.warning_deadline_days,
            profile=profile.label,
        ),
        data={"notice": notice.pk, "deadline": deadline.isoformat()},
    )
    return notice


@transaction.atomic
def case_accept_creditor_warning(
    *, case: Case, actor: AbstractBaseUser | str | None = None
) -> None:
    """A case filed after the creditor sent its own warning: check it, and count it as ours."""
    case = lock_case(case)
    sent_on = case.creditor_warning_sent_on
    if sent_on is None:
        raise CaseError(_("The creditor has not reported a collection warning."))
    claim = _oldest_claim(case)
    if sent_on < claim.due_date:
        raise CaseError(
            _(
                "The creditor's warning of %(sent)s was sent before the claim fell due on "
                "%(due)s, so it is not valid."
            )
            % {"sent": sent_on.isoformat(), "due": claim.due_date.isoformat()}
        )
    profile = selectors.profile_for(case, sent_on)
    deadline = warning_deadline_date(profile, sent_on)
    before = transition_apply(case, case.warn, sent_on=sent_on, deadline=deadline)
    case.next_action_at = action_at(max(deadline + timedelta(days=1), timezone.localdate()))
    _save(case, "warning_sent_on", "warning_deadline")
    event_record(
        case=case,
        code="case.warning_evidence_accepted",
        actor=actor,
        from_state=before,
        message=Text(
            N_("The creditor's collection warning of %(sent)s is accepted; deadline %(deadline)s."),
            sent=sent_on,
            deadline=deadline,
        ),
    )


@transaction.atomic
def case_hand_over(*, case: Case, on: date, actor: AbstractBaseUser | str | None = None) -> Notice:
    """Start collection after the warning's deadline: the handover fee, the B2B compensation
    per business invoice, collection costs within the cap, and the first collection letter."""
    case = lock_case(case)
    before = transition_apply(case, case.hand_over, on=on)
    refuse_if_time_barred(case, on)
    charges = selectors.case_collection_charges(case, on=on)
    fee_post(
        case=case,
        kind=EntryKind.HANDOVER_FEE,
        figure=charges.handover_fee,
        posted_on=on,
        case_locked=True,
    )
    claims = {claim.pk: claim for claim in Claim.objects.filter(case=case)}
    for claim_id, figure in charges.compensations:
        fee_post(
            case=case,
            claim=claims[claim_id],
            kind=EntryKind.COMPENSATION,
            figure=figure,
            posted_on=on,
            case_locked=True,
        )
    if charges.collection_costs.amount > 0:
        fee_post(
            case=case,
            kind=EntryKind.COLLECTION_COSTS,
            figure=charges.collection_costs,
            posted_on=on,
            case_locked=True,
        )
    case.next_action_at = action_at(on + timedelta(days=case.creditor.policy_collection_days))
    _save(case, "collection_started_on")
    notice = notice_create(case, NoticeKind.COLLECTION_LETTER, dated=on)
    event_record(
        case=case,
        code="case.collection_started",
        actor=actor,
        from_state=before,
        message=Text(
            N_("Collection started; first collection letter with a voluntary settlement.")
        ),
        data={"notice": notice.pk},
    )
    # A person calls the debtor: nobody has spoken to them yet.
    work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)
    return notice


@transaction.atomic
def case_to_monitoring(*, case: Case, on: date, actor=None, reason: str = "") -> None:
    case = lock_case(case)
    before = transition_apply(case, case.monitor)
    case.next_action_at = action_at(
        on + timedelta(days=case.creditor.policy_monitoring_recheck_days)
    )
    _save(case)
    event_record(case=case, code="case.monitoring_started", actor=actor, from_state=before,
                 message=reason or Text(N_("No payment: long-term monitoring.")))  # fmt: skip


@transaction.atomic
def case_monitoring_recheck(*, case: Case, on: date, actor=None) -> None:
    """A periodic look at a monitored case; it stays monitored until someone reopens it."""
    case = lock_case(case)
    if case.state != CaseState.MONITORING:
        raise CaseError(_("Case %(case)s is not in monitoring.") % {"case": case.reference})
    case.next_action_at = action_at(
        on + timedelta(days=case.creditor.policy_monitoring_recheck_days)
    )
    _save(case)
    event_record(case=case, code="case.monitoring_rechecked", actor=actor, from_state=case.state)
    # The re-check is a person's look at the debtor's situation now.
    work_item_raise(case=case, reason=WorkItemReason.MONITORING_RECHECK)


@transaction.atomic
def case_reopen(*, case: Case, on: date, actor=None, reason: str = "") -> None:
    case = lock_case(case)
    before = transition_apply(case, case.reopen)
    case.next_action_at = action_at(on + timedelta(days=case.creditor.policy_collection_days))
    _save(case)
    event_record(case=case, code="case.reopened", actor=actor, from_state=before, message=reason)


@transaction.atomic
def case_close(
    *, case: Case, reason: ClosedReason | str, actor=None, message: str | Text = ""
) -> Case:
    case = lock_case(case)
    if case.state == CaseState.CLOSED:
        return case
    before = transition_apply(case, case.close, reason=reason)
    _save(case, "closed_reason")
    event_record(case=case, code="case.closed", actor=actor, from_state=before,
                 message=message, data={"reason": str(reason)})  # fmt: skip
    notice_create(case, NoticeKind.CLOSED, dated=timezone.localdate())
    from .credit_bureau import credit_bureau_on_case_closed  # builds on this module

    credit_bureau_on_case_closed(case=case, reason=reason, actor=actor)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, actor=None, message: str | Text = "") -> Case:
    """The creditor takes the case back. A closed case cannot be withdrawn (again): saying so
    beats a silent success that would let the creditor believe something happened."""
    case = lock_case(case)
    if case.state == CaseState.CLOSED:
        raise CaseError(
            _("The case is closed already (%(reason)s); it cannot be withdrawn.")
            % {"reason": case.get_closed_reason_display() or _("closed")}
        )
    return case_close(case=case, reason=ClosedReason.WITHDRAWN, actor=actor, message=message)


@transaction.atomic
def case_close_if_paid(*, case: Case, actor=None) -> bool:
    """Close the case as paid when nothing is owed any more."""
    case = lock_case(case)
    if case.state == CaseState.CLOSED:
        return False
    owed = selectors.case_balance(case).total
    if owed > 0:
        return False
    case_close(case=case, reason=ClosedReason.PAID, actor=actor, message=Text(N_("Paid in full.")))
    return True


@transaction.atomic
def case_reinstate_if_owed(*, case: Case, actor=None, message: str | Text = "") -> bool:
    """Reopen a case closed as paid when money is owed again (a payment was reversed), in the
    state it was closed from."""
    case = lock_case(case)
    if case.state != CaseState.CLOSED or case.closed_reason != ClosedReason.PAID:
        return False
    owed = selectors.case_balance(case).total
    if owed <= 0:
        return False
    closing = CaseEvent.objects.filter(case=case, code="case.closed").order_by("-pk").first()
    to_state = closing.from_state if closing else CaseState.COLLECTION
    before = transition_apply(case, case.reinstate, to_state=to_state)
    case.next_action_at = timezone.now()
    _save(case, "closed_reason")
    event_record(case=case, code="case.reinstated", actor=actor, from_state=before,
                 message=message or Text(N_("Money is owed again.")))  # fmt: skip
    return True


@transaction.atomic
def case_pause(*, case: Case, until: date, actor=None, reason: str = "") -> None:
    """Hold the case until a date: the scheduler takes no step before it."""
    case = lock_case(case)
    if until <= timezone.localdate():
        raise ValidationError({"until": _("A pause ends on a future date.")})
    if case.state == CaseState.CLOSED:
        raise CaseError(_("Case %(case)s is closed.") % {"case": case.reference})
    case.paused_until = until
    case.next_action_at = action_at(until)
    _save(case, "paused_until")
    event_record(case=case, code="case.paused", actor=actor, from_state=case.state,
                 message=reason, data={"until": until.isoformat()})  # fmt: skip


@transaction.atomic
def dispute_open(
    *, case: Case, reason: str, debtor_statement: str = "", on: date | None = None, actor=None
) -> Dispute:
    """Register a dispute: reminders, fees and escalation stop until a person answers it."""
    case = lock_case(case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the debtor disputes.")})
    dispute = Dispute.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        opened_on=on or timezone.localdate(),
        reason=reason,
        debtor_statement=debtor_statement,
    )
    case.next_action_at = None
    _save(case)
    event_record(case=case, code="case.dispute_opened", actor=actor, from_state=case.state,
                 message=reason, data={"dispute": dispute.pk})  # fmt: skip
    notice_create(case, NoticeKind.DISPUTE_ACK, dated=dispute.opened_on)
    work_item_raise(case=case, reason=WorkItemReason.DISPUTE_DECISION)
    from .credit_bureau import credit_bureau_on_dispute  # builds on this module

    credit_bureau_on_dispute(case=case, actor=actor)
    return dispute


@transaction.atomic
def dispute_resolve(
    *,
    dispute: Dispute,
    outcome: Dispute.Outcome | str,
    note: str,
    user: AbstractBaseUser,
    withdraw: bool = True,
    data: dict | None = None,
) -> Dispute:
    """A person answers the dispute, and the debtor gets the answer in writing (a
    ``dispute_answer`` letter). Upheld: the case is closed as withdrawn, unless ``withdraw``
    is false (the claim is written down instead, by the caller, and the case goes on).
    Rejected: the case goes on from where it stood. ``data`` joins the timeline event (the
    remedy, for the letter)."""
    case = lock_case(dispute.case)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.resolved_at is not None:
        raise CaseError(_("The dispute has been resolved already."))
    if not note.strip():
        raise ValidationError({"note": _("Answer the debtor in substance.")})
    dispute.resolved_at = timezone.now()
    dispute.outcome = outcome
    dispute.resolution_note = note
    dispute.resolved_by = user
    dispute.save(update_fields=["resolved_at", "outcome", "resolution_note", "resolved_by"])
    event_record(case=case, code="case.dispute_resolved", actor=user, from_state=case.state,
                 message=note, data={**(data or {}), "dispute": dispute.pk,
                                     "outcome": str(outcome)})  # fmt: skip
    notice_create(case, NoticeKind.DISPUTE_ANSWER, dated=timezone.localdate())
    if not case.has_open_dispute():
        work_item_close_open(
            case=case, reason=WorkItemReason.DISPUTE_DECISION, user=user, outcome=str(outcome)
        )
    if outcome == Dispute.Outcome.UPHELD and withdraw:
        case_close(case=case, reason=ClosedReason.WITHDRAWN, actor=user, message=note)
    elif not case.has_open_dispute():
        case.next_action_at = timezone.now()
        _save(case)
    return dispute


def promise_deadline(pay_by: date) -> date:
    """The last day money for a promise may arrive before it counts as broken."""
    return pay_by + timedelta(days=settings.PROMISE_GRACE_DAYS)


@transaction.atomic
def promise_to_pay_record(*, case: Case, amount: Decimal, pay_by: date, actor=None) -> PromiseToPay:
    """The debtor promises to pay; the case (and its escalation) waits until the promised date
    and the grace days after it (``PROMISE_GRACE_DAYS``) have passed."""
    case = lock_case(case)
    if pay_by < timezone.localdate():
        raise ValidationError({"pay_by": _("A promise is to pay on a future date.")})
    promise = PromiseToPay.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        promised_on=timezone.localdate(),
        pay_by=pay_by,
        amount=amount,
    )
    case.next_action_at = action_at(promise_deadline(pay_by) + timedelta(days=1))
    _save(case)
    event_record(case=case, code="case.promise_recorded", actor=actor, from_state=case.state,
                 data={"amount": str(amount), "pay_by": pay_by.isoformat(),
                       "promise": promise.pk})  # fmt: skip
    return promise
