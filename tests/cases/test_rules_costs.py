"""Caps on collection costs, BEK 601/2002 (claims from 1 July 2016), on the Danish profile."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.rules import Figure, collection_cost_cap, get_profile

DK = get_profile("DK", date(2025, 1, 1))


def cap(claim: str, column: str, *, consumer: bool = True, actual: str | None = None) -> Figure:
    figure = collection_cost_cap(
        DK,
        claim_amount=Decimal(claim),
        column=column,
        consumer=consumer,
        actual_costs=None if actual is None else Decimal(actual),
    )
    assert figure.profile == DK.label
    assert DK.label in figure.explanation
    assert figure.rule in figure.explanation
    return figure


@pytest.mark.parametrize(
    "claim,agency,own",
    [
        ("1000", "400", "300"),  # up to and including 1,000
        ("1000.01", "700", "500"),
        ("1001", "700", "500"),
        ("2500", "700", "500"),
        ("5000", "1000", "650"),
        ("10000", "1300", "850"),
        ("25000", "1700", "1150"),
        ("50000", "2250", "1400"),
        ("100000", "2850", "1850"),
        ("250000", "3850", "2550"),
        ("500000", "6400", "4250"),
        # 6,400 + 1% x 250,000 = 6,400 + 2,500; 4,250 + 0.67% x 250,000 = 4,250 + 1,675
        ("750000", "8900", "5925"),
    ],
)
def test_the_cap_follows_the_table_by_claim_size(claim, agency, own):
    assert cap(claim, "agency").amount == Decimal(agency)
    assert cap(claim, "own").amount == Decimal(own)


def test_the_cap_is_excl_vat_and_says_which_band_gave_it():
    figure = cap("2500", "agency")
    assert "up to and including 2,500.00 DKK gives 700.00 DKK" in figure.explanation
    assert "excl. VAT" in figure.explanation
    assert (
        "default interest, reminder fees, the handover fee and the compensation do not count"
        in (figure.explanation)
    )
    assert figure.base == Decimal(2500)


def test_above_500_000_the_excess_is_rounded_half_up_once():
    # 1% x 0.50 = 0.005 -> 0.01 (half up); 0.67% x 0.75 = 0.005025 -> 0.01
    assert cap("500000.50", "agency").amount == Decimal("6400.01")
    assert cap("500000.75", "own").amount == Decimal("4250.01")


def test_a_consumer_is_never_charged_above_the_cap():
    figure = cap("2500", "agency", consumer=True, actual="1500")
    assert figure.amount == Decimal("700.00")
    assert "a consumer is never charged more than the cap" in figure.explanation


def test_a_business_may_be_charged_actual_costs_above_the_cap():
    figure = cap("2500", "agency", consumer=False, actual="1500")
    assert figure.amount == Decimal("1500.00")
    assert "business exception" in figure.explanation


def test_lower_actual_costs_still_give_the_cap_as_the_maximum():
    assert cap("2500", "own", consumer=False, actual="100").amount == Decimal("500.00")


def test_a_negative_claim_is_an_error():
    with pytest.raises(ValueError, match="negative"):
        cap("-1", "agency")


def test_an_unknown_column_is_an_error():
    with pytest.raises(ValueError, match="column"):
        cap("1000", "lawyer")


claims = st.decimals(min_value=0, max_value=2_000_000, places=2)


@given(smaller=claims, larger=claims)
def test_the_cap_never_falls_as_the_claim_grows(smaller, larger):
    smaller, larger = sorted((smaller, larger))
    for column in ("agency", "own"):
        assert cap(str(smaller), column).amount <= cap(str(larger), column).amount


@given(claim=claims)
def test_own_collection_is_never_capped_above_an_agency(claim):
    assert cap(str(claim), "own").amount <= cap(str(claim), "agency").amount


@given(claim=claims, actual=st.decimals(min_value=0, max_value=50_000, places=2))
def test_a_consumer_pays_at_most_the_cap_whatever_the_actual_costs(claim, actual):
    for column in ("agency", "own"):
        plain = cap(str(claim), column).amount
        assert cap(str(claim), column, consumer=True, actual=str(actual)).amount == plain
        business = cap(str(claim), column, consumer=False, actual=str(actual)).amount
        assert business == max(plain, actual)
