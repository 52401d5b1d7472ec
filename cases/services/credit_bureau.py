"""Credit-bureau registration (RKI and similar): warn, decide, register, deregister.

The legal preconditions are decided by the rules engine (``cases.rules.credit_bureau``) from
facts gathered here: never a disputed claim, never data older than five years, the debtor
warned in a letter that says so (``NoticeKind.CREDIT_BUREAU_WARNING``) at least the profile's
days before, the claim above the bureau's minimum. A refusal is a ``CaseError`` that says why.

Nothing is registered automatically: once a warned case may be registered, the sweep opens a
``credit_bureau_decision`` work item and a person decides (register or not). A registration is
deleted automatically when its ground goes (payment in full, a dispute, withdrawal or any
other closing, the data's fifth year), with the deadline by which the bureau must have it.

What goes to the bureau is a ``CreditBureauSubmission`` queued on commit; the send task writes
an attempt row and commits it before calling the adapter, with the submission's idempotency
key, so a retry after a crash files nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import (
    ACTIVE_REGISTRATION_STATUSES,
    AttemptOutcome,
    Case,
    CaseState,
    Claim,
    ClosedReason,
    CreditBureauAttempt,
    CreditBureauRegistration,
    CreditBureauSubmission,
    EndReason,
    RegistrationStatus,
    SubmissionAction,
    SubmissionStatus,
    WorkItemReason,
)
from cases.rules import PROFILES
from cases.rules.credit_bureau import (
    BureauVerdict,
    credit_bureau_verdict,
    deregistration_deadline,
)
from collections_portal.celery import enqueue, enqueue_on_commit
from collections_portal.tenancy import agency_scope
from collections_portal.texts import Text
from debtors.models import DebtorKind
from notices.models import NoticeKind

from . import lifecycle
from .errors import CaseError
from .locking import lock_case
from .work_items import work_item_close_open, work_item_open

logger = logging.getLogger(__name__)

IN_COLLECTION = (CaseState.COLLECTION, CaseState.MONITORING, CaseState.LEGAL)

# How a case's closing reason ends its registrations.
CLOSING_REASONS = {
    ClosedReason.PAID: EndReason.PAID,
    ClosedReason.WITHDRAWN: EndReason.WITHDRAWN,
}


@dataclass(frozen=True)
class Facts:
    amount: object
    oldest_due_date: date
    disputed: bool
    in_collection: bool
    identified: bool


def _facts(case: Case) -> Facts:
    oldest = (
        Claim.objects.filter(case=case).order_by("due_date").values_list("due_date", flat=True)[:1]
    )
    return Facts(
        amount=selectors.case_balance(case).total,
        oldest_due_date=oldest[0],
        disputed=case.has_open_dispute(),
        in_collection=case.state in IN_COLLECTION,
        identified=bool(case.debtor.national_id),
    )


def verdict_for(
    *, case: Case, bureau: str, on: date, warned_on: date | None, check_warning: bool = True
) -> BureauVerdict:
    """The rules engine's verdict on registering ``case`` with ``bureau`` on ``on``."""
    facts = _facts(case)
    return credit_bureau_verdict(
        selectors.profile_for(case, on),
        bureau=bureau,
        on=on,
        amount=facts.amount,
        oldest_due_date=facts.oldest_due_date,
        disputed=facts.disputed,
        in_collection=facts.in_collection,
        warned_on=warned_on,
        identified=facts.identified,
        check_warning=check_warning,
    )


def _active(case: Case, bureau: str | None = None):
    rows = CreditBureauRegistration.objects.filter(
        case=case, status__in=ACTIVE_REGISTRATION_STATUSES
    )
    return rows.filter(bureau=bureau) if bureau else rows


def _bureau_name(case: Case, bureau: str, on: date) -> str:
    return selectors.profile_for(case, on).credit_bureau(bureau).name


# --- The warning letter ---------------------------------------------------------------------


@transaction.atomic
def credit_bureau_warn(
    *,
    case: Case,
    bureau: str,
    on: date | None = None,
    actor: AbstractBaseUser | str | None = None,
) -> CreditBureauRegistration:
    """Send the letter announcing a registration with ``bureau``: from the profile's days
    after it, unless the debtor pays or objects. Refused where the registration itself would
    be (a letter never threatens a step the law forbids, inkassoloven § 9). Warning again
    while the case has an active warning or registration with the bureau changes nothing."""
    case = lock_case(case)
    on = on or timezone.localdate()
    existing = _active(case, bureau).first()
    if existing is not None:
        return existing
    verdict = verdict_for(case=case, bureau=bureau, on=on, warned_on=None, check_warning=False)
    if not verdict.allowed:
        raise CaseError(
            _("No credit-bureau warning on case %(case)s: %(refusal)s (%(rule)s; %(profile)s).")
            % {
                "case": case.reference,
                "refusal": verdict.refusal_text.render(),
                "rule": verdict.rule,
                "profile": verdict.profile,
            }
        )
    profile = selectors.profile_for(case, on)
    eligible_from = on + timedelta(days=profile.credit_bureau_warning_days)
    facts = _facts(case)
    # The letter asks for payment by the day before the registration may be made.
    notice = lifecycle._notice(
        case, NoticeKind.CREDIT_BUREAU_WARNING, dated=on, deadline=eligible_from - timedelta(1)
    )
    registration = CreditBureauRegistration.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        debtor_id=case.debtor_id,
        bureau=bureau,
        register=verdict.register,
        status=RegistrationStatus.WARNED,
        amount=facts.amount,
        currency=case.currency,
        warning_notice=notice,
        warned_on=on,
        eligible_from=eligible_from,
        data_date=facts.oldest_due_date,
        data_expires_on=verdict.data_expires_on,
    )
    name = _bureau_name(case, bureau, on)
    lifecycle.event_record(
        case=case,
        code="credit_bureau.warning_sent",
        actor=actor,
        from_state=case.state,
        message=Text(
            N_(
                "The debtor was warned of a registration with %(bureau)s: possible from "
                "%(eligible)s (%(days)s days, %(profile)s)."
            ),
            bureau=name,
            eligible=eligible_from,
            days=profile.credit_bureau_warning_days,
            profile=profile.label,
        ),
        data={"registration": registration.pk, "notice": notice.pk, "bureau": bureau},
    )
    return registration


# The letter's facts are a read: a selector, so the letters (notices) need not import this
# module. Importable from here as before.
warning_letter_facts = selectors.credit_bureau_warning_facts


# --- Registering, or deciding not to ----------------------------------------------------------


@transaction.atomic
def credit_bureau_register(
    *,
    case: Case,
    bureau: str,
    on: date | None = None,
    actor: AbstractBaseUser | str | None = None,
    user: AbstractBaseUser | None = None,
) -> CreditBureauRegistration:
    """Register the case's debt with ``bureau``, if the rules allow it on ``on``; a
    ``CaseError`` says why not. Registering a case already registered changes nothing."""
    case = lock_case(case)
    on = on or timezone.localdate()
    registration = _active(case, bureau).select_for_update().first()
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        return registration
    warned_on = registration.warned_on if registration is not None else None
    verdict = verdict_for(case=case, bureau=bureau, on=on, warned_on=warned_on)
    if not verdict.allowed:
        raise CaseError(
            _("Case %(case)s may not be registered: %(refusal)s (%(rule)s; %(profile)s).")
            % {
                "case": case.reference,
                "refusal": verdict.refusal_text.render(),
                "rule": verdict.rule,
                "profile": verdict.profile,
            }
        )
    facts = _facts(case)
    registration.status = RegistrationStatus.REGISTERED
    registration.registered_on = on
    registration.registered_by = user
    registration.amount = facts.amount
    registration.register = verdict.register
    registration.explanation = verdict.explanation
    registration.save(
        update_fields=[
            "status",
            "registered_on",
            "registered_by",
            "amount",
            "register",
            "explanation",
        ]
    )
    _submit(registration, SubmissionAction.REGISTER)
    lifecycle.event_record(
        case=case,
        code="credit_bureau.registered",
        actor=actor if actor is not None else user,
        from_state=case.state,
        message=verdict.text,
        data={
            "registration": registration.pk,
            "bureau": bureau,
            "amount": str(facts.amount),
            "register": verdict.register,
        },
    )
    work_item_close_open(
        case=case,
        reason=WorkItemReason.CREDIT_BUREAU_DECISION,
        user=user,
        # The outcome is kept as words (the work item's text column): in the language of the
        # person who decided.
        outcome=_("Registered with %(bureau)s.") % {"bureau": _bureau_name(case, bureau, on)},
    )
    return registration


@transaction.atomic
def credit_bureau_decline(
    *,
    case: Case,
    bureau: str,
    note: str,
    actor: AbstractBaseUser | str | None = None,
    user: AbstractBaseUser | None = None,
) -> CreditBureauRegistration | None:
    """A person decides not to register a warned case: the warning lapses."""
    case = lock_case(case)
    registration = _active(case, bureau).select_for_update().first()
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        raise CaseError(
            _("Case %(case)s is registered with %(bureau)s: deregister it instead.")
            % {"case": case.reference, "bureau": bureau}
        )
    if registration is not None:
        _end(case, registration, EndReason.DECIDED, on=timezone.localdate(), actor=actor or user,
             message=note)  # fmt: skip
    work_item_close_open(
        case=case,
        reason=WorkItemReason.CREDIT_BUREAU_DECISION,
        user=user,
        outcome=_("Not registered: %(note)s") % {"note": note} if note else _("Not registered."),
    )
    return registration


def credit_bureau_decide(
    *, item, register: bool, user: AbstractBaseUser, note: str = ""
) -> CreditBureauRegistration | None:
    """An agent's decision on a ``credit_bureau_decision`` work item; either way the item
    closes (through the service that acts)."""
    if item.reason != WorkItemReason.CREDIT_BUREAU_DECISION:
        raise ValueError("Not a credit-bureau decision.")
    registration = (
        _active(item.case).filter(status=RegistrationStatus.WARNED).order_by("pk").first()
    )
    bureau = registration.bureau if registration is not None else item.factors.get("bureau", "")
    if register:
        return credit_bureau_register(case=item.case, bureau=bureau, user=user)
    return credit_bureau_decline(case=item.case, bureau=bureau, note=note, user=user)


# --- Deregistering ---------------------------------------------------------------------------


@transaction.atomic
def credit_bureau_deregister(
    *,
    case: Case,
    reason: EndReason | str,
    on: date | None = None,
    bureau: str | None = None,
    actor: AbstractBaseUser | str | None = None,
    message: str | Text = "",
    deadline: date | None = None,
) -> list[CreditBureauRegistration]:
    """End the case's registrations (with ``bureau``, or all): a registered one is deleted at
    the bureau within the profile's days, a warned one lapses. Returns what changed; a
    second call changes nothing."""
    case = lock_case(case)
    on = on or timezone.localdate()
    changed = []
    for registration in _active(case, bureau).select_for_update().order_by("pk"):
        _end(case, registration, reason, on=on, actor=actor, message=message, deadline=deadline)
        changed.append(registration)
    if changed:
        work_item_close_open(
            case=case,
            reason=WorkItemReason.CREDIT_BUREAU_DECISION,
            user=None,
            outcome=_("No registration: %(reason)s.") % {"reason": EndReason(reason).label},
        )
    return changed


def _end(
    case: Case,
    registration: CreditBureauRegistration,
    reason: EndReason | str,
    *,
    on: date,
    actor,
    message: str | Text = "",
    deadline: date | None = None,
) -> None:
    registered = registration.status == RegistrationStatus.REGISTERED
    profile = selectors.profile_for(case, on)
    registration.status = (
        RegistrationStatus.DEREGISTERED if registered else RegistrationStatus.CANCELLED
    )
    registration.deregistered_on = on
    registration.deregistration_reason = reason
    registration.deregistration_due_on = (
        deadline or deregistration_deadline(profile, on) if registered else None
    )
    registration.save(
        update_fields=[
            "status",
            "deregistered_on",
            "deregistration_reason",
            "deregistration_due_on",
        ]
    )
    name = profile.credit_bureau(registration.bureau).name
    label = EndReason(reason).label
    if registered:
        _submit(registration, SubmissionAction.DELETE)
        text = Text(
            N_(
                "The registration with %(bureau)s is deleted (%(reason)s); the bureau must have "
                "the deletion by %(deadline)s (%(profile)s)."
            ),
            bureau=name,
            reason=label,
            deadline=registration.deregistration_due_on,
            profile=profile.label,
        )
        code = "credit_bureau.deregistered"
    else:
        text = Text(
            N_("The announced registration with %(bureau)s will not be made (%(reason)s)."),
            bureau=name,
            reason=label,
        )
        code = "credit_bureau.cancelled"
    # What follows: a person's note, as written, or the rules' refusal (a stored text).
    if isinstance(message, str):
        message = message.strip()
    lifecycle.event_record(
        case=case,
        code=code,
        actor=actor,
        from_state=case.state,
        message=Text.join(text, message),
        data={"registration": registration.pk, "bureau": registration.bureau, "reason": reason},
    )


def credit_bureau_on_case_closed(*, case: Case, reason: str, actor=None) -> None:
    """Hook of ``lifecycle.case_close``: a closed case keeps no registration (paid in full,
    withdrawn, written off, sold, time-barred)."""
    if not _active(case).exists():
        return
    end = CLOSING_REASONS.get(reason, EndReason.CASE_CLOSED)
    credit_bureau_deregister(case=case, reason=end, actor=actor)


def credit_bureau_on_dispute(*, case: Case, actor=None) -> None:
    """Hook of ``lifecycle.dispute_open``: a disputed claim is never registered."""
    if _active(case).exists():
        credit_bureau_deregister(case=case, reason=EndReason.DISPUTED, actor=actor)


# --- Submissions to the bureau ---------------------------------------------------------------


def _submit(registration: CreditBureauRegistration, action: str) -> CreditBureauSubmission:
    submission, _created = CreditBureauSubmission.objects.get_or_create(
        registration=registration,
        action=action,
        defaults={"creditor_id": registration.creditor_id},
    )
    from cases.tasks import credit_bureau_send_task  # tasks build on this module

    enqueue_on_commit(
        credit_bureau_send_task,
        submission_id=submission.pk,
        creditor_id=registration.creditor_id,
    )
    return submission


def _record(submission: CreditBureauSubmission):
    from integrations.credit_bureau import BureauRecord

    registration = submission.registration
    case = registration.case
    debtor = case.debtor
    creditor = case.creditor
    return BureauRecord(
        action=submission.action,
        idempotency_key=str(submission.idempotency_key),
        bureau=registration.bureau,
        register=registration.register,
        creditor_cvr=creditor.cvr,
        creditor_name=creditor.name,
        case_number=case.reference,
        debtor_id_type="CPR" if debtor.kind == DebtorKind.PERSON else "CVR",
        debtor_id=debtor.national_id,
        debtor_name=debtor.name,
        debtor_address=debtor.address_line,
        debtor_postal_code=debtor.postal_code,
        debtor_city=debtor.city,
        amount=registration.amount,
        currency=registration.currency,
        oldest_due_date=registration.data_date,
        registered_on=registration.registered_on,
        deleted_on=registration.deregistered_on if submission.action == "delete" else None,
        deletion_reason=registration.deregistration_reason if submission.action == "delete" else "",
    )


# First key of the two-key advisory locks taken here ("CRBU"), apart from other modules'.
ADVISORY_LOCK_NAMESPACE = 0x43524255


@contextmanager
def _sending_lock(submission_id: int) -> Iterator[bool]:
    """A session-level advisory lock held while one worker sends one submission (released on
    exit, or by PostgreSQL when the worker's connection dies)."""
    key = (ADVISORY_LOCK_NAMESPACE, submission_id % 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", key)


def submission_send(*, submission_id: int) -> str:
    """Send one submission to the bureau, once. Returns the submission's status after it.

    One worker at a time sends a submission (an advisory lock; a second copy of the task
    returns at once). The attempt row is committed before the call; the call carries the
    submission's idempotency key, so a call repeated after a crash files nothing twice. A
    temporary failure leaves the submission pending for the sweep; a permanent one fails it
    and opens a work item for a person.
    """
    with _sending_lock(submission_id) as acquired:
        if not acquired:
            return "busy"
        return _send(submission_id)


def _send(submission_id: int) -> str:
    from integrations.credit_bureau import BureauError, bureau_adapter

    with transaction.atomic():
        submission = (
            CreditBureauSubmission.objects.select_for_update(of=("self",))
            .select_related("registration__case__debtor", "registration__case__creditor")
            .get(pk=submission_id)
        )
        if submission.status != SubmissionStatus.PENDING:
            return submission.status
        if submission.action == SubmissionAction.DELETE:
            first = CreditBureauSubmission.objects.filter(
                registration=submission.registration, action=SubmissionAction.REGISTER
            ).first()
            if first is not None and first.status == SubmissionStatus.PENDING:
                return "waiting"  # the registration goes first; the sweep queues this again
            if first is not None and first.status != SubmissionStatus.SENT:
                # Never filed: nothing to delete at the bureau.
                submission.status = SubmissionStatus.CANCELLED
                submission.finished_at = timezone.now()
                submission.save(update_fields=["status", "finished_at"])
                return submission.status
        try:
            adapter = bureau_adapter()
        except BureauError as exc:
            logger.warning("credit-bureau submission %s waits: %s", submission.pk, exc)
            return submission.status
        record = _record(submission)
        attempt = CreditBureauAttempt.objects.create(
            creditor_id=submission.creditor_id, submission=submission, adapter=adapter.name
        )
    try:
        reference = adapter.submit(record)
    except BureauError as exc:
        return _failed(submission, attempt, exc)
    with transaction.atomic():
        CreditBureauAttempt.objects.filter(pk=attempt.pk).update(
            outcome=AttemptOutcome.ACCEPTED, bureau_reference=reference, finished_at=timezone.now()
        )
        submission = CreditBureauSubmission.objects.select_for_update().get(pk=submission.pk)
        if submission.status == SubmissionStatus.PENDING:
            submission.status = SubmissionStatus.SENT
            submission.bureau_reference = reference
            submission.finished_at = timezone.now()
            submission.save(update_fields=["status", "bureau_reference", "finished_at"])
            if submission.action == SubmissionAction.REGISTER:
                CreditBureauRegistration.objects.filter(pk=submission.registration_id).update(
                    external_reference=reference
                )
    return submission.status


def _failed(submission: CreditBureauSubmission, attempt: CreditBureauAttempt, exc) -> str:
    outcome = AttemptOutcome.PERMANENT if exc.permanent else AttemptOutcome.TRANSIENT
    with transaction.atomic():
        CreditBureauAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome, error=str(exc)[:2000], finished_at=timezone.now()
        )
        if not exc.permanent:
            logger.warning("credit-bureau submission %s failed, retried later: %s",
                           submission.pk, exc)  # fmt: skip
            return SubmissionStatus.PENDING
        submission = CreditBureauSubmission.objects.select_for_update().get(pk=submission.pk)
        submission.status = SubmissionStatus.FAILED
        submission.error = str(exc)[:2000]
        submission.finished_at = timezone.now()
        submission.save(update_fields=["status", "error", "finished_at"])
        case = submission.registration.case
        lifecycle.event_record(
            case=case,
            code="credit_bureau.submission_failed",
            actor="credit bureau",
            from_state=case.state,
            message=Text(
                N_("The bureau refused the deletion: %(error)s")
                if submission.action == SubmissionAction.DELETE
                else N_("The bureau refused the registration: %(error)s"),
                error=str(exc),
            ),
            data={"submission": submission.pk},
        )
        work_item_open(
            case=case,
            reason=WorkItemReason.CREDIT_BUREAU_SUBMISSION_FAILED,
            due_at=timezone.now(),
            # A deletion the bureau refused keeps a registration without ground: urgent.
            priority=100 if submission.action == SubmissionAction.DELETE else 50,
            factors={"action": submission.action, "submission": submission.pk},
        )
    return SubmissionStatus.FAILED


# --- The sweep -------------------------------------------------------------------------------


_MAX_DEREGISTRATION_DAYS = max(
    (p.credit_bureau_deregistration_days or 0) for ps in PROFILES.values() for p in ps
)


@dataclass
class SweepReport:
    decisions: int = 0
    lapsed: int = 0
    expired: int = 0
    requeued: int = 0


def credit_bureau_sweep(*, today: date | None = None) -> SweepReport:
    """Run by beat: (1) a warned case whose warning period has passed gets a decision work
    item, or its warning lapses when the rules now refuse for good; (2) a registration whose
    data turns five years old within the deletion days is deleted, in time; (3) submissions
    still waiting are queued again. Safe to run twice. Runs in the agency's scope."""
    from cases.tasks import credit_bureau_send_task

    today = today or timezone.localdate()
    report = SweepReport()
    with agency_scope(reason="credit-bureau sweep over every creditor's registrations"):
        for registration in CreditBureauRegistration.objects.filter(
            status=RegistrationStatus.WARNED, eligible_from__lte=today
        ).select_related("case__debtor", "case__creditor"):
            with transaction.atomic():
                report_decision(registration, today, report)
        # Only registrations near their limit are read (an index on data_expires_on).
        expiring = CreditBureauRegistration.objects.filter(
            status__in=ACTIVE_REGISTRATION_STATUSES,
            data_expires_on__lte=today + timedelta(days=_MAX_DEREGISTRATION_DAYS + 1),
        ).select_related("case__creditor")
        for registration in expiring:
            profile = selectors.profile_for(registration.case, today)
            days = profile.credit_bureau_deregistration_days or 0
            last_day = registration.data_expires_on - timedelta(days=1)
            if last_day - timedelta(days=days) > today:
                continue
            changed = credit_bureau_deregister(
                case=registration.case,
                reason=EndReason.DATA_EXPIRED,
                on=today,
                bureau=registration.bureau,
                actor="credit-bureau sweep",
                deadline=last_day,
            )
            report.expired += len(changed)
        for submission in CreditBureauSubmission.objects.filter(status=SubmissionStatus.PENDING):
            enqueue(
                credit_bureau_send_task,
                submission_id=submission.pk,
                creditor_id=submission.creditor_id,
            )
            report.requeued += 1
    return report


def report_decision(registration: CreditBureauRegistration, today: date, report) -> None:
    case = registration.case
    verdict = verdict_for(
        case=case, bureau=registration.bureau, on=today, warned_on=registration.warned_on
    )
    if verdict.allowed:
        amount = _facts(case).amount
        days_left = (registration.data_expires_on - today).days
        # Larger debts first, and data nearing its fifth year (a decision then is urgent).
        by_amount = min(int(amount // 1000), 50)
        by_age = max(0, 30 - days_left // 30)
        work_item_open(
            case=case,
            reason=WorkItemReason.CREDIT_BUREAU_DECISION,
            due_at=timezone.now(),
            priority=by_amount + by_age,
            factors={
                "bureau": registration.bureau,
                "amount": str(amount),
                "priority_from_amount": by_amount,
                "priority_from_data_age": by_age,
                "warned_on": registration.warned_on.isoformat(),
                "eligible_from": registration.eligible_from.isoformat(),
                "data_expires_on": registration.data_expires_on.isoformat(),
                "verdict": verdict.explanation,
            },
        )
        report.decisions += 1
        return
    facts = _facts(case)
    if facts.disputed or not facts.in_collection or today >= registration.data_expires_on:
        reason = EndReason.DISPUTED if facts.disputed else EndReason.CASE_CLOSED
        if today >= registration.data_expires_on:
            reason = EndReason.DATA_EXPIRED
        credit_bureau_deregister(
            case=case,
            reason=reason,
            on=today,
            bureau=registration.bureau,
            actor="credit-bureau sweep",
            message=verdict.refusal_text,
        )
        report.lapsed += 1
