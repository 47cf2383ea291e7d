"""Election services: planning, eligibility from dated memberships, candidates, results,
corrections and certification; every refusal saves nothing; every write is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chumchon.communities import services as registry
from chumchon.communities.models import Community, Membership
from chumchon.communities.tests.factories import (
    community_for_area,
    make_household,
    make_person,
)
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.dates import format_date
from chumchon.core.models import AuditEvent

from .. import selectors_elections as sel
from .. import services_elections as svc
from ..models import Candidate, CommitteeMember, CommitteeTerm, Election, SeatPolicy
from .factories import be2534, make_term, make_voter

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)
START = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def own(communities) -> Community:
    return community_for_area(communities[OWN_COMMUNITY], families=150)


@pytest.fixture
def other(communities) -> Community:
    return community_for_area(communities[OTHER_COMMUNITY])


@pytest.fixture
def officer(role_users):
    return role_users["district_officer"]


@pytest.fixture
def head(role_users):
    return role_users["district_head"]


def plan(actor, community, held_on=DAY, **values):
    values.setdefault("place", "ศาลาชุมชน")
    return svc.election_plan(actor=actor, community=community, held_on=held_on, **values)


def with_candidates(actor, election, n):
    return [
        svc.candidate_register(
            actor=actor,
            election=election,
            person=make_voter(election.community, first_name=f"ผู้สมัคร{i}"),
        )
        for i in range(n)
    ]


def ballots(votes, cast=100, issued=120, spoiled=2, blank=3, **extra):
    return dict(
        ballots_issued=issued,
        ballots_cast=cast,
        ballots_spoiled=spoiled,
        ballots_blank=blank,
        votes=votes,
        **extra,
    )


def make_voters(community, n):
    for i in range(n):
        make_voter(community, first_name=f"ผู้มีสิทธิ์{i}")


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(str(m) for m in exc.value.messages)


# --- planning ---------------------------------------------------------------------------------


def test_plan_snapshots_policy_counted_and_seats_and_audits(own, officer):
    own.declared_families = 181
    own.save()
    election = plan(officer, own, announcement_no="12/2569")
    assert election.policy == be2534()
    assert (election.counted, election.seats, election.status) == (181, 9, "planned")
    event = AuditEvent.objects.get(action="committee.election_plan")
    assert event.area_path == own.area.path and event.object_id == str(election.pk)


def test_plan_counts_registry_households_when_the_policy_says_so(own, officer):
    SeatPolicy.objects.filter(pk=be2534().pk).update(valid_to=date(2025, 12, 31))
    SeatPolicy.objects.create(
        name_th="ใหม่", valid_from=date(2026, 1, 1), counted="registry_households"
    )
    for _ in range(3):
        make_household(own)
    election = plan(officer, own)
    assert (election.counted, election.seats) == (3, 7)


def test_plan_refuses_houses_policy_without_declared_houses(own, officer):
    SeatPolicy.objects.filter(pk=be2534().pk).update(valid_to=date(2025, 12, 31))
    SeatPolicy.objects.create(name_th="ใหม่", valid_from=date(2026, 1, 1), counted="houses")
    with pytest.raises(ValidationError) as exc:
        plan(officer, own)
    assert "declare the houses first" in messages(exc)
    assert not Election.objects.exists()


def test_plan_refuses_a_day_without_policy(own, officer):
    with pytest.raises(ValidationError) as exc:
        plan(officer, own, held_on=date(1990, 6, 1))
    assert "held_on" in exc.value.message_dict
    assert not Election.objects.exists()


def test_plan_refuses_a_dissolved_community(own, officer):
    registry.community_dissolve(
        actor=None, community=own, dissolved_on=date(2026, 1, 1), announcement_no="1", reason="x"
    )
    with pytest.raises(ValidationError) as exc:
        plan(officer, own)
    assert "dissolved" in messages(exc)
    assert not Election.objects.exists()


def test_plan_refuses_a_date_before_the_latest_term_started(own, officer):
    make_term(own, starts_on=date(2026, 7, 1), members=0)
    with pytest.raises(ValidationError) as exc:
        plan(officer, own)
    assert "before the previous term started" in messages(exc)
    assert format_date(date(2026, 7, 1)) in messages(exc)  # shown in the Buddhist era
    assert "2026-07-01" not in messages(exc)
    assert not Election.objects.exists()


def test_plan_refuses_a_second_open_election(own, officer):
    plan(officer, own)
    with pytest.raises(ValidationError) as exc:
        plan(officer, own, held_on=date(2026, 7, 1))
    assert "not certified or cancelled" in messages(exc)
    assert Election.objects.count() == 1


def test_plan_after_cancel_is_allowed_and_cancel_is_audited(own, officer):
    first = plan(officer, own)
    svc.election_cancel(actor=officer, election=first, reason="น้ำท่วม")
    assert AuditEvent.objects.filter(action="committee.election_cancel", reason="น้ำท่วม").exists()
    assert plan(officer, own, held_on=date(2026, 7, 1)).pk != first.pk


def test_cancel_needs_a_reason(own, officer):
    election = plan(officer, own)
    with pytest.raises(ValidationError):
        svc.election_cancel(actor=officer, election=election, reason=" ")
    election.refresh_from_db()
    assert election.status == "planned"


def test_update_changes_a_planned_election_only(own, officer):
    election = plan(officer, own)
    svc.election_update(actor=officer, election=election, place="วัด", held_on=date(2026, 6, 2))
    election.refresh_from_db()
    assert (election.place, election.held_on) == ("วัด", date(2026, 6, 2))
    assert AuditEvent.objects.filter(action="committee.election_update").exists()
    with pytest.raises(ValidationError):
        svc.election_update(actor=officer, election=election, seats=25)
    svc.election_cancel(actor=officer, election=election, reason="x")
    with pytest.raises(ValidationError):
        svc.election_update(actor=officer, election=election, place="อื่น")


# --- by-elections -----------------------------------------------------------------------------


def test_by_election_fills_vacancies_when_reserve_is_exhausted(own, officer):
    term = make_term(own, members=5, seats=7, starts_on=date(2025, 1, 1))
    election = plan(officer, own, kind="by_election", term=term)
    assert election.seats == 2 and election.term == term


def test_by_election_refusals(own, other, officer):
    full = make_term(own, members=7, seats=7, starts_on=date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        plan(officer, own, kind="by_election", term=full)
    assert "no vacant seat" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        plan(officer, own, kind="by_election", term=None)
    assert "term" in exc.value.message_dict
    foreign = make_term(other, members=3, seats=7)
    with pytest.raises(ValidationError) as exc:
        plan(officer, own, kind="by_election", term=foreign)
    assert "another community" in messages(exc)
    assert not Election.objects.exists()


def test_by_election_refused_while_the_reserve_list_has_candidates(own, officer, head):
    election = plan(officer, own)
    cands = with_candidates(officer, election, 8)
    svc.results_enter(
        actor=officer,
        election=election,
        **ballots({c.number: 9 - c.number for c in cands}, cast=8, issued=8, spoiled=0, blank=0),
    )
    term = svc.election_certify(actor=head, election=election, starts_on=START)
    member = term.members.get(candidate=cands[0])
    member.ends_on, member.end_reason = date(2026, 7, 1), "resigned"
    member.save()
    assert [c.number for c in sel.reserve_list(term)] == [8]
    with pytest.raises(ValidationError) as exc:
        plan(officer, own, held_on=date(2026, 8, 1), kind="by_election", term=term)
    assert "reserve list still has 1" in messages(exc)


def test_by_election_certified_adds_members_to_the_existing_term(own, officer, head):
    term = make_term(own, members=5, seats=7, starts_on=date(2025, 1, 1))
    election = plan(officer, own, kind="by_election", term=term)
    with_candidates(officer, election, 2)
    result = svc.election_certify(actor=head, election=election, starts_on=START)
    assert result == term and CommitteeTerm.objects.count() == 1
    added = term.members.filter(source="by_election")
    assert added.count() == 2 and all(m.ends_on is None for m in added)
    election.refresh_from_db()
    assert election.status == "certified" and election.unopposed


# --- eligibility ------------------------------------------------------------------------------


def _one(election, person) -> bool:
    return sel.eligible_voters(election).filter(pk=person.pk).exists()


def test_voter_registered_exactly_v_days_is_eligible_and_v_minus_1_is_not(own, officer):
    election = plan(officer, own)
    at_v = make_voter(own, since=DAY - timedelta(days=90))
    short = make_voter(own, since=DAY - timedelta(days=89))
    assert _one(election, at_v) and not _one(election, short)
    assert sel.person_facts(election, at_v).registered_since == DAY - timedelta(days=90)
    assert sel.voter_count(election) == 1
    found = sel.eligible_voters(election).get()
    assert found.registered_since == DAY - timedelta(days=90)


def test_voter_age_counts_a_birthday_on_election_day(own, officer):
    election = plan(officer, own)
    eighteen_today = make_voter(own, birth_date=date(2008, 6, 1))
    eighteen_tomorrow = make_voter(own, birth_date=date(2008, 6, 2))
    assert _one(election, eighteen_today) and not _one(election, eighteen_tomorrow)


def test_voter_needs_thai_nationality_and_to_be_alive(own, officer):
    election = plan(officer, own)
    foreign = make_voter(own, nationality="ลาว")
    thai_code = make_voter(own, nationality="TH")
    assert not _one(election, foreign) and _one(election, thai_code)
    problems = svc.candidate_problems(election, foreign)
    assert "nationality" in {p.code for p in problems}


def test_voter_outside_house_registration_is_not_eligible(own, officer):
    election = plan(officer, own)
    lodger = make_person(make_household(own), in_house_registration=False)
    assert not _one(election, lodger)


def test_move_between_houses_of_the_community_keeps_the_count(own, officer):
    election = plan(officer, own)
    person = make_voter(own, since=date(2025, 1, 1))
    registry.person_move(
        actor=None, person=person, to_household=make_household(own), on=date(2026, 5, 1)
    )
    assert _one(election, person)
    assert sel.person_facts(election, person).registered_since == date(2025, 1, 1)


def test_membership_elsewhere_in_between_restarts_the_count(own, other, officer):
    election = plan(officer, own)
    person = make_voter(own, since=date(2025, 1, 1))
    registry.person_move(
        actor=None, person=person, to_household=make_household(other), on=date(2026, 4, 1)
    )
    registry.person_move(
        actor=None, person=person, to_household=make_household(own), on=date(2026, 4, 10)
    )
    assert not _one(election, person)
    assert sel.person_facts(election, person).registered_since == date(2026, 4, 10)


def test_a_break_without_any_membership_restarts_the_count(own, officer):
    election = plan(officer, own)
    person = make_voter(own, since=date(2025, 1, 1))
    membership = Membership.objects.get(person=person)
    membership.until = date(2026, 4, 1)
    membership.save()
    Membership.objects.create(
        person=person,
        household=make_household(own),
        in_house_registration=True,
        since=date(2026, 4, 20),
    )
    assert not _one(election, person)
    assert sel.person_facts(election, person).registered_since == date(2026, 4, 20)


def test_voter_list_is_one_query(own, officer, django_assert_num_queries):
    election = plan(officer, own)
    make_voters(own, 5)
    election = Election.objects.select_related("policy").get(pk=election.pk)
    with django_assert_num_queries(1):
        assert len(list(sel.eligible_voters(election))) == 5


# --- candidates -------------------------------------------------------------------------------


def test_candidate_gets_the_next_free_number_and_is_audited(own, officer):
    election = plan(officer, own)
    a, b = with_candidates(officer, election, 2)
    assert (a.number, b.number) == (1, 2)
    c = svc.candidate_register(actor=officer, election=election, person=make_voter(own), number=9)
    assert c.number == 9
    assert AuditEvent.objects.filter(action="committee.candidate_register").count() == 3


def test_candidate_refusal_lists_every_failed_criterion(own, officer):
    election = plan(officer, own)
    person = make_voter(
        own, since=DAY - timedelta(days=100), birth_date=date(2010, 1, 1), nationality="ลาว"
    )
    with pytest.raises(ValidationError) as exc:
        svc.candidate_register(actor=officer, election=election, person=person)
    text = messages(exc)
    assert "Thai nationality" in text and "Aged 16" in text and "at least 180" in text
    assert not Candidate.objects.exists()


def test_candidate_from_another_community_is_refused(own, other, officer):
    election = plan(officer, own)
    with pytest.raises(ValidationError) as exc:
        svc.candidate_register(actor=officer, election=election, person=make_voter(other))
    assert "Not a member of this community" in messages(exc)


def test_candidate_registers_once_and_withdrawn_cannot_return(own, officer):
    election = plan(officer, own)
    (cand,) = with_candidates(officer, election, 1)
    with pytest.raises(ValidationError) as exc:
        svc.candidate_register(actor=officer, election=election, person=cand.person)
    assert "Already a candidate" in messages(exc)
    svc.candidate_withdraw(actor=officer, candidate=cand, reason="ป่วย")
    with pytest.raises(ValidationError) as exc:
        svc.candidate_register(actor=officer, election=election, person=cand.person)
    assert "withdrew" in messages(exc)
    cand.refresh_from_db()
    assert format_date(cand.withdrawn_on) in messages(exc)  # Buddhist era, not ISO
    assert AuditEvent.objects.filter(action="committee.candidate_withdraw").exists()
    # the next candidate does not reuse the withdrawn number
    (nxt,) = with_candidates(officer, election, 1)
    assert nxt.number == 2


def test_candidate_number_taken_is_refused(own, officer):
    election = plan(officer, own)
    with_candidates(officer, election, 1)
    with pytest.raises(ValidationError) as exc:
        svc.candidate_register(actor=officer, election=election, person=make_voter(own), number=1)
    assert "number" in exc.value.message_dict
    assert Candidate.objects.count() == 1


def test_candidate_registration_closed_after_results(own, officer):
    election = plan(officer, own)
    cands = with_candidates(officer, election, 8)
    votes = {c.number: 9 - c.number for c in cands}
    svc.results_enter(
        actor=officer,
        election=election,
        **ballots(votes, cast=8, issued=8, spoiled=0, blank=0),
    )
    with pytest.raises(ValidationError) as exc:
        svc.candidate_register(actor=officer, election=election, person=make_voter(own))
    assert "only while the election is planned" in messages(exc)


# --- results ----------------------------------------------------------------------------------


@pytest.fixture
def contested(own, officer):
    make_voters(own, 150)
    election = plan(officer, own)
    cands = with_candidates(officer, election, 9)
    return election, cands


def test_results_rank_elect_and_keep_a_reserve(contested, officer):
    election, cands = contested
    votes = {c.number: 60 - c.number for c in cands}
    svc.results_enter(actor=officer, election=election, **ballots(votes))
    election.refresh_from_db()
    assert election.status == "results"
    assert election.eligible_voters == 159  # 150 voters + 9 candidates
    ranking = sel.election_ranking(election)
    assert [c.outcome for c in ranking] == ["elected"] * 7 + ["reserve"] * 2
    assert [c.rank for c in ranking] == list(range(1, 10))
    event = AuditEvent.objects.get(action="committee.results_enter")
    assert event.changes["ballots_cast"] == [None, 100]


def test_results_are_entered_once(contested, officer):
    election, cands = contested
    votes = {c.number: 50 for c in cands[:7]} | {c.number: 10 for c in cands[7:]}
    svc.results_enter(actor=officer, election=election, **ballots(votes))
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots(votes))
    assert "entered once" in messages(exc)


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"cast": 130, "issued": 120}, "ballots_cast"),
        ({"cast": 200, "issued": 300}, "ballots_cast"),  # more than eligible voters
        ({"spoiled": 60, "blank": 50}, "ballots_spoiled"),
        ({"spoiled": -1}, "ballots_spoiled"),
    ],
)
def test_results_refuse_impossible_ballot_counts(contested, officer, counts, field):
    election, cands = contested
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(
            actor=officer, election=election, **ballots({c.number: 1 for c in cands}, **counts)
        )
    assert field in exc.value.message_dict
    election.refresh_from_db()
    assert election.status == "planned" and election.ballots_cast is None
    assert not Candidate.objects.filter(votes__isnull=False).exists()


def test_results_refuse_votes_above_valid_ballots_and_sums(contested, officer):
    election, cands = contested
    votes = {c.number: 1 for c in cands} | {1: 96}
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots(votes))
    assert "votes.1" in exc.value.message_dict
    votes = {c.number: 95 for c in cands}  # 9 x 95 > 7 x 95
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots(votes))
    assert "votes" in exc.value.message_dict


def test_results_refuse_missing_and_unknown_numbers(contested, officer):
    election, cands = contested
    votes = {c.number: 5 for c in cands[1:]} | {42: 3}
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots(votes))
    assert {"votes.1", "votes.42"} <= set(exc.value.message_dict)


def test_results_refuse_an_unopposed_election(own, officer):
    election = plan(officer, own)
    cands = with_candidates(officer, election, 7)
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots({c.number: 1 for c in cands}))
    assert "Unopposed" in messages(exc)


def test_a_tie_for_the_last_seat_needs_lots_and_a_method(contested, officer):
    election, cands = contested
    # 1..6 clear; 7, 8, 9 tie at 20 straddling seat 7
    votes = {c.number: 40 for c in cands[:6]} | {7: 20, 8: 20, 9: 20}
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots(votes))
    assert "7, 8, 9" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        svc.results_enter(actor=officer, election=election, **ballots(votes, lot_order=[9, 7, 8]))
    assert "tie_break_method" in exc.value.message_dict
    svc.results_enter(
        actor=officer,
        election=election,
        **ballots(votes, lot_order=[9, 7, 8], tie_break_method="จับสลาก"),
    )
    ranking = {c.number: c for c in sel.election_ranking(election)}
    assert ranking[9].outcome == "elected" and ranking[9].by_lot
    assert [ranking[7].rank, ranking[8].rank] == [8, 9]
    assert not ranking[1].by_lot


def test_a_tie_inside_the_elected_group_needs_no_lots(contested, officer):
    election, cands = contested
    votes = {c.number: 40 for c in cands[:7]} | {8: 10, 9: 5}
    svc.results_enter(actor=officer, election=election, **ballots(votes))
    ranking = sel.election_ranking(election)
    assert [c.number for c in ranking] == list(range(1, 10))
    assert not any(c.by_lot for c in ranking)


def test_results_correct_needs_a_reason_recomputes_and_audits(contested, officer):
    election, cands = contested
    votes = {c.number: 60 - c.number for c in cands}
    svc.results_enter(actor=officer, election=election, **ballots(votes))
    with pytest.raises(ValidationError):
        svc.results_correct(actor=officer, election=election, reason="", **ballots(votes | {9: 95}))
    svc.results_correct(actor=officer, election=election, reason="นับผิด", **ballots(votes | {9: 95}))
    nine = Candidate.objects.get(election=election, number=9)
    assert (nine.rank, nine.outcome) == (1, "elected")
    event = AuditEvent.objects.get(action="committee.results_correct")
    assert event.reason == "นับผิด"
    assert event.changes["votes"][0]["9"] == 51 and event.changes["votes"][1]["9"] == 95


def test_results_correct_only_before_certification(contested, officer, head):
    election, cands = contested
    with pytest.raises(ValidationError):
        svc.results_correct(
            actor=officer, election=election, reason="x", **ballots({c.number: 1 for c in cands})
        )


# --- certification ----------------------------------------------------------------------------


def test_certify_starts_a_new_term_and_ends_the_old_one(contested, own, officer, head):
    old = make_term(own, starts_on=date(2024, 7, 1))
    election, cands = contested
    svc.results_enter(
        actor=officer, election=election, **ballots({c.number: 60 - c.number for c in cands})
    )
    term = svc.election_certify(actor=head, election=election, starts_on=START)
    old.refresh_from_db()
    assert (old.status, old.ended_on) == ("ended", START)
    assert not old.members.filter(ends_on__isnull=True).exists()
    assert (term.status, term.seats, term.starts_on, term.ends_on) == (
        "in_office",
        7,
        START,
        date(2028, 6, 14),
    )
    members = term.members.order_by("candidate__rank")
    assert members.count() == 7 and {m.source for m in members} == {"elected"}
    election.refresh_from_db()
    assert election.status == "certified" and election.certified_by == head
    assert AuditEvent.objects.filter(action="committee.election_certify").exists()
    assert AuditEvent.objects.filter(action="committee.term_end").exists()


def test_certify_unopposed_elects_everyone_and_leaves_seats_vacant(own, officer, head):
    election = plan(officer, own)
    with_candidates(officer, election, 5)
    term = svc.election_certify(actor=head, election=election, starts_on=START)
    assert term.seats == 7 and term.members.count() == 5
    assert set(term.members.values_list("source", flat=True)) == {"unopposed"}
    election.refresh_from_db()
    assert election.unopposed and election.status == "certified"


def test_certify_refusals_save_nothing(contested, own, officer, head):
    election, cands = contested
    with pytest.raises(ValidationError) as exc:  # contested without results
        svc.election_certify(actor=head, election=election, starts_on=START)
    assert "enter the results" in messages(exc)
    svc.results_enter(
        actor=officer, election=election, **ballots({c.number: 60 - c.number for c in cands})
    )
    with pytest.raises(ValidationError) as exc:
        svc.election_certify(actor=head, election=election, starts_on=DAY - timedelta(days=1))
    assert "starts_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.election_certify(
            actor=head, election=election, starts_on=date.today() + timedelta(days=5)
        )
    assert not CommitteeTerm.objects.exists() and not CommitteeMember.objects.exists()
    svc.election_certify(actor=head, election=election, starts_on=START)
    with pytest.raises(ValidationError):
        svc.election_certify(actor=head, election=election, starts_on=START)
    assert CommitteeTerm.objects.count() == 1


def test_certify_refuses_overlapping_terms(own, officer, head):
    # an ended term that still covers the start day (ended early after the new start)
    ended = make_term(own, members=0, starts_on=date(2026, 6, 1), status="ended")
    ended.ended_on = date(2026, 9, 1)
    ended.save()
    election = plan(officer, own, held_on=date(2026, 6, 5))
    with_candidates(officer, election, 3)
    with pytest.raises(ValidationError) as exc:
        svc.election_certify(actor=head, election=election, starts_on=START)
    assert "terms cannot overlap" in messages(exc)
    election.refresh_from_db()
    assert election.status == "planned"
    assert CommitteeTerm.objects.count() == 1
