"""Limitation (forældelse), DK: forældelsesloven §§ 3, 5, 15, 16 and 19.

``limitation_date`` is the *last day* of the limitation period: a payment, acknowledgement
or legal step on that day still interrupts it, and the claim is time-barred from the day
after. Periods are counted in calendar years with ``relativedelta`` (29 February plus 3 years
is 28 February).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from .explain import ZERO, Figure, sentence
from .profile import JurisdictionProfile

EVENT_KINDS: frozenset[str] = frozenset({"payment", "acknowledgement", "legal_step", "reminder"})
_TEN_YEAR_BASIS = "ten_year_basis"
_CITATION = {
    "payment": "limitation_acknowledgement",
    "acknowledgement": "limitation_acknowledgement",
    "legal_step": "limitation_legal_step",
    "reminder": "limitation_reminder",
}
_NAME = {
    "payment": "payment (an acknowledgement)",
    "acknowledgement": "acknowledgement",
    "legal_step": "legal step",
    "reminder": "reminder",
    _TEN_YEAR_BASIS: "settlement or judgment",
}


def limitation_date(
    profile: JurisdictionProfile,
    *,
    claim_due: date,
    events: Sequence[tuple[date, str]] = (),
    ten_year_basis: date | None = None,
) -> Figure:
    """The last day of the limitation period, as a figure with amount 0 and ``dates=(day,)``.

    - § 3: ``limitation_years_ordinary`` (3) years from when payment could first be demanded
      (``claim_due``).
    - § 15 and § 16: an acknowledgement (a payment included) or a legal step interrupts; § 19:
      a new period of the same length then runs from that day. A reminder interrupts only
      where the profile says so (not in DK).
    - § 5: a signed settlement or acknowledgement, a judgment or an endorsed betalingspåkrav
      (``ten_year_basis``) gives ``limitation_years_acknowledged`` (10) years from its date.
      Interest and fees falling due later keep their own 3 years (a separate call).
    - An event after the period has run out does not revive the claim: it stays time-barred.
    - A new period never shortens a running one (the later end wins).

    Each counted or ignored event is a part (amount 0) with its own sentence.
    """
    label = profile.label
    ordinary = profile.limitation_years_ordinary
    rule = profile.cite("limitation")
    for _, kind in events:
        if kind not in EVENT_KINDS:
            raise ValueError(f"Unknown limitation event {kind!r}: one of {sorted(EVENT_KINDS)}.")

    years = ordinary
    end = claim_due + relativedelta(years=ordinary)
    rules_used = [rule]
    steps = [
        f"the claim was due on {claim_due.isoformat()}, so {ordinary} years run to "
        f"{end.isoformat()}"
    ]
    parts: list[Figure] = []

    timeline = sorted(
        [*events, *([(ten_year_basis, _TEN_YEAR_BASIS)] if ten_year_basis else [])],
        key=lambda event: event[0],
    )
    for day, kind in timeline:
        if kind == "reminder" and not profile.reminder_interrupts_limitation:
            step_rule = rule
            text = f"the reminder on {day.isoformat()} does not interrupt limitation"
        elif day > end:
            step_rule = rule
            text = (
                f"the {_NAME[kind]} on {day.isoformat()} came after the period ended "
                f"on {end.isoformat()} and does not revive the time-barred claim"
            )
        else:
            if kind == _TEN_YEAR_BASIS:
                step_rule = profile.cite("limitation_ten_years")
                years = profile.limitation_years_acknowledged
                text = f"the settlement or judgment on {day.isoformat()} gives {years} years"
            else:
                step_rule = (
                    f"{profile.cite(_CITATION[kind])}, {profile.cite('limitation_new_period')}"
                )
                text = (
                    f"the {_NAME[kind]} on {day.isoformat()} interrupts limitation "
                    f"and a new period of {years} years runs"
                )
            new_end = day + relativedelta(years=years)
            if new_end > end:
                end = new_end
                text += f", to {end.isoformat()}"
            else:
                text += f", ending {new_end.isoformat()}, not later than {end.isoformat()}"
            rules_used.append(step_rule)
        steps.append(text)
        parts.append(
            Figure(
                amount=ZERO,
                rule=step_rule,
                profile=label,
                explanation=sentence(text[0].upper() + text[1:], rule=step_rule, profile=label),
                dates=(day,),
            )
        )

    all_rules = "; ".join(dict.fromkeys(rules_used))
    return Figure(
        amount=ZERO,
        rule=all_rules,
        profile=label,
        explanation=sentence(
            f"The limitation period ends on {end.isoformat()} (time-barred from "
            f"{(end + timedelta(days=1)).isoformat()}): " + "; ".join(steps),
            rule=all_rules,
            profile=label,
        ),
        dates=(end,),
        parts=tuple(parts),
    )


@dataclass(frozen=True)
class ComponentLimitation:
    """The limitation of one part of a claim: ``component`` is ``"claim"`` (the principal with
    the interest and fees that fell due with or before it) or ``"later_charges"`` (interest
    and fees falling due after a settlement or judgment)."""

    component: str
    figure: Figure
    since: date | None = None  # for later charges: the first day they could fall due

    @property
    def last_day(self) -> date:
        return self.figure.dates[0]

    @property
    def time_barred_from(self) -> date:
        return self.last_day + timedelta(days=1)


def component_limitations(
    profile: JurisdictionProfile,
    *,
    claim_due: date,
    events: Sequence[tuple[date, str]] = (),
    ten_year_basis: date | None = None,
) -> list[ComponentLimitation]:
    """The limitation of each component of a claim (DK: forældelsesloven §§ 3, 5 and 26).

    Without a settlement or judgment the claim and everything on it share one date: interest
    and fees are time-barred with the claim at the latest (§ 26). A settlement or judgment
    gives the claim, with the interest and fees it covered, ``limitation_years_acknowledged``
    (10) years (§ 5); interest and fees falling due after it keep the ordinary period (3 years,
    § 5 stk. 2), counted from the day after it and interrupted as the claim is, and never
    outlive the claim (§ 26).
    """
    claim = limitation_date(
        profile, claim_due=claim_due, events=events, ten_year_basis=ten_year_basis
    )
    parts = [ComponentLimitation("claim", claim)]
    if ten_year_basis is None or ten_year_basis > claim.dates[0]:
        return parts
    since = ten_year_basis + timedelta(days=1)
    later = limitation_date(
        profile, claim_due=since, events=[(d, k) for d, k in events if d >= since]
    )
    if later.dates[0] > claim.dates[0]:  # § 26: never later than the claim itself
        later = claim
    rule = profile.cite("limitation_ten_years")
    text = (
        f"Interest and fees falling due after the settlement or judgment of "
        f"{ten_year_basis.isoformat()} keep the ordinary {profile.limitation_years_ordinary} "
        f"years: {later.explanation}"
    )
    parts.append(
        ComponentLimitation(
            "later_charges",
            Figure(
                amount=ZERO,
                rule=f"{rule}; {later.rule}",
                profile=profile.label,
                explanation=text,
                dates=later.dates,
                parts=later.parts,
            ),
            since=since,
        )
    )
    return parts


def limitation_warning_date(profile: JurisdictionProfile, limitation_date: date) -> date:
    """The day to warn that a claim is running out of time: ``limitation_years_ordinary`` x 12
    minus ``limitation_warning_months`` months before the last day (DK: 6 months before, i.e.
    at 2 years 6 months of a 3-year period)."""
    warn_at = profile.need(profile.limitation_warning_months, "limitation_warning_months")
    return limitation_date - relativedelta(months=profile.limitation_years_ordinary * 12 - warn_at)


def is_time_barred(profile: JurisdictionProfile, limitation_date: date, on: date) -> bool:
    """Whether the claim is time-barred on ``on``: after the last day of the period
    (forældelsesloven § 3 in DK). ``profile`` is taken for rules that may differ by country.
    """
    del profile  # DK, SE and NO all count the last day as still within the period
    return on > limitation_date
