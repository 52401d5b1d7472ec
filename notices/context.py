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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from cases import selectors
from cases.models import (
    Case,
    Claim,
    Component,
    Dispute,
    EntryKind,
    Instalment,
    InstalmentPlan,
    Payment,
    PlanStatus,
)
from cases.rules import warning_deadline_date

from .models import Notice, NoticeKind
from .qr import payment_qr_svg

ZERO = Decimal("0.00")

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


class NoticeNotApplicable(Exception):
    """A letter of this kind has nothing to say on this case (no plan to confirm, no payment
    to acknowledge...)."""


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


# --- What each kind adds ----------------------------------------------------------------


def _warning_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """Inkassoloven § 10: what collection would add if the debtor does not pay in time; the
    same figures the handover charges (``case_collection_charges``)."""
    profile = selectors.profile_for(case, notice.dated)
    charges = selectors.case_collection_charges(case, on=notice.dated)
    cost_cap = charges.collection_costs
    compensation = charges.compensation_total
    return {
        "warning": {
            "deadline_days": profile.warning_deadline_days,
            "deadline": notice.deadline or warning_deadline_date(profile, notice.dated),
            "rule": profile.cite("warning"),
            "handover_fee": charges.handover_fee,
            "collection_cost_cap": cost_cap,
            "compensation": compensation,
            "compensation_rule": profile.cite("b2b_compensation"),
            "interest_rule": profile.cite("interest_rate"),
        }
    }


def _settlement_context(case: Case, notice: Notice, figures: Figures) -> dict:
    profile = selectors.profile_for(case, notice.dated)
    acceleration = InstalmentPlan._meta.get_field("acceleration_days").default
    return {
        "settlement": {
            "amount": figures.total,
            "as_of": notice.dated,
            "acceleration_days": acceleration,
            "limitation_years": profile.limitation_years_acknowledged,
            # Interest and fees falling due after the signature keep the ordinary period.
            "later_charges_years": profile.limitation_years_ordinary,
            "interest_rule": profile.cite("interest_rate"),
        }
    }


def _plan_for(case: Case, notice: Notice) -> InstalmentPlan:
    statuses = [PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.BROKEN, PlanStatus.PROPOSED]
    plan = (
        InstalmentPlan.objects.filter(case=case, status__in=statuses, proposed_on__lte=notice.dated)
        .order_by("-proposed_on", "-pk")
        .first()
    )
    if plan is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no instalment plan.")
    return plan


def _plan_context(case: Case, notice: Notice, figures: Figures) -> dict:
    plan = _plan_for(case, notice)
    instalments = list(Instalment.objects.filter(plan=plan).order_by("number"))
    return {
        "plan": plan,
        "instalments": instalments,
        "plan_total": sum((i.amount for i in instalments), ZERO),
        "first_instalment": instalments[0] if instalments else None,
        "pay_by": instalments[0].due_date if instalments else None,
    }


def _missed_context(case: Case, notice: Notice, figures: Figures) -> dict:
    plan = _plan_for(case, notice)
    instalments = list(Instalment.objects.filter(plan=plan).order_by("number"))
    missed = next((i for i in instalments if i.missed_notice_on == notice.dated), None)
    if missed is None:
        missed = next(
            (i for i in instalments if not i.is_paid and i.due_date <= notice.dated), None
        )
    if missed is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no missed instalment.")
    return {
        "plan": plan,
        "missed": missed,
        "missed_unpaid": missed.amount - missed.paid_amount,
        "pay_by": notice.deadline,
    }


def _receipt_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """The payment the receipt was made for; a preview (no payment of its own) shows the
    latest payment not reversed."""
    if notice.payment_id is not None:
        payment = Payment.objects.get(pk=notice.payment_id, case=case)
    else:
        payment = (
            Payment.objects.filter(
                case=case, received_on__lte=notice.dated, reversed_at__isnull=True
            )
            .order_by("-received_on", "-pk")
            .first()
        )
    if payment is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no payment to acknowledge.")
    return {"received": payment, "remaining": max(figures.total, ZERO)}


def _dispute_context(case: Case, notice: Notice, figures: Figures) -> dict:
    dispute = (
        Dispute.objects.filter(case=case, opened_on__lte=notice.dated)
        .order_by("-opened_on", "-pk")
        .first()
    )
    if dispute is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no dispute.")
    return {"dispute": dispute}


def _closed_context(case: Case, notice: Notice, figures: Figures) -> dict:
    return {"closed_reason": case.closed_reason or "paid"}


def _credit_bureau_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """The credit-bureau warning: which bureau, from which day, and when the data goes."""
    from cases.services.credit_bureau import warning_letter_facts  # builds on this app

    facts = warning_letter_facts(case=case, notice=notice)
    return {"bureau_warning": facts, "pay_by": facts["pay_by"]}


KIND_CONTEXT = {
    NoticeKind.WARNING: _warning_context,
    NoticeKind.COLLECTION_LETTER: _settlement_context,
    NoticeKind.PLAN_CONFIRMATION: _plan_context,
    NoticeKind.MISSED_INSTALMENT: _missed_context,
    NoticeKind.RECEIPT: _receipt_context,
    NoticeKind.DISPUTE_ACK: _dispute_context,
    NoticeKind.CLOSED: _closed_context,
    NoticeKind.CREDIT_BUREAU_WARNING: _credit_bureau_context,
}

# Letters that ask for money carry the payment section.
PAYMENT_KINDS = {
    NoticeKind.REMINDER,
    NoticeKind.WARNING,
    NoticeKind.COLLECTION_LETTER,
    NoticeKind.PLAN_CONFIRMATION,
    NoticeKind.MISSED_INSTALMENT,
    NoticeKind.CREDIT_BUREAU_WARNING,
}


def notice_context(notice: Notice, *, preview: bool = False) -> dict:
    """The template context of a notice (saved, or an unsaved preview of one)."""
    case = notice.case
    figures = case_figures(case, on=notice.dated)
    profile = selectors.profile_for(case, notice.dated)
    creditor = creditor_party(case)
    by_agency = agency_collects(case, notice)
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
        "show_payment": notice.kind in PAYMENT_KINDS and figures.total > 0,
        # The provisions the letter quotes, from the jurisdiction profile.
        "rules": dict(profile.citations),
    }
    extra = KIND_CONTEXT.get(notice.kind)
    if extra is not None:
        context.update(extra(case, notice, figures))
    if context["show_payment"]:
        amount = figures.total
        if notice.kind == NoticeKind.MISSED_INSTALMENT:
            amount = context["missed_unpaid"]
        elif notice.kind == NoticeKind.PLAN_CONFIRMATION and context["first_instalment"]:
            first = context["first_instalment"]
            amount = first.amount - first.paid_amount
        context["payment"] = payment_details(case, amount=amount)
        context["pay_by"] = context.get("pay_by") or notice.deadline
    return context
