"""The households API: a community's list, the scoped list, create, read, edit, move."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY

from .. import services
from ..models import Household, Move, Person
from ..services import community_dissolve
from .factories import (
    community_for_area,
    make_community,
    make_household,
    make_person,
    valid_national_id,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clients):
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def other(communities):
    return community_for_area(communities[OTHER_COMMUNITY])


@pytest.fixture
def home(own):
    household = make_household(own, house_no="12/3", house_code="1001-23456-78")
    make_person(household, relation="head", first_name="สมศักดิ์", last_name="รักดี")
    make_person(household, relation="child", first_name="สมหญิง", last_name="รักดี")
    return household


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- lists ---------------------------------------------------------------------------------


def test_community_households_list_head_and_member_count(api, own, home):
    make_household(own, house_no="14")
    response = api["committee_member"].get(f"/api/v1/communities/{own.pk}/households/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["house_no"] == "12/3" and first["house_code"] == "10012345678"
    assert first["head_name"] == "สมศักดิ์ รักดี" and first["member_count"] == 2
    assert first["community_code"] == OWN_COMMUNITY
    assert body["items"][1]["member_count"] == 0 and body["items"][1]["head_name"] == ""


def test_community_households_outside_reach_is_404(api, other):
    make_household(other)
    url = f"/api/v1/communities/{other.pk}/households/"
    assert api["district_officer"].get(url).status_code == 404
    assert api["committee_member"].get(url).status_code == 404
    assert api["central_officer"].get(url).status_code == 200


def test_households_list_is_scoped_and_filtered(api, own, other, home):
    make_household(other, house_no="99")
    officer = api["district_officer"]
    body = officer.get("/api/v1/households/").json()
    assert [h["id"] for h in body["items"]] == [home.pk]
    central = api["central_officer"]
    assert central.get("/api/v1/households/").json()["count"] == 2
    assert central.get(f"/api/v1/households/?community_id={other.pk}").json()["count"] == 1
    assert central.get("/api/v1/households/?house_no=๑๒/๓").json()["count"] == 1
    found = central.get("/api/v1/households/?house_code=1001 2345 678").json()
    assert [h["id"] for h in found["items"]] == [home.pk]
    bad = central.get("/api/v1/households/?house_code=123")
    assert bad.status_code == 422 and "house_code" in fields(bad)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/households/", "/api/v1/communities/{community}/households/"],
)
def test_household_lists_run_a_constant_number_of_queries(api, own, url):
    client = api["district_officer"]
    url = url.format(community=own.pk)

    def grow(n):
        for _ in range(n):
            household = make_household(own)
            make_person(household, relation="head")
            make_person(household, relation="spouse")

    grow(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).json()["count"] == 8
    assert len(large) == len(small)


# --- create --------------------------------------------------------------------------------


def test_create_household_in_own_community(api, own):
    response = post(
        api["district_officer"],
        "/api/v1/households/",
        {
            "community_id": own.pk,
            "house_no": " ๔๕/๑ ",
            "house_code": "๑๐๐๑-๐๐๐๐๐-๑๒",
            "tenure": "rent",
            "condition": "fair",
        },
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["house_no"] == "45/1" and item["house_code"] == "10010000012"
    assert item["tenure"] == "rent" and item["members"] == [] and item["member_count"] == 0


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"house_code": "123"}, "house_code", "A house registration code has 11 digits."),
        ({"house_no": " "}, "house_no", "Enter the house number."),
        ({"tenure": "castle"}, "tenure", ""),
        ({"community_id": 999999}, "community_id", "No community with id 999999."),
    ],
)
def test_create_household_refuses_bad_input(api, own, change, field, message):
    data = {"community_id": own.pk, "house_no": "1", **change}
    response = post(api["district_officer"], "/api/v1/households/", data)
    assert response.status_code == 422, response.content
    assert fields(response)[field].startswith(message)
    assert not Household.objects.exists()


def test_create_household_refuses_a_duplicate_house_number_and_a_dissolved_community(
    api, own, role_users
):
    make_household(own, house_no="7")
    response = post(
        api["district_head"], "/api/v1/households/", {"community_id": own.pk, "house_no": "7"}
    )
    assert response.status_code == 422 and "house_no" in fields(response)
    from datetime import date

    community_dissolve(
        actor=role_users["district_head"],
        community=own,
        dissolved_on=date(2024, 1, 1),
        announcement_no="1/2567",
        reason="ยุบรวม",
    )
    response = post(
        api["district_head"], "/api/v1/households/", {"community_id": own.pk, "house_no": "8"}
    )
    assert response.status_code == 422
    assert "dissolved" in fields(response)["community_id"]


def test_create_household_outside_reach_is_unknown_and_without_role_403(api, own, other):
    data = {"community_id": other.pk, "house_no": "1"}
    response = post(api["district_officer"], "/api/v1/households/", data)
    assert response.status_code == 422
    assert fields(response) == {"community_id": f"No community with id {other.pk}."}
    data = {"community_id": own.pk, "house_no": "1"}
    assert post(api["committee_member"], "/api/v1/households/", data).status_code == 403
    assert post(api["zone_officer"], "/api/v1/households/", data).status_code == 403
    assert not Household.objects.exists()


# --- read ----------------------------------------------------------------------------------


def test_get_household_lists_members_with_masked_ids(api, home):
    response = api["district_officer"].get(f"/api/v1/households/{home.pk}")
    assert response.status_code == 200
    item = response.json()
    assert item["head_name"] == "สมศักดิ์ รักดี" and item["member_count"] == 2
    head, child = item["members"]
    assert head["relation"] == "head" and head["in_house_registration"] is True
    assert "-xxxxx-xx-" in head["national_id_masked"]
    for person in home.people.all():
        assert person.national_id not in response.text


def test_committee_member_sees_members_without_ids(api, home):
    response = api["committee_member"].get(f"/api/v1/households/{home.pk}")
    assert response.status_code == 200
    assert [m["national_id_masked"] for m in response.json()["members"]] == [None, None]


def test_committee_member_gets_no_poverty_status_or_reason(api, own, home):
    services.household_set_poverty_override(
        actor=None, household=home, poor=True, reason="รายได้ต่ำกว่าเกณฑ์ ตรวจเยี่ยมแล้ว"
    )
    urls = [
        f"/api/v1/households/{home.pk}",
        "/api/v1/households/",
        f"/api/v1/communities/{own.pk}/households/",
    ]
    for url in urls:
        for actor, poor, reason in (
            ("committee_member", None, None),
            ("district_officer", True, "รายได้ต่ำกว่าเกณฑ์ ตรวจเยี่ยมแล้ว"),
        ):
            response = api[actor].get(url)
            assert response.status_code == 200, (actor, url)
            body = response.json()
            item = body["items"][0] if "items" in body else body
            assert (item["poor_override"], item["poor_override_reason"]) == (poor, reason)
            if actor == "committee_member":
                assert "รายได้ต่ำกว่าเกณฑ์" not in response.text


def test_get_household_outside_reach_is_404(api, other):
    household = make_household(other)
    assert api["district_officer"].get(f"/api/v1/households/{household.pk}").status_code == 404
    assert api["central_officer"].get(f"/api/v1/households/{household.pk}").status_code == 200


# --- edit ----------------------------------------------------------------------------------


def test_patch_household_changes_the_fields_sent_and_the_poverty_override(api, home):
    url = f"/api/v1/households/{home.pk}"
    response = patch(api["district_officer"], url, {"condition": "poor", "address": "ซอย 5"})
    assert response.status_code == 200, response.content
    assert response.json()["condition"] == "poor" and response.json()["house_no"] == "12/3"
    response = patch(
        api["district_officer"],
        url,
        {"poor_override": True, "poor_override_reason": "รายได้ต่ำกว่าเกณฑ์ ตรวจเยี่ยมแล้ว"},
    )
    assert response.status_code == 200 and response.json()["poor_override"] is True
    response = patch(api["district_officer"], url, {"poor_override": False})
    assert response.status_code == 422 and "poor_override_reason" in fields(response)


def test_patch_household_is_all_or_nothing(api, home):
    url = f"/api/v1/households/{home.pk}"
    response = patch(api["district_officer"], url, {"condition": "poor", "poor_override": True})
    assert response.status_code == 422
    home.refresh_from_db()
    assert home.condition == "" and home.poor_override is None


def test_patch_household_refuses_a_code_used_elsewhere(api, own, home):
    second = make_household(own, house_no="20")
    response = patch(
        api["district_officer"], f"/api/v1/households/{second.pk}", {"house_code": "10012345678"}
    )
    assert response.status_code == 422 and "house_code" in fields(response)


def test_patch_household_needs_records_edit_in_reach(api, home, other):
    url = f"/api/v1/households/{home.pk}"
    assert patch(api["committee_member"], url, {"address": "x"}).status_code == 403
    assert patch(api["auditor"], url, {"address": "x"}).status_code == 403
    far = make_household(other)
    response = patch(api["district_officer"], f"/api/v1/households/{far.pk}", {"address": "x"})
    assert response.status_code == 404
    assert not Household.objects.filter(address="x").exists()


def test_household_ids_in_other_districts_are_not_personal_leaks(api, other):
    """A household id of another district answers 404 (GET) and 'unknown' (as a parent)."""
    far = make_household(other)
    make_person(far, relation="head", national_id=valid_national_id(424242))
    response = post(
        api["district_officer"],
        "/api/v1/people/",
        {"household_id": far.pk, "first_name": "ก", "missing_id_reason": "unknown"},
    )
    assert response.status_code == 422
    assert fields(response) == {"household_id": f"No household with id {far.pk}."}


# --- move ----------------------------------------------------------------------------------


def test_move_household_to_any_community_of_the_city(api, home, other):
    response = post(
        api["district_officer"],
        f"/api/v1/households/{home.pk}/move",
        {"to_community_id": other.pk, "moved_on": "2024-05-01", "reason": "ย้ายตามคำร้อง"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "household_id": home.pk,
        "masked_label": "House 12/3",
        "from_area_code": OWN_COMMUNITY,
        "to_area_code": OTHER_COMMUNITY,
        "moved_on": "2024-05-01",
    }
    home.refresh_from_db()
    assert home.community == other and home.area == other.area
    assert set(Person.objects.values_list("area__code", flat=True)) == {OTHER_COMMUNITY}
    line = Move.objects.get(household=home, person__isnull=True)
    assert line.from_path == "/BKK/BKK-01/1001/T-1001-01/" and line.reason == "ย้ายตามคำร้อง"
    assert api["district_officer"].get(f"/api/v1/households/{home.pk}").status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"moved_on": "2024-05-01"}, "to_community_id", "Choose the community"),
        ({"to_community_id": 999999, "moved_on": "2024-05-01"}, "to_community_id", "No community"),
        ({"to_community_id": "other"}, "moved_on", "Enter the date of the move."),
        ({"to_community_id": "other", "moved_on": "2999-01-01"}, "moved_on", "The date cannot"),
        ({"to_community_id": "own", "moved_on": "2024-05-01"}, "to_community_id", "The household"),
        (
            {"to_community_id": "dissolved", "moved_on": "2024-05-01"},
            "to_community_id",
            "The community is dissolved",
        ),
    ],
)
def test_move_household_refuses_bad_input(api, own, other, home, data, field, message):
    gone = make_community(code="MV-GONE", district="1004")
    community_dissolve(
        actor=None, community=gone, dissolved_on=date(2024, 1, 1), announcement_no="1", reason="x"
    )
    data = dict(data)
    named = {"own": own, "other": other, "dissolved": gone}
    if data.get("to_community_id") in named:
        data["to_community_id"] = named[data["to_community_id"]].pk
    response = post(api["district_officer"], f"/api/v1/households/{home.pk}/move", data)
    assert response.status_code == 422, response.content
    assert fields(response)[field].startswith(message)
    home.refresh_from_db()
    assert home.community == own and not Move.objects.exists()


def test_move_household_outside_reach_says_nothing_about_the_house_numbers_there(api, own, other):
    house = make_household(own, house_no="77")
    make_household(other, house_no="77")
    response = post(
        api["district_officer"],
        f"/api/v1/households/{house.pk}/move",
        {"to_community_id": other.pk, "moved_on": "2024-05-01"},
    )
    assert response.status_code == 422
    errors = fields(response)
    assert list(errors) == ["to_community_id"]
    assert "already has a household" not in errors["to_community_id"]
    assert errors["to_community_id"].startswith("The household cannot be moved into this")


def test_move_household_within_reach_names_a_clashing_house_number(api, own):
    near = make_community(code="MV-NEAR", district="1001")
    make_household(near, house_no="77")
    house = make_household(own, house_no="77")
    response = post(
        api["district_officer"],
        f"/api/v1/households/{house.pk}/move",
        {"to_community_id": near.pk, "moved_on": "2024-05-01"},
    )
    assert response.status_code == 422
    assert fields(response) == {
        "house_no": "This community already has a household with this house number."
    }


def test_move_household_needs_records_edit_on_the_source(api, home, other):
    data = {"to_community_id": other.pk, "moved_on": "2024-05-01"}
    url = f"/api/v1/households/{home.pk}/move"
    assert post(api["committee_member"], url, data).status_code == 403
    assert post(api["zone_officer"], url, data).status_code == 403
    far = make_household(other)
    assert (
        post(api["district_officer"], f"/api/v1/households/{far.pk}/move", data).status_code == 404
    )
    assert not Move.objects.exists()
