"""Celery tasks of notice delivery: thin, ids only, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from collections_portal.celery import CreditorTask, enqueue, enqueue_on_commit
from collections_portal.tenancy import agency_scope
from notices.models import Notice, NoticeStatus

from .models import DeliveryStatus, PrintBatch, PrintBatchStatus
from .services import DeliveryRetry, notice_deliver, print_batch_compose, print_batches_close_due


def retry_countdown(retries: int) -> int:
    """Exponential backoff: base, 2 x base, 4 x base, ... capped."""
    delay = settings.DELIVERY_RETRY_BASE_SECONDS * 2**retries
    return min(delay, settings.DELIVERY_RETRY_MAX_SECONDS)


@shared_task(
    base=CreditorTask, bind=True, name="delivery.deliver_notice", acks_late=True, max_retries=50
)
def deliver_notice(self, notice_id: int, *, creditor_id: int) -> dict:
    """Deliver one rendered notice; temporary failures are retried with backoff."""
    notice = Notice.objects.get(pk=notice_id)
    try:
        return notice_deliver(notice=notice).as_dict()
    except DeliveryRetry as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


def queue_delivery(*, notice: Notice) -> None:
    """Queue a notice's delivery once the current transaction commits."""
    enqueue_on_commit(deliver_notice, notice.pk, creditor_id=notice.creditor_id)


@shared_task(base=CreditorTask, name="delivery.compose_print_batch", acks_late=True)
def compose_print_batch(batch_id: int, *, creditor_id: int) -> dict:
    batch = print_batch_compose(batch=PrintBatch.objects.get(pk=batch_id))
    return {"batch": batch.pk, "letters": batch.letter_count, "pages": batch.page_count}


def queue_print_batch_compose(*, batch: PrintBatch) -> None:
    enqueue_on_commit(compose_print_batch, batch.pk, creditor_id=batch.creditor_id)


@shared_task(name="delivery.close_print_batches", acks_late=True)
def close_print_batches() -> dict:
    """Celery beat: close every creditor's open print batch and compose each one."""
    with agency_scope(reason="beat closes every creditor's open print batch"), transaction.atomic():
        closed = print_batches_close_due()
        for batch in closed:
            queue_print_batch_compose(batch=batch)
    return {"closed": [batch.pk for batch in closed]}


@shared_task(name="delivery.requeue_stalled", acks_late=True)
def requeue_stalled() -> dict:
    """Celery beat: queue again the delivery work whose message was lost (a broker that was
    down when it was queued on commit, or when a worker queued a retry). Safe to run twice:
    delivering and composing are both safe to repeat.

    - a rendered notice with no deliveries planned: its delivery task never ran;
    - a rendered notice with a delivery still queued long after the longest retry backoff:
      its retry message is gone (one in a print batch is ``sending``, not queued);
    - a closed print batch never composed.
    """
    now = timezone.now()
    cutoff = now - timedelta(minutes=settings.NOTICES_REQUEUE_AFTER_MINUTES)
    retry_lost = cutoff - timedelta(seconds=settings.DELIVERY_RETRY_MAX_SECONDS)
    with agency_scope(reason="requeue stalled deliveries and print batches of every creditor"):
        never_delivered = Notice.objects.filter(
            status=NoticeStatus.RENDERED, rendered_at__lt=cutoff, deliveries__isnull=True
        )
        retry_gone = Notice.objects.filter(
            status=NoticeStatus.RENDERED,
            deliveries__status=DeliveryStatus.QUEUED,
            deliveries__updated_at__lt=retry_lost,
        )
        notices = list(
            (never_delivered | retry_gone)
            .distinct()
            .order_by("pk")
            .values_list("pk", "creditor_id")[:1000]
        )
        batches = list(
            PrintBatch.objects.filter(status=PrintBatchStatus.CLOSED, closed_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", "creditor_id")[:100]
        )
    return {
        "notices": sum(enqueue(deliver_notice, pk, creditor_id=c) for pk, c in notices),
        "print_batches": sum(enqueue(compose_print_batch, pk, creditor_id=c) for pk, c in batches),
    }
