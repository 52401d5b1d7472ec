"""Default interest, renteloven § 3 (from when) and § 5 (how much), on the Danish profile.

Interest days run from ``start`` to ``end``, both included; 30/360 is European 30E/360.
"""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.rules import (
    DEFAULT_DK_RATES,
    Figure,
    MissingRate,
    RateTable,
    day_count,
    get_profile,
    interest_owed,
    interest_start,
    round_money,
)

DK = get_profile("DK", date(2025, 1, 1))
DK_ACT = dataclasses.replace(DK, interest_day_count="act/365")
RATES = RateTable(DEFAULT_DK_RATES)


def assert_explained(figure: Figure) -> None:
    for each in figure.walk():
        assert each.profile == DK.label
        assert DK.label in each.explanation
        assert each.rule in each.explanation


def owed(
    start: date,
    end: date,
    principal: str | Decimal = "10000",
    *,
    profile=DK,
    rates: RateTable = RATES,
    due: date | None = None,
    changes=None,
    **kwargs,
) -> Figure:
    figure = interest_owed(
        profile,
        rates=rates,
        principal_changes=changes or [(start, Decimal(principal))],
        start=start,
        end=end,
        due_date=due or start - timedelta(days=1),
        **kwargs,
    )
    assert_explained(figure)
    return figure


# From when (§ 3)


def test_interest_runs_from_the_day_after_an_agreed_due_date():
    figure = interest_start(
        DK, due_date=date(2025, 3, 31), due_date_agreed=True, demand_sent_on=None
    )
    assert figure.dates == (date(2025, 4, 1),)
    assert figure.rule == "renteloven § 3"
    assert_explained(figure)


def test_without_an_agreed_due_date_interest_runs_30_days_after_the_demand():
    figure = interest_start(
        DK, due_date=date(2025, 3, 31), due_date_agreed=False, demand_sent_on=date(2025, 4, 2)
    )
    assert figure.dates == (date(2025, 5, 2),)
    assert "30 days after the demand sent on 2025-04-02" in figure.explanation


def test_interest_needs_an_agreed_due_date_or_a_demand():
    with pytest.raises(ValueError, match="demand"):
        interest_start(DK, due_date=date(2025, 3, 31), due_date_agreed=False, demand_sent_on=None)


# How much (§ 5): the worked example


def test_it_splits_at_the_half_year():
    figure = owed(date(2024, 12, 15), date(2025, 8, 1))
    assert [part.dates for part in figure.parts] == [
        (date(2024, 12, 15), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 8, 1)),
    ]
    # morarente 11.50 (3.50 + 8), 10.75 (2.75 + 8), 9.75 (1.75 + 8)
    assert "at 11.50% (Nationalbanken's lending rate 3.50% for 2024-H2" in (
        figure.parts[0].explanation
    )
    assert "at 10.75% (Nationalbanken's lending rate 2.75% for 2025-H1" in (
        figure.parts[1].explanation
    )
    assert "at 9.75% (Nationalbanken's lending rate 1.75% for 2025-H2" in (
        figure.parts[2].explanation
    )


def test_the_worked_example_in_30_360():
    # 30E/360 days: 15-31 Dec = 30 - 14 = 16 (the 31st earns nothing); H1 = 180;
    # 1 Jul - 1 Aug = (8 x 30 + 1) - (6 x 30 + 30) = 31.
    # 10,000 x 11.50% x 16/360  =  51.1111111111
    # 10,000 x 10.75% x 180/360 = 537.5000000000
    # 10,000 x  9.75% x 31/360  =  83.9583333333
    # total                       672.5694444444 -> 672.57
    figure = owed(date(2024, 12, 15), date(2025, 8, 1))
    assert [part.unrounded for part in figure.parts] == [
        Decimal("51.1111111111"),
        Decimal("537.5000000000"),
        Decimal("83.9583333333"),
    ]
    assert [part.amount for part in figure.parts] == [
        Decimal("51.11"),
        Decimal("537.50"),
        Decimal("83.96"),
    ]
    assert "16/360" in figure.parts[0].explanation
    assert figure.unrounded == Decimal("672.5694444444")
    assert figure.amount == Decimal("672.57")
    assert "unverified" in figure.explanation  # the day count and the 2024-H2 on rates are


def test_the_worked_example_in_act_365():
    # actual days: 15-31 Dec = 17; 1 Jan - 30 Jun = 181; 1 Jul - 1 Aug = 32.
    # 10,000 x 11.50% x 17/365  =  19,550/365 =  53.5616438356
    # 10,000 x 10.75% x 181/365 = 194,575/365 = 533.0821917808
    # 10,000 x  9.75% x 32/365  =  31,200/365 =  85.4794520548
    # total                      245,325/365 = 672.1232876712 -> 672.12
    figure = owed(date(2024, 12, 15), date(2025, 8, 1), profile=DK_ACT)
    assert [part.unrounded for part in figure.parts] == [
        Decimal("53.5616438356"),
        Decimal("533.0821917808"),
        Decimal("85.4794520548"),
    ]
    assert figure.amount == Decimal("672.12")


def test_claims_due_before_1_march_2013_get_7_points_and_later_ones_8():
    rates_2013 = RateTable([(date(2013, 7, 1), Decimal("0.20"), True)])
    start, end = date(2013, 7, 1), date(2013, 12, 31)  # a full half-year: 180/360
    before = owed(start, end, rates=rates_2013, due=date(2013, 2, 28))
    after = owed(start, end, rates=rates_2013, due=date(2013, 3, 1))
    # 10,000 x (0.20 + 7)% / 2 = 360.00; 10,000 x (0.20 + 8)% / 2 = 410.00
    assert before.amount == Decimal("360.00")
    assert after.amount == Decimal("410.00")
    assert "+ 7 points for a claim due before 2013-03-01" in before.parts[0].explanation
    assert "+ 8 points" in after.parts[0].explanation


def test_a_payment_starts_a_new_period_on_the_lower_principal():
    # 10,000 x 10.75% x 90/360 = 268.75 (Jan-Mar); 5,000 x 10.75% x 90/360 = 134.375
    # (Apr-Jun); 403.125 rounded once, half up: 403.13
    figure = owed(
        date(2025, 1, 1),
        date(2025, 6, 30),
        changes=[(date(2024, 12, 20), Decimal(10_000)), (date(2025, 4, 1), Decimal(5_000))],
    )
    assert [(part.base, part.dates[0]) for part in figure.parts] == [
        (Decimal(10_000), date(2025, 1, 1)),
        (Decimal(5_000), date(2025, 4, 1)),
    ]
    assert figure.unrounded == Decimal("403.1250000000")
    assert figure.amount == Decimal("403.13")
    assert figure.base is None  # the principal changed


def test_a_business_pays_a_higher_agreed_rate():
    # 10,000 x 15% x 180/360 = 750.00
    figure = owed(date(2025, 1, 1), date(2025, 6, 30), agreed_rate=Decimal(15), consumer=False)
    assert figure.amount == Decimal("750.00")
    assert "agreed with a business debtor" in figure.parts[0].explanation


def test_for_a_consumer_the_statutory_rate_is_a_ceiling():
    # agreed 15% is above 10.75%: 10,000 x 10.75% x 180/360 = 537.50
    figure = owed(date(2025, 1, 1), date(2025, 6, 30), agreed_rate=Decimal(15), consumer=True)
    assert figure.amount == Decimal("537.50")
    assert "ceiling for a consumer" in figure.parts[0].explanation


def test_a_consumer_pays_a_lower_agreed_rate():
    # 10,000 x 5% x 180/360 = 250.00
    figure = owed(date(2025, 1, 1), date(2025, 6, 30), agreed_rate=Decimal(5), consumer=True)
    assert figure.amount == Decimal("250.00")


def test_a_half_year_without_a_rate_stops_the_calculation():
    with pytest.raises(MissingRate, match="2026-H2"):
        owed(date(2026, 6, 1), date(2026, 7, 15))


def test_no_interest_days_give_no_interest():
    figure = owed(date(2025, 3, 1), date(2025, 2, 28))
    assert (figure.amount, figure.parts) == (Decimal("0.00"), ())


def test_a_principal_before_the_first_balance_is_an_error():
    with pytest.raises(ValueError, match="No principal balance"):
        owed(date(2025, 1, 1), date(2025, 2, 1), changes=[(date(2025, 1, 2), Decimal(1))])


def test_a_full_half_year_is_180_days_in_30_360():
    assert day_count(date(2025, 1, 1), date(2025, 6, 30), "30/360") == (180, 360)
    assert day_count(date(2025, 7, 1), date(2025, 12, 31), "30/360") == (180, 360)
    assert day_count(date(2024, 1, 1), date(2024, 6, 30), "act/365") == (182, 365)


def test_in_30e_360_the_31st_earns_nothing_and_1_march_makes_up_february():
    assert day_count(date(2025, 7, 31), date(2025, 7, 31), "30/360") == (0, 360)
    assert day_count(date(2025, 3, 1), date(2025, 3, 1), "30/360") == (3, 360)  # 28 Feb -> 30


# Properties

days_with_rates = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 30))
principals = st.decimals(min_value=0, max_value=1_000_000, places=2)
profiles = st.sampled_from([DK, DK_ACT])


@given(first=days_with_rates, last=days_with_rates, principal=principals, profile=profiles)
def test_interest_over_each_period_alone_adds_up_to_the_whole(first, last, principal, profile):
    start, end = sorted((first, last))
    whole = owed(start, end, principal, profile=profile)
    alone = [owed(*part.dates, principal, profile=profile) for part in whole.parts]
    assert [figure.unrounded for figure in alone] == [part.unrounded for part in whole.parts]
    total = sum(figure.unrounded for figure in alone)
    assert whole.unrounded == total
    assert whole.amount == round_money(total)


@given(first=days_with_rates, last=days_with_rates, principal=principals, profile=profiles)
def test_splitting_anywhere_changes_the_total_by_rounding_only(first, last, principal, profile):
    start, end = sorted((first, last))
    if start == end:
        return
    cut = start + timedelta(days=(end - start).days // 2 + 1)  # start < cut <= end
    whole = owed(start, end, principal, profile=profile)
    before = owed(start, cut - timedelta(days=1), principal, profile=profile)
    after = owed(cut, end, principal, profile=profile)
    assert abs(whole.unrounded - before.unrounded - after.unrounded) <= Decimal("1e-9")
    assert abs(whole.amount - before.amount - after.amount) <= Decimal("0.01")


@given(first=days_with_rates, last=days_with_rates, profile=profiles)
def test_no_principal_earns_no_interest(first, last, profile):
    start, end = sorted((first, last))
    figure = owed(start, end, "0", profile=profile)
    assert figure.amount == 0
    assert all(part.amount == 0 for part in figure.parts)
