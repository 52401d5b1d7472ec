"""Import jobs in the admin: read-only, for agency staff following up on a creditor's upload."""

from django.contrib import admin

from .models import CaseExport, ColumnMapping, ImportJob, ImportRejection


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


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Read-only: a creditor's users choose their mappings in the portal."""

    list_display = ["creditor", "__str__", "updated_at", "updated_by"]
    search_fields = ["creditor__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseExport)
class CaseExportAdmin(admin.ModelAdmin):
    """Read-only: exports are started from the case list and downloaded there."""

    list_display = ["public_id", "creditor", "format", "status", "units_total", "created_at"]
    list_filter = ["status", "format"]
    exclude = ["file"]  # the file is downloaded through the portal's tenant-checked view

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
