"""Money in: bank files, their entries, the payments booked from them, unmatched payments and
refunds.

These are the agency's records, not a creditor's: the agency's bank account receives the money
of every creditor, so a bank file and its entries belong to no tenant. What a payment was booked
to is a tenant's (``ReceivedPayment.creditor``), and each such row says whether it has been
settled to the creditor (``settled_at``; the settlement itself is a later step), so a
settlement can pick the unsettled ones and none is paid out twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel
from integrations.jobs import JobFields, JobStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


def upload_path(bank_file: BankFile, filename: str) -> str:
    # Never the uploader's file name on disk.
    return f"bank/{bank_file.public_id}.{bank_file.format}"


class BankFileFormat(models.TextChoices):
    CAMT054 = "camt054", "camt.054"
    CAMT053 = "camt053", "camt.053"
    CSV = "csv", "CSV"


# A bank file's statuses are every job's (integrations/jobs.py); the name stays for its callers.
BankFileStatus = JobStatus


class BankFile(JobFields):
    """One file from the bank and the job that reads it (the shared job runner,
    :class:`integrations.bank.services.BankRunner`; a unit is an entry). A job always ends
    ``finished`` or ``failed``, with the reason in ``error``. The agency's record: no tenant."""

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    format = models.CharField(_("format"), max_length=8, choices=BankFileFormat.choices)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    source = models.CharField(
        _("source"), max_length=60, help_text=_("portal, api or the bank connection's name")
    )
    message_id = models.CharField(_("message id"), max_length=100, blank=True)
    account = models.CharField(_("account"), max_length=60, blank=True)
    entries_total = models.PositiveIntegerField(_("entries"), default=0)
    booked = models.PositiveIntegerField(_("booked"), default=0)
    unmatched = models.PositiveIntegerField(_("unmatched"), default=0)
    returned = models.PositiveIntegerField(_("returns"), default=0)
    duplicates = models.PositiveIntegerField(_("seen before"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    ignored = models.PositiveIntegerField(_("not payments"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank file")
        verbose_name_plural = _("bank files")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name or self.public_id} ({self.get_status_display()})"


class EntryStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    UNMATCHED = "unmatched", _("Unmatched")
    RESOLVED = "resolved", _("Booked by an agent")
    REFUND = "refund", _("To be refunded")
    RETURN = "return", _("Return of a payment")
    RETURNED = "returned", _("Returned by the bank")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Seen before")
    IGNORED = "ignored", _("Not a payment")


class BankEntry(models.Model):
    """One payment (transaction) in a bank file.

    ``reference`` is the bank's own reference of the entry (AcctSvcrRef, else NtryRef; with the
    transaction's position when one entry holds several): with the account it is unique, so an
    entry seen before is never booked twice, whichever file brings it again. A rejected entry
    (unreadable) claims no reference, so the bank's corrected resend is read; an entry seen
    before is recorded as a duplicate of it and books nothing.
    """

    file = models.ForeignKey(BankFile, on_delete=models.PROTECT, related_name="entries")
    position = models.PositiveIntegerField(_("position in the file"))
    account = models.CharField(_("account"), max_length=60, blank=True)
    reference = models.CharField(_("bank reference"), max_length=140, blank=True)
    credit = models.BooleanField(_("money in"), default=True)
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    booked_on = models.DateField(_("booking date"), null=True, blank=True)
    value_on = models.DateField(_("value date"), null=True, blank=True)
    debtor_name = models.CharField(_("payer"), max_length=200, blank=True)
    debtor_account = models.CharField(_("payer's account"), max_length=60, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=140, blank=True)
    remittance = models.TextField(_("remittance text"), blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=140, blank=True)
    is_return = models.BooleanField(_("return or reversal"), default=False)
    return_reason = models.CharField(_("return reason"), max_length=300, blank=True)
    returns = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_by",
        verbose_name=_("returns the entry"),
    )
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices)
    reason = models.TextField(_("why"), blank=True)
    match_rule = models.CharField(_("matched by"), max_length=40, blank=True)
    creditor = models.ForeignKey(
        "creditors.Creditor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The creditor it was booked for (empty when split across creditors)."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    created_at = models.DateTimeField(_("read"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank entry")
        verbose_name_plural = _("bank entries")
        ordering = ["file", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference"],
                condition=models.Q(reference__gt="")
                & ~models.Q(status__in=["rejected", "duplicate"]),
                name="bank_entry_seen_once",
            ),
        ]
        indexes = [
            models.Index(fields=["end_to_end_id"], name="bank_entry_e2e"),
            models.Index(fields=["status"], name="bank_entry_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.position} {self.amount} {self.currency}"

    @property
    def settled(self) -> bool:
        """Whether every payment booked from the entry has been settled to its creditor."""
        rows = list(self.bookings.all())
        return bool(rows) and all(row.settled_at is not None for row in rows)


class PaymentSource(models.TextChoices):
    BANK = "bank", _("Bank file, matched")
    BANK_AGENT = "bank_agent", _("Bank file, booked by an agent")
    AGENT = "agent", _("Registered by an agent")
    MOVED = "moved", _("Moved from another case")


class ReceivedPayment(models.Model):
    """A payment the agency received into its client account and booked on a case.

    One row per booked payment (``cases.Payment``): where the money came from (a bank entry,
    an agent's registration, a move from another case), whose it is (``creditor``) and whether
    it has been settled to that creditor. Append-only but for the settlement mark, written once.
    """

    payment = models.OneToOneField(
        "cases.Payment", on_delete=models.PROTECT, related_name="received"
    )
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    source = models.CharField(_("source"), max_length=12, choices=PaymentSource.choices)
    entry = models.ForeignKey(
        BankEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    moved_from = models.OneToOneField(
        "cases.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moved_to",
        verbose_name=_("moved from payment"),
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settlement_reference = models.CharField(_("settlement"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("received payment")
        verbose_name_plural = _("received payments")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["creditor"],
                name="received_unsettled",
                condition=models.Q(settled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.get_source_display()})"


class UnmatchedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    BOOKED = "booked", _("Booked")
    REFUND = "refund", _("To be refunded")
    RETURNED = "returned", _("Returned by the bank")


class UnmatchedPayment(models.Model):
    """Money in that no rule matched surely: an agent picks the case, splits it, or marks it
    for refund. ``suggestions`` are cases proposed by name and amount (never booked by
    themselves): ``[{"case": id, "number": n, "creditor": name, "why": text}]``."""

    entry = models.OneToOneField(BankEntry, on_delete=models.PROTECT, related_name="unmatched_item")
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    reason = models.TextField(_("why it is unmatched"))
    suggestions = models.JSONField(_("suggestions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=UnmatchedStatus.choices, default=UnmatchedStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("unmatched payment")
        verbose_name_plural = _("unmatched payments")
        ordering = ["received_on", "pk"]
        indexes = [
            models.Index(
                fields=["received_on"],
                name="unmatched_open",
                condition=models.Q(status="open"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.received_on}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("To be paid")
    PAID = "paid", _("Paid")


class Refund(models.Model):
    """Money the agency owes back to a payer: a case's credit (an overpayment) or an unmatched
    payment. Paying it out (a credit transfer) is a later step; ``paid_at`` marks it."""

    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmatched = models.OneToOneField(
        UnmatchedPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="refund"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    payee_name = models.CharField(_("payee"), max_length=200, blank=True)
    payee_account = models.CharField(_("payee's account"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.payee_name}"


class Settlement(TenantModel):
    """One settlement (afregning) of a creditor's collected money for a period.

    Written once, in one transaction with its lines; never changed. The figures are the sums of
    its lines (see ``integrations.bank.settlements``):

    - ``received``: money the agency received for the creditor in the settled payments;
    - ``creditor_share`` / ``agency_share``: how that money divides by the agreement;
    - ``credit_held``: overpayments in it, held for the debtors (refunded, never paid out);
    - ``direct_received`` / ``direct_owed``: payments made directly to the creditor and the
      agency's part of them, which the creditor owes the agency;
    - ``payout``: ``creditor_share - direct_owed`` (negative: the creditor owes the agency).
    """

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=40, unique=True)
    # ``creditor`` (TenantModel): whose settlement; its users read it in their scope only.
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    currency = models.CharField(_("currency"), max_length=3, default="DKK")
    # The agreement as it was applied (the creditor's settings may change later).
    interest_share = models.DecimalField(
        _("agency's share of interest (%)"), max_digits=5, decimal_places=2
    )
    commission_percent = models.DecimalField(_("commission (%)"), max_digits=5, decimal_places=2)
    compensation_to = models.CharField(_("compensation is kept by"), max_length=10)
    payments = models.PositiveIntegerField(_("payments"))
    received = models.DecimalField(_("received by the agency"), **MONEY)
    principal = models.DecimalField(_("principal"), **MONEY)
    interest_creditor = models.DecimalField(_("interest to the creditor"), **MONEY)
    interest_agency = models.DecimalField(_("interest kept by the agency"), **MONEY)
    compensation_creditor = models.DecimalField(_("compensation to the creditor"), **MONEY)
    compensation_agency = models.DecimalField(_("compensation kept by the agency"), **MONEY)
    costs_agency = models.DecimalField(_("collection costs and fees"), **MONEY)
    commission = models.DecimalField(_("commission"), **MONEY)
    creditor_share = models.DecimalField(_("the creditor's share"), **MONEY)
    agency_share = models.DecimalField(_("the agency's share"), **MONEY)
    credit_held = models.DecimalField(_("overpayments held for debtors"), **MONEY)
    direct_received = models.DecimalField(_("paid directly to the creditor"), **MONEY)
    direct_owed = models.DecimalField(_("owed by the creditor for direct payments"), **MONEY)
    payout = models.DecimalField(_("net payout"), **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payout=models.F("creditor_share") - models.F("direct_owed")),
                name="settlement_payout_is_share_less_owed",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def agency_revenue(self):
        """What the agency earns in the settlement: its share of the money it received and
        its part of the direct payments (taken off the payout)."""
        return self.agency_share + self.direct_owed


class SettlementLine(models.Model):
    """One payment in a settlement and how it divides. A payment is in one line at most (a
    unique key): no payment is settled twice, whatever runs at the same time."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="lines")
    payment = models.OneToOneField(
        "cases.Payment", on_delete=models.PROTECT, related_name="settlement_line"
    )
    direct = models.BooleanField(_("paid directly to the creditor"))
    case_number = models.CharField(_("case"), max_length=40)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    interest_agency = models.DecimalField(_("interest kept by the agency"), **MONEY)
    compensation = models.DecimalField(_("compensation"), **MONEY)
    costs = models.DecimalField(_("collection costs and fees"), **MONEY)
    commission = models.DecimalField(_("commission"), **MONEY)
    credit = models.DecimalField(_("overpayment"), **MONEY)
    creditor_share = models.DecimalField(_("the creditor's share"), **MONEY)
    agency_share = models.DecimalField(_("the agency's share"), **MONEY)

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    amount=models.F("creditor_share")
                    + models.F("agency_share")
                    + models.F("credit")
                ),
                name="settlement_line_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.amount}"


class Reconciliation(models.Model):
    """One reconciliation result: for a creditor (or, with no creditor, the total) at
    ``checked_at``: received = paid out + agency revenue + refunds + held, and the difference
    (zero when the books agree to the øre). One row per creditor and one total per ``run``."""

    run = models.UUIDField(_("run"), db_index=True)
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received = models.DecimalField(_("received"), **MONEY)
    paid_out = models.DecimalField(_("paid out to the creditor"), **MONEY)
    agency_revenue = models.DecimalField(_("agency revenue"), **MONEY)
    refunds = models.DecimalField(_("refunds"), **MONEY)
    held = models.DecimalField(_("held on the client account"), **MONEY)
    difference = models.DecimalField(_("difference"), **MONEY)
    checked_at = models.DateTimeField(_("checked"), auto_now_add=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-checked_at", "creditor_id"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d} {self.difference}"
