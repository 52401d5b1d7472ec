"""The credit-bureau resources of a case: registrations out, bureau choices in."""

from __future__ import annotations

from rest_framework import serializers

from cases.models_credit_bureau import CreditBureauRegistration, EndReason, RegistrationStatus


class CreditBureauRegistrationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=RegistrationStatus.choices, read_only=True)
    deregistration_reason = serializers.ChoiceField(
        choices=[("", ""), *EndReason.choices],
        read_only=True,
        help_text="Why the registration was deleted or never made; blank while active.",
    )

    class Meta:
        model = CreditBureauRegistration
        fields = [
            "id",
            "case",
            "bureau",
            "register",
            "status",
            "amount",
            "currency",
            "warned_on",
            "eligible_from",
            "data_expires_on",
            "registered_on",
            "deregistration_due_on",
            "deregistered_on",
            "deregistration_reason",
            "external_reference",
            "explanation",
            "created_at",
        ]
        read_only_fields = fields


class CreditBureauListSerializer(serializers.Serializer):
    results = CreditBureauRegistrationSerializer(many=True)


class CreditBureauActionSerializer(serializers.Serializer):
    bureau = serializers.CharField(
        max_length=30, help_text="The bureau's code in the case's profile, e.g. `rki`."
    )


class CreditBureauDeregisterSerializer(CreditBureauActionSerializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
