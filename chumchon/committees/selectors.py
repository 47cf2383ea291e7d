"""Reads of committees: a community's committee on a day, the state of many communities'
committees in constant queries (the city-wide status page), members the registry flags.

A term "covers" a day when it took office (not planned), started on or before that day, has
not ended yet (`ends_on` >= day) and was not ended before it (`ended_on` > day).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from chumchon.communities.models import Community, Person

from . import domain
from .models import CommitteeMember, CommitteeTerm, Position

STATES = ("valid", "invalid", "complete", "expiring", "missing")


def _covering(day: date) -> Q:
    return (
        Q(starts_on__lte=day, ends_on__gte=day)
        & ~Q(status=CommitteeTerm.Status.PLANNED)
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    )


def term_on(community: Community, day: date | None = None) -> CommitteeTerm | None:
    day = day or timezone.localdate()
    return (
        CommitteeTerm.objects.filter(_covering(day), community=community)
        .select_related("policy", "election")
        .order_by("-starts_on")
        .first()
    )


def current_positions(day: date) -> Prefetch:
    return Prefetch(
        "positions",
        queryset=Position.objects.filter(starts_on__lte=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=day)
        ),
        to_attr="current_positions",
    )


def members_on(term: CommitteeTerm, day: date) -> list[CommitteeMember]:
    """Members seated on `day`, each with `position` (the one held that day, or None), the
    chair first then the named positions in order, then the others by name."""
    members = list(
        term.members.current(day)
        .select_related("person__area", "role_assignment__user", "candidate")
        .prefetch_related(current_positions(day))
    )
    order = {code: i for i, code in enumerate(domain.NAMED_POSITIONS)}
    for member in members:
        member.position = member.current_positions[0] if member.current_positions else None
    members.sort(
        key=lambda m: (
            order.get(m.position.code, len(order)) if m.position else len(order) + 1,
            m.person.first_name,
            m.person.last_name,
        )
    )
    return members


def state_of(term: CommitteeTerm | None, filled: int, held: set[str], day: date):
    if term is None:
        return domain.committee_state(
            term_in_office=False,
            seats=0,
            filled=0,
            minimum=0,
            positions_held=(),
            ends_on=None,
            today=day,
        )
    return domain.committee_state(
        term_in_office=True,
        seats=term.seats,
        filled=filled,
        minimum=term.policy.minimum,
        positions_held=held,
        ends_on=term.ends_on,
        today=day,
    )


def committee_of(community: Community, day: date | None = None) -> dict[str, Any]:
    """The committee of `community` on `day` (today by default): the term covering it (or
    None), seats, members with their positions, vacancies, positions held, and the state
    (complete, valid, expiring)."""
    day = day or timezone.localdate()
    term = term_on(community, day)
    members = members_on(term, day) if term else []
    held = {m.position.code for m in members if m.position}
    state = state_of(term, len(members), held, day)
    return {
        "day": day,
        "term": term,
        "seats": term.seats if term else 0,
        "members": members,
        "filled": len(members),
        "vacancies": max(0, term.seats - len(members)) if term else 0,
        "positions_held": held,
        "missing_positions": [
            label
            for code, label in domain.POSITION_CHOICES
            if term and code in domain.NAMED_POSITIONS and code not in held
        ],
        "state": state,
        "complete": state.complete,
        "valid": state.valid,
        "expiring": state.expiring,
    }


@dataclass(frozen=True)
class CommitteeRow:
    term: CommitteeTerm | None
    filled: int
    state: domain.CommitteeState

    @property
    def category(self) -> str:
        if not self.state.has_term:
            return "missing"
        return "valid" if self.state.valid else "invalid"


def committee_states(
    communities: QuerySet[Community], day: date | None = None
) -> dict[int, CommitteeRow]:
    """Community id -> CommitteeRow for every community of the queryset, in three queries
    whatever their number (terms, seat counts, positions held)."""
    day = day or timezone.localdate()
    terms = {
        term.community_id: term
        for term in CommitteeTerm.objects.filter(_covering(day), community__in=communities)
        .select_related("policy")
        .order_by("starts_on")
    }
    term_ids = [t.pk for t in terms.values()]
    filled = dict(
        CommitteeMember.objects.current(day)
        .filter(term_id__in=term_ids)
        .values("term_id")
        .annotate(n=Count("id"))
        .values_list("term_id", "n")
    )
    held: dict[int, set[str]] = defaultdict(set)
    for term_id, code in (
        Position.objects.filter(term_id__in=term_ids, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .values_list("term_id", "code")
    ):
        held[term_id].add(code)
    result = {}
    for community_id in communities.values_list("pk", flat=True):
        term = terms.get(community_id)
        count = filled.get(term.pk, 0) if term else 0
        result[community_id] = CommitteeRow(
            term=term,
            filled=count,
            state=state_of(term, count, held[term.pk] if term else set(), day),
        )
    return result


def row_matches(row: CommitteeRow, state: str) -> bool:
    if state == "missing":
        return not row.state.has_term
    if state == "valid":
        return row.state.valid
    if state == "invalid":
        return row.state.has_term and not row.state.valid
    if state == "complete":
        return row.state.complete
    if state == "expiring":
        return row.state.expiring
    return True


def flagged_members(members: list[CommitteeMember], community: Community) -> list[dict]:
    """Seated members the registry shows as deceased or moved out (or registered elsewhere
    now): the district should end their membership."""
    flagged = []
    for member in members:
        person = member.person
        if person.status == Person.Status.DECEASED:
            flagged.append({"member": member, "reason": CommitteeMember.EndReason.DIED})
        elif person.status == Person.Status.MOVED_OUT or person.area_id != community.area_id:
            flagged.append({"member": member, "reason": CommitteeMember.EndReason.MOVED_OUT})
    return flagged


def past_terms(community: Community, exclude: CommitteeTerm | None = None) -> list[CommitteeTerm]:
    """Every other term of the community (newest first) with who held which seat when."""
    terms = (
        CommitteeTerm.objects.filter(community=community)
        .exclude(pk=exclude.pk if exclude else None)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=CommitteeMember.objects.select_related("person").prefetch_related(
                    "positions"
                ),
            )
        )
        .order_by("-starts_on")
    )
    return list(terms)


def status_table(
    communities: QuerySet[Community], day: date | None = None
) -> tuple[list[dict], dict[int, CommitteeRow]]:
    """Counts per district (with zone) of communities by committee state, and the rows."""
    rows = committee_states(communities, day)
    table: dict[int, dict] = {}
    for community in communities.select_related(
        "area__parent__kind", "area__parent__parent__kind"
    ).order_by("area__path"):
        district = community.area.parent
        entry = table.setdefault(
            district.pk,
            {
                "district": district,
                "zone": district.parent,
                "communities": 0,
                **dict.fromkeys(STATES, 0),
            },
        )
        entry["communities"] += 1
        row = rows[community.pk]
        for state in STATES:
            if row_matches(row, state):
                entry[state] += 1
    return sorted(table.values(), key=lambda e: e["district"].path), rows
