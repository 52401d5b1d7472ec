from django.contrib import admin

from .models import Debtor


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "creditor", "postal_code", "city", "created_at"]
    list_filter = ["kind", "creditor"]
    search_fields = ["name", "national_id"]
    autocomplete_fields = ["creditor"]
