"""The beneficiaries API: register (by national ID, refused outside the district), list (scoped,
constant queries), detail, assessments, awards (a beneficiary of another district is 422 naming
beneficiary_id, even for a caller who reads it), allowances, the points history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.communities.tests.factories import community_for_area, make_person, valid_national_id

from .. import ledger
from ..models import Allowance, Assessment, Award, Beneficiary, PointEntry
from .factories import make_award, make_beneficiary, make_store, robot

pytestmark = pytest.mark.django_db

API = "/api/v1/foodbank"
SCORES = {"income": 1, "dependants": 2, "health": 3, "housing": 4, "food": 5, "crisis": 0}


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def store(communities):
    return make_store("1001")


@pytest.fixture
def officer(clients):
    return clients["district_officer"]


def test_register_by_national_id_answers_201_with_masked_id(store, communities, officer):
    national_id = valid_national_id()
    own = community_for_area(communities["T-1001-01"])
    make_person(area=own.area, national_id=national_id)
    response = post(
        officer,
        f"{API}/beneficiaries/",
        {"district_code": "1001", "kind": "person", "national_id": national_id},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["district_code"] == "1001"
    assert national_id not in response.content.decode()
    assert body["masked_national_id"].endswith(national_id[-1])


def test_register_a_person_of_another_district_is_422_and_nothing_saved(
    store, communities, officer
):
    other = community_for_area(communities["T-1004-01"])
    person = make_person(area=other.area)
    response = post(
        officer,
        f"{API}/beneficiaries/",
        {"district_code": "1001", "kind": "person", "person_id": person.pk},
    )
    assert response.status_code == 422 and fields(response) == {"person_id"}
    assert "เขตบางรัก" in response.json()["errors"][0]["message"]
    assert not Beneficiary.objects.exists()


def test_register_empty_body_names_the_fields_and_other_district_is_404(store, officer):
    response = post(officer, f"{API}/beneficiaries/")
    assert response.status_code == 422 and fields(response) == {"district_code", "kind"}
    response = post(officer, f"{API}/beneficiaries/", {"district_code": "1004", "kind": "person"})
    assert response.status_code == 404


def test_list_is_scoped_searchable_and_keeps_constant_queries(store, communities, clients):
    for n in range(3):
        make_award(make_beneficiary(store, first_name=f"ค้นหา{n}"), 10)
    make_beneficiary(
        make_store("1004"), person=make_person(area=store.area.__class__.objects.get(code="1004"))
    )
    officer = clients["district_officer"]
    with CaptureQueriesContext(connection) as small:
        body = officer.get(f"{API}/beneficiaries/").json()
    assert body["count"] == 3 and {i["district_code"] for i in body["items"]} == {"1001"}
    assert body["items"][0]["points"] == 10
    for n in range(6):
        make_award(make_beneficiary(store), 5)
    with CaptureQueriesContext(connection) as large:
        body = officer.get(f"{API}/beneficiaries/").json()
    assert body["count"] == 9 and len(large) == len(small)
    assert officer.get(f"{API}/beneficiaries/?q=ค้นหา1").json()["count"] == 1
    assert clients["central_officer"].get(f"{API}/beneficiaries/").json()["count"] == 10
    assert clients["committee_member"].get(f"{API}/beneficiaries/").json()["count"] == 0


def test_detail_and_points_history(store, officer):
    beneficiary = make_beneficiary(store)
    award = make_award(beneficiary, 100)
    ledger.post_points(
        actor=robot(), award=award, kind="redeem", points=-25, on=timezone.localdate()
    )
    body = officer.get(f"{API}/beneficiaries/{beneficiary.pk}").json()
    assert body["points"] == 75 and body["awards"][0]["left"] == 75
    assert body["may_redeem"] == [beneficiary.person.full_name]
    history = officer.get(f"{API}/beneficiaries/{beneficiary.pk}/points").json()
    assert [(e["points"], e["balance"]) for e in history["entries"]] == [(100, 100), (-25, 75)]
    assert history["balance"] == 75


def test_assessment_answers_201_and_422_naming_each_score(store, officer):
    beneficiary = make_beneficiary(store)
    url = f"{API}/beneficiaries/{beneficiary.pk}/assessments"
    bad = post(officer, url, {"scores": {**SCORES, "income": 9, "food": True}})
    assert bad.status_code == 422 and fields(bad) == {"scores.income", "scores.food"}
    assert not Assessment.objects.exists()
    good = post(officer, url, {"scores": SCORES, "note": "เยี่ยมบ้าน"})
    assert good.status_code == 201 and good.json()["total"] == 15


def test_award_answers_201(store, officer):
    beneficiary = make_beneficiary(store)
    response = post(
        officer,
        f"{API}/awards",
        {"district_code": "1001", "beneficiary_id": beneficiary.pk, "points": 200, "reason": "x"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["left"] == 200
    assert ledger.points_balance(beneficiary, timezone.localdate()) == 200


@pytest.mark.parametrize("actor", ["district_officer", "superuser"])
def test_award_to_a_beneficiary_of_another_district_is_422_naming_beneficiary_id(
    store, communities, clients, actor
):
    elsewhere = make_beneficiary(make_store("1004"))
    response = post(
        clients[actor],
        f"{API}/awards",
        {"district_code": "1001", "beneficiary_id": elsewhere.pk, "points": 10, "reason": "x"},
    )
    assert response.status_code == 422 and fields(response) == {"beneficiary_id"}
    assert not Award.objects.exists() and not PointEntry.objects.exists()


@pytest.mark.parametrize("points", [True, 1.5, "12.3", 0, -1, "สิบ"])
def test_award_points_read_as_typed(store, officer, points):
    beneficiary = make_beneficiary(store)
    response = post(
        officer,
        f"{API}/awards",
        {
            "district_code": "1001",
            "beneficiary_id": beneficiary.pk,
            "points": points,
            "reason": "x",
        },
    )
    assert response.status_code == 422 and fields(response) == {"points"}
    assert not Award.objects.exists()


def test_award_expiry_in_the_past_is_422(store, officer):
    beneficiary = make_beneficiary(store)
    response = post(
        officer,
        f"{API}/awards",
        {
            "district_code": "1001",
            "beneficiary_id": beneficiary.pk,
            "points": 5,
            "reason": "x",
            "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422 and fields(response) == {"expires_on"}


def test_allowance_answers_201_and_refuses_a_second_one(store, officer):
    beneficiary = make_beneficiary(store)
    url = f"{API}/beneficiaries/{beneficiary.pk}/allowances"
    body = {"points": 100, "starts_on": timezone.localdate().isoformat(), "reason": "x"}
    first = post(officer, url, body)
    assert first.status_code == 201 and first.json()["points"] == 100
    second = post(officer, url, body)
    assert second.status_code == 422 and fields(second) == {"beneficiary"}
    assert Allowance.objects.count() == 1


def test_reading_another_districts_beneficiary_is_404(store, communities, clients):
    elsewhere = make_beneficiary(make_store("1004"))
    assert clients["district_officer"].get(f"{API}/beneficiaries/{elsewhere.pk}").status_code == 404
    assert (
        clients["committee_member"]
        .get(f"{API}/beneficiaries/{make_beneficiary(store).pk}")
        .status_code
        == 403
    )
