"""A community's committee (read) and the writes on a term under /api/v1/committee-terms/{id}/:
end a membership, fill a vacancy from the reserve list, assign and end positions, give the
committee member role, end the term early, advisers, working groups and reports.

Reads: staff in reach and the community's committee members. Writes: `committees.manage`
(ending a term early: `records.dissolve`). Outside reach: 404; a service's refusal: 422 with
the field errors. Dates are ISO (Christian era)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from chumchon.communities.models import Person
from chumchon.communities.permissions import community_get_for
from chumchon.core.api import ErrorOut

from . import services_terms as services
from .models import CommitteeMember, CommitteeTerm, Position, WorkingGroup
from .permissions import can_end_term_early, can_manage_committee, can_view_committee, term_get_for
from .selectors import committee_of

router = Router(tags=["committees"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ----------------------------------------------------------------------------------


class PositionOut(Schema):
    id: int
    code: str
    title: str
    label: str
    starts_on: date
    ends_on: date | None


class MemberOut(Schema):
    id: int
    person_id: int
    name: str
    source: str
    starts_on: date
    ends_on: date | None
    position: PositionOut | None


class TermOut(Schema):
    id: int
    status: str
    seats: int
    starts_on: date
    ends_on: date
    ended_on: date | None
    policy: str
    minimum: int


class CommitteeOut(Schema):
    community_id: int
    on: date
    term: TermOut | None
    seats: int
    filled: int
    vacancies: int
    members: list[MemberOut]
    complete: bool
    valid: bool
    expiring: bool


class MemberEndIn(Schema):
    on: date | None = Field(None, description="required: the first day without the seat")
    reason: str = Field("", description="required: resigned, died, moved_out or removed")
    note: str = ""


class OnIn(Schema):
    on: date | None = Field(None, description="required; ISO date")


class PositionIn(Schema):
    member_id: int | None = Field(None, description="required: a member of this term")
    code: str = Field(
        "",
        description="required: chair, vice_chair, secretary, treasurer, registrar, "
        "public_relations or other (with a title)",
    )
    title: str = ""
    on: date | None = Field(None, description="required; ISO date")


class GrantRoleIn(Schema):
    username: str = Field("", description="required: the member's own user account")


class EndEarlyIn(Schema):
    on: date | None = Field(None, description="required: the first day the term is ended")
    order_no: str = Field("", description="required: the district order number")
    reason: str = Field("", description="required")


class AdviserIn(Schema):
    name: str = ""
    person_id: int | None = Field(None, description="a person registered in the community")
    expertise: str = ""
    starts_on: date | None = Field(None, description="required; ISO date")


class WorkingGroupIn(Schema):
    name: str = ""
    purpose: str = ""
    starts_on: date | None = Field(None, description="required; ISO date")


class WorkingGroupMemberIn(Schema):
    name: str = ""
    person_id: int | None = None
    role: str = ""


class ReportIn(Schema):
    reported_on: date | None = Field(None, description="required; ISO date")
    subject: str = ""
    body: str = ""


class CreatedOut(Schema):
    id: int


# --- helpers -----------------------------------------------------------------------------------


def _required(payload: Schema, *names: str) -> None:
    """422 naming every required field left empty (the payload is optional so that reach and
    permission are checked first: 404 / 403 before 422)."""
    missing = {
        name: _("This field is required.") for name in names if getattr(payload, name) in (None, "")
    }
    if missing:
        raise ValidationError(missing)


def _position_out(position: Position | None) -> dict | None:
    if position is None:
        return None
    return {
        "id": position.pk,
        "code": position.code,
        "title": position.title,
        "label": position.label,
        "starts_on": position.starts_on,
        "ends_on": position.ends_on,
    }


def _committee_out(community, day: date | None = None) -> dict:
    committee = committee_of(community, day)
    term = committee["term"]
    return {
        "community_id": community.pk,
        "on": committee["day"],
        "term": None
        if term is None
        else {
            "id": term.pk,
            "status": term.status,
            "seats": term.seats,
            "starts_on": term.starts_on,
            "ends_on": term.ends_on,
            "ended_on": term.ended_on,
            "policy": str(term.policy),
            "minimum": term.policy.minimum,
        },
        "seats": committee["seats"],
        "filled": committee["filled"],
        "vacancies": committee["vacancies"],
        "members": [
            {
                "id": m.pk,
                "person_id": m.person_id,
                "name": m.person.full_name,
                "source": m.source,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
                "position": _position_out(m.position),
            }
            for m in committee["members"]
        ],
        "complete": committee["complete"],
        "valid": committee["valid"],
        "expiring": committee["expiring"],
    }


def _managed_term(request: HttpRequest, term_id: int) -> CommitteeTerm:
    term = term_get_for(request.auth, term_id)
    if not can_manage_committee(request.auth, term):
        raise PermissionDenied
    return term


def _member(term: CommitteeTerm, member_id: int) -> CommitteeMember:
    return get_object_or_404(
        CommitteeMember.objects.select_related("person"), term=term, pk=member_id
    )


def _person(term: CommitteeTerm, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id, area_id=term.community.area_id).first()
    if person is None:
        raise ValidationError(
            {
                "person_id": _("No person %(id)s is registered in this community.")
                % {"id": person_id}
            }
        )
    return person


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/communities/{community_id}/committee", response={200: CommitteeOut, **ERRORS})
def get_community_committee(request: HttpRequest, community_id: int, on: date | None = None):
    """The committee of a community on `on` (today by default): the term covering that day,
    its seats, the members seated with their positions, and whether the committee is complete
    (every seat filled, the six named positions held), valid (a term in office, at least the
    policy's minimum of members, a chair) and expiring (ends within 90 days)."""
    community = community_get_for(request.auth, community_id)
    if not can_view_committee(request.auth, community):
        raise PermissionDenied
    return _committee_out(community, on)


@router.post(
    "/committee-terms/{term_id}/members/{member_id}/end", response={200: CommitteeOut, **ERRORS}
)
def end_committee_member(
    request: HttpRequest, term_id: int, member_id: int, payload: MemberEndIn | None = None
):
    """End a membership from `on` (the first day without the seat): resigned, died, moved_out
    or removed. Their position and committee member role end too."""
    payload = payload or MemberEndIn()
    term = _managed_term(request, term_id)
    member = _member(term, member_id)
    _required(payload, "on", "reason")
    services.member_end(
        actor=request.auth, member=member, on=payload.on, reason=payload.reason, note=payload.note
    )
    return _committee_out(term.community, payload.on)


@router.post("/committee-terms/{term_id}/fill-vacancy", response={201: MemberOut, **ERRORS})
def fill_committee_vacancy(request: HttpRequest, term_id: int, payload: OnIn | None = None):
    """Seat the next eligible reserve candidate from `on` (422 when no seat is vacant or the
    reserve list is exhausted: a by-election may be held)."""
    payload = payload or OnIn()
    term = _managed_term(request, term_id)
    _required(payload, "on")
    member = services.vacancy_fill_from_reserve(actor=request.auth, term=term, on=payload.on)
    return Status(
        201,
        {
            "id": member.pk,
            "person_id": member.person_id,
            "name": member.person.full_name,
            "source": member.source,
            "starts_on": member.starts_on,
            "ends_on": member.ends_on,
            "position": None,
        },
    )


@router.post("/committee-terms/{term_id}/positions", response={201: PositionOut, **ERRORS})
def assign_committee_position(
    request: HttpRequest, term_id: int, payload: PositionIn | None = None
):
    """A member holds a position from `on` (named positions: one holder at a time; one
    position per member; `other` needs a `title`)."""
    payload = payload or PositionIn()
    term = _managed_term(request, term_id)
    _required(payload, "member_id", "code", "on")
    member = CommitteeMember.objects.filter(term=term, pk=payload.member_id).first()
    if member is None:
        raise ValidationError(
            {"member_id": _("No member %(id)s in this term.") % {"id": payload.member_id}}
        )
    position = services.position_assign(
        actor=request.auth, member=member, code=payload.code, title=payload.title, on=payload.on
    )
    return Status(201, _position_out(position))


@router.post(
    "/committee-terms/{term_id}/positions/{position_id}/end", response={200: PositionOut, **ERRORS}
)
def end_committee_position(
    request: HttpRequest, term_id: int, position_id: int, payload: OnIn | None = None
):
    payload = payload or OnIn()
    term = _managed_term(request, term_id)
    position = get_object_or_404(Position, term=term, pk=position_id)
    _required(payload, "on")
    position = services.position_end(actor=request.auth, position=position, on=payload.on)
    return _position_out(position)


@router.post(
    "/committee-terms/{term_id}/members/{member_id}/grant-role",
    response={201: CreatedOut, **ERRORS},
)
def grant_committee_role(
    request: HttpRequest, term_id: int, member_id: int, payload: GrantRoleIn | None = None
):
    """Give a user account the committee member role at the community until the term ends
    (and link it to the member's registry person). Answers the role assignment's id."""
    payload = payload or GrantRoleIn()
    term = _managed_term(request, term_id)
    member = _member(term, member_id)
    _required(payload, "username")
    user = services.active_user_named(payload.username)
    assignment = services.member_grant_role(actor=request.auth, member=member, user=user)
    return Status(201, {"id": assignment.pk})


@router.post("/committee-terms/{term_id}/end-early", response={200: TermOut, **ERRORS})
def end_committee_term_early(request: HttpRequest, term_id: int, payload: EndEarlyIn | None = None):
    """End a term in office by district order (`records.dissolve`)."""
    payload = payload or EndEarlyIn()
    term = term_get_for(request.auth, term_id)
    if not can_end_term_early(request.auth, term):
        raise PermissionDenied
    _required(payload, "on", "order_no", "reason")
    term = services.term_end_early(
        actor=request.auth,
        term=term,
        on=payload.on,
        order_no=payload.order_no,
        reason=payload.reason,
    )
    return {
        "id": term.pk,
        "status": term.status,
        "seats": term.seats,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "ended_on": term.ended_on,
        "policy": str(term.policy),
        "minimum": term.policy.minimum,
    }


@router.post("/committee-terms/{term_id}/advisers", response={201: CreatedOut, **ERRORS})
def add_committee_adviser(request: HttpRequest, term_id: int, payload: AdviserIn | None = None):
    payload = payload or AdviserIn()
    term = _managed_term(request, term_id)
    _required(payload, "starts_on")
    adviser = services.adviser_add(
        actor=request.auth,
        term=term,
        starts_on=payload.starts_on,
        name=payload.name,
        person=_person(term, payload.person_id),
        expertise=payload.expertise,
    )
    return Status(201, {"id": adviser.pk})


@router.post(
    "/committee-terms/{term_id}/advisers/{adviser_id}/end", response={200: CreatedOut, **ERRORS}
)
def end_committee_adviser(
    request: HttpRequest, term_id: int, adviser_id: int, payload: OnIn | None = None
):
    payload = payload or OnIn()
    term = _managed_term(request, term_id)
    adviser = get_object_or_404(term.advisers, pk=adviser_id)
    _required(payload, "on")
    services.adviser_end(actor=request.auth, adviser=adviser, on=payload.on)
    return {"id": adviser.pk}


@router.post("/committee-terms/{term_id}/working-groups", response={201: CreatedOut, **ERRORS})
def add_committee_working_group(
    request: HttpRequest, term_id: int, payload: WorkingGroupIn | None = None
):
    payload = payload or WorkingGroupIn()
    term = _managed_term(request, term_id)
    _required(payload, "starts_on")
    group = services.working_group_add(
        actor=request.auth,
        term=term,
        name=payload.name,
        purpose=payload.purpose,
        starts_on=payload.starts_on,
    )
    return Status(201, {"id": group.pk})


@router.post(
    "/committee-terms/{term_id}/working-groups/{group_id}/members",
    response={201: CreatedOut, **ERRORS},
)
def add_committee_working_group_member(
    request: HttpRequest,
    term_id: int,
    group_id: int,
    payload: WorkingGroupMemberIn | None = None,
):
    payload = payload or WorkingGroupMemberIn()
    term = _managed_term(request, term_id)
    group = get_object_or_404(WorkingGroup, term=term, pk=group_id)
    row = services.working_group_member_add(
        actor=request.auth,
        group=group,
        name=payload.name,
        person=_person(term, payload.person_id),
        role=payload.role,
    )
    return Status(201, {"id": row.pk})


@router.post(
    "/committee-terms/{term_id}/working-groups/{group_id}/end",
    response={200: CreatedOut, **ERRORS},
)
def end_committee_working_group(
    request: HttpRequest, term_id: int, group_id: int, payload: OnIn | None = None
):
    payload = payload or OnIn()
    term = _managed_term(request, term_id)
    group = get_object_or_404(WorkingGroup, term=term, pk=group_id)
    _required(payload, "on")
    services.working_group_end(actor=request.auth, group=group, on=payload.on)
    return {"id": group.pk}


@router.post("/committee-terms/{term_id}/reports", response={201: CreatedOut, **ERRORS})
def add_committee_report(
    request: HttpRequest,
    term_id: int,
    payload: Form[ReportIn],
    files: File[list[UploadedFile]] = None,
):
    """A report to the district director (multipart form: reported_on, subject, body, and any
    number of `files`, each checked for type and size)."""
    term = _managed_term(request, term_id)
    _required(payload, "reported_on")
    report = services.report_add(
        actor=request.auth,
        term=term,
        reported_on=payload.reported_on,
        subject=payload.subject,
        body=payload.body,
        files=files or (),
    )
    return Status(201, {"id": report.pk})
