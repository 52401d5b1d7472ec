"""Limitation, forældelsesloven §§ 3, 5, 15, 16 and 19, on the Danish profile.

The limitation date is the last day of the period: the claim is time-barred from the day after.
"""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from cases.rules import (
    Figure,
    get_profile,
    is_time_barred,
    limitation_date,
    limitation_warning_date,
)

DK = get_profile("DK", date(2025, 1, 1))
DUE = date(2022, 1, 15)


def last_day(*events: tuple[date, str], profile=DK, due: date = DUE, **kwargs) -> Figure:
    figure = limitation_date(profile, claim_due=due, events=events, **kwargs)
    for each in figure.walk():
        assert profile.label in each.explanation
        assert each.rule in each.explanation
    return figure


def test_a_claim_runs_out_three_years_after_it_could_be_demanded():
    figure = last_day()
    assert figure.dates == (date(2025, 1, 15),)
    assert figure.rule == "forældelsesloven § 3"


def test_a_payment_starts_a_new_full_period():
    figure = last_day((date(2023, 6, 1), "payment"))
    assert figure.dates == (date(2026, 6, 1),)
    assert "forældelsesloven § 15" in figure.rule
    assert "forældelsesloven § 19" in figure.rule


def test_an_acknowledgement_starts_a_new_full_period():
    assert last_day((date(2024, 2, 1), "acknowledgement")).dates == (date(2027, 2, 1),)


def test_a_legal_step_starts_a_new_full_period():
    figure = last_day((date(2024, 11, 30), "legal_step"))
    assert figure.dates == (date(2027, 11, 30),)
    assert "forældelsesloven § 16" in figure.rule


def test_a_reminder_does_not_interrupt_limitation_in_denmark():
    figure = last_day((date(2024, 6, 1), "reminder"))
    assert figure.dates == (date(2025, 1, 15),)
    assert "does not interrupt" in figure.parts[0].explanation


def test_a_reminder_interrupts_limitation_in_sweden():
    se = get_profile("SE", date(2025, 1, 1))
    figure = last_day((date(2023, 6, 1), "reminder"), profile=se)
    assert figure.dates == (date(2033, 6, 1),)  # Swedish ordinary limitation: 10 years


def test_a_settlement_or_judgment_gives_ten_years():
    figure = last_day(ten_year_basis=date(2023, 3, 1))
    assert figure.dates == (date(2033, 3, 1),)
    assert "forældelsesloven § 5" in figure.rule


def test_after_a_settlement_an_acknowledgement_starts_another_ten_years():
    figure = last_day((date(2030, 1, 10), "acknowledgement"), ten_year_basis=date(2023, 3, 1))
    assert figure.dates == (date(2040, 1, 10),)


def test_an_event_on_the_last_day_still_interrupts():
    assert last_day((date(2025, 1, 15), "payment")).dates == (date(2028, 1, 15),)


def test_an_event_after_the_period_ran_out_does_not_revive_the_claim():
    figure = last_day((date(2025, 1, 16), "payment"))
    assert figure.dates == (date(2025, 1, 15),)
    assert "does not revive" in figure.parts[0].explanation


def test_a_settlement_after_the_period_ran_out_does_not_revive_the_claim():
    assert last_day(ten_year_basis=date(2025, 2, 1)).dates == (date(2025, 1, 15),)


def test_events_count_in_date_order_whatever_the_order_given():
    figure = last_day((date(2026, 5, 1), "legal_step"), (date(2024, 1, 10), "payment"))
    # the payment moves the end to 2027-01-10, so the legal step in 2026 is in time
    assert figure.dates == (date(2029, 5, 1),)


def test_29_february_plus_three_years_is_28_february():
    assert last_day(due=date(2020, 2, 29)).dates == (date(2023, 2, 28),)


def test_an_unknown_event_is_an_error():
    with pytest.raises(ValueError, match="Unknown limitation event"):
        last_day((date(2023, 1, 1), "phone_call"))


def test_the_warning_comes_six_months_before_the_last_day():
    # at 2 years 6 months of the 3-year period
    assert limitation_warning_date(DK, date(2025, 1, 15)) == date(2024, 7, 15)
    assert limitation_warning_date(DK, date(2025, 8, 31)) == date(2025, 2, 28)


def test_a_claim_is_time_barred_from_the_day_after_the_last_day():
    assert not is_time_barred(DK, date(2025, 1, 15), date(2025, 1, 15))
    assert is_time_barred(DK, date(2025, 1, 15), date(2025, 1, 16))


event_kinds = st.sampled_from(["payment", "acknowledgement", "legal_step", "reminder"])
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))
timelines = st.lists(st.tuples(days, event_kinds), max_size=6)


@given(due=days, events=timelines, basis=st.one_of(st.none(), days))
def test_the_limitation_date_is_never_before_three_years_after_the_due_date(due, events, basis):
    figure = limitation_date(DK, claim_due=due, events=events, ten_year_basis=basis)
    assert figure.dates[0] >= due + relativedelta(years=3)


@given(due=days, events=timelines, extra=st.tuples(days, event_kinds))
def test_one_more_event_never_brings_the_limitation_date_forward(due, events, extra):
    without = limitation_date(DK, claim_due=due, events=events).dates[0]
    with_extra = limitation_date(DK, claim_due=due, events=[*events, extra]).dates[0]
    assert with_extra >= without
