"""The term services: seats ending, vacancies filled from the reserve list, positions, the
committee member role, early end, the daily roll, advisers, working groups and reports. Each
refusal saves nothing; each write leaves an audit event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from chumchon.accounts.models import RoleAssignment
from chumchon.accounts.scoping import has_perm
from chumchon.communities.services import person_set_status
from chumchon.communities.tests.factories import community_for_area, make_community
from chumchon.conftest import OWN_COMMUNITY, make_user
from chumchon.core.attachments import attachments_of
from chumchon.core.models import AuditEvent

from .. import services_terms as services
from ..models import (
    Adviser,
    Candidate,
    CommitteeMember,
    CommitteeReport,
    CommitteeTerm,
    Position,
    WorkingGroup,
)
from .factories import make_election, make_term, make_voter

TODAY = timezone.localdate()
START = TODAY - timedelta(days=200)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def community(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def officer(role_users):
    return role_users["district_officer"]


@pytest.fixture
def term(community):
    return make_term(community, members=7, seats=7, starts_on=START)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def with_reserve(term, community, *people):
    """Attach an election to `term` with reserve candidates ranked in the order given."""
    election = make_election(community, held_on=term.starts_on - timedelta(days=10))
    term.election = election
    term.save(update_fields=["election"])
    rows = []
    for rank, person in enumerate(people, start=8):
        rows.append(
            Candidate.objects.create(
                election=election,
                person=person,
                number=rank,
                votes=20 - rank,
                rank=rank,
                outcome=Candidate.Outcome.RESERVE,
            )
        )
    return rows


def member_of(term, index=0) -> CommitteeMember:
    return term.members.order_by("id")[index]


# --- member_end -------------------------------------------------------------------------------


def test_member_end_ends_seat_position_and_granted_role(term, officer):
    chair = member_of(term)
    user = make_user("chair_user")
    services.member_grant_role(actor=officer, member=chair, user=user)
    on = TODAY + timedelta(days=5)
    services.member_end(actor=officer, member=chair, on=on, reason="resigned", note="ลาออก")
    chair.refresh_from_db()
    assert chair.ends_on == on and chair.end_reason == "resigned" and chair.end_note == "ลาออก"
    assert not Position.objects.filter(member=chair, ends_on__isnull=True).exists()
    assignment = RoleAssignment.objects.get(pk=chair.role_assignment_id)
    assert assignment.valid_to == on - timedelta(days=1)
    assert events("committee.member_end") == 1


@pytest.mark.parametrize(
    ("reason", "on_delta", "field"),
    [
        ("term_ended", 0, "reason"),  # only term_finish ends seats that way
        ("", 0, "reason"),
        ("died", -400, "on"),  # before the seat started
        ("died", 800, "on"),  # after the term
    ],
)
def test_member_end_refusals_save_nothing(term, officer, reason, on_delta, field):
    member = member_of(term, 1)
    with pytest.raises(ValidationError) as caught:
        services.member_end(
            actor=officer, member=member, on=TODAY + timedelta(days=on_delta), reason=reason
        )
    assert field in caught.value.message_dict
    member.refresh_from_db()
    assert member.ends_on is None
    assert events("committee.member_end") == 0


def test_member_end_twice_is_refused(term, officer):
    member = member_of(term, 1)
    services.member_end(actor=officer, member=member, on=TODAY, reason="died")
    with pytest.raises(ValidationError, match="already ended"):
        services.member_end(actor=officer, member=member, on=TODAY, reason="resigned")


# --- vacancy_fill_from_reserve ------------------------------------------------------------------


def test_vacancy_filled_by_next_eligible_reserve_skipping_dead_and_moved(term, community, officer):
    dead, moved, good, later = (make_voter(community, first_name=n) for n in "ABCD")
    with_reserve(term, community, dead, moved, good, later)
    person_set_status(actor=None, person=dead, status="deceased", on=TODAY - timedelta(days=5))
    person_set_status(
        actor=None,
        person=moved,
        status="moved_out",
        on=TODAY - timedelta(days=5),
        moved_to="ต่างจังหวัด",
    )
    services.member_end(actor=officer, member=member_of(term, 2), on=TODAY, reason="resigned")
    member = services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)
    assert member.person == good
    assert member.source == CommitteeMember.Source.RESERVE
    assert member.starts_on == TODAY and member.ends_on is None
    event = AuditEvent.objects.get(action="committee.vacancy_fill")
    assert [s["candidate"] for s in event.changes["skipped"]] == [8, 9]


def test_vacancy_fill_refused_without_vacancy(term, community, officer):
    with_reserve(term, community, make_voter(community))
    with pytest.raises(ValidationError, match="No seat is vacant"):
        services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)
    assert term.members.count() == 7


def test_vacancy_fill_refused_when_reserve_exhausted_says_by_election(term, community, officer):
    moved = make_voter(community)
    with_reserve(term, community, moved)
    person_set_status(
        actor=None,
        person=moved,
        status="moved_out",
        on=TODAY - timedelta(days=1),
        moved_to="ต่างจังหวัด",
    )
    services.member_end(actor=officer, member=member_of(term, 3), on=TODAY, reason="died")
    with pytest.raises(ValidationError, match="by-election") as caught:
        services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)
    assert "moved out" in str(caught.value)
    assert term.members.current(TODAY).count() == 6
    assert events("committee.vacancy_fill") == 0


def test_vacancy_fill_does_not_reuse_a_seated_reserve(term, community, officer):
    first, second = make_voter(community), make_voter(community)
    with_reserve(term, community, first, second)
    services.member_end(actor=officer, member=member_of(term, 3), on=TODAY, reason="died")
    services.member_end(actor=officer, member=member_of(term, 4), on=TODAY, reason="died")
    a = services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)
    b = services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)
    assert (a.person, b.person) == (first, second)
    with pytest.raises(ValidationError, match="No seat is vacant"):
        services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)


def test_vacancy_fill_skips_person_no_longer_registered_here(term, community, officer):
    elsewhere = make_voter(community)
    with_reserve(term, community, elsewhere)
    other = make_community()
    from chumchon.communities.services import person_move
    from chumchon.communities.tests.factories import make_household

    person_move(
        actor=None, person=elsewhere, to_household=make_household(other), on=TODAY - timedelta(3)
    )
    services.member_end(actor=officer, member=member_of(term, 3), on=TODAY, reason="died")
    with pytest.raises(ValidationError, match="by-election"):
        services.vacancy_fill_from_reserve(actor=officer, term=term, on=TODAY)


# --- positions --------------------------------------------------------------------------------


def test_position_assign_and_end(term, officer):
    member = member_of(term, 1)
    position = services.position_assign(actor=officer, member=member, code="secretary", on=TODAY)
    assert position.code == "secretary" and position.starts_on == TODAY
    services.position_end(actor=officer, position=position, on=TODAY + timedelta(days=1))
    position.refresh_from_db()
    assert position.ends_on == TODAY + timedelta(days=1)
    assert events("committee.position_assign") == 1 and events("committee.position_end") == 1


def test_second_chair_is_refused_with_clear_message(term, officer):
    with pytest.raises(ValidationError) as caught:
        services.position_assign(actor=officer, member=member_of(term, 1), code="chair", on=TODAY)
    message = caught.value.message_dict["code"][0]
    assert "already holds the position Chair" in message
    assert member_of(term).person.full_name in message
    assert Position.objects.filter(code="chair").count() == 1


def test_member_holds_one_position_at_a_time(term, officer):
    with pytest.raises(ValidationError, match="one position per member"):
        services.position_assign(actor=officer, member=member_of(term), code="treasurer", on=TODAY)


def test_other_position_needs_a_title(term, officer):
    with pytest.raises(ValidationError) as caught:
        services.position_assign(actor=officer, member=member_of(term, 1), code="other", on=TODAY)
    assert "title" in caught.value.message_dict
    position = services.position_assign(
        actor=officer, member=member_of(term, 1), code="other", title="ฝ่ายกีฬา", on=TODAY
    )
    assert position.label == "ฝ่ายกีฬา"


def test_position_refused_for_member_not_seated_that_day(term, officer):
    member = member_of(term, 1)
    services.member_end(actor=officer, member=member, on=TODAY, reason="resigned")
    with pytest.raises(ValidationError) as caught:
        services.position_assign(actor=officer, member=member, code="secretary", on=TODAY)
    assert "does not sit" in caught.value.message_dict["on"][0]
    assert not Position.objects.filter(member=member).exists()


def test_position_refused_for_unknown_code(term, officer):
    with pytest.raises(ValidationError):
        services.position_assign(actor=officer, member=member_of(term, 1), code="king", on=TODAY)


# --- member_grant_role ------------------------------------------------------------------------


def test_grant_role_gives_committee_role_until_term_end_and_links_person(term, officer, community):
    member = member_of(term, 1)
    user = make_user("member_user")
    assignment = services.member_grant_role(actor=officer, member=member, user=user)
    assert assignment.role.code == "committee_member"
    assert assignment.area == community.area and assignment.valid_to == term.ends_on
    member.refresh_from_db()
    assert member.role_assignment == assignment
    assert member.person.user == user
    assert has_perm(user, "community.view_own", community.area)
    assert events("committee.member_grant_role") == 1


def test_grant_role_refused_when_user_linked_to_another_person(term, officer):
    user = make_user("linked_user")
    other = member_of(term, 2).person
    other.user = user
    other.save(update_fields=["user"])
    with pytest.raises(ValidationError, match="already linked to another person"):
        services.member_grant_role(actor=officer, member=member_of(term, 1), user=user)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_grant_role_refused_twice(term, officer):
    user = make_user("twice_user")
    member = member_of(term, 1)
    services.member_grant_role(actor=officer, member=member, user=user)
    with pytest.raises(ValidationError, match="already holds the committee member role"):
        services.member_grant_role(actor=officer, member=member, user=user)
    assert RoleAssignment.objects.filter(user=user).count() == 1


# --- term end early, roll -----------------------------------------------------------------------


def test_term_end_early_ends_seats_positions_and_roles(term, officer, role_users):
    user = make_user("early_user")
    services.member_grant_role(actor=officer, member=member_of(term, 1), user=user)
    head = role_users["district_head"]
    services.term_end_early(
        actor=head, term=term, on=TODAY + timedelta(days=3), order_no="คำสั่ง 1/2569", reason="ทุจริต"
    )
    term.refresh_from_db()
    assert term.status == CommitteeTerm.Status.ENDED_EARLY
    assert term.ended_on == TODAY + timedelta(days=3)
    assert term.end_order_no == "คำสั่ง 1/2569"
    assert not term.members.filter(ends_on__isnull=True).exists()
    assert not Position.objects.filter(term=term, ends_on__isnull=True).exists()
    assert RoleAssignment.objects.get(user=user).valid_to == TODAY + timedelta(days=2)


def test_term_end_early_needs_order_and_reason(term, role_users):
    with pytest.raises(ValidationError) as caught:
        services.term_end_early(
            actor=role_users["district_head"], term=term, on=TODAY, order_no="", reason=""
        )
    assert {"order_no", "reason"} <= set(caught.value.message_dict)
    term.refresh_from_db()
    assert term.status == CommitteeTerm.Status.IN_OFFICE
    assert term.members.filter(ends_on__isnull=True).count() == 7


def test_terms_roll_ends_expired_and_starts_planned(community):
    old = make_term(community, members=2, starts_on=date(2023, 1, 1))  # ends 2024-12-31
    new = make_term(
        community, members=2, starts_on=date(2025, 1, 1), status=CommitteeTerm.Status.PLANNED
    )
    assert services.terms_roll(on=date(2025, 1, 1)) == {"ended": 1, "started": 1, "blocked": 0}
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == CommitteeTerm.Status.ENDED and old.ended_on == date(2025, 1, 1)
    assert new.status == CommitteeTerm.Status.IN_OFFICE
    assert services.terms_roll(on=date(2025, 1, 2)) == {"ended": 0, "started": 0, "blocked": 0}


def test_terms_roll_keeps_planned_term_while_another_is_in_office(community):
    make_term(community, members=1, starts_on=date(2024, 6, 1))
    planned = make_term(
        community, members=1, starts_on=date(2025, 1, 1), status=CommitteeTerm.Status.PLANNED
    )
    assert services.terms_roll(on=date(2025, 1, 1))["blocked"] == 1
    planned.refresh_from_db()
    assert planned.status == CommitteeTerm.Status.PLANNED


def test_periodic_job_is_registered():
    from chumchon.core.periodic import REGISTRY, autodiscover

    autodiscover()
    assert "committees.terms_roll" in REGISTRY


# --- advisers, working groups, reports -----------------------------------------------------


def test_adviser_add_and_end(term, officer):
    adviser = services.adviser_add(actor=officer, term=term, name="นายที่ปรึกษา", starts_on=TODAY)
    services.adviser_end(actor=officer, adviser=adviser, on=TODAY + timedelta(days=3))
    adviser.refresh_from_db()
    assert adviser.ends_on == TODAY + timedelta(days=3)
    assert events("committee.adviser_add") == 1 and events("committee.adviser_end") == 1


def test_adviser_refused_without_name_or_outside_term(term, officer):
    with pytest.raises(ValidationError):
        services.adviser_add(actor=officer, term=term, name="", starts_on=TODAY)
    with pytest.raises(ValidationError):
        services.adviser_add(
            actor=officer, term=term, name="x", starts_on=term.ends_on + timedelta(1)
        )
    assert not Adviser.objects.exists()


def test_adviser_from_another_community_is_refused(term, officer):
    stranger = make_voter(make_community())
    with pytest.raises(ValidationError, match="not registered in this community"):
        services.adviser_add(actor=officer, term=term, person=stranger, starts_on=TODAY)


def test_working_group_add_member_and_end(term, officer, community):
    group = services.working_group_add(
        actor=officer, term=term, name="คณะทำงานสวัสดิการ", purpose="ดูแลผู้สูงอายุ", starts_on=TODAY
    )
    person = make_voter(community, first_name="สมาชิก")
    row = services.working_group_member_add(actor=officer, group=group, person=person, role="เลขา")
    assert row.name == person.full_name
    with pytest.raises(ValidationError, match="already in this working group"):
        services.working_group_member_add(actor=officer, group=group, person=person)
    services.working_group_end(actor=officer, group=group, on=TODAY)
    with pytest.raises(ValidationError, match="ended"):
        services.working_group_member_add(actor=officer, group=group, name="คนใหม่")
    assert group.members.count() == 1


def test_working_group_needs_name_and_purpose(term, officer):
    with pytest.raises(ValidationError) as caught:
        services.working_group_add(actor=officer, term=term, name="", purpose="", starts_on=TODAY)
    assert {"name", "purpose"} <= set(caught.value.message_dict)
    assert not WorkingGroup.objects.exists()


def test_report_add_with_attachment(term, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    report = services.report_add(
        actor=officer,
        term=term,
        reported_on=TODAY,
        subject="รายงานประจำเดือน",
        body="ผลการดำเนินงาน",
        files=[upload],
    )
    assert [a.original_name for a in attachments_of(report)] == ["report.pdf"]
    assert events("committee.report_add") == 1


def test_report_with_a_bad_file_saves_nothing(term, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        services.report_add(
            actor=officer, term=term, reported_on=TODAY, subject="s", body="b", files=[upload]
        )
    assert not CommitteeReport.objects.exists()


def test_report_files_are_read_by_the_own_committee_not_other_districts(
    term, officer, settings, tmp_path, clients
):
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    report = services.report_add(
        actor=officer, term=term, reported_on=TODAY, subject="ก", body="ข", files=[upload]
    )
    url = reverse("attachment-download", args=[attachments_of(report)[0].pk])
    assert clients["committee_member"].get(url).status_code == 200
    assert clients["district_officer"].get(url).status_code == 200
