"""The append-only ledger: every charge, payment, write-off and reversal on a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel

from .cases import MONEY, Case, Claim


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
    # The explanation as a stored text (collections_portal.texts), read in the reader's
    # language; ``explanation`` keeps its English words. Empty on older rows.
    explanation_text = models.JSONField(_("explanation (stored text)"), null=True, blank=True)
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
