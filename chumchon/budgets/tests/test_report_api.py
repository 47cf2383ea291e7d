"""GET /api/v1/budget-programmes/{id}/summary?area=CODE: the exact keys, amounts and
percentages as strings with 2 decimals, the default area, scoping and the unknown area."""

from __future__ import annotations

import pytest

from . import test_selectors

pytestmark = pytest.mark.django_db
scenario = test_selectors.scenario  # the shared records

REQUIRED = {
    "communities_budgeted",
    "amount_budgeted",
    "communities_transferred",
    "amount_transferred",
    "communities_applied",
    "applied_pct",
    "communities_approved",
    "amount_approved",
    "amount_disbursed",
    "amount_carried_over",
    "amount_returned",
    "spent_and_carried_pct",
}


def url(programme) -> str:
    return f"/api/v1/budget-programmes/{programme.pk}/summary"


def test_the_summary_defaults_to_the_city_with_strings_of_two_decimals(clients, scenario):
    response = clients["central_officer"].get(url(scenario["programme"]))
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= REQUIRED
    assert body["area"] == "BKK"
    assert body["communities_budgeted"] == 4
    assert body["amount_budgeted"] == "800000.00"
    assert body["communities_transferred"] == 3
    assert body["amount_transferred"] == "600000.00"
    assert body["communities_applied"] == 2
    assert body["applied_pct"] == "66.67"
    assert body["communities_approved"] == 1
    assert body["amount_approved"] == "150000.00"
    assert body["amount_disbursed"] == "100000.00"
    assert body["amount_carried_over"] == "40000.00"
    assert body["amount_paid_from_carry_over"] == "30000.00"
    assert body["amount_returned"] == "200000.00"
    assert body["spent_and_carried_pct"] == "23.33"
    assert body["communities_dropped"] == 1
    assert body["applications_waiting"] == 1 and body["payments_waiting"] == 1


def test_the_summary_of_a_district(clients, scenario):
    body = clients["zone_officer"].get(url(scenario["programme"]), {"area": "1001"}).json()
    assert body["area"] == "1001"
    assert (body["applied_pct"], body["spent_and_carried_pct"]) == ("50.00", "35.00")


def test_a_district_officer_without_area_gets_their_own_district(clients, scenario):
    body = clients["district_officer"].get(url(scenario["programme"])).json()
    assert body["area"] == "1001"
    assert body["amount_transferred"] == "400000.00"


@pytest.mark.parametrize("area", ["BKK", "1004", "T-1004-01"])
def test_an_area_outside_reach_is_404(clients, scenario, area):
    response = clients["district_officer"].get(url(scenario["programme"]), {"area": area})
    assert response.status_code == 404
    assert "NOPE" not in response.json()["message"]


def test_an_unknown_area_is_404_naming_the_code(clients, scenario):
    response = clients["central_officer"].get(url(scenario["programme"]), {"area": "NOPE"})
    assert response.status_code == 404
    body = response.json()
    assert "NOPE" in body["message"]
    assert body["errors"][0]["field"] == "area"


def test_an_area_without_transfers_answers_null_percentages(clients, scenario):
    body = clients["central_officer"].get(url(scenario["programme"]), {"area": "1050"}).json()
    assert body["amount_transferred"] == "0.00"
    assert body["applied_pct"] is None and body["spent_and_carried_pct"] is None


def test_an_unknown_programme_is_404_and_a_committee_member_403(clients, scenario):
    assert (
        clients["central_officer"].get("/api/v1/budget-programmes/999999/summary").status_code
        == 404
    )
    assert clients["committee_member"].get(url(scenario["programme"])).status_code == 403


def test_anonymous_callers_get_401(clients, scenario):
    assert clients["anonymous"].get(url(scenario["programme"])).status_code == 401
