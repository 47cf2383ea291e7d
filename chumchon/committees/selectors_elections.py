"""Reads for committee elections: the voter list (one query, from the registry's dated
memberships), one person's facts for the eligibility rules, the ranking and the reserve list.

Eligibility from the registry (`communities.Membership`: since/until, in_house_registration):
a person is registered in the community on election day D for V days when
- a membership in a household of the community, in the house registration, is open on D;
- such a membership was already open on D - V days;
- no other membership (elsewhere, or not in the house registration) overlaps [D - V, D]; and
- no break: every such membership that ended in (D - V, D] is followed the same day by another
  one in the community's house registration.
So moves between houses of the same community keep the count going; a move out and back
restarts it.

Known limitations (the registry's data model): a household moved as a whole to another
community (`household_move`) keeps its membership rows, so the time its members spent in the
old community counts for the new one; `Person.status` (deceased, moved out) is the status
today, not on election day.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from chumchon.communities.models import Membership, Person

from . import domain
from .models import Candidate, CommitteeMember, CommitteeTerm, Election

THAI_NATIONALITY = ("TH", "THA", "ไทย")


def _registered_here(community_id: int) -> Q:
    return Q(household__community_id=community_id, in_house_registration=True)


def _birth_cutoff(day: date, age: int) -> date:
    """The latest birth date of someone aged at least `age` on `day` (29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return day.replace(year=day.year - age, day=28)


def eligible_people(
    community_id: int, day: date, rules: domain.Eligibility, role: str = domain.VOTER
) -> QuerySet[Person]:
    """People who meet every criterion of `role` on `day` (one query of EXISTS clauses),
    annotated `registered_since`: the start of the community membership that was open
    `days` days before (the exact start of an unbroken chain is `person_facts`')."""
    days = rules.days(role)
    start = day - timedelta(days=days)
    here = _registered_here(community_id)
    mine = Membership.objects.filter(person=OuterRef("pk"))
    open_on_day = mine.open_on(day).filter(here)
    open_at_start = mine.open_on(start).filter(here)
    overlapping = mine.filter(since__lte=day).filter(Q(until__isnull=True) | Q(until__gt=start))
    elsewhere = overlapping.exclude(here)
    successor = Membership.objects.filter(here, person=OuterRef("person"), since=OuterRef("until"))
    broken = mine.filter(here, until__gt=start, until__lte=day).exclude(Exists(successor))
    queryset = Person.objects.filter(
        Exists(open_on_day),
        Exists(open_at_start),
        ~Exists(elsewhere),
        ~Exists(broken),
        status=Person.Status.ALIVE,
        birth_date__isnull=False,
        birth_date__lte=_birth_cutoff(day, rules.min_age(role)),
    )
    if rules.thai_only:
        nationality = Q()
        for value in THAI_NATIONALITY:
            nationality |= Q(nationality__iexact=value)
        queryset = queryset.filter(nationality)
    return queryset.annotate(
        registered_since=Subquery(open_at_start.order_by("since").values("since")[:1])
    )


def eligible_voters(election: Election) -> QuerySet[Person]:
    """The election's voter list (annotated `registered_since`), by name."""
    return eligible_people(
        election.community_id, election.held_on, election.policy.eligibility
    ).order_by("first_name", "last_name", "pk")


def voter_count(election: Election) -> int:
    """Eligible voters: counted live while planned, the snapshot once results are entered."""
    if election.status != Election.Status.PLANNED and election.eligible_voters is not None:
        return election.eligible_voters
    return eligible_people(
        election.community_id, election.held_on, election.policy.eligibility
    ).count()


def registered_since(community_id: int, person: Person, day: date) -> date | None:
    """Since when the person's name has been in a house registration of the community without
    a break up to `day` (None: not registered there on `day`)."""
    memberships = list(
        Membership.objects.filter(person=person, since__lte=day)
        .select_related("household")
        .order_by("-since", "-id")
    )

    def here(m: Membership) -> bool:
        return m.in_house_registration and m.household.community_id == community_id

    current = next(
        (m for m in memberships if m.since <= day and (m.until is None or m.until > day)), None
    )
    if current is None or not here(current):
        return None
    since = current.since
    while True:
        previous = next((m for m in memberships if m.until == since and m.since < since), None)
        if previous is None or not here(previous):
            return since
        since = previous.since


def person_facts(election: Election, person: Person) -> domain.PersonFacts:
    return domain.PersonFacts(
        nationality=person.nationality or "",
        birth_date=person.birth_date,
        alive=person.status == Person.Status.ALIVE,
        registered_since=registered_since(election.community_id, person, election.held_on),
    )


def active_candidates(election: Election) -> QuerySet[Candidate]:
    return election.candidates.filter(withdrawn_on__isnull=True).select_related("person")


def election_ranking(election: Election) -> list[Candidate]:
    """Candidates in rank order (elected first, then the reserve list); before results, by
    ballot number; withdrawn candidates last."""
    candidates = election.candidates.select_related("person")
    return list(
        candidates.order_by(
            F("withdrawn_on").asc(nulls_first=True),
            Coalesce("rank", 10_000),
            "number",
        )
    )


def reserve_list(term: CommitteeTerm) -> list[Candidate]:
    """The reserve candidates of the term's election not yet seated in the term, in rank
    order."""
    if term.election_id is None:
        return []
    seated = CommitteeMember.objects.filter(term=term, candidate_id=OuterRef("pk"))
    seated_person = CommitteeMember.objects.filter(term=term, person_id=OuterRef("person_id"))
    return list(
        Candidate.objects.filter(
            election_id=term.election_id,
            outcome=Candidate.Outcome.RESERVE,
            withdrawn_on__isnull=True,
        )
        .exclude(Exists(seated))
        .exclude(Exists(seated_person))
        .select_related("person")
        .order_by("rank", "number")
    )


def open_seats(term: CommitteeTerm) -> int:
    """Seats of the term held by nobody now (open memberships count as held)."""
    return term.seats - term.members.filter(ends_on__isnull=True).count()
