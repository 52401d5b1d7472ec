"""What the workspace API (``views_workspace``) reads and writes. Input serializers only check
shapes; the workspace, lifecycle and plan services decide (and raise ``ValidationError`` naming
the field, or ``CaseError``: 409)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    ContactChannel,
    ContactDirection,
    ContactLog,
    ContactOutcome,
    Dispute,
    Instalment,
    InstalmentPlan,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
)
from collections_portal import money

from .serializers import ApiDateField, IdField, MoneyField

# --- Work items ----------------------------------------------------------------------------


class WorkItemSerializer(serializers.ModelSerializer):
    """A work item: what needs a person on a case, how urgent (``priority``, explained by
    ``factors``), and who holds it (``leased_by`` until ``leased_until``)."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    case_state = serializers.CharField(source="case.state", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    factors = serializers.DictField(
        child=serializers.DictField(),
        read_only=True,
        help_text="Each factor's value, its share (0..1) and the points it adds.",
    )

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "creditor",
            "case",
            "case_reference",
            "case_state",
            "reason",
            "reason_label",
            "status",
            "due_at",
            "priority",
            "factors",
            "assignee",
            "leased_by",
            "leased_until",
            "created_at",
            "closed_at",
            "closed_by",
            "outcome",
        ]
        read_only_fields = fields


class WorkItemFilterSerializer(serializers.Serializer):
    """The list's query parameters."""

    reason = serializers.ChoiceField(choices=WorkItemReason.choices, required=False)
    status = serializers.ChoiceField(
        choices=WorkItemStatus.choices, required=False, help_text="Open items unless given."
    )
    creditor = IdField(required=False)
    assignee = serializers.CharField(
        required=False,
        help_text="A user id, ``me`` (the caller) or ``none`` (items assigned to nobody).",
    )

    def validate_assignee(self, value: str):
        if value in ("me", "none"):
            return value
        if not value.isdigit() or not 1 <= int(value) < 2**63:
            raise serializers.ValidationError(_("Give a user id, me or none."), code="invalid")
        return int(value)


class WorkNextSerializer(serializers.Serializer):
    skip = IdField(
        required=False,
        help_text="An item just released: passed over, so the next one comes instead.",
    )
    creditor = IdField(required=False, help_text="Only this creditor's items.")


class WorkItemCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="What was done or decided."
    )


# --- The agent's actions on a case -----------------------------------------------------------


class ContactLogInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    direction = serializers.ChoiceField(choices=ContactDirection.choices)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ContactLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactLog
        fields = ["id", "case", "channel", "direction", "outcome", "note", "user", "created_at"]
        read_only_fields = fields


class PromiseInputSerializer(serializers.Serializer):
    amount = MoneyField(min_value=money.CENT)
    pay_by = ApiDateField()


class PromiseSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = PromiseToPay
        fields = ["id", "case", "amount", "promised_on", "pay_by", "kept", "created_at"]
        read_only_fields = fields


class PlanInputSerializer(serializers.Serializer):
    first_due = ApiDateField()
    count = serializers.IntegerField(
        required=False, min_value=1, max_value=600, help_text="Equal instalments; or give amount."
    )
    amount = MoneyField(required=False, help_text="The amount of each instalment; or give count.")
    interval_months = serializers.IntegerField(required=False, default=1, min_value=1, max_value=12)
    acceleration_days = serializers.IntegerField(
        required=False, default=7, min_value=0, max_value=365
    )

    def validate(self, attrs):
        if ("count" in attrs) == ("amount" in attrs):
            raise serializers.ValidationError(
                {"count": _("Give either the number of instalments or an amount.")}
            )
        return attrs


class InstalmentSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = Instalment
        fields = ["number", "due_date", "amount"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    instalments = serializers.SerializerMethodField()

    class Meta:
        model = InstalmentPlan
        fields = ["id", "case", "status", "proposed_on", "acceleration_days", "instalments"]
        read_only_fields = fields

    @extend_schema_field(InstalmentSerializer(many=True))
    def get_instalments(self, plan) -> list[dict]:
        return InstalmentSerializer(plan.instalments.order_by("number"), many=True).data


class DisputeDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Dispute.Outcome.choices)
    note = serializers.CharField(max_length=5000, help_text="The answer to the debtor.")
    dispute = IdField(
        required=False, help_text="The dispute to decide; the case's oldest open one if not given."
    )


class CallbackInputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When to call back (in the future).")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
