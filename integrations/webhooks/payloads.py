"""The ``data`` of each event type: stable JSON, ids and references, amounts as strings.

Conventions every event follows (documented for receivers in the OpenAPI description):

* objects are nested under their kind (``"case": {...}``, ``"payment": {...}``), each with
  its integer ``id``;
* a case carries its ``reference`` (the case number the debtor sees, as a string), the
  creditor's own ``creditor_reference``, ``state`` and ``currency``;
* amounts are decimal strings with two places (``"1250.00"``), never numbers; dates are
  ISO ``YYYY-MM-DD``, times ISO 8601 with offset;
* no personal identification numbers (CPR) are ever sent.

The builders run inside the caller's transaction and tenant scope, and only when some
endpoint of the creditor subscribes to the event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collections_portal.money import plain_money as money

if TYPE_CHECKING:
    from cases.models import Case, Payment
    from notices.models import Notice


def case_summary(case: Case) -> dict[str, Any]:
    """The case as every case-related event carries it."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "creditor_reference": case.creditor_reference,
        "state": case.state,
        "closed_reason": case.closed_reason or None,
        "currency": case.currency,
        "debtor": {"id": case.debtor_id},
    }


def balance(case: Case) -> dict[str, str]:
    """What the case owes now, per component, from the ledger."""
    from cases.selectors import case_balance

    figures = case_balance(case)
    return {
        "principal": money(figures.principal),
        "interest": money(figures.interest),
        "costs": money(figures.costs),
        "total": money(figures.total),
        "credit": money(figures.credit),
    }


def case_created(case: Case) -> dict[str, Any]:
    from cases.models import Claim

    claims = Claim.objects.filter(case=case).order_by("due_date", "pk")
    return {
        "case": {
            **case_summary(case),
            "claims": [
                {
                    "id": claim.pk,
                    "invoice_number": claim.invoice_number,
                    "invoice_date": claim.invoice_date.isoformat(),
                    "due_date": claim.due_date.isoformat(),
                    "principal": money(claim.principal),
                }
                for claim in claims
            ],
        },
        "balance": balance(case),
    }


def case_state_changed(case: Case, *, from_state: str, reason: str) -> dict[str, Any]:
    return {
        "case": case_summary(case),
        "from_state": from_state,
        "to_state": case.state,
        # The timeline code of the step that moved it, e.g. "case.reminder_sent".
        "reason": reason,
    }


def payment_received(payment: Payment) -> dict[str, Any]:
    from cases.models import EntryKind, LedgerEntry

    allocations = (
        LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT)
        .select_related("claim")
        .order_by("pk")
    )
    return {
        "payment": {
            "id": payment.pk,
            "amount": money(payment.amount),
            "currency": payment.case.currency,
            "received_on": payment.received_on.isoformat(),
            "method": payment.method,
            "payer_reference": payment.payer_reference,
            "allocations": [
                {
                    "component": entry.component,
                    "invoice_number": entry.claim.invoice_number if entry.claim else None,
                    "amount": money(-entry.amount),
                }
                for entry in allocations
            ],
        },
        "case": case_summary(payment.case),
        "balance": balance(payment.case),
    }


def notice_sent(notice: Notice, *, channel: str = "") -> dict[str, Any]:
    return {
        "notice": {
            "id": notice.pk,
            "kind": notice.kind,
            "sequence": notice.sequence,
            "dated": notice.dated.isoformat(),
            "deadline": notice.deadline.isoformat() if notice.deadline else None,
            "channel": channel or None,
            "status": notice.status,
        },
        "case": case_summary(notice.case),
    }


def settlement_created(settlement) -> dict[str, Any]:
    """A settlement's figures and where its statement (PDF and CSV) is downloaded."""
    from django.urls import reverse

    return {
        "settlement": {
            "id": settlement.pk,
            "reference": settlement.number,
            "period_start": settlement.period_start.isoformat(),
            "period_end": settlement.period_end.isoformat(),
            "currency": settlement.currency,
            "payments": settlement.payments,
            "received": money(settlement.received),
            "creditor_share": money(settlement.creditor_share),
            "agency_share": money(settlement.agency_share),
            "direct_received": money(settlement.direct_received),
            "direct_owed": money(settlement.direct_owed),
            "credit_held": money(settlement.credit_held),
            "payout": money(settlement.payout),
            "statement_pdf": reverse(
                "settlement_pdf", kwargs={"settlement_id": settlement.public_id}
            ),
            "statement_csv": reverse(
                "settlement_csv", kwargs={"settlement_id": settlement.public_id}
            ),
        }
    }
