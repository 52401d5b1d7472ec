"""Cases: a creditor's claims against one debtor, followed from filing to closing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel
from creditors.models import Currency


class Case(TenantModel):
    """One debtor's unpaid invoices at one creditor, worked as a single collection case."""

    debtor = models.ForeignKey(
        "debtors.Debtor", on_delete=models.PROTECT, related_name="cases", verbose_name=_("debtor")
    )
    reference = models.CharField(
        _("case reference"), max_length=32, help_text=_("The reference shown to the debtor.")
    )
    creditor_reference = models.CharField(_("creditor's reference"), max_length=100, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.DKK
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "reference"], name="case_unique_reference_per_creditor"
            ),
        ]

    def __str__(self) -> str:
        return self.reference
