"""The dashboard's figures: what a creditor (or the agency, across creditors) handed over, what
is outstanding, what was recovered and how the cases stand.

Every figure is an aggregate computed by PostgreSQL over the active tenant scope: a handful of
queries whatever the number of cases, never a loop over cases in Python. Amounts are in DKK:
cases in another currency are counted, but their amounts are not added to Danish kroner (the
``other_currency_cases`` figure says how many were left out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from .models import (
    ACTIVE_STATES,
    OPEN_PLAN_STATUSES,
    CaseFigures,
    CaseMessage,
    CaseState,
    Component,
    Dispute,
    InstalmentPlan,
    MessageSide,
    Payment,
    PromiseToPay,
)

ZERO = Decimal("0.00")
DASHBOARD_CURRENCY = "DKK"

# Days past the oldest invoice's due date, for the aging buckets: (key, first day, last day).
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)
FLAGS = ("paused", "disputed", "plan", "promise", "legal")


# --- Flags as SQL: shared with the case list, so a dashboard count and the list it opens agree.


def _open_disputes():
    return Dispute.objects.filter(resolved_at__isnull=True)


def _open_plans():
    return InstalmentPlan.objects.filter(status__in=OPEN_PLAN_STATUSES)


def _open_promises(today: date):
    return PromiseToPay.objects.filter(kept__isnull=True, pay_by__gte=today)


def open_dispute_exists() -> Exists:
    return Exists(_open_disputes().filter(case=OuterRef("pk")))


def open_plan_exists() -> Exists:
    return Exists(_open_plans().filter(case=OuterRef("pk")))


def open_promise_exists(today: date) -> Exists:
    return Exists(_open_promises(today).filter(case=OuterRef("pk")))


def flag_q(flag: str, today: date) -> Q:
    """The cases that carry ``flag`` (paused, disputed, plan, promise, legal) today. The
    conditions are expressions of their own (no annotation needed), so an aggregate can
    count them and a list can filter by them."""
    if flag == "paused":
        return Q(paused_until__gte=today) & ~Q(state=CaseState.CLOSED)
    if flag == "disputed":
        return Q(open_dispute_exists())
    if flag == "plan":
        return Q(open_plan_exists())
    if flag == "promise":
        return Q(open_promise_exists(today))
    if flag == "legal":
        return Q(state=CaseState.LEGAL)
    raise ValueError(flag)


def with_flags(cases, today: date):
    """Annotate the flags that live in other tables (one EXISTS each), for a row to show."""
    return cases.annotate(
        flag_disputed=open_dispute_exists(),
        flag_plan=open_plan_exists(),
        flag_promise=open_promise_exists(today),
    )


def aging_q(key: str, today: date, *, oldest: str = "figures__oldest_due") -> Q:
    """Open cases whose oldest invoice is ``key``'s number of days past due: some invoice
    due at least ``first`` days ago, and none due more than ``last`` days ago (the case's
    stored oldest due date, ``CaseFigures``; ``oldest`` names it from the model queried)."""
    for bucket, first, last in AGING_BUCKETS:
        if bucket == key:
            q = Q(**{f"{oldest}__lte": today - timedelta(days=first)})
            if last is not None:
                q &= Q(**{f"{oldest}__gte": today - timedelta(days=last)})
            return q & Q(state__in=ACTIVE_STATES)
    raise ValueError(key)


# --- The dashboard ---------------------------------------------------------------------


@dataclass
class MonthRow:
    month: date
    handed_over: Decimal
    collected: Decimal


@dataclass
class Dashboard:
    today: date
    cases_total: int = 0
    cases_open: int = 0
    handed_over: Decimal = ZERO
    outstanding: dict[str, Decimal] = field(default_factory=dict)
    credit: Decimal = ZERO
    recovered_month: Decimal = ZERO
    recovered_year: Decimal = ZERO
    recovered_all: Decimal = ZERO
    by_stage: list[tuple[str, str, int]] = field(default_factory=list)
    by_flag: dict[str, int] = field(default_factory=dict)
    aging: list[tuple[str, int]] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)
    average_days_to_payment: int | None = None
    open_disputes: list = field(default_factory=list)
    open_disputes_count: int = 0
    # Messages on cases that the reader's side has not read yet, newest first.
    unread_messages: list = field(default_factory=list)
    unread_messages_count: int = 0
    unread_from: str = "agency"
    per_creditor: list[dict] = field(default_factory=list)
    other_currency_cases: int = 0

    @property
    def outstanding_total(self) -> Decimal:
        return sum(self.outstanding.values(), ZERO)

    @property
    def recovery_rate(self) -> Decimal | None:
        """What was recovered for every krone handed over (principal)."""
        if not self.handed_over:
            return None
        return self.recovered_all / self.handed_over


def same_creditor(rows):
    """``rows`` (claims, ledger entries, payments) joined to their case, told that the case
    is the same creditor's (it always is): the scope's creditor filter on the rows then
    reaches the cases too (PostgreSQL carries the equality over), so the join reads that
    creditor's cases by index instead of every case of every creditor (bench/portal.py
    --million)."""
    return rows.filter(case__creditor=F("creditor"))


def _months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def dashboard(
    *, today: date | None = None, per_creditor: bool = False, unread_from: str = "agency"
) -> Dashboard:
    """The dashboard of the active scope (one creditor's, or the agency's across creditors)."""
    today = today or timezone.localdate()
    board = Dashboard(today=today)
    dkk = Q(currency=DASHBOARD_CURRENCY)

    # 1. Cases, per stage, flag and age, and their money (handed over per month of handover,
    # outstanding per component): one scan of the cases' stored figures (``CaseFigures``,
    # which carry each case's state, currency, handover and pause too), the flags kept in
    # other tables as sets of case ids read once. Summed from the ledger and the claims on
    # each view, the same figures took 3-4 times as long at 100,000 cases, and joined to the
    # cases twice as long (bench/portal.py). The flags and ages count the same cases as
    # flag_q and aging_q, by which the case list filters (a figures row's primary key is its
    # case's, and its state and pause are the case's).
    months = _months_back(today, 12)
    month_ends = [*months[1:], (months[-1] + timedelta(days=32)).replace(day=1)]

    def money(column: str) -> Coalesce:
        # Amounts are Danish kroner: cases in another currency are counted, never added.
        return Coalesce(Sum(column, filter=dkk), ZERO)

    # Grouped by stage and month of handover (a hundred-odd groups, hashed): the stage
    # counts and the month series are the groups' keys, so each case feeds 16 aggregates
    # rather than the 40 that one row of filtered aggregates needed.
    groups = (
        CaseFigures.objects.values("state", "handed_over_month")
        .annotate(
            total=Count("pk"),
            other_currency=Count("pk", filter=~dkk),
            flag_paused=Count("pk", filter=flag_q("paused", today)),
            # Not correlated: PostgreSQL reads each table once into a hash, then probes it.
            flag_disputed=Count("pk", filter=Q(pk__in=_open_disputes().values("case"))),
            flag_plan=Count("pk", filter=Q(pk__in=_open_plans().values("case"))),
            flag_promise=Count("pk", filter=Q(pk__in=_open_promises(today).values("case"))),
            **{
                f"aging_{b}": Count("pk", filter=aging_q(b, today, oldest="oldest_due"))
                for b, _f, _l in AGING_BUCKETS
            },
            handed=money("original_principal"),
            **{f"owed_{c}": money(c) for c in ("principal", "interest", "costs", "credit")},
        )
        .order_by()
    )
    row: defaultdict[str, Any] = defaultdict(int)
    handed_months: defaultdict[date, Decimal] = defaultdict(lambda: ZERO)
    for group in groups:
        state, month = group.pop("state"), group.pop("handed_over_month")
        for key, value in group.items():
            row[key] += value
        row[f"stage_{state}"] += group["total"]
        handed_months[month] += group["handed"]
    board.cases_total = row["total"]
    board.other_currency_cases = row["other_currency"]
    board.by_stage = [(s.value, s.label, row[f"stage_{s.value}"]) for s in CaseState]
    board.cases_open = board.cases_total - row[f"stage_{CaseState.CLOSED}"]
    row["flag_legal"] = row[f"stage_{CaseState.LEGAL}"]  # flag_q("legal") is the stage
    board.by_flag = {f: row[f"flag_{f}"] for f in FLAGS}
    board.aging = [(b, row[f"aging_{b}"]) for b, _f, _l in AGING_BUCKETS]
    board.handed_over = row["handed"] or ZERO
    board.outstanding = {
        c.value: row[f"owed_{c.value}"] or ZERO
        for c in (Component.PRINCIPAL, Component.INTEREST, Component.COSTS)
    }
    board.credit = row["owed_credit"] or ZERO

    # 2. Recovered: this month, this year, all time, per month, and the days to payment.
    payments = same_creditor(
        Payment.objects.filter(reversed_at__isnull=True, case__currency=DASHBOARD_CURRENCY)
    )
    paid = payments.aggregate(
        # The month series in the same scan of the payments as the totals.
        **{
            f"m{n}": Coalesce(
                Sum("amount", filter=Q(received_on__gte=start, received_on__lt=end)), ZERO
            )
            for n, (start, end) in enumerate(zip(months, month_ends, strict=True))
        },
        all=Coalesce(Sum("amount"), ZERO),
        year=Coalesce(
            Sum("amount", filter=Q(received_on__gte=today.replace(month=1, day=1))), ZERO
        ),
        month=Coalesce(Sum("amount", filter=Q(received_on__gte=today.replace(day=1))), ZERO),
        # Handover is the filing; a payment dated before it (made to the creditor before the
        # case was handed over) says nothing about how fast collection works.
        days=Avg(
            F("received_on") - Cast("case__created_at", output_field=DateField()),
            filter=Q(received_on__gte=Cast("case__created_at", output_field=DateField())),
        ),
    )
    board.recovered_all, board.recovered_year = paid["all"], paid["year"]
    board.recovered_month = paid["month"]
    board.average_days_to_payment = _days(paid["days"])
    board.months = [MonthRow(m, handed_months[m], paid[f"m{n}"]) for n, m in enumerate(months)]

    # 3. Needs your attention: the open disputes, oldest first.
    disputes = Dispute.objects.filter(resolved_at__isnull=True)
    board.open_disputes_count = disputes.count()
    board.open_disputes = list(
        disputes.select_related("case", "case__debtor", "case__creditor").order_by(
            "opened_on", "pk"
        )[:10]
    )

    # 4. Needs your attention: messages the reader's side has not read (a creditor's users:
    # from the agency; agency staff: from the creditors).
    if unread_from == MessageSide.AGENCY:
        unread = CaseMessage.objects.filter(
            side=MessageSide.AGENCY, read_by_creditor_at__isnull=True
        )
    else:
        unread = CaseMessage.objects.filter(
            side=MessageSide.CREDITOR, read_by_agency_at__isnull=True
        )
    board.unread_from = unread_from
    board.unread_messages_count = unread.count()
    board.unread_messages = list(
        unread.select_related("case", "case__debtor", "case__creditor").order_by(
            "-created_at", "-pk"
        )[:10]
    )

    if per_creditor:
        board.per_creditor = _per_creditor(today)
    return board


def _days(value) -> int | None:
    """PostgreSQL's date minus date is whole days; averaged it may come back as an interval."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400)
    return round(value)


def _per_creditor(today: date) -> list[dict]:
    """One row per creditor (agency staff across creditors): cases, open cases, handed over,
    outstanding and recovered: one grouped scan of the cases' stored figures, one of the
    payments."""
    dkk = Q(currency=DASHBOARD_CURRENCY)
    rows = list(
        CaseFigures.objects.values("creditor", "creditor__name")
        .annotate(
            cases=Count("pk"),
            open=Count("pk", filter=Q(state__in=ACTIVE_STATES)),
            handed_over=Coalesce(Sum("original_principal", filter=dkk), ZERO),
            outstanding=Coalesce(Sum("balance", filter=dkk), ZERO),
        )
        .order_by("creditor__name")
    )
    paid = {
        r["creditor"]: r["s"]
        for r in Payment.objects.filter(reversed_at__isnull=True, case__currency="DKK")
        .values("creditor")
        .annotate(s=Sum("amount"))
        .order_by()
    }
    for r in rows:
        r["recovered"] = paid.get(r["creditor"], ZERO)
        r["rate"] = r["recovered"] / r["handed_over"] if r["handed_over"] else None
    return rows


def chart_data(board: Dashboard) -> dict:
    """The month chart's series for Chart.js (``json_script``): labels in the page's
    language, amounts as numbers, and for each month the case lists its bars open."""
    from django.urls import reverse
    from django.utils.formats import date_format

    cases = reverse("case_list")
    labels, handed, collected, handed_links, collected_links = [], [], [], [], []
    for row in board.months:
        last = (row.month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        span = f"{row.month.isoformat()}&{{}}_to={last.isoformat()}"
        labels.append(date_format(row.month, "M Y"))
        handed.append(float(row.handed_over))
        collected.append(float(row.collected))
        handed_links.append(f"{cases}?handed_from={span.format('handed')}")
        collected_links.append(f"{cases}?paid_from={span.format('paid')}")
    return {
        "labels": labels,
        "handed_over": handed,
        "collected": collected,
        "links": [handed_links, collected_links],
    }
