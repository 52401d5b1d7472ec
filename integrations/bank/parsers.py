"""Reading bank files: ISO 20022 camt.054 and camt.053 (lxml), and a simple CSV export.

Each reader yields :class:`RawEntry` items, one per payment (a camt entry that batches several
transactions, as Danish banks do for FIK payments, yields one per transaction). The file's
structure is checked first: a file that is not such a message, or lacks what every message
must have, raises :class:`FileRefused` with the reason and nothing of it is booked. An entry
that cannot be read is yielded with ``error`` set, so it is recorded and the others go on.

**camt** (versions ``.001.02`` to ``.001.13``, the namespace
``urn:iso:std:iso:20022:tech:xsd:camt.05x.001.NN``): ``Document/BkToCstmrDbtCdtNtfctn/Ntfctn``
(camt.054) or ``Document/BkToCstmrStmt/Stmt`` (camt.053), each with ``GrpHdr/MsgId``, ``Id``,
``Acct/Id`` and its ``Ntry`` elements. Read per entry: ``Amt`` with ``Ccy``, ``CdtDbtInd``,
``RvslInd``, ``Sts`` (only booked entries are payments), ``BookgDt``, ``ValDt``,
``AcctSvcrRef``/``NtryRef``; per transaction (``NtryDtls/TxDtls``): ``Refs/AcctSvcrRef``,
``Refs/EndToEndId``, the amount, ``RltdPties/Dbtr`` (name; ``Dbtr/Pty`` from version 8),
``RltdPties/DbtrAcct``, ``RmtInf/Ustrd`` and ``RmtInf/Strd/CdtrRefInf`` (the FIK payment ID
arrives there, typed ``71`` or issued by ``FI``), and ``RtrInf`` (a returned payment).

**CSV** (UTF-8, with or without BOM; ``;`` or ``,``; a header line; ``1.234,50`` or
``1234.50``; dates ``2026-03-31``, ``31-03-2026`` or ``31.03.2026``). Columns, in any order:
``reference`` (the bank's unique entry reference, required), ``date`` (booking date, required),
``amount`` (required; negative for money out), ``currency`` (default DKK), ``payer``,
``payment_reference`` (the FIK payment ID or another reference the payer gave), ``text`` (the
remittance text), ``account`` (the agency's account), ``value_date``, ``return_of`` (for a
returned payment: the reference of the entry it returns) and ``return_reason``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from collections_portal.money import parse_amount

CAMT_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(05[34])\.001\.(\d\d)$")
SUPPORTED_VERSIONS = range(2, 14)
AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing of it is booked."""


@dataclass
class RawEntry:
    position: int
    account: str = ""
    reference: str = ""
    credit: bool = True
    amount: Decimal | None = None
    currency: str = ""
    booked_on: date | None = None
    value_on: date | None = None
    debtor_name: str = ""
    debtor_account: str = ""
    payment_references: list[str] = field(default_factory=list)  # typed refs first (FIK)
    fik_reference: str = ""
    remittance: str = ""
    end_to_end_id: str = ""
    is_return: bool = False
    return_reason: str = ""
    return_of: str = ""  # CSV: the reference of the returned entry
    booked: bool = True  # camt status BOOK (pending and information entries are not payments)
    error: str = ""


@dataclass
class ParsedFile:
    format: str
    message_id: str
    account: str
    entries: Iterator[RawEntry]


def sniff_format(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        match = re.search(rb"camt\.(05[34])\.001", head)
        if not match:
            raise FileRefused(_("The XML file is not a camt.053 or camt.054 message."))
        return "camt" + match.group(1).decode()
    return "csv"


# ---------------------------------------------------------------------------------------- camt


def _parser() -> etree.XMLParser:
    # No DTDs, entities or network: a bank file is data, never instructions to the parser.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )


def parse_camt(data: bytes) -> ParsedFile:
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise FileRefused(_("The file is not well-formed XML: %(error)s") % {"error": exc}) from exc
    qname = etree.QName(root)
    match = CAMT_NAMESPACE.match(qname.namespace or "")
    if qname.localname != "Document" or not match:
        raise FileRefused(
            _("The file is not an ISO 20022 camt.053 or camt.054 message (root %(root)s).")
            % {"root": root.tag}
        )
    kind, version = match.group(1), int(match.group(2))
    if version not in SUPPORTED_VERSIONS:
        raise FileRefused(
            _("camt.%(kind)s version %(version)s is not supported (02 to 13 are).")
            % {"kind": kind, "version": f"{version:02d}"}
        )
    ns = {"c": qname.namespace}
    message, report = (
        ("BkToCstmrDbtCdtNtfctn", "Ntfctn") if kind == "054" else ("BkToCstmrStmt", "Stmt")
    )
    body = root.find(f"c:{message}", ns)
    if body is None:
        raise FileRefused(
            _("A camt.%(kind)s message must hold %(element)s.") % {"kind": kind, "element": message}
        )
    message_id = _text(body, "c:GrpHdr/c:MsgId", ns)
    if not message_id:
        raise FileRefused(_("The message has no GrpHdr/MsgId."))
    reports = body.findall(f"c:{report}", ns)
    if not reports:
        raise FileRefused(_("The message holds no %(element)s.") % {"element": report})
    accounts = []
    for number, rep in enumerate(reports, start=1):
        if not _text(rep, "c:Id", ns):
            raise FileRefused(
                _("%(element)s number %(n)s has no Id.") % {"element": report, "n": number}
            )
        account = _account(rep.find("c:Acct", ns), ns)
        if not account:
            raise FileRefused(
                _("%(element)s number %(n)s names no account (Acct/Id).")
                % {"element": report, "n": number}
            )
        accounts.append(account)
    return ParsedFile(
        format="camt" + kind,
        message_id=message_id,
        account=accounts[0],
        entries=_camt_entries(reports, accounts, ns, version),
    )


def _text(node, path: str, ns: dict) -> str:
    if node is None:
        return ""
    found = node.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _account(acct, ns: dict) -> str:
    if acct is None:
        return ""
    return _text(acct, "c:Id/c:IBAN", ns) or _text(acct, "c:Id/c:Othr/c:Id", ns)


def _date(node, path: str, ns: dict) -> date | None:
    value = _text(node, f"{path}/c:Dt", ns) or _text(node, f"{path}/c:DtTm", ns)
    if not value:
        return None
    return date.fromisoformat(value[:10])


def _amount(node, ns: dict) -> tuple[Decimal, str] | None:
    if node is None:
        return None
    text = (node.text or "").strip()
    # ISO 20022 amounts: digits and at most two decimals here (no sign, no exponent).
    if not AMOUNT.match(text):
        raise ValueError(f"amount {node.text!r}")
    value = parse_amount(text)  # more than zero, and fits the money columns
    return value, (node.get("Ccy") or "").strip().upper()


def _camt_entries(reports, accounts, ns: dict, version: int) -> Iterator[RawEntry]:
    position = 0
    for rep, account in zip(reports, accounts, strict=True):
        for ntry in rep.findall("c:Ntry", ns):
            txs = ntry.findall("c:NtryDtls/c:TxDtls", ns) or [None]
            for index, tx in enumerate(txs, start=1):
                position += 1
                entry = RawEntry(position=position, account=account)
                try:
                    _read_entry(entry, ntry, tx, index, len(txs), ns)
                except (ValueError, InvalidOperation, TypeError) as exc:
                    entry.error = _("The entry cannot be read: %(error)s") % {"error": exc}
                yield entry


def _read_entry(entry: RawEntry, ntry, tx, index: int, count: int, ns: dict) -> None:
    base_ref = _text(ntry, "c:AcctSvcrRef", ns) or _text(ntry, "c:NtryRef", ns)
    tx_ref = _text(tx, "c:Refs/c:AcctSvcrRef", ns) if tx is not None else ""
    if tx_ref and tx_ref != base_ref:
        entry.reference = f"{base_ref}/{tx_ref}" if base_ref else tx_ref
    elif base_ref:
        entry.reference = base_ref if count == 1 else f"{base_ref}/{index}"
    if not entry.reference:
        raise ValueError(_("no AcctSvcrRef or NtryRef: it could not be told from a resend"))
    indicator = _text(ntry, "c:CdtDbtInd", ns)
    if indicator not in ("CRDT", "DBIT"):
        raise ValueError(_("CdtDbtInd must be CRDT or DBIT"))
    entry.credit = indicator == "CRDT"
    status = _text(ntry, "c:Sts", ns) or _text(ntry, "c:Sts/c:Cd", ns)
    if not status:
        raise ValueError(_("no Sts"))
    entry.booked = status == "BOOK"
    amount = None
    if tx is not None:
        amount = _amount(tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns), ns) or _amount(
            tx.find("c:Amt", ns), ns
        )
    if amount is None and count == 1:
        amount = _amount(ntry.find("c:Amt", ns), ns)
    if amount is None:
        raise ValueError(_("no amount"))
    entry.amount, entry.currency = amount
    if not entry.currency:
        raise ValueError(_("the amount has no currency (Ccy)"))
    entry.booked_on = _date(ntry, "c:BookgDt", ns)
    if entry.booked_on is None:
        raise ValueError(_("no booking date (BookgDt)"))
    entry.value_on = _date(ntry, "c:ValDt", ns)
    entry.is_return = _text(ntry, "c:RvslInd", ns).lower() == "true"
    if tx is None:
        return
    entry.end_to_end_id = _text(tx, "c:Refs/c:EndToEndId", ns)
    if entry.end_to_end_id.upper() == "NOTPROVIDED":
        entry.end_to_end_id = ""
    parties = tx.find("c:RltdPties", ns)
    entry.debtor_name = (
        _text(parties, "c:Dbtr/c:Nm", ns) or _text(parties, "c:Dbtr/c:Pty/c:Nm", ns)
    )[:200]
    debtor_acct = parties.find("c:DbtrAcct", ns) if parties is not None else None
    entry.debtor_account = _account(debtor_acct, ns)
    rmt = tx.find("c:RmtInf", ns)
    if rmt is not None:
        entry.remittance = " ".join(
            (u.text or "").strip() for u in rmt.findall("c:Ustrd", ns) if (u.text or "").strip()
        )
        for ref_info in rmt.findall("c:Strd/c:CdtrRefInf", ns):
            ref = _text(ref_info, "c:Ref", ns)
            if not ref:
                continue
            typed = " ".join(
                filter(
                    None,
                    (
                        _text(ref_info, "c:Tp/c:CdOrPrtry/c:Prtry", ns),
                        _text(ref_info, "c:Tp/c:CdOrPrtry/c:Cd", ns),
                        _text(ref_info, "c:Tp/c:Issr", ns),
                    ),
                )
            ).upper()
            if not entry.fik_reference and ("71" in typed.split() or "FI" in typed.split()):
                entry.fik_reference = ref
            entry.payment_references.append(ref)
        for add in rmt.findall("c:Strd/c:AddtlRmtInf", ns):
            if (add.text or "").strip():
                entry.remittance = f"{entry.remittance} {add.text.strip()}".strip()
    rtr = tx.find("c:RtrInf", ns)
    if rtr is not None:
        entry.is_return = True
        reason = _text(rtr, "c:Rsn/c:Cd", ns) or _text(rtr, "c:Rsn/c:Prtry", ns)
        extra = " ".join((a.text or "").strip() for a in rtr.findall("c:AddtlInf", ns))
        entry.return_reason = " ".join(filter(None, (reason, extra)))[:300]


# ----------------------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "reference",
    "date",
    "amount",
    "currency",
    "payer",
    "payment_reference",
    "text",
    "account",
    "value_date",
    "return_of",
    "return_reason",
)
CSV_REQUIRED = ("reference", "date", "amount")


def parse_csv(data: bytes) -> ParsedFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("The CSV file is not UTF-8.")) from exc
    lines = text.splitlines()
    if not lines:
        raise FileRefused(_("The file is empty."))
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise FileRefused(
            _("The CSV header lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise FileRefused(
            _("The CSV header has unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    return ParsedFile(format="csv", message_id="", account="", entries=_csv_entries(reader, header))


def parse_day(value: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("%(value)r is not a date") % {"value": value})


def _csv_entries(reader, header: list[str]) -> Iterator[RawEntry]:
    for position, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        entry = RawEntry(position=position)
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        try:
            entry.reference = values["reference"][:140]
            if not entry.reference:
                raise ValueError(_("no reference"))
            entry.account = values.get("account", "")[:60]
            entry.booked_on = parse_day(values["date"])
            if values.get("value_date"):
                entry.value_on = parse_day(values["value_date"])
            # Money in is positive, money out negative (either notation): the money module.
            amount = parse_amount(values["amount"], signed=True)
            entry.credit = amount > 0
            entry.amount = abs(amount)
            entry.currency = (values.get("currency") or "DKK").upper()
            entry.debtor_name = values.get("payer", "")[:200]
            if values.get("payment_reference"):
                entry.payment_references.append(values["payment_reference"])
            entry.remittance = values.get("text", "")
            entry.return_of = values.get("return_of", "")
            entry.is_return = bool(entry.return_of)
            entry.return_reason = values.get("return_reason", "")[:300]
        except ValueError as exc:
            entry.error = _("The line cannot be read: %(error)s") % {"error": exc or ""}
        yield entry


def parse(data: bytes) -> ParsedFile:
    fmt = sniff_format(data[:4096])
    return parse_csv(data) if fmt == "csv" else parse_camt(data)
