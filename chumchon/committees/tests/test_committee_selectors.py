"""What makes a committee complete, valid or expiring, read through the selectors (one
community at a time and many at once in constant queries)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.communities.models import Community
from chumchon.communities.services import person_set_status
from chumchon.communities.tests.factories import community_for_area, make_community
from chumchon.conftest import OWN_COMMUNITY

from ..models import CommitteeTerm, Position
from ..selectors import committee_of, committee_states, flagged_members, status_table
from .factories import make_term

DAY = date(2025, 6, 1)
ALL_SIX = ("chair", "vice_chair", "secretary", "treasurer", "registrar", "public_relations")


@pytest.fixture
def community(communities):
    return community_for_area(communities[OWN_COMMUNITY])


def term_with(
    community,
    *,
    members,
    seats=7,
    positions=(),
    starts_on=date(2025, 1, 1),
    years=2,
    status=CommitteeTerm.Status.IN_OFFICE,
):
    term = make_term(
        community,
        members=members,
        seats=seats,
        starts_on=starts_on,
        years=years,
        chair=False,
        status=status,
    )
    for member, code in zip(term.members.order_by("id"), positions, strict=False):
        Position.objects.create(term=term, member=member, code=code, starts_on=starts_on)
    return term


@pytest.mark.parametrize(
    ("members", "seats", "positions", "years", "expected"),
    [
        # full, six positions: complete and valid
        (7, 7, ALL_SIX, 2, {"complete": True, "valid": True, "expiring": False}),
        # a vacancy: valid (7 >= minimum 7) but not complete
        (7, 8, ALL_SIX, 2, {"complete": False, "valid": True, "expiring": False}),
        # full but a named position empty: not complete
        (7, 7, ALL_SIX[:5], 2, {"complete": False, "valid": True, "expiring": False}),
        # no chair: not valid, not complete
        (7, 7, ALL_SIX[1:], 2, {"complete": False, "valid": False, "expiring": False}),
        # below the policy's minimum of 7: not valid
        (6, 6, ALL_SIX, 2, {"complete": True, "valid": False, "expiring": False}),
    ],
)
def test_committee_state_table(community, members, seats, positions, years, expected):
    term_with(community, members=members, seats=seats, positions=positions, years=years)
    committee = committee_of(community, DAY)
    assert {k: committee[k] for k in expected} == expected
    row = committee_states(Community.objects.filter(pk=community.pk), DAY)[community.pk]
    assert (row.state.complete, row.state.valid, row.state.expiring) == (
        expected["complete"],
        expected["valid"],
        expected["expiring"],
    )


@pytest.mark.parametrize(
    ("day", "expiring"),
    [(date(2026, 10, 1), False), (date(2026, 10, 2), True), (date(2026, 12, 31), True)],
)
def test_expiring_means_ending_within_90_days(community, day, expiring):
    term_with(community, members=7, positions=ALL_SIX)  # ends 2026-12-31
    assert committee_of(community, day)["expiring"] is expiring


def test_no_term_in_office_is_missing(community):
    term_with(community, members=7, positions=ALL_SIX, status=CommitteeTerm.Status.PLANNED)
    committee = committee_of(community, DAY)
    assert committee["term"] is None
    assert not committee["state"].has_term and not committee["valid"]
    row = committee_states(Community.objects.filter(pk=community.pk), DAY)[community.pk]
    assert row.category == "missing"


def test_term_ended_early_does_not_cover_later_days(community):
    term = term_with(community, members=7, positions=ALL_SIX)
    term.status = CommitteeTerm.Status.ENDED_EARLY
    term.ended_on = date(2025, 3, 1)
    term.save()
    assert committee_of(community, date(2025, 2, 28))["term"] == term
    assert committee_of(community, DAY)["term"] is None


def test_members_on_day_and_positions(community):
    term = term_with(community, members=7, positions=("secretary", "chair"))
    leaver = term.members.order_by("id")[6]
    leaver.ends_on = date(2025, 5, 1)
    leaver.save()
    committee = committee_of(community, DAY)
    assert committee["filled"] == 6 and committee["vacancies"] == 1
    assert committee["members"][0].position.code == "chair"  # chair listed first
    assert committee["positions_held"] == {"chair", "secretary"}


def test_committee_states_runs_constant_queries(communities):
    def count(n: int) -> int:
        for _ in range(n):
            term_with(make_community(), members=3, positions=("chair",))
        queryset = Community.objects.all()
        with CaptureQueriesContext(connection) as ctx:
            committee_states(queryset, DAY)
        return len(ctx.captured_queries)

    assert count(1) == count(5)


def test_status_table_counts_by_district(communities):
    full = make_community(district="1001")
    term_with(full, members=7, positions=ALL_SIX)
    make_community(district="1001")  # no committee
    table, _rows = status_table(Community.objects.filter(area__parent__code="1001"), DAY)
    (entry,) = table
    assert entry["communities"] == 2
    assert (entry["valid"], entry["complete"], entry["missing"]) == (1, 1, 1)


def test_flagged_members_are_deceased_or_moved(community):
    term = term_with(community, members=3, starts_on=date(2025, 1, 1))
    first, second, _third = term.members.order_by("id")
    person_set_status(actor=None, person=first.person, status="deceased", on=date(2025, 2, 1))
    person_set_status(
        actor=None, person=second.person, status="moved_out", on=date(2025, 2, 1), moved_to="x"
    )
    committee = committee_of(community, DAY)
    flagged = flagged_members(committee["members"], community)
    assert {(f["member"].pk, f["reason"]) for f in flagged} == {
        (first.pk, "died"),
        (second.pk, "moved_out"),
    }
