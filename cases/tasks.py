"""Celery tasks of the case lifecycle: thin, safe to run twice."""

from celery import shared_task

from .scheduler import advance_due_cases


@shared_task(name="cases.advance_due_cases", acks_late=True)
def advance_due_cases_task() -> dict:
    report = advance_due_cases()
    return {"advanced": report.advanced, "failed": len(report.failed), "batches": report.batches}
