"""The agent workspace's writes: raising scored work items, "next case" with a lease, and the
agent's actions on a case (contact log, callback, closing an item), each on the timeline with
the agent's name.

The priority score is the sum of explained factors, each scaled to 0..1 and multiplied by the
supervisor's weight (``WorkScoreWeights``); the factors are stored on the item so the queue
shows why it ranks where it does. Scores are computed when the item is raised (and again for the
case's open items when a contact is logged), not per page view: the queue stays a plain
indexed read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from cases import selectors
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    Claim,
    ContactChannel,
    ContactDirection,
    ContactLog,
    ContactOutcome,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
    WorkScoreWeights,
)
from cases.timeline import event_record
from collections_portal.texts import Text

from .errors import CaseError
from .work_items import work_item_close, work_item_open

LEASE = timedelta(minutes=15)
# Where each factor reaches its full weight.
BALANCE_FULL = Decimal(50_000)
DAYS_PAST_DUE_FULL = 365
LIMITATION_HORIZON_DAYS = 365  # longer than any warning lead (DK: 6 months)
LAST_CONTACT_FULL_DAYS = 30
STAGE_SHARE = {
    CaseState.LEGAL: 1.0,
    CaseState.COLLECTION: 0.8,
    CaseState.WARNING: 0.5,
    CaseState.MONITORING: 0.3,
    CaseState.REMINDER: 0.2,
}


def _limitation_date(case: Case) -> date | None:
    dates = [
        date.fromisoformat(data["limitation_date"])
        for data in CaseEvent.objects.filter(
            case=case, code="claim.limitation_approaching"
        ).values_list("data", flat=True)
        if data.get("limitation_date")
    ]
    return min(dates) if dates else None


def score(
    case: Case, *, today: date | None = None, limitation_date: date | None = None
) -> tuple[int, dict]:
    """The case's priority and its factors: ``{factor: {"value", "share", "points"}}``."""
    today = today or timezone.localdate()
    weights = WorkScoreWeights.current()
    balance = selectors.case_balance(case).total
    oldest_due = (
        Claim.objects.filter(case=case).order_by("due_date").values_list("due_date", flat=True)
    ).first()
    days_past_due = max((today - oldest_due).days, 0) if oldest_due else 0
    limitation_date = limitation_date or _limitation_date(case)
    days_to_limitation = (limitation_date - today).days if limitation_date else None
    promise_due = PromiseToPay.objects.filter(case=case, kept__isnull=True, pay_by=today).exists()
    last = ContactLog.objects.filter(case=case).order_by("-created_at").first()
    days_since_contact = (today - timezone.localdate(last.created_at)).days if last else None
    shares = {
        "balance": (str(balance), min(max(balance, Decimal(0)) / BALANCE_FULL, Decimal(1))),
        "days_past_due": (days_past_due, min(days_past_due / DAYS_PAST_DUE_FULL, 1.0)),
        "stage": (case.state, STAGE_SHARE.get(case.state, 0.0)),
        "limitation": (
            limitation_date.isoformat() if limitation_date else None,
            0.0
            if days_to_limitation is None
            else max(0.0, 1 - max(days_to_limitation, 0) / LIMITATION_HORIZON_DAYS),
        ),
        "promise_due": (promise_due, 1.0 if promise_due else 0.0),
        # Never contacted counts in full; a contact today not at all.
        "last_contact": (
            days_since_contact,
            1.0
            if days_since_contact is None
            else min(days_since_contact / LAST_CONTACT_FULL_DAYS, 1.0),
        ),
    }
    factors = {}
    total = 0
    for name in WorkScoreWeights.FIELDS:
        value, share = shares[name]
        points = round(float(share) * getattr(weights, name))
        total += points
        factors[name] = {"value": value, "share": round(float(share), 3), "points": points}
    return total, factors


def work_item_raise(
    *,
    case: Case,
    reason: WorkItemReason | str,
    due_at: datetime | None = None,
    limitation_date: date | None = None,
    assignee: AbstractBaseUser | None = None,
) -> WorkItem:
    """Open the case's item of ``reason`` (once: an open one is returned as it is), scored."""
    existing = WorkItem.objects.filter(case=case, reason=reason, status=WorkItemStatus.OPEN)
    item = existing.first()
    if item is not None:
        return item
    priority, factors = score(case, limitation_date=limitation_date)
    item = work_item_open(
        case=case,
        reason=reason,
        due_at=due_at or timezone.now(),
        priority=priority,
        factors=factors,
    )
    if assignee is not None and item.assignee_id is None:
        WorkItem.objects.filter(pk=item.pk).update(assignee=assignee)
        item.assignee = assignee
    return item


def work_item_rescore(item: WorkItem) -> WorkItem:
    item.priority, item.factors = score(item.case)
    item.save(update_fields=["priority", "factors"])
    return item


def _claimable(user: AbstractBaseUser, now: datetime):
    return (
        WorkItem.objects.filter(status=WorkItemStatus.OPEN, due_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now) | Q(leased_by=user))
        .filter(Q(assignee__isnull=True) | Q(assignee=user))
    )


@transaction.atomic
def work_next(
    *,
    user: AbstractBaseUser,
    now: datetime | None = None,
    skip: WorkItem | None = None,
    creditor_ids: Iterable[int] | None = None,
) -> WorkItem | None:
    """Lease the highest-ranked item nobody holds to ``user``.

    ``FOR UPDATE SKIP LOCKED``: agents pressing "next" at once each lock a different row
    (a row another transaction is claiming is skipped, not waited for), and the lease makes
    the claim outlive the transaction. An agent's own unexpired lease is returned first, so
    "next" twice does not hoard items; ``skip`` (an item just skipped) is passed over.
    ``creditor_ids`` keeps the claim to those creditors' items (the API: the creditors the
    agent may act for, or the one it asks for).
    """
    now = now or timezone.now()
    held = WorkItem.objects.filter(
        status=WorkItemStatus.OPEN, leased_by=user, leased_until__gte=now
    ).order_by("-priority", "due_at", "pk")
    candidates = _claimable(user, now)
    if skip is not None:
        held = held.exclude(pk=skip.pk)
        candidates = candidates.exclude(pk=skip.pk)
    if creditor_ids is not None:
        creditor_ids = list(creditor_ids)
        held = held.filter(creditor_id__in=creditor_ids)
        candidates = candidates.filter(creditor_id__in=creditor_ids)
    if (mine := held.first()) is not None:
        return mine
    if len(connection.atomic_blocks) == 1:
        # This claim is its own transaction: commit it without waiting for the WAL flush.
        # A lease is a soft claim that expires by itself; a server crash in the next fraction
        # of a second can only return the item to the queue, never give it to two agents
        # while the server runs (the row lock and SKIP LOCKED do that). Measured in
        # bench/queue.py: the flush was most of a press. Inside a caller's transaction
        # (which may hold writes that must be durable) the setting is left alone.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    # Pick and lease in one statement (one round trip, no read-then-save): the row is chosen
    # and locked by the ORM's own query, the UPDATE around it takes the lease.
    pick = (
        candidates.order_by("-priority", "due_at", "pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values("pk")[:1]
    )
    try:
        pick_sql, pick_params = pick.query.sql_with_params()
    except EmptyResultSet:  # e.g. no creditor to claim for: nothing can match
        return None
    table = connection.ops.quote_name(WorkItem._meta.db_table)
    claimed = list(
        WorkItem.objects.raw(
            f"UPDATE {table} SET leased_by_id = %s, leased_until = %s "  # noqa: S608 - the ORM's SQL
            f"WHERE id IN ({pick_sql}) RETURNING *",
            [user.pk, now + LEASE, *pick_params],
        )
    )
    return claimed[0] if claimed else None


@transaction.atomic
def work_item_release(*, item: WorkItem, user: AbstractBaseUser) -> None:
    """Give the lease back (skip): the item goes back to the queue for anyone."""
    WorkItem.objects.filter(pk=item.pk, leased_by=user).update(leased_by=None, leased_until=None)


def _agent(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def work_item_done(*, item: WorkItem, user: AbstractBaseUser, outcome: str = "") -> WorkItem:
    """The agent closes the item (the lease goes with it), on the case's timeline."""
    item = work_item_close(item=item, user=user, outcome=outcome)
    event_record(
        case=item.case,
        code="work.item_closed",
        actor=user,
        from_state=item.case.state,
        message=Text(
            N_("%(agent)s: %(reason)s. %(outcome)s"),
            agent=_agent(user),
            reason=WorkItemReason(item.reason).label,
            outcome=outcome,
        ),
        data={"work_item": item.pk, "reason": item.reason},
    )
    return item


@transaction.atomic
def contact_log(
    *,
    case: Case,
    user: AbstractBaseUser,
    channel: ContactChannel | str,
    direction: ContactDirection | str,
    outcome: ContactOutcome | str,
    note: str = "",
) -> ContactLog:
    """Log a contact with the debtor (or an attempt); a debtor reached settles "new in
    collection, no contact yet"."""
    for field, value, choices in (
        ("channel", channel, ContactChannel),
        ("direction", direction, ContactDirection),
        ("outcome", outcome, ContactOutcome),
    ):
        if value not in choices.values:
            raise ValidationError({field: _("Choose a value from the list.")})
    entry = ContactLog.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        channel=channel,
        direction=direction,
        outcome=outcome,
        note=note.strip(),
        user=user,
    )
    event_record(
        case=case,
        code="case.contact_logged",
        actor=user,
        from_state=case.state,
        message=Text(
            N_("%(agent)s: %(channel)s, %(direction)s, %(outcome)s. %(note)s"),
            agent=_agent(user),
            channel=ContactChannel(entry.channel).label,
            direction=ContactDirection(entry.direction).label,
            outcome=ContactOutcome(entry.outcome).label,
            note=entry.note,
        ),
        data={"contact": entry.pk, "channel": channel, "outcome": outcome},
    )
    if outcome == ContactOutcome.REACHED:
        item = WorkItem.objects.filter(
            case=case, reason=WorkItemReason.NEW_IN_COLLECTION, status=WorkItemStatus.OPEN
        ).first()
        if item is not None:
            work_item_close(item=item, user=user, outcome="Debtor reached.")
    # The last contact is one of the factors: the case's other open items rank anew.
    for item in WorkItem.objects.filter(case=case, status=WorkItemStatus.OPEN):
        work_item_rescore(item)
    return entry


@transaction.atomic
def callback_set(*, case: Case, user: AbstractBaseUser, at: datetime, note: str = "") -> WorkItem:
    """A callback at a date and time: a work item for this agent, due then."""
    if at <= timezone.now():
        raise ValidationError({"at": _("A callback is set for a time in the future.")})
    if case.state == CaseState.CLOSED:
        raise CaseError(_("Case %(case)s is closed.") % {"case": case.reference})
    existing = WorkItem.objects.filter(
        case=case, reason=WorkItemReason.CALLBACK, status=WorkItemStatus.OPEN
    ).first()
    if existing is not None:
        # One open callback per case: a new time replaces the old one.
        existing.due_at = at
        existing.assignee = user
        existing.save(update_fields=["due_at", "assignee"])
        item = existing
    else:
        item = work_item_raise(case=case, reason=WorkItemReason.CALLBACK, due_at=at, assignee=user)
    event_record(
        case=case,
        code="case.callback_set",
        actor=user,
        from_state=case.state,
        message=Text(
            N_("%(agent)s: %(at)s. %(note)s"),
            agent=_agent(user),
            at=timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
            note=note,
        ),
        data={"work_item": item.pk, "at": at.isoformat()},
    )
    return item


@transaction.atomic
def weights_set(*, user: AbstractBaseUser, **values: int) -> WorkScoreWeights:
    """The supervisor sets the score weights; items raised from now on are scored with them."""
    weights = WorkScoreWeights.objects.select_for_update().get(pk=WorkScoreWeights.current().pk)
    for name, value in values.items():
        if name not in WorkScoreWeights.FIELDS or not 0 <= int(value) <= 1000:
            raise ValidationError({name: _("Each weight is a whole number from 0 to 1000.")})
        setattr(weights, name, int(value))
    weights.updated_by = user
    weights.save()
    return weights
