"""The agency's admin for debtors: the CPR number stays masked, every reveal is listed."""

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collections_portal.admin_readonly import ReadOnlyAdmin

from .models import ContactPoint, Debtor, NationalIdLookup, NationalIdReveal


class DebtorAdminForm(forms.ModelForm):
    """Edits a debtor without ever putting the stored CPR number on the page.

    The number field is write-only: it starts empty, and left empty it keeps the stored number.
    Staff who need to see the number use the "Show CPR" button on the portal's debtor page,
    which records the reveal.
    """

    class Meta:
        model = Debtor
        fields = [
            "creditor",
            "kind",
            "name",
            "national_id",
            "address_line",
            "postal_code",
            "city",
            "country",
            "language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("national_id")
        if field is not None and self.instance.national_id:
            self.initial["national_id"] = ""
            field.widget.attrs["placeholder"] = self.instance.masked_national_id
            field.help_text = _(
                "Stored: %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": self.instance.masked_national_id}
            field.widget.attrs["autocomplete"] = "off"

    def clean_national_id(self) -> str:
        value = self.cleaned_data.get("national_id", "")
        if not value and self.instance.pk:
            return self.instance.national_id
        return value


class ContactPointFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        primary_kinds = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("is_primary"):
                continue
            if data.get("kind") in primary_kinds:
                raise ValidationError(_("Only one contact point of each kind can be primary."))
            primary_kinds.append(data.get("kind"))


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    formset = ContactPointFormSet
    extra = 0
    fields = ["kind", "value", "is_primary", "consent", "consent_source", "source", "created_at"]
    readonly_fields = ["created_at"]


class NationalIdRevealInline(admin.TabularInline):
    """The debtor's reveal log, newest first; read-only."""

    model = NationalIdReveal
    extra = 0
    can_delete = False
    fields = ["revealed_at", "user", "api_key", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("CPR number reveals")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):
    form = DebtorAdminForm
    list_display = ["name", "kind", "masked_id", "creditor", "postal_code", "city", "created_at"]
    list_filter = ["kind", "creditor"]
    # Exact match only: a partial CPR must not narrow a search down to a person.
    search_fields = ["name", "=national_id"]
    search_help_text = _("Name, or the full CPR/CVR number.")
    autocomplete_fields = ["creditor"]
    inlines = [ContactPointInline, NationalIdRevealInline]

    @admin.display(description=_("CPR/CVR number"), ordering="national_id")
    def masked_id(self, obj: Debtor) -> str:
        return obj.masked_national_id or "-"

    def get_readonly_fields(self, request, obj=None):
        # A debtor belongs to one creditor for good: never moved, never merged across creditors.
        return ["creditor"] if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        # "010190-1234" and "DK 1834 0003" find the compact number stored.
        if re.fullmatch(r"(?i)(dk)?[\d\s.-]+", search_term.strip()) and any(
            c.isdigit() for c in search_term
        ):
            search_term = re.sub(r"\D", "", search_term)
        return super().get_search_results(request, queryset, search_term)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ContactPoint:
            return super().save_formset(request, form, formset, change)
        contacts = formset.save(commit=False)
        for contact in formset.deleted_objects:
            contact.delete()
        # Demotions first, so moving "primary" between two points never meets the constraint.
        for contact in sorted(contacts, key=lambda c: c.is_primary):
            contact.creditor_id = form.instance.creditor_id
            contact.save()
        formset.save_m2m()
        return None


@admin.register(NationalIdReveal)
class NationalIdRevealAdmin(ReadOnlyAdmin):
    """Who saw which debtor's full CPR number, and when: a log, never edited."""

    list_display = ["revealed_at", "user", "api_key", "debtor", "masked_id", "creditor", "reason"]
    list_filter = ["creditor"]
    list_select_related = ["user", "api_key", "debtor", "creditor"]
    search_fields = ["user__username", "api_key__prefix", "debtor__name", "reason"]
    date_hierarchy = "revealed_at"
    fields = ["revealed_at", "user", "api_key", "debtor", "masked_id", "creditor", "reason"]
    readonly_fields = fields

    @admin.display(description=_("CPR number"))
    def masked_id(self, obj: NationalIdReveal) -> str:
        return obj.debtor.masked_national_id


@admin.register(NationalIdLookup)
class NationalIdLookupAdmin(admin.ModelAdmin):
    """Every exact look-up by CPR/CVR number, found or not (the number is never stored)."""

    list_display = ["looked_up_at", "user", "api_key", "creditor", "found", "reason"]
    list_filter = ["creditor"]
    list_select_related = ["user", "api_key", "creditor", "found"]
    search_fields = ["user__username", "api_key__prefix", "reason"]
    date_hierarchy = "looked_up_at"
    fields = ["looked_up_at", "user", "api_key", "creditor", "found", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
