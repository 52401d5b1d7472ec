"""Reconciliation of the client account: for each creditor and in total, to the øre,

    received = paid out to the creditor + agency revenue + refunds + held on the client account

Each side is read from its own records, so a difference means they disagree somewhere:

- received: the money the agency received for the creditor (``ReceivedPayment`` rows whose
  payment stands; a reversed one's money is no longer the creditor's);
- paid out: the settlements' payouts (negative where the creditor owed the agency);
- agency revenue: the settlements' agency shares and what the creditor owed for direct
  payments (taken off its payouts);
- refunds: the refunds of the creditor's cases' credits (``Refund``);
- held: unsettled received payments, plus the overpayments in settled ones, less the credit
  refunded from them in the ledger.

Payments made directly to the creditor never enter the client account: they add to a payout's
deduction and to the revenue alike. Money no rule matched (unmatched payments) belongs to no
creditor yet and is outside the identity.

The daily check records one ``Reconciliation`` per creditor and a total, and opens a work item
("reconciliation_difference") on the creditor's latest case with a received payment for any
difference (a work item needs a case; with none, the recorded result is the signal).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cases.models import Component, EntryKind, LedgerEntry
from collections_portal.tenancy import agency_scope, creditor_scope

from .models import ReceivedPayment, Reconciliation, Refund, Settlement, SettlementLine
from .tools import REFUND_RULE

ZERO = Decimal("0.00")
FIELDS = ("received", "paid_out", "agency_revenue", "refunds", "held")


def _sum(rows, field: str) -> Decimal:
    return rows.aggregate(total=Sum(field))["total"] or ZERO


def creditor_figures(creditor_id: int) -> dict[str, Decimal]:
    """The identity's terms for one creditor, and the difference."""
    standing = ReceivedPayment.objects.filter(
        creditor_id=creditor_id, payment__reversed_at__isnull=True
    )
    received = _sum(standing, "amount")
    with creditor_scope(creditor_id):
        settlements = Settlement.objects.filter(creditor_id=creditor_id)
        paid_out = _sum(settlements, "payout")
        revenue = _sum(settlements, "agency_share") + _sum(settlements, "direct_owed")
    refunds = _sum(Refund.objects.filter(creditor_id=creditor_id, case__isnull=False), "amount")
    unsettled = _sum(standing.filter(settled_at__isnull=True), "amount")
    settled_credit = _sum(
        SettlementLine.objects.filter(settlement__creditor_id=creditor_id, direct=False), "credit"
    )
    with creditor_scope(creditor_id):
        # A refund reverses the (negative) credit entries: its entries are positive.
        refunded = _sum(
            LedgerEntry.objects.filter(
                component=Component.CREDIT,
                kind=EntryKind.REVERSAL,
                rule=REFUND_RULE,
                payment__received__isnull=False,
            ),
            "amount",
        )
    held = unsettled + settled_credit - refunded
    figures = {
        "received": received,
        "paid_out": paid_out,
        "agency_revenue": revenue,
        "refunds": refunds,
        "held": held,
    }
    figures["difference"] = received - (paid_out + revenue + refunds + held)
    return figures


def _creditors_with_money() -> list[int]:
    ids = set(ReceivedPayment.objects.values_list("creditor_id", flat=True).distinct())
    with agency_scope(reason="reconciliation: every creditor with settlements"):
        ids |= set(Settlement.objects.values_list("creditor_id", flat=True).distinct())
    ids |= set(
        Refund.objects.filter(case__isnull=False).values_list("creditor_id", flat=True).distinct()
    )
    return sorted(ids)


def reconcile() -> list[Reconciliation]:
    """Check every creditor and the total; record the results (the total last) and open a
    work item for each creditor with a difference."""
    from cases.models import WorkItemReason
    from cases.services.work_items import work_item_open

    run = uuid.uuid4()
    results = []
    totals = dict.fromkeys((*FIELDS, "difference"), ZERO)
    with transaction.atomic():
        for creditor_id in _creditors_with_money():
            figures = creditor_figures(creditor_id)
            for key, value in figures.items():
                totals[key] += value
            results.append(
                Reconciliation.objects.create(run=run, creditor_id=creditor_id, **figures)
            )
            if figures["difference"] != 0:
                latest = (
                    ReceivedPayment.objects.filter(creditor_id=creditor_id)
                    .order_by("-pk")
                    .values_list("payment_id", flat=True)
                    .first()
                )
                if latest is None:
                    continue
                with creditor_scope(creditor_id):
                    from cases.models import Payment

                    case = Payment.objects.get(pk=latest).case
                    work_item_open(
                        case=case,
                        reason=WorkItemReason.RECONCILIATION_DIFFERENCE,
                        due_at=timezone.now() + timedelta(days=1),
                        priority=100,
                        factors={
                            "creditor": creditor_id,
                            **{key: str(value) for key, value in figures.items()},
                        },
                    )
        results.append(Reconciliation.objects.create(run=run, creditor=None, **totals))
    return results


def latest_results() -> list[Reconciliation]:
    """The latest run's results: the total first, then each creditor."""
    last = Reconciliation.objects.order_by("-checked_at", "-pk").first()
    if last is None:
        return []
    rows = list(
        Reconciliation.objects.filter(run=last.run).select_related("creditor").order_by("pk")
    )
    return [row for row in rows if row.creditor_id is None] + [
        row for row in rows if row.creditor_id is not None
    ]
