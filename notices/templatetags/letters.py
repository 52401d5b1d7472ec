"""Filters for letters: amounts and dates written the way the letter's language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.utils import translation
from django.utils.dateformat import format as format_date

from collections_portal.money import format_money

register = template.Library()

DATE_FORMATS = {"da": "j. F Y", "en": "j F Y"}


@register.filter
def money(amount: Decimal | None) -> str:
    """``1.234,50`` in Danish, ``1,234.50`` in English; always two decimals."""
    if amount is None:
        return ""
    return format_money(amount, translation.get_language(), minus="\u2212")  # typographic


@register.filter
def letterdate(day: date | None) -> str:
    """``23. november 2026`` in Danish, ``23 November 2026`` in English."""
    if day is None:
        return ""
    return format_date(day, DATE_FORMATS.get(translation.get_language(), "Y-m-d"))


@register.filter
def fik_spaced(value: str) -> str:
    """A payment ID in groups of five digits, as banks print it."""
    return " ".join(value[i : i + 5] for i in range(0, len(value), 5))


@register.simple_tag
def notice_kind_choices() -> list[tuple[str, str]]:
    """The kinds of letter, for the case page's preview form."""
    from notices.models import NoticeKind

    return list(NoticeKind.choices)
