"""The short texts that travel with a notice: e-mail subject and body, the SMS, the title of a
digital-post document. The letter itself is the PDF; these only announce it.

The texts are written per language here, as the letters are (templates/notices/<language>/),
because they go to debtors in the debtor's language whatever the portal's UI language is.
Nothing here says "inkasso": subject lines, SMS previews and inbox titles are seen by others.
Amounts come from the case statement (ledger and rules engine) as of the notice's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cases.selectors import case_statement
from notices.models import Notice, NoticeKind

TITLES: dict[str, dict[str, str]] = {
    "da": {
        NoticeKind.REMINDER: "Påmindelse om betaling",
        NoticeKind.WARNING: "Vigtig besked om din betaling",
        NoticeKind.COLLECTION_LETTER: "Brev om din betaling og forslag til aftale",
        NoticeKind.PLAN_CONFIRMATION: "Bekræftelse af din afdragsordning",
        NoticeKind.MISSED_INSTALMENT: "Påmindelse: vi mangler et afdrag",
        NoticeKind.RECEIPT: "Kvittering for din betaling",
        NoticeKind.DISPUTE_ACK: "Vi har modtaget din henvendelse",
        NoticeKind.CLOSED: "Din sag er afsluttet",
        NoticeKind.CREDIT_BUREAU_WARNING: "Vigtig besked om din betaling",
    },
    "en": {
        NoticeKind.REMINDER: "Payment reminder",
        NoticeKind.WARNING: "Important message about your payment",
        NoticeKind.COLLECTION_LETTER: "Letter about your payment and a proposed agreement",
        NoticeKind.PLAN_CONFIRMATION: "Confirmation of your instalment plan",
        NoticeKind.MISSED_INSTALMENT: "Reminder: an instalment is missing",
        NoticeKind.RECEIPT: "Receipt for your payment",
        NoticeKind.DISPUTE_ACK: "We have received your message",
        NoticeKind.CLOSED: "Your case is closed",
        NoticeKind.CREDIT_BUREAU_WARNING: "Important message about your payment",
    },
}

# Kinds that ask the debtor to pay: their e-mail and SMS say how much, by when and how.
PAYMENT_KINDS = {
    NoticeKind.REMINDER,
    NoticeKind.WARNING,
    NoticeKind.COLLECTION_LETTER,
    NoticeKind.MISSED_INSTALMENT,
    NoticeKind.CREDIT_BUREAU_WARNING,
}

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "case": "sag",
        "greeting": "Kære {name}",
        "intro": "Du har fået et brev fra {creditor} om sag {case}. Brevet er vedhæftet som PDF.",
        "amount": "Beløb at betale: {amount} {currency}.",
        "deadline": "Betal senest {deadline}.",
        "how_fik": "Betal med FIK-kortart: {fik}.",
        "how_bank": "Betal til reg.nr. {reg} kontonr. {account} og skriv {payment_id} som tekst.",
        "questions": "Har du spørgsmål, så svar på denne e-mail og skriv sagsnummeret {case}.",
        "closing": "Venlig hilsen\n{creditor}",
        "sms_intro": "{creditor}: Vi har sendt dig et brev om sag {case}.",
        "sms_see_letter": "Se brevet for detaljer.",
    },
    "en": {
        "case": "case",
        "greeting": "Dear {name}",
        "intro": "You have a letter from {creditor} about case {case}. It is attached as a PDF.",
        "amount": "Amount to pay: {amount} {currency}.",
        "deadline": "Please pay by {deadline}.",
        "how_fik": "Pay with the FIK code: {fik}.",
        "how_bank": "Pay to bank reg. {reg} account {account} with {payment_id} as the reference.",
        "questions": "If you have questions, reply to this e-mail quoting case number {case}.",
        "closing": "Kind regards\n{creditor}",
        "sms_intro": "{creditor}: We have sent you a letter about case {case}.",
        "sms_see_letter": "See the letter for details.",
    },
}


def _language(notice: Notice) -> str:
    return notice.language if notice.language in TEXTS else "da"


def format_amount(amount: Decimal, language: str) -> str:
    """1234.5 -> '1.234,50' in Danish, '1,234.50' in English; Decimal in, never a float."""
    text = f"{amount.quantize(Decimal('0.01')):,}"
    if language == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_date(day, language: str) -> str:
    return f"{day:%d.%m.%Y}" if language == "da" else f"{day:%d %B %Y}"


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str
    sms: str
    title: str


def notice_text(notice: Notice) -> NoticeText:
    """The subject, e-mail body, SMS and document title for a notice, in its language."""
    language = _language(notice)
    t = TEXTS[language]
    case = notice.case
    creditor = case.creditor
    title = TITLES[language][notice.kind]
    values = {"creditor": creditor.name, "case": case.reference, "name": case.debtor.name}
    payment_lines: list[str] = []
    if notice.kind in PAYMENT_KINDS:
        total = case_statement(case, on=notice.dated).total
        payment_lines.append(
            t["amount"].format(amount=format_amount(total, language), currency=case.currency)
        )
        if notice.deadline:
            payment_lines.append(
                t["deadline"].format(deadline=format_date(notice.deadline, language))
            )
        if creditor.fik_creditor_number:
            payment_lines.append(t["how_fik"].format(fik=case.fik_line))
        elif creditor.bank_reg_number and creditor.bank_account_number:
            payment_lines.append(
                t["how_bank"].format(
                    reg=creditor.bank_reg_number,
                    account=creditor.bank_account_number,
                    payment_id=case.payment_id,
                )
            )
    body_parts = [
        t["greeting"].format(**values),
        t["intro"].format(**values),
        *([" ".join(payment_lines)] if payment_lines else []),
        t["questions"].format(**values),
        t["closing"].format(**values),
    ]
    sms_parts = [t["sms_intro"].format(**values), *payment_lines]
    if not payment_lines:
        sms_parts.append(t["sms_see_letter"])
    return NoticeText(
        subject=f"{title} - {t['case']} {case.reference}",
        body="\n\n".join(body_parts) + "\n",
        sms=" ".join(sms_parts),
        title=title,
    )
