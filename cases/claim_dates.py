"""The dates a claim may have: the one rule the import, the API and the filing service apply.

An invoice dated after tomorrow (Copenhagen) is refused: a date in the future is a typing
error (2062 for 2026), and a claim cannot be overdue before it is invoiced. The day of
tolerance covers an invoice written late in the evening elsewhere. A due date before the
invoice date is impossible, and one more than 366 days after it is refused too: almost
always a typing error, and such a claim is not due for collection.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

INVOICE_DATE_TOLERANCE = timedelta(days=1)
MAX_DUE_AFTER_INVOICE = timedelta(days=366)


def latest_invoice_date(today: date) -> date:
    """The last invoice date accepted on ``today`` (the Copenhagen date)."""
    return today + INVOICE_DATE_TOLERANCE


def claim_date_errors(
    invoice_date: date | None, due_date: date | None, *, today: date
) -> list[tuple[str, str, str]]:
    """What is wrong with a claim's dates: (field, code, message) per fault, the field named
    as in the request (``invoice_date``, ``due_date``). An empty list: the dates are fine."""
    errors: list[tuple[str, str, str]] = []
    if invoice_date and invoice_date > latest_invoice_date(today):
        errors.append(
            (
                "invoice_date",
                "future",
                _("The invoice date %(date)s is in the future.")
                % {"date": invoice_date.strftime("%d-%m-%Y")},
            )
        )
    if invoice_date and due_date and due_date < invoice_date:
        errors.append(("due_date", "invalid", _("The due date is before the invoice date.")))
    elif invoice_date and due_date and due_date - invoice_date > MAX_DUE_AFTER_INVOICE:
        errors.append(
            ("due_date", "too_late", _("The due date is more than a year after the invoice date."))
        )
    return errors
