"""Demo committees for `make run` (`manage.py load_demo`), made through the services, after the
registry's demo (its loaders run first: this module is discovered after `communities`).

District 1001 (where the demo officer and head work):
- 1001-001 ชุมชนท่าวัง (the demo committee member's community): an election held about 20
  months ago, results entered and certified by the head, a term in office with positions; one
  member resigned and the seat was filled from the reserve list.
- 1001-002: a certified term that ends within 90 days (expiring).
- 1001-003: an election planned a month ahead with candidates registered (none certified).
Dates are relative to the day the demo is loaded, so the statuses (in office, expiring, planned)
look right whenever it runs; each step first looks for what it would make (idempotent). The seat
policy is the one the migration ships: the demo adds none.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from chumchon.communities.models import Community
from chumchon.portal.demo import LOADERS

from . import domain, selectors_elections, services_elections, services_terms
from .models import CommitteeMember, Election


def _actors() -> tuple[Any, Any]:
    from chumchon.accounts.models import User

    return User.objects.get(username="officer"), User.objects.get(username="head")


def _community(code: str) -> Community | None:
    return Community.objects.select_related("area").filter(area__code=code).first()


def _candidates(election: Election, count: int) -> list[Any]:
    """Register the first `count` eligible candidates of the community (registry order)."""
    officer, _ = _actors()
    made = []
    people = selectors_elections.eligible_voters(election).order_by("last_name", "first_name", "pk")
    for person in people:
        if len(made) == count:
            break
        if services_elections.candidate_problems(election, person):
            continue
        made.append(
            services_elections.candidate_register(actor=officer, election=election, person=person)
        )
    return made


def _certified_term(code: str, held_on: date, extra: int, starts_on: date) -> int:
    """A certified election with `extra` more candidates than seats (a reserve list)."""
    community = _community(code)
    if community is None or community.elections.exists():
        return 0
    officer, head = _actors()
    election = services_elections.election_plan(
        actor=officer,
        community=community,
        held_on=held_on,
        place="ศาลาอเนกประสงค์ชุมชน",
        announcement_no=f"{code.split('-')[0]}/{held_on.year + 543}",
        announced_on=held_on - timedelta(days=30),
    )
    made = _candidates(election, election.seats + extra)
    if len(made) <= election.seats:  # too few people: elected unopposed, no vote entry
        services_elections.election_certify(actor=head, election=election, starts_on=starts_on)
        return 1
    eligible = selectors_elections.voter_count(election)
    cast = max(len(made), eligible * 2 // 3)
    spoiled, blank = min(2, cast // 20), min(1, cast // 30)
    valid = cast - spoiled - blank
    votes = {c.number: valid * (len(made) - i) // (len(made) + 1) for i, c in enumerate(made)}
    ties = domain.ties_needing_lots({str(k): v for k, v in votes.items()}, election.seats)
    lots = {"tie_break_method": "จับสลาก", "lot_order": sorted(votes)} if ties else {}
    services_elections.results_enter(
        actor=officer,
        election=election,
        ballots_issued=cast + 5,
        ballots_cast=cast,
        ballots_spoiled=spoiled,
        ballots_blank=blank,
        votes=votes,
        **lots,
    )
    term = services_elections.election_certify(actor=head, election=election, starts_on=starts_on)
    members = list(term.members.select_related("person").order_by("candidate__rank"))
    for member, code_ in zip(members, domain.NAMED_POSITIONS, strict=False):
        services_terms.position_assign(actor=officer, member=member, code=code_, on=starts_on)
    return 1


def _resignation(code: str, on: date) -> None:
    community = _community(code)
    term = community and community.committee_terms.filter(status="in_office").first()
    if term is None or term.members.filter(end_reason=CommitteeMember.EndReason.RESIGNED).exists():
        return
    officer, _ = _actors()
    member = term.members.filter(ends_on__isnull=True).order_by("-candidate__rank").first()
    if member is None:
        return
    services_terms.member_end(
        actor=officer, member=member, on=on, reason="resigned", note="ลาออกเพื่อไปทำงานต่างจังหวัด"
    )
    services_terms.vacancy_fill_from_reserve(actor=officer, term=term, on=on + timedelta(days=7))


def _planned(code: str, held_on: date) -> int:
    community = _community(code)
    if community is None or community.elections.exists():
        return 0
    officer, _ = _actors()
    election = services_elections.election_plan(
        actor=officer, community=community, held_on=held_on, place="ลานกิจกรรมชุมชน"
    )
    _candidates(election, election.seats + 3)
    return 1


def load_committees(stdout: Any) -> None:
    started = time.monotonic()
    today = timezone.localdate()
    made = _certified_term("1001-001", today - timedelta(days=600), 3, today - timedelta(days=590))
    _resignation("1001-001", today - timedelta(days=120))
    made += _certified_term("1001-002", today - timedelta(days=680), 2, today - timedelta(days=670))
    made += _planned("1001-003", today + timedelta(days=30))
    stdout.write(f"Committees: {made} new elections in {time.monotonic() - started:.1f} s")


LOADERS.append(load_committees)
