"""Celery tasks of the letters: thin, ids as arguments, safe to run twice.

``render_notice`` is queued on commit by every lifecycle step that makes a notice
(``cases.services.steps.notice_create``). Its success path ends in :func:`after_render`, the
one place where the next step (delivery) is to be chained.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from collections_portal.celery import CreditorTask, enqueue, enqueue_on_commit
from collections_portal.tenancy import agency_scope

from .models import Notice, NoticeStatus
from .services import notice_mark_render_failed, notice_preview, notice_render

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the storage was briefly away. Anything else (a
# template error, a notice with nothing to say) fails the same way again: it is recorded on
# the case's timeline instead.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def queue_render(*, notice_id: int, creditor_id: int) -> None:
    """Queue a notice's render once the current transaction commits (a broker that is down
    leaves it pending for :func:`requeue_pending_notices`)."""
    enqueue_on_commit(render_notice, notice_id, creditor_id=creditor_id)


def after_render(notice: Notice) -> None:
    """The end of a successful render: the one place delivery is chained from.

    The delivery task is queued on commit; it chooses the channels by the creditor's policy.
    """
    from notices.delivery.tasks import queue_delivery

    logger.info("notice %s ready for delivery (sha256 %s)", notice.pk, notice.pdf_sha256)
    queue_delivery(notice=notice)


@shared_task(
    bind=True,
    base=CreditorTask,
    name="notices.render_notice",
    acks_late=True,
    ignore_result=True,  # the outcome is the notice row itself; nobody waits for a result
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def render_notice(self, notice_id: int, *, creditor_id: int) -> dict | None:
    """Render one notice to its stored PDF (in the creditor's scope, via ``CreditorTask``)."""
    # The service locks and loads the notice itself (one query fewer than loading it here).
    notice = Notice(pk=notice_id, creditor_id=creditor_id)
    try:
        notice = notice_render(notice=notice)
    except Notice.DoesNotExist:
        logger.warning("notice %s of creditor %s not found: nothing to render", notice_id,
                       creditor_id)  # fmt: skip
        return None
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        notice_mark_render_failed(notice=notice, error=f"{type(exc).__name__}: {exc}")
        raise
    after_render(notice)
    return {"notice": notice.pk, "sha256": notice.pdf_sha256, "pdf": notice.pdf.name}


@shared_task(base=CreditorTask, name="notices.preview_notice", acks_late=True)
def preview_notice(case_id: int, kind: str, language: str, *, creditor_id: int) -> dict:
    """Render a preview for the browser that waits for it; the PDF comes back base64 encoded
    through the result backend and is stored nowhere."""
    from cases.models import Case

    from .context import NoticeNotApplicable

    case = Case.objects.select_related("creditor", "debtor").get(pk=case_id)
    try:
        data = notice_preview(case=case, kind=kind, language=language or None)
    except NoticeNotApplicable as exc:
        return {"error": str(exc)}
    return {"pdf": base64.b64encode(data).decode("ascii")}


@shared_task(name="notices.requeue_pending_notices", acks_late=True)
def requeue_pending_notices() -> dict:
    """Queue the render of notices still pending some minutes after they were made (a broker
    that was down at commit time must not leave a letter unrendered). Safe to run twice: a
    render of a stored notice returns it as it is."""
    cutoff = timezone.now() - timedelta(minutes=settings.NOTICES_REQUEUE_AFTER_MINUTES)
    with agency_scope(reason="requeue pending notices of every creditor"):
        pending = list(
            Notice.objects.filter(status=NoticeStatus.PENDING, created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", "creditor_id")[:1000]
        )
    queued = sum(
        enqueue(render_notice, notice_id, creditor_id=creditor_id)
        for notice_id, creditor_id in pending
    )
    return {"queued": queued}
