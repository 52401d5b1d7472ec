"""Settling a notice: the one place a notice becomes sent or failed, and the timeline entries
about its deliveries.

Used by the sending loop (``notices.delivery.services``) and by the print batch
(``notices.delivery.printing``) when a composed batch sends its letters.
"""

from __future__ import annotations

from itertools import groupby

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_noop as N_

from cases.timeline import event_record
from collections_portal.texts import Text
from integrations.webhooks.events import emit_notice_sent
from notices.models import Notice, NoticeStatus

from .models import Channel, Delivery, DeliveryStatus

ACTOR = "delivery"


def notice_text(notice: Notice) -> Text:
    return notice.text()


def channel_text(delivery: Delivery) -> Promise:
    return Channel(delivery.channel).label


def delivery_event(
    notice: Notice, code: str, delivery: Delivery, message: str | Text, **data
) -> None:
    """A timeline event about one delivery of a notice."""
    event_record(
        case=notice.case,
        code=code,
        actor=ACTOR,
        message=Text(N_("%(notice)s: %(message)s"), notice=notice_text(notice), message=message),
        data={
            "notice": notice.pk,
            "kind": notice.kind,
            "sequence": notice.sequence,
            "channel": delivery.channel,
            "delivery": delivery.pk,
            "attempts": delivery.attempts,
            "recipient": delivery.recipient,
            **data,
        },
    )


def notice_settle(*, notice: Notice) -> str:
    """Mark the notice sent or failed once every route of its plan is done; else leave it."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("case").get(pk=notice.pk)
        if notice.status in (NoticeStatus.SENT, NoticeStatus.FAILED):
            return notice.status
        deliveries = list(notice.deliveries.order_by("route", "step"))
        if not deliveries:
            return notice.status
        for _route, steps in groupby(deliveries, key=lambda d: d.route):
            statuses = {d.status for d in steps}
            if DeliveryStatus.SENT in statuses:
                continue
            if statuses <= {DeliveryStatus.FAILED, DeliveryStatus.SKIPPED}:
                continue
            return notice.status  # this route is still queued, sending or in a print batch
        sent = [d for d in deliveries if d.status == DeliveryStatus.SENT]
        if sent:
            notice_mark_sent(notice=notice, deliveries=sent)
        else:
            notice_mark_failed(notice=notice, deliveries=deliveries)
        return notice.status


def notice_mark_sent(*, notice: Notice, deliveries: list[Delivery]) -> None:
    """THE place a notice becomes sent: status, the ``notice.sent`` timeline event, and the
    hook for outgoing webhooks (to be called on commit here). Called inside the transaction
    of ``notice_settle`` with the notice row locked, once per notice."""
    notice.status = NoticeStatus.SENT
    notice.save(update_fields=["status"])
    event_record(
        case=notice.case,
        code="notice.sent",
        actor=ACTOR,
        message=Text(
            N_("%(notice)s: sent (%(channels)s)."),
            notice=notice_text(notice),
            channels=Text.join(*(channel_text(d) for d in deliveries), separator=", "),
        ),
        data={
            "notice": notice.pk,
            "kind": notice.kind,
            "sequence": notice.sequence,
            "channels": [d.channel for d in deliveries],
        },
    )
    # Webhooks: recorded in this transaction, sent on commit.
    emit_notice_sent(notice, channel=",".join(d.channel for d in deliveries))


def notice_mark_failed(*, notice: Notice, deliveries: list[Delivery]) -> None:
    """Every channel of some route failed or had no address and nothing was sent."""
    notice.status = NoticeStatus.FAILED
    notice.save(update_fields=["status"])
    event_record(
        case=notice.case,
        code="notice.failed",
        actor=ACTOR,
        message=Text(
            N_("%(notice)s: not sent. %(reasons)s"),
            notice=notice_text(notice),
            reasons=Text.join(
                *(
                    Text(N_("%(channel)s: %(error)s"), channel=channel_text(d), error=d.last_error)
                    for d in deliveries
                ),
                separator="; ",
            ),
        ),
        data={"notice": notice.pk, "kind": notice.kind, "sequence": notice.sequence},
    )
