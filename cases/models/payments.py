"""Payments received on a case."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal import money
from collections_portal.tenancy import TenantModel

from .cases import MONEY, Case, Claim


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
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(money.CENT)])
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
