"""A case that has had every kind of letter, built through the services on fixed dates.

Two invoices, a consumer debtor, a creditor with FIK number, bank account and IBAN. The case
gets a reminder, the warning, goes to collection, agrees a plan with a signed settlement,
sends the acknowledgement of debt,
pays part of the first instalment (a receipt), misses the rest of it (a reminder without a
fee), disputes the claim (rejected, with an answer) and is closed as withdrawn: one notice of
each kind (with the credit-bureau warning sent on the day of the handover).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cases.models import Case, ClosedReason
from cases.services import credit_bureau, lifecycle, plan_builder, plans
from cases.services.payments import payment_register
from collections_portal.tenancy import creditor_scope
from notices.models import Notice, NoticeKind
from tests.cases.helpers import at, claim, file_case
from tests.factories import DebtorFactory

INVOICES = ("F-2025-1001", "F-2025-1002")


def with_bank_details(creditor) -> None:
    creditor.fik_creditor_number = "87654321"
    creditor.bank_reg_number = "1234"
    creditor.bank_account_number = "0001234567"
    creditor.iban = "DK5000400440116243"
    creditor.bic = "NDEADKKK"
    creditor.phone = "+45 70 20 30 40"
    creditor.email = "bogholderi@example.dk"
    creditor.save()


@dataclass
class Story:
    case: Case
    notices: dict[str, Notice]


def story_case(creditor, *, language: str = "da", name: str = "Karen Blixen Hansen") -> Story:
    with_bank_details(creditor)
    debtor = DebtorFactory(
        creditor=creditor,
        language=language,
        name=name,
        address_line="Rungstedvej 111, 2. th.",
        postal_code="2960",
        city="Rungsted Kyst",
    )
    with at(date(2025, 3, 10)):
        case = file_case(
            creditor,
            claim(INVOICES[0], "1000.00", date(2025, 3, 1), invoice=date(2025, 2, 15)),
            claim(INVOICES[1], "2500.50", date(2025, 3, 5), invoice=date(2025, 2, 20)),
            debtor=debtor,
        )
    with creditor_scope(creditor):
        with at(date(2025, 3, 10)):
            lifecycle.case_send_reminder(case=case, on=date(2025, 3, 10))
        with at(date(2025, 3, 20)):
            lifecycle.case_send_warning(case=case, on=date(2025, 3, 20))
        with at(date(2025, 4, 1)):
            lifecycle.case_hand_over(case=case, on=date(2025, 4, 1))
            credit_bureau.credit_bureau_warn(case=case, bureau="rki", on=date(2025, 4, 1))
        with at(date(2025, 4, 2)):
            plan = plans.plan_propose(case=case, first_due=date(2025, 4, 15), count=3)
            plans.plan_activate(plan=plan, settlement_signed_on=date(2025, 4, 2))
            # The plan builder sends the acknowledgement of debt with the plan.
            plan_builder.acknowledgement_send(plan=plan, user=None)
        with at(date(2025, 4, 17)):
            # The receipt is made by payment_register (the creditor's policy is on).
            payment_register(
                case=case, amount=Decimal("200.00"), received_on=date(2025, 4, 17), method="fik"
            )
            plans.plan_advance(case=case, today=date(2025, 4, 17))
        with at(date(2025, 4, 18)):
            dispute = lifecycle.dispute_open(case=case, reason="Varen blev leveret i stykker")
            lifecycle.dispute_resolve(
                dispute=dispute, outcome="rejected", note="Varen var hel ved levering.", user=None
            )
        with at(date(2025, 4, 19)):
            lifecycle.case_close(case=case, reason=ClosedReason.WITHDRAWN, message="Trukket")
        case.refresh_from_db()
        notices = {n.kind: n for n in Notice.objects.filter(case=case).order_by("pk")}
    assert set(notices) == set(NoticeKind.values), sorted(notices)
    return Story(case=case, notices=notices)
