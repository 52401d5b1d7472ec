"""Cases and their claims: what is owed, by whom, and where the case stands."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from stdnum import luhn

from collections_portal import money
from collections_portal.db import NextVal
from collections_portal.tenancy import TenantModel
from creditors.models import Currency


class MoneyDigits(TypedDict):
    max_digits: int
    decimal_places: int


# Every money column: the money module's digits.
MONEY: MoneyDigits = {"max_digits": money.MAX_DIGITS, "decimal_places": money.DECIMAL_PLACES}
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
            # The case list's default order (newest first) within a creditor, whole and by
            # stage: a page is read from the index in order and stops after 51 rows, instead
            # of sorting every case of the creditor (bench/portal.py).
            models.Index(fields=["creditor", "-created_at", "-id"], name="case_list_newest"),
            models.Index(
                fields=["creditor", "state", "-created_at", "-id"], name="case_list_stage"
            ),
            # The case list's search by the creditor's reference (``iexact``).
            models.Index(
                models.F("creditor"), Upper("creditor_reference"), name="case_reference_search"
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
        conditions=[not_disputed],  # type: ignore[list-item]
    )
    def remind(self) -> None:
        """A reminder (rykker) is sent."""

    @transition(
        field=state,
        source=[CaseState.NEW, CaseState.REMINDER],
        target=CaseState.WARNING,
        conditions=[not_disputed],  # type: ignore[list-item]
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
        conditions=[not_disputed, warning_deadline_passed],  # type: ignore[list-item]
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
        conditions=[not_disputed],  # type: ignore[list-item]
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
        _("principal incl. VAT"), **MONEY, validators=[MinValueValidator(money.CENT)]
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
        indexes = [
            # The case list's search by invoice number (``invoice_number__iexact``).
            models.Index(
                models.F("creditor"), Upper("invoice_number"), name="claim_invoice_number_search"
            ),
        ]
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
