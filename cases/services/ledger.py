"""Posting to the append-only ledger: charges, fees and interest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from cases import selectors
from cases.models import CHARGE_COMPONENT, Case, Claim, Component, EntryKind, LedgerEntry, Payment
from cases.rules import Figure

from .errors import CaseError
from .locking import acting_user, lock_case

FEE_KINDS = {
    EntryKind.REMINDER_FEE,
    EntryKind.HANDOVER_FEE,
    EntryKind.COMPENSATION,
    EntryKind.COLLECTION_COSTS,
    EntryKind.COURT_FEE,
}


def ledger_post(
    *,
    case: Case,
    kind: EntryKind | str,
    amount: Decimal,
    posted_on: date,
    claim: Claim | None = None,
    component: Component | str | None = None,
    payment: Payment | None = None,
    reverses: LedgerEntry | None = None,
    rule: str = "",
    profile: str = "",
    explanation: str = "",
    period: tuple[date, date] | None = None,
    user: AbstractBaseUser | None = None,
) -> LedgerEntry:
    """Append one entry. Callers hold the case lock; the database checks signs and kinds."""
    if component is None:
        component = CHARGE_COMPONENT[EntryKind(kind)]
    entry = LedgerEntry(
        creditor_id=case.creditor_id,
        case=case,
        claim=claim,
        kind=kind,
        component=component,
        amount=amount,
        posted_on=posted_on,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        payment=payment,
        reverses=reverses,
        rule=rule,
        profile=profile,
        explanation=explanation,
        created_by=acting_user(user),
    )
    entry.save()
    return entry


def full_explanation(figure: Figure) -> str:
    """The figure's sentence and each part's (an interest period's dates, days and rate)."""
    return "\n".join(f.explanation for f in figure.walk())


@transaction.atomic
def fee_post(
    *,
    case: Case,
    kind: EntryKind,
    figure: Figure,
    posted_on: date,
    claim: Claim | None = None,
    user: AbstractBaseUser | None = None,
    case_locked: bool = False,
) -> LedgerEntry:
    """Charge a fee the rules engine allowed, with the engine's explanation on the entry.

    ``case_locked`` tells that the caller's transaction already holds the case's row lock.
    """
    if kind not in FEE_KINDS:
        raise CaseError(f"{kind} is not a fee")
    if not figure.allowed or figure.amount <= 0:
        raise CaseError(figure.refusal or f"No {kind} may be charged.")
    if not case_locked:
        case = lock_case(case)
    return ledger_post(
        case=case,
        claim=claim,
        kind=kind,
        amount=figure.amount,
        posted_on=posted_on,
        rule=figure.rule,
        profile=figure.profile,
        explanation=full_explanation(figure),
        user=user,
    )


@transaction.atomic
def interest_post(*, case: Case, up_to: date) -> list[LedgerEntry]:
    """Post the interest each claim has accrued since its last posting, through ``up_to``.

    Idempotent: interest already posted for a period is not posted again. Where a half-year's
    reference rate is not known yet, interest is posted up to the day before that half-year,
    and the rest follows once staff add the rate.
    """
    case = lock_case(case)
    entries = []
    for accrual in selectors.interest_accruals(case=case, up_to=up_to):
        if accrual.figure.amount <= 0:
            continue
        entries.append(
            ledger_post(
                case=case,
                claim=accrual.claim,
                kind=EntryKind.INTEREST,
                amount=accrual.figure.amount,
                posted_on=accrual.end,
                period=(accrual.start, accrual.end),
                rule=accrual.figure.rule,
                profile=accrual.figure.profile,
                explanation=full_explanation(accrual.figure),
            )
        )
    return entries
