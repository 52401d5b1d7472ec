"""The tenants: creditors, and the people who act for them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.dk import cvr as stdnum_cvr

from .validators import (
    validate_bank_account_number,
    validate_bank_reg_number,
    validate_cvr,
    validate_fik_creditor_number,
    validate_iban,
)


class Jurisdiction(models.TextChoices):
    DK = "DK", _("Denmark")
    SE = "SE", _("Sweden")
    NO = "NO", _("Norway")


class Currency(models.TextChoices):
    DKK = "DKK", "DKK"
    SEK = "SEK", "SEK"
    NOK = "NOK", "NOK"
    EUR = "EUR", "EUR"


class Language(models.TextChoices):
    DA = "da", _("Danish")
    EN = "en", _("English")


class AllocationOrder(models.TextChoices):
    """Orders in which a payment covers the components of a balance (dækningsrækkefølge)."""

    COSTS_INTEREST_PRINCIPAL = "costs,interest,principal", _("Costs, interest, principal")
    INTEREST_COSTS_PRINCIPAL = "interest,costs,principal", _("Interest, costs, principal")
    COSTS_PRINCIPAL_INTEREST = "costs,principal,interest", _("Costs, principal, interest")
    PRINCIPAL_INTEREST_COSTS = "principal,interest,costs", _("Principal, interest, costs")


class SettlementPeriod(models.TextChoices):
    """How often the agency settles collected money to the creditor (afregning)."""

    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class CompensationTo(models.TextChoices):
    """Who keeps the B2B compensation (kompensationsbeløb) the debtor pays."""

    CREDITOR = "creditor", _("The creditor")
    AGENCY = "agency", _("The agency")


PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Creditor(models.Model):
    """A creditor: the tenant whose invoices the agency collects.

    Its identity (CVR), jurisdiction profile, currency and language decide which rules apply to
    its cases; its address, bank account and FIK creditor number appear on every letter.
    """

    name = models.CharField(_("name"), max_length=200)
    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, validators=[validate_cvr])
    jurisdiction = models.CharField(
        _("jurisdiction profile"),
        max_length=2,
        choices=Jurisdiction.choices,
        default=Jurisdiction.DK,
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.DKK
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DA
    )
    address_line = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="DK")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bank_reg_number = models.CharField(
        _("bank registration number"),
        max_length=4,
        blank=True,
        validators=[validate_bank_reg_number],
    )
    bank_account_number = models.CharField(
        _("bank account number"),
        max_length=10,
        blank=True,
        validators=[validate_bank_account_number],
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    fik_creditor_number = models.CharField(
        _("FIK creditor number"),
        max_length=8,
        blank=True,
        validators=[validate_fik_creditor_number],
        help_text=_("The 8-digit creditor number for +71 payment slips."),
    )
    allocation_order = models.CharField(
        _("payment allocation order"),
        max_length=30,
        choices=AllocationOrder.choices,
        blank=True,
        help_text=_(
            "The order payments cover costs, interest and principal when the debtor has not "
            "designated otherwise. Empty: the jurisdiction profile's default."
        ),
    )
    interest_day_count = models.CharField(
        _("interest day count"),
        max_length=10,
        choices=[("30/360", _("30/360 (every month 30 days)")), ("act/365", _("Actual days/365"))],
        blank=True,
        help_text=_(
            "The day count the creditor's agreement sets for default interest. Empty: the "
            "jurisdiction profile's (Denmark: 30/360)."
        ),
    )
    # A FileField, not an ImageField: SVG logos are allowed, and the upload's content is checked
    # by creditors.validators.validate_logo (PNG, JPEG or a script-free SVG, size-limited).
    logo = models.FileField(_("logo"), upload_to="creditor-logos/", blank=True)
    # Collection policy: how the scheduler works this creditor's cases. The jurisdiction
    # profile's minimums (reminder spacing, warning deadline) always apply on top.
    policy_reminders = models.PositiveSmallIntegerField(
        _("reminders before the collection warning"),
        default=1,
        validators=[MaxValueValidator(3)],
    )
    policy_first_reminder_days = models.PositiveSmallIntegerField(
        _("days from due date to the first reminder"), default=7
    )
    policy_reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders"),
        default=10,
        help_text=_("Never fewer than the profile's minimum spacing."),
    )
    policy_collection_days = models.PositiveSmallIntegerField(
        _("days in collection before monitoring"), default=90
    )
    policy_monitoring_recheck_days = models.PositiveSmallIntegerField(
        _("days between monitoring re-checks"), default=180
    )
    policy_group_invoices_per_debtor = models.BooleanField(
        _("one case per debtor in a bulk upload"),
        default=False,
        help_text=_(
            "On: a debtor's invoices in one upload become one case. Off: one case per invoice."
        ),
    )
    policy_payment_receipts = models.BooleanField(
        _("a receipt for each payment"),
        default=True,
        help_text=_(
            "On: the debtor gets a receipt with the remaining balance for each payment "
            "registered on a case once a letter has gone out on it. A payment that settles "
            "the case is confirmed by the closing letter instead."
        ),
    )
    # Instalment plans an agent may agree at once; outside these a supervisor approves.
    policy_plan_max_instalments = models.PositiveSmallIntegerField(
        _("most instalments an agent may agree"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    policy_plan_max_months = models.PositiveSmallIntegerField(
        _("longest plan an agent may agree (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("From today to the last instalment's due date."),
    )
    policy_plan_min_instalment = models.DecimalField(
        _("smallest instalment an agent may agree"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("200.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The last instalment, which takes the rest, may be smaller."),
    )
    # The settlement agreement: how often collected money is settled and how it is split.
    settlement_period = models.CharField(
        _("settlement period"),
        max_length=10,
        choices=SettlementPeriod.choices,
        default=SettlementPeriod.MONTHLY,
    )
    settlement_interest_share = models.DecimalField(
        _("agency's share of interest (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=PERCENT_VALIDATORS,
        help_text=_("The part of the interest collected that the agency keeps, in percent."),
    )
    settlement_commission_percent = models.DecimalField(
        _("commission on collected principal (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=PERCENT_VALIDATORS,
        help_text=_("The agency's commission on the principal collected, in percent."),
    )
    settlement_compensation_to = models.CharField(
        _("compensation is kept by"),
        max_length=10,
        choices=CompensationTo.choices,
        default=CompensationTo.CREDITOR,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("creditor")
        verbose_name_plural = _("creditors")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cvr__regex=r"^[0-9]{8}$"), name="creditor_cvr_8_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(settlement_interest_share__gte=0)
                & models.Q(settlement_interest_share__lte=100)
                & models.Q(settlement_commission_percent__gte=0)
                & models.Q(settlement_commission_percent__lte=100),
                name="creditor_settlement_percents_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Accept "DK 1358 5628" and "dk50 0040 ..." as typed; store the compact forms.
        self.cvr = stdnum_cvr.compact(self.cvr or "")
        self.iban = stdnum_iban.compact(self.iban or "")
        super().clean_fields(exclude=exclude)


class Role(models.TextChoices):
    """What a creditor's user may do, from most to least."""

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's access to one creditor, with a role. A user may belong to several creditors."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("creditor")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "creditor"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.creditor} ({self.get_role_display()})"

    @property
    def can_manage(self) -> bool:
        """Owners and administrators manage the creditor's users, keys and settings."""
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def can_edit(self) -> bool:
        """Everyone but a viewer may file and act on cases."""
        return self.role != Role.VIEWER


class ApiKey(models.Model):
    """A creditor's key for the REST API (issue 6).

    Only the SHA-256 of the key is stored: the key is shown once, when it is created. The
    prefix, stored in clear, finds the row and lets a person tell keys apart. A key is not
    tenant data behind a scope: it is read to decide which scope an API request gets.
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("creditor")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["creditor", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """An invitation by e-mail to join a creditor with a role (issue 15).

    The e-mail carries a signed link naming this row (``creditors.services.invitation_token``);
    the row says whether the link may still be used: it expires, is used once, and can be
    revoked. Like ``ApiKey`` it is not tenant data behind a scope: the person accepting it acts
    for no creditor yet, so every read filters by creditor (or by the signed id) explicitly.
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("creditor")
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.creditor} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone_now()


class CreditorEvent(models.Model):
    """The creditor's own audit log: who changed its users, invitations or details, and when.

    Append-only (``collections_portal/dbroles.py``): written only by ``creditors.services``,
    never changed or deleted. ``code`` is dotted (``membership.role_changed``); ``data`` holds
    what changed (roles before and after, the names of the fields edited), never a secret.
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="events", verbose_name=_("creditor")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    code = models.CharField(_("event"), max_length=50)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user concerned"),
    )
    subject_email = models.EmailField(_("e-mail concerned"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone_now)

    class Meta:
        verbose_name = _("creditor event")
        verbose_name_plural = _("creditor events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["creditor", "-created_at"], name="creditor_event_by_creditor"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.creditor} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def old_role_label(self) -> str:
        return _role_label(self.data.get("old_role", ""))

    @property
    def new_role_label(self) -> str:
        return _role_label(self.data.get("new_role", ""))


def _role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value
