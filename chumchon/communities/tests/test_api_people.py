"""The people API: list, register, quick registration, read, edit, move, status, reveal;
masked IDs everywhere, nothing personal for committee members."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.models import RevealLog
from chumchon.core.national_id import format_national_id

from ..models import Move, Person
from ..services import community_dissolve
from .factories import (
    community_for_area,
    make_community,
    make_household,
    make_person,
    valid_national_id,
)

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"
THIRTEEN_DIGITS = re.compile(r"(?<!\d)\d{13}(?!\d)")


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
    return make_household(own, house_no="5")


@pytest.fixture
def head(home):
    return make_person(
        home,
        relation="head",
        national_id=valid_national_id(1017002307),
        first_name="สมศักดิ์",
        last_name="รักดี",
        birth_date=date(1950, 3, 1),
        disability_type="physical",
        disability_card="DC-1",
        sensitive_legal_basis="social_protection",
    )


@pytest.fixture
def far(other):
    return make_household(other, house_no="77")


@pytest.fixture
def near(communities):
    """A household in another community of the officer's own district (within reach)."""
    return make_household(make_community(code="MV-NEAR", district="1001"), house_no="3")


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def assert_no_full_id(response) -> None:
    assert not THIRTEEN_DIGITS.search(response.content.decode()), response.content


# --- list and read -------------------------------------------------------------------------


def test_list_shows_masked_ids_and_flags_to_officers(api, head, far):
    make_person(far, relation="head")
    response = api["district_officer"].get(PEOPLE)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["national_id_masked"] == (
        f"{head.national_id[0]}-{head.national_id[1:5]}-xxxxx-xx-{head.national_id[-1]}"
    )
    assert item["relation"] == "head" and item["in_house_registration"] is True
    assert item["household_id"] == head.household_id and item["area_code"] == OWN_COMMUNITY
    assert item["flags"]["elderly"] is True and item["flags"]["disability_type"] == "physical"
    assert_no_full_id(response)


def test_committee_member_gets_no_ids_and_no_flags(api, head):
    for url in (PEOPLE, f"{PEOPLE}{head.pk}"):
        response = api["committee_member"].get(url)
        assert response.status_code == 200
        item = response.json()["items"][0] if url == PEOPLE else response.json()
        assert item["first_name"] == "สมศักดิ์"
        assert item["national_id_masked"] is None and item["flags"] is None
        assert item["birth_date"] is None and item["phone"] is None and item["age"]
        assert "xxxxx-xx" not in response.text and "DC-1" not in response.text


def test_zone_officer_sees_masked_ids_but_no_flags(api, head):
    item = api["zone_officer"].get(f"{PEOPLE}{head.pk}").json()
    assert "-xxxxx-xx-" in item["national_id_masked"] and item["flags"] is None


def test_list_filters(api, own, home, head):
    second = make_household(own, house_no="6")
    make_person(second, relation="head", first_name="มานี")
    officer = api["district_officer"]

    def names(query):
        response = officer.get(f"{PEOPLE}?{query}")
        assert response.status_code == 200, response.content
        return {p["first_name"] for p in response.json()["items"]}

    assert names(f"household_id={home.pk}") == {"สมศักดิ์"}
    assert names(f"community_id={own.pk}") == {"สมศักดิ์", "มานี"}
    assert names("q=มาน") == {"มานี"}
    assert names("area_code=1001") == {"สมศักดิ์", "มานี"}
    assert names("status=deceased") == set()
    assert names("quick_registered=true") == set()
    bad = officer.get(f"{PEOPLE}?status=zombie")
    assert bad.status_code == 422 and "status" in fields(bad)


def test_people_list_runs_a_constant_number_of_queries(api, own):
    client = api["district_head"]

    def grow(n):
        for _ in range(n):
            household = make_household(own)
            make_person(household, relation="head")
            make_person(household, relation="child")

    grow(2)
    client.get(PEOPLE)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PEOPLE).status_code == 200
    grow(6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(PEOPLE).json()["count"] == 16
    assert len(large) == len(small)


def test_get_person_with_memberships_and_404_outside_reach(api, head, far):
    response = api["district_officer"].get(f"{PEOPLE}{head.pk}")
    assert response.status_code == 200
    item = response.json()
    assert item["memberships"][0]["house_no"] == "5" and item["memberships"][0]["until"] is None
    assert_no_full_id(response)
    stranger = make_person(far, relation="head")
    assert api["district_officer"].get(f"{PEOPLE}{stranger.pk}").status_code == 404
    assert api["committee_member"].get(f"{PEOPLE}{stranger.pk}").status_code == 404
    assert api["central_officer"].get(f"{PEOPLE}{stranger.pk}").status_code == 200


# --- register ------------------------------------------------------------------------------


def new_person(household, **extra):
    return {
        "household_id": household.pk,
        "national_id": "1-1017-00230-70-8",
        "prefix": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "sex": "ชาย",
        "birth_date": "1980-02-01",
        "relation": "หัวหน้าครัวเรือน",
        "in_house_registration": True,
        "since": "2015-06-01",
        "phone": "0812345678",
        **extra,
    }


def test_create_person_in_a_household(api, home):
    response = post(api["district_officer"], PEOPLE, new_person(home))
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["national_id_masked"] == "1-1017-xxxxx-xx-8"
    assert item["sex"] == "M" and item["relation"] == "head" and item["since"] == "2015-06-01"
    assert item["in_house_registration"] is True and item["community_id"] == home.community_id
    assert_no_full_id(response)
    person = Person.objects.get(pk=item["id"])
    assert person.national_id == "1101700230708"


def test_create_person_with_welfare_flags_needs_the_legal_basis(api, home):
    data = new_person(home, bedridden=True, disability_type="visual")
    response = post(api["district_officer"], PEOPLE, data)
    assert response.status_code == 422
    assert "legal basis" in fields(response)["sensitive_legal_basis"]
    response = post(api["district_officer"], PEOPLE, {**data, "sensitive_legal_basis": "consent"})
    assert response.status_code == 201
    flags = response.json()["flags"]
    assert flags["bedridden"] is True and flags["disability_type"] == "visual"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"national_id": "1101700230709"}, "national_id", "“1101700230709” is not a national"),
        ({"national_id": "12345"}, "national_id", "“12345” is not a national ID number: it has"),
        ({"national_id": "", "missing_id_reason": ""}, "missing_id_reason", "Enter the nati"),
        ({"missing_id_reason": "lost", "national_id": ""}, "missing_id_reason", ""),
        ({"first_name": " "}, "first_name", "Enter the first name."),
        ({"sex": "X"}, "sex", "“X” is not a sex"),
        ({"relation": "เพื่อนบ้าน"}, "relation", "“เพื่อนบ้าน” is not a relation"),
        ({"birth_date": "2999-01-01"}, "birth_date", "The date cannot be in the future."),
        ({"birth_date": "1/2/2523"}, "birth_date", "Enter a date as YYYY-MM-DD"),
        ({"since": "2999-01-01"}, "since", "The date cannot be in the future."),
        ({"household_id": None}, "household_id", "Give household_id"),
        ({"household_id": 999999}, "household_id", "No household with id 999999."),
    ],
)
def test_create_person_refuses_bad_input_naming_the_field(api, home, change, field, message):
    response = post(api["district_officer"], PEOPLE, new_person(home, **change))
    assert response.status_code == 422, response.content
    errors = fields(response)
    assert field in errors, errors
    assert errors[field].startswith(message)
    assert not Person.objects.exists()


def test_create_person_refuses_a_duplicate_id_and_a_second_head(api, home, head):
    response = post(api["district_officer"], PEOPLE, new_person(home, national_id=head.national_id))
    assert response.status_code == 422
    assert fields(response)["national_id"] == (
        "A person with this national ID is already registered."
    )
    response = post(api["district_officer"], PEOPLE, new_person(home))
    assert response.status_code == 422
    assert fields(response)["relation"] == "This household already has a head."
    assert Person.objects.count() == 1


def test_create_person_known_to_a_district_only(api):
    data = {"area_code": "1001", "first_name": "ดวงใจ", "missing_id_reason": "foreign"}
    response = post(api["district_officer"], PEOPLE, data)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["household_id"] is None and item["area_code"] == "1001"
    assert item["national_id_masked"] == "" and item["in_house_registration"] is None


def test_create_person_in_an_area_outside_reach_is_403_and_unknown_area_422(api):
    data = {"area_code": "1004", "first_name": "ดวงใจ", "missing_id_reason": "foreign"}
    response = post(api["district_officer"], PEOPLE, data)
    assert response.status_code == 403 and "area_code" in fields(response)
    response = post(api["district_officer"], PEOPLE, {**data, "area_code": "NOPE"})
    assert response.status_code == 422
    assert fields(response) == {"area_code": "Unknown district or community “NOPE”."}
    assert not Person.objects.exists()


def test_create_person_in_another_districts_household_is_422_and_without_role_403(api, home, far):
    response = post(api["district_officer"], PEOPLE, new_person(far))
    assert response.status_code == 422
    assert fields(response) == {"household_id": f"No household with id {far.pk}."}
    for actor in ("committee_member", "zone_officer", "auditor"):
        assert post(api[actor], PEOPLE, new_person(home)).status_code == 403
        assert post(api[actor], PEOPLE, {}).status_code == 403
    assert not Person.objects.exists()


# --- quick registration --------------------------------------------------------------------


def test_quick_registration_of_a_minimal_person(api):
    response = post(
        api["district_officer"],
        f"{PEOPLE}quick",
        {"area_code": "1001", "first_name": "ลุงดำ", "approximate_age": 62, "sex": "M"},
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["quick_registered"] is True and item["missing_id_reason"] == "unknown"
    assert item["birth_year_estimated"] is True and item["age"] in (61, 62)
    assert item["household_id"] is None and item["in_house_registration"] is None
    assert item["flags"]["elderly"] in (True, False)
    listed = api["district_officer"].get(f"{PEOPLE}?quick_registered=true").json()
    assert [p["id"] for p in listed["items"]] == [item["id"]]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"area_code": "1001", "first_name": "ก", "approximate_age": 200}, "approximate_age"),
        ({"area_code": "1001", "first_name": ""}, "first_name"),
        ({"first_name": "ก"}, "area_code"),
        ({"area_code": "1001", "first_name": "ก", "missing_id_reason": "lost"}, None),
    ],
)
def test_quick_registration_refuses_bad_input(api, data, field):
    response = post(api["district_officer"], f"{PEOPLE}quick", data)
    assert response.status_code == 422
    if field:
        assert field in fields(response)
    assert not Person.objects.exists()


def test_quick_registration_needs_records_edit_there(api):
    data = {"area_code": "1001", "first_name": "ก"}
    assert post(api["committee_member"], f"{PEOPLE}quick", data).status_code == 403
    assert post(api["central_officer"], f"{PEOPLE}quick", data).status_code == 403
    data = {"area_code": "1004", "first_name": "ก"}
    assert post(api["district_officer"], f"{PEOPLE}quick", data).status_code == 403
    assert not Person.objects.filter(first_name="ก").exists()


# --- edit ----------------------------------------------------------------------------------


def test_patch_person_changes_the_fields_sent(api, head):
    url = f"{PEOPLE}{head.pk}"
    response = patch(
        api["district_officer"],
        url,
        {"first_name": "สมศักด์", "phone": "021234567", "relation": "head", "since": "2001-01-01"},
    )
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["first_name"] == "สมศักด์" and item["phone"] == "021234567"
    assert item["since"] == "2001-01-01" and item["last_name"] == "รักดี"
    assert_no_full_id(response)


def test_patch_person_status_is_422(api, head):
    response = patch(api["district_officer"], f"{PEOPLE}{head.pk}", {"status": "deceased"})
    assert response.status_code == 422
    assert f"/api/v1/people/{head.pk}/status" in fields(response)["status"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"national_id": "1101700230709"}, "national_id"),
        ({"national_id": None}, "missing_id_reason"),
        ({"first_name": None}, "first_name"),
        ({"sex": "?"}, "sex"),
        ({"sensitive_legal_basis": None}, "sensitive_legal_basis"),
    ],
)
def test_patch_person_refuses_bad_input(api, head, data, field):
    response = patch(api["district_officer"], f"{PEOPLE}{head.pk}", data)
    assert response.status_code == 422 and field in fields(response), response.content
    head.refresh_from_db()
    assert head.national_id and head.first_name == "สมศักดิ์"


def test_patch_person_refuses_a_second_head_and_membership_fields_without_household(
    api, home, head
):
    child = make_person(home, relation="child")
    response = patch(api["district_officer"], f"{PEOPLE}{child.pk}", {"relation": "head"})
    assert response.status_code == 422 and fields(response)["relation"].startswith("This house")
    loner = make_person(area=home.area, missing_id_reason="unknown", national_id="")
    response = patch(api["district_officer"], f"{PEOPLE}{loner.pk}", {"relation": "child"})
    assert response.status_code == 422 and "relation" in fields(response)


def test_patch_person_needs_records_edit_in_reach(api, head, far):
    url = f"{PEOPLE}{head.pk}"
    assert patch(api["committee_member"], url, {"phone": "1"}).status_code == 403
    assert patch(api["central_officer"], url, {"phone": "1"}).status_code == 403
    stranger = make_person(far, relation="head")
    response = patch(api["district_officer"], f"{PEOPLE}{stranger.pk}", {"phone": "1"})
    assert response.status_code == 404
    assert not Person.objects.filter(phone="1").exists()


# --- move ----------------------------------------------------------------------------------


def test_move_to_another_district_by_community_and_house_number_leaves_a_masked_line(
    api, head, far, other
):
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {
            "to_community_id": other.pk,
            "house_no": " 77 ",
            "moved_on": "2024-05-01",
            "relation": "relative",
            "reason": "ย้าย",
        },
    )
    assert response.status_code == 200, response.content
    # the household there is not named: no id of a household outside the caller's reach
    assert response.json() == {
        "person_id": head.pk,
        "masked_label": "ส*** ร***",
        "from_area_code": OWN_COMMUNITY,
        "to_area_code": OTHER_COMMUNITY,
        "to_household_id": None,
        "moved_on": "2024-05-01",
    }
    assert api["district_officer"].get(f"{PEOPLE}{head.pk}").status_code == 404
    assert api["district_officer"].get(PEOPLE).json()["count"] == 0
    moved = api["central_officer"].get(f"{PEOPLE}{head.pk}").json()
    assert moved["area_code"] == OTHER_COMMUNITY and moved["household_id"] == far.pk
    assert [m["until"] for m in moved["memberships"]] == [None, "2024-05-01"]
    assert Move.objects.get().from_path == "/BKK/BKK-01/1001/T-1001-01/"


def test_move_by_house_number_makes_the_household_when_none_is_there(api, head, other):
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {"to_community_id": other.pk, "house_no": "88/1", "moved_on": "2024-05-01"},
    )
    assert response.status_code == 200, response.content
    head.refresh_from_db()
    assert head.household.community == other and head.household.house_no == "88/1"


def test_move_to_a_household_outside_reach_by_id_is_like_an_unknown_id(api, head, far):
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {"to_household_id": far.pk, "moved_on": "2024-05-01"},
    )
    assert response.status_code == 422
    assert fields(response) == {"to_household_id": f"No household with id {far.pk}."}
    head.refresh_from_db()
    assert head.area.code == OWN_COMMUNITY and not Move.objects.exists()


def test_move_within_reach_by_household_id_answers_the_household(api, head, near):
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {"to_household_id": near.pk, "moved_on": "2024-05-01"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["to_household_id"] == near.pk


def test_move_outside_reach_says_nothing_about_the_households_there(api, head, far, other):
    make_person(far, relation="head", first_name="มานี")
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {
            "to_community_id": other.pk,
            "house_no": "77",
            "relation": "head",
            "moved_on": "2024-05-01",
        },
    )
    assert response.status_code == 422
    errors = fields(response)
    assert list(errors) == ["house_no"] and errors["house_no"].startswith("The move into this")
    assert "already has a head" not in errors["house_no"]
    assert "มานี" not in response.content.decode() and str(far.pk) not in errors["house_no"]
    assert not Move.objects.exists()


def test_move_within_reach_by_house_number_names_the_problem(api, head, near):
    make_person(near, relation="head")
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {
            "to_community_id": near.community_id,
            "house_no": near.house_no,
            "relation": "head",
            "moved_on": "2024-05-01",
        },
    )
    assert response.status_code == 422
    assert fields(response) == {"relation": "This household already has a head."}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"moved_on": "2024-05-01"}, "to_household_id", "Choose the household"),
        ({"to_household_id": 999999, "moved_on": "2024-05-01"}, "to_household_id", "No house"),
        ({"to_household_id": "near"}, "moved_on", "Enter the date of the move."),
        ({"to_household_id": "near", "moved_on": "2999-01-01"}, "moved_on", "The date cannot"),
        ({"to_household_id": "near", "moved_on": "2010-01-01"}, "moved_on", "The date is before"),
        ({"to_household_id": "home", "moved_on": "2024-05-01"}, "to_household_id", "The person"),
        ({"to_household_id": "near", "moved_on": "2024-05-01", "relation": "?"}, "relation", ""),
        (
            {"to_household_id": "near", "to_community_id": "other", "house_no": "1"},
            "to_household_id",
            "Give to_household_id, or to_community_id with house_no, not both.",
        ),
        ({"to_community_id": 999999, "house_no": "1"}, "to_community_id", "No community"),
        ({"to_community_id": "other", "moved_on": "2024-05-01"}, "house_no", "Enter the house"),
        (
            {"to_community_id": "other", "house_no": "1" * 41, "moved_on": "2024-05-01"},
            "house_no",
            "A house number has at most 40 characters.",
        ),
        ({"to_community_id": "other", "house_no": "1"}, "moved_on", "Enter the date of the move."),
        (
            {"to_community_id": "dissolved", "house_no": "1", "moved_on": "2024-05-01"},
            "house_no",
            "Community ชุมชนยุบ is dissolved: it takes no new members.",
        ),
    ],
)
def test_move_refuses_bad_input(api, head, home, near, other, data, field, message):
    gone = make_community(code="MV-GONE", district="1004", name_th="ชุมชนยุบ")
    community_dissolve(
        actor=None, community=gone, dissolved_on=date(2024, 1, 1), announcement_no="1", reason="x"
    )
    data = dict(data)
    named = {"near": near, "home": home}
    if data.get("to_household_id") in named:
        data["to_household_id"] = named[data["to_household_id"]].pk
    communities = {"other": other, "dissolved": gone}
    if data.get("to_community_id") in communities:
        data["to_community_id"] = communities[data["to_community_id"]].pk
    response = post(api["district_officer"], f"{PEOPLE}{head.pk}/move", data)
    assert response.status_code == 422, response.content
    assert fields(response)[field].startswith(message)
    head.refresh_from_db()
    assert head.household_id == home.pk and not Move.objects.exists()
    assert not other.households.exists()


def test_move_needs_records_edit_on_the_source(api, head, far):
    data = {"to_household_id": far.pk, "moved_on": "2024-05-01"}
    assert post(api["committee_member"], f"{PEOPLE}{head.pk}/move", data).status_code == 403
    assert post(api["zone_officer"], f"{PEOPLE}{head.pk}/move", data).status_code == 403
    stranger = make_person(far, relation="head")
    assert post(api["district_officer"], f"{PEOPLE}{stranger.pk}/move", data).status_code == 404
    head.refresh_from_db()
    assert head.household_id != far.pk and not Move.objects.exists()


# --- status --------------------------------------------------------------------------------


def test_status_deceased_closes_the_membership(api, head):
    response = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/status",
        {"status": "deceased", "status_on": "2024-02-02"},
    )
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["status"] == "deceased" and item["status_on"] == "2024-02-02"
    assert item["household_id"] is None and item["memberships"][0]["until"] == "2024-02-02"
    again = post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/status",
        {"status": "alive", "status_on": "2024-03-03"},
    )
    assert again.status_code == 422 and "status" in fields(again)


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "status"),
        ({"status": "zombie", "status_on": "2024-01-01"}, "status"),
        ({"status": "deceased"}, "status_on"),
        ({"status": "deceased", "status_on": "2999-01-01"}, "status_on"),
        ({"status": "moved_out", "status_on": "2024-01-01"}, "moved_to"),
    ],
)
def test_status_refuses_bad_input(api, head, data, field):
    response = post(api["district_officer"], f"{PEOPLE}{head.pk}/status", data)
    assert response.status_code == 422 and field in fields(response), response.content
    head.refresh_from_db()
    assert head.status == "alive"


def test_status_needs_records_edit(api, head, far):
    data = {"status": "deceased", "status_on": "2024-02-02"}
    assert post(api["committee_member"], f"{PEOPLE}{head.pk}/status", data).status_code == 403
    stranger = make_person(far, relation="head")
    response = post(api["district_officer"], f"{PEOPLE}{stranger.pk}/status", data)
    assert response.status_code == 404
    assert not Person.objects.exclude(status="alive").exists()


# --- reveal --------------------------------------------------------------------------------


def test_reveal_returns_the_full_id_and_logs_it(api, head, role_users):
    reason = "ตรวจสอบสิทธิ์เบี้ยยังชีพผู้สูงอายุ"
    response = post(api["district_head"], f"{PEOPLE}{head.pk}/reveal", {"reason": reason})
    assert response.status_code == 200
    assert response.json() == {
        "person_id": head.pk,
        "national_id": format_national_id(head.national_id),
    }
    log = RevealLog.objects.get()
    assert log.actor == role_users["district_head"] and log.reason == reason
    assert log.object_id == str(head.pk) and log.field == "national_id"


def test_reveal_without_permission_is_403_and_logs_nothing(api, head, far):
    data = {"reason": "ตรวจสอบสิทธิ์เบี้ยยังชีพผู้สูงอายุ"}
    for actor in ("district_officer", "committee_member", "central_officer", "auditor"):
        response = post(api[actor], f"{PEOPLE}{head.pk}/reveal", data)
        assert response.status_code == 403, actor
        assert_no_full_id(response)
    stranger = make_person(far, relation="head")
    assert post(api["district_head"], f"{PEOPLE}{stranger.pk}/reveal", data).status_code == 404
    assert not RevealLog.objects.exists()


def test_reveal_needs_a_reason_and_an_id(api, head, home):
    response = post(api["district_head"], f"{PEOPLE}{head.pk}/reveal", {"reason": "ดู"})
    assert response.status_code == 422 and "reason" in fields(response)
    assert_no_full_id(response)
    loner = make_person(home, national_id="", missing_id_reason="not_issued")
    response = post(
        api["district_head"], f"{PEOPLE}{loner.pk}/reveal", {"reason": "ตรวจสอบสิทธิ์สวัสดิการ"}
    )
    assert response.status_code == 422
    assert fields(response) == {"national_id": "This person has no national ID on record."}
    assert not RevealLog.objects.exists()


def test_no_response_but_reveal_carries_a_full_national_id(api, own, home, head, far):
    """Every registry read and write answers masked IDs only."""
    officer = api["district_head"]
    responses = [
        officer.get(PEOPLE),
        officer.get(f"{PEOPLE}{head.pk}"),
        officer.get(f"/api/v1/households/{home.pk}"),
        officer.get(f"/api/v1/communities/{own.pk}/households/"),
        patch(officer, f"{PEOPLE}{head.pk}", {"phone": "0899999999"}),
        post(
            officer,
            PEOPLE,
            new_person(home, relation="child", national_id=valid_national_id(555, first="3")),
        ),
        post(
            officer,
            f"{PEOPLE}{head.pk}/status",
            {
                "status": "moved_out",
                "status_on": str(date.today() - timedelta(days=1)),
                "moved_to": "เชียงใหม่",
            },
        ),
    ]
    for response in responses:
        assert response.status_code in (200, 201), response.content
        assert_no_full_id(response)


# --- subject-access report -----------------------------------------------------------------

REPORT_REASON = "คำร้องขอข้อมูลส่วนบุคคล เลขที่ 15/2567"


def test_subject_access_returns_everything_held_and_logs_it(api, head, near, role_users):
    post(api["district_head"], f"{PEOPLE}{head.pk}/reveal", {"reason": "ตรวจสอบสิทธิ์สวัสดิการ"})
    post(
        api["district_officer"],
        f"{PEOPLE}{head.pk}/move",
        {"to_household_id": near.pk, "moved_on": "2024-05-01", "reason": "ย้ายตามคำร้อง"},
    )
    response = post(
        api["district_head"], f"{PEOPLE}{head.pk}/subject-access", {"reason": REPORT_REASON}
    )
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["person_id"] == head.pk and body["reason"] == REPORT_REASON
    person = body["person"]
    assert person["national_id"] == format_national_id(head.national_id)
    assert person["first_name"] == "สมศักดิ์" and person["birth_date"] == "1950-03-01"
    assert person["disability_card"] == "DC-1" and "disability" in person["welfare_flags"]
    assert person["sensitive_legal_basis"] == "social_protection"
    assert person["area_code"] == "MV-NEAR" and person["household_id"] == near.pk
    assert [m["until"] for m in body["memberships"]] == [None, "2024-05-01"]
    assert body["memberships"][1]["house_no"] == "5"
    assert body["moves"] == [
        {
            "moved_on": "2024-05-01",
            "from_area_code": OWN_COMMUNITY,
            "from_area_name": head.area.name_th,
            "to_area_code": "MV-NEAR",
            "to_area_name": near.community.area.name_th,
            "reason": "ย้ายตามคำร้อง",
        }
    ]
    assert {e["action"] for e in body["events"]} >= {"person.create", "person.move"}
    assert sorted(r["field"] for r in body["reveals"]) == ["national_id", "subject_access_report"]
    assert body["versions"] and body["versions"][-1]["type"] == "+"
    log = RevealLog.objects.get(field="subject_access_report")
    assert log.actor == role_users["district_head"] and log.reason == REPORT_REASON


def test_subject_access_needs_personal_reveal_and_a_reason(api, head, far):
    data = {"reason": REPORT_REASON}
    for actor in ("district_officer", "committee_member", "central_officer"):
        response = post(api[actor], f"{PEOPLE}{head.pk}/subject-access", data)
        assert response.status_code == 403, actor
        assert_no_full_id(response)
    stranger = make_person(far, relation="head")
    response = post(api["district_head"], f"{PEOPLE}{stranger.pk}/subject-access", data)
    assert response.status_code == 404
    response = post(api["district_head"], f"{PEOPLE}{head.pk}/subject-access", {"reason": "ดู"})
    assert response.status_code == 422 and "reason" in fields(response)
    assert_no_full_id(response)
    assert not RevealLog.objects.exists()


def test_subject_access_for_a_person_without_id_has_an_empty_national_id(api, home):
    loner = make_person(home, national_id="", missing_id_reason="not_issued")
    response = post(
        api["district_head"], f"{PEOPLE}{loner.pk}/subject-access", {"reason": REPORT_REASON}
    )
    assert response.status_code == 200
    person = response.json()["person"]
    assert person["national_id"] == "" and person["missing_id_reason"] == "not_issued"
