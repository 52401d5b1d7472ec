"""Documents attached to a case: the invoice copy, a contract, the debtor's letter.

The file itself lives in Django's default storage. ``cases.models_documents`` re-exports this
module: migration 0007 names ``case_document_path`` there.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel


def case_document_path(document: CaseDocument, filename: str) -> str:
    """case-documents/<creditor>/<case number>/<random>-<name>: never guessable, never reused."""
    return f"case-documents/{document.creditor_id}/{document.case.number}/{uuid.uuid4().hex}"


class CaseDocument(TenantModel):
    """A file on a case, uploaded by a creditor's user, an agent or an API client."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="documents", verbose_name=_("case")
    )
    file = models.FileField(_("file"), upload_to=case_document_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by_label = models.CharField(_("uploaded by"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.filename
