"""Repairs of what the portal once charged wrongly, done through the ledger and the timeline.

The only repair so far: collection costs sized from the balance with the reminder fees, the
handover fee and the B2B compensation on it, instead of from the claim (BEK 601/2002 bilag 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum

from cases import selectors
from cases.models import Case, Claim, Component, EntryKind, LedgerEntry, Payment
from cases.rules import ClaimForCosts, collection_charges
from cases.rules.explain import money_text

from .ledger import entry_reverse, interest_post, interest_reverse_after, ledger_post
from .locking import lock_case

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CostRepair:
    """What the repair of one case did (or, for a dry run, would do)."""

    case_id: int
    reference: str
    charged: Decimal
    cap: Decimal
    refunded_to_balance: Decimal
    credit_after: Decimal

    @property
    def excess(self) -> Decimal:
        return self.charged - self.cap


def _handover_charges(case: Case, entry: LedgerEntry):
    """The charges as the law sizes them on the day the collection costs were posted: each
    invoice's principal as it stood that day (the "fordring"), fees and interest left out."""
    day = entry.posted_on
    principal = {
        row["claim_id"]: row["total"]
        for row in LedgerEntry.objects.filter(
            case=case, component=Component.PRINCIPAL, posted_on__lte=day
        )
        .values("claim_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    claims = [
        ClaimForCosts(
            claim_id=claim.pk,
            principal=principal.get(claim.pk, ZERO),
            due_date=claim.due_date,
            debtor_is_consumer=claim.debtor_is_consumer,
        )
        for claim in Claim.objects.filter(case=case).order_by("due_date", "pk")
    ]
    return collection_charges(selectors.profile_for(case, day), claims=claims)


def _charged_costs(case: Case) -> list[LedgerEntry]:
    """The collection-cost charges still standing (not reversed)."""
    return list(
        LedgerEntry.objects.filter(
            case=case, kind=EntryKind.COLLECTION_COSTS, reversed_by__isnull=True
        ).order_by("posted_on", "pk")
    )


def collection_costs_overcharge(case: Case) -> CostRepair | None:
    """The case's collection costs above the cap the law sets for its claim, or None."""
    entries = _charged_costs(case)
    if not entries:
        return None
    charged = sum((e.amount for e in entries), ZERO)
    cap = _handover_charges(case, entries[0]).collection_costs.amount
    if charged <= cap:
        return None
    return CostRepair(
        case_id=case.pk,
        reference=case.reference,
        charged=charged,
        cap=cap,
        refunded_to_balance=ZERO,
        credit_after=ZERO,
    )


@transaction.atomic
def collection_costs_repair(
    *, case: Case, today: date, actor: AbstractBaseUser | str | None = None
) -> CostRepair | None:
    """Bring the case's collection costs down to the legal cap; None if they are within it.

    Each standing collection-cost entry is reversed (dated as it was, so every balance since
    reads as if it had been right) and the cost is charged again at the cap, with the rule's
    sentence saying how the claim was sized. Payments that went to the excess are allocated
    again, in the order they came in, so the money reaches interest and principal (or becomes
    a credit for the debtor when nothing else is owed), and interest since is recomputed.
    The timeline records the correction. Running it again changes nothing.
    """
    from . import lifecycle
    from .payments import _allocate

    case = lock_case(case)
    found = collection_costs_overcharge(case)
    if found is None:
        return None
    entries = _charged_costs(case)
    first = entries[0]
    charges = _handover_charges(case, first)
    currency = case.currency
    reason = (
        f"Corrected on {today.isoformat()}: collection costs of "
        f"{money_text(found.charged, currency)} had been sized from the balance with the fees "
        f"on it; the law sizes them from the claim of {money_text(charges.claim_size, currency)}, "
        f"whose cap is {money_text(found.cap, currency)}."
    )
    for entry in entries:
        entry_reverse(case=case, entry=entry, why=reason)
    if found.cap > 0:
        figure = charges.collection_costs
        ledger_post(
            case=case,
            kind=EntryKind.COLLECTION_COSTS,
            amount=figure.amount,
            posted_on=first.posted_on,
            rule=figure.rule,
            profile=figure.profile,
            explanation=f"{figure.explanation}\n{reason}",
        )

    # Payments since the costs were charged may have paid the excess: allocate them again.
    refunded = ZERO
    payments = list(
        Payment.objects.filter(
            case=case, received_on__gte=first.posted_on, reversed_at__isnull=True
        ).order_by("received_on", "pk")
    )
    costs_now = selectors.case_balance(case).costs
    if costs_now < 0 and payments:
        refunded = -costs_now
        for payment in payments:
            for allocation in LedgerEntry.objects.filter(
                payment=payment, kind=EntryKind.PAYMENT, reversed_by__isnull=True
            ):
                entry_reverse(
                    case=case, entry=allocation, why=f"Allocated again: {reason}", payment=payment
                )
        # As the payments were first booked: interest up to each payment's day, then the
        # payment's allocation; then the interest posted before is posted again.
        posted_until = interest_reverse_after(
            case=case,
            day=payments[0].received_on,
            why="Recomputed after the payments were allocated again.",
        )
        for payment in payments:
            interest_post(case=case, up_to=payment.received_on)
            _allocate(case=case, payment=payment, user=None)
        if posted_until is not None:
            interest_post(case=case, up_to=posted_until)
    balance = selectors.case_balance(case)
    result = CostRepair(
        case_id=case.pk,
        reference=case.reference,
        charged=found.charged,
        cap=found.cap,
        refunded_to_balance=refunded,
        credit_after=balance.credit,
    )
    lifecycle.event_record(
        case=case,
        code="case.collection_costs_corrected",
        actor=actor,
        from_state=case.state,
        message=reason,
        data={
            "charged": str(found.charged),
            "cap": str(found.cap),
            "claim": str(charges.claim_size),
            "payments_allocated_again": str(refunded),
            "credit": str(balance.credit),
        },
    )
    lifecycle.case_close_if_paid(case=case, actor=actor)
    return result


def collection_costs_repair_all(
    *, today: date, actor: AbstractBaseUser | str | None = None, dry_run: bool = False
) -> list[CostRepair]:
    """Repair every case in the active scope charged above the cap; returns what was done.

    Each case is repaired in its own transaction, so one refusal does not undo the others."""
    ids = (
        LedgerEntry.objects.filter(kind=EntryKind.COLLECTION_COSTS, reversed_by__isnull=True)
        .values_list("case_id", flat=True)
        .distinct()
        .order_by("case_id")
    )
    done = []
    for case in Case.objects.filter(pk__in=list(ids)).order_by("pk"):
        if dry_run:
            found = collection_costs_overcharge(case)
        else:
            found = collection_costs_repair(case=case, today=today, actor=actor)
        if found is not None:
            done.append(found)
    return done
