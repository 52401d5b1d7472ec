"""What the API reads and writes. Input serializers only parse and check shapes; the services
decide (and raise ``ValidationError`` naming the field, or ``CaseError``). Money is a string
with two decimals, dates are ISO 8601."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.claim_dates import claim_date_errors
from cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseState,
    Claim,
    ClosedReason,
    Dispute,
    Payment,
)
from collections_portal import money
from creditors.models import Currency, Language
from debtors.models import Debtor, DebtorKind
from notices.models import Notice

# Dates outside this range are a typing error, not an invoice (and would overflow the rules).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
MAX_ID = 2**63 - 1
MAX_CLAIMS_PER_CASE = 500


class ApiDateField(serializers.DateField):
    """An ISO date between 2000-01-01 and 2099-12-31."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise serializers.ValidationError(
                _("Give a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
                code="out_of_range",
            )
        return day


class MoneyField(serializers.DecimalField):
    """An amount as a string with two decimals ("1250.00"); more than zero on input."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", money.MAX_DIGITS)
        kwargs.setdefault("decimal_places", money.DECIMAL_PLACES)
        super().__init__(**kwargs)


def IdField(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ErrorFieldSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = ErrorFieldSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """Every error: ``{"error": {status, code, message, fields: [{field, code, message}]}}``."""

    error = ErrorDetailSerializer()


# --- Debtors ------------------------------------------------------------------------------


class DebtorSerializer(serializers.ModelSerializer):
    """A debtor as shown: the CPR number masked (``DDMMYY-XXXX``), a CVR number in full."""

    national_id_masked = serializers.CharField(source="masked_national_id", read_only=True)

    class Meta:
        model = Debtor
        fields = [
            "id",
            "creditor",
            "kind",
            "name",
            "national_id_masked",
            "address_line",
            "postal_code",
            "city",
            "country",
            "language",
            "created_at",
        ]
        read_only_fields = fields


class DebtorInputSerializer(serializers.Serializer):
    """A debtor's details. A known CPR/CVR number finds the creditor's existing debtor."""

    kind = serializers.ChoiceField(choices=DebtorKind.choices)
    name = serializers.CharField(max_length=200)
    national_id = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address_line = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=10)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2, min_length=2, default="DK")
    language = serializers.ChoiceField(choices=Language.choices, default=Language.DA)


class DebtorCreateSerializer(DebtorInputSerializer):
    creditor = IdField(
        required=False,
        help_text="Agency staff name the creditor; an API key always acts for its own.",
    )
    debtor_id = IdField(
        required=False,
        help_text=(
            "After a 409 debtor_conflict: the existing debtor with this CPR/CVR number, "
            "chosen over the details sent."
        ),
    )


class DebtorLookupSerializer(serializers.Serializer):
    """An exact look-up by CPR/CVR number: a POST, so the number stays out of URLs and logs."""

    national_id = serializers.CharField(
        max_length=20, write_only=True, help_text="The CPR or CVR number, compact or formatted."
    )
    reason = serializers.CharField(
        max_length=200, help_text="Why the number is looked up; recorded with the look-up."
    )
    creditor = IdField(
        required=False,
        help_text="Agency staff name the creditor; an API key always acts for its own.",
    )


class DebtorLookupResultSerializer(serializers.Serializer):
    results = DebtorSerializer(many=True, help_text="The debtor with this number, or none.")


# --- Cases and claims ---------------------------------------------------------------------


class ClaimSerializer(serializers.ModelSerializer):
    principal = MoneyField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "invoice_number",
            "description",
            "invoice_date",
            "due_date",
            "due_date_agreed",
            "demand_sent_on",
            "principal",
            "debtor_is_consumer",
            "agreed_interest_rate",
            "created_at",
        ]
        read_only_fields = fields


class ClaimInputSerializer(serializers.Serializer):
    """One invoice. ``invoice_number`` is unique per creditor: it cannot be handed over twice."""

    invoice_number = serializers.CharField(max_length=100)
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    invoice_date = ApiDateField()
    due_date = ApiDateField()
    due_date_agreed = serializers.BooleanField(default=True)
    demand_sent_on = ApiDateField(required=False, allow_null=True, default=None)
    principal = MoneyField(min_value=money.CENT)
    debtor_is_consumer = serializers.BooleanField(default=True)
    agreed_interest_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        default=None,
    )

    def validate(self, attrs):
        # The one rule on a claim's dates (cases/claim_dates.py): the import's and the
        # filing service's too.
        errors = claim_date_errors(
            attrs["invoice_date"], attrs["due_date"], today=timezone.localdate()
        )
        if errors:
            raise serializers.ValidationError(
                {field: serializers.ErrorDetail(text, code=code) for field, code, text in errors}
            )
        return attrs


class CaseCreateSerializer(serializers.Serializer):
    """A case with its claims, for a debtor given by details (``debtor``) or id (``debtor_id``)."""

    creditor = IdField(
        required=False,
        help_text="Agency staff name the creditor; an API key always acts for its own.",
    )
    debtor = DebtorInputSerializer(required=False)
    debtor_id = IdField(required=False)
    creditor_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    creditor_reminder_dates = serializers.ListField(
        child=ApiDateField(), required=False, default=list, max_length=10
    )
    creditor_warning_sent_on = ApiDateField(required=False, allow_null=True, default=None)
    claims = ClaimInputSerializer(many=True, min_length=1, max_length=MAX_CLAIMS_PER_CASE)
    # A case is in its creditor's currency. Sent, it must be a currency we know (and the
    # creditor's own): an unknown or another one is refused naming the field, never ignored.
    currency = serializers.ChoiceField(
        choices=Currency.choices,
        required=False,
        help_text="The claims' currency: the creditor's own. Another one is refused.",
        error_messages={
            "invalid_choice": _("Not a currency code we know: use DKK, SEK, NOK or EUR.")
        },
    )

    def validate(self, attrs):
        # Both may be sent: after a 409 debtor_conflict the client repeats its request naming
        # the existing debtor (debtor_id), which then wins over the details.
        if "debtor" not in attrs and "debtor_id" not in attrs:
            raise serializers.ValidationError(
                {"debtor": _("Give either the debtor's details (debtor) or its id (debtor_id).")}
            )
        seen: dict[str, int] = {}
        errors: list[dict] = [{} for _claim in attrs["claims"]]
        for index, claim in enumerate(attrs["claims"]):
            number = claim["invoice_number"].strip()
            if number in seen:
                errors[index] = {
                    "invoice_number": [
                        _("Invoice %(number)s is also claims[%(first)d].")
                        % {"number": number, "first": seen[number]}
                    ]
                }
            seen.setdefault(number, index)
        if any(errors):
            raise serializers.ValidationError({"claims": errors})
        return attrs


class BalanceSerializer(serializers.Serializer):
    """What the case owes today per component, from the ledger, plus interest accrued since the
    last posting. ``credit`` is money held for the debtor (an overpayment)."""

    as_of = serializers.DateField()
    principal = MoneyField()
    interest = MoneyField()
    costs = MoneyField()
    credit = MoneyField()
    accrued_interest = MoneyField()
    total = MoneyField()


class CaseEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "occurred_at",
            "code",
            "from_state",
            "to_state",
            "actor_label",
            "message",
            "data",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    pdf_available = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "case",
            "kind",
            "sequence",
            "dated",
            "deadline",
            "status",
            "language",
            "payment",  # a receipt's payment; null for every other kind
            "rendered_at",
            "pdf_available",
            "pdf_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_pdf_available(self, notice: Notice) -> bool:
        return bool(notice.pdf)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pdf_url(self, notice: Notice) -> str | None:
        if not notice.pdf:
            return None
        return _absolute(self.context, reverse("api-notice-pdf", kwargs={"pk": notice.pk}))


class DisputeSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(
        choices=[("", ""), *Dispute.Outcome.choices],
        read_only=True,
        help_text="Blank while the dispute is open.",
    )

    class Meta:
        model = Dispute
        fields = [
            "id",
            "case",
            "opened_on",
            "reason",
            "debtor_statement",
            "resolved_at",
            "outcome",
            "resolution_note",
            "created_at",
        ]
        read_only_fields = fields


class CaseDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        fields = [
            "id",
            "case",
            "filename",
            "content_type",
            "size",
            "sha256",
            "description",
            "uploaded_by_label",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document: CaseDocument) -> str:
        return _absolute(self.context, reverse("api-document-download", kwargs={"pk": document.pk}))


class CaseSerializer(serializers.ModelSerializer):
    """A case in a list: its state (read-only: it changes through the actions) and claims."""

    reference = serializers.CharField(read_only=True)
    payment_id = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    closed_reason = serializers.ChoiceField(
        choices=[("", ""), *ClosedReason.choices], read_only=True
    )
    debtor = DebtorSerializer(read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "payment_id",
            "creditor",
            "debtor",
            "creditor_reference",
            "currency",
            "state",
            "closed_reason",
            "paused_until",
            "warning_sent_on",
            "warning_deadline",
            "collection_started_on",
            "creditor_reminder_dates",
            "creditor_warning_sent_on",
            "next_action_at",
            "created_at",
            "claims",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """One case with its balance per component, its timeline and its notices."""

    balance = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()
    disputes = DisputeSerializer(many=True, read_only=True)
    documents = CaseDocumentSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "balance",
            "timeline",
            "notices",
            "disputes",
            "documents",
        ]
        read_only_fields = fields

    @extend_schema_field(BalanceSerializer)
    def get_balance(self, case: Case) -> dict:
        from django.utils import timezone

        from cases.selectors import case_statement

        today = timezone.localdate()
        statement = case_statement(case, on=today)
        posted = statement.posted
        return BalanceSerializer(
            {
                "as_of": today,
                "principal": posted.principal,
                "interest": posted.interest,
                "costs": posted.costs,
                "credit": posted.credit,
                "accrued_interest": statement.accrued_interest,
                "total": statement.total,
            }
        ).data

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_timeline(self, case: Case) -> list:
        events = case.events.order_by("occurred_at", "pk")
        return CaseEventSerializer(events, many=True).data

    @extend_schema_field(NoticeSerializer(many=True))
    def get_notices(self, case: Case) -> list:
        return NoticeSerializer(
            case.notices.order_by("dated", "pk"), many=True, context=self.context
        ).data


# --- Actions on a case --------------------------------------------------------------------


class WithdrawSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PauseSerializer(serializers.Serializer):
    until = ApiDateField(help_text="The case waits until this date (a future date).")
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DirectPaymentSerializer(serializers.Serializer):
    """The debtor paid the creditor directly: the case's balance is reduced by the amount."""

    amount = MoneyField(min_value=money.CENT)
    received_on = ApiDateField()
    payer_reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    designated_claim = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The claim the debtor said the payment is for, if any.",
    )


class DisputeOpenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    debtor_statement = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, default=""
    )


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000)


class CaseMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseMessage
        fields = [
            "id",
            "case",
            "side",
            "author_name",
            "body",
            "created_at",
            "read_by_creditor_at",
            "read_by_agency_at",
        ]
        read_only_fields = fields


class CaseMessageListSerializer(serializers.Serializer):
    results = CaseMessageSerializer(many=True)


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, max_length=200)
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


# --- Payments -----------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "case",
            "amount",
            "received_on",
            "method",
            "payer_reference",
            "designated_claim",
            "reversed_at",
            "reversal_reason",
            "created_at",
        ]
        read_only_fields = fields


def _absolute(context: dict, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path
