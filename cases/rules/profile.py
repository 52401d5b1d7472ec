"""The jurisdiction profile: every amount, rate, deadline and table of one country, as data.

A profile is dated and versioned (``DK@2024-01-01``). Code asks the profile and never repeats a
number (STYLE.md, "Rules as data"). A creditor's policy may tighten a profile but never loosen
it past the law.

A field set to ``None`` means the source (/work/shared/RULES.md) gives no number for that
country yet; the engine raises :class:`IncompleteProfile` when it needs one, instead of
guessing. Fields listed in ``unverified`` must be shown as unverified in the admin.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar

DayCount = Literal["30/360", "act/365"]
CompensationMode = Literal["on_top", "replaces", "offsets"]
Band = tuple[Decimal, Decimal]  # (claim up to and including, cap excl. VAT)

DAY_COUNTS: frozenset[str] = frozenset({"30/360", "act/365"})
COMPENSATION_MODES: frozenset[str] = frozenset({"on_top", "replaces", "offsets"})
ALLOCATION_COMPONENTS: frozenset[str] = frozenset({"costs", "interest", "principal"})

T = TypeVar("T")


@dataclass(frozen=True)
class CreditBureauRule:
    """One credit bureau (DK: Experian RKI, Debitor Registret) and its practice, as data.

    A claim must be above ``min_amount`` to be registered at all; below ``open_register_from``
    it goes to the bureau's closed register only (seen by fewer lenders).
    """

    code: str
    name: str
    min_amount: Decimal
    open_register_from: Decimal


class IncompleteProfile(LookupError):
    """The profile has no value for a parameter the calculation needs (RULES.md gives none)."""

    def __init__(self, profile: JurisdictionProfile, field: str) -> None:
        self.profile_label = profile.label
        self.field = field
        super().__init__(
            f"{profile.label} has no value for {field!r}: the rules give none for it yet, "
            "so this calculation is refused rather than guessed."
        )


@dataclass(frozen=True)
class JurisdictionProfile:
    """One dated version of one country's collection rules, every number as data.

    Money is in ``currency``; rates and margins are percentage points; periods are days,
    months or years as their names say. ``citations`` maps a topic (``"reminder_fee"``,
    ``"interest_rate"``...) to the provision quoted in explanations.
    """

    code: str
    version: str
    valid_from: date
    currency: str
    # Reminders (DK: renteloven § 9 b).
    reminder_fee_max: Decimal
    reminder_fee_count_max: int | None
    reminder_min_spacing_days: int | None
    reminder_first_fee_after_due_days: int
    reminder_fee_after_dispute: bool | None  # fee on the 2nd/3rd reminder of a disputed claim
    # Collection warning (DK: inkassoloven § 10) and handover fee (renteloven § 9 b stk. 3).
    warning_deadline_days: int
    handover_fee_max: Decimal
    # B2B compensation (DK: renteloven § 9 a stk. 3).
    b2b_compensation: Decimal
    b2b_compensation_mode: CompensationMode
    b2b_compensation_since: date | None  # claims due before this date get none
    # Interest (DK: renteloven §§ 3 and 5).
    interest_reference_name: str
    interest_margin_points: Decimal
    interest_margin_points_legacy: Decimal | None
    interest_legacy_due_before: date | None  # None: no legacy margin in this profile
    interest_day_count: DayCount | None
    interest_after_demand_days: int | None
    # Collection costs (DK: BEK 601/2002), caps excl. VAT by claim size, "up to and including".
    cost_cap_bands_agency: tuple[Band, ...] | None
    cost_cap_bands_own: tuple[Band, ...] | None
    cost_cap_above_base_agency: Decimal | None
    cost_cap_above_pct_agency: Decimal | None
    cost_cap_above_base_own: Decimal | None
    cost_cap_above_pct_own: Decimal | None
    # Limitation (DK: forældelsesloven).
    limitation_years_ordinary: int
    limitation_years_acknowledged: int
    limitation_warning_months: int | None  # warn this many months into the ordinary period
    reminder_interrupts_limitation: bool
    # Legal track, retention, credit bureaus, payment allocation.
    summary_procedure_limit: Decimal | None
    court_fee_summary: Decimal | None
    court_fee_enforcement: Decimal | None
    bookkeeping_retention_years: int
    credit_bureau_data_max_years: int | None
    allocation_order: tuple[str, ...] | None
    # Bookkeeping of the profile itself.
    citations: tuple[tuple[str, str], ...] = ()
    unverified: frozenset[str] = frozenset()
    reminder_fee_requires_agreement: bool = False
    notes: tuple[str, ...] = ()
    # Credit-bureau registration (DK: databeskyttelsesloven § 20 and bureau practice): the
    # bureaus and their minimum amounts, the days between the warning letter and the earliest
    # registration, and the days within which a registration must be deleted once its ground
    # has gone (payment in full, a dispute, withdrawal, the data's age).
    credit_bureaus: tuple[CreditBureauRule, ...] | None = None
    credit_bureau_warning_days: int | None = None
    credit_bureau_deregistration_days: int | None = None

    def __post_init__(self) -> None:
        names = {f.name for f in dataclasses.fields(self)}
        if unknown := self.unverified - names:
            raise ValueError(f"{self.label}: unverified names unknown parameters {sorted(unknown)}")
        if self.interest_day_count is not None and self.interest_day_count not in DAY_COUNTS:
            raise ValueError(f"{self.label}: unknown day count {self.interest_day_count!r}")
        if self.b2b_compensation_mode not in COMPENSATION_MODES:
            raise ValueError(f"{self.label}: unknown compensation mode")
        if self.allocation_order is not None and (
            set(self.allocation_order) != ALLOCATION_COMPONENTS
            or len(self.allocation_order) != len(ALLOCATION_COMPONENTS)
        ):
            raise ValueError(f"{self.label}: allocation order must name each component once")
        for bands in (self.cost_cap_bands_agency, self.cost_cap_bands_own):
            if bands is None:
                continue
            uppers = [upper for upper, _ in bands]
            caps = [cap for _, cap in bands]
            if uppers != sorted(set(uppers)) or caps != sorted(caps):
                raise ValueError(f"{self.label}: cost cap bands must rise with the claim size")

    @property
    def label(self) -> str:
        """``DK@2024-01-01``: the code and version quoted in every explanation."""
        return f"{self.code}@{self.version}"

    @property
    def missing(self) -> frozenset[str]:
        """The parameters this profile has no value for."""
        return frozenset(f.name for f in dataclasses.fields(self) if getattr(self, f.name) is None)

    def cite(self, topic: str) -> str:
        """The provision quoted for ``topic``, e.g. ``cite("reminder_fee")``."""
        for key, citation in self.citations:
            if key == topic:
                return citation
        raise IncompleteProfile(self, f"citations[{topic!r}]")

    def credit_bureau(self, code: str) -> CreditBureauRule:
        """The bureau ``code`` of this profile; ``IncompleteProfile`` when it has none."""
        for bureau in self.need(self.credit_bureaus, "credit_bureaus"):
            if bureau.code == code:
                return bureau
        raise IncompleteProfile(self, f"credit_bureaus[{code!r}]")

    def need(self, value: T | None, field: str) -> T:
        """``value`` (a field of this profile) or :class:`IncompleteProfile` when it is None."""
        if value is None:
            raise IncompleteProfile(self, field)
        return value
