"""Beneficiaries and points under /api/v1/foodbank/ (helper "beneficiaries").

- ``GET /foodbank/beneficiaries/?district=&q=&limit=&offset=``: the beneficiaries the caller
  reads (``foodbank.view``), with their usable points; ``POST /foodbank/beneficiaries/search``
  with the same filters in the body for a national ID (never in a URL: a GET with one is 422;
  audited).
- ``POST /foodbank/beneficiaries/`` {district_code, kind (person | household), person_id |
  household_id | national_id, registered_on?, note?} -> 201 (``foodbank.assess``).
- ``GET /foodbank/beneficiaries/{id}``: the beneficiary, points balance, awards (points left),
  allowances, latest assessment.
- ``POST /foodbank/beneficiaries/{id}/assessments`` {scores: {criterion code: score},
  assessed_on?, note?} -> 201.
- ``POST /foodbank/awards`` {district_code, beneficiary_id, points, reason, awarded_on?,
  expires_on?} -> 201; a beneficiary of another district is refused (422 naming
  ``beneficiary_id``), even when the caller may read it.
- ``POST /foodbank/beneficiaries/{id}/allowances`` {points, starts_on, ends_on?, valid_days?,
  reason} -> 201.
- ``GET /foodbank/beneficiaries/{id}/points``: the points history with the running balance.

Points are integers; raw JSON values go to the services, which name the field on a bad one
(``true`` or 1.5 points are refused). Dates are ISO (Christian era). Outside reach: 404;
without the permission: 403; a refusal: 422 naming the fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.accounts.scoping import has_perm
from chumchon.communities.models import Household, Person
from chumchon.communities.services import find_person_by_national_id
from chumchon.core.api import ErrorOut, Page, PageParams, fields_named
from chumchon.core.audit import record_event
from chumchon.core.national_id import mask_national_id

from . import domain, ledger, selectors_points, services_points
from .models import Allowance, Assessment, Award, Beneficiary
from .permissions import ASSESS, VIEW, can_anywhere, district_get_for, get_for, in_reach, scope

router = Router(tags=["foodbank"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
FLAGS_PERM = "personal.view_flags"
Raw = Any


# --- schemas ----------------------------------------------------------------------------------


class BeneficiaryFilters(PageParams):
    district: str = Field("", description="a district code, e.g. 1001")
    q: str = Field("", description="a name fragment, house number, B-number or national ID")
    state: str = Field("active", description="active | closed | all")


class BeneficiaryIn(Schema):
    district_code: str = ""
    kind: str = Field("", description="person | household")
    person_id: Raw = None
    household_id: Raw = None
    national_id: str = Field("", description="instead of person_id: the person's national ID")
    registered_on: date | None = None
    note: str = ""


class AssessmentIn(Schema):
    scores: dict[str, Raw] | None = Field(None, description='{"income": 3, "food": 5, ...}')
    assessed_on: date | None = None
    note: str = ""


class AwardIn(Schema):
    district_code: str = ""
    beneficiary_id: Raw = None
    points: Raw = Field(None, description="a whole number of points")
    reason: str = ""
    awarded_on: date | None = None
    expires_on: date | None = None


class AllowanceIn(Schema):
    points: Raw = Field(None, description="points a month")
    starts_on: date | None = Field(None, description="any day of the first month")
    ends_on: date | None = None
    valid_days: Raw = Field(None, description="default: the food bank's validity")
    reason: str = ""


class BeneficiaryOut(Schema):
    id: int
    number: int
    district_code: str
    kind: str
    person_id: int | None
    household_id: int | None
    name: str
    masked_national_id: str
    state: str
    registered_on: date
    closed_on: date | None
    flags: list[str] | None
    latest_assessment_total: int | None
    points: int


class AwardOut(Schema):
    id: int
    kind: str
    points: int
    awarded_on: date
    expires_on: date
    left: int
    allowance_id: int | None
    month: date | None
    reason: str


class AllowanceOut(Schema):
    id: int
    beneficiary_id: int
    points: int
    starts_on: date
    ends_on: date | None
    valid_days: int
    stopped_on: date | None
    reason: str


class AssessmentOut(Schema):
    id: int
    beneficiary_id: int
    assessed_on: date
    scores: dict[str, int]
    flags: list[str] | None
    total: int
    note: str


class BeneficiaryDetailOut(BeneficiaryOut):
    awards: list[AwardOut]
    allowances: list[AllowanceOut]
    latest_assessment: AssessmentOut | None
    may_redeem: list[str]


class EntryOut(Schema):
    id: int
    on: date
    kind: str
    points: int
    balance: int
    award_id: int
    redemption_id: int | None
    reason: str


class PointsOut(Schema):
    beneficiary_id: int
    balance: int
    entries: list[EntryOut]


# --- output helpers ---------------------------------------------------------------------------


def _sees_flags(user: Any, beneficiary: Beneficiary) -> bool:
    return has_perm(user, FLAGS_PERM, beneficiary.store.area.path)


def beneficiary_out(user: Any, row: selectors_points.Row) -> dict[str, Any]:
    b = row.beneficiary
    return {
        "id": b.pk,
        "number": b.number,
        "district_code": b.store.area.code,
        "kind": b.kind,
        "person_id": b.person_id,
        "household_id": b.household_id,
        "name": row.name,
        "masked_national_id": row.masked_id,
        "state": b.state,
        "registered_on": b.registered_on,
        "closed_on": b.closed_on,
        "flags": row.flags if _sees_flags(user, b) else None,
        "latest_assessment_total": row.latest_total,
        "points": row.points,
    }


def award_out(award: Award, left: int) -> dict[str, Any]:
    return {
        "id": award.pk,
        "kind": award.kind,
        "points": award.points,
        "awarded_on": award.awarded_on,
        "expires_on": award.expires_on,
        "left": left,
        "allowance_id": award.allowance_id,
        "month": award.month,
        "reason": award.reason,
    }


def allowance_out(allowance: Allowance) -> dict[str, Any]:
    return {
        "id": allowance.pk,
        "beneficiary_id": allowance.beneficiary_id,
        "points": allowance.points,
        "starts_on": allowance.starts_on,
        "ends_on": allowance.ends_on,
        "valid_days": allowance.valid_days,
        "stopped_on": allowance.stopped_on,
        "reason": allowance.reason,
    }


def assessment_out(user: Any, assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "beneficiary_id": assessment.beneficiary_id,
        "assessed_on": assessment.assessed_on,
        "scores": assessment.scores,
        "flags": assessment.flags if _sees_flags(user, assessment.beneficiary) else None,
        "total": assessment.total,
        "note": assessment.note,
    }


def _row(beneficiary_id: int, on: date) -> selectors_points.Row:
    qs = selectors_points.with_row_data(
        Beneficiary.objects.filter(pk=beneficiary_id).select_related("store__area"), on
    )
    return selectors_points.rows_for(list(qs), on)[0]


def _detail(user: Any, beneficiary: Beneficiary) -> dict[str, Any]:
    today = timezone.localdate()
    out = beneficiary_out(user, _row(beneficiary.pk, today))
    left = ledger.award_left(beneficiary)
    latest = beneficiary.assessments.select_related("beneficiary__store__area").first()
    out.update(
        awards=[
            award_out(a, left.get(a.pk, 0))
            for a in beneficiary.awards.order_by("-awarded_on", "-id")
        ],
        allowances=[allowance_out(a) for a in beneficiary.allowances.order_by("-starts_on")],
        latest_assessment=assessment_out(user, latest) if latest else None,
        may_redeem=[
            p.full_name for p in selectors_points.adults_who_may_redeem(beneficiary, today)
        ],
    )
    return out


def _beneficiary(user: Any, beneficiary_id: int, perm: str) -> Beneficiary:
    return get_for(
        user,
        Beneficiary.objects.select_related(
            "store__area", "person__household", "household__community__area"
        ),
        beneficiary_id,
        perm,
    )


def _whole_id(value: Any, field: str, problems: dict) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
    ):
        domain.add(problems, field, _("“%(value)s” is not an id.") % {"value": value})
        return None
    return int(value)


def _required(problems: dict, **values: Any) -> None:
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            domain.add(problems, name, _("This field is required."))


# --- endpoints --------------------------------------------------------------------------------


def _national_id_in(text: str) -> str:
    digits = text.strip().replace("-", "").replace(" ", "")
    return digits if len(digits) == 13 and digits.isdigit() else ""


@router.get("/foodbank/beneficiaries/", response={200: Page[BeneficiaryOut], **ERRORS})
def list_foodbank_beneficiaries(request: HttpRequest, filters: Query[BeneficiaryFilters]):
    """The beneficiaries the caller reads (``foodbank.view``), by district and search text (a
    national ID only with POST /foodbank/beneficiaries/search: never in a URL)."""
    if _national_id_in(filters.q):
        raise ValidationError(
            {"q": [_("Send a national ID in the body of a POST, never in the URL.")]}
        )
    return _beneficiary_page(request.auth, filters)


@router.post("/foodbank/beneficiaries/search", response={200: Page[BeneficiaryOut], **ERRORS})
def search_foodbank_beneficiaries(request: HttpRequest, payload: BeneficiaryFilters | None = None):
    """The list's filters in the body, so a national ID searched stays out of URLs (audited)."""
    return _beneficiary_page(request.auth, payload or BeneficiaryFilters())


def _beneficiary_page(user: Any, filters: BeneficiaryFilters) -> dict[str, Any]:
    today = timezone.localdate()
    qs = scope(Beneficiary.objects.all(), user, VIEW)
    if filters.district.strip():
        qs = qs.filter(store__area__code=filters.district.strip())
    if filters.state in (Beneficiary.State.ACTIVE, Beneficiary.State.CLOSED):
        qs = qs.filter(state=filters.state)
    text = filters.q.strip()
    national_id = _national_id_in(text)
    if national_id:
        q = selectors_points.national_id_q(national_id)
        qs = qs.filter(q) if q is not None else qs.none()
    elif text:
        qs = qs.filter(selectors_points.text_q(text, today))
    qs = qs.order_by("store__area__code", "number")
    count = qs.count()
    page = list(
        selectors_points.with_row_data(qs.select_related("store__area"), today)[
            filters.offset : filters.offset + filters.limit
        ]
    )
    rows = selectors_points.rows_for(page, today)
    if national_id:
        record_event(
            actor=user,
            action="foodbank.beneficiary_search",
            object_label=mask_national_id(national_id),
            changes={"found": count},
        )
    return {"items": [beneficiary_out(user, row) for row in rows], "count": count}


@router.post("/foodbank/beneficiaries/", response={201: BeneficiaryOut, **ERRORS})
def register_foodbank_beneficiary(request: HttpRequest, payload: BeneficiaryIn | None = None):
    """Register a person (by id or national ID) or a household (by id) of the district."""
    user = request.auth
    if not can_anywhere(user, ASSESS):
        raise PermissionDenied
    payload = payload or BeneficiaryIn()
    problems: dict[str, list[str]] = {}
    _required(problems, district_code=payload.district_code, kind=payload.kind)
    domain.raise_problems(problems)
    district = district_get_for(user, payload.district_code.strip(), ASSESS)
    store = ledger.store_for(district)
    kind = payload.kind.strip()
    person = household = None
    person_field = "person_id"
    if kind == Beneficiary.Kind.PERSON:
        person_id = _whole_id(payload.person_id, "person_id", problems)
        if person_id is not None:
            person = Person.objects.filter(pk=person_id).first()
            if person is None:
                domain.add(
                    problems, "person_id", _("No person has the id %(id)s.") % {"id": person_id}
                )
        elif payload.national_id.strip():
            person_field = "national_id"
            try:
                person = find_person_by_national_id(payload.national_id.strip())
            except ValidationError as exc:
                problems.setdefault("national_id", []).extend(exc.messages)
            else:
                if person is None:
                    domain.add(
                        problems,
                        "national_id",
                        _("No one with this national ID is in the registry."),
                    )
        elif "person_id" not in problems:
            domain.add(problems, "person_id", _("Give the person_id or the national_id."))
    elif kind == Beneficiary.Kind.HOUSEHOLD:
        household_id = _whole_id(payload.household_id, "household_id", problems)
        if household_id is None and "household_id" not in problems:
            domain.add(problems, "household_id", _("This field is required."))
        elif household_id is not None:
            household = Household.objects.filter(pk=household_id).first()
            if household is None:
                domain.add(
                    problems,
                    "household_id",
                    _("No household has the id %(id)s.") % {"id": household_id},
                )
    domain.raise_problems(problems)
    with fields_named({"person": person_field, "household": "household_id"}):
        beneficiary = services_points.beneficiary_register(
            actor=user,
            store=store,
            kind=kind,
            person=person,
            household=household,
            registered_on=payload.registered_on,
            note=payload.note,
        )
    return Status(201, beneficiary_out(user, _row(beneficiary.pk, timezone.localdate())))


@router.get(
    "/foodbank/beneficiaries/{beneficiary_id}", response={200: BeneficiaryDetailOut, **ERRORS}
)
def get_foodbank_beneficiary(request: HttpRequest, beneficiary_id: int):
    """One beneficiary: points usable today, awards with their points left, allowances."""
    beneficiary = _beneficiary(request.auth, beneficiary_id, VIEW)
    return _detail(request.auth, beneficiary)


@router.post(
    "/foodbank/beneficiaries/{beneficiary_id}/assessments",
    response={201: AssessmentOut, **ERRORS},
)
def assess_foodbank_beneficiary(
    request: HttpRequest, beneficiary_id: int, payload: AssessmentIn | None = None
):
    """Score every active criterion (0..its highest score)."""
    user = request.auth
    beneficiary = _beneficiary(user, beneficiary_id, ASSESS)
    payload = payload or AssessmentIn()
    assessment = services_points.assess(
        actor=user,
        beneficiary=beneficiary,
        scores=payload.scores or {},
        assessed_on=payload.assessed_on,
        note=payload.note,
    )
    return Status(201, assessment_out(user, assessment))


@router.post("/foodbank/awards", response={201: AwardOut, **ERRORS})
def grant_foodbank_award(request: HttpRequest, payload: AwardIn | None = None):
    """A one-off grant of points to a beneficiary of the district."""
    user = request.auth
    if not can_anywhere(user, ASSESS):
        raise PermissionDenied
    payload = payload or AwardIn()
    problems: dict[str, list[str]] = {}
    _required(problems, district_code=payload.district_code)
    beneficiary_id = _whole_id(payload.beneficiary_id, "beneficiary_id", problems)
    if beneficiary_id is None and "beneficiary_id" not in problems:
        domain.add(problems, "beneficiary_id", _("This field is required."))
    domain.raise_problems(problems)
    district = district_get_for(user, payload.district_code.strip(), ASSESS)
    store = ledger.store_for(district)
    beneficiary = (
        Beneficiary.objects.select_related("store__area", "person", "household")
        .filter(pk=beneficiary_id)
        .first()
    )
    if beneficiary is None or (
        beneficiary.store_id != store.pk and not in_reach(user, beneficiary.store.area.path)
    ):
        domain.raise_problems(
            {
                "beneficiary_id": [
                    _("%(district)s serves no beneficiary with the id %(id)s.")
                    % {"district": district.display_name, "id": beneficiary_id}
                ]
            }
        )
    with fields_named({"beneficiary": "beneficiary_id"}):
        award = services_points.award_grant(
            actor=user,
            store=store,
            beneficiary=beneficiary,
            points=payload.points,
            reason=payload.reason,
            awarded_on=payload.awarded_on,
            expires_on=payload.expires_on,
        )
    return Status(201, award_out(award, award.points))


@router.post(
    "/foodbank/beneficiaries/{beneficiary_id}/allowances",
    response={201: AllowanceOut, **ERRORS},
)
def start_foodbank_allowance(
    request: HttpRequest, beneficiary_id: int, payload: AllowanceIn | None = None
):
    """A monthly allowance (this month's points come at once when it starts this month)."""
    user = request.auth
    beneficiary = _beneficiary(user, beneficiary_id, ASSESS)
    payload = payload or AllowanceIn()
    allowance = services_points.allowance_start(
        actor=user,
        store=beneficiary.store,
        beneficiary=beneficiary,
        points=payload.points,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        valid_days=payload.valid_days,
        reason=payload.reason,
    )
    return Status(201, allowance_out(allowance))


@router.get("/foodbank/beneficiaries/{beneficiary_id}/points", response={200: PointsOut, **ERRORS})
def foodbank_beneficiary_points(request: HttpRequest, beneficiary_id: int):
    """The points ledger of a beneficiary, oldest first, with the balance after each entry."""
    beneficiary = _beneficiary(request.auth, beneficiary_id, VIEW)
    entries = selectors_points.points_history(beneficiary)
    return {
        "beneficiary_id": beneficiary.pk,
        "balance": ledger.points_balance(beneficiary, timezone.localdate()),
        "entries": [
            {
                "id": e.pk,
                "on": e.on,
                "kind": e.kind,
                "points": e.points,
                "balance": e.running,
                "award_id": e.award_id,
                "redemption_id": e.redemption_id,
                "reason": e.reason,
            }
            for e in entries
        ],
    }
