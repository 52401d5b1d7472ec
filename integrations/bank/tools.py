"""The agents' money tools: register a payment received by other means, reverse a payment,
move a payment booked to the wrong case, and refund a case's credit (an overpayment).

Each goes through the case services (``payment_register``, ``payment_reverse``, the ledger),
so allocation, letters, closing and the timeline follow as for any payment, and each records
its origin (``ReceivedPayment``) so a settlement knows whose money it is and whether it has
been paid out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases.models import Case, Component, EntryKind, LedgerEntry, Payment, PaymentMethod
from cases.services import ledger_post, payment_reverse
from cases.services.lifecycle import case_reinstate_if_owed, event_record
from cases.services.locking import lock_case
from collections_portal.money import to_money
from collections_portal.tenancy import creditor_scope
from collections_portal.texts import Money, Text

from .models import (
    EntryStatus,
    PaymentSource,
    ReceivedPayment,
    Refund,
    UnmatchedPayment,
    UnmatchedStatus,
)
from .services import _book, _handled

REFUND_RULE = "refund"
# Money the agency received itself; a payment to the creditor is the creditor's to report.
AGENCY_METHODS = [m for m in PaymentMethod if m != PaymentMethod.DIRECT_TO_CREDITOR]


def credit_refunded(payment: Payment) -> bool:
    """Whether the credit this payment left on its case has been refunded (then the payment
    can no longer be reversed: the money has gone back to the debtor)."""
    with creditor_scope(payment.creditor_id):
        return LedgerEntry.objects.filter(
            payment=payment, component=Component.CREDIT, kind=EntryKind.REVERSAL, rule=REFUND_RULE
        ).exists()


def payment_register_other(
    *,
    case: Case,
    amount: Decimal | str,
    received_on: date,
    method: str,
    reference: str = "",
    user: AbstractBaseUser,
) -> ReceivedPayment:
    """A payment the agency received by other means than a bank file (cash at the counter, a
    card, MobilePay, a transfer reported by phone before the file came)."""
    if method not in AGENCY_METHODS:
        raise ValidationError({"method": _("Choose how the agency received the money.")})
    with transaction.atomic():
        return _book(
            entry=None,
            case=case,
            amount=to_money(amount),
            source=PaymentSource.AGENT,
            method=method,
            received_on=received_on,
            payer_reference=reference,
            user=user,
        )


def payment_reverse_tool(*, payment: Payment, reason: str, user: AbstractBaseUser) -> Payment:
    """Reverse a payment with the reason. Money from a bank file stays in the account: it goes
    back to the agents as an unmatched payment (its booking was wrong, not the money)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    with transaction.atomic():
        if credit_refunded(payment):
            raise ValidationError(
                _("The overpayment from this payment has been refunded; it cannot be reversed.")
            )
        received = ReceivedPayment.objects.filter(payment=payment).select_related("entry").first()
        if received is not None and received.settled_at is not None:
            raise ValidationError(_("This payment has been settled to the creditor."))
        with creditor_scope(payment.creditor_id):
            payment = payment_reverse(payment=payment, reason=reason.strip(), user=user)
        entry = received.entry if received is not None else None
        note = _("Booked on case %(case)s and reversed: %(reason)s") % {
            "case": payment.case.number,
            "reason": reason.strip(),
        }
        if entry is not None and not hasattr(entry, "unmatched_item"):
            UnmatchedPayment.objects.create(
                entry=entry, amount=received.amount, received_on=payment.received_on, reason=note
            )
            _handled(entry, EntryStatus.UNMATCHED, user)
        elif entry is not None and not entry.bookings.filter(payment__reversed_at__isnull=True):
            # An agent's booking of an unmatched payment, all of it reversed: open it again.
            # (One share of a split reversed leaves the item booked: move that share instead.)
            item = UnmatchedPayment.objects.select_for_update().get(entry=entry)
            if item.status == UnmatchedStatus.BOOKED:
                item.status = UnmatchedStatus.OPEN
                item.note = note
                item.save(update_fields=["status", "note"])
                _handled(entry, EntryStatus.UNMATCHED, user)
        return payment


def payment_move(
    *, payment: Payment, to_case: Case, reason: str, user: AbstractBaseUser
) -> ReceivedPayment:
    """Move a payment booked on the wrong case: reversed there, registered on the right case
    with the same amount and date, the two linked and each case's timeline saying so."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is moved.")})
    if to_case.pk == payment.case_id:
        raise ValidationError({"case": _("The payment is on that case already.")})
    if to_case.currency != payment.case.currency:
        raise ValidationError({"case": _("The case is in another currency.")})
    with transaction.atomic():
        if payment.reversed_at is not None:
            raise ValidationError(_("The payment has been reversed; there is nothing to move."))
        if credit_refunded(payment):
            raise ValidationError(
                _("The overpayment from this payment has been refunded; it cannot be moved.")
            )
        received = ReceivedPayment.objects.filter(payment=payment).first()
        if received is not None and received.settled_at is not None:
            raise ValidationError(_("This payment has been settled to the creditor."))
        old_case = payment.case
        note = _("Moved to case %(case)s: %(reason)s") % {
            "case": to_case.number,
            "reason": reason.strip(),
        }
        with creditor_scope(payment.creditor_id):
            payment = payment_reverse(payment=payment, reason=note, user=user)
        moved = _book(
            entry=None,
            case=to_case,
            amount=payment.amount,
            source=PaymentSource.MOVED,
            method=payment.method,
            received_on=payment.received_on,
            payer_reference=payment.payer_reference,
            user=user,
            moved_from=payment,
        )
        if received is not None and received.entry_id:
            # The money still came from that bank entry: the new booking names it too.
            ReceivedPayment.objects.filter(pk=moved.pk).update(entry_id=received.entry_id)
            moved.entry_id = received.entry_id
        with creditor_scope(old_case.creditor_id):
            event_record(
                case=old_case,
                code="payment.moved_out",
                actor=user,
                from_state=old_case.state,
                message=note,
                data={"payment": payment.pk, "to_case": to_case.pk, "to_payment": moved.payment_id},
            )
        with creditor_scope(to_case.creditor_id):
            to_case.refresh_from_db()
            event_record(
                case=to_case,
                code="payment.moved_in",
                actor=user,
                from_state=to_case.state,
                message=Text(
                    N_("Moved from case %(case)s: %(reason)s"),
                    case=old_case.number,
                    reason=reason.strip(),
                ),
                data={
                    "payment": moved.payment_id,
                    "from_case": old_case.pk,
                    "from_payment": payment.pk,
                },
            )
        return moved


def credit_refund(
    *, case: Case, reason: str, user: AbstractBaseUser, payee_account: str = ""
) -> Refund:
    """Refund the whole credit (overpayment) a case holds to the debtor. Each credit entry is
    reversed with a ledger entry saying it was refunded, so the credit is zero afterwards, and
    a refund record says what is to be paid out to whom."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the credit is refunded.")})
    with transaction.atomic(), creditor_scope(case.creditor_id):
        case = lock_case(case)
        credit_entries = LedgerEntry.objects.filter(
            case=case,
            component=Component.CREDIT,
            kind=EntryKind.PAYMENT,
            reversed_by__isnull=True,
        ).select_related("payment")
        # Only money the agency received is in its client account to be paid back. Credit
        # from a payment the debtor made to the creditor directly is the creditor's to refund.
        credits = list(credit_entries.filter(payment__received__isnull=False))
        total = -sum((entry.amount for entry in credits), Decimal("0.00"))
        if total <= 0:
            if credit_entries.exists():
                raise ValidationError(
                    _(
                        "The credit comes from a payment made directly to the creditor, who "
                        "holds the money: the creditor refunds it to the debtor."
                    )
                )
            raise ValidationError(_("The case holds no credit to refund."))
        refund = Refund.objects.create(
            creditor_id=case.creditor_id,
            case=case,
            amount=total,
            payee_name=case.debtor.name,
            payee_account=payee_account.strip()[:60],
            reason=reason.strip()[:300],
            created_by=user,
        )
        today = timezone.localdate()
        for entry in credits:
            ledger_post(
                case=case,
                kind=EntryKind.REVERSAL,
                component=Component.CREDIT,
                amount=-entry.amount,
                posted_on=today,
                payment=entry.payment,
                reverses=entry,
                rule=REFUND_RULE,
                explanation=Text(
                    N_(
                        "Credit of %(credit)s (overpayment from the payment of %(amount)s "
                        "received %(received)s) refunded to the debtor (refund %(refund)s). "
                        "Reason: %(reason)s"
                    ),
                    credit=Money(-entry.amount),
                    amount=Money(entry.payment.amount),
                    received=entry.payment.received_on,
                    refund=refund.pk,
                    reason=reason.strip(),
                ),
                user=user,
            )
        event_record(
            case=case,
            code="payment.refunded",
            actor=user,
            from_state=case.state,
            message=Text(
                N_("%(amount)s refunded to the debtor: %(reason)s"),
                amount=Money(total),
                reason=reason.strip(),
            ),
            data={"refund": refund.pk},
        )
        case_reinstate_if_owed(case=case, actor=user)
        return refund


def payments_on(case: Case):
    return Payment.objects.filter(case=case).order_by("received_on", "pk")


def unmatched_open():
    return UnmatchedPayment.objects.filter(status=UnmatchedStatus.OPEN)
