"""Template filters of the portal: amounts and numbers as each language writes them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _format(value: Decimal, places: int) -> str:
    # Django's number_format cuts the decimals off; an amount is rounded half up first.
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


@register.filter
def money(value, places: int = 2) -> str:
    """An amount with thousands separators and two decimals in the page's language:
    1.234.567,89 in Danish, 1,234,567.89 in English. Empty for no amount."""
    number = _decimal(value)
    if number is None:
        return ""
    return _format(number, int(places))


@register.filter
def number(value) -> str:
    """A whole number with thousands separators (12.345 / 12,345)."""
    figure = _decimal(value)
    if figure is None:
        return ""
    return _format(figure, 0)


@register.filter
def percent(value, places: int = 1) -> str:
    """A share (0.4567) as a percentage in the page's notation (45,7 % / 45.7%)."""
    share = _decimal(value)
    if share is None:
        return "\u2013"  # an en dash: no figure
    figure = _format(share * 100, int(places))
    # Danish puts a space before the sign (Retskrivningsordbogen); English does not.
    return f"{figure}\u00a0%" if (get_language() or "da").startswith("da") else f"{figure}%"
