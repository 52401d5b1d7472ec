"""Who may use the bank and money tools: agency staff only.

The agency's bank account is not a creditor's: a creditor's API key or user never sees bank
files or unmatched payments (other creditors' debtors' money), nor uses the agents' tools."""

from __future__ import annotations

from rest_framework import permissions

from creditors.selectors import user_is_agency_staff
from integrations.api.authentication import ApiClient


class IsAgencyStaff(permissions.BasePermission):
    message = "Only the agency's staff may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(user, ApiClient):
            return False
        return bool(user and user_is_agency_staff(user))


AGENCY_PERMISSIONS = [permissions.IsAuthenticated, IsAgencyStaff]
