"""/api/v1/webhooks/: endpoints (CRUD, rotate the secret, test-fire) and their deliveries
(list with filters, detail with every attempt, replay). Thin: each call is one service."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from creditors.selectors import membership_for, user_is_agency_manager, user_is_agency_staff
from integrations.api.authentication import ApiClient
from integrations.api.scoping import ScopedGenericViewSet, request_creditor_id

from . import services, signing
from .filters import WebhookDeliveryFilter, WebhookEndpointFilter
from .models import EventType, WebhookDelivery, WebhookEndpoint
from .serializers import (
    RotateSecretSerializer,
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)

TAG = "webhooks"

ABOUT = (
    "Outgoing webhooks. Register an HTTPS endpoint with the events it wants ("
    + ", ".join(f"`{e}`" for e in EventType.values)
    + "). Each event is POSTed as JSON "
    '`{"id", "type", "created", "creditor_id", "api_version": "v1", "data": {...}}` and '
    "retried with backoff (1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h; then failed) until the "
    "receiver answers 2xx; 410 Gone disables the endpoint. Delivery is at least once: "
    "deduplicate on `Webhook-Id`. URLs must be https and resolve to public addresses.\n\n"
    "**Data per event.** `case.created`: `case` (id, reference, creditor_reference, state, "
    "closed_reason, currency, debtor.id, claims[] with invoice_number, invoice_date, due_date, "
    "principal) and `balance` (principal, interest, costs, total, credit). "
    "`case.state_changed`: `case`, `from_state`, `to_state`, `reason` (the timeline code of "
    "the step, e.g. `case.reminder_sent`). `payment.received`: `payment` (id, amount, "
    "currency, received_on, method, payer_reference, allocations[] of component, "
    "invoice_number, amount), `case` and `balance` after it. `notice.sent`: `notice` (id, "
    "kind, sequence, dated, deadline, channel, status) and `case`. `import.finished`: "
    "`import` (id, status, counts). `settlement.created`: `settlement` (id, reference, "
    "period_start, period_end, currency, payments, received, creditor_share, agency_share, "
    "direct_received, direct_owed, credit_held, payout, statement_pdf, statement_csv). "
    "`webhook.test` (test-fire only): `endpoint`, `message`. "
    'Amounts are decimal strings (`"1250.00"`), dates ISO; no CPR numbers are sent.\n\n'
    "**Signature.** " + (signing.__doc__ or "")
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


class CanManageWebhooks(BasePermission):
    """API keys manage their creditor's webhooks; in the browser, reading is for members and
    changing (create, update, delete, rotate the secret, test-fire, replay) for the owners and
    administrators of the creditor the request acts for, and for agency administrators and
    supervisors. Agents, the lowest agency role, work cases and only read webhooks: a secret
    rotated by them would break a creditor's integration."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.user, ApiClient) or request.method in SAFE_METHODS:
            return True
        if user_is_agency_staff(request.user):
            return user_is_agency_manager(request.user)
        creditor = getattr(request._request, "creditor", None)
        membership = membership_for(request.user, creditor) if creditor is not None else None
        return bool(membership and membership.can_manage)


def _creditor_id(request) -> int:
    creditor_id = request_creditor_id(request)
    if creditor_id is None:
        raise exceptions.ValidationError({"creditor": "Choose the creditor to act for first."})
    return creditor_id


@extend_schema_view(
    list=extend_schema(tags=[TAG], description=ABOUT),
    retrieve=extend_schema(tags=[TAG]),
    update=extend_schema(tags=[TAG]),
    partial_update=extend_schema(tags=[TAG]),
    destroy=extend_schema(tags=[TAG]),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """A creditor's webhook endpoints."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [*ScopedGenericViewSet.permission_classes, CanManageWebhooks]
    filterset_class = WebhookEndpointFilter  # the deliveries action sets its own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no scope, no rows
            model = WebhookDelivery if self.action == "deliveries" else WebhookEndpoint
            return model.objects.none()
        return WebhookEndpoint.objects.all().order_by("-pk")

    @extend_schema(
        tags=[TAG],
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
        description="Register an endpoint. The answer carries the signing `secret`, once.",
    )
    def create(self, request):
        serializer = WebhookEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(
            creditor_id=_creditor_id(request), actor=request.user, **serializer.validated_data
        )
        data = WebhookEndpointWithSecretSerializer(endpoint).data
        data["secret"] = secret
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.webhook_endpoint_update(
            endpoint=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(endpoint=instance, actor=self.request.user)

    @extend_schema(
        tags=[TAG],
        request=RotateSecretSerializer,
        responses={200: WebhookEndpointWithSecretSerializer},
        description=(
            "A new signing secret, shown once. The previous one keeps signing beside it "
            "(a second `v1=` in `Webhook-Signature`) for `previous_valid_hours` (default 24)."
        ),
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        options = RotateSecretSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_rotate_secret(
            endpoint=endpoint,
            previous_valid_for=timedelta(hours=options.validated_data["previous_valid_hours"]),
            actor=request.user,
        )
        data = WebhookEndpointWithSecretSerializer(endpoint).data
        data["secret"] = secret
        return Response(data)

    @extend_schema(
        tags=[TAG],
        request=None,
        responses={202: WebhookDeliverySerializer},
        description="Send a `webhook.test` event to this endpoint now; follow the delivery.",
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = services.webhook_endpoint_test(endpoint=self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        tags=[TAG],
        responses={200: WebhookDeliverySerializer(many=True)},
        description="This endpoint's deliveries, newest first.",
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=WebhookDeliveryFilter,
        serializer_class=WebhookDeliverySerializer,
    )
    def deliveries(self, request, pk=None):
        # Not get_object(): this action's filters are for the deliveries, not the endpoints.
        endpoint = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(request, endpoint)
        queryset = self.filter_queryset(
            WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(tags=[TAG], description="Deliveries of every endpoint, newest first."),
    retrieve=extend_schema(tags=[TAG], description="A delivery with every attempt."),
)
class WebhookDeliveryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet
):
    """Deliveries and their attempts; replay."""

    permission_classes = [*ScopedGenericViewSet.permission_classes, CanManageWebhooks]
    filterset_class = WebhookDeliveryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no scope, no rows
            return WebhookDelivery.objects.none()
        queryset = WebhookDelivery.objects.select_related("event")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("attempt_log")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return WebhookDeliveryDetailSerializer
        return WebhookDeliverySerializer

    @extend_schema(
        tags=[TAG],
        request=None,
        responses={202: WebhookDeliverySerializer, 409: OpenApiResponse(description="Refused")},
        description=(
            "Send this delivery's event again (same event id, `Webhook-Id`) as a new delivery."
        ),
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = self.get_object()
        try:
            replay = services.webhook_delivery_replay(delivery=delivery, actor=request.user)
        except services.WebhookError as exc:
            raise Conflict(str(exc)) from exc
        return Response(WebhookDeliverySerializer(replay).data, status=status.HTTP_202_ACCEPTED)
