"""The pure committee rules: seat table, eligibility dates, ballot checks, ranking, terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .. import domain
from ..domain import (
    BE2534,
    CANDIDATE,
    VOTER,
    BallotCounts,
    Eligibility,
    PersonFacts,
    SeatRule,
)

DAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("counted", "seats"),
    [
        (0, 7),
        (139, 7),
        (140, 7),
        (159, 7),
        (160, 8),
        (179, 8),
        (180, 9),
        (500, 25),
        (1_000_000, 25),
    ],
)
def test_be2534_seat_table(counted, seats):
    assert domain.seats(counted, BE2534) == seats


@pytest.mark.parametrize(
    ("counted", "seats"), [(140, 7), (150, 7), (151, 8), (160, 8), (171, 9), (10_000, 15)]
)
def test_a_remainder_above_r_counts_as_a_full_step(counted, seats):
    rule = SeatRule(minimum=7, threshold=140, step=20, maximum=15, remainder_over=10)
    assert domain.seats(counted, rule) == seats


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        domain.seats(-1)


# --- eligibility ------------------------------------------------------------------------------

RULES = Eligibility()


def facts(**values) -> PersonFacts:
    values.setdefault("nationality", "ไทย")
    values.setdefault("birth_date", date(1980, 1, 1))
    values.setdefault("alive", True)
    values.setdefault("registered_since", date(2020, 1, 1))
    return PersonFacts(**values)


def codes(problems) -> set[str]:
    return {p.code for p in problems}


@pytest.mark.parametrize(
    ("role", "days", "ok"),
    [(VOTER, 90, True), (VOTER, 89, False), (CANDIDATE, 180, True), (CANDIDATE, 179, False)],
)
def test_residence_exactly_at_the_limit(role, days, ok):
    since = date.fromordinal(DAY.toordinal() - days)
    problems = domain.eligibility_problems(facts(registered_since=since), RULES, DAY, role)
    assert (problems == []) is ok
    if not ok:
        assert codes(problems) == {"residence"}


@pytest.mark.parametrize(
    ("birth", "ok"),
    [(date(2008, 6, 1), True), (date(2008, 6, 2), False), (date(2008, 5, 31), True)],
)
def test_age_counts_a_birthday_on_election_day(birth, ok):
    problems = domain.eligibility_problems(facts(birth_date=birth), RULES, DAY, VOTER)
    assert (problems == []) is ok


def test_birthday_on_29_february():
    assert domain.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert domain.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


@pytest.mark.parametrize(
    ("nationality", "ok"), [("ไทย", True), ("TH", True), ("ลาว", False), ("", False)]
)
def test_nationality(nationality, ok):
    problems = domain.eligibility_problems(facts(nationality=nationality), RULES, DAY)
    assert (problems == []) is ok


def test_nationality_not_required_by_a_policy_without_it():
    rules = Eligibility(thai_only=False)
    assert domain.eligibility_problems(facts(nationality="ลาว"), rules, DAY) == []


def test_every_failed_criterion_is_listed():
    problems = domain.eligibility_problems(
        facts(nationality="ลาว", birth_date=None, alive=False, registered_since=None),
        RULES,
        DAY,
        CANDIDATE,
    )
    assert codes(problems) == {"not_alive", "nationality", "age_unknown", "not_registered"}


# --- ballots ----------------------------------------------------------------------------------


def counts(issued=120, cast=100, spoiled=2, blank=3) -> BallotCounts:
    return BallotCounts(issued=issued, cast=cast, spoiled=spoiled, blank=blank)


def test_valid_ballots():
    assert counts().valid == 95


def test_good_counts_have_no_problems():
    assert domain.ballot_problems(counts(), {"1": 95, "2": 40}, 7, 150) == {}


@pytest.mark.parametrize(
    ("ballots", "votes", "seats", "voters", "field"),
    [
        (counts(issued=90), {"1": 10}, 7, 150, "ballots_cast"),  # cast above issued
        (counts(), {"1": 10}, 7, 99, "ballots_cast"),  # cast above eligible voters
        (counts(spoiled=-1), {"1": 1}, 7, 150, "ballots_spoiled"),
        (counts(spoiled=60, blank=50), {"1": 1}, 7, 150, "ballots_spoiled"),
        (counts(), {"1": 96}, 7, 150, "votes.1"),  # above the 95 valid ballots
        (counts(), {"1": -1}, 7, 150, "votes.1"),
        (counts(), {"1": 95, "2": 95}, 1, 150, "votes"),  # sum above 1 x 95
    ],
)
def test_each_ballot_refusal(ballots, votes, seats, voters, field):
    assert field in domain.ballot_problems(ballots, votes, seats, voters)


def test_turnout():
    assert domain.turnout(50, 200) == Decimal("25.00")
    assert domain.turnout(2, 3) == Decimal("66.67")  # rounded once, half up
    assert domain.turnout(1, 8) == Decimal("12.50")
    assert domain.turnout(0, 0) is None
    assert domain.turnout(None, 10) is None


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_without_ties():
    ranking = domain.rank_candidates({"1": 5, "2": 9, "3": 7}, 2)
    assert [(r.key, r.rank, r.elected) for r in ranking.rows] == [
        ("2", 1, True),
        ("3", 2, True),
        ("1", 3, False),
    ]
    assert ranking.unresolved_ties == []


def test_tie_without_lots_is_unresolved_and_keeps_ballot_order():
    votes = {"1": 9, "2": 5, "3": 5, "10": 5}
    ranking = domain.rank_candidates(votes, 2)
    assert [r.key for r in ranking.rows] == ["1", "2", "3", "10"]
    assert ranking.unresolved_ties == [["2", "3", "10"]]
    assert not any(r.by_lot for r in ranking.rows)
    assert domain.ties_needing_lots(votes, 2) == [["2", "3", "10"]]


def test_tie_with_lots_follows_the_order_drawn():
    votes = {"1": 9, "2": 5, "3": 5}
    ranking = domain.rank_candidates(votes, 2, lot_order=["3", "2"])
    assert [(r.key, r.elected, r.by_lot) for r in ranking.rows] == [
        ("1", True, False),
        ("3", True, True),
        ("2", False, True),
    ]
    assert ranking.unresolved_ties == []


def test_tie_inside_the_elected_group_does_not_need_lots():
    assert domain.ties_needing_lots({"1": 9, "2": 9, "3": 1}, 2) == []


# --- terms ------------------------------------------------------------------------------------


def test_term_end():
    assert domain.term_end(date(2026, 6, 15), 2) == date(2028, 6, 14)
    assert domain.term_end(date(2024, 2, 29), 2) == date(2026, 2, 28)
