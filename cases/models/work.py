"""Work items: what needs a person.

A work item is created idempotently by the service or scheduler step that causes it (one open
item per case and reason, held by a partial unique constraint) and closed by the person's
action. The agent workspace builds its queue, leases and supervisor views on these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel


class WorkItemReason(models.TextChoices):
    """Why a person is needed. Add a reason here when a new step needs a decision."""

    CREDIT_BUREAU_DECISION = "credit_bureau_decision", _("Credit-bureau registration: decide")
    CREDIT_BUREAU_SUBMISSION_FAILED = (
        "credit_bureau_submission_failed",
        _("Credit-bureau submission refused"),
    )
    RECONCILIATION_DIFFERENCE = (
        "reconciliation_difference",
        _("Client account does not reconcile"),
    )


class WorkItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class WorkItem(TenantModel):
    """One thing a person must do on a case, by when, how urgent and why (``factors``)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="work_items", verbose_name=_("case")
    )
    reason = models.CharField(_("reason"), max_length=40, choices=WorkItemReason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN
    )
    due_at = models.DateTimeField(_("due"))
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher comes first."))
    factors = models.JSONField(
        _("priority factors"),
        default=dict,
        blank=True,
        help_text=_("What the priority is made of, for the person who reads the queue."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    leased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leased by"),
    )
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["-priority", "due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reason"],
                condition=models.Q(status="open"),
                name="work_item_one_open_per_case_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="done", closed_at__isnull=False),
                name="work_item_closed_when_done",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="work_item_open_due",
                condition=models.Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_reason_display()}"
