"""Collection costs on whole cases are sized by the claim, never by the fees on it.

BEK 601/2002 bilag 1 sizes the band by the "fordring": the principal incl. VAT (plus the
charges the creditor could make before the due date). Reminder fees, the handover fee, the B2B
compensation and default interest all arise after the due date and never count. The old
handover sized the band from the balance with those fees on it: a consumer invoice of 999.00
with three reminders was charged the 700 band instead of 400.

Each case here runs the Danish process through the services: three reminders (300 in fees),
the warning, and the handover after its deadline; then the posted collection costs are
compared with the table, and with what the warning letter announced.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.models import EntryKind, LedgerEntry
from cases.services import lifecycle as lc
from collections_portal.tenancy import creditor_scope
from notices.context import notice_context
from notices.models import NoticeKind
from tests.factories import DebtorFactory

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)

# (the claim, the agency column's cap), at and just above each band's upper edge.
EDGES = [
    ("999.00", "400.00"),
    ("1000.00", "400.00"),
    ("1000.01", "700.00"),
    ("2500.00", "700.00"),
    ("2500.01", "1000.00"),
    ("5000.00", "1000.00"),
    ("5000.01", "1300.00"),
    ("10000.00", "1300.00"),
    ("10000.01", "1700.00"),
    ("25000.00", "1700.00"),
    ("25000.01", "2250.00"),
    ("50000.00", "2250.00"),
    ("50000.01", "2850.00"),
    ("100000.00", "2850.00"),
    ("100000.01", "3850.00"),
    ("250000.00", "3850.00"),
    ("250000.01", "6400.00"),
    ("500000.00", "6400.00"),
    ("600000.00", "7400.00"),  # 6,400 + 1 % of the excess of 100,000
]


def run_to_collection(case, *, before_handover=None) -> None:
    """Three reminders ten days apart, the warning, and the handover after its deadline."""
    day = DUE + timedelta(days=1)
    for _ in range(3):
        with at(day):
            lc.case_send_reminder(case=case, on=day)
        day += timedelta(days=10)
    with at(day):
        lc.case_send_warning(case=case, on=day)
        if before_handover is not None:
            before_handover()
    handover = day + timedelta(days=11)
    with at(handover):
        lc.case_hand_over(case=case, on=handover)


def posted(case, kind) -> list[Decimal]:
    return list(LedgerEntry.objects.filter(case=case, kind=kind).values_list("amount", flat=True))


@pytest.mark.parametrize(("principal", "cap"), EDGES)
@pytest.mark.parametrize("consumer", [True, False], ids=["consumer", "business"])
def test_the_band_is_chosen_by_the_principal(tenant_a, principal, cap, consumer):
    case = file_case(
        tenant_a.creditor,
        claim("INV-1", principal, DUE, debtor_is_consumer=consumer),
        debtor=DebtorFactory(creditor=tenant_a.creditor),
    )
    with creditor_scope(tenant_a.creditor):
        run_to_collection(case)

        assert posted(case, EntryKind.REMINDER_FEE) == [Decimal("100.00")] * 3
        assert posted(case, EntryKind.HANDOVER_FEE) == [Decimal("100.00")]
        assert posted(case, EntryKind.COMPENSATION) == ([] if consumer else [Decimal("310.00")])
        assert posted(case, EntryKind.COLLECTION_COSTS) == [Decimal(cap)]
        entry = LedgerEntry.objects.get(case=case, kind=EntryKind.COLLECTION_COSTS)
        assert f"for a claim of {Decimal(principal):,.2f} DKK" in entry.explanation
        assert entry.rule == "BEK 601/2002"


def test_several_invoices_are_one_claim_and_their_fees_do_not_count(tenant_a):
    """600 + 500 = 1,100: the 2,500 band (700), however much was charged on top."""
    case = file_case(
        tenant_a.creditor,
        claim("INV-1", "600.00", DUE, debtor_is_consumer=False),
        claim("INV-2", "500.00", DUE, debtor_is_consumer=False),
    )
    with creditor_scope(tenant_a.creditor):
        run_to_collection(case)
        assert posted(case, EntryKind.COMPENSATION) == [Decimal("310.00")] * 2
        assert posted(case, EntryKind.COLLECTION_COSTS) == [Decimal("700.00")]


def test_the_warning_announces_what_the_handover_charges(tenant_a):
    """One rules function for both: the letter's cap and compensation are the posted ones,
    and a business invoice's compensation is announced although another invoice is a
    consumer's (it is charged per business invoice)."""
    case = file_case(
        tenant_a.creditor,
        claim("INV-1", "999.00", DUE, debtor_is_consumer=True),
        claim("INV-2", "2000.00", DUE, debtor_is_consumer=False),
    )
    letter = {}

    def read_the_warning():  # as it is rendered: when it is sent
        warning = case.notices.get(kind=NoticeKind.WARNING)
        letter.update(notice_context(warning)["warning"])

    with creditor_scope(tenant_a.creditor):
        run_to_collection(case, before_handover=read_the_warning)
        announced = letter

        assert announced["collection_cost_cap"].amount == sum(
            posted(case, EntryKind.COLLECTION_COSTS)
        )
        assert announced["compensation"] == sum(posted(case, EntryKind.COMPENSATION))
        assert announced["compensation"] == Decimal("310.00")
        # 999 + 2,000 = 2,999: the 5,000 band; a consumer's invoice caps it as a consumer's.
        assert announced["collection_cost_cap"].amount == Decimal("1000.00")
