"""Work items and credit-bureau registrations in the admin: read-only for agency staff (the
admin site admits agency staff only). They change through the services, never here; the
agent workspace (queue, leases, decisions) builds on the same rows."""

from django.contrib import admin

from collections_portal.admin_readonly import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    ApprovalRequest,
    ContactLog,
    CreditBureauAttempt,
    CreditBureauRegistration,
    CreditBureauSubmission,
    WorkItem,
)


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ["case", "reason", "status", "priority", "due_at", "assignee", "closed_at"]
    list_filter = ["status", "reason"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "assignee"]
    readonly_fields = [f.name for f in WorkItem._meta.fields]


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "direction", "outcome", "user", "created_at"]
    list_filter = ["channel", "outcome"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "user"]
    readonly_fields = [f.name for f in ContactLog._meta.fields]


class SubmissionInline(ReadOnlyInline):
    model = CreditBureauSubmission
    readonly_fields = (
        "action",
        "status",
        "idempotency_key",
        "bureau_reference",
        "error",
        "created_at",
    )
    fields = readonly_fields


@admin.register(CreditBureauRegistration)
class CreditBureauRegistrationAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "bureau",
        "register",
        "status",
        "amount",
        "warned_on",
        "registered_on",
        "deregistered_on",
        "deregistration_reason",
    ]
    list_filter = ["status", "bureau", "deregistration_reason"]
    search_fields = ["=case__number", "external_reference"]
    list_select_related = ["case"]
    # The debtor is shown by the case; its CPR number never appears here.
    exclude = ["debtor"]
    readonly_fields = [f.name for f in CreditBureauRegistration._meta.fields if f.name != "debtor"]
    inlines = [SubmissionInline]


class AttemptInline(ReadOnlyInline):
    model = CreditBureauAttempt
    readonly_fields = (
        "started_at",
        "adapter",
        "outcome",
        "bureau_reference",
        "error",
        "finished_at",
    )
    fields = readonly_fields


@admin.register(CreditBureauSubmission)
class CreditBureauSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["registration", "action", "status", "created_at", "finished_at"]
    list_filter = ["status", "action"]
    readonly_fields = [f.name for f in CreditBureauSubmission._meta.fields]
    inlines = [AttemptInline]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status", "kind"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "requested_by", "decided_by"]
    readonly_fields = [f.name for f in ApprovalRequest._meta.fields]
