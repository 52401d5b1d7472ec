"""Texts kept to be read later, in the reader's language.

A ledger entry's explanation or a timeline entry's reason is written once, by a step that runs
in whatever language its caller had (often none: the scheduler, a worker). Storing the words
would fix one language for every reader, so what is stored is a :class:`Text`: an English
message id (marked for translation where it is written) and its arguments, each kept with its
kind. It is rendered when it is shown, in the language of the page: a Danish creditor reads
Danish, an English one English, from the same record.

The arguments' kinds: :class:`Money` (written in the language's notation, ``1.234,50`` or
``1,234.50``), :class:`Percent`, a :class:`Day` (in the language's short date format), a
``date`` (ISO 8601, the same in every language: the ledger's sentences compare dates), a
nested :class:`Text` (rendered in the same language), a lazily translated label (a model
choice's label: stored as its English id, translated when read), and plain strings and numbers
(names, invoice numbers, counts: never translated).

The English rendering is also stored beside it in the record's text column, so the record
reads right without this module (the admin, ``explain_case``, a log) and older records, which
have only that text, still show.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from collections_portal.money import format_money

__all__ = ["Day", "Money", "Percent", "Text", "render_stored"]


class Money:
    """An amount in an explanation, with its currency unless ``currency`` is empty."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount: Decimal | int, currency: str = "") -> None:
        self.amount = Decimal(amount)
        self.currency = currency

    def render(self, language: str) -> str:
        text = format_money(self.amount, language)
        return f"{text} {self.currency}" if self.currency else text


class Percent:
    """A rate held in percent, written with two decimals: ``11.50%`` or ``11,50%``."""

    __slots__ = ("rate",)

    def __init__(self, rate: Decimal | int) -> None:
        self.rate = Decimal(rate)

    def render(self, language: str) -> str:
        text = f"{self.rate:.2f}%"
        return text.replace(".", ",") if language == "da" else text


class Day:
    """A day written the way the reader's language writes it (``07.12.2026``, ``07/12/2026``),
    where a plain ``date`` argument stays ISO 8601."""

    __slots__ = ("day",)

    def __init__(self, day: date) -> None:
        self.day = day

    def render(self, language: str) -> str:
        from django.utils.formats import date_format

        return date_format(self.day, "SHORT_DATE_FORMAT")


def _msgid(label: Promise) -> str:
    """The English id of a lazily translated label (what it reads with no translation)."""
    with translation.override(None):
        return str(label)


def _encode(value: Any) -> Any:
    if isinstance(value, Text):
        return {"text": value.to_json()}
    if isinstance(value, Money):
        return {"money": str(value.amount), "currency": value.currency}
    if isinstance(value, Percent):
        return {"percent": str(value.rate)}
    if isinstance(value, Day):
        return {"day": value.day.isoformat()}
    if isinstance(value, Promise):
        return {"label": _msgid(value)}
    if isinstance(value, _Label):
        return {"label": value.msgid}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"A text cannot keep an argument of type {type(value).__name__}.")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "text" in value:
        return Text.from_json(value["text"])
    if "money" in value:
        return Money(Decimal(value["money"]), value.get("currency", ""))
    if "percent" in value:
        return Percent(Decimal(value["percent"]))
    if "label" in value:
        return _Label(value["label"])
    if "day" in value:
        return Day(date.fromisoformat(value["day"]))
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    if "decimal" in value:
        return Decimal(value["decimal"])
    raise ValueError(f"Not a stored text argument: {value!r}")


class _Label:
    """A label read back from storage: translated when rendered."""

    __slots__ = ("msgid",)

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid


def _render_argument(value: Any, language: str) -> str:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, Money | Percent | Day):
        return value.render(language)
    if isinstance(value, _Label):
        return gettext(value.msgid) if value.msgid else ""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, Decimal) and language == "da":
        return str(value).replace(".", ",")
    return str(value)


class Text:
    """A message id (English, marked with ``gettext_noop`` where it is written, so
    ``makemessages`` finds it) and its named arguments; rendered with :meth:`render`."""

    __slots__ = ("args", "msgid")

    def __init__(self, msgid: str, /, **args: Any) -> None:
        self.msgid = msgid
        self.args = args
        for value in args.values():
            _encode(value)  # refuse an argument that cannot be stored, here and now

    def render(self, language: str | None = None) -> str:
        """The text in ``language`` (the active language when not given)."""
        language = language or translation.get_language() or "da"
        with translation.override(language):
            rendered = {name: _render_argument(v, language) for name, v in self.args.items()}
            template = gettext(self.msgid) if self.msgid else ""
            return template % rendered if rendered else template

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, **{self.args!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.msgid)

    def to_json(self) -> dict:
        return {"msgid": self.msgid, "args": {k: _encode(v) for k, v in self.args.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Text:
        text = cls.__new__(cls)
        text.msgid = data.get("msgid", "")
        text.args = {k: _decode(v) for k, v in (data.get("args") or {}).items()}
        return text

    @classmethod
    def join(cls, *parts: Text | str, separator: str = " ") -> Text:
        """Parts written one after the other (each rendered in the reader's language)."""
        kept = [part for part in parts if part]
        names = [f"p{index}" for index in range(len(kept))]
        msgid = separator.join(f"%({name})s" for name in names)
        return cls(msgid, **dict(zip(names, kept, strict=True)))


def as_text(value: Text | Promise | str) -> Text:
    """A text for what a caller handed over: a Text as it is, a lazily translated string as
    its English id (translated when read), a plain string kept as it is."""
    if isinstance(value, Text):
        return value
    if isinstance(value, Promise):
        return Text(_msgid(value))
    return Text("%(text)s", text=str(value))


def english(value: Text | Promise | str) -> str:
    """What is kept in the record's text column: the English rendering."""
    if isinstance(value, Text):
        return value.render("en")
    if isinstance(value, Promise):
        return _msgid(value)
    return value


def render_stored(stored: dict | None, fallback: str, language: str | None = None) -> str:
    """A record's text in ``language``: from its stored :class:`Text` when it has one, else the
    words it was written with (records older than stored texts)."""
    if stored:
        try:
            return Text.from_json(stored).render(language)
        except (KeyError, TypeError, ValueError):  # a stored text that no longer renders
            return fallback
    return fallback
