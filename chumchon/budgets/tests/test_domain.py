"""The budget rules without the database: amounts, spending rules, payment windows, figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chumchon.budgets import domain
from chumchon.budgets.domain import CategoryRule, Figures, ItemIn, PaymentWindow, RefusedRule

BUDGET = Decimal("200000.00")
CATEGORIES = {
    "materials": CategoryRule("materials", "Materials", None),
    "food": CategoryRule("food", "Food and drinks", Decimal("30")),
}
CCTV = [RefusedRule("CCTV", "Refused in FY2566."), RefusedRule("กล้องวงจรปิด", "")]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("200000", Decimal("200000.00")),
        ("1,234.5", Decimal("1234.50")),
        ("๑๒๓.๔๕", Decimal("123.45")),
        (Decimal("0.01"), Decimal("0.01")),
        (12, Decimal("12.00")),
        ("1.500", Decimal("1.50")),  # trailing zeros are not satang
        (0.1, Decimal("0.10")),  # a JSON number reads as typed
    ],
)
def test_amounts_accepted(value, expected):
    assert domain.amount_problem(value, label="Amount") == (expected, None)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("abc", "not an amount"),
        ("1e3", "not an amount"),
        ("12.345", "more than 2 decimals"),
        (12.345, "more than 2 decimals"),
        ("", "enter an amount"),
        (None, "enter an amount"),
        ("1000000000000", "too large"),
        (True, "not an amount"),
    ],
)
def test_amounts_refused_name_the_field_and_the_problem(value, words):
    amount, problem = domain.amount_problem(value, label="Item 3 amount")
    assert amount is None
    assert problem.startswith("Item 3 amount")
    assert words in problem


def test_amount_message_in_thai():
    with translation.override("th"):
        _amount, problem = domain.amount_problem("-1", label="จำนวนเงิน")
    assert "มากกว่าศูนย์" in problem


def test_parse_amount_raises_keyed_by_field():
    with pytest.raises(ValidationError) as caught:
        domain.parse_amount("x", field="amount", label="Amount")
    assert list(caught.value.message_dict) == ["amount"]


def check(items, allocated=BUDGET):
    return domain.check_items(items, categories=CATEGORIES, refused=CCTV, allocated=allocated)


def test_items_within_the_rules_pass():
    checked, problems = check(
        [ItemIn("food", "อาหารกลางวัน", "60000"), ItemIn("materials", "ต้นไม้", "140000.00")]
    )
    assert problems == {}
    assert sum(i.amount for i in checked) == BUDGET


def test_no_items_is_a_problem():
    assert "items" in check([])[1]


@pytest.mark.parametrize("description", ["ติดตั้ง CCTV", "กล้อง cctv 4 ตัว", "กล้อง วงจร ปิด"])
def test_refused_item_matches_ignoring_case_and_spacing(description):
    _checked, problems = check([ItemIn("materials", description, "1000")])
    assert list(problems) == ["items.1.description"]
    assert "refused" in problems["items.1.description"][0]


def test_refused_item_message_carries_the_reason():
    problems = check([ItemIn("materials", "x", "1"), ItemIn("materials", "CCTV", "1")])[1]
    assert problems["items.2.description"] == [
        "Item 2: “CCTV” is refused by this programme (CCTV). Refused in FY2566."
    ]


def test_category_share_is_of_the_allocation():
    # 30 % of 200,000 = 60,000: 60,000.00 passes, 60,000.01 does not
    assert check([ItemIn("food", "a", "30000"), ItemIn("food", "b", "30000")])[1] == {}
    problems = check([ItemIn("food", "a", "30000"), ItemIn("food", "b", "30000.01")])[1]
    assert problems["items"] == [
        "Food and drinks comes to 60,000.01 baht, above its limit of 30 % of the budget "
        "(60,000.00 baht)."
    ]


def test_total_above_the_allocation():
    problems = check([ItemIn("materials", "a", "200000.01")])[1]
    assert "more than the community's budget of 200,000.00 baht" in problems["items"][0]


def test_every_item_problem_is_reported_with_its_row():
    problems = check(
        [
            ItemIn("", "a", "1"),
            ItemIn("nope", "b", "1"),
            ItemIn("food", " ", "1"),
            ItemIn("food", "d", "-1"),
            ItemIn("food", "e", "1.234"),
        ]
    )[1]
    assert set(problems) == {
        "items.1.category",
        "items.2.category",
        "items.3.description",
        "items.4.amount",
        "items.5.amount",
    }


@given(st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=8))
def test_totals_are_exact(satang):
    items = [ItemIn("materials", f"item {n}", f"{s / 100:.2f}") for n, s in enumerate(satang)]
    allocated = Decimal(sum(satang)) / 100
    checked, problems = domain.check_items(
        items, categories=CATEGORIES, refused=[], allocated=allocated
    )
    assert problems == {}
    assert sum(i.amount for i in checked) == allocated


WINDOW = PaymentWindow.of(2567, date(2025, 3, 31))


@pytest.mark.parametrize(
    ("paid_on", "against"),
    [
        (date(2023, 10, 1), "year"),
        (date(2024, 9, 30), "year"),
        (date(2024, 10, 1), "carry_over"),
        (date(2025, 3, 31), "carry_over"),
    ],
)
def test_payment_window(paid_on, against):
    assert WINDOW.against(paid_on) == against


@pytest.mark.parametrize(
    ("window", "paid_on", "words"),
    [
        (WINDOW, date(2023, 9, 30), "outside the fiscal year"),
        (WINDOW, date(2025, 4, 1), "after the carry-over deadline"),
        (PaymentWindow.of(2567, None), date(2024, 10, 1), "outside the fiscal year"),
    ],
)
def test_payment_window_refusals(window, paid_on, words):
    with pytest.raises(ValidationError) as caught:
        window.against(paid_on)
    message = caught.value.message_dict["paid_on"][0]
    assert words in message
    assert "2566" in message or "2567" in message or "2568" in message  # shown in B.E.


def test_source_figures_round_half_up_once():
    fy2567 = Figures(
        communities_budgeted=2009,
        amount_budgeted=Decimal("401800000"),
        communities_transferred=2007,
        amount_transferred=Decimal("401400000"),
        communities_applied=1806,
        amount_disbursed=Decimal("50000000.00"),
        amount_carried_over=Decimal("6629803.70"),
    )
    assert fy2567.applied_pct == Decimal("89.99")  # 89.985..., the source truncated to 89.98
    assert fy2567.spent_and_carried == Decimal("56629803.70")
    assert fy2567.spent_and_carried_pct == Decimal("14.11")
    assert fy2567.not_applied == 201
    fy2566 = Figures(amount_transferred=Decimal("403000000"), amount_disbursed=Decimal("196936496"))
    assert fy2566.spent_and_carried_pct == Decimal("48.87")
    assert Figures().applied_pct is None
