from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from collections_portal.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from creditors.agency import AgencyRole

# Work items and credit-bureau registrations have their admin in a module of their own.
from . import admin_work  # noqa: F401
from .models import (
    Case,
    CaseMessage,
    Claim,
    Instalment,
    InstalmentPlan,
    LedgerEntry,
    LegalStep,
    LimitationEvent,
    NotificationEmail,
    NotificationSettings,
    Payment,
    ReferenceRate,
)

# Cases and their records are written by the services only (which lock the case and write the
# timeline): every page here is read-only, and its actions call the services.


class ClaimInline(ReadOnlyInline):
    model = Claim
    readonly_fields = (
        "invoice_number",
        "invoice_date",
        "due_date",
        "principal",
        "debtor_is_consumer",
    )
    fields = readonly_fields


class LedgerInline(ReadOnlyInline):
    model = LedgerEntry
    fk_name = "case"
    readonly_fields = ("posted_on", "kind", "component", "amount", "claim", "rule", "explanation")
    fields = readonly_fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: a case's creditor, debtor, dates and closing change only through the case
    services (an edit here once moved a case to another creditor, with its debtor). Cases are
    filed through the portal, the import or the API, which post each claim's principal."""

    list_display = ["number", "creditor", "debtor", "state", "currency", "created_at"]
    list_filter = ["state", "creditor", "currency"]
    search_fields = ["=number", "creditor_reference", "debtor__name"]
    readonly_fields = ["number", "state", "payment_id"]
    inlines = [ClaimInline, LedgerInline]
    actions = ["correct_collection_costs"]

    def has_correct_collection_costs_permission(self, request) -> bool:
        """Agency administrators only: the action posts to the ledger of any creditor."""
        user = request.user
        return user.is_superuser or user.groups.filter(name=AgencyRole.ADMIN).exists()

    @admin.action(
        description=_("Correct collection costs above the legal cap"),
        permissions=["correct_collection_costs"],
    )
    def correct_collection_costs(self, request, queryset):
        from .services.repairs import collection_costs_repair

        today = timezone.localdate()
        repaired = [
            repair
            for case in queryset.order_by("pk")
            if (repair := collection_costs_repair(case=case, today=today, actor=request.user))
        ]
        if not repaired:
            self.message_user(
                request, _("None of the chosen cases was charged above the cap."), messages.INFO
            )
            return
        total = sum(r.excess for r in repaired)
        self.message_user(
            request,
            ngettext(
                "Corrected %(count)d case; %(total)s charged too much in all.",
                "Corrected %(count)d cases; %(total)s charged too much in all.",
                len(repaired),
            )
            % {"count": len(repaired), "total": total},
            messages.SUCCESS,
        )

    @admin.display(description=_("FIK payment ID"))
    def payment_id(self, obj):
        return obj.payment_id if obj.pk else "-"


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    """Read-only: money changes go through the services (a correction is a reversal in the
    ledger)."""

    list_display = ["invoice_number", "creditor", "case", "due_date", "principal"]
    list_filter = ["creditor", "debtor_is_consumer"]
    search_fields = ["invoice_number", "=case__number"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """The ledger, read-only: entries are never changed or deleted."""

    list_display = ["posted_on", "case", "claim", "kind", "component", "amount", "profile"]
    list_filter = ["kind", "component", "creditor"]
    search_fields = ["=case__number", "claim__invoice_number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["received_on", "case", "amount", "method", "reversed_at"]
    list_filter = ["method", "creditor"]
    search_fields = ["=case__number", "payer_reference"]


@admin.register(LimitationEvent)
class LimitationEventAdmin(ReadOnlyAdmin):
    """Read-only: the services record a claim's limitation events with the step that caused
    them."""

    list_display = ["claim", "kind", "occurred_on", "note"]
    list_filter = ["kind"]


@admin.register(ReferenceRate)
class ReferenceRateAdmin(admin.ModelAdmin):
    """Staff add the next half-year's reference rate here (Nationalbanken's lending rate)."""

    list_display = ["jurisdiction", "valid_from", "rate", "verified_label", "source"]
    list_filter = ["jurisdiction", "verified"]
    ordering = ["-valid_from"]

    @admin.display(description=_("verified"), ordering="verified")
    def verified_label(self, obj):
        return _("verified") if obj.verified else _("UNVERIFIED")


@admin.register(LegalStep)
class LegalStepAdmin(ReadOnlyAdmin):
    """The legal track's steps, read-only: the legal services write them."""

    list_display = ["occurred_on", "case", "kind", "outcome", "court_reference", "created_by"]
    list_filter = ["kind", "outcome", "creditor"]
    search_fields = ["=case__number", "court_reference"]
    date_hierarchy = "occurred_on"


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    readonly_fields = ("number", "due_date", "amount", "paid_amount", "missed_notice_on")
    fields = readonly_fields


@admin.register(InstalmentPlan)
class InstalmentPlanAdmin(ReadOnlyAdmin):
    """Instalment plans, read-only: proposed, activated and broken by the plan services."""

    list_display = ["case", "status", "proposed_on", "settlement_signed_on",
                    "consumer_credit_review", "creditor"]  # fmt: skip
    list_filter = ["status", "consumer_credit_review", "creditor"]
    search_fields = ["=case__number"]
    raw_id_fields = ["case"]
    inlines = [InstalmentInline]


@admin.register(CaseMessage)
class CaseMessageAdmin(ReadOnlyAdmin):
    """Messages between a creditor and the agency, read-only: written on the case page."""

    list_display = ["created_at", "case", "side", "author_name", "read_by_creditor_at",
                    "read_by_agency_at", "creditor"]  # fmt: skip
    list_filter = ["side", "creditor"]
    search_fields = ["=case__number", "author_name", "body"]


@admin.register(NotificationEmail)
class NotificationEmailAdmin(ReadOnlyAdmin):
    """The notification e-mails sent (or that failed), one per event and address."""

    list_display = ["created_at", "event", "address", "status", "creditor"]
    list_filter = ["status", "creditor"]
    search_fields = ["address"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ReadOnlyAdmin):
    """Each person's own choices, set on their Notifications page only."""

    list_display = ["user", "language", "message", "case_closed", "dispute_opened",
                    "digest_until"]  # fmt: skip
    search_fields = ["user__username", "user__email"]
