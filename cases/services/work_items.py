"""Work items: opened idempotently by the step that needs a person, closed by the person.

``work_item_open`` returns the case's open item of that reason if there is one (the partial
unique constraint makes a second one impossible even for two workers at once); otherwise it
creates it. ``work_item_close`` closes an open item once, with who and what was decided.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, WorkItem, WorkItemReason, WorkItemStatus

from .errors import CaseError


def work_item_open(
    *,
    case: Case,
    reason: WorkItemReason | str,
    due_at: datetime,
    priority: int = 0,
    factors: dict | None = None,
) -> WorkItem:
    """The open item of ``reason`` on ``case``: the existing one, or a new one."""
    if reason not in WorkItemReason.values:
        raise ValueError(f"Unknown work item reason {reason!r}.")
    existing = WorkItem.objects.filter(case=case, reason=reason, status=WorkItemStatus.OPEN)
    item = existing.first()
    if item is not None:
        return item
    try:
        # A savepoint: a concurrent opener that won the race leaves the caller's
        # transaction usable, and its item is the one returned.
        with transaction.atomic():
            return WorkItem.objects.create(
                creditor_id=case.creditor_id,
                case=case,
                reason=reason,
                due_at=due_at,
                priority=priority,
                factors=factors or {},
            )
    except IntegrityError:
        return existing.get()


@transaction.atomic
def work_item_close(*, item: WorkItem, user: AbstractBaseUser | None, outcome: str) -> WorkItem:
    """Close an open item with what was decided; closing it again is refused."""
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    if item.status != WorkItemStatus.OPEN:
        raise CaseError(
            _("The work item '%(reason)s' is closed already.")
            % {"reason": item.get_reason_display()}
        )
    item.status = WorkItemStatus.DONE
    item.closed_at = timezone.now()
    item.closed_by = user
    item.outcome = outcome
    item.leased_by = None
    item.leased_until = None
    item.save(
        update_fields=["status", "closed_at", "closed_by", "outcome", "leased_by", "leased_until"]
    )
    return item


def work_item_close_open(
    *, case: Case, reason: WorkItemReason | str, user: AbstractBaseUser | None, outcome: str
) -> WorkItem | None:
    """Close the case's open item of ``reason``, if there is one (a decision taken another
    way, e.g. through the API, settles the item too)."""
    item = WorkItem.objects.filter(case=case, reason=reason, status=WorkItemStatus.OPEN).first()
    if item is None:
        return None
    return work_item_close(item=item, user=user, outcome=outcome)
