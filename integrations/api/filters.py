"""List filters (django-filter). They narrow the tenant's queryset; they never widen it."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from cases.models import Case, CaseDocument, CaseState, Claim, Payment, PaymentMethod
from debtors.models import Debtor, DebtorKind
from notices.models import Notice, NoticeKind, NoticeStatus

from .serializers import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """An id; a number no id can be is simply not found (never a database error)."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value is not None and not 1 <= value <= MAX_ID:
            return qs.none()
        return super().filter(qs, value)


class _UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError as exc:
                message = _("The date and time are out of range.")
                raise forms.ValidationError(message, "invalid") from exc
        return value


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time, compared in UTC.

    Python accepts offsets PostgreSQL refuses (beyond ±15:59, such as -19:09), which would be a
    database error; in UTC every valid value is one PostgreSQL takes.
    """

    field_class = _UtcIsoDateTimeField


class DebtorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DebtorKind.choices)
    # No CPR/CVR filter: an exact look-up is POST /api/v1/debtors/lookup/ (recorded, limited).
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Debtor
        fields = ["kind", "name"]


class CaseFilter(django_filters.FilterSet):
    """Cases by state, dates, our reference, the creditor's reference or invoice number."""

    state = django_filters.MultipleChoiceFilter(choices=CaseState.choices)
    reference = IdFilter(field_name="number", help_text="The case number shown to the debtor.")
    creditor_reference = django_filters.CharFilter(help_text="The creditor's own case reference.")
    invoice_number = django_filters.CharFilter(
        method="filter_invoice_number", help_text="A claim's invoice number (creditor reference)."
    )
    debtor = IdFilter(field_name="debtor_id")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    due_from = django_filters.DateFilter(
        method="filter_due_from", help_text="Cases with a claim due on or after this date."
    )
    due_to = django_filters.DateFilter(
        method="filter_due_to", help_text="Cases with a claim due on or before this date."
    )

    class Meta:
        model = Case
        fields = ["state", "reference", "creditor_reference", "debtor"]

    def _with_claim(self, qs, **lookup):
        return qs.filter(Exists(Claim.objects.filter(case=OuterRef("pk"), **lookup)))

    def filter_invoice_number(self, qs, name, value):
        return self._with_claim(qs, invoice_number=value.strip())

    def filter_due_from(self, qs, name, value):
        return self._with_claim(qs, due_date__gte=value)

    def filter_due_to(self, qs, name, value):
        return self._with_claim(qs, due_date__lte=value)


class PaymentFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["case", "method"]


class NoticeFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices)
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices)

    class Meta:
        model = Notice
        fields = ["case", "kind", "status"]


class CaseDocumentFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")

    class Meta:
        model = CaseDocument
        fields = ["case"]
