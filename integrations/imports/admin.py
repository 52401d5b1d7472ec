"""Import jobs in the admin: read-only, for agency staff following up on a creditor's upload."""

from django.contrib import admin

from .models import ImportJob, ImportRejection


class ImportRejectionInline(admin.TabularInline):
    model = ImportRejection
    fields = ["line", "field", "code", "reason", "invoice_number"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "public_id", "creditor", "status", "units_total", "rows_accepted", "rows_rejected",
        "cases_created", "created_at", "finished_at",
    ]  # fmt: skip
    list_filter = ["status", "format"]
    search_fields = ["public_id", "original_name", "creditor__name"]
    inlines = [ImportRejectionInline]

    def has_add_permission(self, request):
        return False  # uploads come through the API, which queues the processing

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
