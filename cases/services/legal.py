"""The legal track: betalingspåkrav, its endorsement or the debtor's objection, the fogedret
request and the udlæg result. Each step is one service in one transaction: it locks the case,
checks the rules, moves the state through the django-fsm transition, posts any court fee,
records a ``LegalStep``, the limitation events the step causes and a timeline event.

The scheduler never takes these steps: a person does, with the court's papers in hand.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import (
    AttachmentOutcome,
    Case,
    CaseState,
    EntryKind,
    LegalStep,
    LegalStepKind,
    LimitationEvent,
)
from cases.rules.legal import (
    court_fee_enforcement,
    court_fee_payment_claim,
    summary_procedure_refusal,
)
from collections_portal.texts import Day, Money, Text

from . import lifecycle
from .cases import limitation_events_for_case
from .errors import CaseError
from .ledger import fee_post
from .locking import acting_user, lock_case
from .steps import state_name, transition_apply


def _step(
    *,
    case: Case,
    kind: LegalStepKind,
    on: date,
    user: AbstractBaseUser | None,
    note: str = "",
    outcome: str = "",
    court_reference: str = "",
) -> LegalStep:
    return LegalStep.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        kind=kind,
        outcome=outcome,
        occurred_on=on,
        court_reference=court_reference,
        note=note,
        created_by=acting_user(user),
    )


def _require_legal(case: Case) -> None:
    if case.state != CaseState.LEGAL:
        raise CaseError(
            _(
                "Case %(case)s is not on the legal track (state %(state)s): file a "
                "betalingspåkrav first."
            )
            % {"case": case.reference, "state": state_name(case.state)}
        )


def _require_filed_payment_claim(case: Case) -> None:
    _require_legal(case)
    if not LegalStep.objects.filter(case=case, kind=LegalStepKind.PAYMENT_CLAIM_FILED).exists():
        raise CaseError(
            _("No betalingspåkrav has been filed on case %(case)s.") % {"case": case.reference}
        )


@transaction.atomic
def legal_file_payment_claim(
    *,
    case: Case,
    on: date,
    user: AbstractBaseUser | None = None,
    court_reference: str = "",
    note: str = "",
) -> LegalStep:
    """File a betalingspåkrav (the simplified procedure) and charge its court fee.

    Refused for a disputed case (a disputed claim goes to a civil suit), a principal above the
    profile's limit, and a case whose collection warning has not expired (inkassoloven § 10).
    The filing interrupts limitation on every claim (forældelsesloven § 16).
    """
    case = lock_case(case)
    if case.has_open_dispute():
        raise CaseError(
            _(
                "Case %(case)s has an open dispute: a disputed claim goes to a civil suit, not "
                "a betalingspåkrav."
            )
            % {"case": case.reference}
        )
    if case.warning_deadline is None:
        raise CaseError(
            _(
                "No collection warning on case %(case)s has expired: a betalingspåkrav "
                "requires one (inkassoloven § 10)."
            )
            % {"case": case.reference}
        )
    if on <= case.warning_deadline:
        raise CaseError(
            _(
                "No collection warning on case %(case)s has expired (its deadline is "
                "%(deadline)s): a betalingspåkrav requires one (inkassoloven § 10)."
            )
            % {"case": case.reference, "deadline": case.warning_deadline.isoformat()}
        )
    profile = selectors.profile_for(case, on)
    principal = selectors.case_balance(case).principal
    if refusal := summary_procedure_refusal(profile, principal=principal):
        raise CaseError(refusal)
    before = case.state
    if case.state in (CaseState.COLLECTION, CaseState.MONITORING):
        transition_apply(case, case.go_legal)
        case.next_action_at = None  # the legal track waits for the court, and a person
        case.save(update_fields=["state", "next_action_at"])
    elif case.state != CaseState.LEGAL:
        raise CaseError(
            _(
                "Case %(case)s is in state %(state)s: the legal track starts from collection "
                "or monitoring."
            )
            % {"case": case.reference, "state": state_name(case.state)}
        )
    fee = court_fee_payment_claim(profile)
    fee_post(case=case, kind=EntryKind.COURT_FEE, figure=fee, posted_on=on, user=user)
    step = _step(
        case=case,
        kind=LegalStepKind.PAYMENT_CLAIM_FILED,
        on=on,
        user=user,
        court_reference=court_reference,
        note=note,
    )
    claims = limitation_events_for_case(
        case=case,
        kind=LimitationEvent.Kind.LEGAL_STEP,
        on=on,
        note=f"Betalingspåkrav filed ({profile.cite('limitation_legal_step')}).",
    )
    lifecycle.event_record(
        case=case,
        code="case.payment_claim_filed",
        actor=user,
        from_state=before,
        message=Text(
            N_(
                "Betalingspåkrav filed; court fee %(fee)s. Limitation interrupted on %(claims)s "
                "claim(s) (%(provision)s). The debtor has 14 days to object."
            ),
            fee=Money(fee.amount),
            claims=claims,
            provision=profile.cite("limitation_legal_step"),
        ),
        data={"legal_step": step.pk, "fee": str(fee.amount)},
    )
    return step


@transaction.atomic
def legal_record_endorsement(
    *, case: Case, on: date, user: AbstractBaseUser | None = None, court_reference: str = ""
) -> LegalStep:
    """The court endorsed the betalingspåkrav: it is enforceable, and every claim now has 10
    years' limitation from today (forældelsesloven § 5)."""
    case = lock_case(case)
    _require_filed_payment_claim(case)
    profile = selectors.profile_for(case, on)
    step = _step(
        case=case,
        kind=LegalStepKind.PAYMENT_CLAIM_ENDORSED,
        on=on,
        user=user,
        court_reference=court_reference,
    )
    limitation_events_for_case(
        case=case,
        kind=LimitationEvent.Kind.JUDGMENT,
        on=on,
        note=f"Endorsed betalingspåkrav ({profile.cite('limitation_ten_years')}).",
    )
    lifecycle.event_record(
        case=case,
        code="case.payment_claim_endorsed",
        actor=user,
        from_state=case.state,
        message=Text(
            N_(
                "Betalingspåkrav endorsed: enforceable; limitation %(years)s years from "
                "%(day)s (%(provision)s)."
            ),
            years=profile.limitation_years_acknowledged,
            day=Day(on),
            provision=profile.cite("limitation_ten_years"),
        ),
        data={"legal_step": step.pk},
    )
    return step


@transaction.atomic
def legal_record_objection(
    *, case: Case, on: date, note: str, user: AbstractBaseUser | None = None
) -> LegalStep:
    """The debtor objected to the betalingspåkrav: the claim must now go to a civil suit."""
    case = lock_case(case)
    if not note.strip():
        raise ValidationError({"note": _("Say what the debtor objected.")})
    _require_filed_payment_claim(case)
    step = _step(case=case, kind=LegalStepKind.PAYMENT_CLAIM_OBJECTED, on=on, user=user, note=note)
    lifecycle.event_record(
        case=case,
        code="case.payment_claim_objected",
        actor=user,
        from_state=case.state,
        message=Text(
            N_(
                "The debtor objected to the betalingspåkrav: %(note)s The case must go to a "
                "civil suit."
            ),
            note=note.strip(),
        ),
        data={"legal_step": step.pk},
    )
    return step


@transaction.atomic
def legal_request_enforcement(
    *, case: Case, on: date, user: AbstractBaseUser | None = None, court_reference: str = ""
) -> LegalStep:
    """Ask the fogedret for udlæg, and charge its court fee."""
    case = lock_case(case)
    _require_legal(case)
    if case.has_open_dispute():
        raise CaseError(
            _("Case %(case)s has an open dispute: it waits for a person.")
            % {"case": case.reference}
        )
    profile = selectors.profile_for(case, on)
    fee = court_fee_enforcement(profile)
    fee_post(case=case, kind=EntryKind.COURT_FEE, figure=fee, posted_on=on, user=user)
    step = _step(
        case=case,
        kind=LegalStepKind.ENFORCEMENT_REQUESTED,
        on=on,
        user=user,
        court_reference=court_reference,
    )
    lifecycle.event_record(
        case=case,
        code="case.enforcement_requested",
        actor=user,
        from_state=case.state,
        message=Text(N_("Fogedret request for udlæg; court fee %(fee)s."), fee=Money(fee.amount)),
        data={"legal_step": step.pk, "fee": str(fee.amount)},
    )
    return step


@transaction.atomic
def legal_record_attachment(
    *,
    case: Case,
    on: date,
    outcome: AttachmentOutcome | str,
    user: AbstractBaseUser | None = None,
    note: str = "",
) -> LegalStep:
    """The udlæg result. Nothing found: the case goes to long-term monitoring."""
    case = lock_case(case)
    if outcome not in AttachmentOutcome.values:
        raise ValidationError({"outcome": _("One of: levied, nothing found.")})
    _require_legal(case)
    if not LegalStep.objects.filter(case=case, kind=LegalStepKind.ENFORCEMENT_REQUESTED).exists():
        raise CaseError(
            _("No fogedret request has been made on case %(case)s.") % {"case": case.reference}
        )
    step = _step(
        case=case,
        kind=LegalStepKind.ATTACHMENT_RESULT,
        on=on,
        user=user,
        outcome=outcome,
        note=note,
    )
    before = case.state
    if outcome == AttachmentOutcome.NOTHING_FOUND:
        transition_apply(case, case.legal_to_monitoring)
        case.next_action_at = lifecycle.action_at(
            on + timedelta(days=case.creditor.policy_monitoring_recheck_days)
        )
        case.save(update_fields=["state", "next_action_at"])
        message = Text(N_("Udlæg: nothing found. The case goes to long-term monitoring."))
    else:
        message = Text(N_("Udlæg levied."))
    lifecycle.event_record(
        case=case,
        code="case.attachment_recorded",
        actor=user,
        from_state=before,
        message=message,
        data={"legal_step": step.pk, "outcome": str(outcome)},
    )
    return step
