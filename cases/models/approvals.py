"""Approval requests: a step an agent may ask for but a supervisor decides.

One model for every kind (an instalment plan outside the creditor's policy, a write-off, a
legal step...): the kind says what is asked, ``payload`` holds the kind's own terms (JSON), and
``cases.services.approvals`` runs the kind's handler when a supervisor approves or rejects. A
new kind is an ``ApprovalKind`` choice and a handler registered with
``cases.services.approvals.approval_kind_register``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel


class ApprovalKind(models.TextChoices):
    PLAN = "plan", _("Instalment plan outside the policy")
    WRITE_OFF = "write_off", _("Write-off")
    LEGAL_STEP = "legal_step", _("Legal step")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalRequest(TenantModel):
    """What an agent asks a supervisor to decide on a case, with the kind's terms in
    ``payload``; at most one pending request per case and kind. Written by
    ``cases.services.approvals`` only: created pending, then approved or rejected once."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="approval_requests",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ApprovalKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PENDING,
    )
    payload = models.JSONField(_("terms"), default=dict, blank=True)
    reason = models.TextField(_("reason"), help_text=_("Why the agent asks."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(status="pending"),
                name="approval_one_pending_per_case_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="approval_decided_when_not_pending",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="approval_pending",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.get_status_display()}"
