"""The work screen's further actions (issue 16): open and decide disputes, the legal track's
steps, monitoring, closing with a reason, the debtor's contact details, and SMS from a
template. Each one is a thin service over the step that owns the write (``lifecycle``,
``legal``, ``case_actions``, ``debtors.services``), in one transaction, with a timeline row
naming the agent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import selectors
from cases.models import (
    AttachmentOutcome,
    Case,
    CaseEvent,
    CaseState,
    Claim,
    ClosedReason,
    Dispute,
    LegalStep,
    LegalStepKind,
    WorkItem,
    WorkItemStatus,
)
from cases.rules import interest_start
from cases.rules.legal import court_fee_payment_claim, summary_procedure_refusal
from cases.rules.rates import MissingRate
from cases.timeline import event_record
from collections_portal.celery import enqueue_on_commit
from collections_portal.money import format_money, to_money
from debtors.selectors import contact_for
from debtors.services import debtor_contact_details_update
from integrations.gateways.base import NotConfigured, OutgoingMessage, PermanentGatewayError
from integrations.gateways.registry import gateway_for

from . import legal, lifecycle
from .case_actions import claim_write_down, refuse_if_closed
from .errors import CaseError
from .locking import lock_case
from .work_items import work_item_close


def agent_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


# --- Disputes -----------------------------------------------------------------------------


class DisputeCategory(models.TextChoices):
    """What the debtor disputes; the category heads the dispute's reason."""

    AMOUNT = "amount", gettext_lazy("The amount is wrong")
    PAID = "paid", gettext_lazy("Already paid")
    NOT_DELIVERED = "not_delivered", gettext_lazy("Goods or service not delivered")
    DEFECTIVE = "defective", gettext_lazy("Goods or service defective")
    NOT_ORDERED = "not_ordered", gettext_lazy("Never ordered")
    IDENTITY = "identity", gettext_lazy("Not the debtor's debt")
    OTHER = "other", gettext_lazy("Other")


class DisputeRemedy(models.TextChoices):
    """What an upheld dispute changes."""

    WITHDRAW = "withdraw", gettext_lazy("Withdraw the claim (close the case)")
    WRITE_DOWN = "write_down", gettext_lazy("Write the claim down and go on")


@transaction.atomic
def dispute_register(
    *, case: Case, user: AbstractBaseUser, category: str, reason: str, statement: str = ""
) -> Dispute:
    """The agent registers the debtor's dispute: its category and reason (in the debtor's
    language: the acknowledgement quotes it), through ``lifecycle.dispute_open``."""
    if category not in DisputeCategory.values:
        raise ValidationError({"category": _("Choose what the debtor disputes.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the debtor disputes.")})
    refuse_if_closed(case, _("a dispute"))
    with translation.override(case.debtor.language):
        label = str(DisputeCategory(category).label)
    text = f"{label}: {reason}"
    if len(text) > Dispute._meta.get_field("reason").max_length:
        raise ValidationError({"reason": _("At most 150 characters; put more in the statement.")})
    return lifecycle.dispute_open(
        case=case, reason=text, debtor_statement=statement.strip(), actor=user
    )


@transaction.atomic
def dispute_decide(
    *,
    dispute: Dispute,
    user: AbstractBaseUser,
    outcome: str,
    note: str,
    remedy: str = "",
    amount: Decimal | str | None = None,
) -> Dispute:
    """Decide a dispute from the work screen, with a letter to the debtor either way.

    Rejected: the case resumes. Upheld: withdraw the claim (the case closes as withdrawn), or
    write it down by ``amount`` (a credit note through ``claim_write_down``) and go on.
    """
    if outcome not in Dispute.Outcome.values:
        raise ValidationError({"outcome": _("Choose upheld or rejected.")})
    if outcome == Dispute.Outcome.REJECTED:
        return lifecycle.dispute_resolve(dispute=dispute, outcome=outcome, note=note, user=user)
    if remedy not in DisputeRemedy.values:
        raise ValidationError({"remedy": _("Choose to withdraw the claim or write it down.")})
    if remedy == DisputeRemedy.WITHDRAW:
        return lifecycle.dispute_resolve(
            dispute=dispute,
            outcome=outcome,
            note=note,
            user=user,
            data={"remedy": DisputeRemedy.WITHDRAW},
        )
    figure = to_money(amount or "")
    if figure <= 0:
        raise ValidationError({"amount": _("The amount must be more than 0.")})
    resolved = lifecycle.dispute_resolve(
        dispute=dispute,
        outcome=outcome,
        note=note,
        user=user,
        withdraw=False,
        data={"remedy": DisputeRemedy.WRITE_DOWN, "written_down": str(figure)},
    )
    claim_write_down(case=dispute.case, amount=figure, reason=note, user=user)
    return resolved


# --- Monitoring and closing ----------------------------------------------------------------


@transaction.atomic
def case_monitor(*, case: Case, user: AbstractBaseUser, note: str = "") -> Case:
    """Move a case in collection to long-term monitoring (the debtor cannot pay now)."""
    case = lock_case(case)
    if case.state != CaseState.COLLECTION:
        raise CaseError(
            _("Only a case in collection can move to monitoring (this one is %(state)s).")
            % {"state": case.get_state_display()}
        )
    lifecycle.case_to_monitoring(
        case=case,
        on=timezone.localdate(),
        actor=user,
        reason=f"{agent_name(user)}: {note.strip()}".strip(": ")
        or "No payment: long-term monitoring.",
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def case_close_with_reason(
    *, case: Case, user: AbstractBaseUser, reason: str, note: str = ""
) -> Case:
    """Close the case with one of the model's reasons. "Paid" only when nothing is owed."""
    case = lock_case(case)
    if reason not in ClosedReason.values:
        raise ValidationError({"reason": _("Choose why the case is closed.")})
    refuse_if_closed(case, _("closing"))
    if reason == ClosedReason.PAID:
        owed = selectors.case_statement(case, on=timezone.localdate()).total
        if owed > 0:
            raise ValidationError(
                {
                    "reason": _(
                        "%(owed)s is still owed: a case is closed as paid only when nothing is."
                    )
                    % {"owed": format_money(owed)}
                }
            )
    if not note.strip():
        raise ValidationError({"note": _("Say why the case is closed.")})
    case = lifecycle.case_close(
        case=case, reason=reason, actor=user, message=f"{agent_name(user)}: {note.strip()}"
    )
    # Nothing is left to do on a closed case: its open work items leave the queue with it.
    for item in WorkItem.objects.filter(case=case, status=WorkItemStatus.OPEN):
        work_item_close(item=item, user=user, outcome=f"Case closed ({reason}).")
    return case


# --- Contact details -----------------------------------------------------------------------


@transaction.atomic
def contact_details_update(
    *,
    case: Case,
    user: AbstractBaseUser,
    address_line: str,
    postal_code: str,
    city: str,
    email: str = "",
    mobile: str = "",
    sms_consent: bool = False,
) -> list[tuple[str, str, str]]:
    """Update the case's debtor's address, e-mail, mobile and SMS consent (through
    ``debtors.services``); every change, old and new value, on the case's timeline."""
    case = lock_case(case)
    changes = debtor_contact_details_update(
        debtor=case.debtor,
        address_line=address_line,
        postal_code=postal_code,
        city=city,
        email=email,
        mobile=mobile,
        sms_consent=sms_consent,
    )
    if changes:
        event_record(
            case=case,
            code="debtor.contact_updated",
            actor=user,
            from_state=case.state,
            message=f"{agent_name(user)}: "
            + "; ".join(f"{name}: {old or '-'} → {new or '-'}" for name, old, new in changes),
            data={"changes": [list(change) for change in changes]},
        )
    return changes


# --- The legal track -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLine:
    invoice_number: str
    description: str
    invoice_date: date
    due_date: date
    principal: Decimal
    interest_from: date | None


@dataclass
class PaymentClaimForm:
    """The betalingspåkrav's fields, filled from the case, for the agent to review."""

    case: Case
    on: date
    creditor_name: str
    creditor_cvr: str
    creditor_address: str
    debtor_name: str
    debtor_kind: str
    debtor_id_label: str
    debtor_national_id: str
    debtor_address: str
    principal: Decimal
    interest_posted: Decimal
    interest_rate: Decimal | None
    interest_from: date | None
    costs: Decimal
    court_fee: Decimal
    court_fee_rule: str
    currency: str
    claims: list[ClaimLine] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest_posted + self.costs + self.court_fee


def payment_claim_form(case: Case, *, on: date | None = None) -> PaymentClaimForm:
    """Read the case into the betalingspåkrav's fields; ``refusals`` says why it cannot be
    filed (the same checks ``legal_file_payment_claim`` makes)."""
    on = on or timezone.localdate()
    profile = selectors.profile_for(case, on)
    balance = selectors.case_balance(case)
    debtor, creditor = case.debtor, case.creditor
    rate = None
    try:
        reference = selectors.rate_table(creditor.jurisdiction).rate_on(on).reference_rate
        rate = reference + profile.interest_margin_points
    except MissingRate:
        rate = None
    lines = []
    for claim in Claim.objects.filter(case=case).order_by("due_date", "pk"):
        start = None
        if claim.due_date_agreed or claim.demand_sent_on:
            start = interest_start(
                profile,
                due_date=claim.due_date,
                due_date_agreed=claim.due_date_agreed,
                demand_sent_on=claim.demand_sent_on,
            ).dates[0]
        lines.append(
            ClaimLine(
                claim.invoice_number,
                claim.description,
                claim.invoice_date,
                claim.due_date,
                claim.principal,
                start,
            )
        )
    refusals = []
    if case.has_open_dispute():
        refusals.append(_("The case has an open dispute: a disputed claim goes to a civil suit."))
    if case.warning_deadline is None or on <= case.warning_deadline:
        refusals.append(
            _("No collection warning has expired: a betalingspåkrav requires one (§ 10).")
        )
    if refusal := summary_procedure_refusal(profile, principal=balance.principal):
        refusals.append(refusal)
    if case.state not in (CaseState.COLLECTION, CaseState.MONITORING):
        refusals.append(
            _("The legal track starts from collection or monitoring (this case is %(state)s).")
            % {"state": case.get_state_display()}
        )
    fee = court_fee_payment_claim(profile)
    starts = [line.interest_from for line in lines if line.interest_from]
    return PaymentClaimForm(
        case=case,
        on=on,
        creditor_name=creditor.name,
        creditor_cvr=creditor.cvr,
        creditor_address=f"{creditor.address_line}, {creditor.postal_code} {creditor.city}",
        debtor_name=debtor.name,
        debtor_kind=debtor.get_kind_display(),
        debtor_id_label="CPR" if debtor.kind == "person" else "CVR",
        debtor_national_id=debtor.masked_national_id,
        debtor_address=f"{debtor.address_line}, {debtor.postal_code} {debtor.city}",
        principal=balance.principal,
        interest_posted=balance.interest,
        interest_rate=rate,
        interest_from=min(starts) if starts else None,
        costs=balance.costs,
        court_fee=fee.amount,
        court_fee_rule=fee.rule,
        currency=case.currency,
        claims=lines,
        refusals=refusals,
    )


LEGAL_ACTIONS = ("payment_claim", "endorsed", "objected", "enforcement", "attachment")


def legal_steps_open(case: Case) -> list[str]:
    """The legal-track buttons the case's step allows now, in order."""
    if case.state in (CaseState.COLLECTION, CaseState.MONITORING):
        return ["payment_claim"]
    if case.state != CaseState.LEGAL:
        return []
    kinds = set(LegalStep.objects.filter(case=case).values_list("kind", flat=True))
    steps = []
    filed = LegalStepKind.PAYMENT_CLAIM_FILED in kinds
    decided = kinds & {LegalStepKind.PAYMENT_CLAIM_ENDORSED, LegalStepKind.PAYMENT_CLAIM_OBJECTED}
    if filed and not decided:
        steps += ["endorsed", "objected"]
    if LegalStepKind.PAYMENT_CLAIM_ENDORSED in kinds:
        if LegalStepKind.ENFORCEMENT_REQUESTED not in kinds:
            steps.append("enforcement")
        elif LegalStepKind.ATTACHMENT_RESULT not in kinds:
            steps.append("attachment")
    return steps


@transaction.atomic
def legal_step_take(
    *,
    case: Case,
    user: AbstractBaseUser,
    step: str,
    court: str = "",
    court_reference: str = "",
    note: str = "",
    outcome: str = "",
) -> LegalStep:
    """Take one legal-track step through ``cases.services.legal``, today.

    The case is locked before the step is checked: a double click files one claim."""
    case = lock_case(case)
    if step not in legal_steps_open(case):
        raise CaseError(_("This step of the legal track is not open on the case now."))
    on = timezone.localdate()
    court_reference = court_reference.strip()
    if step == "payment_claim":
        if not court.strip():
            raise ValidationError({"court": _("Name the court the claim is filed with.")})
        text = f"{agent_name(user)}: " + _("filed with %(court)s") % {"court": court.strip()}
        return legal.legal_file_payment_claim(
            case=case, on=on, user=user, court_reference=court_reference, note=text
        )
    if step == "endorsed":
        return legal.legal_record_endorsement(
            case=case, on=on, user=user, court_reference=court_reference
        )
    if step == "objected":
        return legal.legal_record_objection(case=case, on=on, note=note, user=user)
    if step == "enforcement":
        return legal.legal_request_enforcement(
            case=case, on=on, user=user, court_reference=court_reference
        )
    if outcome not in AttachmentOutcome.values:
        raise ValidationError({"outcome": _("Choose the result of the udlæg.")})
    return legal.legal_record_attachment(case=case, on=on, outcome=outcome, user=user, note=note)


# --- SMS from a template --------------------------------------------------------------------


class SmsTemplate(models.TextChoices):
    """The texts an agent may send; each is the template ``work/sms/<language>/<name>.txt``."""

    PAYMENT_REMINDER = "payment_reminder", gettext_lazy("Payment reminder (amount and FIK)")
    CALLBACK_REQUEST = "callback_request", gettext_lazy("Please call us back")


def sms_key(case: Case, token: str) -> str:
    """The idempotency key of one SMS from the work screen: the form's token, per case."""
    return "agent-sms-" + hashlib.sha256(f"{case.pk}:{token}".encode()).hexdigest()[:32]


def sms_text(case: Case, template: str) -> str:
    """The SMS in the debtor's language, with today's balance and the case's FIK line."""
    total = selectors.case_statement(case, on=timezone.localdate()).total
    language = case.debtor.language if case.debtor.language in ("da", "en") else "da"
    context = {
        "reference": case.reference,
        "creditor": case.creditor.name,
        "amount": format_money(total, language),
        "currency": case.currency,
        "fik": case.fik_line if case.creditor.fik_creditor_number else "",
        "payment_id": case.payment_id,
        "agency": settings.AGENCY_NAME,
        "phone": settings.AGENCY_PHONE,
    }
    with translation.override(language):
        return " ".join(render_to_string(f"work/sms/{language}/{template}.txt", context).split())


@transaction.atomic
def sms_send(*, case: Case, user: AbstractBaseUser, template: str, token: str) -> CaseEvent:
    """Queue an SMS from a template to the debtor's consented mobile, once per form token.

    Refused (``CaseError``, saying why) without a mobile the debtor consented to be texted on,
    or when no SMS gateway is configured. The same token again returns the first SMS's row and
    sends nothing; the gateway also gets the key, so a retried request is one SMS.
    """
    if template not in SmsTemplate.values:
        raise ValidationError({"template": _("Choose a text to send.")})
    if not (token or "").strip():
        raise ValidationError({"token": _("The form has expired: open the case again.")})
    case = lock_case(case)
    key = sms_key(case, token)
    existing = CaseEvent.objects.filter(case=case, code="case.sms_queued", data__key=key).first()
    if existing is not None:
        return existing
    refuse_if_closed(case, _("an SMS"))
    try:
        gateway_for("sms").check()
    except NotConfigured as exc:
        raise CaseError(_("No SMS gateway is configured: the SMS cannot be sent.")) from exc
    contact = contact_for(debtor=case.debtor, channel="sms")
    if contact is None:
        raise CaseError(
            _("The debtor has not consented to SMS on a mobile number: the SMS is not sent.")
        )
    text = sms_text(case, template)
    event = event_record(
        case=case,
        code="case.sms_queued",
        actor=user,
        from_state=case.state,
        message=f"{agent_name(user)} → {contact.label}: {text}",
        data={"key": key, "template": template, "to": contact.address, "text": text},
    )
    from cases.tasks_sms import send_agent_sms

    enqueue_on_commit(send_agent_sms, event_id=event.pk, creditor_id=case.creditor_id)
    return event


def sms_deliver(*, event_id: int) -> str:
    """Hand a queued SMS to the gateway, once: a row saying it was sent (or refused) ends it.

    Transient gateway errors propagate (the task retries with the same key: one SMS)."""
    queued = CaseEvent.objects.select_related("case").get(pk=event_id, code="case.sms_queued")
    key = queued.data["key"]
    done = CaseEvent.objects.filter(
        case=queued.case, code__in=("case.sms_sent", "case.sms_failed"), data__key=key
    ).first()
    if done is not None:
        return done.code
    outgoing = OutgoingMessage(
        channel="sms",
        recipient=queued.data["to"],
        subject="",
        body=queued.data["text"],
        idempotency_key=key,
        recipient_name=queued.case.debtor.name,
        reference=queued.case.reference,
        language=queued.case.debtor.language,
    )
    try:
        message_id = gateway_for("sms").send(outgoing)
    except (PermanentGatewayError, NotConfigured) as exc:
        event_record(
            case=queued.case,
            code="case.sms_failed",
            actor="sms gateway",
            from_state=queued.case.state,
            message=str(exc),
            data={"key": key, "queued": queued.pk},
        )
        return "case.sms_failed"
    event_record(
        case=queued.case,
        code="case.sms_sent",
        actor="sms gateway",
        from_state=queued.case.state,
        message=f"{queued.data['to']}: {message_id}",
        data={"key": key, "queued": queued.pk, "message_id": message_id},
    )
    return "case.sms_sent"
