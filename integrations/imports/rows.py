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
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.money import CENT
from creditors.models import Currency, Language
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
    """Every row of a file held in memory (tests, small uploads); raises ``FileError``."""
    return list(iter_rows(io.BytesIO(data), fmt))


def iter_rows(handle: BinaryIO, fmt: str) -> Iterator[tuple[int, Any]]:
    """Every row of an open binary file as ``(line, {column: value})``, one at a time: an
    upload is never held in memory whole. Raises ``FileError`` where the file as a whole
    cannot be read (not UTF-8, no header, broken JSON); a row that cannot be read is yielded
    as a marker the validator rejects (:class:`BadRow`), so it never costs the others."""
    if fmt == "json":
        return _iter_json(handle)
    return _iter_csv(handle)


def count_rows(handle: BinaryIO, fmt: str) -> int:
    """Read the whole file once without keeping it: the number of rows, or ``FileError``.

    The import runs this before it files anything, so a file that is broken at its end fails
    whole (as it always has) rather than after its first chunks were filed."""
    count = 0
    for _row in iter_rows(handle, fmt):
        count += 1
    return count


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


class BadRow(NamedTuple):
    """A row that could not be read as it stands (a stray or unclosed quote, nesting too
    deep, text that is not valid Unicode): rejected with the reason, the other rows go on."""

    field: str
    code: str
    reason: str


class _CsvRow(list):
    """A CSV record read by column name (``row.get("amount")``) without a dict per row."""

    __slots__ = ()
    index: dict[str, int] = {}

    def get(self, column: str, default: object = None) -> object:
        position = self.index.get(column)
        return default if position is None else self[position]


# A value may be as long as a line is: a too long value is then the row's rejection naming its
# field (the validator's max_length), not a csv.Error for the whole file.
csv.field_size_limit(2**31 - 1)
# A quoted value may span lines; one that is still open after this many lines (or characters)
# is an unclosed quote: its first line is rejected and reading goes on with the next.
_MAX_RECORD_LINES = 50
_MAX_RECORD_CHARS = 1_000_000


class _Incomplete(Exception):
    pass


def _parse_quoted(text: str, delimiter: str) -> list[str]:
    """One record with quotes in it (maybe spanning lines); ``_Incomplete`` if a quote is
    still open at its end, ``csv.Error`` if it is malformed."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise _Incomplete from exc
        raise
    if len(records) != 1:  # the text is exactly the lines of one record
        raise csv.Error("new-line character seen in unquoted field")
    return records[0]


def _csv_lines(handle: BinaryIO) -> Iterator[tuple[int, str]]:
    """The file's physical lines, decoded, with their numbers (the header is line 1)."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise FileError(_("The file is not UTF-8 (line %(line)s).") % {"line": number}) from exc
        yield number, text


def _quoted_record(first, next_line, pushed_back, delimiter: str, width: int):
    """The record that starts on a line with a quote in it: one line, or several when a quoted
    value spans lines. A value that does not close, or lines that only make a record of the
    wrong shape when joined, mean a stray quote on the first line: that line is rejected and
    the lines after it are read again on their own (they are not lost with it)."""
    joined = [first]
    while True:
        try:
            record = _parse_quoted("".join(t for _n, t in joined), delimiter)
        except _Incomplete:
            size = sum(len(t) for _n, t in joined)
            following = None
            if len(joined) < _MAX_RECORD_LINES and size < _MAX_RECORD_CHARS:
                following = next_line()
            if following is not None:
                joined.append(following)
                continue
            reason = _("A quoted value is never closed.")
        except csv.Error as exc:
            if len(joined) == 1:
                return BadRow(
                    "", "csv", _("The line cannot be read as CSV: %(error)s") % {"error": exc}
                )
            reason = _("A quoted value is never closed.")
        else:
            if len(joined) == 1 or len(record) == width:
                return record
            reason = _("A quoted value is never closed.")
        pushed_back.extend(reversed(joined[1:]))
        return BadRow("", "csv", reason)


def _iter_csv(handle: BinaryIO) -> Iterator[tuple[int, object]]:
    lines = _csv_lines(handle)
    header_line = next(lines, None)
    if header_line is None or not header_line[1].strip():
        raise FileError(_("The file is empty."))
    header_text = header_line[1]
    delimiter = _sniff_delimiter(header_text)
    try:
        header = next(csv.reader([header_text.rstrip("\r\n")], delimiter=delimiter))
    except csv.Error as exc:
        raise FileError(str(exc)) from exc
    columns = [_column(c) for c in header]
    check_columns(columns)
    # The first of two columns with the same name wins, as a dict built from the row would not.
    index: dict[str, int] = {}
    for position, column in enumerate(columns):
        index.setdefault(column, position)
    row_class = type("CsvRow", (_CsvRow,), {"__slots__": (), "index": index})
    width = len(columns)
    # Lines read ahead to close a quote that turned out never to close: read again.
    pushed_back: list[tuple[int, str]] = []

    def next_line() -> tuple[int, str] | None:
        if pushed_back:
            return pushed_back.pop()
        return next(lines, None)

    while (current := next_line()) is not None:
        line, text = current
        if '"' not in text:  # the usual line: no quoting, so a split is the parse
            record = text.rstrip("\r\n").split(delimiter)
        else:
            record = _quoted_record(current, next_line, pushed_back, delimiter, width)
        if isinstance(record, BadRow):
            yield line, record
        elif record and any(record):
            if len(record) != width:
                yield line, WrongWidth(len(record), width)
            else:
                yield line, row_class(record)


# Reading JSON a piece at a time: the upload is decoded and parsed in pieces of this size.
_JSON_PIECE = 1024 * 1024
# An invoice is a small object; one that is not closed within this many characters means the
# JSON is broken (rather than reading the rest of a large file to find out).
_MAX_JSON_ITEM_CHARS = 8 * 1024 * 1024
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonStream:
    """A JSON text read a piece at a time, its values decoded one by one (``raw_decode``)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.json = json.JSONDecoder(parse_float=Decimal)  # amounts stay exact, never floats
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # bytes read, for the position of an encoding error
        self.lines_before = 0  # lines (and characters of the last one) dropped from the buffer
        self.column_before = 0

    def more(self) -> bool:
        """Read the next piece; False at the end of the file."""
        if self.eof:
            return False
        piece = self.handle.read(_JSON_PIECE)
        try:
            text = self.decoder.decode(piece, final=not piece)
        except UnicodeDecodeError as exc:
            raise FileError(
                _("The file is not UTF-8 (byte %(position)s).")
                % {"position": self.consumed + exc.start}
            ) from exc
        self.consumed += len(piece)
        if not piece:
            self.eof = True
        dropped = self.buffer[: self.pos]
        newlines = dropped.count("\n")
        if newlines:
            self.lines_before += newlines
            self.column_before = len(dropped) - dropped.rfind("\n") - 1
        else:
            self.column_before += len(dropped)
        self.buffer = self.buffer[self.pos :] + text
        self.pos = 0
        return bool(piece) or bool(text)

    def peek(self) -> str:
        """The next character after white space ("" at the end)."""
        while True:
            self.pos = _JSON_SPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def where(self, pos: int) -> str:
        line = self.lines_before + self.buffer.count("\n", 0, pos) + 1
        last = self.buffer.rfind("\n", 0, pos)
        column = pos - last if last >= 0 else self.column_before + pos + 1
        return f" (line {line}, column {column})"

    def broken(self, message: str, pos: int) -> FileError:
        return FileError(
            _("The file is not valid JSON: %(error)s") % {"error": message} + self.where(pos)
        )

    def value(self) -> object:
        """The next JSON value. A value nested too deeply to decode is skipped and returned
        as a ``BadRow`` (the row is rejected, the file goes on)."""
        self.peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if not self.eof and len(self.buffer) - self.pos < _MAX_JSON_ITEM_CHARS:
                    self.more()  # the value may only be cut off at the end of the piece
                    continue
                raise self.broken(exc.msg, exc.pos) from exc
            except RecursionError:
                self.skip_value()
                return BadRow("", "too_deep", _("The invoice is nested too deeply to read."))
            if end == len(self.buffer) and self.more():
                continue  # a number at the end of the piece may go on in the next one
            self.pos = end
            return value

    def skip_value(self) -> None:
        """Step over one (deeply nested) value by its brackets, strings respected."""
        depth, in_string, escaped = 0, False, False
        while True:
            if self.pos >= len(self.buffer):
                if not self.more():  # what was stepped over is let go as it goes
                    raise self.broken(_("a value is never closed"), self.pos)
                continue
            char = self.buffer[self.pos]
            self.pos += 1
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    return

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.broken(_("expected %(char)s") % {"char": char}, self.pos)
        self.pos += 1

    def items(self) -> Iterator[object]:
        """The items of the list that starts here."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            following = self.peek()
            if following == "]":
                self.pos += 1
                return
            if following != ",":
                raise self.broken(_("expected , or ]"), self.pos)
            self.pos += 1

    def end(self) -> None:
        if self.peek():
            raise self.broken(_("extra data after the invoices"), self.pos)


def _iter_json(handle: BinaryIO) -> Iterator[tuple[int, object]]:
    stream = _JsonStream(handle)
    first = stream.peek()
    if first == "[":
        items = stream.items()
    elif first == "{":
        items = _items_of_object(stream)
    else:
        stream.value()  # broken JSON says so; a lone number or string is not a list
        raise FileError(_('Send a JSON list of invoices, or {"invoices": [...]}.'))
    for position, item in enumerate(items, start=1):
        yield position, _json_row(item)
    stream.end()


def _items_of_object(stream: _JsonStream) -> Iterator[object]:
    """The items of ``{"invoices": [...]}`` (or ``"rows"``, whichever comes first); other keys
    are stepped over."""
    stream.expect("{")
    found, first = False, True
    while stream.peek() != "}":
        if not first:
            stream.expect(",")
        first = False
        key = stream.value()
        if not isinstance(key, str):
            raise stream.broken(_("expected a key"), stream.pos)
        stream.expect(":")
        if not found and key in ("invoices", "rows") and stream.peek() == "[":
            found = True
            yield from stream.items()
        else:
            stream.value()
    stream.pos += 1  # the closing brace
    if not found:
        raise FileError(_('Send a JSON list of invoices, or {"invoices": [...]}.'))


def _valid_text(value: object) -> bool:
    """False for a string JSON decoded from a lone surrogate (\\ud800): it cannot be stored."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def _json_row(item: object) -> object:
    if isinstance(item, BadRow):
        return item
    if not isinstance(item, dict):
        return NotAnObject()
    values: dict[str, object] = {}
    for key, value in item.items():
        if key == "debtor" and isinstance(value, dict):
            for sub, sub_value in value.items():
                values[DEBTOR_KEYS.get(sub, f"debtor_{sub}")] = sub_value
        else:
            values[_column(key)] = value
    for column, value in values.items():
        if column not in COLUMNS:
            continue  # a column the import does not read cannot spoil the row
        parts = value if isinstance(value, list) else (value,)
        if not all(_valid_text(part) for part in parts):
            reason = _("The value holds a character that is not valid text (a lone surrogate).")
            return BadRow(column, "invalid_text", reason)
    return values


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
_CURRENCIES = frozenset(Currency.values)
_SHOWN = 40  # characters of a value quoted in a rejection's reason
# An invoice dated after tomorrow (Copenhagen) is refused: a date in the future is a typing
# error (2062 for 2026), and a claim cannot be overdue before it is invoiced.
INVOICE_DATE_TOLERANCE = timedelta(days=1)
# A due date this far after the invoice date is refused too (rather than a warning: the job
# keeps no per-row warnings, and the creditor corrects the row and sends it again).
MAX_DUE_AFTER_INVOICE = timedelta(days=366)


def shown(value: object) -> str:
    """A value as a rejection's reason may quote it: short, so a row's reason never grows to
    the size of what was sent."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def parse_date(value: object) -> date:
    """A date written ISO (2026-03-31) or Danish (31-03-2026, 31.03.2026)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str | int):
        raise ValueError(_("A date is written as text."))
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
    elif not isinstance(value, str):
        raise ValueError(_("An amount is written as a number or as text."))
    else:
        text = str(value).strip().translate(_SPACES)
        if _AMOUNT_DA.fullmatch(text) and ("," in text or text.count(".") > 1):
            text = text.replace(".", "").replace(",", ".")
        elif _AMOUNT_EN.fullmatch(text):
            text = text.replace(",", "")
        elif not text.startswith("-"):
            raise ValueError(_("%(value)s is not an amount.") % {"value": shown(value)})
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("%(value)s is not an amount.") % {"value": shown(value)}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValueError(_("The amount must be more than zero."))
    if amount != amount.quantize(CENT):
        raise ValueError(_("An amount has at most two decimals."))
    if amount > _MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return amount.quantize(CENT)


class NotText(ValueError):
    """A JSON list or object where a text was expected."""


def _text(values: dict[str, object], column: str) -> str:
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict | list):
        raise NotText(column)
    return str(value).strip()


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
    invoices. Errors are not remembered (they are rare and re-raised as they come). At most
    ``limit`` values are kept (then it starts afresh): a memo of every debtor of a large file
    would grow with the file, which the import otherwise never holds whole."""

    def __init__(self, function, limit: int = 10_000) -> None:
        self.function = function
        self.limit = limit
        self.known: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        result = self.known.get(value)
        if result is None:
            if len(self.known) >= self.limit:
                self.known.clear()
            result = self.known[value] = self.function(value)
        return result


class Validator:
    """Validates rows for one creditor. Build once per job; call :meth:`validate` per row."""

    def __init__(self, *, currency: str, today: date | None = None) -> None:
        self.currency = currency
        self.latest_invoice_date = (today or timezone.localdate()) + INVOICE_DATE_TOLERANCE
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
        if isinstance(values, BadRow):
            return [Rejection(line, values.field, values.code, values.reason)]

        errors: list[tuple[str, str, str]] = []

        def text(column: str) -> str | None:
            try:
                return _text(values, column)
            except NotText:
                errors.append((column, "invalid", _("Give this value as text.")))
                return None

        def required(column: str) -> str:
            value = text(column)
            if value is None:
                return ""
            if not value:
                errors.append((column, "required", _("This field is required.")))
            elif column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
                errors.append((column, "max_length", _too_long(MAX_LENGTHS[column], value)))
            return value

        def optional(column: str) -> str:
            value = text(column) or ""
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
                        % {"value": shown(raw)},
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
        if currency and currency not in _CURRENCIES:
            errors.append(
                (
                    "currency",
                    "invalid_choice",
                    _("%(value)s is not a currency code; use one of: %(choices)s.")
                    % {"value": shown(currency), "choices": ", ".join(sorted(_CURRENCIES))},
                )
            )
        elif currency and currency != self.currency:
            errors.append(
                (
                    "currency",
                    "currency",
                    _("This creditor's cases are in %(currency)s.") % {"currency": self.currency},
                )
            )

        invoice_date = a_date("invoice_date")
        due_date = a_date("due_date")
        if invoice_date and invoice_date > self.latest_invoice_date:
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
                (
                    "due_date",
                    "too_late",
                    _("The due date is more than a year after the invoice date."),
                )
            )
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
