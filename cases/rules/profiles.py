"""The jurisdiction profiles as data, and the registry that picks the version valid on a day.

Every number comes from the statute or executive order it cites. Denmark is complete. Sweden
and Norway are shapes: filled as far as the numbers have been checked, every missing parameter
is ``None`` and listed in ``unverified``, and calculations that need one raise
``IncompleteProfile``.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_noop as N_

from .profile import Band, CreditBureauRule, JurisdictionProfile


class UnknownProfile(LookupError):
    """No profile for this country code, or none in force yet on the day asked about."""


def _bands(*rows: tuple[int, int]) -> tuple[Band, ...]:
    return tuple((Decimal(upper), Decimal(cap)) for upper, cap in rows)


def _shape(profile: JurisdictionProfile, *also: str) -> JurisdictionProfile:
    """Mark every missing parameter of a partial profile unverified, with ``also``."""
    return dataclasses.replace(
        profile, unverified=profile.unverified | profile.missing | frozenset(also)
    )


# Denmark. The numbers were checked as in force from 2024-01-01; earlier days raise
# UnknownProfile rather than assume nothing changed. Historic rules still in force are data
# here too (the 7-point margin for claims due before 2013-03-01).
DK_2024 = JurisdictionProfile(
    code="DK",
    version="2024-01-01",
    valid_from=date(2024, 1, 1),
    currency="DKK",
    reminder_fee_max=Decimal(100),
    reminder_fee_count_max=3,
    reminder_min_spacing_days=10,
    reminder_first_fee_after_due_days=0,
    reminder_fee_after_dispute=False,
    warning_deadline_days=10,
    handover_fee_max=Decimal(100),
    b2b_compensation=Decimal(310),
    b2b_compensation_mode="on_top",
    b2b_compensation_since=date(2013, 3, 1),
    interest_reference_name=N_("Nationalbanken's lending rate"),
    interest_margin_points=Decimal(8),
    interest_margin_points_legacy=Decimal(7),
    interest_legacy_due_before=date(2013, 3, 1),
    interest_day_count="30/360",
    interest_after_demand_days=30,
    cost_cap_bands_agency=_bands(
        (1_000, 400),
        (2_500, 700),
        (5_000, 1_000),
        (10_000, 1_300),
        (25_000, 1_700),
        (50_000, 2_250),
        (100_000, 2_850),
        (250_000, 3_850),
        (500_000, 6_400),
    ),
    cost_cap_bands_own=_bands(
        (1_000, 300),
        (2_500, 500),
        (5_000, 650),
        (10_000, 850),
        (25_000, 1_150),
        (50_000, 1_400),
        (100_000, 1_850),
        (250_000, 2_550),
        (500_000, 4_250),
    ),
    cost_cap_above_base_agency=Decimal(6_400),
    cost_cap_above_pct_agency=Decimal(1),
    cost_cap_above_base_own=Decimal(4_250),
    cost_cap_above_pct_own=Decimal("0.67"),
    limitation_years_ordinary=3,
    limitation_years_acknowledged=10,
    limitation_warning_months=30,
    reminder_interrupts_limitation=False,
    summary_procedure_limit=Decimal(100_000),
    court_fee_summary=Decimal(750),
    court_fee_enforcement=Decimal(750),
    bookkeeping_retention_years=5,
    credit_bureau_data_max_years=5,
    allocation_order=("costs", "interest", "principal"),
    citations=(
        ("reminder_fee", "renteloven § 9 b"),
        ("warning", "inkassoloven § 10"),
        ("handover_fee", "renteloven § 9 b stk. 3"),
        ("b2b_compensation", "renteloven § 9 a stk. 3"),
        ("interest_start", "renteloven § 3"),
        ("interest_rate", "renteloven § 5"),
        ("collection_costs", "BEK 601/2002"),
        ("limitation", "forældelsesloven § 3"),
        ("limitation_ten_years", "forældelsesloven § 5"),
        ("limitation_acknowledgement", "forældelsesloven § 15"),
        ("limitation_legal_step", "forældelsesloven § 16"),
        ("limitation_new_period", "forældelsesloven § 19"),
        ("credit_bureau", "databeskyttelsesloven § 20"),
    ),
    # Bureau practice (unverified): a claim above 200 DKK, below 1,000 DKK to a closed
    # register; the warning letter 10 days before (databeskyttelsesloven § 20). The deletion
    # deadline is no statute's: 5 days is this project's choice, unverified until checked with
    # the bureaus.
    credit_bureaus=(
        CreditBureauRule("rki", "Experian RKI", Decimal(200), Decimal(1_000)),
        CreditBureauRule("debitor_registret", "Debitor Registret", Decimal(200), Decimal(1_000)),
    ),
    credit_bureau_warning_days=10,
    credit_bureau_deregistration_days=5,
    unverified=frozenset(
        {
            "interest_day_count",
            "credit_bureaus",
            "credit_bureau_warning_days",
            "credit_bureau_deregistration_days",
        }
    ),
)

# Denmark before 2024, back to 2013-01-01, so an old claim handed over today can be computed
# (its interest from the due date, the creditor's warning of years ago). The rules of reminder
# and handover fees (renteloven § 9 b), the warning (inkassoloven § 10), limitation and the
# interest margins (8 points, 7 for claims due before 2013-03-01) are the same; the B2B
# compensation applies to claims due from 2013-03-01 (``b2b_compensation_since``). The cost
# caps above are BEK 601/2002 as amended for claims from 1 July 2016: before that another
# table applied, which has not been checked, so the 2013 version has none and refuses to
# size collection costs rather than guess (IncompleteProfile, shown as unverified).
_COST_CAP_FIELDS = (
    "cost_cap_bands_agency",
    "cost_cap_bands_own",
    "cost_cap_above_base_agency",
    "cost_cap_above_pct_agency",
    "cost_cap_above_base_own",
    "cost_cap_above_pct_own",
)
DK_2016_07 = dataclasses.replace(
    DK_2024,
    version="2016-07-01",
    valid_from=date(2016, 7, 1),
    notes=("The numbers of the 2024 version; checked as in force from 2024-01-01 only.",),
)
DK_2013 = dataclasses.replace(
    DK_2024,
    version="2013-01-01",
    valid_from=date(2013, 1, 1),
    **dict.fromkeys(_COST_CAP_FIELDS),  # type: ignore[arg-type]
    unverified=DK_2024.unverified | frozenset(_COST_CAP_FIELDS),
    notes=(
        "Collection-cost caps before 1 July 2016 (the earlier BEK 601/2002 table) are not "
        "checked: collection costs of a handover before that day are not computed.",
    ),
)

# Sweden: a shape. The dates of these numbers and the statutes' sections are not checked yet.
SE_2024 = _shape(
    JurisdictionProfile(
        code="SE",
        version="2024-01-01",
        valid_from=date(2024, 1, 1),
        currency="SEK",
        reminder_fee_max=Decimal(60),
        reminder_fee_count_max=None,
        reminder_min_spacing_days=None,
        reminder_first_fee_after_due_days=0,
        reminder_fee_after_dispute=None,
        warning_deadline_days=8,
        handover_fee_max=Decimal(180),
        b2b_compensation=Decimal(450),
        b2b_compensation_mode="replaces",
        b2b_compensation_since=None,
        interest_reference_name=N_("the Riksbank's reference rate"),
        interest_margin_points=Decimal(8),
        interest_margin_points_legacy=None,
        interest_legacy_due_before=None,
        interest_day_count=None,
        interest_after_demand_days=None,
        cost_cap_bands_agency=None,
        cost_cap_bands_own=None,
        cost_cap_above_base_agency=None,
        cost_cap_above_pct_agency=None,
        cost_cap_above_base_own=None,
        cost_cap_above_pct_own=None,
        limitation_years_ordinary=10,
        limitation_years_acknowledged=10,
        limitation_warning_months=114,  # 6 months before 10 years, as DK's 2y6m of 3 years
        reminder_interrupts_limitation=True,
        summary_procedure_limit=None,  # no limit for a betalningsföreläggande
        court_fee_summary=Decimal(300),
        court_fee_enforcement=Decimal(600),
        bookkeeping_retention_years=7,
        credit_bureau_data_max_years=None,
        allocation_order=None,
        citations=(
            ("reminder_fee", "SE påminnelseavgift"),
            ("warning", "SE inkassokrav"),
            ("handover_fee", "SE inkassoavgift"),
            ("b2b_compensation", "SE förseningsersättning"),
            ("interest_start", "SE dröjsmålsränta"),
            ("interest_rate", "SE dröjsmålsränta"),
            ("limitation", "SE preskription"),
            ("limitation_ten_years", "SE preskription"),
            ("limitation_acknowledgement", "SE preskription, avbrott"),
            ("limitation_legal_step", "SE preskription, avbrott"),
            ("limitation_reminder", "SE preskription, avbrott genom påminnelse"),
            ("limitation_new_period", "SE preskription, ny frist"),
        ),
        reminder_fee_requires_agreement=True,
        notes=(
            "The reminder fee may only be charged if it was agreed when the debt arose.",
            "An instalment plan fee of at most 170 SEK is not a parameter yet.",
            "Limitation is 3 years for a business's claim on a consumer; not modelled yet.",
            "Betalningsföreläggande has no amount limit; 380 SEK of the fees is claimable.",
            "Förseningsersättning replaces the reminder, collection and plan fees up to 450 SEK.",
        ),
    ),
    "valid_from",
    "citations",
    "limitation_warning_months",
)

# Norway: a shape, dated because the B2B compensation changes on 2026-07-01 and a new
# inkassolov (LOV-2026-05-22-19) is signalled for 2027-01-01 (add a version when it is known).
NO_2026 = _shape(
    JurisdictionProfile(
        code="NO",
        version="2026-01-01",
        valid_from=date(2026, 1, 1),
        currency="NOK",
        reminder_fee_max=Decimal(38),  # 1/20 of the inkassosats of 750 NOK
        reminder_fee_count_max=2,
        reminder_min_spacing_days=14,
        reminder_first_fee_after_due_days=14,
        reminder_fee_after_dispute=None,
        warning_deadline_days=14,
        handover_fee_max=Decimal(113),
        b2b_compensation=Decimal(460),
        b2b_compensation_mode="offsets",
        b2b_compensation_since=None,
        interest_reference_name=N_("Norges Bank's policy rate"),
        interest_margin_points=Decimal(8),
        interest_margin_points_legacy=None,
        interest_legacy_due_before=None,
        interest_day_count=None,
        interest_after_demand_days=None,
        cost_cap_bands_agency=None,
        cost_cap_bands_own=None,
        cost_cap_above_base_agency=None,
        cost_cap_above_pct_agency=None,
        cost_cap_above_base_own=None,
        cost_cap_above_pct_own=None,
        limitation_years_ordinary=3,
        limitation_years_acknowledged=10,
        limitation_warning_months=30,
        reminder_interrupts_limitation=False,
        summary_procedure_limit=None,  # forliksråd (tvisteloven): no amount checked
        court_fee_summary=None,
        court_fee_enforcement=None,
        bookkeeping_retention_years=5,
        credit_bureau_data_max_years=None,
        allocation_order=None,
        citations=(
            ("reminder_fee", "NO purregebyr"),
            ("warning", "NO inkassovarsel"),
            ("handover_fee", "NO inkassosalær"),
            ("b2b_compensation", "NO standardkompensasjon"),
            ("interest_start", "NO forsinkelsesrente"),
            ("interest_rate", "NO forsinkelsesrente"),
            ("limitation", "NO foreldelse"),
            ("limitation_ten_years", "NO foreldelse, gjeldsbrev eller dom"),
            ("limitation_acknowledgement", "NO foreldelse, avbrudd"),
            ("limitation_legal_step", "NO foreldelse, avbrudd"),
            ("limitation_new_period", "NO foreldelse, ny frist"),
        ),
        notes=(
            "The reminder fee is 1/20 of the inkassosats (750 NOK in 2026).",
            "Collection costs are multiples of the inkassosats; not parameters yet.",
            "The B2B compensation offsets collection fees.",
        ),
    ),
    "citations",
    "limitation_warning_months",
)
NO_2026_07 = dataclasses.replace(
    NO_2026, version="2026-07-01", valid_from=date(2026, 7, 1), b2b_compensation=Decimal(430)
)

PROFILES: dict[str, tuple[JurisdictionProfile, ...]] = {
    "DK": (DK_2013, DK_2016_07, DK_2024),
    "SE": (SE_2024,),
    "NO": (NO_2026, NO_2026_07),
}

# Nationalbanken's lending rate by half-year: the morarente (renteloven § 5) minus the 8 points.
# (valid_from, reference rate in percent, verified at the source). The rates before 2023 are
# Nationalbanken's lending rate as the project recorded it (0.20 % until the cut of January
# 2015, 0.05 % from then, -0.35 % from the change of March 2021 until the rises from July
# 2022), not checked against the source here: unverified, for staff to confirm in the admin.
DEFAULT_DK_RATES: tuple[tuple[date, Decimal, bool], ...] = (
    (date(2013, 1, 1), Decimal("0.20"), False),  # morarente 8.20 (7.20 due before 1 March)
    (date(2013, 7, 1), Decimal("0.20"), False),
    (date(2014, 1, 1), Decimal("0.20"), False),
    (date(2014, 7, 1), Decimal("0.20"), False),
    (date(2015, 1, 1), Decimal("0.20"), False),  # the cut to 0.05 came on 20 January 2015
    (date(2015, 7, 1), Decimal("0.05"), False),  # morarente 8.05
    (date(2016, 1, 1), Decimal("0.05"), False),
    (date(2016, 7, 1), Decimal("0.05"), False),
    (date(2017, 1, 1), Decimal("0.05"), False),
    (date(2017, 7, 1), Decimal("0.05"), False),
    (date(2018, 1, 1), Decimal("0.05"), False),
    (date(2018, 7, 1), Decimal("0.05"), False),
    (date(2019, 1, 1), Decimal("0.05"), False),
    (date(2019, 7, 1), Decimal("0.05"), False),
    (date(2020, 1, 1), Decimal("0.05"), False),
    (date(2020, 7, 1), Decimal("0.05"), False),
    (date(2021, 1, 1), Decimal("0.05"), False),
    (date(2021, 7, 1), Decimal("-0.35"), False),  # morarente 7.65
    (date(2022, 1, 1), Decimal("-0.35"), False),
    (date(2022, 7, 1), Decimal("-0.35"), False),
    (date(2023, 1, 1), Decimal("1.90"), True),  # morarente 9.90
    (date(2023, 7, 1), Decimal("3.25"), True),  # morarente 11.25
    (date(2024, 1, 1), Decimal("3.75"), True),  # morarente 11.75
    (date(2024, 7, 1), Decimal("3.50"), False),  # morarente 11.50, unverified
    (date(2025, 1, 1), Decimal("2.75"), False),  # morarente 10.75, unverified
    (date(2025, 7, 1), Decimal("1.75"), False),  # morarente 9.75, unverified
    (date(2026, 1, 1), Decimal("1.75"), False),  # morarente 9.75, unverified
)


def get_profile(code: str, on: date) -> JurisdictionProfile:
    """The version of country ``code``'s profile in force on ``on`` (the latest ``valid_from``
    on or before it). :class:`UnknownProfile` for an unknown code or a day before the first.
    """
    versions = PROFILES.get(code.upper())
    if versions is None:
        raise UnknownProfile(f"No jurisdiction profile for {code!r}.")
    in_force = [p for p in versions if p.valid_from <= on]
    if not in_force:
        raise UnknownProfile(
            f"No {code.upper()} profile in force on {on.isoformat()}: the first version is "
            f"valid from {versions[0].valid_from.isoformat()}."
        )
    return max(in_force, key=lambda p: p.valid_from)
