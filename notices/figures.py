"""The case's money as a letter shows it: the data types ``notices.context.case_figures``
fills and the kinds' rules (``notices.kinds``) read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cases import selectors

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class InvoiceRow:
    invoice_number: str
    description: str
    invoice_date: date
    due_date: date
    amount: Decimal  # the invoice's principal as handed over
    outstanding: Decimal  # principal still owed as of the letter's date


@dataclass(frozen=True)
class ChargeLine:
    key: str  # an EntryKind value or "accrued_interest"
    amount: Decimal


@dataclass
class Figures:
    """The case's money as of the letter's date."""

    invoices: list[InvoiceRow]
    lines: list[ChargeLine]
    balance: selectors.Balance
    accrued_interest: Decimal
    interest_through: date
    total: Decimal
    interest_runs: bool
    fees_so_far: Decimal = ZERO
    interest_so_far: Decimal = ZERO
    paid_so_far: Decimal = ZERO
    extra: dict = field(default_factory=dict)
