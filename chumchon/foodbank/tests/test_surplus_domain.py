"""Pure pieces of the surplus relay: the day-by-day balance check and the area ancestors used
for city-wide donors; the one-rounding impact arithmetic of source 001 by factor period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import domain
from ..selectors_surplus import _ancestors
from ..services_surplus import _lowest_from


def test_lowest_balance_from_a_day_counts_every_later_day():
    net = {date(2024, 10, 1): 10_000, date(2024, 10, 5): -8_000, date(2024, 10, 9): 5_000}
    assert _lowest_from(net, date(2024, 10, 2)) == (2_000, date(2024, 10, 5))
    net[date(2024, 10, 3)] = -3_000  # a backdated hand-over breaks the 5th
    assert _lowest_from(net, date(2024, 10, 3))[0] == -1_000


def test_lowest_balance_on_a_day_without_rows_is_the_running_total():
    assert _lowest_from({date(2024, 10, 1): 4_000}, date(2024, 12, 1)) == (4_000, date(2024, 12, 1))


def test_ancestors_of_a_path():
    assert _ancestors("/BKK/BKK-01/1001/") == ["/BKK/", "/BKK/BKK-01/", "/BKK/BKK-01/1001/"]


def test_two_factor_periods_multiply_their_own_gram_sums_and_round_once():
    result = domain.impact(
        [
            (Decimal("4.2"), Decimal("2.53"), 295_043_307),
            (Decimal("5"), Decimal("3"), 1),
        ]
    )
    assert result.weight_kg == Decimal("295043.31")
    assert result.meals_exact == Decimal("1239181.8894") + Decimal("0.005")
    assert result.meals == Decimal("1239181.89")
    assert result.kgco2e_exact == Decimal("746459.56671") + Decimal("0.003")
    assert result.kgco2e == Decimal("746459.57")


def test_sum_of_rounded_donations_differs_from_the_exact_total():
    grams = [1, 1, 1]
    rounded_each = sum(
        domain.donation_impact(g, domain.Factors(Decimal("4.2"), Decimal("2.53")))[0] for g in grams
    )
    total = domain.impact([(Decimal("4.2"), Decimal("2.53"), sum(grams))])
    assert rounded_each == Decimal("0.00") and total.meals == Decimal("0.01")
