"""The election API in the access matrix (see accounts/testing/access.py for the vocabulary).

Reading an election needs `records.view` or `community.view_own` in reach; every role holds one
of them wherever it reaches, so the matrix states it as scoped("areas.view"). Writes need
`committees.manage`, certifying `records.approve`. Empty POST bodies answer 422 once access is
granted ("invalid_ok"); the matrix's election has only a withdrawn candidate, so an empty
certify is refused (422) and changes nothing.
"""

from __future__ import annotations

from datetime import date

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped
from chumchon.communities.tests import access_objects

from ..models import Candidate
from .factories import make_election, make_voter

INVALID_OK = {"invalid_ok": True}


def election(objects, which: str):
    key = ("election", which)
    if key not in objects._cache:
        objects._cache[key] = make_election(access_objects.community(objects, which))
    return objects._cache[key]


def candidate(objects, which: str):
    key = ("candidate", which)
    if key not in objects._cache:
        made = election(objects, which)
        objects._cache[key] = Candidate.objects.create(
            election=made,
            person=make_voter(made.community),
            number=1,
            withdrawn_on=date(2026, 5, 1),
        )
    return objects._cache[key]


def election_id(objects, actor, which):
    return {"election_id": election(objects, which).pk}


def candidate_ids(objects, actor, which):
    made = candidate(objects, which)
    return {"election_id": made.election_id, "candidate_id": made.pk}


def _write(perm: str = "committees.manage", kwargs=election_id) -> Rule:
    return Rule({"POST": scoped(perm)}, kwargs, api=True, extra=INVALID_OK)


_COLLECTION = Rule(
    {"GET": LOGIN, "POST": anywhere("committees.manage")}, api=True, extra=INVALID_OK
)
_ITEM = Rule(
    {"GET": scoped("areas.view"), "PATCH": scoped("committees.manage")}, election_id, api=True
)

ACCESS = {
    "api:list_elections": _COLLECTION,
    "api:create_election": _COLLECTION,
    "api:get_election": _ITEM,
    "api:update_election": _ITEM,
    "api:register_candidate": _write(),
    "api:withdraw_candidate": _write(kwargs=candidate_ids),
    "api:enter_results": _write(),
    "api:correct_results": _write(),
    "api:certify_election": _write("records.approve"),
    "api:cancel_election": _write(),
}
