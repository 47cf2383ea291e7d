"""The pure rules: weights to the gram, category sums, one-rounding impact, whole counts, FEFO
over awards and lots, who is an adult."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from .. import domain
from ..domain import Bucket

KNOWN = ["cooked", "bakery", "dry"]


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the Thai catalogue has them too)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "grams"),
    [
        ("12.345", 12345),
        ("1,234.5", 1234500),
        ("๑๒.๕", 12500),
        (12.5, 12500),
        (Decimal("0.001"), 1),
        (3, 3000),
        ("  7 ", 7000),
    ],
)
def test_weights_in_kg_become_whole_grams(value, grams):
    assert domain.weight_problem(value, label="Weight") == (grams, None)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "enter a weight"),
        (None, "enter a weight"),
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("abc", "not a weight"),
        (True, "not a weight"),
        ("1.2345", "more than 3 decimals"),
        (12.3456, "more than 3 decimals"),
        ("1000001", "too large"),
    ],
)
def test_bad_weights_are_refused_naming_the_field(value, fragment):
    grams, problem = domain.weight_problem(value, label="Weight")
    assert grams is None
    assert problem.startswith("Weight")
    assert fragment in problem


def test_categories_must_sum_to_the_total_exactly():
    lines, problems = domain.check_categories(
        10_000, [("cooked", "4.000"), ("dry", "5.999")], known=KNOWN
    )
    assert "categories" in problems
    assert "9.999" in problems["categories"][0] and "10.000" in problems["categories"][0]
    lines, problems = domain.check_categories(10_000, [("cooked", "4"), ("dry", "6")], known=KNOWN)
    assert problems == {}
    assert [(line.category, line.grams) for line in lines] == [("cooked", 4000), ("dry", 6000)]


def test_category_rows_are_named_by_number():
    _lines, problems = domain.check_categories(
        10_000, [("meat", "4"), ("dry", "x"), ("dry", "1")], known=KNOWN
    )
    assert set(problems) == {
        "categories.0.category",
        "categories.1.weight_kg",
        "categories.2.category",
    }


def test_impact_rounds_once_not_per_donation():
    # three donations of 0.001 kg at 4.2 meals/kg: 0.0126 meals in all -> 0.01;
    # rounded one by one (0.0042 -> 0.00) they would sum to 0.00
    result = domain.impact([(Decimal("4.2"), Decimal("2.53"), 3)])
    assert result.meals == Decimal("0.01")
    assert sum(domain.donation_impact(1, domain.Factors(Decimal("4.2"), Decimal("2.53")))) == 0


def test_impact_adds_each_factor_period_exactly():
    result = domain.impact(
        [(Decimal("4.2"), Decimal("2.53"), 1_000), (Decimal("5"), Decimal("3"), 2_000)],
        donations=2,
        donors=1,
        people_served=9,
    )
    assert result.weight_kg == Decimal("3.00")
    assert result.meals == Decimal("14.20")
    assert result.kgco2e == Decimal("8.53")
    assert (result.donations, result.donors, result.people_served) == (2, 1, 9)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5), (7, 7), ("1,000", 1000), (3.0, 3), ("๓", 3)],
)
def test_whole_counts(value, expected):
    assert domain.count_problem(value, label="Points", maximum=10_000) == (expected, None)


@pytest.mark.parametrize("value", ["", "0", "-2", "2.5", 2.5, True, "x", "10001"])
def test_bad_counts_are_refused(value):
    number, problem = domain.count_problem(value, label="Points", maximum=10_000)
    assert number is None and problem.startswith("Points")


def test_fefo_takes_the_earliest_expiry_first_and_never_an_expired_bucket():
    on = date(2026, 5, 10)
    buckets = [
        Bucket(1, 5, None),
        Bucket(2, 5, date(2026, 6, 1)),
        Bucket(3, 5, date(2026, 5, 10)),  # expires today: still usable today
        Bucket(4, 50, date(2026, 5, 9)),  # expired yesterday
    ]
    assert domain.fefo(buckets, 12, on=on) == ([(3, 5), (2, 5), (1, 2)], 0)
    assert domain.fefo(buckets, 20, on=on) == ([(3, 5), (2, 5), (1, 5)], 5)


@given(
    lefts=st.lists(st.integers(min_value=0, max_value=20), max_size=8),
    days=st.lists(st.integers(min_value=-5, max_value=5), min_size=8, max_size=8),
    wanted=st.integers(min_value=0, max_value=200),
)
def test_fefo_never_takes_more_than_a_bucket_holds_or_than_wanted(lefts, days, wanted):
    on = date(2026, 1, 15)
    buckets = [
        Bucket(n, left, date.fromordinal(on.toordinal() + days[n])) for n, left in enumerate(lefts)
    ]
    taken, short = domain.fefo(buckets, wanted, on=on)
    by_key = {b.key: b for b in buckets}
    assert all(0 < qty <= by_key[key].left for key, qty in taken)
    assert all(by_key[key].expires_on >= on for key, _qty in taken)
    usable = sum(b.left for b in buckets if b.expires_on >= on)
    assert sum(qty for _key, qty in taken) == min(wanted, usable)
    assert short == wanted - min(wanted, usable)


@pytest.mark.parametrize(
    ("birth", "adult"),
    [(date(2006, 5, 10), True), (date(2006, 5, 11), False), (None, False)],
)
def test_adults_are_twenty_on_their_birthday(birth, adult):
    assert domain.is_adult(birth, date(2026, 5, 10)) is adult


@pytest.mark.parametrize("category", [["dry"], {"a": 1}, None, 3])
def test_a_category_that_is_not_text_is_named_not_a_crash(category):
    _lines, problems = domain.check_categories(1_000, [(category, "1")], known=KNOWN)
    assert list(problems) == ["categories.0.category"]
