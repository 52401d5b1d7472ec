"""Validating each row read from an upload into an invoice ready to be filed.

The checks are the models' and services' own rules (``debtor_build``, ``Claim.full_clean``,
``to_money``, ``contact_point_add``), applied without building a model per row: an import of
100,000 rows cannot afford ``full_clean`` per row. ``tests/imports/test_rows.py`` holds the two
side by side on the awkward cases, so they cannot drift apart unnoticed; the lengths are the
model fields' own ``max_length``.

Accepted spellings: amounts as ``1.234,50``, ``1234,50``, ``1,234.50`` or ``1234.50`` (the money
module's ``parse_amount``); dates as ``2026-03-31``, ``31-03-2026`` or ``31.03.2026``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.claim_dates import claim_date_errors
from cases.models import Case, Claim
from collections_portal.money import parse_amount
from creditors.models import Currency, Language
from debtors.models import ContactPoint, Debtor, DebtorKind
from debtors.validators import normalise_cpr, normalise_cvr, normalise_email, normalise_phone

from .models import ImportRejection
from .reading import BadRow, NotAnObject, WrongWidth

# A rejected row's invoice number is kept as long as its column allows.
REJECTED_INVOICE_NUMBER_LENGTH = ImportRejection._meta.get_field("invoice_number").max_length
# The longest value each column may hold: the model fields' own limits.
MAX_LENGTHS = {
    "debtor_name": Debtor._meta.get_field("name").max_length,
    "debtor_national_id": Debtor._meta.get_field("national_id").max_length,
    "debtor_address": Debtor._meta.get_field("address_line").max_length,
    "debtor_postal_code": Debtor._meta.get_field("postal_code").max_length,
    "debtor_city": Debtor._meta.get_field("city").max_length,
    "debtor_email": ContactPoint._meta.get_field("value").max_length,
    "debtor_phone": ContactPoint._meta.get_field("value").max_length,
    "invoice_number": Claim._meta.get_field("invoice_number").max_length,
    "description": Claim._meta.get_field("description").max_length,
    "reference": Case._meta.get_field("creditor_reference").max_length,
}


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


# --- Validating ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DK_DATE = re.compile(r"(\d{1,2})[-.](\d{1,2})[-.](\d{4})")
_DATE_LIST_SPLIT = re.compile(r"[|,;\s]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_DK_POSTAL = re.compile(r"[0-9]{4}")
_SPACES = str.maketrans("", "", " \u00a0\u202f")
_LANGUAGES = frozenset(Language.values)
_KINDS = frozenset(DebtorKind.values)
_CURRENCIES = frozenset(Currency.values)
_SHOWN = 40  # characters of a value quoted in a rejection's reason
# The dates a claim may have are one rule, shared with the API and the filing service
# (cases/claim_dates.py); a row at fault is refused (the job keeps no per-row warnings:
# the creditor corrects the row and sends it again).


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
        self.today = today or timezone.localdate()
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
        errors.extend(claim_date_errors(invoice_date, due_date, today=self.today))
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
            number = invoice_number[:REJECTED_INVOICE_NUMBER_LENGTH]
            return [Rejection(line, f, c, r, number) for f, c, r in errors]
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
