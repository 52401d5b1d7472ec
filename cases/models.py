"""Cases, their claims, the append-only ledger, payments and the reference-rate table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from stdnum import luhn

from collections_portal.db import NextVal
from collections_portal.tenancy import TenantModel
from creditors.models import Currency

MONEY = {"max_digits": 14, "decimal_places": 2}
CASE_NUMBER_SEQUENCE = "cases_case_number_seq"


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    REMINDER = "reminder", _("Reminder")
    WARNING = "warning", _("Collection warning")
    COLLECTION = "collection", _("Collection")
    MONITORING = "monitoring", _("Monitoring")
    LEGAL = "legal", _("Legal")
    CLOSED = "closed", _("Closed")


class ClosedReason(models.TextChoices):
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WRITTEN_OFF = "written_off", _("Written off")
    SOLD = "sold", _("Sold")
    STATUTE_BARRED = "statute_barred", _("Statute-barred")


ACTIVE_STATES = [s for s in CaseState.values if s != CaseState.CLOSED]


class Case(ConcurrentTransitionMixin, TenantModel):
    """One debtor's unpaid invoices at one creditor, worked as a single collection case.

    ``number`` is the reference shown to the debtor: unique across the portal, drawn from a
    PostgreSQL sequence, and the base of the FIK payment ID on every letter.
    """

    debtor = models.ForeignKey(
        "debtors.Debtor", on_delete=models.PROTECT, related_name="cases", verbose_name=_("debtor")
    )
    number = models.BigIntegerField(
        _("case number"),
        unique=True,
        editable=False,
        db_default=NextVal(CASE_NUMBER_SEQUENCE),
        help_text=_("The reference shown to the debtor."),
    )
    creditor_reference = models.CharField(_("creditor's reference"), max_length=100, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.DKK
    )
    state = FSMField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.NEW, protected=True
    )
    closed_reason = models.CharField(
        _("closing reason"), max_length=20, choices=ClosedReason.choices, blank=True
    )
    warning_sent_on = models.DateField(_("collection warning sent"), null=True, blank=True)
    warning_deadline = models.DateField(_("collection warning deadline"), null=True, blank=True)
    collection_started_on = models.DateField(_("collection started"), null=True, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    # Evidence of what the creditor did before handing the case over (a case filed late).
    creditor_reminder_dates = ArrayField(
        models.DateField(), default=list, blank=True, verbose_name=_("creditor's own reminders")
    )
    creditor_warning_sent_on = models.DateField(
        _("creditor's own collection warning"), null=True, blank=True
    )
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_action_at"],
                name="case_due_for_action",
                condition=models.Q(next_action_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return str(self.number)

    @property
    def payment_id(self) -> str:
        """The 15-digit FIK +71 payment ID: the case number and a modulus-10 check digit."""
        return payment_id_for(self.number)

    @property
    def fik_line(self) -> str:
        """The code line of a +71 payment slip: +71<payment id>+<creditor number><."""
        return f"+71<{self.payment_id}+{self.creditor.fik_creditor_number}<"

    # --- The state machine. Transitions hold guards and in-memory changes only; the services
    # in cases/services/lifecycle.py lock the row, call them, save, and record the event.

    def has_open_dispute(self) -> bool:
        return self.disputes.filter(resolved_at__isnull=True).exists()

    def not_disputed(self) -> bool:
        return not self.has_open_dispute()

    @transition(
        field=state,
        source=[CaseState.NEW, CaseState.REMINDER],
        target=CaseState.REMINDER,
        conditions=[not_disputed],
    )
    def remind(self) -> None:
        """A reminder (rykker) is sent."""

    @transition(
        field=state,
        source=[CaseState.NEW, CaseState.REMINDER],
        target=CaseState.WARNING,
        conditions=[not_disputed],
    )
    def warn(self, *, sent_on: date, deadline: date) -> None:
        """The collection warning (inkassovarsel) is sent, or the creditor's is accepted."""
        self.warning_sent_on = sent_on
        self.warning_deadline = deadline

    def warning_deadline_passed(self) -> bool:
        return self.warning_deadline is not None and timezone.localdate() > self.warning_deadline

    @transition(
        field=state,
        source=CaseState.WARNING,
        target=CaseState.COLLECTION,
        conditions=[not_disputed, warning_deadline_passed],
    )
    def hand_over(self, *, on: date) -> None:
        """Collection starts: no step before the warning's deadline has passed (§ 10)."""
        self.collection_started_on = on

    @transition(field=state, source=CaseState.COLLECTION, target=CaseState.MONITORING)
    def monitor(self) -> None:
        """Long-term monitoring while the debtor cannot pay."""

    @transition(field=state, source=[CaseState.MONITORING], target=CaseState.COLLECTION)
    def reopen(self) -> None:
        """Back from monitoring to active collection."""

    @transition(
        field=state,
        source=[CaseState.COLLECTION, CaseState.MONITORING],
        target=CaseState.LEGAL,
        conditions=[not_disputed],
    )
    def go_legal(self) -> None:
        """The legal track (betalingspåkrav, fogedret, udlæg)."""

    @transition(field=state, source=CaseState.LEGAL, target=CaseState.MONITORING)
    def legal_to_monitoring(self) -> None:
        """From the legal track to monitoring (e.g. udlæg without result)."""

    @transition(field=state, source=ACTIVE_STATES, target=CaseState.CLOSED)
    def close(self, *, reason: str) -> None:
        self.closed_reason = reason
        self.next_action_at = None

    @transition(field=state, source=CaseState.CLOSED, target=RETURN_VALUE(*ACTIVE_STATES))
    def reinstate(self, *, to_state: str) -> str:
        """Undo a closing that turned out wrong (the payment that paid it bounced)."""
        self.closed_reason = ""
        return to_state


def payment_id_for(case_number: int) -> str:
    body = f"{case_number:014d}"
    if len(body) != 14:
        raise ValueError(f"case number {case_number} does not fit a FIK payment ID")
    return body + luhn.calc_check_digit(body)


def case_number_from_payment_id(payment_id: str) -> int:
    """The case number in a FIK payment ID; ``ValueError`` when the check digit is wrong."""
    digits = "".join(ch for ch in payment_id if ch.isdigit())
    if len(digits) != 15 or not luhn.is_valid(digits):
        raise ValueError(f"{payment_id!r} is not a valid FIK payment ID")
    return int(digits[:14])


class Claim(TenantModel):
    """An invoice the creditor hands over: the principal, its dates and its interest terms."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="claims")
    invoice_number = models.CharField(_("invoice number"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    due_date_agreed = models.BooleanField(
        _("due date agreed"),
        default=True,
        help_text=_(
            "Interest runs from an agreed due date; otherwise from 30 days after a demand."
        ),
    )
    demand_sent_on = models.DateField(_("demand sent on"), null=True, blank=True)
    principal = models.DecimalField(
        _("principal incl. VAT"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    debtor_is_consumer = models.BooleanField(_("debtor is a consumer"), default=True)
    agreed_interest_rate = models.DecimalField(
        _("agreed interest rate, % a year"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("A rate agreed with the debtor; a consumer is never charged above the law's."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["due_date", "invoice_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "invoice_number"], name="claim_unique_invoice_per_creditor"
            ),
            models.CheckConstraint(
                condition=models.Q(principal__gt=0), name="claim_principal_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("invoice_date")),
                name="claim_due_not_before_invoice",
            ),
        ]

    def __str__(self) -> str:
        return self.invoice_number

    def clean(self) -> None:
        if self.due_date and self.invoice_date and self.due_date < self.invoice_date:
            raise ValidationError({"due_date": _("The due date is before the invoice date.")})


class LimitationEvent(TenantModel):
    """Something that changes a claim's limitation: an acknowledgement, a legal step, a
    signed settlement or a judgment (forældelsesloven §§ 5, 15, 16, 19)."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        LEGAL_STEP = "legal_step", _("Legal step")
        SETTLEMENT = "settlement", _("Signed settlement")
        JUDGMENT = "judgment", _("Judgment")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="limitation_events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("limitation event")
        verbose_name_plural = _("limitation events")
        ordering = ["occurred_on", "pk"]


class Component(models.TextChoices):
    """The parts of a balance that payments are allocated across."""

    PRINCIPAL = "principal", _("Principal")
    INTEREST = "interest", _("Interest")
    COSTS = "costs", _("Costs")
    CREDIT = "credit", _("Credit")  # overpaid: owed to the debtor, never lost


class EntryKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    REMINDER_FEE = "reminder_fee", _("Reminder fee")
    HANDOVER_FEE = "handover_fee", _("Handover fee")
    COMPENSATION = "compensation", _("B2B compensation")
    COLLECTION_COSTS = "collection_costs", _("Collection costs")
    INTEREST = "interest", _("Interest")
    COURT_FEE = "court_fee", _("Court fee")
    PAYMENT = "payment", _("Payment")
    WRITE_OFF = "write_off", _("Write-off")
    REVERSAL = "reversal", _("Reversal")


# What each charge adds to. Payments, write-offs and reversals name their component.
CHARGE_COMPONENT = {
    EntryKind.PRINCIPAL: Component.PRINCIPAL,
    EntryKind.REMINDER_FEE: Component.COSTS,
    EntryKind.HANDOVER_FEE: Component.COSTS,
    EntryKind.COMPENSATION: Component.COSTS,
    EntryKind.COLLECTION_COSTS: Component.COSTS,
    EntryKind.COURT_FEE: Component.COSTS,
    EntryKind.INTEREST: Component.INTEREST,
}
CHARGE_KINDS = [k.value for k in CHARGE_COMPONENT]


class AppendOnlyError(Exception):
    """A ledger entry was to be changed or deleted; corrections are reversals."""


class LedgerEntry(TenantModel):
    """One line of a case's ledger. Never updated, never deleted (a database trigger refuses).

    Charges are positive, payments and write-offs negative, a reversal the opposite of the
    entry it reverses. A component's balance is the sum of its entries. Each entry says which
    rule, which profile and which dates it came from.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ledger")
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    component = models.CharField(_("component"), max_length=10, choices=Component.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    posted_on = models.DateField(_("effective date"))
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    rule = models.CharField(_("rule"), max_length=200, blank=True)
    profile = models.CharField(_("profile"), max_length=40, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    created_at = models.DateTimeField(_("recorded"), db_default=Now())
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["posted_on", "pk"]
        indexes = [models.Index(fields=["case", "component"], name="ledger_case_component")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=CHARGE_KINDS) | models.Q(amount__gt=0),
                name="ledger_charge_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["payment", "write_off"]) | models.Q(amount__lt=0),
                name="ledger_payment_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reversal") | models.Q(reverses__isnull=False),
                name="ledger_reversal_names_entry",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="payment") | models.Q(payment__isnull=False),
                name="ledger_payment_names_payment",
            ),
            models.CheckConstraint(
                condition=~models.Q(component="credit")
                | models.Q(kind__in=["payment", "reversal"]),
                name="ledger_credit_only_from_payments",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Ledger entries are never changed; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are never deleted; post a reversal instead.")


class PaymentMethod(models.TextChoices):
    FIK = "fik", _("FIK payment slip")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card")
    MOBILEPAY = "mobilepay", _("MobilePay")
    DIRECT_TO_CREDITOR = "direct_to_creditor", _("Paid directly to the creditor")
    OTHER = "other", _("Other")


class Payment(TenantModel):
    """Money received for a case. Its allocation is in the ledger; a reversal undoes it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    payer_reference = models.CharField(_("payer's reference"), max_length=200, blank=True)
    designated_claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("debtor's designation"),
        help_text=_("The invoice the debtor said the payment is for, if any."),
    )
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversal_reason = models.CharField(_("reversal reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.received_on}"


class ReferenceRate(models.Model):
    """A central bank's reference rate for one half-year, the base of statutory interest.

    Denmark: Nationalbanken's lending rate on 1 January or 1 July (renteloven § 5). Agency staff
    add the next half-year's rate in the admin; rates marked unverified are shown as such.
    """

    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, default="DK")
    valid_from = models.DateField(_("valid from"), help_text=_("1 January or 1 July."))
    rate = models.DecimalField(_("reference rate, %"), max_digits=6, decimal_places=3)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reference rate")
        verbose_name_plural = _("reference rates")
        ordering = ["jurisdiction", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "valid_from"], name="reference_rate_unique_half_year"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__day=1, valid_from__month__in=[1, 7]),
                name="reference_rate_on_half_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.valid_from}: {self.rate}%"

    def clean(self) -> None:
        if self.valid_from and (self.valid_from.day != 1 or self.valid_from.month not in (1, 7)):
            raise ValidationError(
                {"valid_from": _("A reference rate starts on 1 January or 1 July.")}
            )


class CaseEvent(TenantModel):
    """The case's timeline: who or what did what, when, from which state to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(_("when"), db_default=Now())
    code = models.CharField(_("event"), max_length=60)  # e.g. "case.reminder_sent"
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=60, blank=True)
    message = models.TextField(_("why"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.code}"


class Dispute(TenantModel):
    """A debtor's objection (indsigelse). While open it holds reminders, fees and escalation,
    and it must be answered in substance by a person (inkassoloven § 9)."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld: the debtor is right")
        REJECTED = "rejected", _("Rejected: the claim stands")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disputes")
    opened_on = models.DateField(_("opened"))
    reason = models.CharField(_("reason"), max_length=200)
    debtor_statement = models.TextField(_("the debtor's words"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    resolution_note = models.TextField(_("answer"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["opened_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, outcome="")
                | (models.Q(resolved_at__isnull=False) & ~models.Q(outcome="")),
                name="dispute_resolved_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class PromiseToPay(TenantModel):
    """The debtor's promise to pay an amount by a date; the case waits until then."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="promises")
    promised_on = models.DateField(_("promised"))
    pay_by = models.DateField(_("pay by"))
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    kept = models.BooleanField(_("kept"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["pay_by", "pk"]

    def __str__(self) -> str:
        return f"{self.amount} by {self.pay_by}"


from .models_legal import LegalStep  # noqa: E402,F401


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_PLAN_STATUSES = [PlanStatus.PROPOSED, PlanStatus.ACTIVE]


class InstalmentPlan(TenantModel):
    """An instalment plan (afdragsordning) on a case's whole balance, optionally backed by a
    signed voluntary settlement (skyldnererklæring).

    Written by ``cases.services.plans`` only. The whole balance falls due when an instalment is
    more than ``acceleration_days`` late; the plan is then broken, and no further reminder fees
    may be charged on the case (renteloven § 9 b).
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="plans", verbose_name=_("case")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_by_label = models.CharField(_("proposed by"), max_length=60, blank=True)
    proposed_on = models.DateField(_("proposed"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    acceleration_days = models.PositiveSmallIntegerField(
        _("days late before the whole balance falls due"), default=7
    )
    settlement_signed_on = models.DateField(
        _("settlement (skyldnererklæring) signed"), null=True, blank=True
    )
    consumer_credit_review = models.BooleanField(
        _("review as consumer credit"),
        default=False,
        help_text=_("An interest-bearing plan for a consumer may count as consumer credit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("instalment plan")
        verbose_name_plural = _("instalment plans")
        ordering = ["-proposed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=OPEN_PLAN_STATUSES),
                name="plan_one_open_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()} {self.proposed_on}"


class Instalment(TenantModel):
    """One payment of an instalment plan: its number, due date and amount, and how much of it
    the payments received since the plan was proposed have covered."""

    plan = models.ForeignKey(
        InstalmentPlan,
        on_delete=models.PROTECT,
        related_name="instalments",
        verbose_name=_("plan"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_amount = models.DecimalField(_("paid"), **MONEY, default=Decimal("0.00"))
    missed_notice_on = models.DateField(_("missed-instalment notice sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_unique_number"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0, paid_amount__lte=models.F("amount")),
                name="instalment_paid_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount} by {self.due_date}"

    @property
    def is_paid(self) -> bool:
        return self.paid_amount >= self.amount


from .models_credit_bureau import (  # noqa: E402,F401
    CreditBureauAttempt,
    CreditBureauRegistration,
    CreditBureauSubmission,
)
from .models_documents import CaseDocument  # noqa: E402,F401
from .models_work import WorkItem  # noqa: E402,F401
