"""What a letter says, as data: every figure from the ledger and the rules engine.

:func:`notice_context` builds the template context of one notice as of the day it is dated:
who writes (the creditor, or the agency once the case is in collection), to whom, each
invoice, the charges so far from the ledger, interest accrued by the rules engine, the total,
the deadline, how to pay (FIK line, bank account, IBAN, QR code), and what the notice's kind
needs besides (the warning's statutory items, the settlement, the plan's schedule, the
payment received, the dispute, the closing reason). Templates only lay these out; no number
is typed into a template.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from cases import selectors
from cases.models import Case, Claim, Component, EntryKind

from .figures import ChargeLine, Figures, InvoiceRow
from .kinds import NoticeNotApplicable, kind_for
from .models import Notice, NoticeKind
from .qr import payment_qr_svg

ZERO = Decimal("0.00")

__all__ = ["NoticeNotApplicable", "amount_due", "case_figures", "notice_context"]

# The lines of the "what you owe" table, in the order a debtor reads them. A reversal is
# shown on the line of the entry it reverses.
LINE_ORDER = (
    EntryKind.PRINCIPAL,
    EntryKind.REMINDER_FEE,
    EntryKind.COMPENSATION,
    EntryKind.HANDOVER_FEE,
    EntryKind.COLLECTION_COSTS,
    EntryKind.COURT_FEE,
    EntryKind.INTEREST,
    "accrued_interest",
    EntryKind.PAYMENT,
    EntryKind.WRITE_OFF,
)


@dataclass(frozen=True)
class Party:
    """A sender or a recipient as a letter shows it."""

    name: str
    address_lines: tuple[str, ...]
    cvr: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    logo_uri: str = ""


@dataclass(frozen=True)
class PaymentDetails:
    amount: Decimal
    currency: str
    payee: str
    payment_id: str
    fik_line: str  # "" when the creditor has no FIK creditor number
    bank_reg_number: str
    bank_account_number: str
    iban: str
    bic: str
    qr_svg: str  # inline SVG markup
    qr_payload: str


def _address_lines(*, line: str, postal_code: str, city: str, country: str) -> tuple[str, ...]:
    lines = [line, f"{postal_code} {city}".strip()]
    if country and country.upper() != "DK":
        lines.append(country.upper())
    return tuple(x for x in lines if x)


@lru_cache(maxsize=64)
def _file_data_uri(path: str, mtime: float) -> str:
    """A logo as a data URI, read once per file version (the render loop reuses it)."""
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower().lstrip(".")
    mime = {"svg": "image/svg+xml", "jpg": "image/jpeg", "jpeg": "image/jpeg"}.get(
        suffix, f"image/{suffix or 'png'}"
    )
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _logo_uri(path: str) -> str:
    if not path:
        return ""
    file = Path(path)
    if not file.is_file():
        return ""
    return _file_data_uri(str(file), file.stat().st_mtime)


def creditor_party(case: Case) -> Party:
    creditor = case.creditor
    logo = ""
    if creditor.logo:
        try:
            logo = _logo_uri(creditor.logo.path)
        except NotImplementedError:  # a storage without local paths: fetch by URL
            logo = creditor.logo.url
    return Party(
        name=creditor.name,
        address_lines=_address_lines(
            line=creditor.address_line,
            postal_code=creditor.postal_code,
            city=creditor.city,
            country=creditor.country,
        ),
        cvr=creditor.cvr,
        phone=creditor.phone,
        email=creditor.email,
        logo_uri=logo,
    )


def agency_party() -> Party:
    return Party(
        name=settings.AGENCY_NAME,
        address_lines=_address_lines(
            line=settings.AGENCY_ADDRESS_LINE,
            postal_code=settings.AGENCY_POSTAL_CODE,
            city=settings.AGENCY_CITY,
            country="DK",
        ),
        cvr=settings.AGENCY_CVR,
        phone=settings.AGENCY_PHONE,
        email=settings.AGENCY_EMAIL,
        website=settings.AGENCY_WEBSITE,
        logo_uri=_logo_uri(settings.AGENCY_LOGO),
    )


def debtor_party(case: Case) -> Party:
    debtor = case.debtor
    return Party(
        name=debtor.name,
        address_lines=_address_lines(
            line=debtor.address_line,
            postal_code=debtor.postal_code,
            city=debtor.city,
            country=debtor.country,
        ),
    )


def agency_collects(case: Case, notice: Notice) -> bool:
    """The agency writes in its own name from the first collection letter on."""
    if notice.kind == NoticeKind.COLLECTION_LETTER:
        return True
    started = case.collection_started_on
    return started is not None and notice.dated >= started


def case_figures(case: Case, *, on: date) -> Figures:
    """Invoices, the ledger's lines and the total owed on ``on`` (entries posted up to that
    day, plus interest the rules engine accrues through it)."""
    claims = list(Claim.objects.filter(case=case).order_by("due_date", "invoice_date", "pk"))
    entries = selectors.ledger_rows(case)  # every entry: interest accrual reads later ones too
    kind_of = {entry.pk: entry.kind for entry in entries}
    by_line: dict[str, Decimal] = defaultdict(lambda: ZERO)
    outstanding: dict[int, Decimal] = defaultdict(lambda: ZERO)
    components: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry.posted_on > on:
            continue
        key = kind_of.get(entry.reverses_id) if entry.kind == EntryKind.REVERSAL else entry.kind
        by_line[key] += entry.amount
        components[entry.component] += entry.amount
        if entry.component == Component.PRINCIPAL and entry.claim_id is not None:
            outstanding[entry.claim_id] += entry.amount
    # The same sums as selectors.case_balance(case, on=on), from the rows already read.
    balance = selectors.Balance(
        principal=components[Component.PRINCIPAL],
        interest=components[Component.INTEREST],
        costs=components[Component.COSTS],
        credit=-components[Component.CREDIT],
    )
    accruals = selectors.interest_accruals(case=case, up_to=on, claims=claims, entries=entries)
    accrued = sum((a.figure.amount for a in accruals), ZERO)
    if accrued:
        by_line["accrued_interest"] = accrued
    lines = [ChargeLine(key, by_line[key]) for key in LINE_ORDER if by_line.get(key)]
    total = balance.total + accrued - balance.credit
    if sum((line.amount for line in lines), ZERO) != total:
        # A letter whose lines do not add up to its total must never be sent.
        raise ValueError(
            f"Case {case.reference}: the letter's lines do not add up to the total {total}."
        )
    invoices = [
        InvoiceRow(
            invoice_number=claim.invoice_number,
            description=claim.description,
            invoice_date=claim.invoice_date,
            due_date=claim.due_date,
            amount=claim.principal,
            outstanding=outstanding.get(claim.pk, ZERO),
        )
        for claim in claims
    ]
    fee_kinds = (
        EntryKind.REMINDER_FEE,
        EntryKind.COMPENSATION,
        EntryKind.HANDOVER_FEE,
        EntryKind.COLLECTION_COSTS,
        EntryKind.COURT_FEE,
    )
    return Figures(
        invoices=invoices,
        lines=lines,
        balance=balance,
        accrued_interest=accrued,
        interest_through=on,
        total=total,
        interest_runs=bool(accruals) or by_line.get(EntryKind.INTEREST, ZERO) > 0,
        fees_so_far=sum((by_line.get(k, ZERO) for k in fee_kinds), ZERO),
        interest_so_far=by_line.get(EntryKind.INTEREST, ZERO) + accrued,
        paid_so_far=-(by_line.get(EntryKind.PAYMENT, ZERO)),
        extra={"claims": claims},
    )


def payment_details(case: Case, *, amount: Decimal) -> PaymentDetails:
    creditor = case.creditor
    fik_line = case.fik_line if creditor.fik_creditor_number else ""
    details = {
        "amount": max(amount, ZERO),
        "currency": case.currency,
        "payee": creditor.name,
        "payment_id": case.payment_id,
        "fik_line": fik_line,
        "bank_reg_number": creditor.bank_reg_number,
        "bank_account_number": creditor.bank_account_number,
        "iban": creditor.iban,
        "bic": creditor.bic,
    }
    payload, svg = payment_qr_svg(**details)
    return PaymentDetails(**details, qr_svg=svg, qr_payload=payload)


# --- The sum asked for -------------------------------------------------------------------


def _kind_context(notice: Notice, figures: Figures) -> dict:
    spec = kind_for(notice.kind)
    return spec.context(notice.case, notice, figures) if spec.context else {}


def amount_due(
    notice: Notice, *, figures: Figures | None = None, context: dict | None = None
) -> Decimal | None:
    """The sum the notice asks the debtor to pay, as of its date: ``None`` when its kind asks
    for nothing or nothing is owed. The one figure the letter's payment section, the e-mail
    and the SMS name (the kind's ``amount`` rule in ``notices.kinds``). ``figures`` and
    ``context`` spare reading them again when the caller has them."""
    spec = kind_for(notice.kind)
    if spec.amount is None:
        return None
    if figures is None:
        figures = case_figures(notice.case, on=notice.dated)
    if figures.total <= 0:
        return None
    if context is None:
        context = _kind_context(notice, figures)
    return max(spec.amount(notice.case, notice, figures, context), ZERO)


def notice_context(notice: Notice, *, preview: bool = False) -> dict:
    """The template context of a notice (saved, or an unsaved preview of one)."""
    case = notice.case
    figures = case_figures(case, on=notice.dated)
    profile = selectors.profile_for(case, notice.dated)
    creditor = creditor_party(case)
    by_agency = agency_collects(case, notice)
    extra = _kind_context(notice, figures)
    amount = amount_due(notice, figures=figures, context=extra)
    context = {
        "notice": notice,
        "kind": notice.kind,
        "sequence": notice.sequence,
        "dated": notice.dated,
        "deadline": notice.deadline,
        "language": notice.language,
        "preview": preview,
        "case": case,
        "reference": case.reference,
        "creditor_reference": case.creditor_reference,
        "creditor": creditor,
        "agency_collects": by_agency,
        "sender": agency_party() if by_agency else creditor,
        "debtor": debtor_party(case),
        "figures": figures,
        "invoices": figures.invoices,
        "lines": figures.lines,
        "total": figures.total,
        "currency": case.currency,
        "show_payment": amount is not None,
        # The provisions the letter quotes, from the jurisdiction profile.
        "rules": dict(profile.citations),
        **extra,
    }
    if amount is not None:
        context["payment"] = payment_details(case, amount=amount)
        context["pay_by"] = context.get("pay_by") or notice.deadline
    return context
