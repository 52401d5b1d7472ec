"""A settlement's statement: a PDF (WeasyPrint, laid out as the letters are) and a CSV, in the
creditor's language."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from collections_portal.money import plain_money

from .models import Settlement

CSV_FIELDS = (
    "case_number",
    "received_on",
    "direct",
    "amount",
    "principal",
    "interest",
    "interest_agency",
    "compensation",
    "costs",
    "commission",
    "credit",
    "creditor_share",
    "agency_share",
)


def _language(settlement: Settlement) -> str:
    return settlement.creditor.language if settlement.creditor.language in ("da", "en") else "da"


def statement_html(settlement: Settlement) -> str:
    language = _language(settlement)
    with translation.override(language):
        return render_to_string(
            "bank/statement.html",
            {
                "s": settlement,
                "lines": settlement.lines.order_by("received_on", "pk"),
                "language": language,
                "agency_name": settings.AGENCY_NAME,
            },
        )


def statement_pdf(settlement: Settlement) -> bytes:
    from notices.rendering import html_to_pdf

    return html_to_pdf(statement_html(settlement))


def statement_csv(settlement: Settlement) -> str:
    """One row per payment, then the settlement's totals; amounts with a point and two
    decimals (a spreadsheet reads them in any locale), ';' as separator as Danish Excel
    expects."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    with translation.override(_language(settlement)):
        writer.writerow(
            [
                _("Case"),
                _("Received"),
                _("Paid directly to the creditor"),
                _("Amount"),
                _("Principal"),
                _("Interest"),
                _("Interest kept by the agency"),
                _("Compensation"),
                _("Collection costs and fees"),
                _("Commission"),
                _("Overpayment"),
                _("Your share"),
                _("The agency's share"),
            ]
        )
        for line in settlement.lines.order_by("received_on", "pk"):
            row = []
            for field in CSV_FIELDS:
                value = getattr(line, field)
                if field == "direct":
                    value = _("yes") if value else _("no")
                elif field == "received_on":
                    value = value.isoformat()
                elif field != "case_number":
                    value = plain_money(value)
                row.append(value)
            writer.writerow(row)
        writer.writerow([])
        for label, value in (
            (_("Received by the agency"), settlement.received),
            (_("Your share"), settlement.creditor_share),
            (_("The agency's share"), settlement.agency_share),
            (_("Overpayments held for debtors"), settlement.credit_held),
            (_("Paid directly to you"), settlement.direct_received),
            (_("You owe the agency for payments made directly to you"), settlement.direct_owed),
            (_("Net payout to you"), settlement.payout),
        ):
            writer.writerow([label, plain_money(value)])
    return out.getvalue()
