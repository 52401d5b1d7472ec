"""Credit-bureau registrations (RKI and similar) and the records submitted to the bureaus.

A registration is a row per case and bureau from the warning letter on: warned, then
registered (or cancelled without ever being registered), then deregistered. What goes to the
bureau is a submission (register or delete) with its idempotency key, sent by a Celery task
that writes an attempt row before each call (written once, then its outcome filled in).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class RegistrationStatus(models.TextChoices):
    WARNED = "warned", _("Warned")
    REGISTERED = "registered", _("Registered")
    DEREGISTERED = "deregistered", _("Deregistered")
    CANCELLED = "cancelled", _("Not registered")


ACTIVE_REGISTRATION_STATUSES = [RegistrationStatus.WARNED, RegistrationStatus.REGISTERED]


class EndReason(models.TextChoices):
    """Why a registration was deleted, or a warned one never made."""

    PAID = "paid", _("Paid in full")
    DISPUTED = "disputed", _("Disputed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DATA_EXPIRED = "data_expired", _("Data five years old")
    CASE_CLOSED = "case_closed", _("Case closed")
    DECIDED = "decided", _("Decided by the agency")


class CreditBureauRegistration(TenantModel):
    """A case's debt at one credit bureau: announced, registered, deleted."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="credit_bureau_registrations",
        verbose_name=_("case"),
    )
    debtor = models.ForeignKey(
        "debtors.Debtor", on_delete=models.PROTECT, related_name="+", verbose_name=_("debtor")
    )
    bureau = models.CharField(_("credit bureau"), max_length=30)
    register = models.CharField(_("register"), max_length=10, blank=True)
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.WARNED,
    )
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    warning_notice = models.ForeignKey(
        "notices.Notice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warning letter"),
    )
    warned_on = models.DateField(_("warned"), null=True, blank=True)
    eligible_from = models.DateField(_("may be registered from"), null=True, blank=True)
    data_date = models.DateField(_("oldest due date"))
    data_expires_on = models.DateField(_("data too old from"))
    registered_on = models.DateField(_("registered"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deregistration_due_on = models.DateField(_("to be deleted by"), null=True, blank=True)
    deregistered_on = models.DateField(_("deregistered"), null=True, blank=True)
    deregistration_reason = models.CharField(
        _("deregistration reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    external_reference = models.CharField(_("bureau's reference"), max_length=100, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit-bureau registration")
        verbose_name_plural = _("credit-bureau registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "bureau"],
                condition=models.Q(status__in=["warned", "registered"]),
                name="credit_bureau_one_active_per_case_bureau",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["registered", "deregistered"])
                | models.Q(registered_on__isnull=False),
                name="credit_bureau_registered_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["data_expires_on"],
                name="credit_bureau_active_expiry",
                condition=models.Q(status__in=["warned", "registered"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.bureau} {self.get_status_display()}"

    @property
    def bureau_name(self) -> str:
        """The bureau's name in the case's profile (its code if the profile has none)."""
        from django.utils import timezone

        from cases.rules import get_profile

        try:
            profile = get_profile(self.case.creditor.jurisdiction, timezone.localdate())
            return profile.credit_bureau(self.bureau).name
        except LookupError:
            return self.bureau


class SubmissionAction(models.TextChoices):
    REGISTER = "register", _("Registration")
    DELETE = "delete", _("Deletion")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Accepted by the bureau")
    FAILED = "failed", _("Refused by the bureau")
    CANCELLED = "cancelled", _("Not needed")


class CreditBureauSubmission(TenantModel):
    """One record for a bureau: a registration or a deletion, sent exactly once in spirit
    (its idempotency key is the same for every attempt)."""

    registration = models.ForeignKey(
        CreditBureauRegistration, on_delete=models.PROTECT, related_name="submissions"
    )
    action = models.CharField(_("action"), max_length=10, choices=SubmissionAction.choices)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.PENDING,
    )
    bureau_reference = models.CharField(_("bureau's reference"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit-bureau submission")
        verbose_name_plural = _("credit-bureau submissions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "action"], name="credit_bureau_one_submission_per_action"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.registration}"


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    TRANSIENT = "transient", _("Temporary failure")
    PERMANENT = "permanent", _("Refused")


class CreditBureauAttempt(TenantModel):
    """One call to a bureau: written before the call, its outcome filled in once after.
    Append-only (``collections_portal/dbroles.py``)."""

    submission = models.ForeignKey(
        CreditBureauSubmission, on_delete=models.PROTECT, related_name="attempts"
    )
    adapter = models.CharField(_("adapter"), max_length=20)
    started_at = models.DateTimeField(_("started"), db_default=Now())
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING
    )
    bureau_reference = models.CharField(_("bureau's reference"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit-bureau attempt")
        verbose_name_plural = _("credit-bureau attempts")
        ordering = ["started_at", "pk"]
