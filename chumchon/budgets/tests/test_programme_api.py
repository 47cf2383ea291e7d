"""The programme API: create, allocate, transfer, list, drop, close; amounts as strings;
validation errors name their fields."""

from __future__ import annotations

import pytest

from chumchon.communities.tests.factories import make_community

from .factories import make_programme

pytestmark = pytest.mark.django_db
API = "/api/v1/budget-programmes/"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_create_allocate_transfer_and_list(clients):
    client = clients["central_officer"]
    community = make_community()
    response = post(
        client,
        API,
        {
            "fiscal_year": 2567,
            "name_th": "โครงการ API",
            "budget_code": "50101000",
            "amount_per_community": 200000,
            "community_types": [],
            "owner_area": "BKK",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount_per_community"] == "200000.00"
    pid = body["id"]
    response = post(client, f"{API}{pid}/allocate", {"as_of": "2023-11-01"})
    assert response.status_code == 200, response.json()
    assert response.json()["allocated"] >= 1
    response = post(
        client,
        f"{API}{pid}/transfers",
        {
            "district_code": "1001",
            "transferred_on": "2023-12-01",
            "community_codes": [community.area.code],
            "reference": "x",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "200000.00"
    assert client.get(f"{API}{pid}/transfers").json()["count"] == 1
    rows = client.get(f"{API}{pid}/allocations?status=transferred").json()
    assert rows["count"] == 1 and rows["items"][0]["amount"] == "200000.00"
    assert client.get(f"{API}?fiscal_year=2567&q=API").json()["count"] == 1


def test_amount_with_three_decimals_is_refused_naming_the_field(clients):
    response = post(
        clients["central_officer"],
        API,
        {"fiscal_year": 2567, "name_th": "x", "budget_code": "1", "amount_per_community": 1.005},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"amount_per_community"}


def test_district_officer_cannot_create_or_transfer(clients):
    programme = make_programme()
    client = clients["district_officer"]
    assert post(client, API, {}).status_code == 403
    assert post(client, f"{API}{programme.pk}/transfers", {}).status_code == 403


def test_transfer_refusal_names_community_codes(clients):
    programme = make_programme()
    response = post(
        clients["central_officer"],
        f"{API}{programme.pk}/transfers",
        {"district_code": "1001", "transferred_on": "2023-12-01", "community_codes": ["NOPE"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "community_codes"


def test_close_before_year_end_is_422(clients):
    programme = make_programme()
    response = post(
        clients["central_officer"], f"{API}{programme.pk}/close", {"closed_on": "2024-01-01"}
    )
    assert response.status_code == 422
    assert "closed_on" in {e["field"] for e in response.json()["errors"]}
