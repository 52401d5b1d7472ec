"""Reminder fees (renteloven § 9 b), the collection warning (inkassoloven § 10), the handover
fee (§ 9 b stk. 3) and B2B compensation (§ 9 a stk. 3), on the Danish profile."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.rules import (
    Figure,
    IncompleteProfile,
    b2b_compensation,
    get_profile,
    handover_fee,
    reminder_fee,
    warning_deadline,
    warning_deadline_date,
)

DK = get_profile("DK", date(2025, 1, 1))
DUE = date(2025, 1, 1)


def assert_explained(figure: Figure) -> None:
    for each in figure.walk():
        assert each.profile == DK.label
        assert DK.label in each.explanation
        assert each.rule in each.explanation


def fee(on: date, *previous: date, **kwargs) -> Figure:
    figure = reminder_fee(DK, on=on, due_date=DUE, previous_fee_reminders=previous, **kwargs)
    assert_explained(figure)
    return figure


# Reminder fees


def test_a_reminder_on_the_due_date_carries_the_fee():
    figure = fee(DUE)
    assert figure.allowed
    assert figure.amount == Decimal("100.00")
    assert figure.rule == "renteloven § 9 b"
    assert "fee 1 of at most 3" in figure.explanation


def test_a_reminder_before_the_due_date_is_refused():
    figure = fee(DUE - timedelta(days=1))
    assert not figure.allowed
    assert figure.amount == 0
    assert "from 2025-01-01" in figure.refusal


def test_a_third_reminder_is_allowed():
    figure = fee(date(2025, 1, 21), date(2025, 1, 1), date(2025, 1, 11))
    assert figure.allowed
    assert "fee 3 of at most 3" in figure.explanation


def test_a_fourth_reminder_is_refused():
    figure = fee(date(2025, 2, 1), date(2025, 1, 1), date(2025, 1, 11), date(2025, 1, 21))
    assert not figure.allowed
    assert figure.amount == 0
    assert "at most 3 may carry a fee" in figure.refusal


def test_a_reminder_nine_days_after_the_last_is_refused():
    figure = fee(date(2025, 1, 10), date(2025, 1, 1))
    assert not figure.allowed
    assert "only 9 days" in figure.refusal


def test_a_reminder_ten_days_after_the_last_is_allowed():
    figure = fee(date(2025, 1, 11), date(2025, 1, 1))
    assert figure.allowed
    assert figure.amount == Decimal("100.00")
    assert "10 days after the last fee-bearing reminder on 2025-01-01" in figure.explanation


def test_spacing_counts_from_the_last_fee_bearing_reminder_whatever_the_order_given():
    assert fee(date(2025, 1, 20), date(2025, 1, 11), date(2025, 1, 1)).allowed is False


def test_no_fee_after_a_broken_instalment_plan():
    figure = fee(date(2025, 3, 1), date(2025, 1, 1), broken_plan=True)
    assert not figure.allowed
    assert "broken instalment plan" in figure.refusal


def test_a_disputed_claim_gets_no_fee_on_the_second_reminder():
    figure = fee(date(2025, 1, 11), date(2025, 1, 1), disputed=True)
    assert not figure.allowed
    assert "disputed" in figure.refusal


def test_a_disputed_claim_gets_no_fee_on_the_third_reminder():
    assert not fee(date(2025, 1, 21), date(2025, 1, 1), date(2025, 1, 11), disputed=True).allowed


def test_the_first_reminder_of_a_disputed_claim_may_carry_the_fee():
    # renteloven § 9 b: "no fee on the 2nd or 3rd reminder" of a disputed claim.
    figure = fee(DUE, disputed=True)
    assert figure.allowed
    assert "disputed; this first fee is allowed" in figure.explanation


def test_a_refusal_gives_every_reason():
    figure = fee(date(2025, 1, 25), date(2025, 1, 1), date(2025, 1, 11), date(2025, 1, 21))
    assert "at most 3" in figure.refusal
    assert "only 4 days" in figure.refusal


def test_a_previous_reminder_after_this_one_is_an_error():
    with pytest.raises(ValueError, match="after"):
        fee(date(2025, 1, 5), date(2025, 1, 10))


def test_norway_charges_the_first_fee_14_days_after_the_due_date():
    no = get_profile("NO", date(2026, 1, 1))
    due = date(2026, 1, 1)
    early = reminder_fee(no, on=date(2026, 1, 14), due_date=due, previous_fee_reminders=())
    in_time = reminder_fee(no, on=date(2026, 1, 15), due_date=due, previous_fee_reminders=())
    assert not early.allowed
    assert (in_time.allowed, in_time.amount) == (True, Decimal("38.00"))
    third = reminder_fee(
        no, on=date(2026, 3, 1), due_date=due, previous_fee_reminders=(date(2026, 1, 15),) * 2
    )
    assert "at most 2" in third.refusal


def test_sweden_refuses_to_guess_a_limit_it_does_not_have():
    se = get_profile("SE", date(2025, 1, 1))
    with pytest.raises(IncompleteProfile, match="reminder_fee_count_max"):
        reminder_fee(se, on=DUE, due_date=DUE, previous_fee_reminders=(), fee_agreed=True)


@given(gaps=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12))
def test_charging_whenever_allowed_never_makes_more_than_3_fees_10_days_apart(gaps):
    charged: list[date] = []
    day = DUE
    for gap in gaps:
        day += timedelta(days=gap)
        figure = reminder_fee(DK, on=day, due_date=DUE, previous_fee_reminders=charged)
        assert figure.amount == (Decimal("100.00") if figure.allowed else 0)
        if figure.allowed:
            charged.append(day)
    assert len(charged) <= 3
    assert all((later - earlier).days >= 10 for earlier, later in itertools.pairwise(charged))


# The collection warning


def test_the_warning_deadline_is_ten_days_after_sending():
    figure = warning_deadline(DK, sent_on=date(2025, 3, 3))
    assert figure.dates == (date(2025, 3, 13),)
    assert figure.amount == 0
    assert "no collection step may be taken before 2025-03-14" in figure.explanation
    assert warning_deadline_date(DK, date(2025, 3, 3)) == date(2025, 3, 13)
    assert_explained(figure)


# The handover fee


def test_the_handover_fee_is_at_most_100():
    figure = handover_fee(DK)
    assert figure.amount == Decimal("100.00")
    assert figure.rule == "renteloven § 9 b stk. 3"
    assert_explained(figure)


# B2B compensation


def test_a_business_debtor_owes_310_compensation():
    figure = b2b_compensation(DK, debtor_is_consumer=False, due_date=date(2025, 1, 1))
    assert figure.allowed
    assert figure.amount == Decimal("310.00")
    assert "on top of reminder fees, interest and collection costs" in figure.explanation
    assert_explained(figure)


def test_compensation_is_never_charged_to_a_consumer():
    figure = b2b_compensation(DK, debtor_is_consumer=True, due_date=date(2025, 1, 1))
    assert not figure.allowed
    assert figure.amount == 0
    assert "never to a consumer" in figure.refusal
    assert_explained(figure)


def test_compensation_starts_with_claims_due_on_1_march_2013():
    before = b2b_compensation(DK, debtor_is_consumer=False, due_date=date(2013, 2, 28))
    on_the_day = b2b_compensation(DK, debtor_is_consumer=False, due_date=date(2013, 3, 1))
    assert (before.allowed, before.amount) == (False, 0)
    assert "2013-03-01" in before.refusal
    assert (on_the_day.allowed, on_the_day.amount) == (True, Decimal("310.00"))


def test_a_figure_prints_its_amount_and_explanation():
    figure = handover_fee(DK)
    assert str(figure) == f"100.00: {figure.explanation}"
