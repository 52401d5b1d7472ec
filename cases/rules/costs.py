"""Caps on collection costs (inkassoomkostninger), DK: BEK 601/2002 as amended, claims from
1 July 2016.

The cap depends on the size of the claim and on who collects: an agency or lawyer, or the
creditor itself. The claim ("fordring") is the principal incl. VAT plus the interest and
administration fees the creditor could charge *before the due date*; it does not include
default interest, reminder fees, the handover fee, the B2B compensation or earlier collection
costs, which all arise after the due date. Caps are excl. VAT. They may only be charged after
a valid collection warning whose deadline has passed; that check belongs to the caller, which
knows the case's letters.

:func:`collection_charges` is the one place that says what handing a case over adds (the
handover fee, the B2B compensation per business invoice, the collection costs): the warning
letter announces it and the handover charges it, from the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext_noop as N_

from .explain import ZERO, Figure, Money, Percent, Text, explained, round_money
from .fees import b2b_compensation, handover_fee
from .profile import JurisdictionProfile

Column = Literal["agency", "own"]

_COLUMN_TEXT = {
    "agency": N_("an agency or lawyer"),
    "own": N_("the creditor's own collection"),
}


def _cap(
    profile: JurisdictionProfile, claim_amount: Decimal, column: Column
) -> tuple[Decimal, Text]:
    """The unrounded cap and the sentence saying which band or formula gave it."""
    currency = profile.currency
    if column == "agency":
        bands = profile.need(profile.cost_cap_bands_agency, "cost_cap_bands_agency")
        base = profile.need(profile.cost_cap_above_base_agency, "cost_cap_above_base_agency")
        pct = profile.need(profile.cost_cap_above_pct_agency, "cost_cap_above_pct_agency")
    else:
        bands = profile.need(profile.cost_cap_bands_own, "cost_cap_bands_own")
        base = profile.need(profile.cost_cap_above_base_own, "cost_cap_above_base_own")
        pct = profile.need(profile.cost_cap_above_pct_own, "cost_cap_above_pct_own")
    if not bands:
        raise ValueError(f"{profile.label}: the {column} column has no bands")
    for upper, cap in bands:
        if claim_amount <= upper:
            return cap, Text(
                N_("the band for claims up to and including %(upper)s gives %(cap)s"),
                upper=Money(upper, currency),
                cap=Money(cap, currency),
            )
    threshold = bands[-1][0]
    excess = claim_amount - threshold
    cap = base + excess * pct / 100
    return cap, Text(
        N_(
            "above %(threshold)s the cap is %(base)s plus %(pct)s of the excess %(excess)s = "
            "%(cap)s"
        ),
        threshold=Money(threshold, currency),
        base=Money(base, currency),
        pct=Percent(pct),
        excess=Money(excess, currency),
        cap=Money(round_money(cap), currency),
    )


def collection_cost_cap(
    profile: JurisdictionProfile,
    *,
    claim_amount: Decimal,
    column: Column,
    consumer: bool,
    actual_costs: Decimal | None = None,
) -> Figure:
    """The most that may be charged for collection costs, excl. VAT (DK: BEK 601/2002).

    ``claim_amount`` is the size of the claim (:func:`collection_claim_size`): the principal
    incl. VAT plus pre-due charges, never default interest or the fees charged after the due
    date. Bands are "up to and including" their upper bound; above the last band: base plus a
    percentage of the excess.
    A consumer is never charged more than the cap; a business may be charged ``actual_costs``
    when they are higher (the business exception). When ``actual_costs`` are lower, the cap
    is still returned: it is the maximum, which a creditor's policy may lower.
    """
    if column not in _COLUMN_TEXT:
        raise ValueError(f"Unknown column {column!r}: 'agency' or 'own'.")
    if claim_amount < 0:
        raise ValueError(f"A claim of {claim_amount} is negative.")
    if actual_costs is not None and actual_costs < 0:
        raise ValueError(f"Actual costs of {actual_costs} are negative.")
    raw_cap, how = _cap(profile, claim_amount, column)
    rule = profile.cite("collection_costs")
    currency = profile.currency
    cap = round_money(raw_cap)
    intro = Text(
        N_(
            "Collection costs for a claim of %(claim)s (the principal incl. VAT and any charges "
            "due before the due date; default interest, reminder fees, the handover fee and the "
            "compensation do not count) collected by %(column)s: %(how)s, excl. VAT"
        ),
        claim=Money(claim_amount, currency),
        column=Text(_COLUMN_TEXT[column]),
        how=how,
    )

    if actual_costs is not None and actual_costs > cap:
        actual = round_money(actual_costs)
        if consumer:
            text = Text(
                N_(
                    "%(intro)s. The actual costs of %(actual)s exceed the cap; a consumer is "
                    "never charged more than the cap of %(cap)s"
                ),
                intro=intro,
                actual=Money(actual, currency),
                cap=Money(cap, currency),
            )
            amount = cap
        else:
            text = Text(
                N_(
                    "%(intro)s. The actual costs of %(actual)s exceed the cap and may be charged "
                    "to a business debtor under the business exception, excl. VAT"
                ),
                intro=intro,
                actual=Money(actual, currency),
            )
            amount = actual
        return Figure(
            amount=amount,
            rule=rule,
            profile=profile.label,
            **explained(text, rule=rule, profile=profile.label),
            base=claim_amount,
        )

    return Figure(
        amount=cap,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_("%(intro)s. The cap of %(cap)s excl. VAT is the most that may be charged"),
                intro=intro,
                cap=Money(cap, currency),
            ),
            rule=rule,
            profile=profile.label,
        ),
        base=claim_amount,
    )


@dataclass(frozen=True)
class ClaimForCosts:
    """What the collection charges need to know of one invoice."""

    claim_id: int | None
    principal: Decimal  # outstanding principal incl. VAT
    due_date: date
    debtor_is_consumer: bool
    # Interest and administration fees the creditor could charge before the due date (part of
    # the "fordring"); none unless the creditor reports them.
    pre_due_charges: Decimal = ZERO


@dataclass(frozen=True)
class CollectionCharges:
    """What handing a case over to collection adds, each amount with its rule."""

    handover_fee: Figure
    compensations: tuple[tuple[int | None, Figure], ...]  # (claim id, figure), allowed ones
    collection_costs: Figure
    claim_size: Decimal
    consumer: bool

    @property
    def compensation_total(self) -> Decimal:
        return sum((figure.amount for _, figure in self.compensations), ZERO)

    @property
    def total(self) -> Decimal:
        return self.handover_fee.amount + self.compensation_total + self.collection_costs.amount


def collection_claim_size(claims: Iterable[ClaimForCosts]) -> Decimal:
    """The "fordring" that sizes the collection-cost band: each invoice's principal incl. VAT
    plus its pre-due charges; nothing that arose after the due date."""
    return sum((max(c.principal, ZERO) + c.pre_due_charges for c in claims), ZERO)


def collection_charges(
    profile: JurisdictionProfile,
    *,
    claims: Iterable[ClaimForCosts],
    compensated_claim_ids: Iterable[int] = (),
    column: Column = "agency",
) -> CollectionCharges:
    """The handover fee, the B2B compensation for each business invoice not compensated yet,
    and the collection costs within the cap for the claim's size. A case with any consumer
    invoice is capped as a consumer's (the business exception never applies to it)."""
    claims = list(claims)
    done = set(compensated_claim_ids)
    compensations = []
    for claim in claims:
        if claim.debtor_is_consumer or claim.claim_id in done:
            continue
        figure = b2b_compensation(profile, debtor_is_consumer=False, due_date=claim.due_date)
        if figure.allowed:
            compensations.append((claim.claim_id, figure))
    consumer = any(claim.debtor_is_consumer for claim in claims)
    size = collection_claim_size(claims)
    return CollectionCharges(
        handover_fee=handover_fee(profile),
        compensations=tuple(compensations),
        collection_costs=collection_cost_cap(
            profile, claim_amount=size, column=column, consumer=consumer
        ),
        claim_size=size,
        consumer=consumer,
    )
