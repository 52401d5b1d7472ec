"""The supervisor's board: the queue by reason and by age, the items per agent, each agent's
actions per day, promises made and kept, and the money paid after an agent's contact or
promise. Every figure is one aggregate query, so the board costs the same number of queries
however many items, agents and days there are.

"Collected after" credits a payment to the agent whose contact or promise on the case came
last within ``ATTRIBUTION_DAYS`` before the payment (one agent per payment, never two).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from creditors.agency import AgencyRole

from .models import ApprovalRequest as Approval
from .models import (
    ApprovalStatus,
    CaseEvent,
    ContactLog,
    Payment,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
)

ATTRIBUTION_DAYS = 14
# The codes on the timeline that are an agent's contact with the debtor or a promise taken.
TOUCH_CODES = ("case.contact_logged", "case.promise_recorded")
# Age of an open item since it was raised: (key, lower bound in days, upper bound or None).
AGE_BUCKETS = (("today", 0, 1), ("week", 1, 8), ("month", 8, 31), ("older", 31, None))


def _local() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def agency_staff() -> QuerySet:
    """Everyone who may hold work items: agents, supervisors and administrators."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=AgencyRole.values) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _staff_ids():
    """A subquery of the agency's people: a creditor's user acting on its own case (a
    withdrawal, a promise taken on the case page) is not on the agency's board."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=AgencyRole.values) | Q(is_superuser=True))
        .values("pk")
    )


@dataclass
class AgentRow:
    user_id: int | None
    name: str
    open: int = 0
    held: int = 0
    contacts: dict[date, int] = field(default_factory=dict)
    events: dict[date, int] = field(default_factory=dict)
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    collected: Decimal = Decimal("0.00")
    payments: int = 0

    daily: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Board:
    since: date
    today: date
    days: list[date]
    by_reason: list[tuple[str, str, int]]
    by_age: dict[str, int]
    open_total: int
    unassigned: int
    agents: list[AgentRow]
    pending_approvals: int


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def board(*, days: int = 7, now: datetime | None = None) -> Board:
    """The board over the last ``days`` days (today included), in the current scope."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = today - timedelta(days=days - 1)
    tz = _local()
    open_items = WorkItem.objects.filter(status=WorkItemStatus.OPEN)

    labels = dict(WorkItemReason.choices)
    by_reason = [
        (row["reason"], str(labels.get(row["reason"], row["reason"])), row["n"])
        for row in open_items.values("reason").annotate(n=Count("pk")).order_by("-n", "reason")
    ]

    age_filters = {}
    for key, low, high in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - timedelta(days=high))
        age_filters[key] = Count("pk", filter=condition)
    by_age = open_items.aggregate(
        total=Count("pk"), unassigned=Count("pk", filter=Q(assignee__isnull=True)), **age_filters
    )

    rows: dict[int | None, AgentRow] = {}

    def row(user_id: int | None) -> AgentRow:
        if user_id not in rows:
            rows[user_id] = AgentRow(user_id=user_id, name="")
        return rows[user_id]

    for entry in (
        open_items.filter(assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(entry["assignee"]).open = entry["n"]
    for held in (
        open_items.filter(leased_by__isnull=False, leased_until__gt=now)
        .values("leased_by")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(held["leased_by"]).held = held["n"]

    for contact in (
        ContactLog.objects.annotate(day=TruncDate("created_at", tzinfo=tz))
        .filter(day__gte=since, day__lte=today)
        .values("user", "day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(contact["user"]).contacts[contact["day"]] = contact["n"]
    for event in (
        CaseEvent.objects.filter(actor__in=_staff_ids())
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .filter(day__gte=since, day__lte=today)
        .values("actor", "day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(event["actor"]).events[event["day"]] = event["n"]

    # The agent who took each promise: its timeline event names the promise.
    taker = (
        CaseEvent.objects.filter(
            case=OuterRef("case"), code="case.promise_recorded", actor__in=_staff_ids()
        )
        .annotate(promise=Cast(KT("data__promise"), BigIntegerField()))
        .filter(promise=OuterRef("pk"))
        .values("actor")[:1]
    )
    for promise in (
        PromiseToPay.objects.filter(promised_on__gte=since, promised_on__lte=today)
        .annotate(agent=Subquery(taker))
        .filter(agent__isnull=False)
        .values("agent")
        .annotate(
            n_made=Count("pk"),
            n_kept=Count("pk", filter=Q(kept=True)),
            n_broken=Count("pk", filter=Q(kept=False)),
        )
        .order_by()
    ):
        agent_row = row(promise["agent"])
        agent_row.promises_made = promise["n_made"]
        agent_row.promises_kept = promise["n_kept"]
        agent_row.promises_broken = promise["n_broken"]

    # The last contact or promise on the case within the attribution window before the payment.
    last_touch = (
        CaseEvent.objects.filter(case=OuterRef("case"), code__in=TOUCH_CODES, actor__isnull=False)
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .filter(day__lte=OuterRef("received_on"), day__gte=OuterRef("window_start"))
        .order_by("-occurred_at", "-pk")
        .values("actor")[:1]
    )
    for paid in (
        Payment.objects.filter(
            reversed_at__isnull=True, received_on__gte=since, received_on__lte=today
        )
        .annotate(
            window_start=ExpressionWrapper(
                F("received_on") - timedelta(days=ATTRIBUTION_DAYS), output_field=DateField()
            )
        )
        .annotate(agent=Subquery(last_touch))
        .filter(agent__isnull=False)
        .values("agent")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    ):
        agent_row = row(paid["agent"])
        agent_row.collected = paid["total"]
        agent_row.payments = paid["n"]

    # Every agency member is on the board, also one with nothing to show, and anyone no
    # longer in an agency group who still holds items or acted in the period (one query).
    people = (
        get_user_model()
        .objects.filter(
            Q(pk__in=[uid for uid in rows if uid is not None])
            | Q(is_active=True, groups__name__in=AgencyRole.values)
        )
        .distinct()
    )
    for user in people:
        row(user.pk).name = _name(user)
    agents = sorted(rows.values(), key=lambda r: r.name.lower())
    period = [since + timedelta(days=n) for n in range(days)]
    for agent in agents:
        agent.daily = [(agent.events.get(d, 0), agent.contacts.get(d, 0)) for d in period]

    return Board(
        since=since,
        today=today,
        days=period,
        by_reason=by_reason,
        by_age={key: by_age[key] for key, _low, _high in AGE_BUCKETS},
        open_total=by_age["total"],
        unassigned=by_age["unassigned"],
        agents=agents,
        pending_approvals=Approval.objects.filter(status=ApprovalStatus.PENDING).count(),
    )
