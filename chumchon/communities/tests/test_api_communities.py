"""The communities API: list, create, read, edit, dissolve; scoping, roles, bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.accounts.services import api_token_create
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.models import AuditEvent

from ..models import Community
from ..services import community_dissolve
from .factories import community_for_area, make_community, make_household, make_person

pytestmark = pytest.mark.django_db

URL = "/api/v1/communities/"


@pytest.fixture
def api(clients):
    """The role clients, speaking English (messages are asserted in English)."""
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY], families=120)


@pytest.fixture
def other(communities):
    return community_for_area(communities[OTHER_COMMUNITY], type_code="urban")


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


NEW = {
    "district_code": "1001",
    "code": "HC001",
    "name_th": "ชุมชนบ้านพานถม",
    "name_en": "Ban Phan Thom",
    "type": "ชุมชนเมือง",
    "families": 210,
    "households": 180,
    "population": 640,
    "announcement_no": "123/2545",
    "announced_on": "2002-05-01",
    "address": "ถนนพระสุเมรุ",
    "lat": "13.7601234",
    "lng": "100.5012346",
}


# --- list ----------------------------------------------------------------------------------


def test_list_carries_declared_and_registry_counts(api, own, other):
    own.declared_households, own.declared_population = 100, 400
    own.save()
    household = make_household(own)
    make_person(household, relation="head")
    make_person(household, relation="child")
    response = api["district_officer"].get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == own.pk and item["code"] == OWN_COMMUNITY
    assert item["district_code"] == "1001" and item["type"] == "slum"
    assert (item["families"], item["households"], item["population"]) == (120, 100, 400)
    assert (item["registry_households"], item["registry_population"]) == (1, 2)
    assert item["status"] == "active" and item["dissolved_on"] is None
    assert "ชุมชนทดสอบ".encode() in response.content  # Thai is not escaped


def test_list_on_a_date_keeps_the_communities_existing_then_with_their_counts(api, own):
    for code, dissolved_on in (("AS-GONE", date(2024, 1, 5)), ("AS-LATER", date(2024, 6, 1))):
        community = make_community(code=code, announced_on=date(2010, 1, 1))
        make_person(make_household(community, house_no="1"), relation="head")
        community_dissolve(
            actor=None,
            community=community,
            dissolved_on=dissolved_on,
            announcement_no="ยบ 1/2567",
            reason="รวมกับชุมชนข้างเคียง",
        )
    make_community(code="AS-NEW", announced_on=date(2024, 5, 1))
    response = api["district_officer"].get(URL + "?on=2024-03-01")
    assert response.status_code == 200, response.content
    items = {i["code"]: i for i in response.json()["items"]}
    assert set(items) == {OWN_COMMUNITY, "AS-LATER"}
    assert (items["AS-LATER"]["registry_households"], items["AS-LATER"]["registry_population"]) == (
        1,
        1,
    )
    assert response.json()["count"] == 2
    everything = api["district_officer"].get(URL).json()
    assert {i["code"] for i in everything["items"]} == {
        OWN_COMMUNITY,
        "AS-GONE",
        "AS-LATER",
        "AS-NEW",
    }
    assert api["district_officer"].get(URL + "?on=2024-02-31").status_code == 422


def test_list_is_scoped_to_reach(api, own, other):
    def codes(actor):
        return {i["code"] for i in api[actor].get(URL).json()["items"]}

    make_community("Q-1001-9", district="1001")
    assert codes("central_officer") == {OWN_COMMUNITY, OTHER_COMMUNITY, "Q-1001-9"}
    assert codes("zone_officer") == {OWN_COMMUNITY, "Q-1001-9"}
    assert codes("district_head") == {OWN_COMMUNITY, "Q-1001-9"}
    assert codes("committee_member") == {OWN_COMMUNITY}


def test_list_filters_by_district_zone_type_status_and_name(api, own, other):
    make_community("Q-1004-2", district="1004", type_code="housing", name_th="เคหะบางรัก")
    central = api["central_officer"]

    def codes(query):
        response = central.get(URL + "?" + query)
        assert response.status_code == 200, response.content
        return {i["code"] for i in response.json()["items"]}

    assert codes("district_code=1004") == {OTHER_COMMUNITY, "Q-1004-2"}
    assert codes("zone_code=BKK-01") == {OWN_COMMUNITY}
    assert codes("type=housing") == {"Q-1004-2"}
    assert codes("type=เคหะชุมชน") == {"Q-1004-2"}
    assert codes("q=บางรัก") == {"Q-1004-2"}
    assert codes("status=dissolved") == set()
    assert codes("status=active") == {OWN_COMMUNITY, OTHER_COMMUNITY, "Q-1004-2"}


def test_list_refuses_an_unknown_type_or_status_naming_the_filter(api, own):
    response = api["central_officer"].get(URL + "?type=castle")
    assert response.status_code == 422
    assert "Unknown community type “castle”" in fields(response)["type"]
    response = api["central_officer"].get(URL + "?status=gone")
    assert response.status_code == 422 and "status" in fields(response)


def test_list_runs_a_constant_number_of_queries(api, own):
    client = api["central_officer"]

    def grow(n):
        for _ in range(n):
            community = make_community(district="1001")
            make_person(make_household(community), relation="head")

    grow(2)
    client.get(URL)  # warm up (session, reach)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    grow(8)
    with CaptureQueriesContext(connection) as large:
        body = client.get(URL).json()
    assert body["count"] == 11
    assert len(large) == len(small)


def test_list_answers_a_bearer_token(role_users, own):
    user = role_users["district_officer"]
    _token, raw = api_token_create(actor=None, user=user, name="script")
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_list_needs_a_login(client, own):
    assert client.get(URL).status_code == 401


# --- create --------------------------------------------------------------------------------


def test_create_makes_a_community_under_the_district(api):
    response = post(api["district_officer"], URL, NEW)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["code"] == "HC001" and item["district_code"] == "1001"
    assert item["type"] == "urban" and item["type_name_th"] == "ชุมชนเมือง"
    assert (item["families"], item["households"], item["population"]) == (210, 180, 640)
    assert (item["registry_households"], item["registry_population"]) == (0, 0)
    assert item["lat"] == "13.760123" and item["lng"] == "100.501235"
    assert item["announced_on"] == "2002-05-01" and item["announcement_no"] == "123/2545"
    community = Community.objects.get(pk=item["id"])
    assert community.area.parent.code == "1001" and community.area.name_en == "Ban Phan Thom"
    assert AuditEvent.objects.filter(action="community.create").exists()
    assert api["district_officer"].get(f"{URL}{item['id']}").status_code == 200


@pytest.mark.parametrize("actor", ["committee_member", "zone_officer", "central_officer"])
def test_create_without_records_edit_is_403(api, actor):
    assert post(api[actor], URL, NEW).status_code == 403
    assert post(api[actor], URL, {}).status_code == 403  # refused before the body is read
    assert not Community.objects.filter(area__code=NEW["code"]).exists()


def test_create_in_a_district_outside_reach_is_403_naming_the_district(api):
    response = post(api["district_officer"], URL, {**NEW, "district_code": "1004"})
    assert response.status_code == 403
    assert "บางรัก" in fields(response)["district_code"] or "Bang Rak" in response.text
    assert not Community.objects.exists()


def test_create_in_an_unknown_district_is_422(api):
    response = post(api["district_officer"], URL, {**NEW, "district_code": "9999"})
    assert response.status_code == 422
    assert fields(response)["district_code"] == "Unknown district “9999”."


def test_create_under_a_community_is_422_on_district_code(api, own):
    response = post(api["district_officer"], URL, {**NEW, "district_code": OWN_COMMUNITY})
    assert response.status_code == 422 and "district_code" in fields(response)
    assert not Community.objects.filter(area__code=NEW["code"]).exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"families": -1}, "families", "Must be at least 0."),
        ({"households": -5}, "households", "Must be at least 0."),
        ({"families": "many"}, "families", "Enter a whole number."),
        ({"type": "castle"}, "type", "Unknown community type “castle”"),
        ({"name_th": "  "}, "name_th", "Enter the Thai name."),
        ({"announced_on": "01/05/2545"}, "announced_on", "Enter a date as YYYY-MM-DD"),
        ({"lat": "95"}, "lat", "Must be at most 90."),
        ({"lng": None}, "lng", "Give both latitude and longitude, or neither."),
        ({"code": "bad code!"}, "code", ""),
    ],
)
def test_create_refuses_bad_input_naming_the_field(api, change, field, message):
    response = post(api["district_officer"], URL, {**NEW, **change})
    assert response.status_code == 422, response.content
    errors = fields(response)
    assert field in errors, errors
    assert errors[field].startswith(message)
    assert not Community.objects.exists()  # nothing half-saved


def test_create_refuses_missing_required_fields(api):
    response = post(api["district_officer"], URL, {"district_code": "1001"})
    assert response.status_code == 422
    assert {"code", "name_th", "type", "families"} <= set(fields(response))


def test_create_refuses_a_future_announcement_date_and_a_duplicate_code(api, own):
    future = (date.today() + timedelta(days=3)).isoformat()
    response = post(api["district_officer"], URL, {**NEW, "announced_on": future})
    assert response.status_code == 422
    assert fields(response)["announced_on"] == "The date cannot be in the future."
    response = post(api["district_officer"], URL, {**NEW, "code": OWN_COMMUNITY})
    assert response.status_code == 422 and "already used" in fields(response)["code"]


def test_create_error_is_thai_by_default(clients):
    response = post(clients["district_officer"], URL, {**NEW, "district_code": "9999"})
    assert response.status_code == 422
    assert "9999" in fields(response)["district_code"]
    assert "Unknown" not in fields(response)["district_code"]


# --- read ----------------------------------------------------------------------------------


def test_get_answers_in_reach_and_404_outside(api, own, other):
    response = api["district_officer"].get(f"{URL}{own.pk}")
    assert response.status_code == 200 and response.json()["code"] == OWN_COMMUNITY
    assert api["district_officer"].get(f"{URL}{other.pk}").status_code == 404
    assert api["committee_member"].get(f"{URL}{own.pk}").status_code == 200
    assert api["central_officer"].get(f"{URL}{other.pk}").status_code == 200
    missing = api["central_officer"].get(f"{URL}999999")
    assert missing.status_code == 404 and set(missing.json()) == {"message", "errors"}


# --- edit ----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api, own):
    response = patch(
        api["district_officer"],
        f"{URL}{own.pk}",
        {"name_th": "ชุมชนท่าวังใหม่", "families": 130, "type": "ชุมชนเมือง", "lat": None},
    )
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["name_th"] == "ชุมชนท่าวังใหม่" and item["families"] == 130
    assert item["type"] == "urban" and item["lat"] is None
    own.refresh_from_db()
    assert own.area.name_th == "ชุมชนท่าวังใหม่" and own.declared_families == 130
    assert own.status == "active"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "dissolved"}, "status"),
        ({"status": None}, "status"),
        ({"dissolved_on": "2024-01-01"}, "dissolved_on"),
    ],
)
def test_patch_of_status_is_422_pointing_to_dissolve(api, own, data, field):
    response = patch(api["district_head"], f"{URL}{own.pk}", {"families": 5, **data})
    assert response.status_code == 422
    assert f"/api/v1/communities/{own.pk}/dissolve" in fields(response)[field]
    own.refresh_from_db()
    assert own.status == "active" and own.declared_families == 120


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name_th": ""}, "name_th"),
        ({"families": -3}, "families"),
        ({"families": None}, "families"),
        ({"type": "castle"}, "type"),
        ({"announced_on": "2999-01-01"}, "announced_on"),
    ],
)
def test_patch_refuses_bad_input(api, own, data, field):
    response = patch(api["district_officer"], f"{URL}{own.pk}", data)
    assert response.status_code == 422 and field in fields(response)


def test_patch_needs_records_edit_in_reach(api, own, other):
    data = {"families": 1}
    assert patch(api["committee_member"], f"{URL}{own.pk}", data).status_code == 403
    assert patch(api["zone_officer"], f"{URL}{own.pk}", data).status_code == 403
    assert patch(api["district_officer"], f"{URL}{other.pk}", data).status_code == 404
    assert not Community.objects.filter(declared_families=1).exists()


# --- dissolve ------------------------------------------------------------------------------

DISSOLVE = {
    "dissolved_on": "2024-06-30",
    "announcement_no": "ยบ 12/2567",
    "reason": "รวมกับชุมชนข้างเคียง",
}


def test_dissolve_keeps_the_record_and_refuses_a_second_time(api, own):
    url = f"{URL}{own.pk}/dissolve"
    response = post(api["district_head"], url, DISSOLVE)
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["status"] == "dissolved" and item["dissolved_on"] == "2024-06-30"
    assert item["dissolution_announcement_no"] == "ยบ 12/2567"
    again = post(api["district_head"], url, DISSOLVE)
    assert again.status_code == 422
    assert "already dissolved" in again.json()["errors"][0]["message"]
    listed = api["district_head"].get(URL + "?status=dissolved").json()
    assert [i["id"] for i in listed["items"]] == [own.pk]


def test_dissolve_refuses_missing_and_bad_values_naming_them(api, own):
    url = f"{URL}{own.pk}/dissolve"
    response = post(api["district_head"], url, {})
    assert response.status_code == 422
    assert set(fields(response)) == {"dissolved_on", "announcement_no", "reason"}
    future = (timezone.localdate() + timedelta(days=1)).isoformat()  # Bangkok's tomorrow
    response = post(api["district_head"], url, {**DISSOLVE, "dissolved_on": future})
    assert fields(response) == {"dissolved_on": "The date cannot be in the future."}
    response = post(api["district_head"], url, {**DISSOLVE, "dissolved_on": "30/06/2567"})
    assert response.status_code == 422 and "dissolved_on" in fields(response)
    own.refresh_from_db()
    assert own.status == "active"


def test_dissolve_needs_records_dissolve(api, own, other):
    url = f"{URL}{own.pk}/dissolve"
    assert post(api["district_officer"], url, DISSOLVE).status_code == 403
    assert post(api["committee_member"], url, DISSOLVE).status_code == 403
    assert post(api["district_head"], f"{URL}{other.pk}/dissolve", DISSOLVE).status_code == 404
    own.refresh_from_db()
    assert own.status == "active"


# --- the OpenAPI document ------------------------------------------------------------------


def test_every_registry_operation_is_described_in_the_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    registry = {
        (path, method): op
        for path, ops in paths.items()
        for method, op in ops.items()
        if path.startswith(("/api/v1/communities", "/api/v1/households", "/api/v1/people"))
    }
    assert len(registry) >= 17
    for key, op in registry.items():
        assert op.get("description"), f"{key} has no description"
    assert "ยุบชุมชน" in json.dumps(response.json(), ensure_ascii=False)
    schemas = response.json()["components"]["schemas"]
    assert "registry_households" in schemas["CommunityOut"]["properties"]
