"""The surplus relay's API: donors, donations (the source's figures, rounded once), distributions,
the public impact totals, refusals with nothing saved, scoping."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ..models import Distribution, Donor, SurplusDonation
from .factories import make_donation, make_donor

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(f"/api/v1{url}", data=json.dumps(body), content_type="application/json")


def get(client, url):
    return client.get(f"/api/v1{url}")


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def officer(clients):
    return clients["district_officer"]


# --- donors ------------------------------------------------------------------------------------


def test_create_donor_answers_201_with_id(officer):
    r = post(
        officer, "/foodbank/donors/", {"district_code": "1001", "name": "ตลาด", "kind": "market"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["id"] == Donor.objects.get().pk and r.json()["area_code"] == "1001"


def test_city_donor_by_central_officer_not_by_district_officer(clients, officer):
    r = post(
        clients["central_officer"],
        "/foodbank/donors/",
        {"area_code": "BKK", "name": "เชน", "kind": "business"},
    )
    assert r.status_code == 201, r.content
    r = post(officer, "/foodbank/donors/", {"area_code": "BKK", "name": "เชน", "kind": "business"})
    assert r.status_code == 403


def test_create_donor_outside_reach_404_and_bad_input_422(officer):
    assert (
        post(
            officer, "/foodbank/donors/", {"district_code": "1004", "name": "x", "kind": "market"}
        ).status_code
        == 404
    )
    r = post(officer, "/foodbank/donors/", {"district_code": "1001", "name": "", "kind": "x"})
    assert r.status_code == 422 and {"name", "kind"} <= fields(r)
    assert not Donor.objects.exists()


def test_donor_list_scoped_and_city_donors_visible(officer, communities):
    mine = make_donor("1001")
    make_donor("1004")
    city = make_donor("BKK")
    r = get(officer, "/foodbank/donors/")
    assert r.status_code == 200
    assert {d["id"] for d in r.json()["items"]} == {mine.pk, city.pk}
    assert get(officer, f"/foodbank/donors/{city.pk}").status_code == 200


# --- donations ---------------------------------------------------------------------------------

SOURCE = [  # 295,043.307 kg between 1 Oct and 30 Nov 2024, in two districts
    ("1001", "2024-10-01", "100000.5"),
    ("1001", "2024-10-15", 45000.125),
    ("1004", "2024-11-02", "90000.682"),
    ("1004", "2024-11-30", "60042"),
]


def test_source_figures_through_the_api_exactly(clients):
    central = clients["superuser"]
    ids = []
    for code, on, kg in SOURCE:
        donor = make_donor(code)
        r = post(
            central,
            "/foodbank/surplus-donations/",
            {"district_code": code, "donor_id": donor.pk, "donated_on": on, "weight_kg": kg},
        )
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    r = get(central, "/foodbank/impact?from=2024-10-01&to=2024-11-30")
    assert r.status_code == 200
    body = r.json()
    assert body["weight_kg"] == "295043.31"
    assert body["meals"] == "1239181.89"
    assert body["kgco2e"] == "746459.57"
    assert body["donations"] == 4 and body["donors"] == 4 and body["people_served"] == 0
    assert body["area"] == "BKK" and body["from"] == "2024-10-01"


def test_totals_round_once_not_the_sum_of_rounded_donations(clients, communities):
    # 0.001 kg x 4.2 = 0.0042 meals: each donation rounds to 0.00, three together 0.0126 -> 0.01
    for _n in range(3):
        make_donation("1001", kg="0.001", on=date(2024, 10, 5))
    body = get(
        clients["anonymous"], "/foodbank/impact?from=2024-10-01&to=2024-10-31&area=1001"
    ).json()
    assert body["meals"] == "0.01"
    per_donation = get(clients["superuser"], "/foodbank/surplus-donations/?district=1001").json()
    assert {item["meals"] for item in per_donation["items"]} == {"0.00"}


def test_donation_answers_number_weight_meals_kgco2e(officer):
    donor = make_donor("1001")
    today = timezone.localdate().isoformat()
    r = post(
        officer,
        "/foodbank/surplus-donations/",
        {
            "district_code": "1001",
            "donor_id": donor.pk,
            "donated_on": today,
            "weight_kg": "12.345",
            "categories": [
                {"category": "bakery", "weight_kg": "2.345"},
                {"category": "cooked", "weight_kg": 10},
            ],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["number"], body["weight_kg"], body["meals"], body["kgco2e"]) == (
        1,
        "12.345",
        "51.85",
        "31.23",
    )
    assert len(body["categories"]) == 2


@pytest.mark.parametrize("weight", [0, -1, "abc", "1.2345", 12.3456, True, None, "-0.5"])
def test_bad_weights_refused_422_nothing_saved(officer, weight):
    donor = make_donor("1001")
    r = post(
        officer,
        "/foodbank/surplus-donations/",
        {
            "district_code": "1001",
            "donor_id": donor.pk,
            "donated_on": timezone.localdate().isoformat(),
            "weight_kg": weight,
        },
    )
    assert r.status_code == 422 and "weight_kg" in fields(r)
    assert not SurplusDonation.objects.exists()


def test_categories_not_summing_refused(officer):
    donor = make_donor("1001")
    r = post(
        officer,
        "/foodbank/surplus-donations/",
        {
            "district_code": "1001",
            "donor_id": donor.pk,
            "donated_on": timezone.localdate().isoformat(),
            "weight_kg": "10",
            "categories": [{"category": "bakery", "weight_kg": "9"}],
        },
    )
    assert r.status_code == 422 and "categories" in fields(r)
    assert not SurplusDonation.objects.exists()


def test_donation_before_any_factor_refused(officer):
    donor = make_donor("1001")
    r = post(
        officer,
        "/foodbank/surplus-donations/",
        {
            "district_code": "1001",
            "donor_id": donor.pk,
            "donated_on": "1999-12-31",
            "weight_kg": "1",
        },
    )
    assert r.status_code == 422
    assert any(e["field"] == "donated_on" and "2542" in e["message"] for e in r.json()["errors"])


def test_donation_scoping(clients, officer):
    donor = make_donor("1004")
    body = {
        "district_code": "1004",
        "donor_id": donor.pk,
        "donated_on": timezone.localdate().isoformat(),
        "weight_kg": "1",
    }
    assert post(officer, "/foodbank/surplus-donations/", body).status_code == 404
    body["district_code"] = "1001"
    assert post(clients["zone_officer"], "/foodbank/surplus-donations/", body).status_code == 403
    assert (
        post(clients["committee_member"], "/foodbank/surplus-donations/", body).status_code == 403
    )
    other = make_donation("1004")
    assert get(officer, f"/foodbank/surplus-donations/{other.pk}").status_code == 404
    assert get(officer, "/foodbank/surplus-donations/").json()["count"] == 0


def test_cancel_donation_needs_reason(officer):
    d = make_donation("1001")
    r = post(officer, f"/foodbank/surplus-donations/{d.pk}/cancel", {})
    assert r.status_code == 422 and "reason" in fields(r)
    r = post(officer, f"/foodbank/surplus-donations/{d.pk}/cancel", {"reason": "ซ้ำ"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


# --- distributions -----------------------------------------------------------------------------


def test_distribution_within_what_the_district_holds(officer):
    today = timezone.localdate()
    make_donation("1001", kg="10", on=today - timedelta(days=2))
    body = {
        "district_code": "1001",
        "distributed_on": today.isoformat(),
        "recipient_kind": "shelter",
        "recipient_name": "บ้านพัก",
        "weight_kg": "10.001",
        "headcount": 3,
    }
    r = post(officer, "/foodbank/distributions/", body)
    assert r.status_code == 422 and "weight_kg" in fields(r)
    assert not Distribution.objects.exists()
    body["weight_kg"] = "10"
    r = post(officer, "/foodbank/distributions/", body)
    assert r.status_code == 201, r.content
    assert r.json()["weight_kg"] == "10.000" and r.json()["headcount"] == 3
    # backdated before the food arrived
    body.update(weight_kg="1", distributed_on=(today - timedelta(days=3)).isoformat())
    assert post(officer, "/foodbank/distributions/", body).status_code == 422


def test_distribution_to_community_by_code_and_people_served(officer, communities):
    from chumchon.communities.tests.factories import community_for_area

    community_for_area(communities["T-1001-01"])
    make_donation("1001", kg="50")
    r = post(
        officer,
        "/foodbank/distributions/",
        {
            "district_code": "1001",
            "distributed_on": timezone.localdate().isoformat(),
            "recipient_kind": "community",
            "community_code": "T-1001-01",
            "weight_kg": 20,
            "headcount": 40,
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["community_code"] == "T-1001-01"
    today = timezone.localdate().isoformat()
    body = get(officer, f"/foodbank/impact?from={today}&to={today}&area=1001").json()
    assert body["people_served"] == 40
    assert get(officer, "/foodbank/distributions/").json()["count"] == 1


# --- public impact -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,field",
    [
        ("to=2024-10-01", "from"),
        ("from=2024-10-01", "to"),
        ("from=2024-13-01&to=2024-12-01", "from"),
        ("from=2024-12-01&to=2024-10-01", "from"),
        ("from=2024-10-01&to=2024-12-01&area=NOPE", "area"),
        ("from=01/10/2567&to=2024-12-01", "from"),
    ],
)
def test_public_impact_bad_query_422_names_the_field(client, query, field):
    r = client.get(f"/api/v1/foodbank/impact?{query}")
    assert r.status_code == 422
    assert field in fields(r)


def test_public_impact_without_login_by_zone(client, communities):
    make_donation("1001", kg="1.5", on=date(2024, 10, 5))
    make_donation("1004", kg="2", on=date(2024, 10, 5))
    zone = client.get("/api/v1/foodbank/impact?from=2024-10-01&to=2024-10-31&area=BKK-01").json()
    assert zone["weight_kg"] == "1.50" and zone["donations"] == 1
    city = client.get("/api/v1/foodbank/impact?from=2024-10-01&to=2024-10-31").json()
    assert city["weight_kg"] == "3.50" and city["meals"] == "14.70" and city["kgco2e"] == "8.86"
