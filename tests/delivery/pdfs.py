"""Rendered notices for delivery tests: real WeasyPrint PDFs stored as the render task would.

The renderer itself is another part of the issue; here a small HTML letter with a known number
of pages stands in for the template, rendered by WeasyPrint and stored with its checksum.
"""

import hashlib
import itertools
from datetime import date

import weasyprint
from django.core.files.base import ContentFile
from django.utils import timezone

from collections_portal.tenancy import creditor_scope
from notices.models import Notice, NoticeKind, NoticeStatus
from tests.cases.helpers import claim, file_case

DUE = date(2025, 3, 1)


def letter_pdf(label: str, pages: int = 1) -> bytes:
    """A real A4 PDF; page k carries the text '<label> page k of n'."""
    sheets = "".join(
        f'<section style="page-break-after: {"always" if k < pages else "auto"}">'
        f"<p>{label} page {k} of {pages}</p></section>"
        for k in range(1, pages + 1)
    )
    html = f"<html><head><style>@page {{ size: A4 }}</style></head><body>{sheets}</body></html>"
    return weasyprint.HTML(string=html).write_pdf()


def rendered_notice(
    case,
    *,
    kind: str = NoticeKind.REMINDER,
    sequence: int = 1,
    pages: int = 1,
    dated: date = DUE,
    deadline: date | None = None,
    language: str = "da",
) -> Notice:
    """A notice of ``case`` in status rendered, its PDF in storage with its checksum."""
    with creditor_scope(case.creditor_id):
        notice = Notice.objects.create(
            creditor_id=case.creditor_id,
            case=case,
            kind=kind,
            sequence=sequence,
            dated=dated,
            deadline=deadline,
            language=language,
        )
        pdf = letter_pdf(f"Case {case.number} {kind} {sequence}", pages)
        notice.pdf.save("letter.pdf", ContentFile(pdf), save=False)
        notice.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        notice.status = NoticeStatus.RENDERED
        notice.rendered_at = timezone.now()
        notice.save(update_fields=["pdf", "pdf_sha256", "status", "rendered_at"])
        return notice


def case_owing(creditor, amount: str = "1000.00", **debtor_kwargs):
    """A filed case with one claim due on DUE (its principal posted to the ledger)."""
    from tests.factories import DebtorFactory

    debtor = DebtorFactory(creditor=creditor, **debtor_kwargs)
    number = f"F-{next(_invoice_numbers)}"
    return file_case(creditor, claim(number, amount, DUE), debtor=debtor)


_invoice_numbers = itertools.count(1001)
