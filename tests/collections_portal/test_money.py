"""The one money module: Danish and English notation read and written alike, half-up rounding
to øre, and the same refusals for the services, the import and the letters."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from collections_portal.money import (
    CENT,
    MAX_AMOUNT,
    format_money,
    parse_amount,
    plain_money,
    round_money,
    to_money,
)

amounts = st.decimals(min_value=CENT, max_value=MAX_AMOUNT, places=2)


@given(amounts, st.sampled_from(["da", "en"]))
def test_an_amount_written_in_either_language_reads_back_the_same(amount, language):
    assert parse_amount(format_money(amount, language)) == amount


@given(amounts)
def test_a_plain_amount_reads_back_the_same(amount):
    assert parse_amount(plain_money(amount)) == amount
    assert to_money(plain_money(amount)) == amount


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=3))
def test_rounding_is_half_up_to_ore(value):
    rounded = round_money(value)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - value) <= Decimal("0.005")
    if abs(value - rounded) == Decimal("0.005"):
        assert abs(rounded) > abs(value)  # a half goes away from zero


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1234,5", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234.50", "1234.50"),
        ("1.234.567", "1234567.00"),
        ("1.234.567,89", "1234567.89"),
        ("17", "17.00"),
        (Decimal("12.5"), "12.50"),
        (7, "7.00"),
    ],
)
def test_danish_and_english_notation(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(
    "value",
    [
        "12,345",
        "1.234",
        "0",
        "-5",
        "abc",
        "1,2,3",
        "1e5",
        "NaN",
        "12.345",
        12.5,
        True,
        None,
        "1000000000000.00",
    ],
)
def test_what_is_not_an_amount_is_refused_with_the_field_named(value):
    with pytest.raises(ValueError):
        parse_amount(value)
    with pytest.raises(ValidationError) as refused:
        to_money(value, field="principal")
    assert list(refused.value.error_dict) == ["principal"]


def test_formatting_for_display():
    assert format_money(Decimal("1234.5"), "da") == "1.234,50"
    assert format_money(Decimal("1234.5"), "en") == "1,234.50"
    assert format_money(Decimal("0.005"), "en") == "0.01"
    assert format_money(Decimal("-1234.5"), "da", minus="\u2212") == "\u22121.234,50"
    assert plain_money(Decimal("1250")) == "1250.00"


def test_the_letters_filter_and_the_explanations_use_it():
    from django.utils import translation

    from cases.rules.explain import money_text
    from notices.templatetags.letters import money

    with translation.override("da"):
        assert money(Decimal("1234.5")) == "1.234,50"
    with translation.override("en"):
        assert money(Decimal("-2")) == "\u22122.00"
    assert money_text(Decimal("10000"), "DKK") == "10,000.00 DKK"


# --- signed=True: a bank file's money out is negative -------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1.234,50", Decimal("-1234.50")),
        ("-1,234.50", Decimal("-1234.50")),
        ("+12,5", Decimal("12.50")),
        ("- 50", Decimal("-50.00")),
        ("1.000,00", Decimal("1000.00")),
        (Decimal("-3.10"), Decimal("-3.10")),
        (-7, Decimal("-7.00")),
    ],
)
def test_a_signed_amount_may_be_negative(text, expected):
    assert parse_amount(text, signed=True) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "must not be zero"),
        ("-0,00", "must not be zero"),
        (Decimal("0"), "must not be zero"),
        ("-0.001", "at most two decimals"),
        ("--5", "not an amount"),
        ("-", "not an amount"),
        ("-1e3", "not an amount"),
        ("-10000000000000", "too large"),
        (-0.5, "not floating point"),
    ],
)
def test_a_signed_amount_is_refused_as_an_unsigned_one_is(text, message):
    with translation.override("en"), pytest.raises(ValueError, match=message):
        parse_amount(text, signed=True)


def test_a_zero_signed_amount_is_refused_in_danish_first():
    with translation.override("da"), pytest.raises(ValueError, match="Beløbet må ikke være nul"):
        parse_amount("0,00", signed=True)


@given(amounts, st.sampled_from(["da", "en"]))
def test_a_negative_amount_written_in_either_language_reads_back(amount, language):
    assert parse_amount(format_money(-amount, language), signed=True) == -amount


def test_an_unsigned_amount_is_still_refused_when_negative():
    with translation.override("en"), pytest.raises(ValueError, match="more than zero"):
        parse_amount("-5")
