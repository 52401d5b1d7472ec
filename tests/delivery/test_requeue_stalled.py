"""Delivery work whose message was lost (the broker down when it was queued on commit) is
queued again by beat's sweep: a rendered notice never handed to delivery, a retry that went
missing, a closed print batch never composed. Work that is under way is left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from collections_portal.celery import app
from collections_portal.tenancy import creditor_scope
from notices.delivery.models import Delivery, DeliveryStatus, PrintBatch, PrintBatchStatus
from notices.delivery.services import print_batch_close
from notices.delivery.tasks import requeue_stalled
from notices.models import NoticeKind
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.notices.test_pipeline import wait_for

from .conftest import gateway_env
from .helpers import deliver, policy
from .pdfs import case_owing, rendered_notice

LATER = timedelta(minutes=django_settings.NOTICES_REQUEUE_AFTER_MINUTES + 1)


def test_beat_runs_the_sweep():
    entry = django_settings.CELERY_BEAT_SCHEDULE["delivery-requeue-stalled"]
    assert entry["task"] == "delivery.requeue_stalled" and entry["task"] in app.tasks


@pytest.mark.django_db
def test_only_lost_work_is_queued_again(tenant_a, media):
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print")
    rendered_notice(case_owing(tenant_a.creditor))  # its delivery task was lost
    deliver(rendered_notice(case_owing(tenant_a.creditor)))  # waits in the open print batch
    start = timezone.now()
    with time_machine.travel(start + LATER):
        rendered_notice(case_owing(tenant_a.creditor))  # just rendered: its task is queued
        assert requeue_stalled.apply().get() == {"notices": 1, "print_batches": 0}

    with creditor_scope(tenant_a.creditor):
        print_batch_close(batch=PrintBatch.objects.get())
    with time_machine.travel(start + 2 * LATER):
        # Now the second notice is old too, and the batch was closed and never composed.
        assert requeue_stalled.apply().get() == {"notices": 2, "print_batches": 1}


@pytest.mark.django_db
def test_a_delivery_whose_retry_went_missing_is_queued_again(tenant_a, media):
    notice = rendered_notice(case_owing(tenant_a.creditor))
    with creditor_scope(tenant_a.creditor):
        Delivery.objects.create(creditor=tenant_a.creditor, notice=notice, channel="email")
    waited = LATER + timedelta(seconds=django_settings.DELIVERY_RETRY_MAX_SECONDS)
    with time_machine.travel(timezone.now() + LATER):
        # Within the longest backoff the retry may still be waiting in a worker.
        assert requeue_stalled.apply().get()["notices"] == 0
    with time_machine.travel(timezone.now() + waited + timedelta(minutes=1)):
        assert requeue_stalled.apply().get()["notices"] == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_and_composes_what_the_sweep_queues(tenant_a, media, settings):
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print")
    first = rendered_notice(case_owing(tenant_a.creditor))
    deliver(first)
    with creditor_scope(tenant_a.creditor):
        print_batch_close(batch=PrintBatch.objects.get())
    lost = rendered_notice(case_owing(tenant_a.creditor))  # its delivery task never ran

    queue, process = start_celery_worker(gateway_env(settings))
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # what the sweep queues goes to this worker
    try:
        with time_machine.travel(timezone.now() + LATER):
            assert requeue_stalled.apply().get() == {"notices": 1, "print_batches": 1}

        def done() -> bool:
            with creditor_scope(tenant_a.creditor):
                batches = set(PrintBatch.objects.values_list("status", flat=True))
                planned = Delivery.objects.filter(notice=lost).exists()
            return PrintBatchStatus.COMPOSED in batches and planned

        assert wait_for(done)
    finally:
        app.conf.task_default_queue = previous
        stop_celery_worker(queue, process)
    with creditor_scope(tenant_a.creditor):
        delivery = Delivery.objects.get(notice=lost)
    assert delivery.status == DeliveryStatus.SENDING  # waits in a new print batch
