"""Celery tasks of the webhooks: thin, ids only, safe to run twice.

Retries are not Celery retries: a failed attempt stores when the next one is due
(``services.RETRY_SCHEDULE``) and the sweep, run by beat every minute, queues it then. So no
message waits for hours in the broker, and a lost message is queued again.
"""

from celery import shared_task

from collections_portal.celery import CreditorTask

from .services import webhook_deliveries_enqueue_due, webhook_delivery_send


@shared_task(name="webhooks.send_delivery", base=CreditorTask, acks_late=True)
def webhook_delivery_send_task(*, delivery_id: int, creditor_id: int) -> dict:
    delivery = webhook_delivery_send(delivery_id=delivery_id)
    if delivery is None:
        return {"delivery": delivery_id, "status": "skipped"}
    return {
        "delivery": delivery_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_code": delivery.last_response_code,
    }


@shared_task(name="webhooks.send_due_deliveries", acks_late=True)
def webhook_deliveries_send_due_task() -> dict:
    return {"queued": webhook_deliveries_enqueue_due()}
