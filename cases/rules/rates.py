"""Reference rates by half-year, for default interest (DK: renteloven § 5).

The rate that counts for a half-year is the central bank's rate on 1 January or 1 July, fixed
for that half-year. The table is data (a DB table that staff extend; defaults in
``profiles.DEFAULT_DK_RATES``) and is passed to the engine as a :class:`RateTable`.

A half-year without an entry is *missing*: its rate is never carried forward from an earlier
half-year, because the law fixes a new rate on each 1 January and 1 July and a stale rate
would silently give a wrong figure. :class:`MissingRate` names the half-year to add.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple


class MissingRate(LookupError):
    """No reference rate is known for a half-year; staff must add it before interest runs."""

    def __init__(self, half_year: date) -> None:
        self.half_year = half_year
        super().__init__(
            f"No reference rate for the half-year {half_year_name(half_year)} "
            f"(from {half_year.isoformat()}): add it to the rate table."
        )


class RateEntry(NamedTuple):
    """One half-year's reference rate in percent, and whether it was checked at the source."""

    valid_from: date
    reference_rate: Decimal
    verified: bool


def half_year_start(day: date) -> date:
    """1 January or 1 July: the start of the half-year that ``day`` falls in."""
    return date(day.year, 1 if day.month < 7 else 7, 1)


def half_year_name(start: date) -> str:
    """``2025-H1`` for the half-year starting 2025-01-01, ``2025-H2`` for 2025-07-01."""
    return f"{start.year}-H{1 if start.month < 7 else 2}"


def boundaries_between(start: date, end: date) -> Iterator[date]:
    """Every 1 January and 1 July ``b`` with ``start < b <= end``, in order.

    These are the days on which a new half-year (and so a new rate) begins inside the interest
    period that runs from ``start`` to ``end``, both days included.
    """
    boundary = half_year_start(start)
    while True:
        boundary = (
            date(boundary.year, 7, 1) if boundary.month == 1 else date(boundary.year + 1, 1, 1)
        )
        if boundary > end:
            return
        yield boundary


class RateTable:
    """Reference rates in percent by half-year, built from ``(valid_from, rate, verified)``.

    Every ``valid_from`` must be a 1 January or a 1 July, given once; rates are ``Decimal``.
    """

    def __init__(self, entries: Iterable[tuple[date, Decimal, bool]]) -> None:
        by_start: dict[date, RateEntry] = {}
        for valid_from, reference_rate, verified in entries:
            if valid_from != half_year_start(valid_from):
                raise ValueError(f"A rate must start on 1 January or 1 July, not {valid_from}.")
            if not isinstance(reference_rate, Decimal):
                raise TypeError(f"The rate from {valid_from} must be a Decimal, not a float.")
            if valid_from in by_start:
                raise ValueError(f"Two rates for the half-year from {valid_from}.")
            by_start[valid_from] = RateEntry(valid_from, reference_rate, bool(verified))
        self._entries = dict(sorted(by_start.items()))

    def __iter__(self) -> Iterator[RateEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"RateTable({list(self._entries.values())!r})"

    def rate_on(self, day: date) -> RateEntry:
        """The entry for the half-year ``day`` falls in, or :class:`MissingRate` naming it."""
        start = half_year_start(day)
        entry = self._entries.get(start)
        if entry is None:
            raise MissingRate(start)
        return entry

    @staticmethod
    def boundaries_between(start: date, end: date) -> Iterator[date]:
        """See the module function :func:`boundaries_between`."""
        return boundaries_between(start, end)
