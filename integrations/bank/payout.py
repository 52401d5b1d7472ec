"""The payout: an ISO 20022 pain.001.001.03 credit-transfer file for the agency's bank, one
transaction per settlement with a positive payout.

Built with lxml (no maintained library covers Danish domestic transfers: sepaxml is for SEPA
euro transfers with IBAN only). A creditor with an IBAN is paid to it; otherwise to its Danish
account as registration number + account number (14 digits) in ``CdtrAcct/Id/Othr/Id`` with
scheme ``BBAN``. The agency's own account comes from the settings (``AGENCY_BANK_IBAN``, or
``AGENCY_BANK_REG`` + ``AGENCY_BANK_ACCOUNT``; ``AGENCY_BANK_BIC``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from collections_portal.money import plain_money

from .models import Settlement

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"


def _el(parent, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
    if text is not None:
        element.text = text
    return element


def _clip(text: str, length: int = 70) -> str:
    return " ".join(text.split())[:length]


def _account(parent, *, iban: str, reg: str, account: str) -> None:
    ident = _el(parent, "Id")
    if iban:
        _el(ident, "IBAN", iban)
    else:
        other = _el(ident, "Othr")
        _el(other, "Id", f"{reg}{account.zfill(10)}")
        _el(_el(other, "SchmeNm"), "Cd", "BBAN")


def creditor_account(settlement: Settlement) -> dict[str, str]:
    creditor = settlement.creditor
    if creditor.iban:
        return {"iban": creditor.iban, "reg": "", "account": ""}
    if creditor.bank_reg_number and creditor.bank_account_number:
        return {
            "iban": "",
            "reg": creditor.bank_reg_number,
            "account": creditor.bank_account_number,
        }
    raise ValidationError(
        _("%(creditor)s has no bank account to pay to.") % {"creditor": creditor.name}
    )


def pain001(settlements: Sequence[Settlement], *, execution_date: date | None = None) -> bytes:
    """The credit-transfer file paying out ``settlements`` (those with a payout above zero;
    a settlement where the creditor owes the agency is not a transfer)."""
    payable = [s for s in settlements if s.payout > 0]
    if not payable:
        raise ValidationError(_("No settlement has a payout to transfer."))
    currencies = {s.currency for s in payable}
    if len(currencies) != 1:
        raise ValidationError(_("One payout file holds one currency."))
    accounts = [(s, creditor_account(s)) for s in payable]
    execution_date = execution_date or timezone.localdate()
    count = str(len(payable))
    control = plain_money(sum((s.payout for s in payable), Decimal("0.00")))
    message_id = f"AF{timezone.now():%Y%m%d%H%M%S}{uuid.uuid4().hex[:8]}"

    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    initiation = _el(root, "CstmrCdtTrfInitn")
    header = _el(initiation, "GrpHdr")
    _el(header, "MsgId", message_id)
    _el(header, "CreDtTm", timezone.localtime().replace(microsecond=0).isoformat())
    _el(header, "NbOfTxs", count)
    _el(header, "CtrlSum", control)
    _el(_el(header, "InitgPty"), "Nm", _clip(settings.AGENCY_NAME))

    info = _el(initiation, "PmtInf")
    _el(info, "PmtInfId", f"{message_id}-1")
    _el(info, "PmtMtd", "TRF")
    _el(info, "BtchBookg", "false")
    _el(info, "NbOfTxs", count)
    _el(info, "CtrlSum", control)
    _el(info, "ReqdExctnDt", execution_date.isoformat())
    _el(_el(info, "Dbtr"), "Nm", _clip(settings.AGENCY_NAME))
    _account(
        _el(info, "DbtrAcct"),
        iban=settings.AGENCY_BANK_IBAN,
        reg=settings.AGENCY_BANK_REG,
        account=settings.AGENCY_BANK_ACCOUNT,
    )
    agent = _el(_el(info, "DbtrAgt"), "FinInstnId")
    if settings.AGENCY_BANK_BIC:
        _el(agent, "BIC", settings.AGENCY_BANK_BIC)
    else:
        _el(_el(agent, "Othr"), "Id", "NOTPROVIDED")
    _el(info, "ChrgBr", "SLEV")

    for settlement, account in accounts:
        transfer = _el(info, "CdtTrfTxInf")
        _el(_el(transfer, "PmtId"), "EndToEndId", settlement.number[:35])
        _el(
            _el(transfer, "Amt"),
            "InstdAmt",
            plain_money(settlement.payout),
            Ccy=settlement.currency,
        )
        if settlement.creditor.bic:
            _el(_el(_el(transfer, "CdtrAgt"), "FinInstnId"), "BIC", settlement.creditor.bic)
        _el(_el(transfer, "Cdtr"), "Nm", _clip(settlement.creditor.name))
        _account(_el(transfer, "CdtrAcct"), **account)
        _el(
            _el(transfer, "RmtInf"),
            "Ustrd",
            _clip(
                f"Afregning {settlement.number} "
                f"{settlement.period_start:%d.%m.%Y}-{settlement.period_end:%d.%m.%Y}",
                140,
            ),
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
