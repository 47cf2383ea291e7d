"""Money: exact decimals, rounding once half up, Thai display. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pythainlp.util import num_to_thaiword

from chumchon.core.money import (
    TWO_PLACES,
    arabic_digits,
    baht_text,
    format_baht,
    format_number,
    percent,
    round_half_up,
    thai_digits,
    to_decimal,
)

# Two-place amounts, as stored: up to 10 ** 13 baht, positive and negative.
amounts = st.decimals(
    min_value=Decimal("-9999999999999.99"),
    max_value=Decimal("9999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
# Amounts with more places than shown, e.g. exact intermediate results.
fine_amounts = st.decimals(
    min_value=Decimal("-1000000"),
    max_value=Decimal("1000000"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)


def test_two_places_is_one_satang() -> None:
    assert Decimal("0.01") == TWO_PLACES


# --- to_decimal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.50"), Decimal("1.50")),
        (1234, Decimal("1234")),
        ("1234567.50", Decimal("1234567.50")),
        ("1,234,567.50", Decimal("1234567.50")),
        ("  -1,000  ", Decimal("-1000")),
        ("+12.5", Decimal("12.5")),
        (".5", Decimal("0.5")),
        ("๑,๒๓๔.๕๐", Decimal("1234.50")),
        ("0", Decimal("0")),
    ],
)
def test_to_decimal_accepts_decimal_int_and_string(value: object, expected: Decimal) -> None:
    result = to_decimal(value)  # type: ignore[arg-type]
    assert isinstance(result, Decimal)
    assert result == expected


def test_to_decimal_keeps_the_exact_string_value() -> None:
    assert str(to_decimal("0.10")) == "0.10"


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan")])
def test_floats_never_enter_money(value: float) -> None:
    with pytest.raises(TypeError, match="float"):
        to_decimal(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, True, [1], b"1"])
def test_to_decimal_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        to_decimal(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["", "   ", "abc", "1,2,3", "12,34", "1,234,56", "1.2.3", "1.", "--1", "1e5", "+", ".", "฿100"],
)
def test_invalid_strings_raise_invalid_decimal(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(value)
    assert caught.value.code == "invalid_decimal"
    if value.strip():
        with translation.override("en"):
            assert value in caught.value.messages[0]


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_decimals_are_not_money(value: Decimal) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(value)
    assert caught.value.code == "invalid_decimal"


# --- round_half_up -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("2.675", "2.68"),  # float(2.675) is 2.67499..., which is why floats never enter money
        ("-0.005", "-0.01"),  # ties go away from zero
        ("-2.675", "-2.68"),
        ("0.004", "0.00"),
        ("-0.004", "0.00"),  # never "-0.00"
        ("1.125", "1.13"),  # not banker's rounding (which gives 1.12)
        ("1.135", "1.14"),
        ("7", "7.00"),
        ("1,234,567.495", "1234567.50"),
    ],
)
def test_round_half_up_rounds_ties_away_from_zero(value: str, expected: str) -> None:
    result = round_half_up(value)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("2.5", 0, "3"), ("-2.5", 0, "-3"), ("1.23456", 4, "1.2346"), ("0.0005", 3, "0.001")],
)
def test_round_half_up_honours_places(value: str, places: int, expected: str) -> None:
    assert str(round_half_up(value, places)) == expected


def test_round_half_up_refuses_float() -> None:
    with pytest.raises(TypeError):
        round_half_up(2.675)  # type: ignore[arg-type]


def test_round_half_up_handles_amounts_beyond_default_precision() -> None:
    huge = Decimal("12345678901234567890123456789.125")
    assert round_half_up(huge) == Decimal("12345678901234567890123456789.13")


def test_rounding_once_differs_from_summing_rounded_terms() -> None:
    terms = [Decimal("0.005")] * 3  # exact total 0.015
    assert round_half_up(sum(terms)) == Decimal("0.02")
    assert sum(round_half_up(t) for t in terms) == Decimal("0.03")  # drift of one satang


@given(st.lists(fine_amounts, min_size=1, max_size=20))
def test_rounding_once_stays_within_half_a_satang_of_the_exact_sum(terms: list[Decimal]) -> None:
    exact = sum(terms, Decimal(0))
    assert abs(round_half_up(exact) - exact) <= Decimal("0.005")


@given(fine_amounts)
def test_round_half_up_is_symmetric_for_negatives(value: Decimal) -> None:
    assert round_half_up(-value) == -round_half_up(value)


@given(amounts)
def test_round_half_up_leaves_two_place_amounts_unchanged(value: Decimal) -> None:
    assert round_half_up(value) == value
    assert round_half_up(value).as_tuple().exponent == -2


# --- percent -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1806, 2007, Decimal("89.99")),
        (196936496, 403000000, Decimal("48.87")),
        (Decimal("56629803.70"), 401400000, Decimal("14.11")),
        ("56,629,803.70", "401,400,000", Decimal("14.11")),
        (1, 8, Decimal("12.50")),
        (1, 3, Decimal("33.33")),
        (2, 3, Decimal("66.67")),
        (-1, 8, Decimal("-12.50")),
        (0, 5, Decimal("0.00")),
        (3, 2, Decimal("150.00")),
    ],
)
def test_percent_is_rounded_once_half_up(
    numerator: object, denominator: object, expected: Decimal
) -> None:
    result = percent(numerator, denominator)  # type: ignore[arg-type]
    assert result == expected
    assert str(result) == str(expected)


def test_percent_rounds_an_exact_tie_up() -> None:
    # 1 / 16 = 6.25 %: to one place the tie goes up to 6.3.
    assert percent(1, 16, places=1) == Decimal("6.3")
    assert percent(-1, 16, places=1) == Decimal("-6.3")


def test_percent_of_zero_denominator_is_none() -> None:
    assert percent(5, 0) is None
    assert percent(0, Decimal("0.00")) is None


def test_percent_refuses_floats() -> None:
    with pytest.raises(TypeError):
        percent(0.5, 1)  # type: ignore[arg-type]


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=1, max_value=10**12),
)
def test_percent_is_within_half_a_unit_of_the_exact_ratio(numerator: int, denominator: int) -> None:
    result = percent(numerator, denominator)
    assert result is not None
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    assert abs(result - exact) <= Decimal("0.005") + Decimal("1e-15") * abs(exact)


# --- display -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234567.5"), 2, "1,234,567.50"),
        ("1234567.505", 2, "1,234,567.51"),
        (0, 2, "0.00"),
        (Decimal("-1234.5"), 2, "-1,234.50"),
        ("999.995", 2, "1,000.00"),
        (Decimal("1234.5"), 0, "1,235"),
        ("-0.001", 2, "0.00"),
    ],
)
def test_format_number_has_thousands_commas_and_fixed_places(
    value: object, places: int, expected: str
) -> None:
    assert format_number(value, places) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("th", "1,234,567.50 บาท"), ("en", "1,234,567.50 baht"), ("en-gb", "1,234,567.50 baht")],
)
def test_format_baht_names_the_unit_in_the_language(lang: str, expected: str) -> None:
    assert format_baht(Decimal("1234567.50"), lang=lang) == expected


def test_format_baht_follows_active_language() -> None:
    with translation.override("en"):
        assert format_baht(5) == "5.00 baht"
    with translation.override("th"):
        assert format_baht(5) == "5.00 บาท"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234567.50"), "หนึ่งล้านสองแสนสามหมื่นสี่พันห้าร้อยหกสิบเจ็ดบาทห้าสิบสตางค์"),
        ("1,234,567.50", "หนึ่งล้านสองแสนสามหมื่นสี่พันห้าร้อยหกสิบเจ็ดบาทห้าสิบสตางค์"),
        (0, "ศูนย์บาทถ้วน"),
        (1, "หนึ่งบาทถ้วน"),
        (21, "ยี่สิบเอ็ดบาทถ้วน"),
        (101, "หนึ่งร้อยเอ็ดบาทถ้วน"),
        (Decimal("0.01"), "ศูนย์บาทหนึ่งสตางค์"),
        (Decimal("100.25"), "หนึ่งร้อยบาทยี่สิบห้าสตางค์"),
        (11000000, "สิบเอ็ดล้านบาทถ้วน"),
        (-5, "ลบห้าบาทถ้วน"),
    ],
)
def test_baht_text_spells_amounts_in_thai(value: object, expected: str) -> None:
    assert baht_text(value) == expected  # type: ignore[arg-type]


def test_baht_text_rounds_half_up_to_satang_before_spelling() -> None:
    # pythainlp alone gives 2.67 for 2.675 and 1.00 for 1.005 (float "%.2f").
    assert baht_text(Decimal("2.675")) == "สองบาทหกสิบแปดสตางค์"
    assert baht_text(Decimal("1.005")) == "หนึ่งบาทหนึ่งสตางค์"


def test_baht_text_keeps_the_sign_of_amounts_below_one_baht() -> None:
    # pythainlp alone drops the minus of -0.50 ("-0" baht is read as 0).
    assert baht_text(Decimal("-0.50")) == "ลบศูนย์บาทห้าสิบสตางค์"
    assert baht_text(Decimal("-0.001")) == "ศูนย์บาทถ้วน"


def test_baht_text_refuses_float_and_amounts_too_large_to_spell_exactly() -> None:
    with pytest.raises(TypeError):
        baht_text(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        baht_text(10**13)


@given(amounts)
def test_baht_text_spells_exactly_the_baht_and_satang_of_the_amount(amount: Decimal) -> None:
    magnitude = abs(amount)
    baht = int(magnitude)
    satang = int((magnitude - baht) * 100)
    if magnitude == 0:
        expected = "ศูนย์บาทถ้วน"
    else:
        expected = f"{num_to_thaiword(baht)}บาท"
        expected += f"{num_to_thaiword(satang)}สตางค์" if satang else "ถ้วน"
        if amount < 0:
            expected = f"ลบ{expected}"
    assert baht_text(amount) == expected


@pytest.mark.parametrize(
    ("ascii_text", "thai_text"),
    [("2567", "๒๕๖๗"), ("0123456789", "๐๑๒๓๔๕๖๗๘๙"), ("12 มี.ค. 2567", "๑๒ มี.ค. ๒๕๖๗"), ("", "")],
)
def test_thai_and_arabic_digits_convert_both_ways(ascii_text: str, thai_text: str) -> None:
    assert thai_digits(ascii_text) == thai_text
    assert arabic_digits(thai_text) == ascii_text


@given(st.text())
def test_digit_conversion_round_trips(text: str) -> None:
    ascii_only = arabic_digits(text)
    assert arabic_digits(thai_digits(ascii_only)) == ascii_only
    assert len(thai_digits(text)) == len(text)
