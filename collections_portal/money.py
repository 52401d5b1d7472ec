"""Money, in one place: amounts are ``Decimal`` with two places (øre), read from Danish or
English notation, rounded half up, and written the way a language writes them.

Below every app (it imports no model), so the rules engine, the services, the import, the API,
the letters and the webhooks all use the same rules:

* :func:`parse_amount` reads ``1.234,50``, ``1234,50``, ``1,234.50``, ``1234.50`` (spaces and
  no-break spaces as thousands separators too) or a ``Decimal``/``int``; never a float. An
  amount must be more than zero (or, ``signed=True``, not zero: a bank file's money out),
  have at most two decimals and fit the database's column.
  ``ValueError`` with a message otherwise; :func:`to_money` is the same for the services,
  raising ``ValidationError`` naming the field.
* :func:`round_money` rounds to øre, half up (0.005 -> 0.01), the way the law's figures are.
* :func:`format_money` writes ``1.234,50`` in Danish and ``1,234.50`` in English, always with
  two decimals; :func:`plain_money` writes ``1234.50`` (JSON, CSV).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The database's money columns: 14 digits, 2 of them decimals.
MAX_DIGITS = 14
DECIMAL_PLACES = 2
CENT = Decimal(1).scaleb(-DECIMAL_PLACES)
MAX_AMOUNT = Decimal(10 ** (MAX_DIGITS - DECIMAL_PLACES)) - CENT

_AMOUNT_DA = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
_AMOUNT_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SPACES = str.maketrans("", "", " \u00a0\u202f")
_QUOTED = 40  # characters of a value quoted in a message


def _quoted(value: object) -> str:
    """A value as a message may quote it: short, so a message never grows to the size of what
    was sent."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= _QUOTED else text[: _QUOTED - 1] + "…"


def parse_amount(value: object, *, signed: bool = False) -> Decimal:
    """An amount in Danish or English notation as a Decimal with two places; ``ValueError``
    with a message otherwise.

    A string with a comma, or with more than one dot, is Danish when it reads as Danish
    (``1.234,50``, ``1.234.567``); otherwise English (``1,234.50``, ``1234.50``). ``1.234`` is
    therefore English, and refused as having three decimals rather than read as 1234.

    ``signed``: the amount may be negative (``-1.234,50``: money out, in a bank file) but not
    zero; the notation, decimals and size rules apply to its absolute value.
    """
    if isinstance(value, bool | float):
        raise ValueError(_("Amounts are given as decimals, not floating point."))
    negative = False
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
        if signed and amount < 0:
            negative, amount = True, -amount
    elif not isinstance(value, str):
        raise ValueError(_("An amount is written as a number or as text."))
    else:
        text = value.strip().translate(_SPACES)
        if signed and text[:1] in ("-", "+"):
            negative, text = text[0] == "-", text[1:]
        if _AMOUNT_DA.fullmatch(text) and ("," in text or text.count(".") > 1):
            text = text.replace(".", "").replace(",", ".")
        elif _AMOUNT_EN.fullmatch(text):
            text = text.replace(",", "")
        elif signed or not text.startswith("-"):
            raise ValueError(_("%(value)s is not an amount.") % {"value": _quoted(value)})
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("%(value)s is not an amount.") % {"value": _quoted(value)}) from exc
    if signed and amount == 0:
        raise ValueError(_("The amount must not be zero."))
    if not amount.is_finite() or amount <= 0:
        raise ValueError(_("The amount must be more than zero."))
    if amount != amount.quantize(CENT):
        raise ValueError(_("An amount has at most two decimals."))
    if amount > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    amount = amount.quantize(CENT)
    return -amount if negative else amount


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """:func:`parse_amount` for the services: ``ValidationError`` naming ``field``."""
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from exc


def round_money(value: Decimal) -> Decimal:
    """Round an amount to øre, half up (0.005 -> 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | int, language: str = "en", *, minus: str = "-") -> str:
    """``1.234,50`` in Danish (``da``), ``1,234.50`` otherwise; rounded half up to øre first.
    ``minus`` is what a negative amount starts with (letters use a typographic minus)."""
    text = f"{round_money(Decimal(amount)):,}"
    if language == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text.replace("-", minus) if minus != "-" else text


def plain_money(amount: Decimal | int) -> str:
    """``1234.50``: two decimals, no thousands separator (JSON, CSV)."""
    return f"{round_money(Decimal(amount))}"
