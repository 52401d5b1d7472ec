"""What a creditor's user (or an agent) does on one case from the case page (issue 15, item 5).

Each action checks what the page cannot be trusted to check (the case is open, the amount fits
the balance) and then goes through the service that owns the write: payments, the ledger, the
lifecycle. Refusals are ``CaseError`` (a state that does not allow the action: the API answers
409) or ``ValidationError`` naming the form field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import (
    Case,
    CaseState,
    Claim,
    Component,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
)
from cases.timeline import event_record
from collections_portal.money import format_money, to_money
from collections_portal.texts import Day, Money, Text

from . import lifecycle
from .errors import CaseError
from .ledger import ledger_post
from .locking import lock_case
from .payments import payment_register
from .steps import action_at

REASON_MAX_LENGTH = 1000


def refuse_if_closed(case: Case, doing: str) -> None:
    """A closed case (paid, withdrawn, written off) takes no more actions: say why."""
    if case.state == CaseState.CLOSED:
        raise CaseError(
            _("The case is closed (%(reason)s): %(doing)s is not possible.")
            % {"reason": case.get_closed_reason_display() or _("closed"), "doing": doing}
        )


def _positive(amount: Decimal | str, field: str = "amount") -> Decimal:
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError({field: _("The amount must be more than 0.")})
    return amount


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {field: _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}}
        )
    return reason


@transaction.atomic
def direct_payment_register(
    *,
    case: Case,
    amount: Decimal | str,
    received_on: date,
    reference: str = "",
    confirm_overpayment: bool = False,
    designated_claim: Claim | None = None,
    user: AbstractBaseUser | None = None,
) -> Payment:
    """The debtor paid the creditor directly. More than the balance on that day is taken only
    when the user confirms it (the excess becomes a credit held for the debtor)."""
    case = lock_case(case)
    refuse_if_closed(case, _("registering a payment"))
    amount = _positive(amount)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A payment cannot be received in the future.")})
    owed = selectors.case_statement(case, on=received_on).total
    if amount > owed and not confirm_overpayment:
        raise ValidationError(
            {
                "confirm_overpayment": _(
                    "%(amount)s is more than the balance of %(owed)s. Confirm the overpayment "
                    "to register it; the difference is held as a credit for the debtor."
                )
                % {"amount": format_money(amount), "owed": format_money(owed)}
            }
        )
    return payment_register(
        case=case,
        amount=amount,
        received_on=received_on,
        method=PaymentMethod.DIRECT_TO_CREDITOR,
        payer_reference=reference.strip()[:100],
        designated_claim=designated_claim,
        user=user,
    )


@transaction.atomic
def claim_write_down(
    *, case: Case, amount: Decimal | str, reason: str, user: AbstractBaseUser | None = None
) -> list[LedgerEntry]:
    """A credit note: the creditor reduces the principal it claims, with a reason.

    Posted as ``WRITE_OFF`` entries against the principal, newest invoice first (a credit note
    usually corrects the latest invoice, and the oldest keeps its limitation date). A write-down
    that leaves nothing owed closes the case as paid.
    """
    case = lock_case(case)
    refuse_if_closed(case, _("a write-down"))
    amount = _positive(amount)
    reason = _reason(reason)
    outstanding = selectors.case_balance(case).principal
    if amount > outstanding:
        raise ValidationError(
            {
                "amount": _("At most the principal still owed, %(owed)s.")
                % {"owed": format_money(outstanding)}
            }
        )
    today = timezone.localdate()
    entries = []
    left = amount
    for claim in Claim.objects.filter(case=case).order_by("-due_date", "-pk"):
        owed = LedgerEntry.objects.filter(
            case=case, claim=claim, component=Component.PRINCIPAL
        ).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        part = min(owed, left)
        if part <= 0:
            continue
        entries.append(
            ledger_post(
                case=case,
                kind=EntryKind.WRITE_OFF,
                component=Component.PRINCIPAL,
                claim=claim,
                amount=-part,
                posted_on=today,
                explanation=reason,
                user=user,
            )
        )
        left -= part
        if left <= 0:
            break
    event_record(
        case=case,
        code="case.written_down",
        actor=user,
        from_state=case.state,
        message=Text(N_("%(amount)s: %(reason)s"), amount=Money(amount), reason=reason),
        data={"amount": str(amount), "entries": [e.pk for e in entries]},
    )
    lifecycle.case_close_if_paid(case=case, actor=user)
    return entries


@transaction.atomic
def case_resume(*, case: Case, actor=None) -> Case:
    """End a pause now: the scheduler takes the next step at its next run."""
    case = lock_case(case)
    refuse_if_closed(case, _("resuming"))
    if not case.paused_until or case.paused_until < timezone.localdate():
        raise CaseError(_("The case is not paused."))
    until = case.paused_until
    case.paused_until = None
    case.next_action_at = action_at(timezone.localdate())
    case.save(update_fields=["paused_until", "next_action_at"])
    event_record(
        case=case,
        code="case.resumed",
        actor=actor,
        from_state=case.state,
        message=Text(N_("The pause until %(day)s was ended."), day=Day(until)),
    )
    return case
