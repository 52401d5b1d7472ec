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

    NEW_IN_COLLECTION = "new_in_collection", _("New in collection, no contact yet")
    PROMISE_BROKEN = "promise_broken", _("Promise to pay broken")
    INSTALMENT_MISSED = "instalment_missed", _("Instalment missed")
    DISPUTE_DECISION = "dispute_decision", _("Dispute awaits a decision")
    CALLBACK = "callback", _("Callback due")
    LIMITATION = "limitation", _("Limitation date approaching")
    MONITORING_RECHECK = "monitoring_recheck", _("Monitoring re-check")
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
            # "Next case" reads the open items in queue order.
            models.Index(
                models.F("priority").desc(),
                "due_at",
                "id",
                name="work_item_open_queue",
                condition=models.Q(status="open"),
            ),
            # The queue filtered by creditor (the page's filter, the API's ``creditor``): its
            # first page and the paginator's count read one creditor's open items in queue
            # order, not every open item (bench/queue.py: before and after).
            models.Index(
                "creditor",
                models.F("priority").desc(),
                "due_at",
                "id",
                name="work_item_open_creditor_queue",
                condition=models.Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_reason_display()}"


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    MEETING = "meeting", _("Meeting")


class ContactDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    VOICEMAIL = "voicemail", _("Voicemail")
    REFUSED = "refused", _("Refused")


class ContactLog(TenantModel):
    """One contact with (or attempt to reach) the debtor on a case, logged by an agent.
    Append-only: a mistaken entry is corrected by a new one."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("case")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=ContactDirection.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "-created_at"], name="contact_log_case_recent")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_channel_display()} {self.get_outcome_display()}"


class WorkScoreWeights(models.Model):
    """The agency's weights for the queue's priority score (one row, edited by a supervisor).

    Each factor is scaled to 0..1 and multiplied by its weight; the score is the sum, so a
    supervisor reads and sets plainly how much each factor counts."""

    balance = models.PositiveIntegerField(_("balance"), default=30)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=20)
    stage = models.PositiveIntegerField(_("stage"), default=10)
    limitation = models.PositiveIntegerField(_("limitation date"), default=40)
    promise_due = models.PositiveIntegerField(_("promise due today"), default=25)
    last_contact = models.PositiveIntegerField(_("days since last contact"), default=15)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    FIELDS = ("balance", "days_past_due", "stage", "limitation", "promise_due", "last_contact")

    class Meta:
        verbose_name = _("priority weights")
        verbose_name_plural = _("priority weights")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> WorkScoreWeights:
        return cls.objects.order_by("pk").first() or cls.objects.get_or_create(pk=1)[0]
