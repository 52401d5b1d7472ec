"""Registering payments, allocating them across a case's balance, and reversing them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
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
from collections_portal.money import to_money
from collections_portal.texts import Money, Text, english
from integrations.webhooks.events import emit_payment_received
from notices.models import Notice, NoticeKind

from . import lifecycle, plans
from .ledger import entry_reverse, interest_post, interest_reverse_after, ledger_post
from .locking import acting_user, lock_case
from .steps import notice_create


@transaction.atomic
def payment_register(
    *,
    case: Case,
    amount: Decimal | str,
    received_on: date,
    method: PaymentMethod | str,
    payer_reference: str = "",
    designated_claim: Claim | None = None,
    post_interest: bool = True,
    user: AbstractBaseUser | None = None,
) -> Payment:
    """Register money received and allocate all of it.

    Interest owed up to the day of payment is posted first, so the payment meets the balance as
    it stood that day. The allocation follows the debtor's designation when given, then the
    creditor's order (else the profile's: costs, interest, principal), each component across
    the claims oldest first. What is left after the whole balance is paid becomes a credit to
    refund or apply: never lost.
    """
    case = lock_case(case)
    amount = to_money(amount)
    if designated_claim is not None and designated_claim.case_id != case.pk:
        raise ValidationError({"designated_claim": _("The invoice is not on this case.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A payment cannot be received in the future.")})
    if post_interest:
        interest_post(case=case, up_to=received_on)
    payment = Payment(
        creditor_id=case.creditor_id,
        case=case,
        amount=amount,
        received_on=received_on,
        method=method,
        payer_reference=payer_reference,
        designated_claim=designated_claim,
        created_by=acting_user(user),
    )
    payment.full_clean(exclude=["case", "creditor", "designated_claim"])
    payment.save()
    _allocate(case=case, payment=payment, user=user)
    lifecycle.event_record(
        case=case,
        code="payment.received",
        actor=user,
        from_state=case.state,
        message=f"{amount} received {received_on.isoformat()} ({payment.get_method_display()}).",
        data={"payment": payment.pk},
    )
    emit_payment_received(payment)  # webhooks: recorded here, sent on commit
    plan = selectors.active_plan(case)
    if plan is not None:
        plans.plan_match_payments(plan=plan)
    if not lifecycle.case_close_if_paid(case=case, actor=user):
        _receipt(case=case, payment=payment)
    return payment


def _receipt(*, case: Case, payment: Payment) -> None:
    """Queue a receipt for the payment, by the creditor's policy, on an open case whose debtor
    has had a letter on it already. A payment that settles the case gets the closing letter
    instead (made by ``case_close_if_paid``), not a receipt as well."""
    if not case.creditor.policy_payment_receipts or case.state == CaseState.CLOSED:
        return
    if not Notice.objects.filter(case=case).exists():
        return  # nothing written to the debtor yet: the creditor's own statement will do
    notice_create(case, NoticeKind.RECEIPT, dated=timezone.localdate(), payment=payment)


def _allocate(*, case: Case, payment: Payment, user: AbstractBaseUser | None) -> None:
    order = selectors.allocation_order(case)
    remaining = payment.amount
    for target in selectors.allocation_targets(
        case=case, order=order, designated_claim=payment.designated_claim
    ):
        if remaining <= 0:
            break
        take = min(remaining, target.balance)
        ledger_post(
            case=case,
            claim=target.claim,
            kind=EntryKind.PAYMENT,
            component=target.component,
            amount=-take,
            posted_on=payment.received_on,
            payment=payment,
            rule="dækningsrækkefølge",
            profile=english(order.source),
            explanation=Text(
                N_(
                    "Payment of %(payment)s received %(received)s: %(take)s to %(component)s "
                    "of invoice %(invoice)s (%(order)s)."
                )
                if target.claim
                else N_(
                    "Payment of %(payment)s received %(received)s: %(take)s to %(component)s "
                    "(%(order)s)."
                ),
                payment=Money(payment.amount),
                received=payment.received_on,
                take=Money(take),
                component=selectors.component_word(target.component),
                invoice=target.claim.invoice_number if target.claim else "",
                order=order.describe(designated=payment.designated_claim),
            ),
            user=user,
        )
        remaining -= take
    if remaining > 0:
        ledger_post(
            case=case,
            kind=EntryKind.PAYMENT,
            component=Component.CREDIT,
            amount=-remaining,
            posted_on=payment.received_on,
            payment=payment,
            rule="overpayment",
            explanation=Text(
                N_(
                    "Payment of %(payment)s received %(received)s: %(remaining)s more than the "
                    "balance, kept as a credit for the debtor."
                ),
                payment=Money(payment.amount),
                received=payment.received_on,
                remaining=Money(remaining),
            ),
            user=user,
        )


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, user: AbstractBaseUser | None = None
) -> Payment:
    """Undo a payment (a bounced transfer, a payment booked on the wrong case).

    Every allocation entry gets its reversal, dated as the entry it reverses, so the balances
    (and the interest computed on them) are exactly as if the payment had never been made.
    Reversing a reversed payment changes nothing.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    lock_case(payment.case)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.reversed_at is not None:
        return payment
    originals = LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT)
    for entry in originals:
        entry_reverse(
            case=payment.case,
            entry=entry,
            why=Text(N_("Reason: %(reason)s"), reason=reason),
            payment=payment,
            user=user,
        )
    _repost_interest_after(case=payment.case, day=payment.received_on)
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason
    payment.save(update_fields=["reversed_at", "reversal_reason"])
    lifecycle.event_record(
        case=payment.case,
        code="payment.reversed",
        actor=user,
        from_state=payment.case.state,
        message=reason,
        data={"payment": payment.pk},
    )
    lifecycle.case_reinstate_if_owed(case=payment.case, actor=user)
    return payment


def _repost_interest_after(*, case: Case, day: date) -> None:
    """Interest posted for days after ``day`` was computed on a principal the reversed payment
    had lowered: reverse it and post it again on the restored principal."""
    until = interest_reverse_after(
        case=case, day=day, why=Text(N_("Recomputed after a payment reversal."))
    )
    if until is not None:
        interest_post(case=case, up_to=until)
