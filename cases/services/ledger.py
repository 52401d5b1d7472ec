"""Posting to the append-only ledger: charges, fees and interest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import CHARGE_COMPONENT, Case, Claim, Component, EntryKind, LedgerEntry, Payment
from cases.rules import Figure, b2b_compensation, reminder_fee
from collections_portal.texts import Text, as_text, english

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
    explanation: str | Text | Promise = "",
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
        explanation=english(explanation),
        # Words only (a plain str) keep no stored text: they read as they were written.
        explanation_text=(
            as_text(explanation).to_json() if isinstance(explanation, Text | Promise) else None
        ),
        created_by=acting_user(user),
    )
    entry.save()
    return entry


def entry_reverse(
    *,
    case: Case,
    entry: LedgerEntry,
    why: str | Text | Promise,
    payment: Payment | None = None,
    user: AbstractBaseUser | None = None,
) -> LedgerEntry:
    """Post the reversal of ``entry``, dated as the entry it reverses, so every balance since
    reads as if the entry had never been made; ``why`` ends its explanation."""
    return ledger_post(
        case=case,
        claim=entry.claim,
        kind=EntryKind.REVERSAL,
        component=entry.component,
        amount=-entry.amount,
        posted_on=entry.posted_on,
        payment=payment,
        reverses=entry,
        rule="reversal",
        explanation=Text(
            N_("Reversal of: %(entry)s %(why)s"), entry=entry_text(entry), why=as_text(why)
        ),
        user=user,
    )


def entry_text(entry: LedgerEntry) -> Text:
    """An entry's explanation as a text: its stored text, else the words it was written with."""
    if entry.explanation_text:
        return Text.from_json(entry.explanation_text)
    return as_text(entry.explanation)


def interest_reverse_after(*, case: Case, day: date, why: str | Text | Promise) -> date | None:
    """Reverse the interest posted for days after ``day`` (computed on a principal that has
    since been corrected); returns the last day it had been posted up to, None if none."""
    later = list(
        LedgerEntry.objects.filter(
            case=case, kind=EntryKind.INTEREST, period_end__gt=day, reversed_by__isnull=True
        )
    )
    for entry in later:
        entry_reverse(case=case, entry=entry, why=why)
    # Interest entries always carry their period.
    return max((entry.period_end for entry in later), default=None)  # type: ignore[type-var]


def full_explanation(figure: Figure) -> Text:
    """The figure's sentence and each part's (an interest period's dates, days and rate), one
    a line; read in the reader's language where the rules wrote a text."""
    return Text.join(*(f.text or as_text(f.explanation) for f in figure.walk()), separator="\n")


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
    """Charge a fee the rules engine allows, with the engine's explanation on the entry.

    The one door every fee goes through, and it trusts no caller: it asks the rules engine
    itself whether this fee may be charged on this case on ``posted_on`` (caps, how many,
    how far apart, disputes, broken plans, the collection warning, the letter that carries a
    reminder fee) and refuses with the reason (``CaseError``) when it may not.
    ``case_locked`` tells that the caller's transaction already holds the case's row lock.
    """
    if kind not in FEE_KINDS:
        raise CaseError(_("%(kind)s is not a fee") % {"kind": kind})
    if not figure.allowed or figure.amount <= 0:
        if figure.refusal_text is not None:
            raise CaseError(figure.refusal_text.render())
        raise CaseError(figure.refusal or _("No %(kind)s may be charged.") % {"kind": kind})
    if not case_locked:
        case = lock_case(case)
    fee_check(case=case, kind=kind, amount=figure.amount, posted_on=posted_on, claim=claim)
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


def fee_check(
    *, case: Case, kind: EntryKind, amount: Decimal, posted_on: date, claim: Claim | None
) -> None:
    """Raise ``CaseError`` with the reason unless the rules allow this fee now (see fee_post)."""
    from notices.models import Notice, NoticeKind

    profile = selectors.profile_for(case, posted_on)
    if kind != EntryKind.COURT_FEE and case.has_open_dispute():
        # A disputed claim gets no further fees until the dispute is answered (inkassoloven
        # § 9); court fees follow the legal track, which a dispute sends to a civil suit.
        raise CaseError(_("The case has an open dispute: no fee may be charged while it is open."))

    def over(allowed: Decimal, sentence: str) -> None:
        """Refuse more than ``allowed``; ``sentence`` says so (a message id, marked N_)."""
        if amount > allowed:
            raise CaseError(
                _(sentence)
                % {"amount": _number(amount), "allowed": _number(allowed), "profile": profile.label}
            )

    if kind == EntryKind.REMINDER_FEE:
        if claim is None:
            raise CaseError(_("A reminder fee is charged on an invoice."))
        if not Notice.objects.filter(case=case, kind=NoticeKind.REMINDER, dated=posted_on).exists():
            raise CaseError(
                _(
                    "No reminder was sent on %(day)s: a reminder fee is charged only with the "
                    "reminder that carries it."
                )
                % {"day": posted_on.isoformat()}
            )
        figure = reminder_fee(
            profile,
            on=posted_on,
            due_date=claim.due_date,
            previous_fee_reminders=[
                day for day in selectors.fee_reminder_dates(case) if day <= posted_on
            ],
            disputed=case.disputes.exists(),
            broken_plan=selectors.plan_was_broken(case),
        )
        if not figure.allowed:
            raise CaseError(_("No reminder fee: %(refusal)s.") % {"refusal": _refusal(figure)})
        over(
            figure.amount,
            N_(
                "A reminder fee of %(amount)s is more than the %(allowed)s the rules allow "
                "(%(profile)s)."
            ),
        )
        return
    if kind in (EntryKind.HANDOVER_FEE, EntryKind.COLLECTION_COSTS):
        deadline = case.warning_deadline
        if deadline is None or posted_on <= deadline:
            raise CaseError(
                _(
                    "Collection fees may only be charged after a collection warning whose "
                    "deadline has passed (inkassoloven § 10)."
                )
            )
        charges = selectors.case_collection_charges(case, on=posted_on)
        charged = _standing(case, kind)
        if kind == EntryKind.HANDOVER_FEE:
            if charged > 0:
                raise CaseError(_("The handover fee has been charged already."))
            over(
                charges.handover_fee.amount,
                N_(
                    "A handover fee of %(amount)s is more than the %(allowed)s the rules allow "
                    "(%(profile)s)."
                ),
            )
        else:
            over(
                charges.collection_costs.amount - charged,
                N_(
                    "A collection cost of %(amount)s is more than the %(allowed)s the rules "
                    "allow (%(profile)s)."
                ),
            )
        return
    if kind == EntryKind.COMPENSATION:
        if claim is None:
            raise CaseError(_("The compensation is charged on an invoice."))
        if posted_on <= claim.due_date:
            raise CaseError(_("The compensation is due only once the invoice is overdue."))
        figure = b2b_compensation(
            profile, debtor_is_consumer=claim.debtor_is_consumer, due_date=claim.due_date
        )
        if not figure.allowed:
            raise CaseError(_("No compensation: %(refusal)s.") % {"refusal": _refusal(figure)})
        if _standing(case, kind, claim=claim) > 0:
            raise CaseError(
                _(
                    "Invoice %(invoice)s has had its compensation already (once per overdue "
                    "invoice)."
                )
                % {"invoice": claim.invoice_number}
            )
        over(
            figure.amount,
            N_(
                "A compensation of %(amount)s is more than the %(allowed)s the rules allow "
                "(%(profile)s)."
            ),
        )


def _refusal(figure: Figure) -> str:
    """Why the rules refuse ``figure``, in the active language (its English words if it has no
    stored text)."""
    return figure.refusal_text.render() if figure.refusal_text is not None else figure.refusal


def _number(amount: Decimal) -> str:
    """An amount as the rules' messages write it (``150.00``; ``150,00`` in Danish)."""
    text = str(amount)
    return text.replace(".", ",") if get_language() == "da" else text


def _standing(case: Case, kind: EntryKind, *, claim: Claim | None = None) -> Decimal:
    """The sum of the case's entries of ``kind`` that have not been reversed."""
    entries = LedgerEntry.objects.filter(case=case, kind=kind, reversed_by__isnull=True)
    if claim is not None:
        entries = entries.filter(claim=claim)
    return sum(entries.values_list("amount", flat=True), Decimal("0.00"))


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
