"""The election API: the life cycle from plan to certified term, its 422s and who sees what."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from chumchon.communities.tests.factories import community_for_area
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY

from ..models import CommitteeTerm, Election
from .factories import make_election, make_voter

pytestmark = pytest.mark.django_db

URL = "/api/v1/elections/"
DAY = date(2026, 6, 1)


@pytest.fixture
def api(clients):
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY], families=165)


@pytest.fixture
def other(communities):
    return community_for_area(communities[OTHER_COMMUNITY])


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def plan(api, own, **body):
    body = {"community_id": own.pk, "held_on": DAY.isoformat(), "place": "ศาลา", **body}
    response = post(api["district_officer"], URL, body)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_whole_life_cycle(api, own):
    for i in range(140):
        make_voter(own, first_name=f"ผู้มีสิทธิ์{i}")
    created = plan(api, own, announcement_no="5/2569")
    assert (created["seats"], created["counted"], created["status"]) == (8, 165, "planned")
    assert created["policy"]["valid_from"] == "1991-01-01"
    assert created["voters"] == 140 and created["turnout"] is None
    url = f"{URL}{created['id']}"
    officer = api["district_officer"]
    for i in range(10):
        person = make_voter(own, first_name=f"ผู้สมัคร{i}", last_name="ทดสอบ")
        response = post(officer, f"{url}/candidates", {"person_id": person.pk})
        assert response.status_code == 201, response.content
    assert len(response.json()["ranking"]) == 10
    votes = [{"number": n, "votes": 70 - n} for n in range(1, 11)]
    response = post(
        officer,
        f"{url}/results",
        {
            "ballots_issued": 120,
            "ballots_cast": 101,
            "ballots_spoiled": 1,
            "ballots_blank": 0,
            "votes": votes,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "results" and body["voters"] == 150
    assert body["turnout"] == "67.33"
    assert body["ballots"] == {"issued": 120, "cast": 101, "spoiled": 1, "blank": 0, "valid": 100}
    first = body["ranking"][0]
    assert first == {
        "candidate_id": first["candidate_id"],
        "number": 1,
        "name": "นายผู้สมัคร0 ทดสอบ",
        "votes": 69,
        "rank": 1,
        "outcome": "elected",
        "by_lot": False,
        "withdrawn_on": None,
    }
    assert [r["outcome"] for r in body["ranking"]].count("reserve") == 2
    assert "national_id" not in response.content.decode() and "person_id" not in body["ranking"][0]
    # the officer may not certify; the head does
    assert post(officer, f"{url}/certify").status_code == 403
    response = post(api["district_head"], f"{url}/certify", {"starts_on": "2026-06-15"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "certified"
    term = CommitteeTerm.objects.get(pk=body["started_term_id"])
    assert term.members.count() == 8 and term.ends_on == date(2028, 6, 14)
    # the committee member of the community reads it
    got = api["committee_member"].get(url)
    assert got.status_code == 200 and got.json()["voters"] == 150


def test_create_422s(api, own, other):
    officer = api["district_officer"]
    response = post(officer, URL, {})
    assert response.status_code == 422
    assert {"community_id", "held_on"} <= set(fields(response))
    response = post(officer, URL, {"community_id": other.pk, "held_on": "2026-06-01"})
    assert response.status_code == 422 and "community_id" in fields(response)
    response = post(officer, URL, {"community_id": own.pk, "held_on": "1980-01-01", "place": "x"})
    assert response.status_code == 422 and "held_on" in fields(response)
    response = post(officer, URL, {"community_id": own.pk, "held_on": "2026-06-01"})
    assert "place" in fields(response)
    assert not Election.objects.exists()


def test_candidate_refusal_names_the_failed_criteria(api, own):
    created = plan(api, own)
    young = make_voter(own, birth_date=date(2010, 1, 1), since=DAY - timedelta(days=30))
    response = post(
        api["district_officer"], f"{URL}{created['id']}/candidates", {"person_id": young.pk}
    )
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"] if e["field"] == "person_id"]
    assert any("Aged 16" in m for m in messages)
    assert any("at least 180" in m for m in messages)


def _contested(api, own, n=9):
    created = plan(api, own)
    for _ in range(n):
        post(
            api["district_officer"],
            f"{URL}{created['id']}/candidates",
            {"person_id": make_voter(own).pk},
        )
    for _ in range(100):
        make_voter(own)
    return f"{URL}{created['id']}"


def test_results_422s_name_the_fields(api, own):
    url = _contested(api, own)
    officer = api["district_officer"]
    response = post(officer, f"{url}/results", {})
    assert response.status_code == 422
    assert {"ballots_cast", "votes"} <= set(fields(response))
    body = {
        "ballots_issued": 100,
        "ballots_cast": 90,
        "ballots_spoiled": 0,
        "ballots_blank": 0,
        "votes": [{"number": n, "votes": 10} for n in range(2, 10)] + [{"number": 77, "votes": 1}],
    }
    response = post(officer, f"{url}/results", body)
    assert response.status_code == 422
    assert {"votes.1", "votes.77"} <= set(fields(response))
    body["votes"] = [{"number": n, "votes": 10} for n in range(1, 10)]
    body["votes"][0]["votes"] = 91
    response = post(officer, f"{url}/results", body)
    assert "votes.1" in fields(response)


def test_a_tie_for_the_last_seat_is_refused_naming_the_numbers(api, own):
    url = _contested(api, own)
    body = {
        "ballots_issued": 100,
        "ballots_cast": 90,
        "ballots_spoiled": 0,
        "ballots_blank": 0,
        "votes": [{"number": n, "votes": 40 if n < 7 else 20} for n in range(1, 10)],
    }
    response = post(api["district_officer"], f"{url}/results", body)
    assert response.status_code == 422
    assert "7, 8, 9" in fields(response)["lot_order"]
    body |= {"lot_order": [8, 9, 7], "tie_break_method": "จับสลาก"}
    response = post(api["district_officer"], f"{url}/results", body)
    assert response.status_code == 200
    ranking = {r["number"]: r for r in response.json()["ranking"]}
    assert ranking[8]["outcome"] == "elected" and ranking[8]["by_lot"]


def test_correction_needs_a_reason(api, own):
    url = _contested(api, own)
    body = {
        "ballots_issued": 100,
        "ballots_cast": 90,
        "ballots_spoiled": 0,
        "ballots_blank": 0,
        "votes": [{"number": n, "votes": 50 - n} for n in range(1, 10)],
    }
    assert post(api["district_officer"], f"{url}/results", body).status_code == 200
    response = post(api["district_officer"], f"{url}/results/correct", body)
    assert response.status_code == 422 and "reason" in fields(response)
    body["votes"][8]["votes"] = 60
    response = post(api["district_officer"], f"{url}/results/correct", body | {"reason": "ผิด"})
    assert response.status_code == 200
    assert response.json()["ranking"][0]["number"] == 9


def test_unopposed_certify_without_results(api, own):
    created = plan(api, own)
    url = f"{URL}{created['id']}"
    for _ in range(3):
        post(api["district_officer"], f"{url}/candidates", {"person_id": make_voter(own).pk})
    response = post(api["district_officer"], f"{url}/results", {"ballots_issued": 1})
    assert response.status_code == 422
    response = post(api["district_head"], f"{url}/certify", {"starts_on": "2026-06-02"})
    assert response.status_code == 200
    body = response.json()
    assert body["unopposed"] and {r["outcome"] for r in body["ranking"]} == {"elected"}


def test_withdraw_and_cancel(api, own):
    created = plan(api, own)
    url = f"{URL}{created['id']}"
    officer = api["district_officer"]
    body = post(officer, f"{url}/candidates", {"person_id": make_voter(own).pk}).json()
    cid = body["ranking"][0]["candidate_id"]
    assert post(officer, f"{url}/candidates/{cid}/withdraw").status_code == 422
    response = post(officer, f"{url}/candidates/{cid}/withdraw", {"reason": "ป่วย"})
    assert response.status_code == 200 and response.json()["ranking"][0]["withdrawn_on"]
    response = post(officer, f"{url}/cancel", {"reason": "เลื่อน"})
    assert response.json()["status"] == "cancelled"


def test_list_is_scoped_and_filtered(api, own, other):
    mine = make_election(own)
    make_election(other)
    response = api["district_officer"].get(URL)
    assert [e["id"] for e in response.json()["items"]] == [mine.pk]
    assert api["central_officer"].get(URL).json()["count"] == 2
    assert api["committee_member"].get(URL).json()["count"] == 1
    assert api["central_officer"].get(f"{URL}?status=certified").json()["count"] == 0
    assert api["central_officer"].get(f"{URL}?community_id={own.pk}").json()["count"] == 1
    assert api["central_officer"].get(f"{URL}?status=nope").status_code == 422


def test_reach_and_roles(api, own, other):
    theirs = make_election(other)
    assert api["district_officer"].get(f"{URL}{theirs.pk}").status_code == 404
    mine = make_election(own)
    assert (
        post(api["committee_member"], f"{URL}{mine.pk}/cancel", {"reason": "x"}).status_code == 403
    )
    assert post(api["committee_member"], URL, {}).status_code == 403
    assert api["anonymous"].get(f"{URL}{mine.pk}").status_code == 401


def test_update_a_planned_election(api, own):
    created = plan(api, own)
    url = f"{URL}{created['id']}"
    response = api["district_officer"].patch(
        url, data=json.dumps({"place": "วัด"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["place"] == "วัด"


def test_refusals_read_in_thai(clients, own):
    client = clients["district_officer"]
    client.cookies["chumchon_language"] = "th"
    response = post(client, URL, {"community_id": own.pk, "held_on": "1980-01-01", "place": "x"})
    assert response.status_code == 422
    assert "ไม่มีหลักเกณฑ์จำนวนกรรมการชุมชน" in fields(response)["held_on"]
