"""Settlements (afregning): what the agency pays out to a creditor for a period.

A settlement takes every payment on the creditor's cases received up to the period's end and
not yet settled (a payment booked late is settled in the next run, never lost), reads how each
was allocated in the ledger (the ``payment`` entries per component) and divides it by the
creditor's agreement:

- principal goes to the creditor, less the agency's commission (a percent of it);
- interest goes to the creditor but for the agency's share (a percent);
- the B2B compensation goes to whoever the agreement names;
- every other cost (reminder, handover and collection fees, court fees) is the agency's;
- an overpayment (credit) is the debtor's: held on the client account until refunded.

Where the money is decides the direction: money the agency received (a ``ReceivedPayment``)
is paid out to the creditor for the creditor's share; a payment made directly to the creditor
(any payment without a ``ReceivedPayment``: the creditor reported it) leaves the agency's
share owed by the creditor, which is taken off the payout.

The ledger's ``costs`` component does not say which fee a payment covered: the compensation's
part of a payment's costs is taken pro rata to the compensation among the cost charges on the
same invoice (the case when no invoice is named), rounded to the øre; the rest is the agency's.

One settlement is one transaction, under a lock on the creditor, and each payment is in at
most one settlement line (a unique key) with its ``ReceivedPayment`` marked settled once, so a
second run, concurrent or not, settles nothing twice.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from cases.models import Component, EntryKind, LedgerEntry, Payment
from collections_portal.money import round_money
from collections_portal.tenancy import creditor_scope
from creditors.models import CompensationTo, Creditor, SettlementPeriod

from .models import ReceivedPayment, Settlement, SettlementLine

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
COST_KINDS = [
    EntryKind.REMINDER_FEE,
    EntryKind.HANDOVER_FEE,
    EntryKind.COMPENSATION,
    EntryKind.COLLECTION_COSTS,
    EntryKind.COURT_FEE,
]


def period_for(creditor: Creditor, day: date) -> tuple[date, date]:
    """The settlement period of ``creditor`` that holds ``day``."""
    if creditor.settlement_period == SettlementPeriod.QUARTERLY:
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
    else:
        first_month = last_month = day.month
    end = date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return date(day.year, first_month, 1), end


def period_ended_before(creditor: Creditor, today: date) -> tuple[date, date] | None:
    """The period that ended yesterday, when one did (the beat runs on the 1st)."""
    start, end = period_for(creditor, today - timedelta(days=1))
    return (start, end) if end == today - timedelta(days=1) else None


@dataclass
class Split:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    costs: Decimal = ZERO  # all costs paid, compensation included
    compensation: Decimal = ZERO
    credit: Decimal = ZERO


def _cost_mix(case_id: int) -> dict[int | None, tuple[Decimal, Decimal]]:
    """Per invoice (and ``None`` for the case): (compensation charged, all costs charged),
    net of reversed charges."""
    mix: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    charges = LedgerEntry.objects.filter(case_id=case_id, kind__in=COST_KINDS).filter(
        reversed_by__isnull=True
    )
    for entry in charges:
        for key in {entry.claim_id, None}:
            if entry.kind == EntryKind.COMPENSATION:
                mix[key][0] += entry.amount
            mix[key][1] += entry.amount
    return {key: (value[0], value[1]) for key, value in mix.items()}


def payment_split(payment: Payment, mixes: dict) -> Split:
    """How the payment was allocated, from its ledger entries."""
    split = Split()
    entries = LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT)
    if payment.case_id not in mixes:
        mixes[payment.case_id] = _cost_mix(payment.case_id)
    mix = mixes[payment.case_id]
    for entry in entries:
        paid = -entry.amount
        if entry.component == Component.PRINCIPAL:
            split.principal += paid
        elif entry.component == Component.INTEREST:
            split.interest += paid
        elif entry.component == Component.CREDIT:
            split.credit += paid
        else:
            split.costs += paid
            compensation, total = mix.get(entry.claim_id) or mix.get(None) or (ZERO, ZERO)
            if total > 0 and compensation > 0:
                split.compensation += min(paid, round_money(paid * compensation / total))
    return split


def line_figures(split: Split, creditor: Creditor) -> dict[str, Decimal]:
    """Divide one payment by the agreement. The shares and the credit add up to the amount."""
    interest_agency = round_money(split.interest * creditor.settlement_interest_share / HUNDRED)
    commission = round_money(split.principal * creditor.settlement_commission_percent / HUNDRED)
    other_costs = split.costs - split.compensation
    to_agency = creditor.settlement_compensation_to == CompensationTo.AGENCY
    creditor_share = (
        split.principal
        - commission
        + split.interest
        - interest_agency
        + (ZERO if to_agency else split.compensation)
    )
    agency_share = (
        other_costs + interest_agency + commission + (split.compensation if to_agency else ZERO)
    )
    return {
        "principal": split.principal,
        "interest": split.interest,
        "interest_agency": interest_agency,
        "compensation": split.compensation,
        "costs": other_costs,
        "commission": commission,
        "credit": split.credit,
        "creditor_share": creditor_share,
        "agency_share": agency_share,
    }


def unsettled_payments(creditor: Creditor, up_to: date):
    """The creditor's payments received up to ``up_to``, standing, and in no settlement."""
    return (
        Payment.objects.filter(creditor=creditor, received_on__lte=up_to, reversed_at__isnull=True)
        .filter(settlement_line__isnull=True)
        .select_related("case")
        .order_by("received_on", "pk")
    )


def settlement_create(
    *,
    creditor: Creditor,
    period_start: date,
    period_end: date,
    user: AbstractBaseUser | None = None,
) -> Settlement | None:
    """Settle the creditor's unsettled payments received up to ``period_end``. Returns the
    settlement, or None when there was nothing to settle."""
    with transaction.atomic():
        # One run per creditor at a time: a concurrent run waits here, then finds the
        # payments this one settled in the lines and leaves them.
        creditor = Creditor.objects.select_for_update().get(pk=creditor.pk)
        with creditor_scope(creditor.pk):
            payments = list(unsettled_payments(creditor, period_end))
            if not payments:
                return None
            received = {
                row.payment_id: row for row in ReceivedPayment.objects.filter(payment__in=payments)
            }
            mixes: dict = {}
            lines = []
            for payment in payments:
                figures = line_figures(payment_split(payment, mixes), creditor)
                lines.append(
                    SettlementLine(
                        payment=payment,
                        direct=payment.pk not in received,
                        case_number=str(payment.case.number),
                        received_on=payment.received_on,
                        amount=payment.amount,
                        **figures,
                    )
                )
            agency = [line for line in lines if not line.direct]
            direct = [line for line in lines if line.direct]

            def total(rows, field):
                return sum((getattr(row, field) for row in rows), ZERO)

            creditor_share = total(agency, "creditor_share")
            direct_owed = total(direct, "agency_share")
            compensation = total(agency, "compensation")
            to_agency = creditor.settlement_compensation_to == CompensationTo.AGENCY
            sequence = Settlement.objects.filter(creditor=creditor).count() + 1
            settlement = Settlement.objects.create(
                number=f"AF-{creditor.pk}-{period_end:%Y%m}-{sequence}",
                creditor=creditor,
                period_start=period_start,
                period_end=period_end,
                currency=creditor.currency,
                interest_share=creditor.settlement_interest_share,
                commission_percent=creditor.settlement_commission_percent,
                compensation_to=creditor.settlement_compensation_to,
                payments=len(lines),
                received=total(agency, "amount"),
                principal=total(agency, "principal"),
                interest_creditor=total(agency, "interest") - total(agency, "interest_agency"),
                interest_agency=total(agency, "interest_agency"),
                compensation_creditor=ZERO if to_agency else compensation,
                compensation_agency=compensation if to_agency else ZERO,
                costs_agency=total(agency, "costs"),
                commission=total(agency, "commission"),
                creditor_share=creditor_share,
                agency_share=total(agency, "agency_share"),
                credit_held=total(agency, "credit"),
                direct_received=total(direct, "amount"),
                direct_owed=direct_owed,
                payout=creditor_share - direct_owed,
                created_by=user,
            )
            for line in lines:
                line.settlement = settlement
            # The unique payment key refuses a payment settled before (IntegrityError rolls
            # the whole settlement back).
            SettlementLine.objects.bulk_create(lines)
            marked = ReceivedPayment.objects.filter(
                payment_id__in=[line.payment_id for line in agency], settled_at__isnull=True
            ).update(settled_at=timezone.now(), settlement_reference=settlement.number)
            if marked != len(agency):
                raise RuntimeError("A received payment was settled by another run.")
            from integrations.webhooks.events import emit_settlement_created

            emit_settlement_created(settlement)
            return settlement


def settlements_run(
    *, today: date | None = None, user: AbstractBaseUser | None = None
) -> list[Settlement]:
    """Settle every active creditor whose period ended yesterday (the beat, on the 1st)."""
    today = today or timezone.localdate()
    made = []
    for creditor in Creditor.objects.filter(is_active=True).order_by("pk"):
        period = period_ended_before(creditor, today)
        if period is None:
            continue
        settlement = settlement_create(
            creditor=creditor, period_start=period[0], period_end=period[1], user=user
        )
        if settlement is not None:
            made.append(settlement)
    return made
