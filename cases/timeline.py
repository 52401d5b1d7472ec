"""The case timeline: the one writer of ``CaseEvent`` rows and the one list of event codes.

It sits below the services (``cases.services``), the letters (``notices``) and their delivery
(``notices.delivery``): each of them records what it did here, and this module imports none
of them. A code not in :data:`EVENTS` is refused, so the list stays whole: a new step adds its
code and its title here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseEvent
from collections_portal.texts import Text, as_text, english
from integrations.webhooks.events import emit_case_state_changed


@dataclass(frozen=True)
class EventCode:
    code: str
    title: Promise  # Danish and English through gettext, shown on the case's timeline


def _codes(*pairs: tuple[str, Promise]) -> dict[str, EventCode]:
    return {code: EventCode(code, title) for code, title in pairs}


EVENTS: dict[str, EventCode] = _codes(
    # The case's steps (cases.services.lifecycle and the scheduler).
    ("case.reminder_sent", _("Reminder sent")),
    ("case.warning_sent", _("Collection warning sent")),
    ("case.warning_evidence_accepted", _("Creditor's collection warning accepted")),
    ("case.collection_started", _("Collection started")),
    ("case.monitoring_started", _("Monitoring started")),
    ("case.monitoring_rechecked", _("Monitoring rechecked")),
    ("case.reopened", _("Case reopened")),
    ("case.closed", _("Case closed")),
    ("case.reinstated", _("Case reinstated")),
    ("case.paused", _("Case paused")),
    ("case.resumed", _("Case resumed")),
    ("case.written_down", _("Claim written down (credit note)")),
    ("case.needs_attention", _("Case needs attention")),
    ("case.dispute_opened", _("Dispute opened")),
    ("case.dispute_resolved", _("Dispute resolved")),
    ("case.promise_recorded", _("Promise to pay recorded")),
    ("case.promise_kept", _("Promise to pay kept")),
    ("case.promise_broken", _("Promise to pay broken")),
    ("case.note", _("Note")),
    # Messages between the creditor and the agency (cases.services.messages).
    ("case.message_from_creditor", _("Message from the creditor")),
    ("case.message_from_agency", _("Message from the agency")),
    # The agent workspace (cases.services.workspace).
    ("case.contact_logged", _("Contact logged")),
    ("case.callback_set", _("Callback set")),
    ("work.item_closed", _("Work item closed")),
    # The work screen's further actions (cases.services.work_actions).
    ("debtor.contact_updated", _("Contact details updated")),
    ("case.sms_queued", _("SMS queued")),
    ("case.sms_sent", _("SMS sent")),
    ("case.sms_failed", _("SMS not sent")),
    ("case.document_added", _("Document added")),
    ("case.collection_costs_corrected", _("Collection costs corrected")),
    # The legal track (cases.services.legal).
    ("case.payment_claim_filed", _("Payment claim filed")),
    ("case.payment_claim_endorsed", _("Payment claim endorsed")),
    ("case.payment_claim_objected", _("Objection to the payment claim")),
    ("case.enforcement_requested", _("Enforcement requested")),
    ("case.attachment_recorded", _("Attachment recorded")),
    # Limitation (cases.limitation_watch).
    ("claim.limitation_approaching", _("Claim approaching limitation")),
    ("claim.time_barred", _("Claim time-barred")),
    # Payments and instalment plans.
    ("payment.received", _("Payment received")),
    ("payment.reversed", _("Payment reversed")),
    ("payment.moved_out", _("Payment moved to another case")),
    ("payment.moved_in", _("Payment moved from another case")),
    ("payment.refunded", _("Credit refunded to the debtor")),
    ("plan.created", _("Instalment plan created")),
    ("plan.settlement_signed", _("Settlement signed")),
    ("plan.activated", _("Instalment plan activated")),
    ("plan.instalment_missed", _("Instalment missed")),
    ("plan.broken", _("Instalment plan broken")),
    ("plan.completed", _("Instalment plan completed")),
    ("plan.cancelled", _("Instalment plan cancelled")),
    ("plan.acknowledgement_sent", _("Acknowledgement of debt sent for signature")),
    # Approval requests (cases.services.approvals): plans outside the policy, write-offs.
    ("approval.requested", _("Approval requested")),
    ("approval.approved", _("Request approved")),
    ("approval.rejected", _("Request rejected")),
    ("case.written_off", _("Balance written off")),
    ("work.item_reassigned", _("Work item reassigned")),
    # Credit-bureau registration (cases.services.credit_bureau).
    ("credit_bureau.warning_sent", _("Credit-bureau warning sent")),
    ("credit_bureau.registered", _("Registered with the credit bureau")),
    ("credit_bureau.deregistered", _("Credit-bureau registration deleted")),
    ("credit_bureau.cancelled", _("Credit-bureau registration not made")),
    ("credit_bureau.submission_failed", _("Credit-bureau submission failed")),
    # Letters (notices) and their delivery (notices.delivery).
    ("notice.render_failed", _("Letter could not be rendered")),
    ("notice.queued_for_print", _("Letter queued for print")),
    ("notice.delivered", _("Letter delivered")),
    ("notice.delivery_skipped", _("Delivery channel skipped")),
    ("notice.delivery_deferred", _("Delivery deferred")),
    ("notice.delivery_failed", _("Delivery failed")),
    ("notice.delivery_uncertain", _("Delivery outcome unknown")),
    ("notice.sent", _("Letter sent")),
    ("notice.failed", _("Letter not sent")),
)


# The events a person may be e-mailed about (cases.notifications: who, in which language).
NOTIFIED_CODES = frozenset(
    {"case.message_from_creditor", "case.message_from_agency", "case.closed", "case.dispute_opened"}
)


def event_title(code: str) -> str:
    """The title of an event code for display; the code itself when it is not (or no
    longer) registered, so an old row still shows."""
    event = EVENTS.get(code)
    return str(event.title) if event else code


def actor_fields(actor: AbstractBaseUser | str | None) -> dict:
    """The ``actor``/``actor_label`` fields of a timeline row: a user, or a system's name."""
    if actor is None or isinstance(actor, str):
        return {"actor": None, "actor_label": actor or "system"}
    return {"actor": actor, "actor_label": actor.get_username()}


def event_record(
    *,
    case: Case,
    code: str,
    actor: AbstractBaseUser | str | None = None,
    from_state: str = "",
    message: str | Text | Promise = "",
    data: dict | None = None,
) -> CaseEvent:
    """Append an event to the case's timeline (in the caller's transaction).

    ``message`` (why) is best a :class:`~collections_portal.texts.Text` or a lazily translated
    string: it is then read in the reader's language; a plain string (a person's own words,
    such as a reason typed in a form) is kept as written."""
    if code not in EVENTS:
        raise ValueError(f"Unknown timeline event code {code!r}: add it to cases.timeline.EVENTS.")
    event = CaseEvent.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        code=code,
        from_state=from_state,
        to_state=case.state,
        message=english(message),
        message_text=(as_text(message).to_json() if isinstance(message, Text | Promise) else None),
        data=data or {},
        **actor_fields(actor),
    )
    # Every transition records its event here: a real change of state is also a webhook
    # (recorded in this transaction, sent on commit).
    emit_case_state_changed(case, from_state=from_state, reason=code)
    if code in NOTIFIED_CODES:
        # People who asked to be told at once get an e-mail, from a task queued on commit.
        from collections_portal.celery import enqueue_on_commit

        from .notifications import notify_event_task

        enqueue_on_commit(notify_event_task, event_id=event.pk, creditor_id=case.creditor_id)
    return event
