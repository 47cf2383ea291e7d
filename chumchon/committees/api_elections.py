"""Committee elections under /api/v1/elections/: plan, list, read (voters, turnout, ranking),
candidates, results (entered once, then corrected with a reason), certify, cancel.

Access: staff in reach (`records.view`) and the community's own committee members
(`community.view_own`) read; writes need `committees.manage` (district officer, head) on the
community; certifying needs `records.approve` (division head). Outside reach: 404. People in
results appear by name only (no person or national IDs).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.accounts.scoping import require_perm
from chumchon.communities.api.common import ERRORS, fields_named, given, invalid, needs
from chumchon.communities.permissions import community_find_for, person_get_for
from chumchon.core.api import Page, PageParams, decimal_str, paginate

from . import domain
from . import services_elections as services
from .models import Candidate, Election
from .permissions import can_view_committee, election_get_for, election_scope, term_scope
from .selectors_elections import election_ranking, voter_count

router = Router(tags=["committees"])

FIELDS = {"community": "community_id", "term": "term_id", "person": "person_id"}


# --- schemas ----------------------------------------------------------------------------------


class ElectionIn(Schema):
    community_id: int | None = Field(None, description="required")
    held_on: date | None = Field(None, description="required: the election date (ISO, CE)")
    place: str = ""
    announcement_no: str = ""
    announced_on: date | None = None
    note: str = ""
    kind: str = Field("general", description="general | by_election")
    term_id: int | None = Field(None, description="the term in office (by-election only)")


class ElectionPatch(Schema):
    held_on: date | None = None
    place: str | None = None
    announcement_no: str | None = None
    announced_on: date | None = None
    note: str | None = None


class CandidateIn(Schema):
    person_id: int | None = Field(None, description="required: a registry person")
    number: int | None = Field(None, ge=1, le=999, description="ballot number (default: next)")


class ReasonIn(Schema):
    reason: str = ""


class VoteIn(Schema):
    number: int = Field(ge=1, le=999)
    votes: int


class ResultsIn(Schema):
    ballots_issued: int | None = None
    ballots_cast: int | None = None
    ballots_spoiled: int | None = None
    ballots_blank: int | None = None
    votes: list[VoteIn] | None = Field(None, description="[{number, votes}] for every candidate")
    lot_order: list[int] = Field(
        default_factory=list, description="ballot numbers in the order drawn (ties)"
    )
    tie_break_method: str = ""
    tie_break_note: str = ""


class CorrectionIn(ResultsIn):
    reason: str = ""


class CertifyIn(Schema):
    starts_on: date | None = Field(None, description="the new term's first day (default today)")


class CommunityRef(Schema):
    id: int
    code: str
    name: str


class PolicyRef(Schema):
    id: int
    name: str
    valid_from: date


class BallotsOut(Schema):
    issued: int
    cast: int
    spoiled: int
    blank: int
    valid: int


class RankedOut(Schema):
    candidate_id: int
    number: int
    name: str
    votes: int | None
    rank: int | None
    outcome: str
    by_lot: bool
    withdrawn_on: date | None


class ElectionOut(Schema):
    id: int
    community: CommunityRef
    kind: str
    term_id: int | None
    held_on: date
    place: str
    status: str
    seats: int


class ElectionDetailOut(ElectionOut):
    announcement_no: str
    announced_on: date | None
    note: str
    policy: PolicyRef
    counted: int
    unopposed: bool
    voters: int = Field(description="eligible voters: live while planned, the snapshot after")
    turnout: str | None = Field(description="ballots cast / eligible voters, percent (2 places)")
    ballots: BallotsOut | None
    valid_ballots: int | None
    tie_break_method: str
    tie_break_note: str
    ranking: list[RankedOut]
    started_term_id: int | None
    certified_at: datetime | None
    cancel_reason: str


# --- helpers ----------------------------------------------------------------------------------


def _community(election: Election) -> dict[str, Any]:
    community = election.community
    return {"id": community.pk, "code": community.area.code, "name": community.area.name}


def _summary(election: Election) -> dict[str, Any]:
    return {
        "id": election.pk,
        "community": _community(election),
        "kind": election.kind,
        "term_id": election.term_id,
        "held_on": election.held_on,
        "place": election.place,
        "status": election.status,
        "seats": election.seats,
    }


def _ranked(candidate: Candidate) -> dict[str, Any]:
    return {
        "candidate_id": candidate.pk,
        "number": candidate.number,
        "name": candidate.person.full_name,
        "votes": candidate.votes,
        "rank": candidate.rank,
        "outcome": candidate.outcome,
        "by_lot": candidate.by_lot,
        "withdrawn_on": candidate.withdrawn_on,
    }


def _detail(election: Election) -> dict[str, Any]:
    election = (
        Election.objects.select_related("community__area", "policy", "started_term")
        .filter(pk=election.pk)
        .get()
    )
    voters = voter_count(election)
    counts = election.ballots
    cast = counts.cast if counts is not None else None
    turnout = decimal_str(domain.turnout(cast, voters))
    started = getattr(election, "started_term", None)
    return {
        **_summary(election),
        "announcement_no": election.announcement_no,
        "announced_on": election.announced_on,
        "note": election.note,
        "policy": {
            "id": election.policy.pk,
            "name": election.policy.name,
            "valid_from": election.policy.valid_from,
        },
        "counted": election.counted,
        "unopposed": election.unopposed,
        "voters": voters,
        "turnout": turnout,
        "ballots": (
            {
                "issued": counts.issued,
                "cast": counts.cast,
                "spoiled": counts.spoiled,
                "blank": counts.blank,
                "valid": counts.valid,
            }
            if counts
            else None
        ),
        "valid_ballots": counts.valid if counts else None,
        "tie_break_method": election.tie_break_method,
        "tie_break_note": election.tie_break_note,
        "ranking": [_ranked(c) for c in election_ranking(election)],
        "started_term_id": started.pk if started else None,
        "certified_at": election.certified_at,
        "cancel_reason": election.cancel_reason,
    }


def _required(**values: Any) -> None:
    missing = {
        name: _("This field is required.") for name, value in values.items() if value is None
    }
    if missing:
        raise ValidationError(missing)


def _votes(payload: ResultsIn) -> dict[int, int]:
    _required(
        ballots_issued=payload.ballots_issued,
        ballots_cast=payload.ballots_cast,
        ballots_spoiled=payload.ballots_spoiled,
        ballots_blank=payload.ballots_blank,
        votes=payload.votes,
    )
    votes: dict[int, int] = {}
    for row in payload.votes:
        if row.number in votes:
            raise invalid(
                f"votes.{row.number}",
                _("Ballot number %(no)d is listed twice.") % {"no": row.number},
            )
        votes[row.number] = row.votes
    return votes


def _results_values(payload: ResultsIn) -> dict[str, Any]:
    return {
        "ballots_issued": payload.ballots_issued,
        "ballots_cast": payload.ballots_cast,
        "ballots_spoiled": payload.ballots_spoiled,
        "ballots_blank": payload.ballots_blank,
        "votes": _votes(payload),
        "lot_order": payload.lot_order,
        "tie_break_method": payload.tie_break_method,
        "tie_break_note": payload.tie_break_note,
    }


def _managed(request: HttpRequest, election_id: int) -> Election:
    election = election_get_for(request.auth, election_id)
    require_perm(request.auth, "committees.manage", election)
    return election


# --- endpoints --------------------------------------------------------------------------------


class ElectionFilters(PageParams):
    community_id: int | None = None
    status: str | None = Field(None, description="planned | results | certified | cancelled")


@router.get("/elections/", response={200: Page[ElectionOut], **ERRORS})
def list_elections(request: HttpRequest, filters: Query[ElectionFilters]):
    """Elections in the caller's reach (staff in reach; committee members: their community),
    latest first."""
    queryset = election_scope(request.auth).order_by("-held_on", "-pk")
    if filters.community_id is not None:
        queryset = queryset.filter(community_id=filters.community_id)
    if filters.status:
        if filters.status not in Election.Status.values:
            raise invalid(
                "status",
                _("Unknown status “%(value)s”: use %(choices)s.")
                % {"value": filters.status, "choices": ", ".join(Election.Status.values)},
            )
        queryset = queryset.filter(status=filters.status)
    page = paginate(queryset, filters)
    page["items"] = [_summary(e) for e in page["items"]]
    return page


@router.post(
    "/elections/", response={201: ElectionDetailOut, **ERRORS}, auth=needs("committees.manage")
)
def create_election(request: HttpRequest, payload: ElectionIn | None = None):
    """Plan an election: community, date and place (a by-election also names the term whose
    vacancies it fills). The seat policy in force that day gives the seats."""
    payload = payload or ElectionIn()
    user = request.auth
    _required(community_id=payload.community_id, held_on=payload.held_on)
    community = community_find_for(user, payload.community_id)
    if community is None:
        raise invalid(
            "community_id", _("No community with id %(id)s.") % {"id": payload.community_id}
        )
    require_perm(user, "committees.manage", community)
    term = None
    if payload.term_id is not None:
        term = term_scope(user).filter(pk=payload.term_id).first()
        if term is None:
            raise invalid(
                "term_id", _("No committee term with id %(id)s.") % {"id": payload.term_id}
            )
    with fields_named(FIELDS):
        election = services.election_plan(
            actor=user,
            community=community,
            held_on=payload.held_on,
            place=payload.place,
            announcement_no=payload.announcement_no,
            announced_on=payload.announced_on,
            note=payload.note,
            kind=payload.kind,
            term=term,
        )
    return Status(201, _detail(election))


@router.get("/elections/{election_id}", response={200: ElectionDetailOut, **ERRORS})
def get_election(request: HttpRequest, election_id: int):
    """One election: policy, seats, what was counted, eligible voters, turnout, ballots and
    the ranking (by name)."""
    election = election_get_for(request.auth, election_id)
    if not can_view_committee(request.auth, election):
        raise PermissionDenied
    return _detail(election)


@router.patch("/elections/{election_id}", response={200: ElectionDetailOut, **ERRORS})
def update_election(request: HttpRequest, election_id: int, payload: ElectionPatch | None = None):
    """Change a planned election's date, place or announcement (only the fields sent)."""
    election = _managed(request, election_id)
    values = given(payload) if payload is not None else {}
    if values:
        for name in ("place", "announcement_no", "note"):
            if name in values and values[name] is None:
                values[name] = ""
        with fields_named(FIELDS):
            services.election_update(actor=request.auth, election=election, **values)
    return _detail(election)


@router.post("/elections/{election_id}/candidates", response={201: ElectionDetailOut, **ERRORS})
def register_candidate(request: HttpRequest, election_id: int, payload: CandidateIn | None = None):
    """Register a candidate (a registry person of the community). A refusal (422) lists every
    criterion the person fails under `person_id`."""
    payload = payload or CandidateIn()
    user = request.auth
    election = _managed(request, election_id)
    _required(person_id=payload.person_id)
    try:
        person = person_get_for(user, payload.person_id)
    except Http404:  # unknown or outside reach: a field error here
        raise invalid(
            "person_id", _("No person with id %(id)s.") % {"id": payload.person_id}
        ) from None
    with fields_named(FIELDS, default="person_id"):
        services.candidate_register(
            actor=user, election=election, person=person, number=payload.number
        )
    return Status(201, _detail(election))


@router.post(
    "/elections/{election_id}/candidates/{candidate_id}/withdraw",
    response={200: ElectionDetailOut, **ERRORS},
)
def withdraw_candidate(
    request: HttpRequest, election_id: int, candidate_id: int, payload: ReasonIn | None = None
):
    """A candidate withdraws (while the election is planned); `reason` is required."""
    payload = payload or ReasonIn()
    election = _managed(request, election_id)
    candidate = election.candidates.filter(pk=candidate_id).first()
    if candidate is None:
        raise Http404
    with fields_named(default="status"):
        services.candidate_withdraw(actor=request.auth, candidate=candidate, reason=payload.reason)
    return _detail(election)


@router.post("/elections/{election_id}/results", response={200: ElectionDetailOut, **ERRORS})
def enter_results(request: HttpRequest, election_id: int, payload: ResultsIn | None = None):
    """Enter the counts once: ballots issued, cast, spoiled, blank and `votes` as
    [{number, votes}] for every candidate; a tie for the last seat needs `lot_order` (ballot
    numbers in the order drawn) and `tie_break_method`."""
    payload = payload or ResultsIn()
    election = _managed(request, election_id)
    values = _results_values(payload)
    with fields_named(default="status"):
        services.results_enter(actor=request.auth, election=election, **values)
    return _detail(election)


@router.post(
    "/elections/{election_id}/results/correct", response={200: ElectionDetailOut, **ERRORS}
)
def correct_results(request: HttpRequest, election_id: int, payload: CorrectionIn | None = None):
    """Correct entered results before certification: the full counts again and a `reason`
    (audited with the old and new counts)."""
    payload = payload or CorrectionIn()
    election = _managed(request, election_id)
    if not payload.reason.strip():
        raise invalid("reason", _("Say why the results are corrected."))
    values = _results_values(payload)
    with fields_named(default="status"):
        services.results_correct(
            actor=request.auth, election=election, reason=payload.reason, **values
        )
    return _detail(election)


@router.post("/elections/{election_id}/certify", response={200: ElectionDetailOut, **ERRORS})
def certify_election(request: HttpRequest, election_id: int, payload: CertifyIn | None = None):
    """Certify the result (division head, `records.approve`): a general election starts the new
    term (from `starts_on`, default today) and ends the one in office; a by-election seats its
    winners in the existing term. Unopposed elections are certified without a vote entry."""
    payload = payload or CertifyIn()
    election = election_get_for(request.auth, election_id)
    require_perm(request.auth, "records.approve", election)
    with fields_named(default="status"):
        services.election_certify(
            actor=request.auth, election=election, starts_on=payload.starts_on
        )
    return _detail(election)


@router.post("/elections/{election_id}/cancel", response={200: ElectionDetailOut, **ERRORS})
def cancel_election(request: HttpRequest, election_id: int, payload: ReasonIn | None = None):
    """Cancel an election not yet certified; `reason` is required."""
    payload = payload or ReasonIn()
    election = _managed(request, election_id)
    with fields_named(default="status"):
        services.election_cancel(actor=request.auth, election=election, reason=payload.reason)
    return _detail(election)
