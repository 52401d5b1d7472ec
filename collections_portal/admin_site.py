"""The Django admin is the agency's tool: only agency staff may sign in to it or use it.

``is_staff`` alone is not enough. A creditor's user given ``is_staff`` (by mistake, or because
an older README told creditor administrators to use the admin) would otherwise see every
creditor's API keys, creditors and memberships: those models are not behind a tenant scope.
Creditor users manage their own settings in the portal instead (creditors/views_settings.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from creditors.selectors import user_is_agency_staff


class AgencyAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form refuses anyone who is not agency staff (with is_staff)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user_is_agency_staff(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class AgencyAdminSite(admin.AdminSite):
    site_header = _("Collections portal administration")
    site_title = _("Collections portal")
    login_form = AgencyAdminAuthenticationForm

    def has_permission(self, request) -> bool:
        # Every admin view (model pages, autocomplete, actions) passes through this check.
        return super().has_permission(request) and user_is_agency_staff(request.user)
