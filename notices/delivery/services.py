"""Delivering rendered notices: the only code that changes deliveries and print batches.

``notice_deliver`` plans a notice's deliveries from the creditor's channel policy, works each
route (falling back when a channel fails permanently or has no address), records every
outcome in the case timeline and settles the notice: ``sent`` when every route is done and
at least one delivery went out (``notice_mark_sent``, the one place a notice becomes sent),
``failed`` when every channel failed.

Never twice. For every delivery, one attempt at a time:

1. take a PostgreSQL advisory lock on the delivery for the whole attempt (session level: the
   database lets go of it the moment a worker's connection dies, even after SIGKILL);
2. in a transaction, lock the delivery row (``select_for_update``), check its status, write a
   ``pending`` attempt row, set the delivery ``sending``, and commit;
3. call the provider with the delivery's idempotency key (the same on every attempt);
4. in a transaction, record the outcome.

A second worker that cannot get the advisory lock leaves the delivery to the first and retries
later. A worker that gets the lock and finds a ``pending`` attempt knows its sender died
between 2 and 4: the provider may or may not have the message. Then:

* idempotent providers (SMS gateway, digital post outbox, print batch) are called again with
  the same key, and deliver once;
* SMTP has no such key: the attempt is marked ``unknown``, the e-mail is *not* sent again
  (at most once per channel), the timeline says so (``notice.delivery_uncertain``) and the
  route falls back to its next channel, if any.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from collections_portal.texts import Text
from integrations.gateways import (
    Gateway,
    NoAddress,
    NotConfigured,
    OutcomeUnknown,
    PermanentGatewayError,
    TransientGatewayError,
    gateway_for,
)
from notices.kinds import kind_for
from notices.models import Notice, NoticeStatus

from .errors import DeliveryError, DeliveryRetry
from .models import (
    AttemptOutcome,
    Channel,
    ChannelPolicy,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    parse_channel_policy,
)
from .outgoing import outgoing_message, recipient_for
from .policy import channel_policy_check
from .printing import (
    PrintChannel,
    print_batch_add,
    print_batch_close,
    print_batch_compose,
    print_batches_close_due,
    print_reference,
)
from .settling import ACTOR, channel_text, notice_mark_failed, notice_mark_sent, notice_settle
from .settling import delivery_event as _event

# The settling and the print batches have modules of their own; their names stay importable
# from here.
__all__ = [
    "ACTOR",
    "DeliveryError",
    "DeliveryReport",
    "DeliveryRetry",
    "channel_policy_for",
    "channel_policy_set",
    "notice_deliver",
    "notice_mark_failed",
    "notice_mark_sent",
    "notice_settle",
    "print_batch_add",
    "print_batch_close",
    "print_batch_compose",
    "print_batches_close_due",
    "print_reference",
]

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from creditors.models import Creditor

logger = logging.getLogger(__name__)

# First key of the two-key advisory locks this module takes ("DELV"), so they cannot collide
# with other advisory locks in the same database.
ADVISORY_LOCK_NAMESPACE = 0x44454C56


SENT = "sent"
WAITING = "waiting"  # accepted into a print batch, sent when the batch is composed
FAILED = "failed"
SKIPPED = "skipped"
RETRY = "retry"


@dataclass
class DeliveryReport:
    notice_id: int
    notice_status: str
    deliveries: dict[str, str] = field(default_factory=dict)
    retry: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "notice": self.notice_id,
            "status": self.notice_status,
            "deliveries": self.deliveries,
            "retry": self.retry,
        }


# --- Policy --------------------------------------------------------------------------------


def channel_policy_for(*, creditor_id: int, kind: str) -> list[list[str]]:
    """The creditor's routes for a notice kind, or the default policy when it has set none."""
    policy = ChannelPolicy.objects.filter(creditor_id=creditor_id, kind=kind).first()
    if policy is not None:
        return policy.routes
    return parse_channel_policy(kind_for(kind).channels)


def _plan(notice: Notice) -> list[Delivery]:
    """The notice's deliveries, created from the policy the first time (the plan is frozen
    then, so a policy edited while a retry waits does not change a notice half-way)."""
    existing = list(notice.deliveries.order_by("route", "step"))
    if existing:
        return existing
    routes = channel_policy_for(creditor_id=notice.creditor_id, kind=notice.kind)
    return [
        Delivery.objects.create(
            creditor_id=notice.creditor_id, notice=notice, channel=channel, route=r, step=s
        )
        for r, route in enumerate(routes, start=1)
        for s, channel in enumerate(route, start=1)
    ]


# --- Delivering a notice -------------------------------------------------------------------


def notice_deliver(*, notice: Notice) -> DeliveryReport:
    """Deliver a rendered notice by its creditor's channel policy; safe to call again.

    Raises ``DeliveryRetry`` (after doing all that can be done now) when a delivery should be
    tried again later; the Celery task retries with backoff.
    """
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status in (NoticeStatus.SENT, NoticeStatus.FAILED):
            return _report(locked)
        if locked.status != NoticeStatus.RENDERED or not locked.pdf:
            raise DeliveryError(f"Notice {locked.pk} is not rendered yet; render it first.")
        _plan(locked)
    notice = Notice.objects.select_related("case__debtor", "case__creditor").get(pk=notice.pk)
    try:
        with notice.pdf.open("rb") as handle:
            pdf_bytes = handle.read()
    except OSError as exc:
        raise DeliveryError(f"Notice {notice.pk}: its PDF cannot be read: {exc}") from exc
    if notice.pdf_sha256 and hashlib.sha256(pdf_bytes).hexdigest() != notice.pdf_sha256:
        raise DeliveryError(f"Notice {notice.pk}: the stored PDF does not match its checksum.")

    retry: list[str] = []
    deliveries = list(notice.deliveries.order_by("route", "step"))
    for _route, steps in groupby(deliveries, key=lambda d: d.route):
        steps = list(steps)
        for index, delivery in enumerate(steps):
            outcome = _delivery_attempt(delivery=delivery, notice=notice, pdf_bytes=pdf_bytes)
            if outcome in (SENT, WAITING):
                _skip_unneeded(steps[index + 1 :], by=delivery)
                break
            if outcome == RETRY:
                retry.append(delivery.channel)
                break
            # FAILED or SKIPPED: fall back to the route's next channel.
    notice_settle(notice=notice)
    report = _report(Notice.objects.get(pk=notice.pk))
    if retry:
        report.retry = retry
        raise DeliveryRetry(f"Notice {notice.pk}: try {', '.join(retry)} again later")
    return report


def _report(notice: Notice) -> DeliveryReport:
    return DeliveryReport(
        notice_id=notice.pk,
        notice_status=notice.status,
        deliveries=dict(notice.deliveries.values_list("channel", "status")),
    )


def _skip_unneeded(steps: list[Delivery], *, by: Delivery) -> None:
    for delivery in steps:
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED,
            last_error=f"Not needed: delivered by {by.get_channel_display()}.",
            updated_at=timezone.now(),
        )


@contextmanager
def _sending_lock(delivery_id: int) -> Iterator[bool]:
    """A session-level advisory lock held while one worker sends one delivery.

    Released on exit, and by PostgreSQL itself when the worker's connection dies; so finding
    it free next to a ``pending`` attempt means that attempt's worker is gone.
    """
    key = (ADVISORY_LOCK_NAMESPACE, delivery_id % 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", key)


def _sender_for(channel: str) -> Gateway | PrintChannel:
    """The print batch is ours; every other channel is a provider's gateway."""
    return PrintChannel() if channel == Channel.PRINT else gateway_for(channel)


def _delivery_attempt(*, delivery: Delivery, notice: Notice, pdf_bytes: bytes) -> str:
    gateway = _sender_for(delivery.channel)
    with _sending_lock(delivery.pk) as acquired:
        if not acquired:
            return RETRY  # another worker is sending this delivery right now
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
            if delivery.status == DeliveryStatus.SENT:
                return SENT
            if delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
                return delivery.status
            if delivery.status == DeliveryStatus.SENDING:
                last = delivery.attempt_log.order_by("-number").first()
                if last is not None and last.outcome == AttemptOutcome.ACCEPTED:
                    return WAITING
                if not gateway.idempotent:
                    return _attempt_uncertain(delivery, last, notice)
                # An idempotent provider: asking again with the same key delivers once.
                if last is not None:
                    last.outcome = AttemptOutcome.INTERRUPTED
                    last.finished_at = timezone.now()
                    last.save(update_fields=["outcome", "finished_at"])
            try:
                gateway.check()
                contact = recipient_for(notice=notice, channel=delivery.channel)
            except (NoAddress, NotConfigured) as exc:
                return _delivery_skip(delivery, notice, str(exc))
            recipient = contact.label
            attempt = DeliveryAttempt.objects.create(
                creditor_id=delivery.creditor_id,
                delivery=delivery,
                number=delivery.attempts + 1,
                recipient=recipient,
            )
            delivery.status = DeliveryStatus.SENDING
            delivery.attempts += 1
            delivery.recipient = recipient
            delivery.save(update_fields=["status", "attempts", "recipient", "updated_at"])
        # Committed: the attempt is on record before the provider hears of it.
        try:
            if isinstance(gateway, PrintChannel):
                provider_id = gateway.send(delivery)
            else:
                message = outgoing_message(
                    delivery=delivery, notice=notice, contact=contact, pdf_bytes=pdf_bytes
                )
                provider_id = gateway.send(message)
        except PermanentGatewayError as exc:
            return _attempt_failed(delivery, attempt, notice, str(exc), permanent=True)
        except TransientGatewayError as exc:
            return _attempt_failed(delivery, attempt, notice, str(exc), permanent=False)
        except OutcomeUnknown as exc:
            if gateway.idempotent:
                return _attempt_failed(delivery, attempt, notice, str(exc), permanent=False)
            with transaction.atomic():
                delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
                return _attempt_uncertain(delivery, attempt, notice, str(exc))
        except Exception as exc:
            logger.exception(
                "Delivery %s: unexpected error from the %s gateway", delivery.pk, gateway.channel
            )
            if gateway.idempotent:
                return _attempt_failed(delivery, attempt, notice, repr(exc), permanent=False)
            with transaction.atomic():
                delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
                return _attempt_uncertain(delivery, attempt, notice, f"unexpected {exc!r}.")
        return _attempt_accepted(delivery, attempt, notice, provider_id, gateway)


def _delivery_skip(delivery: Delivery, notice: Notice, reason: str) -> str:
    delivery.status = DeliveryStatus.SKIPPED
    delivery.last_error = reason
    delivery.save(update_fields=["status", "last_error", "updated_at"])
    message = Text(N_("Not sent by %(channel)s: %(reason)s"), channel=channel_text(delivery),
                   reason=reason)  # fmt: skip
    _event(notice, "notice.delivery_skipped", delivery, message)
    return SKIPPED


def _attempt_uncertain(
    delivery: Delivery,
    attempt: DeliveryAttempt | None,
    notice: Notice,
    cause: str = "the worker sending it stopped after handing the message over.",
) -> str:
    """The provider may have the message and cannot tell us: do not send it again."""
    reason = (
        f"The outcome of the last attempt is unknown: {cause} It is not sent again on this "
        "channel, to avoid sending it twice."
    )
    if attempt is not None:
        attempt.outcome = AttemptOutcome.UNKNOWN
        attempt.error = cause
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["outcome", "error", "finished_at"])
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason
    delivery.save(update_fields=["status", "last_error", "updated_at"])
    message = Text(N_("%(channel)s: %(error)s"), channel=channel_text(delivery), error=reason)
    _event(notice, "notice.delivery_uncertain", delivery, message)
    return FAILED


def _attempt_failed(
    delivery: Delivery, attempt: DeliveryAttempt, notice: Notice, error: str, *, permanent: bool
) -> str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        attempt.outcome = AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TRANSIENT
        attempt.error = error
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["outcome", "error", "finished_at"])
        delivery.last_error = error
        if delivery.status != DeliveryStatus.SENDING:
            delivery.save(update_fields=["last_error", "updated_at"])
            return delivery.status
        if permanent or delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            if not permanent:
                error = f"Gave up after {delivery.attempts} attempts: {error}"
            message = Text(N_("Could not be sent by %(channel)s: %(error)s"),
                           channel=channel_text(delivery), error=error)  # fmt: skip
            _event(notice, "notice.delivery_failed", delivery, message, permanent=permanent)
            return FAILED
        delivery.status = DeliveryStatus.QUEUED
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        message = Text(
            N_("%(channel)s failed for now (attempt %(attempt)s), will try again: %(error)s"),
            channel=channel_text(delivery),
            attempt=delivery.attempts,
            error=error,
        )
        _event(notice, "notice.delivery_deferred", delivery, message, permanent=False)
        return RETRY


def _attempt_accepted(
    delivery: Delivery,
    attempt: DeliveryAttempt,
    notice: Notice,
    provider_id: str,
    gateway: Gateway | PrintChannel,
) -> str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        attempt.outcome = AttemptOutcome.ACCEPTED
        attempt.provider_message_id = provider_id
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["outcome", "provider_message_id", "finished_at"])
        if delivery.status != DeliveryStatus.SENDING:
            return SENT if delivery.status == DeliveryStatus.SENT else delivery.status
        delivery.provider_message_id = provider_id
        delivery.last_error = ""
        if not gateway.final:
            delivery.save(update_fields=["provider_message_id", "last_error", "updated_at"])
            message = Text(N_("Added to print batch %(batch)s for %(recipient)s."),
                           batch=delivery.print_batch_id, recipient=delivery.recipient)  # fmt: skip
            _event(notice, "notice.queued_for_print", delivery, message, provider_id=provider_id)
            return WAITING
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.save(
            update_fields=["status", "sent_at", "provider_message_id", "last_error", "updated_at"]
        )
        message = Text(N_("Sent by %(channel)s to %(recipient)s."), channel=channel_text(delivery),
                       recipient=delivery.recipient)  # fmt: skip
        _event(notice, "notice.delivered", delivery, message, provider_id=provider_id)
        return SENT


# --- The creditor's channel policy -----------------------------------------------------------


@transaction.atomic
def channel_policy_set(
    *, creditor: Creditor, kind: str, channels: str, actor: AbstractBaseUser | None = None
) -> ChannelPolicy | None:
    """Set the creditor's channels for a notice kind after the one check
    (``notices.delivery.policy.channel_policy_check``; ``ValidationError`` on ``channels``);
    an empty ``channels`` goes back to the kind's default (returns None). Audited as
    ``channel_policy.changed``; notices already planned keep their deliveries."""
    from creditors.services import settings_change_record

    kind_for(kind)  # ValueError for an unknown kind
    existing = (
        ChannelPolicy.objects.select_for_update().filter(creditor_id=creditor.pk, kind=kind).first()
    )
    before = existing.channels if existing is not None else ""
    text = (channels or "").strip()
    if not text:
        if existing is None:
            return None
        existing.delete()
        policy, after = None, ""
    else:
        after = channel_policy_check(kind=kind, channels=text, jurisdiction=creditor.jurisdiction)
        if after == before:
            return existing
        policy = existing or ChannelPolicy(creditor_id=creditor.pk, kind=kind)
        policy.channels = after
        policy.save()
    settings_change_record(
        creditor_id=creditor.pk,
        actor=actor,
        code="channel_policy.changed",
        subject=kind,
        changes={"channels": (before, after)},
    )
    return policy
