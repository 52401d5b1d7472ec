"""Reads about creditors and their users, shared by views, middleware and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .agency import AgencyRole
from .models import Creditor, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

SESSION_CREDITOR_KEY = "current_creditor_id"


def user_is_agency_staff(user: AbstractBaseUser) -> bool:
    """Agency staff work across creditors: superusers and members of an agency group."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_agency_staff", None)
    if cached is None:
        cached = user.groups.filter(name__in=AgencyRole.values).exists()
        user._agency_staff = cached
    return cached


def user_is_agency_manager(user: AbstractBaseUser) -> bool:
    """Agency administrators and supervisors (and superusers): agency staff above agents,
    who may change a creditor's settings such as its webhooks."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[AgencyRole.ADMIN, AgencyRole.SUPERVISOR]).exists()


def creditors_for_user(user: AbstractBaseUser) -> QuerySet[Creditor]:
    """The creditors a user may act for: all active ones for agency staff, else memberships."""
    if user_is_agency_staff(user):
        return Creditor.objects.filter(is_active=True)
    return Creditor.objects.filter(memberships__user=user, is_active=True)


def membership_for(user: AbstractBaseUser, creditor: Creditor) -> Membership | None:
    return Membership.objects.filter(user=user, creditor=creditor).first()


def current_creditor_for_request(request: HttpRequest) -> Creditor | None:
    """The creditor the request acts for.

    A creditor user acts for the creditor chosen in the session, or their first one; agency
    staff act for a creditor only when they have chosen one (else for the whole agency).
    """
    user = request.user
    allowed = creditors_for_user(user)
    chosen_id = request.session.get(SESSION_CREDITOR_KEY)
    if chosen_id is not None:
        creditor = allowed.filter(pk=chosen_id).first()
        if creditor is not None:
            return creditor
        request.session.pop(SESSION_CREDITOR_KEY, None)
    if user_is_agency_staff(user):
        return None
    return allowed.order_by("name", "pk").first()
