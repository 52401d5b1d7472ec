"""The short texts that travel with a notice: e-mail subject and body, the SMS, the title of a
digital-post document. The letter itself is the PDF; these only announce it.

The texts are templates beside the letters (``templates/notices/<language>/_message.*.txt``,
or ``<kind>.email.txt`` / ``<kind>.sms.txt`` for a kind with its own), in the debtor's
language whatever the portal's UI language is. Nothing in them says "inkasso": subject lines,
SMS previews and inbox titles are seen by others. The sum they name is the letter's own,
``notices.context.amount_due``; the title is the kind's (``notices.kinds``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string, select_template

from collections_portal.money import format_money
from notices.context import amount_due
from notices.kinds import PAYMENT_KINDS, kind_for
from notices.models import Notice

__all__ = ["PAYMENT_KINDS", "NoticeText", "format_amount", "format_date", "notice_text"]

LANGUAGES = ("da", "en")


def _language(notice: Notice) -> str:
    return notice.language if notice.language in LANGUAGES else "da"


def format_amount(amount: Decimal, language: str) -> str:
    """1234.5 -> '1.234,50' in Danish, '1,234.50' in English (the money module's notation)."""
    return format_money(amount, language)


def format_date(day, language: str) -> str:
    return f"{day:%d.%m.%Y}" if language == "da" else f"{day:%d %B %Y}"


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str
    sms: str
    title: str


def _render(notice: Notice, language: str, part: str, context: dict) -> str:
    template = select_template(
        [f"notices/{language}/{notice.kind}.{part}.txt", f"notices/{language}/_message.{part}.txt"]
    )
    return template.render(context)


def notice_text(notice: Notice) -> NoticeText:
    """The subject, e-mail body, SMS and document title for a notice, in its language."""
    language = _language(notice)
    case = notice.case
    creditor = case.creditor
    title = kind_for(notice.kind).title(language)
    amount = amount_due(notice)
    context = {
        "title": title,
        "creditor": creditor.name,
        "reference": case.reference,
        "name": case.debtor.name,
        "amount": format_amount(amount, language) if amount is not None else "",
        "currency": case.currency,
        "deadline": format_date(notice.deadline, language) if notice.deadline else "",
        "fik_line": case.fik_line if creditor.fik_creditor_number else "",
        "bank_reg_number": creditor.bank_reg_number if creditor.bank_account_number else "",
        "bank_account_number": creditor.bank_account_number,
        "payment_id": case.payment_id,
    }
    body = _render(notice, language, "email", context)
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in body.splitlines()))
    subject = render_to_string(f"notices/{language}/_message.subject.txt", context)
    return NoticeText(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        sms=" ".join(_render(notice, language, "sms", context).split()),
        title=title,
    )
