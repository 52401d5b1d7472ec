"""The jurisdiction profiles as data, the registry of versions, and the reference rate table."""

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest

from cases.rules import (
    DEFAULT_DK_RATES,
    PROFILES,
    IncompleteProfile,
    MissingRate,
    RateTable,
    UnknownProfile,
    boundaries_between,
    collection_cost_cap,
    get_profile,
)

DK = get_profile("DK", date(2025, 1, 1))


# The registry


def test_the_danish_profile_in_force_in_2025_is_the_2024_version():
    assert DK.code == "DK"
    assert DK.version == "2024-01-01"
    assert DK.label == "DK@2024-01-01"


def test_a_country_code_is_found_in_any_case():
    assert get_profile("dk", date(2025, 1, 1)) is DK


def test_an_unknown_country_is_refused():
    with pytest.raises(UnknownProfile, match="FI"):
        get_profile("FI", date(2025, 1, 1))


def test_a_day_before_the_first_version_is_refused_rather_than_guessed():
    with pytest.raises(UnknownProfile, match="2013-01-01"):
        get_profile("DK", date(2012, 12, 31))


def test_denmark_reaches_back_to_2013_without_guessing_the_old_cost_caps():
    assert get_profile("DK", date(2013, 1, 1)).label == "DK@2013-01-01"
    assert get_profile("DK", date(2016, 7, 1)).label == "DK@2016-07-01"
    assert get_profile("DK", date(2023, 12, 31)).label == "DK@2016-07-01"
    old = get_profile("DK", date(2016, 6, 30))
    assert old.cost_cap_bands_agency is None
    assert "cost_cap_bands_agency" in old.unverified
    assert old.handover_fee_max == Decimal(100)
    assert old.b2b_compensation_since == date(2013, 3, 1)


def test_unknown_profile_is_a_lookup_error():
    assert issubclass(UnknownProfile, LookupError)


def test_norway_lowers_the_compensation_on_1_july_2026():
    assert get_profile("NO", date(2026, 6, 30)).b2b_compensation == Decimal(460)
    assert get_profile("NO", date(2026, 7, 1)).b2b_compensation == Decimal(430)
    assert get_profile("NO", date(2026, 7, 1)).label == "NO@2026-07-01"


# Denmark is complete and holds RULES.md's numbers


def test_the_danish_profile_has_every_parameter():
    assert DK.missing == frozenset()


def test_the_danish_profile_holds_the_numbers_of_the_rules():
    assert DK.currency == "DKK"
    assert (DK.reminder_fee_max, DK.reminder_fee_count_max) == (Decimal(100), 3)
    assert DK.reminder_min_spacing_days == 10
    assert DK.reminder_first_fee_after_due_days == 0
    assert DK.reminder_fee_after_dispute is False
    assert DK.warning_deadline_days == 10
    assert DK.handover_fee_max == Decimal(100)
    assert (DK.b2b_compensation, DK.b2b_compensation_mode) == (Decimal(310), "on_top")
    assert DK.b2b_compensation_since == date(2013, 3, 1)
    assert (DK.interest_margin_points, DK.interest_margin_points_legacy) == (8, 7)
    assert DK.interest_legacy_due_before == date(2013, 3, 1)
    assert DK.interest_day_count == "30/360"
    assert DK.interest_after_demand_days == 30
    assert (DK.limitation_years_ordinary, DK.limitation_years_acknowledged) == (3, 10)
    assert DK.limitation_warning_months == 30
    assert DK.reminder_interrupts_limitation is False
    assert DK.summary_procedure_limit == Decimal(100_000)
    assert DK.court_fee_summary == DK.court_fee_enforcement == Decimal(750)
    assert DK.bookkeeping_retention_years == DK.credit_bureau_data_max_years == 5
    assert DK.allocation_order == ("costs", "interest", "principal")


def test_the_danish_cost_cap_table_is_the_one_in_bek_601_2002():
    uppers = [1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000]
    agency = [400, 700, 1_000, 1_300, 1_700, 2_250, 2_850, 3_850, 6_400]
    own = [300, 500, 650, 850, 1_150, 1_400, 1_850, 2_550, 4_250]
    assert DK.cost_cap_bands_agency == tuple(zip(uppers, agency, strict=True))
    assert DK.cost_cap_bands_own == tuple(zip(uppers, own, strict=True))
    assert (DK.cost_cap_above_base_agency, DK.cost_cap_above_pct_agency) == (6_400, 1)
    assert (DK.cost_cap_above_base_own, DK.cost_cap_above_pct_own) == (
        4_250,
        Decimal("0.67"),
    )


def test_the_danish_day_count_is_marked_unverified():
    # With the credit bureaus' practice (RULES.md marks it unverified) and the deletion deadline.
    assert DK.unverified == frozenset(
        {
            "interest_day_count",
            "credit_bureaus",
            "credit_bureau_warning_days",
            "credit_bureau_deregistration_days",
        }
    )


def test_every_danish_explanation_topic_has_a_citation():
    topics = [
        "reminder_fee",
        "warning",
        "handover_fee",
        "b2b_compensation",
        "interest_start",
        "interest_rate",
        "collection_costs",
        "limitation",
        "limitation_ten_years",
        "limitation_acknowledgement",
        "limitation_legal_step",
        "limitation_new_period",
    ]
    assert DK.cite("reminder_fee") == "renteloven § 9 b"
    assert DK.cite("b2b_compensation") == "renteloven § 9 a stk. 3"
    assert all(DK.cite(topic) for topic in topics)


def test_danish_citations_quote_the_provision_only():
    """Citations are printed in the letters of every language: the statute's own name and
    section, no prose in one language (once, "claims from 1 July 2016" stood in Danish
    letters)."""
    provision = re.compile(
        r"^(?:[a-zæøå]+loven § \d+(?: [a-z])?(?: stk\. \d+)?"  # renteloven § 9 b stk. 3
        r"|BEK \d+/\d{4})$"  # BEK 601/2002
    )
    for topic, citation in DK.citations:
        assert provision.match(citation), (topic, citation)


def test_a_profile_cannot_name_an_unknown_parameter_unverified():
    with pytest.raises(ValueError, match="unknown parameters"):
        dataclasses.replace(DK, unverified=frozenset({"no_such_thing"}))


def test_a_profile_refuses_an_unknown_day_count():
    with pytest.raises(ValueError, match="day count"):
        dataclasses.replace(DK, interest_day_count="act/360")


# Sweden and Norway are shapes


@pytest.mark.parametrize("code,on", [("SE", date(2025, 1, 1)), ("NO", date(2026, 1, 1))])
def test_every_missing_parameter_of_a_shape_is_marked_unverified(code, on):
    profile = get_profile(code, on)
    assert profile.missing
    assert profile.missing <= profile.unverified


def test_the_swedish_shape_holds_the_numbers_rules_md_gives():
    se = get_profile("SE", date(2025, 1, 1))
    assert (se.currency, se.reminder_fee_max, se.warning_deadline_days) == ("SEK", 60, 8)
    assert (se.handover_fee_max, se.b2b_compensation) == (180, 450)
    assert se.b2b_compensation_mode == "replaces"
    assert se.reminder_fee_requires_agreement is True
    assert se.reminder_interrupts_limitation is True
    assert se.bookkeeping_retention_years == 7


def test_the_norwegian_shape_holds_the_numbers_rules_md_gives():
    no = get_profile("NO", date(2026, 1, 1))
    assert (no.reminder_fee_max, no.reminder_fee_count_max) == (38, 2)
    assert (no.reminder_min_spacing_days, no.reminder_first_fee_after_due_days) == (14, 14)
    assert (no.warning_deadline_days, no.handover_fee_max) == (14, 113)
    assert no.b2b_compensation_mode == "offsets"


def test_an_incomplete_profile_refuses_to_guess():
    se = get_profile("SE", date(2025, 1, 1))
    with pytest.raises(IncompleteProfile, match="cost_cap_bands_agency"):
        collection_cost_cap(se, claim_amount=Decimal(1_000), column="agency", consumer=True)


def test_every_registered_version_is_in_date_order():
    for versions in PROFILES.values():
        starts = [profile.valid_from for profile in versions]
        assert starts == sorted(starts)


# Reference rates


def test_the_default_danish_rates_are_the_morarente_minus_8_points():
    morarente = ["9.90", "11.25", "11.75", "11.50", "10.75", "9.75", "9.75"]
    from_2023 = [rate + 8 for day, rate, _ in DEFAULT_DK_RATES if day >= date(2023, 1, 1)]
    assert from_2023 == [Decimal(m) for m in morarente]


def test_the_danish_rates_reach_back_to_2013_every_half_year_and_unverified():
    days = [day for day, _, _ in DEFAULT_DK_RATES]
    assert days[0] == date(2013, 1, 1)
    assert len(days) == (2026 - 2013) * 2 + 1  # 2013-01-01 .. 2026-01-01, no gap
    assert all(not verified for day, _, verified in DEFAULT_DK_RATES if day < date(2023, 1, 1))


def test_only_the_rates_up_to_2024_h1_are_verified():
    verified = {valid_from: flag for valid_from, _, flag in DEFAULT_DK_RATES}
    assert [day for day, flag in verified.items() if flag] == [
        date(2023, 1, 1),
        date(2023, 7, 1),
        date(2024, 1, 1),
    ]


def test_the_rate_of_a_day_is_the_one_fixed_for_its_half_year():
    table = RateTable(DEFAULT_DK_RATES)
    assert table.rate_on(date(2024, 6, 30)) == (date(2024, 1, 1), Decimal("3.75"), True)
    assert table.rate_on(date(2024, 7, 1)) == (date(2024, 7, 1), Decimal("3.50"), False)


def test_a_half_year_without_a_rate_is_missing_and_named():
    table = RateTable(DEFAULT_DK_RATES)
    with pytest.raises(MissingRate, match="2026-H2") as raised:
        table.rate_on(date(2026, 7, 1))
    assert raised.value.half_year == date(2026, 7, 1)
    assert isinstance(raised.value, LookupError)


def test_a_gap_in_the_table_is_not_filled_with_an_older_rate():
    table = RateTable([(date(2024, 1, 1), Decimal(1), True), (date(2025, 1, 1), Decimal(2), True)])
    with pytest.raises(MissingRate, match="2024-H2"):
        table.rate_on(date(2024, 9, 1))


def test_a_day_before_the_first_rate_is_missing():
    with pytest.raises(MissingRate, match="2012-H2"):
        RateTable(DEFAULT_DK_RATES).rate_on(date(2012, 12, 31))


@pytest.mark.parametrize("day", [date(2024, 2, 1), date(2024, 7, 2), date(2024, 12, 1)])
def test_a_rate_must_start_on_1_january_or_1_july(day):
    with pytest.raises(ValueError, match="1 January or 1 July"):
        RateTable([(day, Decimal(1), True)])


def test_a_rate_given_as_a_float_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        RateTable([(date(2024, 1, 1), 3.75, True)])


def test_a_half_year_given_twice_is_refused():
    with pytest.raises(ValueError, match="Two rates"):
        RateTable([(date(2024, 1, 1), Decimal(1), True), (date(2024, 1, 1), Decimal(2), True)])


def test_the_boundaries_between_two_days_are_every_1_january_and_1_july_after_the_first():
    assert list(boundaries_between(date(2024, 12, 15), date(2025, 8, 1))) == [
        date(2025, 1, 1),
        date(2025, 7, 1),
    ]
    assert list(boundaries_between(date(2025, 1, 1), date(2025, 6, 30))) == []
    assert list(boundaries_between(date(2025, 6, 30), date(2025, 7, 1))) == [date(2025, 7, 1)]
