from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Creditor, CreditorEvent, Invitation, Membership
from .policy import POLICY_FIELDS, collection_policy_errors
from .services import api_key_create, api_key_revoke


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class CreditorAdminForm(forms.ModelForm):
    """The creditor's admin form runs the one collection-policy check (``creditors.policy``)
    that the portal's policy page and ``creditor_policy_update`` run."""

    class Meta:
        model = Creditor
        exclude: list[str] = []  # every field; the fieldsets below choose what is shown

    def clean(self):
        cleaned = super().clean()
        jurisdiction = cleaned.get("jurisdiction") or self.instance.jurisdiction
        values = {name: cleaned[name] for name in POLICY_FIELDS if name in cleaned}
        for field, problems in collection_policy_errors(values, jurisdiction=jurisdiction).items():
            for problem in problems:
                self.add_error(field if field in self.fields else None, problem)
        return cleaned


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    form = CreditorAdminForm
    list_display = ["name", "cvr", "jurisdiction", "currency", "language", "is_active"]
    list_filter = ["jurisdiction", "currency", "is_active"]
    search_fields = ["name", "cvr"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "cvr", "is_active", "logo"]}),
        (
            "Profile",
            {
                "fields": [
                    "jurisdiction",
                    "currency",
                    "language",
                    "allocation_order",
                    "interest_day_count",
                ]
            },
        ),
        (
            "Address",
            {"fields": ["address_line", "postal_code", "city", "country", "email", "phone"]},
        ),
        (
            "Payments",
            {
                "fields": [
                    "bank_reg_number",
                    "bank_account_number",
                    "iban",
                    "bic",
                    "fik_creditor_number",
                ]
            },
        ),
        (
            "Policy",
            {
                "fields": [
                    "policy_reminders",
                    "policy_first_reminder_days",
                    "policy_reminder_interval_days",
                    "policy_collection_days",
                    "policy_monitoring_recheck_days",
                    "policy_group_invoices_per_debtor",
                    "policy_payment_receipts",
                    "policy_plan_max_instalments",
                    "policy_plan_max_months",
                    "policy_plan_min_instalment",
                ]
            },
        ),
        (
            "Settlement agreement",
            {
                "fields": [
                    "settlement_period",
                    "settlement_interest_share",
                    "settlement_commission_percent",
                    "settlement_compensation_to",
                ]
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "creditor", "role", "created_at"]
    list_filter = ["role", "creditor"]
    search_fields = ["user__username", "user__email", "creditor__name"]
    autocomplete_fields = ["user", "creditor"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Creditors' keys for the REST API, for agency staff (a creditor's owners and administrators
    manage their own on the portal page, creditors/views_api_keys.py). The key is shown once,
    right after it is made."""

    list_display = ["name", "creditor", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["creditor"]
    search_fields = ["name", "prefix", "creditor__name"]
    autocomplete_fields = ["creditor"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = ["creditor", "name", *readonly_fields]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A key's creditor cannot change once the key exists.
        return [*self.readonly_fields, "creditor"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        key, raw = api_key_create(creditor=obj.creditor, name=obj.name, created_by=request.user)
        obj.pk = key.pk
        obj.prefix = key.prefix
        self.message_user(
            request,
            _("The API key is %(key)s. Copy it now: it is not shown again.") % {"key": raw},
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        # Keys are revoked, never deleted, so the record of who had access stays.
        return False

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, _("Revoked %(n)d keys.") % {"n": queryset.count()})


class ReadOnlyAdmin(admin.ModelAdmin):
    """For agency staff to read; the creditor's owners and administrators make these rows in
    the portal's settings (creditors/views_settings.py), through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "creditor", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", "creditor"]
    search_fields = ["email", "creditor__name"]


@admin.register(CreditorEvent)
class CreditorEventAdmin(ReadOnlyAdmin):
    """A creditor's audit log (append-only)."""

    list_display = ["created_at", "creditor", "code", "actor", "subject_email"]
    list_filter = ["code", "creditor"]
    search_fields = ["creditor__name", "subject_email", "actor__username"]
