"""Who may write through the API. Every API view declares its permission classes: the default
(``IsAuthenticated``) lets any signed-in role write, viewers included
(``tests/api/test_write_permissions.py`` holds every view to it)."""

from __future__ import annotations

from rest_framework import permissions

from creditors.selectors import membership_for, user_is_agency_staff

from .authentication import ApiClient


class CanChangeCreditorData(permissions.BasePermission):
    """Reads for every authenticated client; writes for API keys, agency staff and creditor
    users whose role may act on cases (every role but viewer)."""

    message = "Your role may not change this creditor's data."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if isinstance(user, ApiClient) or user_is_agency_staff(user):
            return True
        creditor = getattr(request._request, "creditor", None)
        membership = membership_for(user, creditor) if creditor is not None else None
        return bool(membership and membership.can_edit)


# The permission classes of a view that reads for every member and writes for the roles that
# may act on cases.
CREDITOR_DATA_PERMISSIONS = [permissions.IsAuthenticated, CanChangeCreditorData]
