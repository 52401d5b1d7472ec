from django.contrib import admin

from .models import Creditor, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    list_display = ["name", "cvr", "jurisdiction", "currency", "language", "is_active"]
    list_filter = ["jurisdiction", "currency", "is_active"]
    search_fields = ["name", "cvr"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "cvr", "is_active", "logo"]}),
        ("Profile", {"fields": ["jurisdiction", "currency", "language", "allocation_order"]}),
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
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "creditor", "role", "created_at"]
    list_filter = ["role", "creditor"]
    search_fields = ["user__username", "user__email", "creditor__name"]
    autocomplete_fields = ["user", "creditor"]
