"""The committee pages: the committee of a community (staff manage, committee members read),
the forms that call the term services, the city-wide status (constant queries), the panel on
the community page and the navigation entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.communities.services import person_set_status
from chumchon.communities.tests.factories import community_for_area, make_community
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY, make_user

from ..models import CommitteeMember, CommitteeReport, CommitteeTerm, Position
from ..services_terms import format_date
from .factories import make_term

TODAY = timezone.localdate()
START = TODAY - timedelta(days=100)


@pytest.fixture
def community(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def term(community):
    return make_term(community, members=7, seats=8, starts_on=START)


def be(day) -> str:
    return format_date(day)


def test_officer_sees_committee_with_actions(clients, community, term):
    response = clients["district_officer"].get(f"/communities/{community.pk}/committee/")
    assert response.status_code == 200
    html = response.content.decode()
    chair = term.members.order_by("id").first()
    assert chair.person.full_name in html
    assert f"/committee-members/{chair.pk}/end/" in html
    assert f"/committee-terms/{term.pk}/fill-vacancy/" in html  # 7 of 8 seats
    assert "ตำแหน่งว่าง" in html or "Vacant seat" in html


def test_committee_member_sees_committee_read_only(clients, community, term):
    response = clients["committee_member"].get(f"/communities/{community.pk}/committee/")
    assert response.status_code == 200
    html = response.content.decode()
    assert term.members.first().person.full_name in html
    assert "/committee-members/" not in html and "/fill-vacancy/" not in html


def test_committee_page_outside_reach_is_404(clients, communities):
    other = community_for_area(communities[OTHER_COMMUNITY])
    assert clients["district_officer"].get(f"/communities/{other.pk}/committee/").status_code == 404


def test_flagged_member_has_end_membership_link(clients, community, term):
    member = term.members.order_by("id")[2]
    person_set_status(actor=None, person=member.person, status="deceased", on=TODAY)
    html = clients["district_officer"].get(f"/communities/{community.pk}/committee/").content
    assert f"/committee-members/{member.pk}/end/?reason=died".encode() in html


def test_member_end_form_ends_the_seat(clients, term):
    member = term.members.order_by("id")[1]
    client = clients["district_officer"]
    url = f"/committee-members/{member.pk}/end/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"on": be(TODAY), "reason": "resigned", "note": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ends_on == TODAY and member.end_reason == "resigned"


def test_position_form_shows_second_chair_error_on_the_field(clients, term):
    member = term.members.order_by("id")[1]
    response = clients["district_officer"].post(
        f"/committee-terms/{term.pk}/positions/add/",
        {"member": member.pk, "code": "chair", "on": be(TODAY)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert Position.objects.filter(term=term, code="chair").count() == 1


def test_position_form_assigns(clients, term):
    member = term.members.order_by("id")[1]
    response = clients["district_head"].post(
        f"/committee-terms/{term.pk}/positions/add/",
        {"member": member.pk, "code": "treasurer", "on": be(TODAY)},
    )
    assert response.status_code == 302
    assert Position.objects.get(member=member).code == "treasurer"


def test_fill_vacancy_form_without_reserve_says_by_election(clients, term):
    response = clients["district_officer"].post(
        f"/committee-terms/{term.pk}/fill-vacancy/", {"on": be(TODAY)}
    )
    assert response.status_code == 200
    assert "เลือกตั้งซ่อม" in response.content.decode()
    assert term.members.count() == 7


def test_grant_role_form(clients, term):
    user = make_user("new_member_user")
    member = term.members.order_by("id")[1]
    response = clients["district_officer"].post(
        f"/committee-members/{member.pk}/grant-role/", {"username": "new_member_user"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role_assignment.user == user


def test_grant_role_unknown_user_is_a_field_error(clients, term):
    member = term.members.order_by("id")[1]
    response = clients["district_officer"].post(
        f"/committee-members/{member.pk}/grant-role/", {"username": "nobody"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"]


def test_end_early_needs_head(clients, term):
    url = f"/committee-terms/{term.pk}/end-early/"
    assert clients["district_officer"].get(url).status_code == 403
    response = clients["district_head"].post(
        url, {"on": be(TODAY), "order_no": "คำสั่ง 5/2569", "reason": "ไม่ปฏิบัติหน้าที่"}
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.status == CommitteeTerm.Status.ENDED_EARLY


def test_adviser_working_group_and_report_forms(clients, term, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = clients["district_officer"]
    assert (
        client.post(
            f"/committee-terms/{term.pk}/advisers/add/",
            {"name": "ครูสมศรี", "expertise": "การศึกษา", "starts_on": be(TODAY)},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/committee-terms/{term.pk}/working-groups/add/",
            {"name": "คณะทำงานกีฬา", "purpose": "จัดกีฬาชุมชน", "starts_on": be(TODAY)},
        ).status_code
        == 302
    )
    group = term.working_groups.get()
    assert (
        client.post(
            f"/committee-working-groups/{group.pk}/members/add/",
            {"name": "นายกีฬา", "role": "ประธาน"},
        ).status_code
        == 302
    )
    upload = SimpleUploadedFile("r.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = client.post(
        f"/committee-terms/{term.pk}/reports/add/",
        {"reported_on": be(TODAY), "subject": "รายงานไตรมาส", "body": "ผลงาน", "file": upload},
    )
    assert response.status_code == 302
    assert CommitteeReport.objects.get(term=term).subject == "รายงานไตรมาส"
    html = client.get(f"/communities/{term.community_id}/committee/").content.decode()
    assert "ครูสมศรี" in html and "คณะทำงานกีฬา" in html and "r.pdf" in html


def test_committee_member_cannot_post_forms(clients, term):
    member = term.members.order_by("id")[1]
    response = clients["committee_member"].post(
        f"/committee-members/{member.pk}/end/", {"on": be(TODAY), "reason": "resigned"}
    )
    assert response.status_code == 403
    assert CommitteeMember.objects.get(pk=member.pk).ends_on is None


def test_past_terms_show_who_held_which_seat(clients, community):
    old = make_term(
        community,
        members=2,
        starts_on=START - timedelta(days=800),
        years=2,
        status=CommitteeTerm.Status.ENDED,
    )
    make_term(community, members=7, starts_on=START)
    html = clients["district_officer"].get(f"/communities/{community.pk}/committee/").content
    assert old.members.first().person.full_name.encode() in html


def test_status_page_counts_and_drills_down(clients, community, term):
    empty = make_community(district="1001")
    client = clients["district_officer"]
    response = client.get("/committees/status/")
    assert response.status_code == 200
    (entry,) = response.context["table"]
    assert entry["communities"] >= 2 and entry["missing"] >= 1 and entry["valid"] == 1
    response = client.get("/committees/status/?district=1001&state=missing")
    listed = [item["community"] for item in response.context["listed"]]
    assert empty in listed and community not in listed


def test_status_page_runs_constant_queries(clients, communities):
    client = clients["central_officer"]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/committees/status/?district=1001")
        return len(ctx.captured_queries)

    make_term(make_community(district="1001"), members=2, starts_on=START)
    client.get("/committees/status/")
    before = count()
    for district in ("1001", "1004", "1001"):
        make_term(make_community(district=district), members=3, starts_on=START)
        make_community(district=district)
    assert count() == before


def test_status_page_refuses_committee_members(clients):
    assert clients["committee_member"].get("/committees/status/").status_code == 403


def test_community_page_shows_committee_panel(clients, community, term):
    html = clients["committee_member"].get(f"/communities/{community.pk}/").content.decode()
    assert f"/communities/{community.pk}/committee/" in html


def test_navigation_committees_entry(clients, community):
    response = clients["committee_member"].get("/committees/mine/")
    assert response.status_code == 302
    assert response["Location"] == f"/communities/{community.pk}/committee/"
    assert clients["district_officer"].get("/committees/mine/")["Location"] == "/committees/status/"
    nav = clients["district_officer"].get("/").context["nav_items"]
    assert any(item["url"] == "/committees/mine/" for item in nav)
