"""Webhooks: the only code that changes endpoints, events and deliveries.

Emitting (:func:`webhook_event_emit`) records the event and one delivery per subscribed
endpoint in the caller's transaction, and queues the sending on commit: a step that rolls
back sends nothing. Sending (:func:`webhook_delivery_send`) locks the delivery row, checks it
is still pending and due, signs and POSTs it, logs the attempt, and either finishes it or
schedules the next attempt by :data:`RETRY_SCHEDULE`; the sweep
(:func:`webhook_deliveries_enqueue_due`) queues the retries that are due.

Delivery is at least once: a receiver deduplicates on ``Webhook-Id``. Once a delivery has
succeeded it is never sent again.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_portal.celery import enqueue_on_commit
from collections_portal.tenancy import agency_scope, creditor_scope

from . import transport
from .models import (
    TEST_EVENT,
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from .signing import signature_header
from .urlguard import UnsafeURL, check_url

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt: about a day in all (22 h 21 min), then it
# has failed. Eight attempts: the first and seven retries.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# A queued sender that never ran (a lost message) is queued again by the sweep after this.
ENQUEUE_LEASE = timedelta(minutes=10)
# How long the previous secret keeps signing after a rotation, unless told otherwise.
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
USER_AGENT = "Inkassoportal-Webhooks/1"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


class WebhookError(Exception):
    """A webhook operation refused; the message says why, for a person to read."""


# --- Endpoints ---------------------------------------------------------------------------


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_endpoint_url(url: str) -> str:
    """The URL, stripped, if an endpoint may use it; else ``ValidationError`` on ``url``."""
    return _clean_url(url)


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("This field is required.")})
    if len(url) > 2000:
        raise ValidationError({"url": _("The URL is longer than 2000 characters.")})
    try:
        check_url(url)
    except UnsafeURL as exc:
        raise ValidationError({"url": str(exc)}) from exc
    return url


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    unknown = [event for event in chosen if event not in EventType.values]
    if unknown:
        raise ValidationError(
            {
                "events": _("Unknown event %(event)s; choose from %(choices)s.")
                % {"event": unknown[0], "choices": ", ".join(EventType.values)}
            }
        )
    return chosen


@transaction.atomic
def webhook_endpoint_create(
    *,
    creditor_id: int,
    url: str,
    events: Iterable[str],
    description: str = "",
    is_active: bool = True,
    actor: Any = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (to be shown once)."""
    endpoint = WebhookEndpoint(
        creditor_id=creditor_id,
        url=_clean_url(url),
        events=_clean_events(events),
        description=description,
        is_active=is_active,
        secret=_new_secret(),
    )
    endpoint.full_clean(exclude=["creditor", "url"])
    endpoint.save()
    _audit(
        endpoint,
        actor,
        "webhook.endpoint_created",
        {"url": ("", endpoint.url), "events": ("", ", ".join(endpoint.events))},
    )
    return endpoint, endpoint.secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    actor: Any = None,
) -> WebhookEndpoint:
    """Change an endpoint; a new URL is checked again. Re-enabling clears why it was off."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {name: getattr(endpoint, name) for name in _AUDITED_FIELDS}
    if url is not None and url != endpoint.url:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = description
    if is_active is not None:
        if is_active and not endpoint.is_active:
            endpoint.disabled_reason = ""
        endpoint.is_active = is_active
    endpoint.full_clean(exclude=["creditor", "url"])
    endpoint.save()
    changes = {
        name: (_shown(old), _shown(getattr(endpoint, name)))
        for name, old in before.items()
        if old != getattr(endpoint, name)
    }
    if changes:
        _audit(endpoint, actor, "webhook.endpoint_changed", changes)
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(
    *,
    endpoint: WebhookEndpoint,
    previous_valid_for: timedelta = PREVIOUS_SECRET_GRACE,
    actor: Any = None,
) -> tuple[WebhookEndpoint, str]:
    """A new secret (returned, to be shown once). The old one keeps signing alongside it for
    ``previous_valid_for`` (zero: it stops at once)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if previous_valid_for > timedelta(0):
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + previous_valid_for
    else:
        endpoint.previous_secret = ""
        endpoint.previous_secret_expires_at = None
    endpoint.secret = _new_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    _audit(endpoint, actor, "webhook.secret_rotated", {})
    return endpoint, endpoint.secret


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Any = None) -> None:
    """Remove an endpoint with its deliveries and their log; the events stay."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    _audit(endpoint, actor, "webhook.endpoint_deleted", {"url": (endpoint.url, "")})


# What the audit log records of an endpoint's change (never the secret).
_AUDITED_FIELDS = ("url", "events", "description", "is_active")


def _shown(value: Any) -> Any:
    return ", ".join(value) if isinstance(value, list) else value


def _audit(endpoint: WebhookEndpoint, actor: Any, code: str, changes: dict) -> None:
    """One row of the creditor's settings log (``creditors.CreditorEvent``)."""
    from creditors.services import settings_change_record

    settings_change_record(
        creditor_id=endpoint.creditor_id,
        actor=actor,
        code=code,
        subject=endpoint.url,
        changes=changes,
    )


def signing_secrets(endpoint: WebhookEndpoint, *, now: datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one
    while its grace period lasts."""
    now = now or timezone.now()
    out = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        out.append(endpoint.previous_secret)
    return out


# --- Events ------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Plain JSON: decimals as strings (never floats), dates ISO, UUIDs as strings."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        raise TypeError("Webhook payloads carry amounts as Decimal or str, never float.")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def webhook_event_emit(
    *,
    creditor_id: int,
    event: str,
    data: dict | Callable[[], dict],
) -> WebhookEvent | None:
    """Record ``event`` for the creditor's subscribed active endpoints and send it on commit.

    Call it inside the transaction of the step that the event reports: the event and its
    deliveries are written there, and the sending is queued with ``transaction.on_commit``,
    so a step that rolls back sends nothing. ``data`` may be a callable that builds the
    payload: it is called only when some endpoint subscribes (the usual case costs one
    indexed query). Returns the event, or None when nobody subscribes.
    """
    if event not in EventType.values:
        raise ValueError(f"Unknown webhook event {event!r}; known: {', '.join(EventType.values)}")
    with creditor_scope(creditor_id):
        endpoint_ids = list(
            WebhookEndpoint.objects.filter(is_active=True, events__contains=[event]).values_list(
                "pk", flat=True
            )
        )
    if not endpoint_ids:
        return None
    with creditor_scope(creditor_id), transaction.atomic():
        payload = _jsonable(data() if callable(data) else data)
        record = WebhookEvent.objects.create(creditor_id=creditor_id, type=event, payload=payload)
        deliveries = _deliveries_create(record, endpoint_ids)
    _enqueue_on_commit(creditor_id, [d.pk for d in deliveries])
    return record


def _deliveries_create(
    event: WebhookEvent, endpoint_ids: list[int], *, replay_of: WebhookDelivery | None = None
) -> list[WebhookDelivery]:
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            creditor_id=event.creditor_id,
            endpoint_id=endpoint_id,
            event=event,
            next_attempt_at=now,
            enqueued_at=now,
            replay_of=replay_of,
        )
        for endpoint_id in endpoint_ids
    )


def _enqueue_on_commit(creditor_id: int, delivery_ids: list[int]) -> None:
    # A broker that is down must not break the step that already committed: the sweep queues
    # the delivery again once its lease has passed.
    from .tasks import webhook_delivery_send_task

    for delivery_id in delivery_ids:
        enqueue_on_commit(
            webhook_delivery_send_task, delivery_id=delivery_id, creditor_id=creditor_id
        )


def event_body(event: WebhookEvent) -> bytes:
    """The exact bytes POSTed for an event: the same on every attempt and replay."""
    envelope = {
        "id": str(event.id),
        "type": event.type,
        "created": event.created_at.isoformat(),
        "creditor_id": event.creditor_id,
        "api_version": "v1",
        "data": event.payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@transaction.atomic
def webhook_endpoint_test(*, endpoint: WebhookEndpoint, actor: Any = None) -> WebhookDelivery:
    """Send a ``webhook.test`` event to this endpoint alone (even a disabled one)."""
    record = WebhookEvent.objects.create(
        creditor_id=endpoint.creditor_id,
        type=TEST_EVENT,
        payload={
            "endpoint": {"id": endpoint.pk, "url": endpoint.url},
            "message": "A test event from the inkasso portal.",
        },
    )
    [delivery] = _deliveries_create(record, [endpoint.pk])
    _enqueue_on_commit(endpoint.creditor_id, [delivery.pk])
    _audit(endpoint, actor, "webhook.test_sent", {})
    return delivery


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: Any = None) -> WebhookDelivery:
    """Send a delivery's event again (same event id) as a new delivery with fresh attempts."""
    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    if not endpoint.is_active and delivery.event.type != TEST_EVENT:
        raise WebhookError(
            _("The endpoint is disabled; enable it before replaying deliveries to it.")
        )
    [replay] = _deliveries_create(delivery.event, [endpoint.pk], replay_of=delivery)
    _enqueue_on_commit(delivery.creditor_id, [replay.pk])
    _audit(endpoint, actor, "webhook.delivery_replayed", {"delivery": (delivery.pk, replay.pk)})
    return replay


# --- Sending -----------------------------------------------------------------------------


def _excerpt(text: str, limit: int = 1000) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def webhook_delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Make the next attempt of a delivery if it is pending and due; safe to run twice.

    The delivery row stays locked while the request is made, so two senders never send the
    same delivery at once; the second one finds it locked and leaves it. Returns the delivery
    (None when it is gone or being sent by another worker).
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        if delivery.status != DeliveryStatus.PENDING:
            return delivery  # succeeded or given up: never sent again
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return delivery  # a stray early message; the sweep queues it when it is due
        endpoint = delivery.endpoint
        if not endpoint.is_active and delivery.event.type != TEST_EVENT:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.enqueued_at = None
            delivery.last_error = _("Not sent: the endpoint is disabled. %(reason)s") % {
                "reason": endpoint.disabled_reason
            }
            delivery.save()
            return delivery
        _attempt(delivery, endpoint, now)
        return delivery


def _attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime) -> None:
    number = delivery.attempts + 1
    body = event_body(delivery.event)
    signed_at = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": str(delivery.event_id),
        "Webhook-Event": delivery.event.type,
        "Webhook-Timestamp": str(signed_at),
        "Webhook-Signature": signature_header(signing_secrets(endpoint, now=now), signed_at, body),
        "Webhook-Delivery": str(delivery.pk),
        "Webhook-Attempt": str(number),
    }
    try:
        # Checked again before every request: the host's DNS may have changed since.
        target = check_url(endpoint.url)
    except UnsafeURL as exc:
        response = transport.Response(
            status=None, body_excerpt="", error=f"Refused: {exc}", duration_ms=0
        )
    else:
        response = transport.post(
            target,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
            connect_timeout=settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS,
        )
    succeeded = response.status is not None and 200 <= response.status < 300
    WebhookAttempt.objects.create(
        creditor_id=delivery.creditor_id,
        delivery=delivery,
        number=number,
        url=endpoint.url,
        signed_at=signed_at,
        started_at=now,
        duration_ms=response.duration_ms,
        response_code=response.status,
        response_body=_excerpt(response.body_excerpt),
        error=response.error,
        succeeded=succeeded,
    )
    delivery.attempts = number
    delivery.last_attempt_at = now
    delivery.last_response_code = response.status
    delivery.last_response_body = _excerpt(response.body_excerpt)
    delivery.last_duration_ms = response.duration_ms
    delivery.last_error = response.error
    delivery.enqueued_at = None
    if succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.succeeded_at = timezone.now()
        delivery.next_attempt_at = None
    elif response.status == 410:
        # 410 Gone: the receiver says this URL is no more. Stop sending to it at all.
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        reason = _("The receiver answered 410 Gone on %(when)s.") % {
            "when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        }
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, disabled_reason=reason, updated_at=timezone.now()
        )
        logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
    elif number >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        logger.warning("Webhook delivery %s failed after %s attempts", delivery.pk, number)
    else:
        delivery.next_attempt_at = now + RETRY_SCHEDULE[number - 1]
    delivery.save()


def webhook_deliveries_enqueue_due(*, limit: int = 500) -> int:
    """Queue a sender for every pending delivery that is due and not already queued.

    Runs every minute from beat, across creditors. Rows being sent (locked) are skipped.
    """
    now = timezone.now()
    with (
        agency_scope(reason="webhook sweep: due deliveries of every creditor"),
        transaction.atomic(),
    ):
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - ENQUEUE_LEASE))
            .order_by("next_attempt_at")
            .values_list("pk", "creditor_id")[:limit]
        )
        if not rows:
            return 0
        WebhookDelivery.objects.filter(pk__in=[row[0] for row in rows]).update(enqueued_at=now)
        by_creditor: dict[int, list[int]] = {}
        for pk, creditor_id in rows:
            by_creditor.setdefault(creditor_id, []).append(pk)
        for creditor_id, ids in by_creditor.items():
            _enqueue_on_commit(creditor_id, ids)
    return len(rows)
