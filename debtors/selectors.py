"""Reads about debtors, shared by views, the admin and other apps.

Every query here runs through the tenant-scoped manager: inside a creditor's scope it sees that
creditor's debtors only, and a foreign debtor looks exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from creditors.selectors import membership_for, user_is_agency_staff

from .models import ContactKind, ContactPoint, Debtor, DebtorKind, NationalIdReveal

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


@dataclass(frozen=True)
class Contact:
    """Where to reach a debtor on one channel."""

    #: What the channel's provider is given: an e-mail address, a mobile number, a CPR/CVR
    #: number, a postal address.
    address: str
    #: What the record shows (a CPR number masked); the address itself where it is not secret.
    label: str
    name: str = ""
    #: "CPR" or "CVR" for a national id.
    id_type: str = ""


def contact_for(*, debtor: Debtor, channel: str) -> Contact | None:
    """Where the debtor is reached on a delivery channel, or ``None`` when it cannot be:

    - ``email``: the primary address first, then one with consent, then the oldest;
    - ``sms``: a mobile number the debtor consented to be texted on (the primary first);
    - ``digital_post``: the CPR or CVR number (the provider finds the inbox);
    - ``print``: the postal address, when it is whole.
    """
    if channel == "email":
        point = (
            ContactPoint.objects.filter(debtor_id=debtor.pk, kind=ContactKind.EMAIL)
            .order_by("-is_primary", "-consent", "pk")
            .first()
        )
        return Contact(point.value, point.value, debtor.name) if point else None
    if channel == "sms":
        point = (
            ContactPoint.objects.filter(debtor_id=debtor.pk, kind=ContactKind.MOBILE, consent=True)
            .order_by("-is_primary", "pk")
            .first()
        )
        return Contact(point.value, point.value, debtor.name) if point else None
    if channel == "digital_post":
        if not debtor.national_id:
            return None
        id_type = "CPR" if debtor.kind == DebtorKind.PERSON else "CVR"
        label = f"{id_type} {debtor.masked_national_id}"
        return Contact(debtor.national_id, label, debtor.name, id_type)
    if channel == "print":
        if not (debtor.address_line and debtor.postal_code and debtor.city):
            return None
        address = f"{debtor.name}, {debtor.address_line}, {debtor.postal_code} {debtor.city}"
        return Contact(address, address, debtor.name)
    raise ValueError(f"Unknown delivery channel {channel!r}.")
