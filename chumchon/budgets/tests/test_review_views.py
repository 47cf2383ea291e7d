"""Review fixes: amounts typed as JSON numbers or booleans answer 422 on the field itself (not
on pydantic's union members), and the allocation page's category caps follow the house
rounding and the service's own comparison."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ..models import Application, ApplicationItem, CarryOver, Disbursement
from ..views_applications import category_rows
from .factories import make_programme
from .test_application_api import api, body, other, own, programme, url  # noqa: F401
from .test_application_api import fields as app_fields
from .test_application_api import post as app_post
from .test_payment_api import API, approved, fields, post


@pytest.fixture
def payable(db, role_users):
    return approved(make_programme(carry_over_deadline=date(2025, 3, 31)), "T-1001-01", role_users)


@pytest.mark.parametrize("amount", [True, 100.555, [1], {"a": 1}])
def test_payment_amounts_of_the_wrong_json_type_answer_422_on_amount(payable, clients, amount):
    response = post(
        clients["district_officer"],
        f"{API}/applications/{payable.pk}/disbursements",
        {"paid_on": "2024-03-01", "amount": amount, "reference": "x"},
    )
    assert response.status_code == 422, response.content
    assert fields(response) == {"amount"}
    response = post(
        clients["district_head"],
        f"{API}/applications/{payable.pk}/carry-over",
        {"reserved_on": "2024-09-01", "amount": amount},
    )
    assert response.status_code == 422, response.content
    assert fields(response) == {"amount"}
    assert not Disbursement.objects.exists() and not CarryOver.objects.exists()


def test_a_payment_typed_as_a_json_number_with_2_decimals_is_read_as_typed(payable, clients):
    response = post(
        clients["district_officer"],
        f"{API}/applications/{payable.pk}/disbursements",
        {"paid_on": "2024-03-01", "amount": 100.5, "reference": "x"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "100.50"


def test_an_item_amount_true_is_not_one_baht(api, programme):  # noqa: F811
    items = body()["items"] + [{"category": "materials", "description": "สี", "amount": True}]
    response = app_post(api["district_officer"], url(programme), body(items=items))
    assert response.status_code == 422
    assert "items.3.amount" in app_fields(response)
    assert not Application.objects.exists() and not ApplicationItem.objects.exists()


def test_category_cap_rounds_half_up_and_over_matches_the_service():
    # 100.05 x 50 % = 50.025: the house rule shows 50.03; a total of 50.03 is above the exact
    # limit (the service refuses it), 50.02 is not
    category = SimpleNamespace(pk=1, max_share=Decimal("50"))
    application = SimpleNamespace(
        allocation=SimpleNamespace(amount=Decimal("100.05")),
        programme=SimpleNamespace(categories=SimpleNamespace(all=lambda: [category])),
    )

    def row(total):
        item = SimpleNamespace(category_id=1, amount=Decimal(total))
        return category_rows(application, [item])[0]

    assert row("50.02")["cap"] == Decimal("50.03")
    assert row("50.02")["over"] is False
    assert row("50.03")["over"] is True
