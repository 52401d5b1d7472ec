"""The sign-in records of django-axes in the admin, read-only: failed sign-ins
(AccessFailureLog), successful ones (AccessLog) and the running counts behind lockouts
(AccessAttempt). Agency administrators see them (creditors/agency.py); deleting a count is
how an administrator lifts a lockout early, and the failure log keeps the record."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class ReadOnly:
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessFailureLog)
class SignInFailureAdmin(ReadOnly, AccessFailureLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class SignInAdmin(ReadOnly, AccessLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class SignInLockoutAdmin(ReadOnly, AccessAttemptAdmin):
    pass
