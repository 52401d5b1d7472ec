"""The API's scheduled housekeeping: thin, safe to run twice."""

from celery import shared_task

from .idempotency import idempotency_records_delete_expired


@shared_task(name="api.idempotency_cleanup", acks_late=True)
def idempotency_cleanup() -> int:
    """Forget idempotency records past their expiry (not tenant data: no scope needed)."""
    return idempotency_records_delete_expired()
