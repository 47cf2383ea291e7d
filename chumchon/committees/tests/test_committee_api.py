"""The committee API: a community's committee (read) and the writes on a term."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chumchon.communities.tests.factories import community_for_area
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY, make_user
from chumchon.core.models import AuditEvent

from ..models import CommitteeReport, CommitteeTerm, Position
from .factories import make_term

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=100)


@pytest.fixture
def api(clients):
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


@pytest.fixture
def community(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def term(community):
    return make_term(community, members=7, seats=7, starts_on=START)


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_get_committee(api, community, term):
    response = api["committee_member"].get(f"/api/v1/communities/{community.pk}/committee")
    assert response.status_code == 200
    body = response.json()
    assert body["term"]["id"] == term.pk and body["seats"] == 7 and body["filled"] == 7
    assert body["valid"] is True and body["complete"] is False and body["expiring"] is False
    chair = [m for m in body["members"] if m["position"]]
    assert chair[0]["position"]["code"] == "chair"


def test_get_committee_outside_reach_is_404(api, communities):
    other = community_for_area(communities[OTHER_COMMUNITY])
    response = api["district_officer"].get(f"/api/v1/communities/{other.pk}/committee")
    assert response.status_code == 404


def test_get_committee_without_term(api, community):
    body = api["district_officer"].get(f"/api/v1/communities/{community.pk}/committee").json()
    assert body["term"] is None and body["valid"] is False and body["members"] == []


def test_end_member_and_fill_vacancy_refused(api, term):
    member = term.members.order_by("id")[1]
    client = api["district_officer"]
    response = post(
        client,
        f"/api/v1/committee-terms/{term.pk}/members/{member.pk}/end",
        {"on": TODAY.isoformat(), "reason": "resigned"},
    )
    assert response.status_code == 200
    assert response.json()["filled"] == 6
    response = post(client, f"/api/v1/committee-terms/{term.pk}/fill-vacancy", {"on": str(TODAY)})
    assert response.status_code == 422
    assert "by-election" in response.json()["message"] + json.dumps(response.json()["errors"])


def test_missing_fields_are_422_with_field_names(api, term):
    response = post(api["district_officer"], f"/api/v1/committee-terms/{term.pk}/positions", {})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"member_id", "code", "on"} <= fields


def test_assign_and_end_position(api, term):
    member = term.members.order_by("id")[1]
    client = api["district_officer"]
    response = post(
        client,
        f"/api/v1/committee-terms/{term.pk}/positions",
        {"member_id": member.pk, "code": "secretary", "on": str(TODAY)},
    )
    assert response.status_code == 201
    position_id = response.json()["id"]
    response = post(
        client,
        f"/api/v1/committee-terms/{term.pk}/positions/{position_id}/end",
        {"on": str(TODAY + timedelta(days=1))},
    )
    assert response.status_code == 200
    assert Position.objects.get(pk=position_id).ends_on == TODAY + timedelta(days=1)


def test_second_chair_is_422(api, term):
    member = term.members.order_by("id")[1]
    response = post(
        api["district_head"],
        f"/api/v1/committee-terms/{term.pk}/positions",
        {"member_id": member.pk, "code": "chair", "on": str(TODAY)},
    )
    assert response.status_code == 422
    assert "already holds the position Chair" in json.dumps(response.json())


def test_grant_role(api, term):
    user = make_user("api_member")
    member = term.members.order_by("id")[1]
    response = post(
        api["district_officer"],
        f"/api/v1/committee-terms/{term.pk}/members/{member.pk}/grant-role",
        {"username": "api_member"},
    )
    assert response.status_code == 201
    member.refresh_from_db()
    assert member.role_assignment.user == user


def test_end_early_needs_head(api, term):
    url = f"/api/v1/committee-terms/{term.pk}/end-early"
    data = {"on": str(TODAY), "order_no": "คำสั่ง 9/2569", "reason": "ยุบ"}
    assert post(api["district_officer"], url, data).status_code == 403
    response = post(api["district_head"], url, data)
    assert response.status_code == 200
    assert response.json()["status"] == CommitteeTerm.Status.ENDED_EARLY
    assert AuditEvent.objects.filter(action="committee.term_end").count() == 1


def test_advisers_working_groups_and_reports(api, term, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api["district_officer"]
    base = f"/api/v1/committee-terms/{term.pk}"
    adviser = post(client, f"{base}/advisers", {"name": "ครู", "starts_on": str(TODAY)})
    assert adviser.status_code == 201
    ended = post(client, f"{base}/advisers/{adviser.json()['id']}/end", {"on": str(TODAY)})
    assert ended.status_code == 200
    group = post(
        client,
        f"{base}/working-groups",
        {"name": "กีฬา", "purpose": "จัดกีฬา", "starts_on": str(TODAY)},
    )
    assert group.status_code == 201
    gid = group.json()["id"]
    assert post(client, f"{base}/working-groups/{gid}/members", {"name": "ก"}).status_code == 201
    assert post(client, f"{base}/working-groups/{gid}/end", {"on": str(TODAY)}).status_code == 200
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", content_type="application/pdf")
    response = client.post(
        f"{base}/reports",
        {"reported_on": str(TODAY), "subject": "รายงาน", "body": "เนื้อหา", "files": [upload]},
    )
    assert response.status_code == 201, response.content
    assert CommitteeReport.objects.get(pk=response.json()["id"]).subject == "รายงาน"


def test_committee_member_cannot_write(api, term):
    response = post(api["committee_member"], f"/api/v1/committee-terms/{term.pk}/fill-vacancy")
    assert response.status_code == 403


def test_write_outside_reach_is_404(api, communities):
    other = make_term(community_for_area(communities[OTHER_COMMUNITY]), members=1, starts_on=START)
    response = post(api["district_officer"], f"/api/v1/committee-terms/{other.pk}/fill-vacancy")
    assert response.status_code == 404
