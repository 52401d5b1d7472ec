"""Reading an upload into rows, and validating each row into an invoice ready to be filed.

The checks are the models' and services' own rules (``debtor_build``, ``Claim.full_clean``,
``to_money``, ``contact_point_add``), applied without building a model per row: an import of
100,000 rows cannot afford ``full_clean`` per row. ``tests/imports/test_rows.py`` holds the two
side by side on the awkward cases, so they cannot drift apart unnoticed.

Accepted spellings: UTF-8 with or without a BOM; CSV separated by semicolons or commas
(sniffed from the header); amounts as ``1.234,50``, ``1234,50``, ``1,234.50`` or ``1234.50``;
dates as ``2026-03-31``, ``31-03-2026`` or ``31.03.2026``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.services.money import CENT
from creditors.models import Language
from debtors.models import DebtorKind
from debtors.validators import normalise_cpr, normalise_cvr, normalise_email, normalise_phone

# The columns of an upload. Required ones must be in a CSV header; optional ones may be left
# out or empty.
REQUIRED_COLUMNS = (
    "debtor_name",
    "debtor_address",
    "debtor_postal_code",
    "debtor_city",
    "invoice_number",
    "invoice_date",
    "due_date",
    "amount",
)
OPTIONAL_COLUMNS = (
    "debtor_national_id",  # CPR for a person, CVR for a company
    "debtor_kind",  # person/company; by default a CVR (8 digits) means a company
    "debtor_country",
    "debtor_email",
    "debtor_phone",
    "debtor_language",
    "currency",
    "description",
    "reference",  # the creditor's own case reference
    "reminder_dates",  # the creditor's own reminders already sent, as evidence
    "warning_sent_on",  # the creditor's own collection warning, as evidence
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Danish headings are accepted too, so a spreadsheet made in Danish imports as it is.
ALIASES = {
    "navn": "debtor_name",
    "cpr": "debtor_national_id",
    "cvr": "debtor_national_id",
    "cpr_cvr": "debtor_national_id",
    "adresse": "debtor_address",
    "postnr": "debtor_postal_code",
    "by": "debtor_city",
    "land": "debtor_country",
    "email": "debtor_email",
    "e-mail": "debtor_email",
    "telefon": "debtor_phone",
    "sprog": "debtor_language",
    "fakturanummer": "invoice_number",
    "fakturadato": "invoice_date",
    "forfaldsdato": "due_date",
    "beloeb": "amount",
    "beløb": "amount",
    "valuta": "currency",
    "beskrivelse": "description",
    "reference": "reference",
}
# Where a field's value lives in a nested JSON row: {"debtor": {"name": ...}}.
DEBTOR_KEYS = {
    "name": "debtor_name",
    "national_id": "debtor_national_id",
    "kind": "debtor_kind",
    "address": "debtor_address",
    "postal_code": "debtor_postal_code",
    "city": "debtor_city",
    "country": "debtor_country",
    "email": "debtor_email",
    "phone": "debtor_phone",
    "language": "debtor_language",
}
MAX_LENGTHS = {
    "debtor_name": 200,
    "debtor_national_id": 20,
    "debtor_address": 200,
    "debtor_postal_code": 10,
    "debtor_city": 100,
    "debtor_email": 254,
    "debtor_phone": 254,
    "invoice_number": 100,
    "description": 300,
    "reference": 100,
}


class FileError(Exception):
    """The upload as a whole cannot be read (not JSON, no header, missing columns)."""


@dataclass(slots=True)
class Invoice:
    """One valid row: the debtor as ``debtor_build`` takes it and the claim as ``ClaimInput``."""

    line: int
    kind: str
    name: str
    national_id: str
    address_line: str
    postal_code: str
    city: str
    country: str
    language: str
    email: str
    phone: str
    invoice_number: str
    invoice_date: date
    due_date: date
    principal: Decimal
    description: str
    reference: str
    reminder_dates: tuple[date, ...]
    warning_sent_on: date | None


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    field: str
    code: str
    reason: str
    invoice_number: str = ""


# --- Reading ------------------------------------------------------------------------------


def _column(name: str) -> str:
    key = name.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")
    return ALIASES.get(key, key)


def read_rows(data: bytes, fmt: str) -> list[tuple[int, Any]]:
    """Every row of the file as ``(line, {column: value})``; raises ``FileError``."""
    if fmt == "json":
        return _read_json(data)
    return _read_csv(data)


def csv_header(first_bytes: bytes) -> list[str]:
    """The column names of a CSV file from its first bytes (for a check at upload time)."""
    text = _decode(first_bytes, partial=True)
    first_line = text.splitlines()[0] if text else ""
    delimiter = _sniff_delimiter(first_line)
    return [_column(c) for c in next(csv.reader([first_line], delimiter=delimiter), [])]


def check_columns(columns: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise FileError(
            _("The file lacks the required columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )


def _decode(data: bytes, *, partial: bool = False) -> str:
    if partial:
        return codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(
            _("The file is not UTF-8 (byte %(position)s).") % {"position": exc.start}
        ) from exc


def _sniff_delimiter(header: str) -> str:
    # The header names no column with a comma or semicolon in it: whichever splits it more.
    return ";" if header.count(";") >= header.count(",") else ","


class WrongWidth(NamedTuple):
    """A CSV line with more or fewer values than the header: rejected, never guessed at."""

    got: int
    expected: int


class NotAnObject:
    """A JSON list item that is not an object."""


class _CsvRow(list):
    """A CSV record read by column name (``row.get("amount")``) without a dict per row: a
    100,000-line upload is held as lists, about half the memory of dicts."""

    __slots__ = ()
    index: dict[str, int] = {}

    def get(self, column: str, default: object = None) -> object:
        position = self.index.get(column)
        return default if position is None else self[position]


def _read_csv(data: bytes) -> list[tuple[int, object]]:
    text = _decode(data)
    newline = text.find("\n")
    header_line = text if newline < 0 else text[:newline]
    delimiter = _sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise FileError(str(exc)) from exc
    columns = [_column(c) for c in header]
    check_columns(columns)
    # The first of two columns with the same name wins, as a dict built from the row would not.
    index: dict[str, int] = {}
    for position, column in enumerate(columns):
        index.setdefault(column, position)
    row_class = type("CsvRow", (_CsvRow,), {"__slots__": (), "index": index})
    rows: list[tuple[int, object]] = []
    line = reader.line_num + 1
    width = len(columns)
    try:
        for record in reader:
            if record and any(record):
                if len(record) != width:
                    rows.append((line, WrongWidth(len(record), width)))
                else:
                    rows.append((line, row_class(record)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileError(
            _("Line %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc
    return rows


def _read_json(data: bytes) -> list[tuple[int, dict[str, object]]]:
    try:
        # parse_float: amounts given as JSON numbers stay exact, never floats.
        parsed = json.loads(_decode(data), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise FileError(
            _("The file is not valid JSON: %(error)s") % {"error": exc.msg}
            + f" (line {exc.lineno}, column {exc.colno})"
        ) from exc
    if isinstance(parsed, dict):
        parsed = parsed.get("invoices", parsed.get("rows"))
    if not isinstance(parsed, list):
        raise FileError(_('Send a JSON list of invoices, or {"invoices": [...]}.'))
    rows: list[tuple[int, dict[str, object]]] = []
    for position, item in enumerate(parsed, start=1):
        if not isinstance(item, dict):
            rows.append((position, NotAnObject()))
            continue
        values: dict[str, object] = {}
        for key, value in item.items():
            if key == "debtor" and isinstance(value, dict):
                for sub, sub_value in value.items():
                    values[DEBTOR_KEYS.get(sub, f"debtor_{sub}")] = sub_value
            else:
                values[_column(key)] = value
        rows.append((position, values))
    return rows


# --- Validating ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DK_DATE = re.compile(r"(\d{1,2})[-.](\d{1,2})[-.](\d{4})")
_AMOUNT_DA = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
_AMOUNT_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_DATE_LIST_SPLIT = re.compile(r"[|,;\s]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_DK_POSTAL = re.compile(r"[0-9]{4}")
_MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 of them decimals (the model's field)
_SPACES = str.maketrans("", "", " \u00a0\u202f")
_LANGUAGES = frozenset(Language.values)
_KINDS = frozenset(DebtorKind.values)


def parse_date(value: object) -> date:
    """A date written ISO (2026-03-31) or Danish (31-03-2026, 31.03.2026)."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DK_DATE.fullmatch(text)
        if not match:
            raise ValueError(text)
        day, month, year = match.groups()
    return date(int(year), int(month), int(day))


def parse_amount(value: object) -> Decimal:
    """An amount in Danish or English notation as a Decimal with two places; ``ValueError``
    with a message otherwise (the rules of ``cases.services.money.to_money``)."""
    if isinstance(value, bool | float):
        raise ValueError(_("Amounts are given as decimals, not floating point."))
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = str(value).strip().translate(_SPACES)
        if _AMOUNT_DA.fullmatch(text) and ("," in text or text.count(".") > 1):
            text = text.replace(".", "").replace(",", ".")
        elif _AMOUNT_EN.fullmatch(text):
            text = text.replace(",", "")
        elif not text.startswith("-"):
            raise ValueError(_("%(value)s is not an amount.") % {"value": value})
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("%(value)s is not an amount.") % {"value": value}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValueError(_("The amount must be more than zero."))
    if amount != amount.quantize(CENT):
        raise ValueError(_("An amount has at most two decimals."))
    if amount > _MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return amount.quantize(CENT)


def _text(values: dict[str, object], column: str) -> str:
    value = values.get(column)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


_DK_PHONE = re.compile(r"(?:\+45|0045)?([1-9][0-9]{7})")


def normalise_phone_fast(value: str) -> str:
    """``debtors.validators.normalise_phone`` with a short cut for the usual case, a Danish
    number of 8 digits (spaces allowed, +45 or 0045 in front): phonenumbers' ``parse`` is most
    of the cost, and for such a number it always yields country code 45 and the 8 digits, so
    the number is built directly and phonenumbers still decides whether it is valid. Anything
    else goes through ``normalise_phone`` itself."""
    match = _DK_PHONE.fullmatch(value.translate(_SPACES))
    if match is None:
        return normalise_phone(value)
    number = phonenumbers.PhoneNumber(country_code=45, national_number=int(match.group(1)))
    if not phonenumbers.is_valid_number(number):
        return normalise_phone(value)  # raises with the usual message
    return "+45" + match.group(1)


class _Memo:
    """A normaliser remembered per value: a debtor's number or address repeats on each of its
    invoices. Errors are not remembered (they are rare and re-raised as they come)."""

    def __init__(self, function) -> None:
        self.function = function
        self.known: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        result = self.known.get(value)
        if result is None:
            result = self.known[value] = self.function(value)
        return result


class Validator:
    """Validates rows for one creditor. Build once per job; call :meth:`validate` per row."""

    def __init__(self, *, currency: str) -> None:
        self.currency = currency
        self.cpr = _Memo(normalise_cpr)
        self.cvr = _Memo(normalise_cvr)
        self.email = _Memo(normalise_email)
        self.phone = _Memo(normalise_phone_fast)

    def validate(self, line: int, values: Any) -> Invoice | list[Rejection]:
        if isinstance(values, WrongWidth):
            got, expected = values
            reason = _("The line has %(got)s values; the header has %(expected)s.") % {
                "got": got,
                "expected": expected,
            }
            return [Rejection(line, "", "columns", reason)]
        if isinstance(values, NotAnObject):
            return [Rejection(line, "", "invalid", _("Each invoice is a JSON object."))]

        errors: list[tuple[str, str, str]] = []

        def required(column: str) -> str:
            value = _text(values, column)
            if not value:
                errors.append((column, "required", _("This field is required.")))
            elif column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
                errors.append((column, "max_length", _too_long(MAX_LENGTHS[column], value)))
            return value

        def optional(column: str) -> str:
            value = _text(values, column)
            if column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
                errors.append((column, "max_length", _too_long(MAX_LENGTHS[column], value)))
            return value

        def a_date(column: str, *, needed: bool = True) -> date | None:
            raw = values.get(column)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if needed:
                    errors.append((column, "required", _("This field is required.")))
                return None
            try:
                return parse_date(raw)
            except (ValueError, TypeError):
                errors.append(
                    (
                        column,
                        "invalid_date",
                        _("%(value)s is not a date (use 31-12-2026 or 2026-12-31).")
                        % {"value": raw},
                    )
                )
                return None

        invoice_number = required("invoice_number")
        name = required("debtor_name")
        address_line = required("debtor_address")
        postal_code = required("debtor_postal_code")
        city = required("debtor_city")
        national_id = optional("debtor_national_id")
        country = optional("debtor_country").upper() or "DK"
        language = optional("debtor_language").lower() or Language.DA
        email = optional("debtor_email")
        phone = optional("debtor_phone")
        description = optional("description")
        reference = optional("reference")

        kind = optional("debtor_kind").lower()
        if not kind:
            digits = national_id.replace(" ", "").replace("-", "")
            kind = DebtorKind.COMPANY if len(digits) == 8 else DebtorKind.PERSON
        elif kind not in _KINDS:
            errors.append(("debtor_kind", "invalid_choice", _("Use person or company.")))
        if national_id and kind in _KINDS:
            try:
                if kind == DebtorKind.PERSON:
                    national_id = self.cpr(national_id)
                else:
                    national_id = self.cvr(national_id)
            except ValidationError as exc:
                errors.append(("debtor_national_id", exc.code or "invalid", exc.messages[0]))
        if len(country) > 2 or not _COUNTRY.fullmatch(country):
            errors.append(
                ("debtor_country", "invalid", _("Use the two-letter country code, e.g. DK."))
            )
        elif country == "DK" and postal_code and not _DK_POSTAL.fullmatch(postal_code):
            errors.append(
                ("debtor_postal_code", "invalid", _("A Danish postal code has 4 digits."))
            )
        if language not in _LANGUAGES:
            errors.append(
                (
                    "debtor_language",
                    "invalid_choice",
                    _("Use one of: %(choices)s.") % {"choices": ", ".join(sorted(_LANGUAGES))},
                )
            )
        if email:
            try:
                email = self.email(email)
            except ValidationError as exc:
                errors.append(("debtor_email", "invalid_email", exc.messages[0]))
        if phone:
            try:
                phone = self.phone(phone)
            except ValidationError as exc:
                errors.append(("debtor_phone", exc.code or "invalid_phone", exc.messages[0]))

        currency = optional("currency").upper()
        if currency and currency != self.currency:
            errors.append(
                (
                    "currency",
                    "currency",
                    _("This creditor's cases are in %(currency)s.") % {"currency": self.currency},
                )
            )

        invoice_date = a_date("invoice_date")
        due_date = a_date("due_date")
        if invoice_date and due_date and due_date < invoice_date:
            errors.append(("due_date", "invalid", _("The due date is before the invoice date.")))
        warning_sent_on = a_date("warning_sent_on", needed=False)
        reminder_dates: tuple[date, ...] = ()
        raw_reminders = values.get("reminder_dates")
        if raw_reminders:
            parts = (
                raw_reminders
                if isinstance(raw_reminders, list)
                else _DATE_LIST_SPLIT.split(str(raw_reminders).strip())
            )
            try:
                reminder_dates = tuple(sorted(parse_date(p) for p in parts if p))
            except (ValueError, TypeError):
                errors.append(
                    (
                        "reminder_dates",
                        "invalid_date",
                        _("Give the reminder dates separated by |, e.g. 01-02-2026|11-02-2026."),
                    )
                )

        raw_amount = values.get("amount")
        principal = None
        if raw_amount is None or (isinstance(raw_amount, str) and not raw_amount.strip()):
            errors.append(("amount", "required", _("This field is required.")))
        else:
            try:
                principal = parse_amount(raw_amount)
            except ValueError as exc:
                errors.append(("amount", "invalid_amount", str(exc)))

        if errors:
            return [Rejection(line, f, c, r, invoice_number[:200]) for f, c, r in errors]
        return Invoice(
            line=line,
            kind=kind,
            name=name,
            national_id=national_id,
            address_line=address_line,
            postal_code=postal_code,
            city=city,
            country=country,
            language=language,
            email=email,
            phone=phone,
            invoice_number=invoice_number,
            invoice_date=invoice_date,  # type: ignore[arg-type]
            due_date=due_date,  # type: ignore[arg-type]
            principal=principal,  # type: ignore[arg-type]
            description=description,
            reference=reference,
            reminder_dates=reminder_dates,
            warning_sent_on=warning_sent_on,
        )


def _too_long(limit: int, value: str) -> str:
    return _("Ensure this value has at most %(limit)d characters (it has %(length)d).") % {
        "limit": limit,
        "length": len(value),
    }


def iter_chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
