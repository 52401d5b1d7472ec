"""How a rendered notice reaches the debtor: one delivery per notice and channel, the attempt
log behind it, the creditor's channel policy per notice kind, and the print batches.

State here is changed only by ``notices.delivery.services``.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel
from notices.models import NoticeKind


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    DIGITAL_POST = "digital_post", _("Digital post")
    PRINT = "print", _("Letter (print)")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(TenantModel):
    """The delivery of one notice over one channel; at most one per notice and channel.

    ``route`` and ``step`` place it in the creditor's policy as planned for this notice: every
    route must reach the debtor (the warning by letter *and* e-mail), the steps of one route are
    fallbacks tried in order (e-mail, else digital post, else a letter).
    """

    notice = models.ForeignKey(
        "notices.Notice",
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("notice"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    route = models.PositiveSmallIntegerField(_("route"), default=1)
    step = models.PositiveSmallIntegerField(_("fallback step"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The same for every attempt of this delivery: providers that honour it deliver once.
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    last_error = models.TextField(_("last error or reason"), blank=True)
    print_batch = models.ForeignKey(
        "PrintBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("print batch"),
    )
    print_sequence = models.PositiveIntegerField(_("place in print batch"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["notice", "route", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "channel"], name="delivery_unique_per_notice_channel"
            ),
            models.UniqueConstraint(
                fields=["print_batch", "print_sequence"],
                name="delivery_unique_place_in_print_batch",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="delivery_by_status")]

    def __str__(self) -> str:
        return f"{self.notice} · {self.get_channel_display()} · {self.get_status_display()}"


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", _("Handed to the provider, no answer recorded")
    ACCEPTED = "accepted", _("Accepted")
    TRANSIENT = "transient", _("Temporary error")
    PERMANENT = "permanent", _("Refused")
    INTERRUPTED = "interrupted", _("Cut off; asked again with the same idempotency key")
    UNKNOWN = "unknown", _("Outcome unknown (not sent again)")


class DeliveryAttempt(TenantModel):
    """One try of a delivery. Written *before* the provider is called and completed after,
    so a try that was cut off (a killed worker) is visible as ``pending`` on the next run."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=AttemptOutcome.choices,
        default=AttemptOutcome.PENDING,
    )
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="deliveryattempt_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_outcome_display()}"


def parse_channel_policy(text: str) -> list[list[str]]:
    """``"print + email > sms"`` -> ``[["print"], ["email", "sms"]]``.

    ``+`` separates routes that must all reach the debtor; ``>`` separates the fallbacks of one
    route, tried in order. A channel may appear once in a policy.
    """
    routes: list[list[str]] = []
    seen: set[str] = set()
    for part in (text or "").split("+"):
        route = [token.strip().lower() for token in part.split(">")]
        if any(not token for token in route):
            raise ValidationError(
                _("Empty channel in %(text)r: write e.g. 'email > digital_post > print'."),
                code="empty",
                params={"text": text},
            )
        for token in route:
            if token not in Channel.values:
                raise ValidationError(
                    _("Unknown channel %(token)r; use one of %(channels)s."),
                    code="unknown_channel",
                    params={"token": token, "channels": ", ".join(Channel.values)},
                )
            if token in seen:
                raise ValidationError(
                    _("Channel %(token)r appears twice."), code="duplicate", params={"token": token}
                )
            seen.add(token)
        routes.append(route)
    return routes


def format_channel_policy(routes: list[list[str]]) -> str:
    return " + ".join(" > ".join(route) for route in routes)


class ChannelPolicy(TenantModel):
    """A creditor's choice of channels for one notice kind (its owners and administrators set
    it on the portal's channel page; agency admins in the admin)."""

    kind = models.CharField(_("notice kind"), max_length=30, choices=NoticeKind.choices)
    channels = models.CharField(
        _("channels"),
        max_length=200,
        help_text=_(
            "'>' separates fallbacks tried in order, '+' separates routes that must all be "
            "sent. Example: 'print + email > sms' sends a letter and an e-mail (an SMS when "
            "there is no e-mail). Channels: email, sms, digital_post, print."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("channel policy")
        verbose_name_plural = _("channel policies")
        ordering = ["creditor", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "kind"], name="channelpolicy_unique_per_creditor_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.channels}"

    def clean(self) -> None:
        # The same check as the portal's channel page and ``channel_policy_set``.
        from .policy import channel_policy_check

        if not self.kind or not self.creditor_id:
            return  # the form reports the missing field itself
        self.channels = channel_policy_check(
            kind=self.kind, channels=self.channels, jurisdiction=self.creditor.jurisdiction
        )

    @property
    def routes(self) -> list[list[str]]:
        return parse_channel_policy(self.channels)


class PrintBatchStatus(models.TextChoices):
    OPEN = "open", _("Open: collecting letters")
    CLOSED = "closed", _("Closed: being composed")
    COMPOSED = "composed", _("Composed: print file ready")


def print_batch_path(batch: PrintBatch, filename: str) -> str:
    return f"print-batches/{batch.creditor_id}/{filename}"


class PrintBatch(TenantModel):
    """Letters collected for the printing house and composed into one duplex print file.

    At most one batch per creditor is open; letters are added to it, a Celery beat entry (and
    an admin action) closes it, and a task composes the print file and its manifest.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=PrintBatchStatus.choices, default=PrintBatchStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    composed_at = models.DateTimeField(_("composed"), null=True, blank=True)
    letter_count = models.PositiveIntegerField(_("letters"), default=0)
    page_count = models.PositiveIntegerField(_("pages (with blank backs)"), default=0)
    file = models.FileField(_("print file"), upload_to=print_batch_path, blank=True, max_length=200)
    file_sha256 = models.CharField(_("print file checksum (SHA-256)"), max_length=64, blank=True)
    manifest = models.FileField(
        _("manifest"), upload_to=print_batch_path, blank=True, max_length=200
    )

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor"],
                condition=models.Q(status="open"),
                name="printbatch_one_open_per_creditor",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Print batch')} {self.pk} ({self.get_status_display()})"
