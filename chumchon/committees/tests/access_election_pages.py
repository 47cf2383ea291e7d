"""Access rules of the election pages. Elections are seen by staff in reach (`records.view`) and
by the community's committee members (`community.view_own`): every role of the matrix holds
one of them, so "seen in reach" reads as scoped("areas.view"). The voter list needs
`people.view`; writes need `committees.manage`, certifying `records.approve`. An empty POST
re-renders the page with the form's errors (200: allowed)."""

from datetime import date

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped
from chumchon.communities.tests.access_objects import community
from chumchon.communities.tests.factories import make_household, make_person

from .factories import make_election


def election(objects, which: str, purpose: str = "page"):
    """A planned election without candidates: an empty POST to certify it is refused (the
    matrix must not start a term that other rules' objects would overlap)."""
    key = ("election-page", purpose, which)
    if key not in objects._cache:
        objects._cache[key] = make_election(community(objects, which), date(2026, 6, 1))
    return objects._cache[key]


def candidate(objects, which: str):
    key = ("election-page-candidate", which)
    if key not in objects._cache:
        from ..models import Candidate

        chosen = election(objects, which, "withdraw")
        person = make_person(make_household(chosen.community), relation="")
        objects._cache[key] = Candidate.objects.create(election=chosen, person=person, number=1)
    return objects._cache[key]


def election_pk(objects, actor, which):
    return {"pk": election(objects, which).pk}


def candidate_kwargs(objects, actor, which):
    chosen = candidate(objects, which)
    return {"pk": chosen.election_id, "candidate": chosen.pk}


MANAGE = scoped("committees.manage")

ACCESS = {
    # the list is scoped to reach: everyone logged in sees the elections of their reach
    "election-list": Rule({"GET": LOGIN}),
    "election-create": Rule(dict.fromkeys(("GET", "POST"), anywhere("committees.manage"))),
    "election-detail": Rule({"GET": scoped("areas.view")}, election_pk),
    "election-edit": Rule(dict.fromkeys(("GET", "POST"), MANAGE), election_pk),
    "election-voters": Rule({"GET": scoped("people.view")}, election_pk),
    "election-candidate-add": Rule({"POST": MANAGE}, election_pk),
    "election-candidate-withdraw": Rule({"POST": MANAGE}, candidate_kwargs),
    "election-results": Rule({"POST": MANAGE}, election_pk),
    "election-results-correct": Rule({"POST": MANAGE}, election_pk),
    "election-certify": Rule({"POST": scoped("records.approve")}, election_pk),
    "election-cancel": Rule({"POST": MANAGE}, election_pk),
}
