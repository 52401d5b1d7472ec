"""Celery tasks of the case lifecycle: thin, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from collections_portal.celery import CreditorTask

from .limitation_watch import flag_approaching_limitation

# The timeline queues this one (it imports no service, so the timeline may import it).
from .notifications import notify_event_task  # noqa: F401
from .scheduler import advance_due_cases


@shared_task(name="cases.advance_due_cases", acks_late=True)
def advance_due_cases_task() -> dict:
    """Every minute: one step on every due case, for every creditor (the scheduler claims
    cases with SKIP LOCKED, so two runs never take the same case)."""
    report = advance_due_cases()
    return {"advanced": report.advanced, "failed": len(report.failed), "batches": report.batches}


@shared_task(name="cases.flag_approaching_limitation", acks_late=True)
def flag_approaching_limitation_task() -> dict:
    """Daily: timeline warnings for claims nearing limitation; safe to run twice."""
    return {"flagged": flag_approaching_limitation(today=timezone.localdate())}


@shared_task(name="cases.credit_bureau_send", base=CreditorTask, acks_late=True)
def credit_bureau_send_task(*, submission_id: int, creditor_id: int) -> str:
    """Send one registration or deletion to the credit bureau (idempotent by its key)."""
    from .services.credit_bureau import submission_send

    return submission_send(submission_id=submission_id)


@shared_task(name="cases.credit_bureau_sweep", acks_late=True)
def credit_bureau_sweep_task() -> dict:
    """Hourly: decision work items, deletions at five years, waiting submissions queued."""
    from .services.credit_bureau import credit_bureau_sweep

    report = credit_bureau_sweep(today=timezone.localdate())
    return {
        "decisions": report.decisions,
        "lapsed": report.lapsed,
        "expired": report.expired,
        "requeued": report.requeued,
    }


@shared_task(name="cases.send_notification_digests", acks_late=True)
def send_notification_digests_task() -> dict:
    """Daily: each person's digest of the events since their last one (taken once)."""
    from .notifications import digests_send

    return digests_send()


# The work screen's SMS task lives beside its service; imported here so the worker finds it.
from .tasks_sms import send_agent_sms  # noqa: E402, F401
