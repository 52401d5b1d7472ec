"""Teams of agency staff (``Team``): a supervisor makes them and sets who is in them; the
work queue's "My team's" tab shows the items the user's team-mates hold or are assigned."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cases.models import Team, WorkItem
from creditors.selectors import user_is_agency_manager, user_is_agency_staff


def _require_manager(user: AbstractBaseUser) -> None:
    if not user_is_agency_manager(user):
        raise PermissionDenied(_("Only a supervisor or an administrator manages teams."))


@transaction.atomic
def team_create(*, name: str, user: AbstractBaseUser) -> Team:
    _require_manager(user)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    if len(name) > Team._meta.get_field("name").max_length:
        raise ValidationError({"name": _("At most 100 characters.")})
    try:
        with transaction.atomic():
            return Team.objects.create(name=name)
    except IntegrityError as exc:
        raise ValidationError({"name": _("A team of that name exists already.")}) from exc


@transaction.atomic
def team_member_add(*, team: Team, username: str, user: AbstractBaseUser) -> AbstractBaseUser:
    """Put an agency staff member in the team (a creditor's user never joins one)."""
    _require_manager(user)
    member = get_user_model().objects.filter(username=(username or "").strip()).first()
    if member is None or not user_is_agency_staff(member):
        raise ValidationError({"username": _("No agency staff member has that user name.")})
    team.members.add(member)
    return member


@transaction.atomic
def team_member_remove(*, team: Team, member_id: int, user: AbstractBaseUser) -> None:
    _require_manager(user)
    team.members.remove(member_id)


def team_items(items: QuerySet[WorkItem], user: AbstractBaseUser) -> QuerySet[WorkItem]:
    """The items assigned to, or held by, anyone in a team the user is in (the user too)."""
    mates = get_user_model().objects.filter(work_teams__members=user).distinct()
    return items.filter(Q(assignee__in=mates) | Q(leased_by__in=mates))
