"""Money as Decimal with two places; anything else is refused with the field's name."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals, from a Decimal, int or string (not float)."""
    if isinstance(value, (float, bool)):
        raise ValidationError({field: _("Amounts are given as decimals, not floating point.")})
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("%(value)s is not an amount.") % {"value": value}}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("An amount has at most two decimals.")})
    return amount.quantize(CENT)


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
