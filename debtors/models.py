"""Debtors: the people and companies that owe a creditor money, and how to reach them."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel
from creditors.models import Language

from .validators import mask_cpr, normalise_cpr, normalise_cvr, normalise_email, normalise_phone


class DebtorKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Debtor(TenantModel):
    """A debtor of one creditor; letters go to its registered address.

    The same CPR/CVR within a creditor is one debtor; debtors are never shared or merged across
    creditors. ``national_id`` is stored compact (digits only): a CPR number for a person, a CVR
    number for a company. A CPR number is personal data shown masked by default
    (:attr:`masked_national_id`); showing it in full goes through
    ``debtors.services.debtor_reveal_national_id``, which records who saw it.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=DebtorKind.choices)
    name = models.CharField(_("name"), max_length=200)
    national_id = models.CharField(
        _("CPR/CVR number"),
        max_length=20,
        blank=True,
        help_text=_("CPR for a person, CVR for a company; digits only."),
    )
    address_line = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="DK")
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DA
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "national_id"],
                condition=~models.Q(national_id=""),
                name="debtor_unique_national_id_per_creditor",
            ),
            # The de-duplication compares stored numbers: a formatted one would slip past it.
            models.CheckConstraint(
                condition=models.Q(national_id="")
                | models.Q(kind=DebtorKind.PERSON, national_id__regex=r"^[0-9]{10}$")
                | models.Q(kind=DebtorKind.COMPANY, national_id__regex=r"^[0-9]{8}$"),
                name="debtor_national_id_compact",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_national_id(self) -> str:
        """The number safe to show anyone: a CPR as ``DDMMYY-XXXX``, a CVR (public) in full."""
        if not self.national_id:
            return ""
        if self.kind == DebtorKind.PERSON:
            return mask_cpr(self.national_id)
        return self.national_id

    @property
    def national_id_is_secret(self) -> bool:
        """A person's CPR number is shown in full only on request, and the request is recorded."""
        return bool(self.national_id) and self.kind == DebtorKind.PERSON

    def clean_fields(self, exclude=None) -> None:
        for field in ("name", "national_id", "address_line", "postal_code", "city"):
            setattr(self, field, (getattr(self, field) or "").strip())
        self.country = (self.country or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        """Store the CPR/CVR compact once it is known to be valid for the debtor's kind."""
        errors: dict[str, list[ValidationError]] = {}
        if self.national_id:
            try:
                if self.kind == DebtorKind.PERSON:
                    self.national_id = normalise_cpr(self.national_id)
                elif self.kind == DebtorKind.COMPANY:
                    self.national_id = normalise_cvr(self.national_id)
            except ValidationError as exc:
                errors["national_id"] = exc.error_list
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            errors["country"] = [
                ValidationError(_("Use the two-letter country code, e.g. DK."), code="invalid")
            ]
        elif self.country == "DK" and not re.fullmatch(r"[0-9]{4}", self.postal_code):
            errors["postal_code"] = [
                ValidationError(_("A Danish postal code has 4 digits."), code="invalid")
            ]
        if errors:
            raise ValidationError(errors)


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    MOBILE = "mobile", _("Mobile")
    PHONE = "phone", _("Phone")


class ContactSource(models.TextChoices):
    """Where a contact point, or the consent to use it, came from."""

    CREDITOR_IMPORT = "creditor_import", _("creditor import")
    CREDITOR_PORTAL = "creditor_portal", _("creditor via portal")
    AGENT = "agent", _("collection agent")
    DEBTOR_PORTAL = "debtor_portal", _("debtor via portal")
    PUBLIC_REGISTER = "public_register", _("public register")


class ContactPoint(TenantModel):
    """An e-mail address or phone number of a debtor, where it came from, and the consent.

    Values are stored normalised (e-mail with a lower-case domain, phone numbers in E.164), so
    the same address given twice is one contact point. At most one point of each kind is the
    debtor's primary one.
    """

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="contact_points", verbose_name=_("debtor")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("address or number"), max_length=254)
    consent = models.BooleanField(
        _("consent"),
        default=False,
        help_text=_("The debtor has agreed to be contacted this way."),
    )
    consent_source = models.CharField(
        _("consent given via"), max_length=20, choices=ContactSource.choices, blank=True
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ContactSource.choices,
        default=ContactSource.CREDITOR_IMPORT,
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["kind", "-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["debtor", "kind", "value"], name="contactpoint_unique_value_per_debtor"
            ),
            models.UniqueConstraint(
                fields=["debtor", "kind"],
                condition=models.Q(is_primary=True),
                name="contactpoint_one_primary_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(consent=False) | ~models.Q(consent_source=""),
                name="contactpoint_consent_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean_fields(self, exclude=None) -> None:
        self.value = (self.value or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if self.value:
            try:
                if self.kind == ContactKind.EMAIL:
                    self.value = normalise_email(self.value)
                elif self.kind in (ContactKind.MOBILE, ContactKind.PHONE):
                    self.value = normalise_phone(self.value, mobile=self.kind == ContactKind.MOBILE)
            except ValidationError as exc:
                errors["value"] = exc.error_list
        if self.consent and not self.consent_source:
            errors["consent_source"] = [
                ValidationError(_("Say how the debtor gave consent."), code="required")
            ]
        if errors:
            raise ValidationError(errors)


class NationalIdReveal(TenantModel):
    """One showing of a debtor's full CPR number: to whom, when and, if given, why.

    Written only by ``debtors.services`` (a person's reveal on the debtor page, or an exact
    look-up by CPR number that found the debtor, by a person or an API key); never changed or
    deleted.
    """

    debtor = models.ForeignKey(
        Debtor,
        on_delete=models.PROTECT,
        related_name="national_id_reveals",
        verbose_name=_("debtor"),
    )
    # PROTECT: the log must still name the person after the fact; deactivate users instead.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    api_key = models.ForeignKey(
        "creditors.ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
    )
    revealed_at = models.DateTimeField(_("revealed at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("CPR number reveal")
        verbose_name_plural = _("CPR number reveals")
        ordering = ["-revealed_at", "-pk"]
        indexes = [
            models.Index(fields=["debtor", "-revealed_at"], name="debtor_reveal_by_debtor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, api_key__isnull=True)
                | models.Q(user__isnull=True, api_key__isnull=False),
                name="debtor_reveal_by_user_or_api_key",
            )
        ]

    @property
    def seen_by(self) -> str:
        return str(self.user) if self.user_id else str(self.api_key)

    def __str__(self) -> str:
        return f"{self.seen_by} · {self.debtor} · {self.revealed_at:%Y-%m-%d %H:%M}"


class NationalIdLookup(TenantModel):
    """One exact look-up of a debtor by CPR/CVR number, found or not: who, when and why.

    The number looked up is never stored (nor logged): a look-up is a way to learn a full CPR
    number by trying the masked digits, so each one is recorded with its reason, counted
    against the per-user limit (``NATIONAL_ID_LOOKUPS_PER_HOUR``) and, when it found a
    debtor, also recorded as a reveal of that debtor's number. Written only by
    ``debtors.services.debtor_lookup_by_national_id``; never changed or deleted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    api_key = models.ForeignKey(
        "creditors.ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
    )
    looked_up_at = models.DateTimeField(_("looked up at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200)
    found = models.ForeignKey(
        Debtor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("debtor found"),
    )

    class Meta:
        verbose_name = _("CPR number look-up")
        verbose_name_plural = _("CPR number look-ups")
        ordering = ["-looked_up_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-looked_up_at"], name="debtor_lookup_by_user"),
            models.Index(fields=["api_key", "-looked_up_at"], name="debtor_lookup_by_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, api_key__isnull=True)
                | models.Q(user__isnull=True, api_key__isnull=False),
                name="debtor_lookup_by_user_or_api_key",
            )
        ]

    def __str__(self) -> str:
        who = self.user if self.user_id else self.api_key
        return f"{who} · {self.looked_up_at:%Y-%m-%d %H:%M}"
