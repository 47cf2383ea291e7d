"""The applications API: create-and-submit, list, read, review, approve, return; 422 naming
fields like items.2.amount; maker-checker; scoping."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chumchon.communities.tests.factories import community_for_area
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY

from ..models import Application, ApplicationItem
from .factories import make_application, make_programme, make_transferred

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
def programme(own, other, role_users):
    programme = make_programme()
    make_transferred(programme, own, user=role_users["central_officer"])
    make_transferred(programme, other, user=role_users["central_officer"])
    return programme


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def body(**values):
    return {
        "community_code": OWN_COMMUNITY,
        "submitted_on": "2024-01-15",
        "items": [
            {"category": "materials", "description": "วัสดุ", "amount": "100000.50"},
            {"category": "food", "description": "อาหาร", "amount": 20000, "activity": "อบรม"},
        ],
        "title": "ลานกีฬา",
        **values,
    }


def url(programme):
    return f"/api/v1/budget-programmes/{programme.pk}/applications"


def test_create_review_approve_with_amounts_as_strings(api, programme):
    response = post(api["committee_member"], url(programme), body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["prepared_for"] == "committee"
    assert data["total"] == "120000.50" and data["allocated_amount"] == "200000.00"
    assert [i["amount"] for i in data["items"]] == ["100000.50", "20000.00"]
    assert data["steps"][0]["kind"] == "submitted"
    app = f"/api/v1/applications/{data['id']}"
    assert (
        post(
            api["district_officer"], f"{app}/review", {"note": "ok", "on": "2024-01-20"}
        ).status_code
        == 200
    )
    response = post(api["district_head"], f"{app}/approve", {"on": "2024-02-01"})
    assert response.status_code == 200, response.content
    assert response.json()["approved_amount"] == "120000.50"
    assert [s["kind"] for s in response.json()["steps"]] == ["submitted", "reviewed", "approved"]


@pytest.mark.parametrize(
    ("amount", "expect"),
    [
        (-5, "more than zero"),
        (0, "more than zero"),
        ("abc", "not an amount"),
        (10.005, "more than 2 decimals"),
    ],
)
def test_bad_item_amounts_answer_422_naming_the_row(api, programme, amount, expect):
    items = body()["items"] + [{"category": "materials", "description": "สี", "amount": amount}]
    response = post(api["district_officer"], url(programme), body(items=items))
    assert response.status_code == 422
    assert expect in fields(response)["items.3.amount"]
    assert not Application.objects.exists() and not ApplicationItem.objects.exists()


def test_refused_item_and_category_share_answer_422(api, programme):
    items = [
        {"category": "materials", "description": "CCTV cameras", "amount": "1000"},
        {"category": "food", "description": "อาหาร", "amount": "70000"},
    ]
    response = post(api["district_officer"], url(programme), body(items=items))
    assert response.status_code == 422
    errors = fields(response)
    assert "refused" in errors["items.1.description"]
    response = post(api["district_officer"], url(programme), body(items=items[1:]))
    assert "above its limit of 30 %" in fields(response)["items"]


def test_a_second_application_answers_422(api, programme):
    assert post(api["district_officer"], url(programme), body()).status_code == 201
    response = post(api["district_officer"], url(programme), body())
    assert response.status_code == 422
    assert "already has an application" in fields(response)["community_code"]
    assert Application.objects.count() == 1


def test_missing_fields_and_unknown_community(api, programme):
    response = post(api["district_officer"], url(programme), {})
    assert set(fields(response)) == {"community_code", "submitted_on", "items"}
    response = post(api["district_officer"], url(programme), body(community_code="NOPE"))
    assert "NOPE" in fields(response)["community_code"]


def test_approval_by_the_preparer_is_refused(api, programme):
    created = post(api["district_head"], url(programme), body()).json()
    response = post(api["district_head"], f"/api/v1/applications/{created['id']}/approve")
    assert response.status_code == 422
    assert "maker-checker" in fields(response)["actor"]
    assert Application.objects.get().status == "submitted"


def test_return_needs_a_reason(api, programme):
    created = post(api["district_officer"], url(programme), body()).json()
    app = f"/api/v1/applications/{created['id']}"
    assert "reason" in fields(post(api["district_head"], f"{app}/return", {}))
    response = post(api["district_head"], f"{app}/return", {"reason": "ลดค่าอาหาร"})
    assert response.json()["status"] == "returned"
    assert response.json()["steps"][-1]["note"] == "ลดค่าอาหาร"


def test_scoping_other_district_404_and_committee_cannot_approve(api, programme, other, role_users):
    theirs = make_application(
        programme.allocations.get(community=other), prepared_by=role_users["central_officer"]
    )
    assert api["district_officer"].get(f"/api/v1/applications/{theirs.pk}").status_code == 404
    assert api["committee_member"].get(f"/api/v1/applications/{theirs.pk}").status_code == 404
    response = post(api["district_officer"], url(programme), body(community_code=OTHER_COMMUNITY))
    assert response.status_code == 422  # not a community in reach
    ours = make_application(
        programme.allocations.get(community__area__code=OWN_COMMUNITY),
        prepared_by=role_users["district_officer"],
    )
    response = post(api["committee_member"], f"/api/v1/applications/{ours.pk}/approve")
    assert response.status_code == 403
    assert post(api["auditor"], url(programme), body()).status_code == 403


def test_list_filters_by_status_and_district(api, programme, other, role_users):
    make_application(
        programme.allocations.get(community=other), prepared_by=role_users["central_officer"]
    )
    post(api["district_officer"], url(programme), body())
    listed = api["central_officer"].get(url(programme)).json()
    assert listed["count"] == 2
    listed = api["central_officer"].get(url(programme) + "?district=1004").json()
    assert [a["community_code"] for a in listed["items"]] == [OTHER_COMMUNITY]
    assert api["district_officer"].get(url(programme)).json()["count"] == 1
    response = api["central_officer"].get(url(programme) + "?status=nope")
    assert response.status_code == 422


def test_submitted_on_before_the_transfer_is_refused(api, programme):
    response = post(api["district_officer"], url(programme), body(submitted_on="2023-11-01"))
    assert "transferred" in fields(response)["submitted_on"]
    assert date(2023, 11, 1) < date(2023, 12, 1)
