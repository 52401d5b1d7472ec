"""Cases with known balances for the settlement tests: every charge posted by hand, no interest
accrued by the calendar (the invoices fall due today), so each payment's allocation (costs,
interest, principal, then credit) can be worked out on paper."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from cases.models import EntryKind, PaymentMethod
from cases.services import payment_register
from cases.services.ledger import ledger_post
from collections_portal.tenancy import creditor_scope
from integrations.bank.tools import payment_register_other
from tests.cases.helpers import claim, file_case
from tests.factories import DebtorFactory


def known_case(
    creditor, principal: str, *, compensation: str = "0", costs: str = "0", interest: str = "0"
):
    today = timezone.localdate()
    debtor = DebtorFactory(creditor=creditor)
    case = file_case(creditor, claim(f"K-{debtor.pk}", principal, today), debtor=debtor)
    with creditor_scope(creditor):
        first = case.claims.first()
        for kind, amount in (
            (EntryKind.COMPENSATION, compensation),
            (EntryKind.COLLECTION_COSTS, costs),
            (EntryKind.INTEREST, interest),
        ):
            if Decimal(amount) > 0:
                ledger_post(
                    case=case, claim=first, kind=kind, amount=Decimal(amount), posted_on=today
                )
    return case


def pay_agency(case, amount: str, user):
    """Money the agency received (an agent registers a transfer)."""
    return payment_register_other(
        case=case,
        amount=amount,
        received_on=timezone.localdate(),
        method=PaymentMethod.BANK_TRANSFER,
        user=user,
    ).payment


def pay_direct(case, amount: str):
    """A payment the debtor made to the creditor, which the creditor reports."""
    with creditor_scope(case.creditor_id):
        return payment_register(
            case=case,
            amount=amount,
            received_on=timezone.localdate(),
            method=PaymentMethod.DIRECT_TO_CREDITOR,
        )
