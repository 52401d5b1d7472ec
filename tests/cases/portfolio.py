"""A small portfolio of cases in every situation the dashboard and the case list show,
built through the services as the portal and the API build them."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cases.models import Case
from cases.services import payment_register
from cases.services.lifecycle import case_pause, dispute_open
from collections_portal.tenancy import creditor_scope
from tests.factories import CompanyDebtorFactory, DebtorFactory

from .helpers import at, claim, file_case

TODAY = date(2026, 11, 16)
FILED = TODAY - timedelta(days=30)


@dataclass
class Portfolio:
    paid_part: Case  # 1000.00 + 500.50, 100 days past due, 400.00 paid today
    disputed: Case  # 2000.00, 10 days past due, an open dispute
    paused: Case  # 1234.56, 400 days past due, paused for 10 days
    company: Case  # 250000.00 from a company, 40 days past due

    @property
    def all(self) -> list[Case]:
        return [self.paid_part, self.disputed, self.paused, self.company]


def make_portfolio(creditor, prefix: str = "P") -> Portfolio:
    """Filed 30 days before TODAY; the clock is left at TODAY, 9 o'clock."""
    with at(FILED):
        paid_part = file_case(
            creditor,
            claim(f"{prefix}-1001", "1000.00", TODAY - timedelta(days=100)),
            claim(f"{prefix}-1002", "500.50", TODAY - timedelta(days=90)),
            debtor=DebtorFactory(creditor=creditor, name=f"{prefix} Hansen"),
            creditor_reference=f"{prefix}-REF-1",
        )
        disputed = file_case(
            creditor,
            claim(f"{prefix}-2001", "2000.00", TODAY - timedelta(days=10)),
            debtor=DebtorFactory(creditor=creditor, name=f"{prefix} Jensen"),
        )
        paused = file_case(
            creditor,
            claim(f"{prefix}-3001", "1234.56", TODAY - timedelta(days=400)),
            debtor=DebtorFactory(creditor=creditor, name=f"{prefix} Quistgaard-Vinterberg"),
        )
        company = file_case(
            creditor,
            claim(f"{prefix}-4001", "250000.00", TODAY - timedelta(days=40)),
            debtor=CompanyDebtorFactory(creditor=creditor, name=f"{prefix} Byg ApS"),
        )
    with at(TODAY), creditor_scope(creditor):
        payment_register(
            case=paid_part,
            amount=Decimal("400.00"),
            received_on=TODAY,
            method="bank_transfer",
            post_interest=False,
        )
        dispute_open(case=disputed, reason="The goods never came")
        case_pause(case=paused, until=TODAY + timedelta(days=10), reason="talking to the debtor")
    return Portfolio(paid_part, disputed, paused, company)
