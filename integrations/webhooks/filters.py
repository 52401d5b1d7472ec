"""Filters of the deliveries list."""

import django_filters

from integrations.api.filters import UtcIsoDateTimeFilter

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.CharFilter(field_name="event__type")
    event_id = django_filters.UUIDFilter(field_name="event_id")
    endpoint = django_filters.NumberFilter(field_name="endpoint_id")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event_type", "event_id", "endpoint", "created_after", "created_before"]


class WebhookEndpointFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["is_active"]
