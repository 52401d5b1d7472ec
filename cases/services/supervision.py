"""The supervisor's writes on the queue: reassigning work items in bulk, by item or by case.
Each reassigned item is on its case's timeline with the supervisor's name."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case, WorkItem, WorkItemStatus
from cases.timeline import event_record
from creditors.agency import AgencyRole
from creditors.selectors import user_is_agency_manager

from .approvals import agent_name


def _assignable(assignee_id: int | None) -> AbstractBaseUser | None:
    if assignee_id is None:
        return None
    user = (
        get_user_model()
        .objects.filter(pk=assignee_id, is_active=True, groups__name__in=AgencyRole.values)
        .first()
    )
    if user is None:
        raise ValidationError({"assignee": _("Choose a member of the agency's staff.")})
    return user


@transaction.atomic
def work_items_reassign(
    *, item_ids: Iterable[int], assignee_id: int | None, user: AbstractBaseUser
) -> int:
    """Give the open items to ``assignee_id`` (``None``: to nobody, back to the shared queue).
    A lease held by someone else ends, so the new assignee can take the item at once.
    Returns how many items changed hands."""
    if not user_is_agency_manager(user):
        raise PermissionDenied(_("Only a supervisor reassigns work items."))
    ids = sorted({int(pk) for pk in item_ids})
    if not ids:
        raise ValidationError({"items": _("Select at least one work item.")})
    assignee = _assignable(assignee_id)
    items = list(
        WorkItem.objects.filter(pk__in=ids, status=WorkItemStatus.OPEN)
        .select_related("case", "assignee")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    changed = 0
    to = agent_name(assignee) if assignee is not None else "the shared queue"
    for item in items:
        if item.assignee_id == assignee_id:
            continue
        before = agent_name(item.assignee) if item.assignee is not None else "nobody"
        item.assignee = assignee
        fields = ["assignee"]
        if item.leased_by_id is not None and item.leased_by_id != assignee_id:
            item.leased_by, item.leased_until = None, None
            fields += ["leased_by", "leased_until"]
        item.save(update_fields=fields)
        event_record(
            case=item.case,
            code="work.item_reassigned",
            actor=user,
            from_state=item.case.state,
            message=(f"{agent_name(user)}: {item.get_reason_display()} from {before} to {to}."),
            data={"work_item": item.pk, "assignee": assignee_id},
        )
        changed += 1
    return changed


def case_numbers_parse(text: str) -> list[int]:
    """Case numbers typed one per line or separated by commas or spaces."""
    numbers = []
    for part in text.replace(",", " ").split():
        if not part.isdigit():
            raise ValidationError({"cases": _("%(value)s is not a case number.") % {"value": part}})
        numbers.append(int(part))
    if not numbers:
        raise ValidationError({"cases": _("Give at least one case number.")})
    return numbers


@transaction.atomic
def cases_reassign(
    *, numbers: Iterable[int], assignee_id: int | None, user: AbstractBaseUser
) -> int:
    """Give every open item of the cases numbered ``numbers`` to ``assignee_id``."""
    numbers = list(numbers)
    found = set(Case.objects.filter(number__in=numbers).values_list("number", flat=True))
    unknown = [str(n) for n in numbers if n not in found]
    if unknown:
        raise ValidationError(
            {"cases": _("No case numbered %(numbers)s.") % {"numbers": ", ".join(unknown)}}
        )
    item_ids = WorkItem.objects.filter(
        case__number__in=numbers, status=WorkItemStatus.OPEN
    ).values_list("pk", flat=True)
    if not item_ids:
        raise ValidationError({"cases": _("These cases have no open work items.")})
    return work_items_reassign(item_ids=list(item_ids), assignee_id=assignee_id, user=user)
