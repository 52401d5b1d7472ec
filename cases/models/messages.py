"""Messages on a case between the creditor's users and the agency's staff, and the
notification e-mails and preferences around them (issue 15, items 1, 5, 6).

A message is append-only: its author, side, body and time never change; each side's read mark
is written once (``dbroles.APPEND_ONLY``). Every e-mail the portal sends about a timeline event
is a ``NotificationEmail`` row first, unique per event and address, so a retried task never
mails anyone twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel


class MessageSide(models.TextChoices):
    CREDITOR = "creditor", _("Creditor")
    AGENCY = "agency", _("Agency")


class CaseMessage(TenantModel):
    """One message on a case, from the creditor's side or the agency's."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="messages", verbose_name=_("case")
    )
    side = models.CharField(_("from"), max_length=10, choices=MessageSide.choices)
    # The person who wrote it; none for a REST client (an API key), named in author_name.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author's name"), max_length=150)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written"), db_default=Now())
    # When the other side first read it (the author's own side has read it when it is written).
    read_by_creditor_at = models.DateTimeField(_("read by the creditor"), null=True, blank=True)
    read_by_agency_at = models.DateTimeField(_("read by the agency"), null=True, blank=True)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="case_message_thread"),
            models.Index(
                fields=["creditor", "created_at"],
                condition=models.Q(side="agency", read_by_creditor_at__isnull=True),
                name="case_message_unread_creditor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.side} {self.created_at:%Y-%m-%d %H:%M}"


class NotifyKind(models.TextChoices):
    """The events a person may be told about by e-mail (each a timeline code, see
    ``cases.notifications.KIND_OF_CODE``)."""

    MESSAGE = "message", _("A message on a case from the other side")
    CASE_CLOSED = "case_closed", _("A case closed (paid, withdrawn, written off, ...)")
    DISPUTE_OPENED = "dispute_opened", _("A dispute opened")


class NotifyMode(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("No e-mail")


class NotificationSettings(models.Model):
    """A user's own choices: per kind of event, at once, in the daily digest or not at all;
    the language of the e-mails; and how far the last digest reached. Not tenant data: one row
    per person, whatever creditors they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of e-mails"), max_length=2, choices=settings.LANGUAGES, default="da"
    )
    message = models.CharField(
        NotifyKind.MESSAGE.label, max_length=10, choices=NotifyMode.choices,
        default=NotifyMode.IMMEDIATE,
    )  # fmt: skip
    case_closed = models.CharField(
        NotifyKind.CASE_CLOSED.label, max_length=10, choices=NotifyMode.choices,
        default=NotifyMode.DIGEST,
    )  # fmt: skip
    dispute_opened = models.CharField(
        NotifyKind.DISPUTE_OPENED.label, max_length=10, choices=NotifyMode.choices,
        default=NotifyMode.IMMEDIATE,
    )  # fmt: skip
    # The digest covers the events after this moment; set when a digest is taken.
    digest_until = models.DateTimeField(_("last digest up to"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)

    def mode(self, kind: str) -> str:
        return getattr(self, kind)


class NotificationEmail(TenantModel):
    """One e-mail about one timeline event to one address: recorded before it is sent, so a
    task that runs again never sends it twice (an address is mailed once per event)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recipient"),
    )  # fmt: skip
    address = models.EmailField(_("address"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("recorded"), db_default=Now())

    class Meta:
        verbose_name = _("notification e-mail")
        verbose_name_plural = _("notification e-mails")
        constraints = [
            models.UniqueConstraint(fields=["event", "address"], name="notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.address} ({self.status})"
