"""Disputes: the debtor contests a claim; the case waits for an answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel

from .cases import Case


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
        indexes = [
            # The dashboard's "needs your attention": a creditor's open disputes, oldest first.
            models.Index(
                fields=["creditor", "opened_on", "id"],
                name="dispute_open_oldest",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.reason
