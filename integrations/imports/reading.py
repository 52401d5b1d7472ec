"""Reading an upload into rows: CSV (semicolons or commas, sniffed from the header), XLSX (the
first sheet, read by openpyxl in read-only mode: row by row) or JSON, UTF-8 with or without a
BOM, a piece at a time so a large upload is never held whole.

A CSV or XLSX file whose headers differ from ours is read with a column mapping (our column ->
the file's header, chosen once in the portal and stored on the job): :func:`header_columns`
applies it, the one place a header becomes a column name.

Each row comes out as ``(line, values)``: values by column name, or a marker the validator
rejects (:class:`WrongWidth`, :class:`NotAnObject`, :class:`BadRow`) so that one unreadable row
never costs the others. What the values mean is ``validation``'s business.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, BinaryIO, NamedTuple

from django.utils.translation import gettext as _

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
    # The headings of the portal's template (templates.py), normalised as _column does.
    "skyldners_navn": "debtor_name",
    "cpr/cvr": "debtor_national_id",
    "cpr-/cvr-nummer": "debtor_national_id",
    "skyldnertype": "debtor_kind",
    "postnummer": "debtor_postal_code",
    "telefonnummer": "debtor_phone",
    "jeres_reference": "reference",
    "rykkere_sendt": "reminder_dates",
    "inkassovarsel_sendt": "warning_sent_on",
}
# The Danish heading of each column, as the template downloads name them (every one of them is
# an alias above, so a filled-in template imports as it is).
DANISH_HEADINGS = {
    "debtor_name": "Navn",
    "debtor_national_id": "CPR/CVR",
    "debtor_kind": "Skyldnertype",
    "debtor_address": "Adresse",
    "debtor_postal_code": "Postnr",
    "debtor_city": "By",
    "debtor_country": "Land",
    "debtor_email": "E-mail",
    "debtor_phone": "Telefon",
    "debtor_language": "Sprog",
    "invoice_number": "Fakturanummer",
    "invoice_date": "Fakturadato",
    "due_date": "Forfaldsdato",
    "amount": "Beløb",
    "currency": "Valuta",
    "description": "Beskrivelse",
    "reference": "Reference",
    "reminder_dates": "Rykkere sendt",
    "warning_sent_on": "Inkassovarsel sendt",
}
# Columns holding a date: an XLSX cell with an Excel date (or its serial number) is read as one.
DATE_COLUMNS = ("invoice_date", "due_date", "warning_sent_on")
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


class FileError(Exception):
    """The upload as a whole cannot be read (not JSON, no header, missing columns)."""


# --- Reading ------------------------------------------------------------------------------


def _column(name: str) -> str:
    key = name.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")
    return ALIASES.get(key, key)


def header_text(name: object) -> str:
    """A header cell as the mapping names it: the text without a BOM or surrounding space."""
    if name is None:
        return ""
    return str(name).strip().lstrip("\ufeff").strip()


def header_columns(header: list, mapping: dict[str, str] | None = None) -> list[str]:
    """Our column name of each header cell: by the mapping (our column -> the file's header)
    first, else by its name or Danish alias. A header whose own name is a column the mapping
    gives to another header is read as nothing (the mapping wins)."""
    if not mapping:
        return [_column(header_text(c)) for c in header]
    chosen = {header_text(h).lower(): column for column, h in mapping.items() if h}
    columns = []
    for cell in header:
        text = header_text(cell)
        column = chosen.get(text.lower())
        if column is None:
            column = _column(text)
            if mapping.get(column):
                column = ""  # the mapping reads this column from another header
        columns.append(column)
    return columns


def missing_columns(columns: list[str]) -> list[str]:
    return [c for c in REQUIRED_COLUMNS if c not in columns]


def read_rows(data: bytes, fmt: str) -> list[tuple[int, Any]]:
    """Every row of a file held in memory (tests, small uploads); raises ``FileError``."""
    return list(iter_rows(io.BytesIO(data), fmt))


def iter_rows(
    handle: BinaryIO, fmt: str, mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, Any]]:
    """Every row of an open binary file as ``(line, {column: value})``, one at a time: an
    upload is never held in memory whole. Raises ``FileError`` where the file as a whole
    cannot be read (not UTF-8, no header, broken JSON); a row that cannot be read is yielded
    as a marker the validator rejects (:class:`BadRow`), so it never costs the others.
    ``mapping`` (CSV and XLSX): our column -> the file's header, for headers of its own."""
    if fmt == "json":
        return _iter_json(handle)
    if fmt == "xlsx":
        return _iter_xlsx(handle, mapping)
    return _iter_csv(handle, mapping)


def count_rows(handle: BinaryIO, fmt: str, mapping: dict[str, str] | None = None) -> int:
    """Read the whole file once without keeping it: the number of rows, or ``FileError``.

    The import runs this before it files anything, so a file that is broken at its end fails
    whole (as it always has) rather than after its first chunks were filed."""
    count = 0
    for _row in iter_rows(handle, fmt, mapping):
        count += 1
    return count


def raw_header(handle: BinaryIO, fmt: str) -> list[str]:
    """The header cells of a CSV or XLSX file as the file writes them (for the mapping form);
    ``FileError`` when there is none."""
    if fmt == "xlsx":
        rows = _xlsx_rows(handle)
        try:
            first = next(rows, None)
        finally:
            rows.close()
        header = [header_text(c) for c in (first or ())]
    else:
        text = _decode(handle.read(64 * 1024), partial=True)
        first_line = text.splitlines()[0] if text else ""
        header = [
            header_text(c)
            for c in next(csv.reader([first_line], delimiter=_sniff_delimiter(first_line)), [])
        ]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise FileError(_("The file is empty."))
    return header


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


def _iter_csv(
    handle: BinaryIO, mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, object]]:
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
    columns = header_columns(header, mapping)
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


# --- XLSX ---------------------------------------------------------------------------------

# Excel's serial day numbers that are plausible dates (1954 to 2119): a date column holding a
# plain number is read as the day it counts to, any other number stays as written.
_EXCEL_SERIALS = (20_000, 80_000)


def _xlsx_rows(handle: BinaryIO) -> Iterator[tuple]:
    """The first sheet's rows as tuples of cell values, streamed (openpyxl's read-only mode
    parses the sheet's XML as it goes; the workbook is never loaded whole)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, openpyxl's InvalidFileException
        raise FileError(_("The file is not an XLSX workbook (Excel 2007 or later).")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileError(_("The file is empty."))
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _xlsx_value(column: str, value: object) -> object:
    """A cell's value as the validator reads text: an Excel date as ISO, a number as written
    (an amount 1234.5 stays exact: floats never reach the money), text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, int | float):
        if column in DATE_COLUMNS and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date().isoformat()
        if isinstance(value, float):
            if value.is_integer():
                value = int(value)
            else:  # the shortest text that is this double: 1234.56, not 1234.5599999
                return format(Decimal(repr(value)), "f")
        text = str(value)
        if column == "debtor_national_id" and len(text) == 9:
            return text.zfill(10)  # a CPR number typed as a number lost its leading zero
        return text
    return str(value)


def _iter_xlsx(
    handle: BinaryIO, mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, object]]:
    rows = _xlsx_rows(handle)
    try:
        header = next(rows, None)
        if header is None or not any(header_text(c) for c in header):
            raise FileError(_("The file is empty."))
        header = list(header)
        while header and not header_text(header[-1]):
            header.pop()  # the sheet's empty cells to the right of the headings
        columns = header_columns(header, mapping)
        check_columns(columns)
        width = len(columns)
        for line, cells in enumerate(rows, start=2):
            values = list(cells[:width])
            values += [None] * (width - len(values))  # a row may end before the headings do
            extra = [c for c in cells[width:] if c not in (None, "")]
            if not any(v not in (None, "") for v in values) and not extra:
                continue  # an empty row
            if extra:
                yield line, WrongWidth(width + len(cells[width:]), width)
                continue
            row: dict[str, object] = {}
            for column, value in zip(columns, values, strict=True):
                if column and column not in row:  # the first of two same columns wins
                    try:
                        row[column] = _xlsx_value(column, value)
                    except (OverflowError, ValueError):
                        row[column] = str(value)
            yield line, row
    finally:
        rows.close()


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
