"""Default interest (morarente), DK: renteloven § 3 (from when) and § 5 (how much).

Choices where the statutes are silent, written down so they can be checked:

- Interest days. ``start`` is the *first interest day* and ``end`` the last, both included.
  With an agreed due date the first interest day is the day after it: the debtor may pay on
  the due date itself without interest (§ 3 stk. 1, "from the due date", read as from the end
  of that day). Without one, interest runs from the day that falls 30 days after the demand
  was sent (§ 3 stk. 2), so that day is the first interest day.
- Rate. The reference rate of the half-year each interest day falls in, plus the margin (8
  points; 7 for claims due before 2013-03-01), fixed for that half-year. A half-year without
  a rate in the table raises ``MissingRate``.
- Day count (a profile setting; DK 30/360 is *unverified*):
  "30/360" is European 30E/360 (days = 360 x years + 30 x months + min(day, 30) differences,
  counted from the day before the period's first day to its last day, so every full
  half-year has 180 days and a 31st earns nothing); "act/365" counts actual days and divides
  by 365 in leap years too (act/365 fixed).
- Rounding. Each period is computed exactly (fractions) and shown rounded to 10 decimals as
  ``unrounded``; the total is the sum of those, rounded once to 2 places, half up.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_noop as N_

from .explain import (
    ZERO,
    Figure,
    Money,
    Percent,
    Text,
    explained,
    round_fraction,
    round_money,
)
from .profile import JurisdictionProfile
from .rates import RateTable, boundaries_between, half_year_name

UNROUNDED_PLACES = 10
_DAY_COUNT_TEXT = {
    "30/360": N_("30E/360: months of 30 days over a year of 360"),
    "act/365": N_("actual days over a year of 365"),
}


def interest_start(
    profile: JurisdictionProfile,
    *,
    due_date: date | None,
    due_date_agreed: bool,
    demand_sent_on: date | None,
) -> Figure:
    """The first interest day, as a figure with amount 0 and ``dates=(start,)``.

    DK: renteloven § 3. With an agreed due date: the day after it (stk. 1). Otherwise: the day
    ``interest_after_demand_days`` (30) after the demand was sent (stk. 2). ``ValueError``
    when neither an agreed due date nor a demand is given.
    """
    rule = profile.cite("interest_start")
    if due_date is not None and due_date_agreed:
        start = due_date + timedelta(days=1)
        text = Text(
            N_(
                "Interest runs from the agreed due date %(due)s: the first interest day is the "
                "day after it, %(start)s"
            ),
            due=due_date,
            start=start,
        )
    elif demand_sent_on is not None:
        days = profile.need(profile.interest_after_demand_days, "interest_after_demand_days")
        start = demand_sent_on + timedelta(days=days)
        text = Text(
            N_(
                "No due date was agreed, so interest runs from the day %(days)s days after the "
                "demand sent on %(sent)s: the first interest day is %(start)s"
            ),
            days=days,
            sent=demand_sent_on,
            start=start,
        )
    else:
        raise ValueError("Interest needs an agreed due date or the date a demand was sent.")
    return Figure(
        amount=ZERO,
        rule=rule,
        profile=profile.label,
        **explained(text, rule=rule, profile=profile.label),
        dates=(start,),
    )


def _serial_30e(day: date) -> int:
    return 360 * day.year + 30 * day.month + min(day.day, 30)


def day_count(first: date, last: date, convention: str) -> tuple[int, int]:
    """(interest days, days in the year) for the period ``first`` to ``last``, both included."""
    if convention == "30/360":
        return _serial_30e(last) - _serial_30e(first - timedelta(days=1)), 360
    if convention == "act/365":
        return (last - first).days + 1, 365
    raise ValueError(f"Unknown day count {convention!r}.")


def _balance_on(changes: Sequence[tuple[date, Decimal]], day: date) -> Decimal:
    balance: Decimal | None = None
    for changed_on, amount in changes:
        if changed_on > day:
            break
        balance = amount
    if balance is None:
        raise ValueError(f"No principal balance is given for {day.isoformat()}.")
    return balance


def _check_changes(changes: Sequence[tuple[date, Decimal]]) -> None:
    if not changes:
        raise ValueError("Interest needs at least one principal balance.")
    for (before, _), (after, _) in itertools.pairwise(changes):
        if after < before:
            raise ValueError("Principal changes must be in date order.")
    for changed_on, amount in changes:
        if not isinstance(amount, Decimal):
            raise TypeError(f"The principal from {changed_on} must be a Decimal.")
        if amount < 0:
            raise ValueError(f"The principal from {changed_on} is negative.")


def interest_owed(
    profile: JurisdictionProfile,
    *,
    rates: RateTable,
    principal_changes: Sequence[tuple[date, Decimal]],
    start: date,
    end: date,
    due_date: date,
    agreed_rate: Decimal | None = None,
    consumer: bool = True,
    agreed_day_count: str | None = None,
) -> Figure:
    """Simple default interest on the principal only, from ``start`` to ``end`` (both days
    included), split at every 1 January/1 July and every principal change (DK: renteloven § 5).

    ``principal_changes`` are ``(date from which the balance applies, balance)`` in date order;
    the first must be on or before ``start``. The rate of each period is the half-year's
    reference rate plus ``interest_margin_points`` (``interest_margin_points_legacy`` when
    ``due_date`` is before ``interest_legacy_due_before``). A business debtor's
    ``agreed_rate`` replaces it (higher or lower); for a consumer the statutory rate is a
    ceiling, so an agreed rate applies only where it is lower. ``agreed_day_count`` (the
    creditor's agreement, ``"30/360"`` or ``"act/365"``) replaces the profile's day count.
    Each period is a part.
    """
    rule = profile.cite("interest_rate")
    label = profile.label
    currency = profile.currency
    _check_changes(principal_changes)
    if agreed_rate is not None and agreed_rate < 0:
        raise ValueError("An agreed rate cannot be negative.")
    if end < start:
        return Figure(
            amount=ZERO,
            rule=rule,
            profile=label,
            **explained(
                Text(
                    N_("No interest: the period from %(start)s to %(end)s has no interest days"),
                    start=start,
                    end=end,
                ),
                rule=rule,
                profile=label,
            ),
            dates=(start, end),
            unrounded=ZERO,
        )

    if agreed_day_count is not None:
        if agreed_day_count not in _DAY_COUNT_TEXT:
            raise ValueError(f"Unknown day count {agreed_day_count!r}.")
        convention = agreed_day_count
        day_count_text = Text(
            N_("%(day_count)s, as agreed with the creditor"),
            day_count=Text(_DAY_COUNT_TEXT[convention]),
        )
    else:
        convention = profile.need(profile.interest_day_count, "interest_day_count")
        day_count_text = Text(_DAY_COUNT_TEXT[convention])
        if "interest_day_count" in profile.unverified:
            day_count_text = Text(N_("%(day_count)s, unverified"), day_count=day_count_text)
    legacy = profile.interest_legacy_due_before is not None and (
        due_date < profile.interest_legacy_due_before
    )
    margin = (
        profile.need(profile.interest_margin_points_legacy, "interest_margin_points_legacy")
        if legacy
        else profile.interest_margin_points
    )
    margin_text = (
        Text(
            N_("+ %(margin)s points for a claim due before %(before)s"),
            margin=margin,
            before=profile.interest_legacy_due_before,
        )
        if legacy
        else Text(N_("+ %(margin)s points"), margin=margin)
    )

    cuts = set(boundaries_between(start, end))
    cuts |= {changed_on for changed_on, _ in principal_changes if start < changed_on <= end}
    firsts = [start, *sorted(cuts)]
    parts: list[Figure] = []
    for index, first in enumerate(firsts):
        last = firsts[index + 1] - timedelta(days=1) if index + 1 < len(firsts) else end
        base = _balance_on(principal_changes, first)
        rate, rate_text = _rate(profile, rates, first, margin, margin_text, agreed_rate, consumer)
        days, year = day_count(first, last, convention)
        exact = Fraction(base) * Fraction(rate) * days / (100 * year)
        unrounded = round_fraction(exact, UNROUNDED_PLACES)
        amount = round_money(unrounded)
        parts.append(
            Figure(
                amount=amount,
                rule=rule,
                profile=label,
                **explained(
                    Text(
                        N_(
                            "Interest from %(first)s to %(last)s on %(base)s at %(rate)s "
                            "(%(rate_text)s): %(base_amount)s x %(rate)s x %(days)s/%(year)s days "
                            "(%(day_count)s) = %(unrounded)s, rounded %(amount)s"
                        ),
                        first=first,
                        last=last,
                        base=Money(base, currency),
                        rate=Percent(rate),
                        rate_text=rate_text,
                        base_amount=Money(base),
                        days=days,
                        year=year,
                        day_count=day_count_text,
                        unrounded=unrounded,
                        amount=Money(amount, currency),
                    ),
                    rule=rule,
                    profile=label,
                ),
                base=base,
                dates=(first, last),
                unrounded=unrounded,
            )
        )

    total_unrounded = sum((part.unrounded or ZERO for part in parts), ZERO)
    total = round_money(total_unrounded)
    sums = " + ".join(str(part.unrounded) for part in parts) + " = " if 1 < len(parts) <= 6 else ""
    bases = {part.base for part in parts}
    return Figure(
        amount=total,
        rule=rule,
        profile=label,
        **explained(
            Text(
                N_(
                    "Simple interest on the principal only from %(start)s to %(end)s (both days "
                    "included) for a consumer debtor on a claim due %(due)s, in %(periods)s "
                    "period(s) split at every 1 January/1 July and principal change, day count "
                    "%(day_count)s: %(sums)s%(total_unrounded)s, rounded once to %(total)s"
                )
                if consumer
                else N_(
                    "Simple interest on the principal only from %(start)s to %(end)s (both days "
                    "included) for a business debtor on a claim due %(due)s, in %(periods)s "
                    "period(s) split at every 1 January/1 July and principal change, day count "
                    "%(day_count)s: %(sums)s%(total_unrounded)s, rounded once to %(total)s"
                ),
                start=start,
                end=end,
                due=due_date,
                periods=len(parts),
                day_count=day_count_text,
                sums=sums,
                total_unrounded=total_unrounded,
                total=Money(total, currency),
            ),
            rule=rule,
            profile=label,
        ),
        base=bases.pop() if len(bases) == 1 else None,
        dates=(start, end),
        parts=tuple(parts),
        unrounded=total_unrounded,
    )


def _rate(
    profile: JurisdictionProfile,
    rates: RateTable,
    first: date,
    margin: Decimal,
    margin_text: Text,
    agreed_rate: Decimal | None,
    consumer: bool,
) -> tuple[Decimal, Text]:
    """The annual rate in percent for the period starting ``first``, and how it was found."""
    if agreed_rate is not None and not consumer:
        return agreed_rate, Text(N_("the rate agreed with a business debtor"))
    entry = rates.rate_on(first)
    statutory = entry.reference_rate + margin
    statutory_text = Text(
        N_("%(reference)s %(rate)s for %(half_year)s %(margin)s")
        if entry.verified
        else N_("%(reference)s %(rate)s for %(half_year)s, unverified, %(margin)s"),
        reference=Text(profile.interest_reference_name),
        rate=Percent(entry.reference_rate),
        half_year=half_year_name(entry.valid_from),
        margin=margin_text,
    )
    if agreed_rate is None:
        return statutory, statutory_text
    if agreed_rate > statutory:
        return statutory, Text(
            N_(
                "the agreed %(agreed)s is above the statutory rate, which is a ceiling for a "
                "consumer: %(statutory)s"
            ),
            agreed=Percent(agreed_rate),
            statutory=statutory_text,
        )
    return agreed_rate, Text(
        N_("the agreed rate, not above the statutory %(rate)s (%(statutory)s)"),
        rate=Percent(statutory),
        statutory=statutory_text,
    )
