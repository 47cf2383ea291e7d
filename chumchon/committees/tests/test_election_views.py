"""The election pages: list (filters, constant queries), plan, edit, the election's page with
its forms (errors on the right fields, a refused candidate's reasons), voters, and the whole
life cycle through the pages: plan -> candidates -> results -> certify."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.communities.tests.factories import community_for_area
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.dates import format_date
from chumchon.organizations.models import Area

from ..models import Candidate, CommitteeTerm, Election
from .factories import make_election, make_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(communities):
    return community_for_area(Area.objects.get(code=OWN_COMMUNITY), families=150)


@pytest.fixture
def other(communities):
    return community_for_area(Area.objects.get(code=OTHER_COMMUNITY))


def be_numeric(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def thai(client):
    client.cookies["chumchon_language"] = "th"
    return client


def english(client):
    client.cookies["chumchon_language"] = "en"
    return client


# --- list ---------------------------------------------------------------------------------------


def test_list_shows_elections_in_reach_only(clients, own, other):
    mine = make_election(own, date(2026, 6, 1))
    make_election(other, date(2026, 7, 1))
    response = clients["district_officer"].get(reverse("election-list"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [mine]
    assert reverse("election-create") in response.content.decode()  # may plan


def test_list_hides_the_plan_button_without_committees_manage(clients, own):
    make_election(own)
    for actor in ("zone_officer", "committee_member"):
        response = clients[actor].get(reverse("election-list"))
        assert response.status_code == 200
        assert len(response.context["object_list"]) == 1
        assert reverse("election-create") not in response.content.decode()


def test_list_filters_by_status_year_community_and_district(clients, own, other):
    planned = make_election(own, date(2026, 6, 1))
    old = make_election(own, date(2024, 6, 1), status=Election.Status.CANCELLED)
    far = make_election(other, date(2026, 6, 1))
    client = clients["central_officer"]
    url = reverse("election-list")

    def shown(**query):
        return set(client.get(url, query).context["object_list"])

    assert shown() == {planned, old, far}
    assert shown(status="cancelled") == {old}
    assert shown(year=2569) == {planned, far}
    assert shown(district="1004") == {far}
    assert shown(district="1001", community=str(own.pk)) == {planned, old}
    assert shown(community=str(own.pk)) == {planned, old}  # a link from a community's page


def test_list_runs_constant_queries_as_elections_grow(clients, own, other):
    client = clients["central_officer"]
    url = reverse("election-list")
    make_election(own, date(2026, 1, 1))
    client.get(url)  # warm caches (reach, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        election = make_election(other if i % 2 else own, date(2025, 1, 1) + timedelta(days=i))
        Candidate.objects.create(election=election, person=make_voter(election.community), number=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["object_list"]) == 7
    assert len(many) == len(few)


# --- plan and edit -------------------------------------------------------------------------------


def test_plan_form_offers_only_communities_the_user_manages(clients, own, other):
    response = clients["district_officer"].get(reverse("election-create") + f"?community={own.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["community"].queryset) == [own]
    assert form.initial["community"] == own.pk


def test_plan_refuses_a_community_out_of_reach_on_its_field(clients, own, other):
    response = clients["district_officer"].post(
        reverse("election-create"),
        {"community": other.pk, "kind": "general", "held_on": "01/06/2569", "place": "ศาลา"},
    )
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not Election.objects.exists()


def test_plan_shows_required_fields_in_thai_and_english(clients, own):
    client = thai(clients["district_officer"])
    response = client.post(reverse("election-create"), {"community": own.pk, "kind": "general"})
    form = response.context["form"]
    assert set(form.errors) >= {"held_on", "place"}
    assert "is-invalid" in response.content.decode()
    assert "ต้องระบุข้อมูลช่องนี้" in response.content.decode()
    response = english(client).post(
        reverse("election-create"), {"community": own.pk, "kind": "general"}
    )
    assert "This field is required." in response.content.decode()


def test_plan_accepts_a_buddhist_era_date_and_shows_it_in_be(clients, own):
    response = clients["district_officer"].post(
        reverse("election-create"),
        {
            "community": own.pk,
            "kind": "general",
            "held_on": "01/06/2569",
            "place": "ศาลาชุมชน",
            "announcement_no": "ประกาศเขต 5/2569",
            "announced_on": "15/05/2569",
        },
        follow=True,
    )
    election = Election.objects.get()
    assert election.held_on == date(2026, 6, 1)
    assert election.announced_on == date(2026, 5, 15)
    assert election.seats == 7
    page = response.content.decode()
    assert "2569" in page and "2026" not in page.split("<main", 1)[1].split("</main>")[0]


def test_by_election_without_a_term_is_refused_on_the_term_field(clients, own):
    response = clients["district_officer"].post(
        reverse("election-create"),
        {"community": own.pk, "kind": "by_election", "held_on": "01/06/2569", "place": "ศาลา"},
    )
    assert "term" in response.context["form"].errors


def test_edit_changes_a_planned_election(clients, own):
    election = make_election(own, date(2026, 6, 1))
    response = clients["district_officer"].post(
        reverse("election-edit", args=[election.pk]),
        {"held_on": "02/06/2569", "place": "วัดใหม่"},
    )
    assert response.status_code == 302
    election.refresh_from_db()
    assert (election.held_on, election.place) == (date(2026, 6, 2), "วัดใหม่")


def test_edit_of_a_certified_election_goes_back_with_a_message(clients, own):
    election = make_election(own, status=Election.Status.CERTIFIED)
    response = clients["district_officer"].get(reverse("election-edit", args=[election.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("election-detail", args=[election.pk])


# --- the election's page ------------------------------------------------------------------------


def test_detail_shows_summary_in_be_and_voter_count(clients, own):
    election = make_election(own, date(2026, 6, 1))
    make_voter(own)
    make_voter(own, birth_date=date(2015, 1, 1))  # too young
    response = thai(clients["committee_member"]).get(reverse("election-detail", args=[election.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 มิถุนายน 2569" in page
    assert response.context["voter_count"] == 1
    assert reverse("election-voters", args=[election.pk]) in page
    # a committee member sees, but gets no forms
    assert "candidate_form" not in response.context
    assert "certify_form" not in response.context


def test_only_records_approve_holders_see_the_certify_form(clients, own):
    election = make_election(own, date(2026, 6, 1))
    Candidate.objects.create(election=election, person=make_voter(own), number=1)  # unopposed
    officer = clients["district_officer"].get(reverse("election-detail", args=[election.pk]))
    head = clients["district_head"].get(reverse("election-detail", args=[election.pk]))
    assert "certify_form" not in officer.context
    assert "certify_form" in head.context
    assert reverse("election-certify", args=[election.pk]) in head.content.decode()


def test_refused_candidate_sees_every_failed_criterion(clients, own):
    election = make_election(own, timezone.localdate() + timedelta(days=30))
    child = make_voter(own, birth_date=date(2015, 1, 1), since=timezone.localdate())
    response = english(clients["district_officer"]).post(
        reverse("election-candidate-add", args=[election.pk]), {"cand-person": child.pk}
    )
    assert response.status_code == 200
    refusal = response.context["refusal"]
    assert refusal["person"] == child
    assert len(refusal["problems"]) >= 2  # age and days in the house registration
    page = response.content.decode()
    assert 'data-testid="candidate-refusal"' in page
    assert "on election day" in page
    assert "cannot stand as a candidate" in page
    assert not Candidate.objects.exists()


def test_candidate_picker_lists_only_current_members_of_the_community(clients, own, other):
    election = make_election(own, date(2026, 6, 1))
    member = make_voter(own, first_name="สมหมาย")
    outsider = make_voter(other, first_name="คนอื่น")
    response = clients["district_officer"].get(reverse("election-detail", args=[election.pk]))
    people = list(response.context["candidate_form"].fields["person"].queryset)
    assert member in people and outsider not in people
    response = clients["district_officer"].post(
        reverse("election-candidate-add", args=[election.pk]), {"cand-person": outsider.pk}
    )
    assert "person" in response.context["candidate_form"].errors
    assert not Candidate.objects.exists()


def test_withdraw_needs_a_reason_shown_in_the_candidates_row(clients, own):
    election = make_election(own, date(2026, 6, 1))
    candidate = Candidate.objects.create(election=election, person=make_voter(own), number=1)
    url = reverse("election-candidate-withdraw", args=[election.pk, candidate.pk])
    response = clients["district_officer"].post(url, {"wd-reason": ""})
    assert response.status_code == 200
    assert response.context["withdraw_candidate"] == candidate
    assert "is-invalid" in response.content.decode()
    response = clients["district_officer"].post(url, {"wd-reason": "ย้ายไปต่างจังหวัด"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.withdrawn_on is not None


def test_votes_above_valid_ballots_land_on_that_candidates_field(clients, own):
    held_on = timezone.localdate() - timedelta(days=1)
    election = make_election(own, held_on, seats=1)
    for number in (1, 2):
        Candidate.objects.create(election=election, person=make_voter(own), number=number)
    for _ in range(8):
        make_voter(own)
    response = english(clients["district_officer"]).post(
        reverse("election-results", args=[election.pk]),
        {
            "res-ballots_issued": 10,
            "res-ballots_cast": 6,
            "res-ballots_spoiled": 1,
            "res-ballots_blank": 0,
            "res-votes_1": 9,
            "res-votes_2": 1,
        },
    )
    assert response.status_code == 200
    form = response.context["results_form"]
    assert "votes_1" in form.errors
    assert "more than the 5 valid ballots" in form.errors["votes_1"][0]
    election.refresh_from_db()
    assert election.status == Election.Status.PLANNED


def test_cancel_needs_a_reason_then_cancels(clients, own):
    election = make_election(own, date(2026, 6, 1))
    url = reverse("election-cancel", args=[election.pk])
    response = clients["district_officer"].post(url, {})
    assert "reason" in response.context["cancel_form"].errors
    response = clients["district_officer"].post(url, {"cancel-reason": "น้ำท่วม"})
    assert response.status_code == 302
    election.refresh_from_db()
    assert election.status == Election.Status.CANCELLED


def test_voters_page_shows_names_with_masked_ids_for_staff_only(clients, own):
    election = make_election(own, date(2026, 6, 1))
    voter = make_voter(own, first_name="มาลี")
    staff = clients["district_officer"].get(reverse("election-voters", args=[election.pk]))
    assert staff.status_code == 200
    page = staff.content.decode()
    assert "มาลี" in page
    assert staff.context["show_ids"] is True
    if voter.national_id:
        assert voter.national_id not in page
        assert voter.masked_national_id in page
    member = clients["committee_member"].get(reverse("election-voters", args=[election.pk]))
    assert member.status_code == 200
    assert member.context["show_ids"] is False
    assert "มาลี" in member.content.decode()


# --- the whole life cycle --------------------------------------------------------------------------


def test_life_cycle_plan_candidates_results_certify_through_the_pages(clients, own):
    officer, head = clients["district_officer"], thai(clients["district_head"])
    held_on = timezone.localdate() - timedelta(days=2)
    people = [make_voter(own, first_name=f"ผู้สมัคร{i}") for i in range(9)]
    for _ in range(11):
        make_voter(own)

    response = officer.post(
        reverse("election-create"),
        {
            "community": own.pk,
            "kind": "general",
            "held_on": be_numeric(held_on),
            "place": "ศาลาชุมชน",
        },
    )
    election = Election.objects.get()
    assert response["Location"] == reverse("election-detail", args=[election.pk])
    assert election.seats == 7

    for person in people:
        response = officer.post(
            reverse("election-candidate-add", args=[election.pk]), {"cand-person": person.pk}
        )
        assert response.status_code == 302, response.context and response.context.get("refusal")
    assert election.candidates.count() == 9

    votes = {1: 15, 2: 14, 3: 13, 4: 12, 5: 11, 6: 10, 7: 9, 8: 8, 9: 3}
    data = {
        "res-ballots_issued": 20,
        "res-ballots_cast": 18,
        "res-ballots_spoiled": 1,
        "res-ballots_blank": 1,
        **{f"res-votes_{n}": v for n, v in votes.items()},
    }
    response = officer.post(reverse("election-results", args=[election.pk]), data)
    assert response.status_code == 302, response.context["results_form"].errors
    election.refresh_from_db()
    assert election.status == Election.Status.RESULTS

    page = head.get(reverse("election-detail", args=[election.pk]))
    assert page.context["turnout"] is not None
    assert "90.00 %" in page.content.decode()  # 18 cast of 20 eligible
    assert [c.number for c in page.context["ranking"]][:7] == [1, 2, 3, 4, 5, 6, 7]
    assert "correction_form" in page.context  # the head also holds committees.manage
    assert "certify_form" in page.context

    response = officer.post(
        reverse("election-results-correct", args=[election.pk]),
        {**{k.replace("res-", "corr-"): v for k, v in data.items()}, "corr-votes_9": 4},
    )
    assert "reason" in response.context["correction_form"].errors
    response = officer.post(
        reverse("election-results-correct", args=[election.pk]),
        {
            **{k.replace("res-", "corr-"): v for k, v in data.items()},
            "corr-votes_9": 4,
            "corr-reason": "นับคะแนนผิด",
        },
    )
    assert response.status_code == 302
    assert election.candidates.get(number=9).votes == 4

    denied = officer.post(reverse("election-certify", args=[election.pk]), {})
    assert denied.status_code == 403
    response = head.post(
        reverse("election-certify", args=[election.pk]),
        {"cert-starts_on": be_numeric(timezone.localdate())},
        follow=True,
    )
    assert response.status_code == 200
    election.refresh_from_db()
    assert election.status == Election.Status.CERTIFIED
    term = CommitteeTerm.objects.get(election=election)
    assert term.members.count() == 7
    page = response.content.decode()
    assert format_date(term.starts_on) in page


def test_results_on_a_cancelled_election_show_the_services_refusal(clients, own):
    election = make_election(
        own, timezone.localdate() - timedelta(days=1), status=Election.Status.CANCELLED
    )
    response = english(clients["district_officer"]).post(
        reverse("election-results", args=[election.pk]),
        {
            "res-ballots_issued": 1,
            "res-ballots_cast": 0,
            "res-ballots_spoiled": 0,
            "res-ballots_blank": 0,
        },
    )
    assert response.status_code == 200
    assert response.context["results_form"].non_field_errors()
    assert "Results are entered once" in response.content.decode()
