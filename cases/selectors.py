"""Reads about cases: lists, balances, allocation targets, interest accruals, limitation.

They run inside the caller's tenant scope. Balances are sums of ledger entries, computed in the
database; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from collections_portal.texts import Text
from notices.models import Notice, NoticeKind

from .models import (
    ACTIVE_REGISTRATION_STATUSES,
    Case,
    Claim,
    Component,
    CreditBureauRegistration,
    EntryKind,
    InstalmentPlan,
    LedgerEntry,
    LimitationEvent,
    PlanStatus,
    ReferenceRate,
)
from .rules import (
    ClaimForCosts,
    CollectionCharges,
    ComponentLimitation,
    Figure,
    JurisdictionProfile,
    MissingRate,
    RateTable,
    collection_charges,
    component_limitations,
    get_profile,
    interest_owed,
    interest_start,
    limitation_warning_date,
)
from .rules.credit_bureau import data_expiry

ZERO = Decimal("0.00")
OWED_COMPONENTS = (Component.COSTS, Component.INTEREST, Component.PRINCIPAL)


def case_list() -> QuerySet[Case]:
    """Cases visible in the active scope, with what a list shows."""
    return Case.objects.select_related("debtor", "creditor")


def case_counts() -> dict:
    """How many cases the active scope holds, in all and per creditor."""
    per_creditor = list(
        Case.objects.values("creditor__name").annotate(n=Count("pk")).order_by("creditor__name")
    )
    return {"total": sum(row["n"] for row in per_creditor), "per_creditor": per_creditor}


def case_by_reference(reference: str) -> Case:
    return case_list().get(number=int(reference))


# --- Profiles and rates -------------------------------------------------------------------


def profile_for(case: Case, on: date) -> JurisdictionProfile:
    return get_profile(case.creditor.jurisdiction, on)


def rate_table(jurisdiction: str) -> RateTable:
    rows = ReferenceRate.objects.filter(jurisdiction=jurisdiction).values_list(
        "valid_from", "rate", "verified"
    )
    return RateTable(list(rows))


# --- Balances -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """What a case owes per component, and any credit held for the debtor (a positive sum)."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    costs: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.costs


def case_balance(case: Case, *, on: date | None = None) -> Balance:
    """The sums of the case's ledger entries per component, as of a date (default: all)."""
    entries = LedgerEntry.objects.filter(case=case)
    if on is not None:
        entries = entries.filter(posted_on__lte=on)
    sums = {
        row["component"]: row["total"]
        for row in entries.values("component").annotate(total=Sum("amount")).order_by()
    }
    return Balance(
        principal=sums.get(Component.PRINCIPAL, ZERO),
        interest=sums.get(Component.INTEREST, ZERO),
        costs=sums.get(Component.COSTS, ZERO),
        credit=-sums.get(Component.CREDIT, ZERO),
    )


def component_balances(case: Case) -> dict[tuple[int | None, str], Decimal]:
    """Balance per (claim id or None for case-level entries, component)."""
    rows = (
        LedgerEntry.objects.filter(case=case)
        .values("claim_id", "component")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(row["claim_id"], row["component"]): row["total"] for row in rows}


def fee_reminder_dates(case: Case) -> list[date]:
    """Days of the case's fee-bearing reminders: ours with a fee, and the creditor's own."""
    ours = LedgerEntry.objects.filter(
        case=case, kind=EntryKind.REMINDER_FEE, reversed_by__isnull=True
    ).values_list("posted_on", flat=True)
    return sorted([*case.creditor_reminder_dates, *ours])


def plan_was_broken(case: Case) -> bool:
    """Whether any plan on the case was broken: then no further reminder fees (§ 9 b)."""
    return InstalmentPlan.objects.filter(case=case, status=PlanStatus.BROKEN).exists()


def active_plan(case: Case) -> InstalmentPlan | None:
    """The case's instalment plan in force, if any (at most one is active)."""
    return InstalmentPlan.objects.filter(case=case, status=PlanStatus.ACTIVE).first()


def reminders_sent(case: Case) -> list[date]:
    """Every reminder the debtor has had: the creditor's own and ours."""
    ours = Notice.objects.filter(case=case, kind=NoticeKind.REMINDER).values_list(
        "dated", flat=True
    )
    return sorted([*case.creditor_reminder_dates, *ours])


def case_collection_charges(case: Case, *, on: date) -> CollectionCharges:
    """What handing the case over on ``on`` adds: what the collection warning announces and
    what the handover charges, from one rules function. The collection costs are sized by
    each invoice's outstanding principal (the "fordring"), never by the balance with the
    reminder fees, handover fee or compensation on it; compensation is for each business
    invoice not compensated already."""
    balances = component_balances(case)
    claims = [
        ClaimForCosts(
            claim_id=claim.pk,
            principal=balances.get((claim.pk, Component.PRINCIPAL), ZERO),
            due_date=claim.due_date,
            debtor_is_consumer=claim.debtor_is_consumer,
        )
        for claim in Claim.objects.filter(case=case).order_by("due_date", "pk")
    ]
    compensated = LedgerEntry.objects.filter(
        case=case, kind=EntryKind.COMPENSATION, reversed_by__isnull=True
    ).values_list("claim_id", flat=True)
    return collection_charges(
        profile_for(case, on), claims=claims, compensated_claim_ids=list(compensated)
    )


# --- Allocation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationOrder:
    components: tuple[str, ...]
    source: str | Text  # the profile label, or the creditor's policy

    def describe(self, *, designated: Claim | None = None) -> Text:
        """How a payment was allocated, read in the reader's language."""
        components = Text.join(*(component_word(c) for c in self.components), separator=", ")
        text = Text(N_("order %(components)s per %(source)s"), components=components,
                    source=self.source)  # fmt: skip
        if designated is not None:
            text = Text(
                N_("debtor's designation of invoice %(invoice)s first, then %(order)s"),
                invoice=designated.invoice_number,
                order=text,
            )
        return text


# A balance's components as words in a sentence (lower case), e.g. "200.00 to principal".
COMPONENT_WORDS = {
    "principal": N_("principal"),
    "interest": N_("interest"),
    "costs": N_("costs"),
    "credit": N_("credit"),
}


def component_word(component: str) -> Text:
    return Text(COMPONENT_WORDS.get(str(component), str(component)))


def allocation_order(case: Case) -> AllocationOrder:
    """The creditor's chosen order, else the profile's default (costs, interest, principal)."""
    if case.creditor.allocation_order:
        return AllocationOrder(
            tuple(case.creditor.allocation_order.split(",")),
            Text(N_("creditor policy of %(name)s"), name=case.creditor.name),
        )
    profile = get_profile(case.creditor.jurisdiction, timezone.localdate())
    # Every profile in use gives an order (an incomplete one fails here, as before).
    return AllocationOrder(tuple(profile.allocation_order), profile.label)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AllocationTarget:
    claim: Claim | None
    component: str
    balance: Decimal


def allocation_targets(
    *, case: Case, order: AllocationOrder, designated_claim: Claim | None = None
) -> Iterator[AllocationTarget]:
    """Where a payment goes, in turn: the designated claim's components first (if any), then
    each component in order across the case-level entries and the claims oldest first."""
    balances = component_balances(case)
    claims = list(Claim.objects.filter(case=case).order_by("due_date", "invoice_date", "pk"))
    buckets: list[Claim | None] = [None, *claims]
    seen: set[tuple[int | None, str]] = set()

    def targets_for(bucket: Claim | None, component: str) -> Iterator[AllocationTarget]:
        key = (bucket.pk if bucket else None, component)
        balance = balances.get(key, ZERO)
        if key not in seen and balance > 0:
            seen.add(key)
            yield AllocationTarget(bucket, component, balance)

    if designated_claim is not None:
        for component in order.components:
            yield from targets_for(designated_claim, component)
    for component in order.components:
        for bucket in buckets:
            yield from targets_for(bucket, component)


# --- Interest -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InterestAccrual:
    claim: Claim
    start: date
    end: date
    figure: Figure


@dataclass(frozen=True)
class EntryRow:
    """A ledger entry as the sums and the interest accrual read it."""

    pk: int
    kind: str
    reverses_id: int | None
    claim_id: int | None
    component: str
    amount: Decimal
    posted_on: date
    period_end: date | None


def ledger_rows(case: Case) -> list[EntryRow]:
    """Every ledger entry of the case in one query (a case has a handful to some dozens)."""
    fields = ("pk", "kind", "reverses_id", "claim_id", "component", "amount", "posted_on",
              "period_end")  # fmt: skip
    rows = LedgerEntry.objects.filter(case=case).order_by("posted_on", "pk").values_list(*fields)
    return [EntryRow(*row) for row in rows]


def _principal_changes(entries: list[EntryRow]) -> dict[int, list[tuple[date, Decimal]]]:
    """Each claim's principal balance over time, from its principal entries."""
    per_day: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for entry in entries:
        if entry.component == Component.PRINCIPAL and entry.claim_id is not None:
            per_day[entry.claim_id][entry.posted_on] += entry.amount
    changes: dict[int, list[tuple[date, Decimal]]] = {}
    for claim_id, days in per_day.items():
        running, changes[claim_id] = ZERO, []
        for day in sorted(days):
            running += days[day]
            changes[claim_id].append((day, running))
    return changes


def _interest_posted_until(entries: list[EntryRow]) -> dict[int, date]:
    """Per claim, the last day of interest posted and not reversed."""
    reversed_ids = {entry.reverses_id for entry in entries if entry.reverses_id is not None}
    until: dict[int, date] = {}
    for entry in entries:
        if (
            entry.kind == EntryKind.INTEREST
            and entry.period_end is not None
            and entry.pk not in reversed_ids
            and entry.claim_id is not None
        ):
            until[entry.claim_id] = max(
                entry.period_end, until.get(entry.claim_id, entry.period_end)
            )
    return until


def interest_accruals(
    *,
    case: Case,
    up_to: date,
    claims: list[Claim] | None = None,
    entries: list[EntryRow] | None = None,
) -> list[InterestAccrual]:
    """Interest each claim has accrued and not yet had posted, through ``up_to``.

    Where a half-year's reference rate is missing the accrual stops the day before it.
    ``claims`` and ``entries`` (:func:`ledger_rows`) are the case's, when the caller has read
    them already. Nothing more is read unless some claim's interest runs (an agreed due date,
    or a demand sent).
    """
    profile = profile_for(case, up_to)
    if claims is None:
        claims = list(Claim.objects.filter(case=case))
    running = []
    for claim in sorted(claims, key=lambda c: (c.due_date, c.pk)):
        first_day = _interest_first_day(profile, claim)
        if first_day is not None:
            running.append((claim, first_day))
    if not running:
        return []
    rates = rate_table(case.creditor.jurisdiction)
    if entries is None:
        entries = ledger_rows(case)
    posted_until = _interest_posted_until(entries)
    changes = _principal_changes(entries)
    accruals = []
    for claim, first_day in running:
        last = posted_until.get(claim.pk)
        start = max(first_day, last + timedelta(days=1)) if last else first_day
        end = min(up_to, rates_known_until(rates, start, up_to))
        if start > end:
            continue
        figure = interest_owed(
            profile,
            rates=rates,
            principal_changes=changes.get(claim.pk, []),
            start=start,
            end=end,
            due_date=claim.due_date,
            agreed_rate=claim.agreed_interest_rate,
            consumer=claim.debtor_is_consumer,
            agreed_day_count=case.creditor.interest_day_count or None,
        )
        accruals.append(InterestAccrual(claim=claim, start=start, end=end, figure=figure))
    return accruals


def _interest_first_day(profile: JurisdictionProfile, claim: Claim) -> date | None:
    if not claim.due_date_agreed and claim.demand_sent_on is None:
        return None  # no agreed due date and no demand yet: no interest runs
    figure = interest_start(
        profile,
        due_date=claim.due_date,
        due_date_agreed=claim.due_date_agreed,
        demand_sent_on=claim.demand_sent_on,
    )
    return figure.dates[0]


def rates_known_until(rates: RateTable, start: date, end: date) -> date:
    """The last day from ``start`` through ``end`` whose half-year has a known rate."""
    try:
        rates.rate_on(start)
    except MissingRate:
        return start - timedelta(days=1)
    for boundary in rates.boundaries_between(start, end):
        try:
            rates.rate_on(boundary)
        except MissingRate:
            return boundary - timedelta(days=1)
    return end


# --- Limitation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLimitation:
    """A claim's limitation: ``figure`` is the claim's own (its principal), ``components``
    each part's, when a settlement or judgment gave the claim longer than later charges."""

    claim: Claim
    figure: Figure
    warn_on: date
    components: tuple[ComponentLimitation, ...] = ()

    @property
    def time_barred_from(self) -> date:
        return self.figure.dates[0] + timedelta(days=1)


def claim_limitations(case: Case, *, on: date) -> list[ClaimLimitation]:
    """Each claim's limitation date with what interrupted it, and when to warn."""
    profile = profile_for(case, on)
    events: dict[int, list[tuple[date, str]]] = defaultdict(list)
    ten_year: dict[int, date] = {}
    payment_days = (
        LedgerEntry.objects.filter(
            case=case, kind=EntryKind.PAYMENT, claim__isnull=False, reversed_by__isnull=True
        )
        .values_list("claim_id", "posted_on")
        .order_by()
        .distinct()
    )
    for claim_id, day in payment_days:
        events[claim_id].append((day, "payment"))
    for event in LimitationEvent.objects.filter(claim__case=case):
        if event.kind in (LimitationEvent.Kind.SETTLEMENT, LimitationEvent.Kind.JUDGMENT):
            ten_year[event.claim_id] = max(
                event.occurred_on, ten_year.get(event.claim_id, event.occurred_on)
            )
        else:
            events[event.claim_id].append((event.occurred_on, event.kind))
    result = []
    for claim in Claim.objects.filter(case=case).order_by("due_date", "pk"):
        components = component_limitations(
            profile,
            claim_due=claim.due_date,
            events=sorted(events[claim.pk]),
            ten_year_basis=ten_year.get(claim.pk),
        )
        figure = components[0].figure
        result.append(
            ClaimLimitation(
                claim=claim,
                figure=figure,
                warn_on=limitation_warning_date(profile, figure.dates[0]),
                components=tuple(components),
            )
        )
    return result


# --- The statement: everything explained --------------------------------------------------


@dataclass
class Statement:
    """A case's balance as of a date, each figure with its explanation."""

    case: Case
    on: date
    profile: JurisdictionProfile
    posted: Balance
    entries: list[LedgerEntry]
    accruals: list[InterestAccrual]
    limitations: list[ClaimLimitation]
    missing_rates_from: date | None = None
    notes: list[str | Text] = field(default_factory=list)  # read in the reader's language

    @property
    def accrued_interest(self) -> Decimal:
        return sum((a.figure.amount for a in self.accruals), ZERO)

    @property
    def total(self) -> Decimal:
        return self.posted.total + self.accrued_interest - self.posted.credit


def case_statement(case: Case, *, on: date) -> Statement:
    entries = list(
        LedgerEntry.objects.filter(case=case, posted_on__lte=on)
        .select_related("claim")
        .order_by("posted_on", "pk")
    )
    accruals = interest_accruals(case=case, up_to=on)
    statement = Statement(
        case=case,
        on=on,
        profile=profile_for(case, on),
        posted=case_balance(case, on=on),
        entries=entries,
        accruals=accruals,
        limitations=claim_limitations(case, on=on),
    )
    rates = rate_table(case.creditor.jurisdiction)
    for accrual in accruals:
        if accrual.end < on:
            statement.missing_rates_from = accrual.end + timedelta(days=1)
    if statement.missing_rates_from is None:
        try:
            rates.rate_on(on)
        except MissingRate as missing:
            statement.missing_rates_from = missing.half_year
    if statement.missing_rates_from:
        # Words for every reader; the page adds how to fix it for those who can (the
        # agency's staff: the reference rates are theirs to record).
        statement.notes.append(
            Text(
                N_("No reference rate is recorded for the half-year from %(day)s: interest is "
                   "shown up to the day before."),
                day=statement.missing_rates_from,
            )
        )  # fmt: skip
    return statement


def credit_bureau_warning_facts(*, case: Case, notice: Notice) -> dict:
    """What the warning letter says: the bureau, from when, and when the data goes at the
    latest. A preview (no registration yet) shows the profile's first bureau."""
    profile = profile_for(case, notice.dated)
    registration = None
    if notice.pk is not None:
        registration = CreditBureauRegistration.objects.filter(warning_notice=notice).first()
    if registration is None:
        registration = (
            CreditBureauRegistration.objects.filter(
                case=case, status__in=ACTIVE_REGISTRATION_STATUSES
            )
            .order_by("-pk")
            .first()
        )
    if registration is not None:
        bureau = profile.credit_bureau(registration.bureau)
        register = registration.register
    else:
        bureau = profile.need(profile.credit_bureaus, "credit_bureaus")[0]
        register = ""
    eligible_from = notice.dated + timedelta(days=profile.credit_bureau_warning_days)  # type: ignore[arg-type]
    oldest = (
        Claim.objects.filter(case=case).order_by("due_date").values_list("due_date", flat=True)[:1]
    )
    return {
        "bureau_name": bureau.name,
        "closed_register": register == "closed",
        "warning_days": profile.credit_bureau_warning_days,
        "eligible_from": eligible_from,
        "pay_by": eligible_from - timedelta(days=1),
        "data_years": profile.credit_bureau_data_max_years,
        "data_expires_on": data_expiry(profile, oldest[0]) if oldest else None,
        "rule": profile.cite("credit_bureau"),
    }
