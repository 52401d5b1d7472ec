from django.contrib import admin

from .models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "creditor", "debtor", "currency", "created_at"]
    list_filter = ["creditor", "currency"]
    search_fields = ["reference", "creditor_reference", "debtor__name"]
    autocomplete_fields = ["creditor", "debtor"]
