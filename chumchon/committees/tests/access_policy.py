"""Access rules of the seat policies (public list, calculator and API; add and end: holders of
`committees.policy`) and of the election documents (see accounts/testing/access.py)."""

from __future__ import annotations

from django.utils import timezone

from chumchon.accounts.testing.access import PUBLIC, Rule, anywhere, scoped
from chumchon.communities.tests.access_objects import community

from ..models import Candidate, Election
from .factories import be2534, make_election, make_voter

GET_POST = ("GET", "POST")


def both(policy):
    return dict.fromkeys(GET_POST, policy)


def certified_election(objects, which: str) -> Election:
    """A certified election (one elected candidate) of the own or the other community."""
    key = ("policy-docs:election", which)
    if key not in objects._cache:
        place = community(objects, which)
        election = make_election(
            place,
            status=Election.Status.CERTIFIED,
            eligible_voters=10,
            ballots_issued=10,
            ballots_cast=8,
            ballots_spoiled=1,
            ballots_blank=1,
            certified_at=timezone.now(),
        )
        Candidate.objects.create(
            election=election,
            person=make_voter(place, first_name="ผู้สมัคร"),
            number=1,
            votes=6,
            rank=1,
            outcome=Candidate.Outcome.ELECTED,
        )
        objects._cache[key] = election
    return objects._cache[key]


def election_pk(objects, actor, which):
    return {"pk": certified_election(objects, which).pk}


def policy_pk(objects, actor, which):
    # policies are city-wide reference data: the same one for "own" and "other"
    return {"pk": be2534().pk}


ACCESS = {
    # public regulation: anyone, also without an account
    "policy-list": Rule({"GET": PUBLIC}),
    # system administrators (committees.policy); an empty POST re-renders the form (200)
    "policy-create": Rule(both(anywhere("committees.policy"))),
    "policy-end": Rule(both(anywhere("committees.policy")), policy_pk),
    # staff in reach (records.view) or the community's committee members (community.view_own):
    # every role of the matrix holds one of the two wherever it reaches, as with areas.view
    "election-announcement-pdf": Rule({"GET": scoped("areas.view")}, election_pk),
    "election-voters-pdf": Rule({"GET": scoped("areas.view")}, election_pk),
    # the public seat calculator: called without `families` it answers 422 (past access)
    "api:committee_seats": Rule({"GET": PUBLIC}, api=True, extra={"invalid_ok": True}),
    "api:list_committee_seat_policies": Rule({"GET": PUBLIC}, api=True),
}
