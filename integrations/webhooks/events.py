"""One call per domain event, for the services that report them (a line each in their code).

Each builds its payload lazily (only when the creditor has a subscribed endpoint) through
:mod:`.payloads` and hands it to :func:`.services.webhook_event_emit`, inside the caller's
transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import payloads
from .models import EventType, WebhookEvent
from .services import webhook_event_emit

if TYPE_CHECKING:
    from collections.abc import Callable

    from cases.models import Case, Payment
    from notices.models import Notice


def emit_case_created(case: Case) -> WebhookEvent | None:
    return webhook_event_emit(
        creditor_id=case.creditor_id,
        event=EventType.CASE_CREATED,
        data=lambda: payloads.case_created(case),
    )


def emit_case_state_changed(case: Case, *, from_state: str, reason: str) -> WebhookEvent | None:
    """Only for a real change of state (a second reminder stays in ``reminder``)."""
    if not from_state or from_state == case.state:
        return None
    return webhook_event_emit(
        creditor_id=case.creditor_id,
        event=EventType.CASE_STATE_CHANGED,
        data=lambda: payloads.case_state_changed(case, from_state=from_state, reason=reason),
    )


def emit_payment_received(payment: Payment) -> WebhookEvent | None:
    return webhook_event_emit(
        creditor_id=payment.creditor_id,
        event=EventType.PAYMENT_RECEIVED,
        data=lambda: payloads.payment_received(payment),
    )


def emit_notice_sent(notice: Notice, *, channel: str = "") -> WebhookEvent | None:
    """For the letters' delivery step, once a notice has gone out on ``channel``."""
    return webhook_event_emit(
        creditor_id=notice.creditor_id,
        event=EventType.NOTICE_SENT,
        data=lambda: payloads.notice_sent(notice, channel=channel),
    )


def emit_import_finished(
    *, creditor_id: int, data: dict[str, Any] | Callable[[], dict[str, Any]]
) -> WebhookEvent | None:
    """For the bulk import, when a job has finished: ``data`` as documented in the report
    (``{"import": {"id", "status", "rows", "accepted", "rejected", ...}}``)."""
    return webhook_event_emit(creditor_id=creditor_id, event=EventType.IMPORT_FINISHED, data=data)


def emit_settlement_created(settlement) -> WebhookEvent | None:
    """For the settlement service, in the settlement's transaction: sent once it commits."""
    return webhook_event_emit(
        creditor_id=settlement.creditor_id,
        event=EventType.SETTLEMENT_CREATED,
        data=lambda: payloads.settlement_created(settlement),
    )
