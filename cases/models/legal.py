"""The legal track as records: each step taken at the court or the bailiff (fogedret).

Written by ``cases.services.legal`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel


class LegalStepKind(models.TextChoices):
    PAYMENT_CLAIM_FILED = "payment_claim_filed", _("Betalingspåkrav filed")
    PAYMENT_CLAIM_ENDORSED = "payment_claim_endorsed", _("Betalingspåkrav endorsed")
    PAYMENT_CLAIM_OBJECTED = "payment_claim_objected", _("Objection to betalingspåkrav")
    ENFORCEMENT_REQUESTED = "enforcement_requested", _("Fogedret request")
    ATTACHMENT_RESULT = "attachment_result", _("Attachment (udlæg) result")
    CIVIL_SUIT_FILED = "civil_suit_filed", _("Civil suit filed")


class AttachmentOutcome(models.TextChoices):
    LEVIED = "levied", _("Levied")
    NOTHING_FOUND = "nothing_found", _("Nothing found (insolvency declaration)")


class LegalStep(TenantModel):
    """One step on a case's legal track (betalingspåkrav, fogedret, udlæg, civil suit).

    Written by ``cases.services.legal`` only; the case timeline and the limitation events
    written with it say what the step changed.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="legal_steps", verbose_name=_("case")
    )
    kind = models.CharField(_("step"), max_length=30, choices=LegalStepKind.choices)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AttachmentOutcome.choices, blank=True
    )
    occurred_on = models.DateField(_("date"))
    court_reference = models.CharField(_("court reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("legal step")
        verbose_name_plural = _("legal steps")
        ordering = ["occurred_on", "pk"]
        indexes = [models.Index(fields=["case", "kind"], name="legal_step_case_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind=LegalStepKind.ATTACHMENT_RESULT, outcome__in=["levied", "nothing_found"]
                )
                | (~models.Q(kind=LegalStepKind.ATTACHMENT_RESULT) & models.Q(outcome="")),
                name="legal_step_outcome_only_on_attachment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"
