"""REST endpoints of the surplus food relay under /api/v1/foodbank/.

- ``POST /donors/`` (``district_code`` or ``area_code``, ``name``, ``kind``, contact fields):
  register a donor (``foodbank.donors``); ``GET /donors/`` (paged, in reach),
  ``GET /donors/{id}``.
- ``POST /surplus-donations/`` (``district_code``, ``donor_id``, ``donated_on`` ISO,
  ``weight_kg`` string or number with at most 3 decimals, optional ``categories``
  [{category, weight_kg}], pick-up fields): 201 with the number, meals and kgCO2e
  (``foodbank.record``); ``GET /surplus-donations/?district=&from=&to=`` (paged);
  ``GET /surplus-donations/{id}``; ``POST /surplus-donations/{id}/cancel`` {reason}.
- ``POST /distributions/`` (``district_code``, ``distributed_on``, ``recipient_kind``,
  ``weight_kg``, ``headcount``, ``community_code``, ``recipient_name``, ``person_ids``);
  ``GET /distributions/``; ``GET /distributions/{id}``; ``POST /distributions/{id}/cancel``.
- Public ``GET /impact?from=YYYY-MM-DD&to=YYYY-MM-DD[&area=CODE]`` (no login): kg, meals and
  kgCO2e as strings with 2 decimals (each computed on exact sums and rounded once), donations,
  donors and people served as integers.

Weights travel as strings: "x.xxx" kg in records, 2 decimals in totals. Outside reach: 404;
inside without the permission: 403; a refusal: 422 naming the fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.communities.models import Community, Person
from chumchon.core.api import ErrorOut, Page, PageParams, decimal_str, paginate
from chumchon.organizations.models import Area

from . import domain
from . import selectors_surplus as selectors
from . import services_surplus as services
from .models import Distribution, Donor, SurplusDonation
from .permissions import (
    DONORS,
    RECORD,
    VIEW,
    can,
    can_anywhere,
    district_get_for,
    get_for,
    in_reach,
    scope,
)

router = Router(tags=["foodbank"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _refuse(field: str, message: str) -> None:
    raise ValidationError({field: [message]})


def _kg3(grams: int) -> str:
    return f"{domain.kg(grams):.3f}"


# --- schemas -----------------------------------------------------------------------------------


class DonorIn(Schema):
    district_code: str = ""
    area_code: str = Field("", description="a district code or the city's code")
    name: str = ""
    kind: str = Field("", description="business, hotel, market, school, temple, individual, other")
    branch: str = ""
    tax_id: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    email: str = ""
    address: str = ""
    agreement_no: str = ""
    agreement_on: date | None = None
    note: str = ""


class DonorOut(Schema):
    id: int
    area_code: str
    kind: str
    name: str
    branch: str
    tax_id: str
    contact_name: str
    contact_phone: str
    email: str
    address: str
    agreement_no: str
    agreement_on: date | None
    active: bool
    note: str


class CategoryIn(Schema):
    # a string (a list or an object here is a 422 naming the field, not a 500 in the service)
    category: str | None = None
    weight_kg: Any = None


class DonationIn(Schema):
    district_code: str = ""
    donor_id: int | None = None
    donated_on: date | None = None
    # Any: the raw JSON value goes to the service, which names `weight_kg` on any bad one
    weight_kg: Any = Field(None, description="kg as a string or number, at most 3 decimals")
    categories: list[CategoryIn] = []
    picked_up_by: str = ""
    pickup_address: str = ""
    pickup_at: datetime | None = None
    handed_over_to: str = ""
    reference: str = ""
    note: str = ""


class CategoryOut(Schema):
    category: str
    weight_kg: str


class DonationOut(Schema):
    id: int
    number: int
    district_code: str
    donor_id: int
    donor_name: str
    donated_on: date
    weight_kg: str
    meals: str
    kgco2e: str
    meals_per_kg: str
    kgco2e_per_kg: str
    categories: list[CategoryOut]
    picked_up_by: str
    pickup_address: str
    pickup_at: datetime | None
    handed_over_to: str
    reference: str
    note: str
    status: str
    cancel_reason: str


class DistributionIn(Schema):
    district_code: str = ""
    distributed_on: date | None = None
    recipient_kind: str = Field("", description="community, shelter, group or persons")
    weight_kg: Any = Field(None, description="kg as a string or number, at most 3 decimals")
    headcount: Any = Field(None, description="people served, a whole number")
    community_code: str = ""
    recipient_name: str = ""
    person_ids: list[int] = []
    note: str = ""


class DistributionOut(Schema):
    id: int
    number: int
    district_code: str
    distributed_on: date
    recipient_kind: str
    community_code: str | None
    recipient_name: str
    person_ids: list[int]
    weight_kg: str
    headcount: int
    note: str
    status: str
    cancel_reason: str


class CancelIn(Schema):
    reason: str = ""


class ImpactOut(Schema):
    from_: date = Field(..., alias="from")
    to: date
    area: str
    weight_kg: str
    meals: str
    kgco2e: str
    donations: int
    donors: int
    people_served: int


# --- output helpers ----------------------------------------------------------------------------


def _donor_out(d: Donor) -> dict:
    return {
        "id": d.pk,
        "area_code": d.area.code,
        "kind": d.kind,
        "name": d.name,
        "branch": d.branch,
        "tax_id": d.tax_id,
        "contact_name": d.contact_name,
        "contact_phone": d.contact_phone,
        "email": d.email,
        "address": d.address,
        "agreement_no": d.agreement_no,
        "agreement_on": d.agreement_on,
        "active": d.active,
        "note": d.note,
    }


def _donation_out(d: SurplusDonation, categories: list | None = None) -> dict:
    meals, kgco2e = selectors.donation_meals(d)
    if categories is None:
        categories = list(d.categories.all())
    return {
        "id": d.pk,
        "number": d.number,
        "district_code": d.district.code,
        "donor_id": d.donor_id,
        "donor_name": str(d.donor),
        "donated_on": d.donated_on,
        "weight_kg": _kg3(d.weight_g),
        "meals": decimal_str(meals),
        "kgco2e": decimal_str(kgco2e),
        "meals_per_kg": str(d.meals_per_kg.normalize()),
        "kgco2e_per_kg": str(d.kgco2e_per_kg.normalize()),
        "categories": [{"category": c.category, "weight_kg": _kg3(c.weight_g)} for c in categories],
        "picked_up_by": d.picked_up_by,
        "pickup_address": d.pickup_address,
        "pickup_at": d.pickup_at,
        "handed_over_to": d.handed_over_to,
        "reference": d.reference,
        "note": d.note,
        "status": d.status,
        "cancel_reason": d.cancel_reason,
    }


def _distribution_out(d: Distribution) -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "district_code": d.district.code,
        "distributed_on": d.distributed_on,
        "recipient_kind": d.recipient_kind,
        "community_code": d.community.area.code if d.community_id else None,
        "recipient_name": d.recipient_name,
        "person_ids": sorted(p.pk for p in d.persons.all()),
        "weight_kg": _kg3(d.weight_g),
        "headcount": d.headcount,
        "note": d.note,
        "status": d.status,
        "cancel_reason": d.cancel_reason,
    }


def _donations() -> Any:
    return SurplusDonation.objects.select_related("district", "donor").prefetch_related(
        "categories"
    )


def _distributions() -> Any:
    return Distribution.objects.select_related("district", "community__area").prefetch_related(
        "persons"
    )


def _parse_day(request: HttpRequest, name: str, *, required: bool) -> date | None:
    text = (request.GET.get(name) or "").strip()
    if not text:
        if required:
            _refuse(name, _("Enter a date as YYYY-MM-DD (Christian era)."))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _refuse(
            name,
            _("“%(value)s” is not a date: use YYYY-MM-DD (Christian era).") % {"value": text},
        )
    return None


# --- donors ------------------------------------------------------------------------------------


def _donor_area(user: Any, payload: DonorIn) -> Area:
    code = (payload.district_code or payload.area_code or "").strip()
    field = "district_code" if payload.district_code else "area_code"
    if not code:
        _refuse("district_code", _("Give the district_code (or the city's area_code)."))
    area = Area.objects.filter(code=code, kind__code__in=["district", "city"]).first()
    if area is None:
        if Area.objects.filter(code=code).exists():
            _refuse(field, _("A donor belongs to a district or to the whole city."))
        raise Http404
    if not in_reach(user, area.path):
        raise Http404
    if not can(user, DONORS, area):
        raise PermissionDenied
    return area


@router.post("/foodbank/donors/", response={201: DonorOut, **ERRORS})
def create_donor(request: HttpRequest, payload: DonorIn | None = None):
    """Register a donor at a district or at the city (chains under an agreement)."""
    user = request.auth
    if not can_anywhere(user, DONORS):
        raise PermissionDenied
    payload = payload or DonorIn()
    area = _donor_area(user, payload)
    data = payload.dict(exclude={"district_code", "area_code", "name", "kind"})
    donor = services.donor_create(
        actor=user, area=area, kind=payload.kind, name=payload.name, **data
    )
    return Status(201, _donor_out(Donor.objects.select_related("area").get(pk=donor.pk)))


@router.get("/foodbank/donors/", response={200: Page[DonorOut], **ERRORS})
def list_donors(request: HttpRequest, page: Query[PageParams], kind: str = "", q: str = ""):
    """Donors in the user's reach (and the city-wide ones above it), by name."""
    user = request.auth
    if not can_anywhere(user, VIEW):
        raise PermissionDenied
    qs = selectors.donors_visible(user).select_related("area").order_by("name", "id")
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    result = paginate(qs, page)
    result["items"] = [_donor_out(d) for d in result["items"]]
    return result


@router.get("/foodbank/donors/{donor_id}", response={200: DonorOut, **ERRORS})
def get_donor(request: HttpRequest, donor_id: int):
    donor = selectors.donor_get_for(request.auth, donor_id)
    return _donor_out(donor)


# --- donations ---------------------------------------------------------------------------------


def _district(user: Any, code: str, perm: str) -> Area:
    if not (code or "").strip():
        _refuse("district_code", _("Give the district_code."))
    return district_get_for(user, code.strip(), perm)


@router.post("/foodbank/surplus-donations/", response={201: DonationOut, **ERRORS})
def record_surplus_donation(request: HttpRequest, payload: DonationIn | None = None):
    """Record surplus food received by a district; meals and kgCO2e computed with the factors
    valid on its date."""
    user = request.auth
    if not can_anywhere(user, RECORD):
        raise PermissionDenied
    payload = payload or DonationIn()
    district = _district(user, payload.district_code, RECORD)
    donor = None
    if payload.donor_id is None:
        _refuse("donor_id", _("Give the donor_id."))
    donor = Donor.objects.select_related("area__kind").filter(pk=payload.donor_id).first()
    if donor is None:
        _refuse("donor_id", _("No donor has the id %(id)s.") % {"id": payload.donor_id})
    try:
        made = services.donation_record(
            actor=user,
            district=district,
            donor=donor,
            donated_on=payload.donated_on,
            weight_kg=payload.weight_kg,
            categories=[(c.category, c.weight_kg) for c in payload.categories],
            picked_up_by=payload.picked_up_by,
            pickup_address=payload.pickup_address,
            pickup_at=payload.pickup_at,
            handed_over_to=payload.handed_over_to,
            reference=payload.reference,
            note=payload.note,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "donor" in exc.error_dict:
            renamed = {("donor_id" if k == "donor" else k): v for k, v in exc.error_dict.items()}
            raise ValidationError(renamed) from None
        raise
    return Status(201, _donation_out(_donations().get(pk=made.pk)))


@router.get("/foodbank/surplus-donations/", response={200: Page[DonationOut], **ERRORS})
def list_surplus_donations(request: HttpRequest, page: Query[PageParams], district: str = ""):
    """Donations in reach (?district=CODE&from=&to=, ISO dates inclusive), newest first."""
    user = request.auth
    if not can_anywhere(user, VIEW):
        raise PermissionDenied
    start = _parse_day(request, "from", required=False)
    end = _parse_day(request, "to", required=False)
    qs = scope(_donations(), user)
    if district:
        qs = qs.filter(district=district_get_for(user, district, VIEW))
    if start:
        qs = qs.filter(donated_on__gte=start)
    if end:
        qs = qs.filter(donated_on__lte=end)
    result = paginate(qs.order_by("-donated_on", "-id"), page)
    result["items"] = [_donation_out(d) for d in result["items"]]
    return result


@router.get("/foodbank/surplus-donations/{donation_id}", response={200: DonationOut, **ERRORS})
def get_surplus_donation(request: HttpRequest, donation_id: int):
    return _donation_out(get_for(request.auth, _donations(), donation_id, VIEW))


@router.post(
    "/foodbank/surplus-donations/{donation_id}/cancel", response={200: DonationOut, **ERRORS}
)
def cancel_surplus_donation(
    request: HttpRequest, donation_id: int, payload: CancelIn | None = None
):
    """Cancel a donation recorded in error, with the reason (it stays, cancelled)."""
    donation = get_for(request.auth, _donations(), donation_id, RECORD)
    services.donation_cancel(
        actor=request.auth, donation=donation, reason=(payload or CancelIn()).reason
    )
    return _donation_out(_donations().get(pk=donation.pk))


# --- distributions -----------------------------------------------------------------------------


@router.post("/foodbank/distributions/", response={201: DistributionOut, **ERRORS})
def record_distribution(request: HttpRequest, payload: DistributionIn | None = None):
    """Record food handed on by a district (never more than it holds on any day)."""
    user = request.auth
    if not can_anywhere(user, RECORD):
        raise PermissionDenied
    payload = payload or DistributionIn()
    district = _district(user, payload.district_code, RECORD)
    community = None
    if payload.community_code.strip():
        community = (
            Community.objects.select_related("area")
            .filter(area__code=payload.community_code.strip())
            .first()
        )
        if community is None:
            _refuse(
                "community_code",
                _("No community has the code %(code)s.") % {"code": payload.community_code},
            )
    ids = [i for i in payload.person_ids if 0 < i < 2**63]  # no row beyond a bigint
    persons = list(Person.objects.select_related("area").filter(pk__in=ids))
    missing = sorted(set(payload.person_ids) - {p.pk for p in persons})
    if missing:
        _refuse(
            "person_ids",
            _("No registered person has the id %(ids)s.")
            % {"ids": ", ".join(str(i) for i in missing)},
        )
    try:
        made = services.distribution_record(
            actor=user,
            district=district,
            distributed_on=payload.distributed_on,
            recipient_kind=payload.recipient_kind,
            weight_kg=payload.weight_kg,
            headcount=payload.headcount,
            community=community,
            recipient_name=payload.recipient_name,
            persons=persons,
            note=payload.note,
        )
    except ValidationError as exc:
        names = {"community": "community_code", "persons": "person_ids"}
        if hasattr(exc, "error_dict"):
            raise ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from None
        raise
    return Status(201, _distribution_out(_distributions().get(pk=made.pk)))


@router.get("/foodbank/distributions/", response={200: Page[DistributionOut], **ERRORS})
def list_distributions(request: HttpRequest, page: Query[PageParams], district: str = ""):
    """Distributions in reach (?district=CODE&from=&to=), newest first."""
    user = request.auth
    if not can_anywhere(user, VIEW):
        raise PermissionDenied
    start = _parse_day(request, "from", required=False)
    end = _parse_day(request, "to", required=False)
    qs = scope(_distributions(), user)
    if district:
        qs = qs.filter(district=district_get_for(user, district, VIEW))
    if start:
        qs = qs.filter(distributed_on__gte=start)
    if end:
        qs = qs.filter(distributed_on__lte=end)
    result = paginate(qs.order_by("-distributed_on", "-id"), page)
    result["items"] = [_distribution_out(d) for d in result["items"]]
    return result


@router.get("/foodbank/distributions/{distribution_id}", response={200: DistributionOut, **ERRORS})
def get_distribution(request: HttpRequest, distribution_id: int):
    return _distribution_out(get_for(request.auth, _distributions(), distribution_id, VIEW))


@router.post(
    "/foodbank/distributions/{distribution_id}/cancel", response={200: DistributionOut, **ERRORS}
)
def cancel_distribution(
    request: HttpRequest, distribution_id: int, payload: CancelIn | None = None
):
    distribution = get_for(request.auth, _distributions(), distribution_id, RECORD)
    services.distribution_cancel(
        actor=request.auth, distribution=distribution, reason=(payload or CancelIn()).reason
    )
    return _distribution_out(_distributions().get(pk=distribution.pk))


# --- public impact -----------------------------------------------------------------------------


def public_area(code: str) -> Area | None:
    """The city (default), a zone or a district by code; None when unknown."""
    qs = Area.objects.filter(kind__code__in=["city", "zone", "district"], is_active=True)
    if not code:
        return qs.filter(kind__code="city").order_by("depth", "code").first()
    return qs.filter(code=code).first()


@router.get("/foodbank/impact", response={200: ImpactOut, 422: ErrorOut}, auth=None, by_alias=True)
def public_impact(request: HttpRequest):
    """Public totals of surplus food for a period (?from=&to=, ISO dates, inclusive) and an area
    (?area=CODE: the city by default, a zone or a district): kg, meals, kgCO2e, donations,
    donors, people served. No personal data."""
    problems: dict[str, list[str]] = {}
    start = end = None
    for name in ("from", "to"):
        try:
            value = _parse_day(request, name, required=True)
        except ValidationError as exc:
            problems.update(exc.message_dict)
            continue
        if name == "from":
            start = value
        else:
            end = value
    if start and end and start > end:
        problems.setdefault("from", []).append(_("The start date is after the end date."))
    code = (request.GET.get("area") or "").strip()
    area = public_area(code)
    if area is None:
        problems.setdefault("area", []).append(
            _("“%(code)s” is not the code of the city, a zone or a district.") % {"code": code}
        )
    if problems:
        raise ValidationError(problems)
    totals = selectors.impact(area, start=start, end=end)
    return {
        "from": start,
        "to": end,
        "area": area.code,
        "weight_kg": decimal_str(totals.weight_kg),
        "meals": decimal_str(totals.meals),
        "kgco2e": decimal_str(totals.kgco2e),
        "donations": totals.donations,
        "donors": totals.donors,
        "people_served": totals.people_served,
    }
