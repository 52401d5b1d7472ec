"""Outgoing webhooks: a creditor's endpoints, the events we record, and their deliveries.

An event is recorded once (its UUID is the ``Webhook-Id`` every receiver sees); each endpoint
subscribed to its type gets one delivery, retried with backoff until it succeeds or gives up,
and every attempt is logged with the receiver's response.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel


class EventType(models.TextChoices):
    """What a creditor can subscribe to."""

    CASE_CREATED = "case.created", _("Case created")
    CASE_STATE_CHANGED = "case.state_changed", _("Case state changed")
    PAYMENT_RECEIVED = "payment.received", _("Payment received")
    NOTICE_SENT = "notice.sent", _("Notice sent")
    IMPORT_FINISHED = "import.finished", _("Import finished")
    SETTLEMENT_CREATED = "settlement.created", _("Settlement created")


# Sent only by a test-fire, to one endpoint, whatever it subscribes to.
TEST_EVENT = "webhook.test"


class WebhookEndpoint(TenantModel):
    """A creditor's HTTPS URL that receives the events it subscribes to, signed with its secret.

    The secret signs every delivery (see ``integrations.webhooks.signing``). It is shown once,
    when the endpoint is made or the secret rotated; after a rotation the previous secret keeps
    signing alongside the new one until ``previous_secret_expires_at``, so receivers can switch
    without missing a delivery.
    """

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(
        models.CharField(max_length=40, choices=EventType.choices),
        verbose_name=_("events"),
        help_text=_("The event types sent to this endpoint."),
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The emitter's one query: the creditor's active endpoints.
            models.Index(
                fields=["creditor"],
                name="webhook_endpoint_active",
                condition=models.Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(TenantModel):
    """Something that happened, recorded once; ``id`` is the event id receivers deduplicate on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(TenantModel):
    """One event to one endpoint: sent until the receiver answers 2xx, or given up.

    A delivery that has succeeded is never sent again; a replay is a new delivery of the same
    event (same event id) that points back at the one it replays.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a sender task was last queued for it: the sweep does not queue it again meanwhile.
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_response_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_response_body = models.TextField(_("last response (excerpt)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("succeeded"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
            # The retry sweep: pending deliveries by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint.url} ({self.status})"


class WebhookAttempt(TenantModel):
    """One HTTP request of a delivery and what came back (or why nothing did)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    url = models.URLField(_("URL"), max_length=2000)
    signed_at = models.PositiveBigIntegerField(_("signature timestamp"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    response_body = models.TextField(_("response (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.response_code or self.error[:40]}"
