"""The household survey API: list (scoped, filtered, paginated), start, read (answers, members,
classification with reasons), save a draft (all or nothing, errors per question and member),
submit, reopen; access by role and reach."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY

from ..models import Survey
from ..surveys import services
from .factories import community_for_area, make_community, make_household, make_person
from .survey_factories import COMPLETE_ANSWERS, member, open_round, submitted_survey

pytestmark = pytest.mark.django_db
URL = "/api/v1/surveys/"


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
def house(own):
    household = make_household(own, house_no="12/3")
    make_person(
        household,
        relation="head",
        prefix="นาย",
        first_name="สมศักดิ์",
        last_name="รักดี",
        birth_date=date(1970, 1, 1),
    )
    return household


@pytest.fixture
def draft(house):
    return services.survey_start(actor=None, household=house, survey_round=open_round("1001"))


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def errors(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in response.json()["errors"]:
        found.setdefault(item["field"], []).append(item["message"])
    return found


# --- start -----------------------------------------------------------------------------------


def test_start_a_survey_answers_201_with_the_registry_members(api, house):
    open_round("1001")
    response = post(api["district_officer"], URL, {"household_id": house.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["household_id"] == house.pk
    assert body["surveyed_on"] == timezone.localdate().isoformat()
    assert [m["name"] for m in body["members"]] == ["นายสมศักดิ์ รักดี"]
    assert body["members"][0]["age"] == timezone.localdate().year - 1970 - (
        timezone.localdate() < date(timezone.localdate().year, 1, 1)
    )
    assert body["classification"] is None and body["preview"] is not None
    assert body["answers"]["other_income_year"] == "0.00"


def test_start_twice_is_422_naming_the_household(api, draft):
    response = post(api["district_officer"], URL, {"household_id": draft.household_id})
    assert response.status_code == 422
    assert "already has a survey in this round" in errors(response)["household_id"][0]


def test_start_without_a_round_is_422_on_surveyed_on(api, house):
    response = post(api["district_officer"], URL, {"household_id": house.pk})
    assert response.status_code == 422
    assert "No survey round is open" in errors(response)["surveyed_on"][0]


def test_start_outside_reach_is_an_unknown_household(api, other):
    open_round("1004")
    household = make_household(other)
    response = post(api["district_officer"], URL, {"household_id": household.pk})
    assert response.status_code == 422 and "household_id" in errors(response)
    assert not Survey.objects.exists()


def test_start_needs_the_record_permission(api, house):
    open_round("1001")
    assert post(api["zone_officer"], URL, {"household_id": house.pk}).status_code == 403
    assert post(api["anonymous"], URL, {"household_id": house.pk}).status_code == 401


def test_committee_member_starts_in_own_community_only(api, house):
    open_round("1001")
    neighbour = make_household(make_community(district="1001"))
    client = api["committee_member"]
    assert post(client, URL, {"household_id": neighbour.pk}).status_code == 422
    assert post(client, URL, {"household_id": house.pk}).status_code == 201


# --- read ------------------------------------------------------------------------------------


def test_read_a_submitted_survey_with_money_as_strings_and_reasons(api, house):
    survey = submitted_survey(
        house,
        members=[member(income="10000.5", health_insurance="none")],
        answers={"savings": "1500", "housing_condition": "poor"},
    )
    response = api["district_officer"].get(f"{URL}{survey.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["answers"]["savings"] == "1500.00" and body["answers"]["expenses_month"] is None
    assert body["members"][0]["income_year"] == "10000.50"
    c = body["classification"]
    assert c["is_poor"] is True and c["income_per_person_year"] == "10000.50"
    assert c["deprived"] == {
        "health": True,
        "living": True,
        "education": False,
        "income": True,
        "services": False,
    }
    assert c["deprivation_count"] == 3
    poor = [r for r in c["reasons"] if r["target"] == "poor"][0]
    assert "ต่ำกว่าเส้นความยากจน" in poor["th"] and "below the poverty line" in poor["en"]
    assert body["preview"] is None and body["is_poor"] is True


def test_read_is_404_outside_reach_and_403_without_permission(api, other):
    survey = services.survey_start(
        actor=None, household=make_household(other), survey_round=open_round("1004")
    )
    assert api["district_officer"].get(f"{URL}{survey.pk}").status_code == 404
    assert api["central_officer"].get(f"{URL}{survey.pk}").status_code == 403
    assert api["superuser"].get(f"{URL}{survey.pk}").status_code == 200


# --- list ------------------------------------------------------------------------------------


def test_list_is_scoped_filtered_and_paginated(api, own, other, house):
    mine = submitted_survey(house)
    second = services.survey_start(
        actor=None, household=make_household(own, house_no="14"), survey_round=open_round("1001")
    )
    services.survey_start(
        actor=None, household=make_household(other), survey_round=open_round("1004")
    )
    client = api["district_officer"]
    body = client.get(URL).json()
    assert body["count"] == 2 and {s["id"] for s in body["items"]} == {mine.pk, second.pk}
    drafts = client.get(URL, {"status": "draft"}).json()
    assert [s["id"] for s in drafts["items"]] == [second.pk]
    assert drafts["items"][0]["is_poor"] is None and drafts["items"][0]["deprivation_count"] is None
    page = client.get(URL, {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    by_round = client.get(URL, {"round": mine.round_id, "community": own.pk}).json()
    assert by_round["count"] == 2
    assert client.get(URL, {"community": other.pk}).json()["count"] == 0
    assert api["superuser"].get(URL).json()["count"] == 3
    bad = client.get(URL, {"status": "done"})
    assert bad.status_code == 422 and "status" in errors(bad)
    assert client.get(URL, {"limit": 100000}).status_code == 422


def test_list_is_refused_to_staff_who_may_not_read_surveys(api, house):
    submitted_survey(house)
    assert api["central_officer"].get(URL).status_code == 403
    assert api["committee_member"].get(URL).json()["count"] == 1


# --- save a draft ----------------------------------------------------------------------------


def test_patch_saves_answers_and_replaces_members(api, draft):
    person = draft.members.get().person
    response = patch(
        api["district_officer"],
        f"{URL}{draft.pk}",
        {
            "answers": {
                "tenure": "rent",
                "expenses_month": "9000",
                "welfare_received": ["bma_aid"],
            },
            "members": [
                {"person_id": person.pk, "occupation": "daily_wage", "income_year": "96000.50"},
                {"name": "ลุงแดง", "age": 70, "occupation": "retired", "reads_thai": False},
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["answers"]["tenure"] == "rent" and body["answers"]["expenses_month"] == "9000.00"
    assert body["answers"]["welfare_received"] == ["bma_aid"]
    assert [m["name"] for m in body["members"]] == ["นายสมศักดิ์ รักดี", "ลุงแดง"]
    assert body["members"][0]["person_id"] == person.pk
    assert body["members"][0]["income_year"] == "96000.50"
    assert body["members"][1]["reads_thai"] is False and body["members"][1]["age"] == 70


def test_patch_only_changes_what_is_sent(api, draft):
    client = api["district_officer"]
    patch(client, f"{URL}{draft.pk}", {"answers": {"tenure": "rent", "needs": "งาน"}})
    body = patch(client, f"{URL}{draft.pk}", {"answers": {"needs": "บ้าน"}}).json()
    assert body["answers"]["tenure"] == "rent" and body["answers"]["needs"] == "บ้าน"
    assert len(body["members"]) == 1


def test_patch_with_errors_is_422_per_question_and_member_and_saves_nothing(api, draft):
    response = patch(
        api["district_officer"],
        f"{URL}{draft.pk}",
        {
            "answers": {"tenure": "castle", "savings": "12.345", "needs": "changed", "colour": "x"},
            "members": [
                {"name": "ก", "age": 200},
                {"occupation": "student"},
            ],
        },
    )
    assert response.status_code == 422
    found = errors(response)
    assert "castle is not one of the choices" in found["tenure"][0]
    assert "at most 2 decimals" in found["savings"][0]
    assert "colour is not a survey question" in found["colour"][0]
    assert "age must be a whole number of years from 0 to 130" in found["members.1"][0]
    assert "member 2: give the name." in found["members.2"]
    draft.refresh_from_db()
    assert draft.needs == "" and draft.members.count() == 1


def test_patch_is_refused_without_permission_and_outside_reach(api, draft, other):
    assert patch(api["zone_officer"], f"{URL}{draft.pk}", {}).status_code == 403
    survey = services.survey_start(
        actor=None, household=make_household(other), survey_round=open_round("1004")
    )
    assert patch(api["district_officer"], f"{URL}{survey.pk}", {}).status_code == 404


def test_patch_a_survey_date_outside_the_round_is_422(api, draft):
    too_early = (draft.round.opens_on - timedelta(days=1)).isoformat()
    response = patch(api["district_officer"], f"{URL}{draft.pk}", {"surveyed_on": too_early})
    assert response.status_code == 422 and "outside the round" in errors(response)["surveyed_on"][0]


# --- submit and reopen -----------------------------------------------------------------------


def test_submit_incomplete_is_422_naming_questions_and_members(api, draft):
    response = post(api["district_officer"], f"{URL}{draft.pk}/submit")
    assert response.status_code == 422
    found = errors(response)
    assert {"tenure", "water_source", "members.1"} <= set(found)
    assert "answer occupation" in found["members.1"][0]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submit_complete_classifies_and_updates_the_household(api, draft):
    client = api["district_officer"]
    person = draft.members.get().person
    patch(
        client,
        f"{URL}{draft.pk}",
        {
            "answers": COMPLETE_ANSWERS,
            "members": [{**member(income="20000"), "name": None, "person_id": person.pk}],
        },
    )
    response = post(client, f"{URL}{draft.pk}/submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["classification"]["is_poor"] is True
    draft.household.refresh_from_db()
    assert draft.household.survey_poor is True
    again = post(client, f"{URL}{draft.pk}/submit")
    assert again.status_code == 422 and "reopen it" in again.json()["errors"][0]["message"]


def test_reopen_needs_manage_and_a_reason(api, house):
    survey = submitted_survey(house, members=[member(income="10000")])
    url = f"{URL}{survey.pk}/reopen"
    assert post(api["committee_member"], url, {"reason": "wrong income typed"}).status_code == 403
    short = post(api["district_officer"], url, {"reason": "oops"})
    assert short.status_code == 422 and "reason" in errors(short)
    response = post(api["district_officer"], url, {"reason": "wrong income typed"})
    assert response.status_code == 200
    assert response.json()["status"] == "draft" and response.json()["classification"] is None
    house.refresh_from_db()
    assert house.survey_poor is None


def test_openapi_documents_the_survey_operations(api):
    schema = api["anonymous"].get("/api/v1/openapi.json").json()
    assert "/api/v1/surveys/" in schema["paths"]
    assert "/api/v1/surveys/{survey_id}/submit" in schema["paths"]
