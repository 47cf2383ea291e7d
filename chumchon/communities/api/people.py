"""People: list, register (in a household, in a district only, or quickly), read, edit, move,
status, the logged reveal of a national ID and the subject-access report."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from chumchon.accounts.scoping import require_perm
from chumchon.core.api import Page, PageParams, paginate
from chumchon.core.national_id import format_national_id
from chumchon.organizations.models import Area

from .. import domain, services
from ..models import Community, Membership, Person
from ..permissions import (
    can_view_people,
    can_view_welfare_flags,
    household_find_for,
    household_scope,
    person_get_for,
    person_scope,
)
from ..schemas import (
    MoveIn,
    MoveOut,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    QuickIn,
    RevealIn,
    RevealOut,
    StatusIn,
    SubjectAccessIn,
    SubjectAccessOut,
    SubjectPersonOut,
)
from ..selectors import person_subject_records
from ..services import person_move_to_house_no
from .common import (
    ERRORS,
    area_for_people,
    check_national_id,
    fields_named,
    given,
    invalid,
    needs,
    parse_relation,
    parse_sex,
    router,
)

FIELDS = {
    "household": "household_id",
    "area": "area_code",
    "to_household": "to_household_id",
    "to_community": "to_community_id",
}
FLAG_FIELDS = (
    "disability_card",
    "disability_type",
    "bedridden",
    "chronic_illness",
    "child_in_need",
    "disaster_victim",
    "sensitive_legal_basis",
)
BOOL_FLAGS = {"bedridden", "chronic_illness", "child_in_need", "disaster_victim"}
TEXT_FIELDS = (
    "prefix",
    "first_name",
    "last_name",
    "nationality",
    "phone",
    "missing_id_reason",
)


def with_open_membership(queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(until__isnull=True),
            to_attr="open_memberships",
        )
    )


def _out(pk: int) -> Person:
    return with_open_membership(
        Person.objects.select_related("area", "household__community__area")
    ).get(pk=pk)


def _flag_values(sent: dict) -> dict:
    values = {}
    for name in FLAG_FIELDS:
        if name not in sent:
            continue
        value = sent[name]
        values[name] = bool(value) if name in BOOL_FLAGS else (value or "").strip()
    return values


def _check_flags_allowed(user, area: Area, flags: dict) -> None:
    """Welfare flags are written only by those who may read them (`personal.view_flags`)."""
    if flags and not can_view_welfare_flags(user, area):
        raise PermissionDenied


class PeopleFilters(PageParams):
    community_id: int | None = None
    household_id: int | None = None
    area_code: str | None = Field(None, description="community or district code (subtree)")
    status: Literal["alive", "deceased", "moved_out"] | None = None
    quick_registered: bool | None = None
    q: str | None = Field(None, description="part of the first or last name")


@router.get("/people/", response={200: Page[PersonOut], **ERRORS})
def list_people(request: HttpRequest, filters: Query[PeopleFilters]):
    """People in the caller's reach (`people.view`). National IDs are masked, and null for
    committee members; welfare flags are null without `personal.view_flags`."""
    queryset = person_scope(request.auth)
    if filters.community_id is not None:
        queryset = queryset.filter(household__community_id=filters.community_id)
    if filters.household_id is not None:
        queryset = queryset.filter(household_id=filters.household_id)
    if filters.area_code:
        # Area codes are public reference data; the people stay scoped by person_scope.
        area = Area.objects.filter(code=filters.area_code.strip()).first()
        queryset = queryset.filter(area__path__startswith=area.path) if area else queryset.none()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.quick_registered is not None:
        queryset = queryset.filter(quick_registered=filters.quick_registered)
    if filters.q:
        text = domain.clean_text(filters.q)
        queryset = queryset.filter(Q(first_name__icontains=text) | Q(last_name__icontains=text))
    return paginate(with_open_membership(queryset), filters)


@router.post("/people/", response={201: PersonDetailOut, **ERRORS}, auth=needs("records.edit"))
def create_person(request: HttpRequest, payload: PersonIn):
    """Register a person in a household (`household_id`, with relation, whether the name is
    in the house registration and since when), or known to a district only (`area_code`).
    A national ID (13 digits, valid check digit, unique) or `missing_id_reason` is required.
    Health and disability data need `sensitive_legal_basis`."""
    user = request.auth
    sent = payload.model_dump(exclude_unset=True)
    household = None
    area = None
    if payload.household_id is not None:
        household = household_find_for(user, payload.household_id)
        if household is None:
            raise invalid(
                "household_id",
                _("No household with id %(id)s.") % {"id": payload.household_id},
            )
        require_perm(user, "records.edit", household)
        target = household.area
    elif payload.area_code:
        found = area_for_people(user, payload.area_code)
        if isinstance(found, tuple):
            return Status(*found)
        area = target = found
        if payload.in_house_registration:
            raise invalid(
                "in_house_registration",
                _("A person in no household is in no house registration: give household_id."),
            )
    else:
        raise invalid(
            "household_id",
            _("Give household_id (the household), or area_code for a person in no household."),
        )
    flags = _flag_values(sent)
    _check_flags_allowed(user, target, flags)
    check_national_id(payload.national_id)
    relation = parse_relation(payload.relation) if household else ""
    values = {name: getattr(payload, name).strip() for name in TEXT_FIELDS}
    with fields_named(FIELDS):
        person = services.person_create(
            actor=user,
            household=household,
            area=area,
            national_id=payload.national_id,
            relation=relation,
            in_house_registration=payload.in_house_registration if household else False,
            since=payload.since if household else None,
            sex=parse_sex(payload.sex),
            birth_date=payload.birth_date,
            **values,
            **flags,
        )
    return Status(201, _out(person.pk))


@router.post("/people/quick", response={201: PersonDetailOut, **ERRORS}, auth=needs("records.edit"))
def quick_register_person(request: HttpRequest, payload: QuickIn):
    """Quick registration (ลงทะเบียนอย่างย่อ) of a minimal person with no ID and in no house
    registration, for the food bank and welfare: homeless people, migrants. `approximate_age`
    gives an estimated birth date (1 January of that year)."""
    user = request.auth
    found = area_for_people(user, payload.area_code)
    if isinstance(found, tuple):
        return Status(*found)
    person = services.person_quick_register(
        actor=user,
        area=found,
        first_name=payload.first_name,
        last_name=payload.last_name,
        approximate_age=payload.approximate_age,
        sex=parse_sex(payload.sex),
        missing_id_reason=payload.missing_id_reason.strip(),
        phone=payload.phone.strip(),
    )
    return Status(201, _out(person.pk))


@router.get("/people/{person_id}", response={200: PersonDetailOut, **ERRORS})
def get_person(request: HttpRequest, person_id: int):
    """One person with the dated household memberships."""
    person = person_get_for(request.auth, person_id)
    require_perm(request.auth, "people.view", person)
    return _out(person.pk)


@router.patch("/people/{person_id}", response={200: PersonDetailOut, **ERRORS})
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch | None = None):
    """Change a person: only the fields sent (null clears). `relation`,
    `in_house_registration` and `since` change the current household membership. A `status`
    is refused (422): use POST /api/v1/people/{id}/status."""
    payload = payload or PersonPatch()
    user = request.auth
    person = person_get_for(user, person_id)
    require_perm(user, "records.edit", person)
    sent = given(payload)
    if "status" in sent:
        raise invalid(
            "status",
            _("The status cannot be edited here: use POST /api/v1/people/%(id)s/status.")
            % {"id": person.pk},
        )
    flags = _flag_values(sent)
    _check_flags_allowed(user, person.area, flags)
    values: dict = dict(flags)
    for name in TEXT_FIELDS:
        if name in sent:
            values[name] = (sent[name] or "").strip()
    if "sex" in sent:
        values["sex"] = parse_sex(sent["sex"] or "")
    if "birth_date" in sent:
        values["birth_date"] = sent["birth_date"]
    membership_fields = {"relation", "in_house_registration", "since"} & set(sent)
    if membership_fields and not person.memberships.filter(until__isnull=True).exists():
        raise invalid(
            sorted(membership_fields)[0],
            _("The person is in no household: move them into one first."),
        )
    if "relation" in sent:
        values["relation"] = parse_relation(sent["relation"] or "")
    if "in_house_registration" in sent:
        values["in_house_registration"] = bool(sent["in_house_registration"])
    if sent.get("since"):
        values["since"] = sent["since"]
    national_id = None
    if "national_id" in sent:
        national_id = sent["national_id"] or ""
        check_national_id(national_id)
    with fields_named(FIELDS):
        services.person_update(actor=user, person=person, national_id=national_id, **values)
    return _out(person.pk)


@router.post("/people/{person_id}/move", response={200: MoveOut, **ERRORS})
def move_person(request: HttpRequest, person_id: int, payload: MoveIn | None = None):
    """Move a person, either into a household in the caller's reach (`to_household_id`), or
    into any community of the city (`to_community_id` with `house_no`: the household with that
    house number there, or a new one made with it; nothing about the households of a community
    outside the caller's reach is answered). The person then belongs to that community and
    district; the old district keeps a masked history line and no longer sees the person
    (404)."""
    payload = payload or MoveIn()
    user = request.auth
    person = person_get_for(user, person_id)
    require_perm(user, "records.edit", person)
    if payload.to_household_id is not None and payload.to_community_id is not None:
        raise invalid(
            "to_household_id",
            _("Give to_household_id, or to_community_id with house_no, not both."),
        )
    if payload.to_household_id is None and payload.to_community_id is None:
        raise invalid(
            "to_household_id",
            _(
                "Choose the household to move the person to (to_household_id), or the "
                "community and house number (to_community_id, house_no)."
            ),
        )
    relation = parse_relation(payload.relation)
    moving = {
        "actor": user,
        "person": person,
        "on": payload.moved_on,
        "relation": relation,
        "in_house_registration": payload.in_house_registration,
        "reason": payload.reason.strip(),
    }
    if payload.to_household_id is not None:
        target = (
            household_scope(user)
            .select_related("community__area", "area")
            .filter(pk=payload.to_household_id)
            .first()
        )
        if target is None:
            raise invalid(
                "to_household_id",
                _("No household with id %(id)s.") % {"id": payload.to_household_id},
            )
        with fields_named(FIELDS):
            services.person_move(to_household=target, **moving)
        shown_household = target.pk
    else:
        # Deliberately city-wide: a person may move to any community; outside the caller's
        # reach the move is neutral (nothing about its households is answered).
        community = (
            Community.objects.select_related("area").filter(pk=payload.to_community_id).first()
        )
        if community is None:
            raise invalid(
                "to_community_id",
                _("No community with id %(id)s.") % {"id": payload.to_community_id},
            )
        within = can_view_people(user, community)
        with fields_named(FIELDS):
            target = person_move_to_house_no(
                community=community, house_no=payload.house_no, neutral=not within, **moving
            )
        shown_household = target.pk if within else None
    move = person.moves.select_related("from_area", "to_area").order_by("-id").first()
    return {
        "person_id": person.pk,
        "masked_label": move.masked_label,
        "from_area_code": move.from_area.code,
        "to_area_code": move.to_area.code,
        "to_household_id": shown_household,
        "moved_on": move.moved_on,
    }


@router.post("/people/{person_id}/status", response={200: PersonDetailOut, **ERRORS})
def set_person_status(request: HttpRequest, person_id: int, payload: StatusIn | None = None):
    """Record a death (`deceased`, date) or a move out of the registry (`moved_out`, date,
    destination); `alive` undoes a moved-out status. The household membership ends on that
    date."""
    payload = payload or StatusIn()
    user = request.auth
    person = person_get_for(user, person_id)
    require_perm(user, "records.edit", person)
    status = (payload.status or "").strip()
    if status not in Person.Status.values:
        raise invalid(
            "status",
            _("Choose the status: %(choices)s.") % {"choices": ", ".join(Person.Status.values)},
        )
    with fields_named(FIELDS):
        services.person_set_status(
            actor=user,
            person=person,
            status=status,
            on=payload.status_on,
            moved_to=payload.moved_to,
        )
    return _out(person.pk)


@router.post("/people/{person_id}/reveal", response={200: RevealOut, **ERRORS})
def reveal_national_id(request: HttpRequest, person_id: int, payload: RevealIn | None = None):
    """The full national ID, for roles allowed to reveal (`personal.reveal`, district head).
    Each call is logged with the reason (at least 10 characters), read by auditors."""
    payload = payload or RevealIn()
    user = request.auth
    person = person_get_for(user, person_id)
    require_perm(user, "personal.reveal", person)
    with fields_named(FIELDS, default="national_id"):
        number = services.person_reveal_national_id(
            actor=user, person=person, reason=payload.reason
        )
    return {"person_id": person.pk, "national_id": number}


@router.post("/people/{person_id}/subject-access", response={200: SubjectAccessOut, **ERRORS})
def subject_access_report(
    request: HttpRequest,
    response: HttpResponse,
    person_id: int,
    payload: SubjectAccessIn | None = None,
):
    """Everything held on one person, for a subject-access request under the PDPA: every
    field (the full national ID included), the household memberships, the moves, the audit
    events, the versions of the record and who saw the person's personal data. Needs
    `personal.reveal` (district head); each report is logged with its reason (at least 10
    characters), as a reveal."""
    payload = payload or SubjectAccessIn()
    user = request.auth
    person = person_get_for(user, person_id)
    require_perm(user, "personal.reveal", person)
    with fields_named(FIELDS, default="reason"):
        services.person_subject_report_logged(actor=user, person=person, reason=payload.reason)
    add_never_cache_headers(response)
    return subject_report_data(person, payload.reason.strip())


def subject_report_data(person: Person, reason: str) -> dict:
    held = person_subject_records(person)
    record = {
        name: getattr(person, name)
        for name in SubjectPersonOut.model_fields
        if hasattr(person, name) and name != "national_id"
    }
    record.update(
        national_id=format_national_id(person.national_id) if person.national_id else "",
        welfare_flags=person.welfare_flags(),
        area_code=person.area.code,
        area_name=person.area.name_th,
        household_id=person.household_id,
    )
    return {
        "person_id": person.pk,
        "reason": reason,
        "person": record,
        "memberships": list(held["memberships"]),
        "moves": [
            {
                "moved_on": m.moved_on,
                "from_area_code": m.from_area.code,
                "from_area_name": m.from_area.name_th,
                "to_area_code": m.to_area.code,
                "to_area_name": m.to_area.name_th,
                "reason": m.reason,
            }
            for m in held["moves"]
        ],
        "events": [
            {
                "at": e.at,
                "actor": e.actor_label,
                "action": e.action,
                "changes": e.changes,
                "reason": e.reason,
            }
            for e in held["events"]
        ],
        "reveals": [
            {"at": r.at, "actor": str(r.actor), "field": r.field, "reason": r.reason}
            for r in held["reveals"]
        ],
        "versions": [
            {"at": h.history_date, "type": h.history_type, "user": str(h.history_user or "")}
            for h in held["versions"]
        ],
    }
