"""Notices: the letters and messages a case sends. A database record first, rendered and
delivered later by Celery; unique per case, kind and sequence so a retry never makes two."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from collections_portal.tenancy import TenantModel
from collections_portal.texts import Text


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    WARNING = "warning", _("Collection warning")
    COLLECTION_LETTER = "collection_letter", _("Collection letter with settlement")
    PLAN_CONFIRMATION = "plan_confirmation", _("Instalment plan confirmation")
    MISSED_INSTALMENT = "missed_instalment", _("Missed instalment reminder")
    RECEIPT = "receipt", _("Payment receipt")
    DISPUTE_ACK = "dispute_ack", _("Dispute acknowledgement")
    DISPUTE_ANSWER = "dispute_answer", _("Answer to a dispute")
    CLOSED = "closed", _("Case closed")
    CREDIT_BUREAU_WARNING = "credit_bureau_warning", _("Credit-bureau warning")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of debt (skyldnererklæring)")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be rendered")
    RENDERED = "rendered", _("Rendered")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def notice_pdf_path(notice: "Notice", filename: str) -> str:
    """notices/<creditor>/<yyyy>/<mm>/<case number>-<kind>-<sequence>.pdf"""
    return (
        f"notices/{notice.creditor_id}/{notice.dated:%Y/%m}/"
        f"{notice.case.number}-{notice.kind}-{notice.sequence}.pdf"
    )


class Notice(TenantModel):
    """One letter of one kind to a case's debtor: the n-th reminder, the warning, ..."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    sequence = models.PositiveSmallIntegerField(_("number"), default=1)
    dated = models.DateField(_("dated"))
    deadline = models.DateField(_("pay by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    language = models.CharField(_("language"), max_length=5, default="da")
    # The payment a receipt acknowledges (receipts only).
    payment = models.ForeignKey(
        "cases.Payment",
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    # The rendered letter: written once by the render task, never rewritten.
    pdf = models.FileField(_("PDF"), upload_to=notice_pdf_path, blank=True, max_length=200)
    pdf_sha256 = models.CharField(_("PDF checksum (SHA-256)"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["dated", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "sequence"], name="notice_unique_per_case_kind_sequence"
            ),
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=models.Q(payment__isnull=False),
                name="notice_one_of_a_kind_per_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sequence}"

    def text(self) -> Text:
        """``Reminder 2``: the letter's kind and number, kept to be read in any language."""
        return Text(N_("%(kind)s %(number)s"), kind=NoticeKind(self.kind).label,
                    number=self.sequence)  # fmt: skip
