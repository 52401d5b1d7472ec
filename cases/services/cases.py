"""Filing cases and their claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Claim, EntryKind, LimitationEvent
from collections_portal.money import to_money
from creditors.models import Creditor
from debtors.models import Debtor
from integrations.webhooks.events import emit_case_created

from .bulk import principal_explanation
from .ledger import ledger_post
from .locking import lock_case


@dataclass(frozen=True)
class ClaimInput:
    """One invoice as the creditor hands it over."""

    invoice_number: str
    invoice_date: date
    due_date: date
    principal: Decimal | str  # a string is parsed; a float is refused
    description: str = ""
    debtor_is_consumer: bool = True
    agreed_interest_rate: Decimal | None = None
    due_date_agreed: bool = True
    demand_sent_on: date | None = None


@transaction.atomic
def case_create(
    *,
    creditor: Creditor,
    debtor: Debtor,
    claims: list[ClaimInput],
    creditor_reference: str = "",
    creditor_reminder_dates: Sequence[date] = (),
    creditor_warning_sent_on: date | None = None,
    user: AbstractBaseUser | None = None,
) -> Case:
    """File a case for one debtor with one or more claims, posting each claim's principal.

    A creditor that already sent reminders or its own collection warning gives their dates as
    evidence; the scheduler counts them against the rules (spacing, fee count, the warning's
    deadline) instead of repeating the steps.
    """
    if debtor.creditor_id != creditor.pk:
        raise ValidationError({"debtor": _("The debtor belongs to another creditor.")})
    if not claims:
        raise ValidationError({"claims": _("A case needs at least one claim.")})
    case = Case(
        creditor=creditor,
        debtor=debtor,
        currency=creditor.currency,
        creditor_reference=creditor_reference,
        creditor_reminder_dates=list(creditor_reminder_dates),
        creditor_warning_sent_on=creditor_warning_sent_on,
        # The scheduler looks at a new case straight away and decides its first step.
        next_action_at=timezone.now(),
    )
    case.full_clean(exclude=["number", "state"])  # the state machine owns the state
    case.save()
    for index, claim in enumerate(claims):
        try:
            _claim_create(case=case, data=claim, user=user)
        except ValidationError as exc:
            if len(claims) == 1:
                raise
            raise ValidationError({f"claims[{index}]": exc.messages}) from exc
    emit_case_created(case)  # webhooks: recorded here, sent on commit
    return case


@transaction.atomic
def claim_add(*, case: Case, data: ClaimInput, user: AbstractBaseUser | None = None) -> Claim:
    """Add an invoice to an existing case of the same debtor."""
    case = lock_case(case)
    return _claim_create(case=case, data=data, user=user)


def _claim_create(*, case: Case, data: ClaimInput, user: AbstractBaseUser | None) -> Claim:
    claim = Claim(
        creditor_id=case.creditor_id,
        case=case,
        invoice_number=data.invoice_number.strip(),
        description=data.description,
        invoice_date=data.invoice_date,
        due_date=data.due_date,
        due_date_agreed=data.due_date_agreed,
        demand_sent_on=data.demand_sent_on,
        principal=to_money(data.principal, field="principal"),
        debtor_is_consumer=data.debtor_is_consumer,
        agreed_interest_rate=data.agreed_interest_rate,
    )
    claim.full_clean(exclude=["case", "creditor"], validate_unique=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        if "claim_unique_invoice_per_creditor" in str(exc):
            raise ValidationError(
                {
                    "invoice_number": _("Invoice %(number)s has already been handed over.")
                    % {"number": claim.invoice_number}
                }
            ) from exc
        raise
    ledger_post(
        case=case,
        claim=claim,
        kind=EntryKind.PRINCIPAL,
        amount=claim.principal,
        posted_on=claim.invoice_date,
        rule="",
        explanation=principal_explanation(
            claim.invoice_number, claim.invoice_date, claim.due_date, claim.principal
        ),
        user=user,
    )
    return claim


@transaction.atomic
def limitation_event_record(
    *, claim: Claim, kind: LimitationEvent.Kind | str, occurred_on: date, note: str = ""
) -> LimitationEvent:
    """Record an acknowledgement, legal step, settlement or judgment on a claim."""
    lock_case(claim.case)
    event = LimitationEvent(
        creditor_id=claim.creditor_id, claim=claim, kind=kind, occurred_on=occurred_on, note=note
    )
    event.full_clean(exclude=["claim", "creditor"])
    event.save()
    return event


def limitation_events_for_case(
    *, case: Case, kind: LimitationEvent.Kind | str, on: date, note: str
) -> int:
    """Record the same limitation event on every claim of a case (a settlement, a legal step,
    a judgment); the caller holds the case lock. Returns how many claims it touched."""
    claims = list(Claim.objects.filter(case=case).order_by("pk"))
    LimitationEvent.objects.bulk_create(
        LimitationEvent(
            creditor_id=case.creditor_id, claim=claim, kind=kind, occurred_on=on, note=note
        )
        for claim in claims
    )
    return len(claims)
