"""Arrangements to pay: promises to pay and instalment plans."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal import money
from collections_portal.tenancy import TenantModel

from .cases import MONEY, Case


class PromiseToPay(TenantModel):
    """The debtor's promise to pay an amount by a date; the case waits until then."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="promises")
    promised_on = models.DateField(_("promised"))
    pay_by = models.DateField(_("pay by"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(money.CENT)])
    kept = models.BooleanField(_("kept"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["pay_by", "pk"]

    def __str__(self) -> str:
        return f"{self.amount} by {self.pay_by}"


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
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(money.CENT)])
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
