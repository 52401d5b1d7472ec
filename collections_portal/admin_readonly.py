"""Read-only admin pages: records that only the services write (they lock, check and record
what they do) are shown in the admin, never added, changed or deleted there."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyMixin:
    """No add, change or delete, for a ``ModelAdmin`` or an inline; viewing stays."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A read-only model page; its actions, if any, call the services."""


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
