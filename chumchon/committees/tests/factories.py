"""Committee test data. Registry records through the registry's factories (its services);
committee records directly (the services under test are in services_*.py)."""

from __future__ import annotations

from datetime import date, timedelta

from chumchon.communities.models import Community
from chumchon.communities.tests.factories import make_household, make_person

from ..models import CommitteeMember, CommitteeTerm, Election, Position, SeatPolicy


def be2534() -> SeatPolicy:
    """The policy the data migration ships (B.E. 2534, valid from 1991)."""
    return SeatPolicy.objects.get(valid_from=date(1991, 1, 1))


def make_voter(
    community: Community,
    *,
    since: date = date(2020, 1, 1),
    birth_date: date = date(1980, 5, 1),
    **values,
):
    """A person registered in a new household of `community` since `since`."""
    return make_person(make_household(community), since=since, birth_date=birth_date, **values)


def make_election(
    community: Community, held_on: date = date(2026, 6, 1), *, seats: int = 7, **values
) -> Election:
    values.setdefault("place", "ศาลาชุมชน")
    values.setdefault("policy", be2534())
    values.setdefault("counted", community.declared_families)
    return Election.objects.create(community=community, held_on=held_on, seats=seats, **values)


def make_term(
    community: Community,
    *,
    members: int = 7,
    seats: int = 7,
    starts_on: date = date(2025, 1, 1),
    years: int = 2,
    chair: bool = True,
    status: str = CommitteeTerm.Status.IN_OFFICE,
) -> CommitteeTerm:
    """A term with `members` seated registry people (the first one chair if `chair`)."""
    term = CommitteeTerm.objects.create(
        community=community,
        policy=be2534(),
        seats=seats,
        starts_on=starts_on,
        ends_on=starts_on.replace(year=starts_on.year + years) - timedelta(days=1),
        status=status,
    )
    for i in range(members):
        member = CommitteeMember.objects.create(
            term=term,
            person=make_voter(community, first_name=f"กรรมการ{i + 1}"),
            source=CommitteeMember.Source.ELECTED,
            starts_on=starts_on,
        )
        if chair and i == 0:
            Position.objects.create(term=term, member=member, code="chair", starts_on=starts_on)
    return term
