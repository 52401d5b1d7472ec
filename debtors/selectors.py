"""Reads about debtors, shared by views, the admin and other apps.

Every query here runs through the tenant-scoped manager: inside a creditor's scope it sees that
creditor's debtors only, and a foreign debtor looks exactly like a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from creditors.selectors import membership_for, user_is_agency_staff

from .models import ContactPoint, Debtor, NationalIdReveal

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from creditors.models import Creditor


def debtor_list() -> QuerySet[Debtor]:
    """The debtors of the active scope, by name."""
    return Debtor.objects.select_related("creditor")


def debtor_get(*, debtor_id: int) -> Debtor:
    """One debtor of the active scope; raises ``Debtor.DoesNotExist`` for a foreign one too."""
    return debtor_list().get(pk=debtor_id)


def debtor_contact_points(*, debtor: Debtor) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(debtor=debtor)


def debtor_national_id_reveals(*, debtor: Debtor) -> QuerySet[NationalIdReveal]:
    """Who saw the debtor's full CPR number, newest first."""
    return NationalIdReveal.objects.filter(debtor=debtor).select_related("user")


def user_can_reveal_national_id(*, user: AbstractBaseUser, creditor: Creditor) -> bool:
    """Agency staff, and the creditor's users who may act on cases (every role but viewer)."""
    if not user.is_authenticated:
        return False
    if user_is_agency_staff(user):
        return True
    membership = membership_for(user, creditor)
    return membership is not None and membership.can_edit
