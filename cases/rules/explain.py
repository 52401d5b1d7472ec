"""Figures: every amount the rules engine produces, with the rule and a sentence to check it.

A :class:`Figure` is what the engine returns instead of a bare number, so that a letter, the
case timeline or the admin can always show *why* an amount is what it is: which rule, which
jurisdiction profile version, on which base, between which dates and at which rate.

Money is ``Decimal`` and is rounded to 2 places with ROUND_HALF_UP only once, at the end of
each figure (see :func:`round_money` and :func:`round_fraction`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from collections_portal.money import format_money, round_money
from collections_portal.texts import Money, Percent, Text

# round_money is the money module's, re-exported for the rules' modules.
__all__ = [
    "ZERO",
    "Figure",
    "Money",
    "Percent",
    "Text",
    "explained",
    "money_text",
    "percent_text",
    "round_fraction",
    "round_money",
    "sentence",
]

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figure:
    """An amount with the rule it comes from and a plain sentence a person can check.

    ``amount`` is rounded to 2 places. ``unrounded`` (when set) is the exact value before that
    rounding, shown with 10 decimals, e.g. an interest period; a total built from parts is the
    sum of the parts' ``unrounded`` values, rounded once. A refused fee has ``amount`` 0,
    ``allowed`` False and ``refusal`` saying why.
    """

    amount: Decimal
    rule: str
    profile: str
    explanation: str
    base: Decimal | None = None
    dates: tuple[date, ...] = ()
    allowed: bool = True
    refusal: str = ""
    parts: tuple[Figure, ...] = ()
    unrounded: Decimal | None = None
    # The explanation as a stored text, read in the reader's language (``explanation`` is
    # its English rendering); None where the explanation is only words.
    text: Text | None = None
    # ``refusal`` as a stored text, read in the reader's language.
    refusal_text: Text | None = None

    def __str__(self) -> str:
        return f"{format_money(self.amount)}: {self.explanation}"

    def walk(self) -> Iterator[Figure]:
        """This figure and all its parts, depth first (for display and for tests)."""
        yield self
        for part in self.parts:
            yield from part.walk()


def round_fraction(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact fraction to ``places`` decimals, half up (away from zero), exactly.

    Interest is computed with fractions (no binary or precision rounding on the way) and
    rounded here once.
    """
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # floor, as scaled is non-negative
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def money_text(amount: Decimal, currency: str) -> str:
    """``10,000.00 DKK``: the way amounts are written in explanations."""
    return f"{format_money(amount)} {currency}"


def percent_text(rate: Decimal) -> str:
    """``11.50%``: rates are held in percent."""
    return f"{rate:.2f}%"


def sentence(text: str, *, rule: str, profile: str) -> str:
    """End an explanation with the rule and the profile label, e.g. ``(renteloven § 5; DK@...)``."""
    return f"{text.rstrip('. ')} ({rule}; {profile})."


def explained(text: Text, *, rule: str, profile: str) -> dict:
    """A figure's ``explanation`` (English words) and ``text`` (read in the reader's language),
    ended with the rule and the profile label as :func:`sentence` does::

        Figure(amount=..., rule=rule, profile=label, **explained(Text(...), rule=..., ...))
    """
    cited = Text("%(text)s (%(rule)s; %(profile)s).", text=text, rule=rule, profile=profile)
    english = cited.render("en")
    return {"explanation": english, "text": cited}
