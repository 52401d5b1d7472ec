"""The work screen's SMS: sent by a Celery task after the agent's request commits."""

from celery import shared_task

from collections_portal.celery import CreditorTask
from integrations.gateways.base import TransientGatewayError


@shared_task(
    name="cases.send_agent_sms",
    base=CreditorTask,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TransientGatewayError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def send_agent_sms(*, event_id: int, creditor_id: int) -> str:
    """Send one queued SMS (its idempotency key makes a retry the same SMS)."""
    from .services.work_actions import sms_deliver

    return sms_deliver(event_id=event_id)
