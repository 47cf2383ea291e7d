"""Table tests of the pure loan rules: schedules (flat and declining), month-end due dates, one
month's interest, the order a repayment pays in, and arrears."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from .. import domain

D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- months -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 1, 15), 24, date(2027, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert domain.add_months(day, months) == expected


# --- one month's interest ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outstanding", "rate", "expected"),
    [
        ("12000", "12", "120.00"),
        ("11000", "12", "110.00"),
        ("1000.50", "12", "10.01"),  # 10.005 rounds half up
        ("1000.49", "12", "10.00"),  # 10.0049
        ("5000", "0", "0.00"),
        ("3333.33", "7.5", "20.83"),  # 20.8333...
    ],
)
def test_monthly_interest_rounds_once_half_up(outstanding, rate, expected):
    assert domain.monthly_interest(D(outstanding), D(rate)) == D(expected)


# --- schedules --------------------------------------------------------------------------------


def test_flat_schedule_charges_the_year_rate_on_the_original_principal():
    rows = domain.schedule(D("12000"), D("12"), "flat", 12, date(2025, 2, 15))
    assert [r.number for r in rows] == list(range(1, 13))
    assert {r.principal_due for r in rows} == {D("1000.00")}
    assert {r.interest_due for r in rows} == {D("120.00")}
    assert rows[0].total == D("1120.00")
    assert rows[-1].due_on == date(2026, 1, 15)


def test_declining_schedule_charges_interest_on_what_is_still_outstanding():
    rows = domain.schedule(D("12000"), D("12"), "declining", 12, date(2025, 2, 15))
    assert [r.interest_due for r in rows] == [D(120 - 10 * i) for i in range(12)]
    assert sum(r.interest_due for r in rows) == D("780.00")


@pytest.mark.parametrize(
    ("principal", "rate", "method", "n", "parts", "interests"),
    [
        # the last instalment takes the satang left over, of principal and of interest
        (
            "10000",
            "10",
            "flat",
            3,
            ["3333.33", "3333.33", "3333.34"],
            ["83.33", "83.33", "83.34"],  # total 10000 * 10% * 3/12 = 250.00
        ),
        ("100", "12", "flat", 3, ["33.33", "33.33", "33.34"], ["1.00", "1.00", "1.00"]),
        ("1000", "5", "flat", 7, ["142.85"] * 6 + ["142.90"], ["4.16"] * 6 + ["4.21"]),
        (
            "10000",
            "10",
            "declining",
            3,
            ["3333.33", "3333.33", "3333.34"],
            ["83.33", "55.56", "27.78"],  # on 10000, 6666.67, 3333.34
        ),
        ("0.05", "12", "declining", 2, ["0.02", "0.03"], ["0.00", "0.00"]),
        ("5000", "0", "declining", 2, ["2500.00", "2500.00"], ["0.00", "0.00"]),
        ("7777.77", "12", "flat", 1, ["7777.77"], ["77.78"]),
    ],
)
def test_schedule_rounding_table(principal, rate, method, n, parts, interests):
    rows = domain.schedule(D(principal), D(rate), method, n, date(2025, 2, 15))
    assert [r.principal_due for r in rows] == [D(p) for p in parts]
    assert [r.interest_due for r in rows] == [D(i) for i in interests]
    assert sum(r.principal_due for r in rows) == D(principal)


def test_schedule_due_dates_follow_the_first_due_date_and_clamp_to_month_end():
    rows = domain.schedule(D("4000"), D("12"), "flat", 4, date(2025, 1, 31))
    assert [r.due_on for r in rows] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),  # back to the 31st, not the 28th
        date(2025, 4, 30),
    ]


def test_schedule_needs_at_least_one_instalment():
    with pytest.raises(ValueError, match="at least 1"):
        domain.schedule(D("1000"), D("12"), "flat", 0, date(2025, 2, 15))


@given(
    principal=st.decimals(min_value=D("0.01"), max_value=D("5000000"), places=2),
    rate=st.decimals(min_value=D("0"), max_value=D("36"), places=2),
    n=st.integers(min_value=1, max_value=120),
    method=st.sampled_from(["flat", "declining"]),
)
def test_schedule_sums_equal_the_principal_and_the_interest(principal, rate, n, method):
    rows = domain.schedule(principal, rate, method, n, date(2025, 1, 31))
    assert len(rows) == n
    assert sum(r.principal_due for r in rows) == principal
    assert all(r.principal_due >= 0 and r.interest_due >= 0 for r in rows)
    if method == "flat":
        total = domain.round_half_up(principal * rate * n / 1200)
        assert sum(r.interest_due for r in rows) == total
    else:
        outstanding, expected = principal, []
        for r in rows:
            expected.append(domain.monthly_interest(outstanding, rate))
            outstanding -= r.principal_due
        assert [r.interest_due for r in rows] == expected
    assert [r.due_on for r in rows] == sorted(r.due_on for r in rows)


# --- splitting a repayment --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fees", "interest", "principal", "expected"),
    [
        ("500", "50", "120", "12000", ("50", "120", "330")),
        ("30", "50", "120", "12000", ("30", "0", "0")),  # fees first
        ("100", "50", "120", "12000", ("50", "50", "0")),  # then interest
        ("170", "50", "120", "12000", ("50", "120", "0")),
        ("1000", "0", "0", "12000", ("0", "0", "1000")),
        ("12170", "50", "120", "12000", ("50", "120", "12000")),  # everything
        ("0.01", "0", "0.01", "5", ("0", "0.01", "0")),
    ],
)
def test_split_repayment_pays_fees_then_interest_then_principal(
    amount, fees, interest, principal, expected
):
    split = domain.split_repayment(
        D(amount), fees=D(fees), interest=D(interest), principal=D(principal)
    )
    assert (split.fees, split.interest, split.principal) == tuple(D(x) for x in expected)
    assert split.fees + split.interest + split.principal == D(amount)


def test_split_repayment_refuses_more_than_the_loan_owes():
    with pytest.raises(ValidationError) as error:
        domain.split_repayment(D("12170.01"), fees=D("50"), interest=D("120"), principal=D("12000"))
    assert error.value.message_dict == {
        "amount": [
            "The repayment of 12,170.01 baht is more than the loan owes (12,170.00 baht: fees "
            "50.00 baht, interest 120.00 baht, principal 12,000.00 baht)."
        ]
    }


# --- arrears ----------------------------------------------------------------------------------

DUES = [
    (date(2025, 2, 15), D("1120")),
    (date(2025, 3, 15), D("1110")),
    (date(2025, 4, 15), D("1100")),
]


@pytest.mark.parametrize(
    ("on", "paid", "since", "amount", "late"),
    [
        (date(2025, 2, 10), "0", None, "0", 0),  # nothing due yet
        (date(2025, 2, 15), "0", None, "0", 0),  # due today: not late yet
        (date(2025, 2, 16), "0", date(2025, 2, 15), "1120", 1),
        (date(2025, 2, 16), "1120", None, "0", 0),
        (date(2025, 2, 16), "1119.99", date(2025, 2, 15), "0.01", 1),
        (date(2025, 3, 16), "1120", date(2025, 3, 15), "1110", 1),
        (date(2025, 3, 16), "1000", date(2025, 2, 15), "1230", 2),
        (date(2025, 5, 1), "0", date(2025, 2, 15), "3330", 3),
        (date(2025, 5, 1), "3330", None, "0", 0),
        (date(2025, 3, 1), "5000", None, "0", 0),  # paid ahead
    ],
)
def test_arrears_table(on, paid, since, amount, late):
    result = domain.arrears(DUES, D(paid), on=on)
    assert result == domain.Arrears(since, D(amount), late)
    assert result.in_arrears is (since is not None)
