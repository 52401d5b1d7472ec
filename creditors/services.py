"""Changes to creditors and their users."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from .models import Creditor, Membership, Role
from .selectors import SESSION_CREDITOR_KEY, creditors_for_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase


def creditor_select(*, user: AbstractBaseUser, session: SessionBase, creditor_id: int) -> Creditor:
    """Make ``creditor_id`` the creditor the user acts for in this session.

    Raises ``Creditor.DoesNotExist`` for a creditor the user may not act for, exactly as for one
    that does not exist, so the answer never tells whether another tenant exists.
    """
    creditor = creditors_for_user(user).get(pk=creditor_id)
    session[SESSION_CREDITOR_KEY] = creditor.pk
    return creditor


@transaction.atomic
def membership_grant(
    *, user: AbstractBaseUser, creditor: Creditor, role: Role | str = Role.MEMBER
) -> Membership:
    """Give a user access to a creditor with a role, or change the role they have."""
    membership, _created = Membership.objects.update_or_create(
        user=user, creditor=creditor, defaults={"role": role}
    )
    return membership
