"""Admin for delivery: channel policies are edited here by agency admins; deliveries, their
attempts and print batches are shown (they change only through the delivery services)."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from collections_portal.admin_readonly import ReadOnlyMixin

from .models import ChannelPolicy, Delivery, DeliveryAttempt, PrintBatch, PrintBatchStatus
from .services import print_batch_close
from .tasks import queue_print_batch_compose


@admin.register(ChannelPolicy)
class ChannelPolicyAdmin(admin.ModelAdmin):
    list_display = ["creditor", "kind", "channels", "updated_at"]
    list_filter = ["kind", "creditor"]
    fields = ["creditor", "kind", "channels"]


class AttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = [
        "number",
        "outcome",
        "recipient",
        "provider_message_id",
        "error",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "notice",
        "case_number",
        "channel",
        "status",
        "attempts",
        "recipient",
        "provider_message_id",
        "updated_at",
    ]
    list_filter = ["status", "channel", "creditor"]
    search_fields = ["provider_message_id", "recipient", "=notice__case__number"]
    list_select_related = ["notice__case"]
    inlines = [AttemptInline]

    @admin.display(description=_("case"))
    def case_number(self, obj: Delivery) -> str:
        return obj.notice.case.reference


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "creditor",
        "status",
        "letter_count",
        "page_count",
        "opened_at",
        "closed_at",
        "composed_at",
        "download",
    ]
    list_filter = ["status", "creditor"]
    readonly_fields = [
        "creditor",
        "status",
        "opened_at",
        "closed_at",
        "composed_at",
        "letter_count",
        "page_count",
        "file",
        "file_sha256",
        "manifest",
    ]
    actions = ["close_and_compose"]

    @admin.display(description=_("print file"))
    def download(self, obj: PrintBatch):
        if not obj.file:
            return "-"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">{}</a>',
            obj.file.url,
            obj.manifest.url,
            _("manifest"),
        )

    @admin.action(description=_("Close and compose the selected print batches"))
    def close_and_compose(self, request, queryset):
        count = 0
        with transaction.atomic():
            for batch in list(queryset.exclude(status=PrintBatchStatus.COMPOSED)):
                # A closed batch is queued again: its composition may not have run.
                if batch.status == PrintBatchStatus.CLOSED or print_batch_close(batch=batch):
                    queue_print_batch_compose(batch=batch)
                    count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d print batch is being composed.",
                "%(count)d print batches are being composed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
