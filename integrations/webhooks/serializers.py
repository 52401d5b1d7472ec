"""API shapes of webhook endpoints and deliveries. Serializers parse and present; the
services decide (URL checks, event names)."""

from __future__ import annotations

from rest_framework import serializers

from .models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "disabled_reason", "created_at", "updated_at"]
        extra_kwargs = {"url": {"validators": []}}  # the service checks it (https, public host)


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    """The endpoint as answered right after creation or rotation: the only time the secret
    is shown."""

    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (whsec_...). Shown only now: store it.",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class RotateSecretSerializer(serializers.Serializer):
    previous_valid_hours = serializers.IntegerField(
        min_value=0,
        max_value=168,
        default=24,
        help_text="How long the previous secret keeps signing beside the new one (0: stop now).",
    )


class WebhookEventSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.CharField()
    created_at = serializers.DateTimeField()
    data = serializers.JSONField(source="payload")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "url",
            "signed_at",
            "started_at",
            "duration_ms",
            "response_code",
            "response_body",
            "error",
            "succeeded",
        ]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = WebhookEventSerializer(read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_response_code",
            "last_response_body",
            "last_error",
            "last_duration_ms",
            "succeeded_at",
            "replay_of",
            "created_at",
        ]
        read_only_fields = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "attempt_log"]
        read_only_fields = fields
