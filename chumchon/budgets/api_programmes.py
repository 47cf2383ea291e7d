"""Budget programmes under /api/v1/budget-programmes/: list and create, read, allocate,
transfers to districts, allocations, drops and closing.

Staff (and committee members, for programmes their community is in) read; central staff
(`programmes.manage`) write. Amounts travel as strings ("200000.00"); JSON numbers are
accepted but more than 2 decimals is refused. Validation errors: 422 naming the fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.communities.api.common import ERRORS, invalid, needs
from chumchon.core.api import Page, PageParams, decimal_str, paginate

from . import services_programmes as services
from .models import Allocation, Programme
from .permissions import (
    allocation_scope,
    can_manage_programmes,
    programme_get_for,
    programme_scope,
    transfer_scope,
)

router = Router(tags=["budgets"])

# the raw JSON value goes to the domain's amount check, which names the field on any bad one
# (a union type would read `true` as 1 baht and name `amount.str`/`amount.int`)
Money = Any


class CategoryIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    max_share: str | int | float | None = None


class RefusedIn(Schema):
    term: str
    reason: str = ""


class ProgrammeIn(Schema):
    fiscal_year: int | None = Field(None, description="required: B.E. (e.g. 2567)")
    name_th: str = ""
    name_en: str = ""
    budget_code: str = ""
    amount_per_community: Money = Field(None, description='"200000.00"')
    allocation_rule: str = Field("fixed", description="fixed | per_community")
    community_types: list[str] = Field(default_factory=list, description="codes; empty = all")
    owner_area: str | None = Field(None, description="area code (default BKK)")
    carry_over_deadline: date | None = None
    require_valid_committee: bool = False
    note: str = ""
    categories: list[CategoryIn] | None = None
    refused: list[RefusedIn] = Field(default_factory=list)


class AmountIn(Schema):
    community_code: str
    amount: Money = None


class AllocateIn(Schema):
    as_of: date | None = Field(None, description="required: eligibility date (ISO, CE)")
    amounts: list[AmountIn] | None = None


class TransferIn(Schema):
    district_code: str = ""
    transferred_on: date | None = None
    community_codes: list[str] = Field(default_factory=list)
    reference: str = ""
    note: str = ""


class DropIn(Schema):
    community_codes: list[str] = Field(default_factory=list)
    dropped_on: date | None = None
    reason: str = ""


class DropDissolvedIn(Schema):
    on: date | None = None


class CloseIn(Schema):
    closed_on: date | None = None
    note: str = ""


class CategoryOut(Schema):
    code: str
    name_th: str
    name_en: str
    max_share: str | None


class RefusedOut(Schema):
    term: str
    reason: str


class CountsOut(Schema):
    budgeted: int
    transferred: int
    dropped: int
    amount_allocated: str


class ProgrammeOut(Schema):
    id: int
    fiscal_year: int
    name_th: str
    name_en: str
    budget_code: str
    owner_area: str
    allocation_rule: str
    amount_per_community: str | None
    status: str


class ProgrammeDetailOut(ProgrammeOut):
    community_types: list[str]
    require_valid_committee: bool
    carry_over_deadline: date | None
    eligibility_on: date | None
    allocated_on: date | None
    closed_on: date | None
    close_note: str
    note: str
    categories: list[CategoryOut]
    refused: list[RefusedOut]
    allocations: CountsOut


class AllocateOut(Schema):
    allocated: int
    programme: ProgrammeDetailOut


class CountOut(Schema):
    count: int


class TransferOut(Schema):
    id: int
    district_code: str
    transferred_on: date
    reference: str
    note: str
    communities: int
    amount: str
    community_codes: list[str] = Field(default_factory=list)


class AllocationOut(Schema):
    id: int
    community_code: str
    community_name: str
    district_code: str
    amount: str
    status: str
    transfer_id: int | None
    dropped_on: date | None
    drop_reason: str


class ReturnOut(Schema):
    community_code: str
    amount: str


class CloseOut(Schema):
    returns: list[ReturnOut]
    amount_returned: str
    programme: ProgrammeDetailOut


# --- helpers ----------------------------------------------------------------------------------


def _money_in(value: Any) -> Any:
    """A JSON number is read as typed (domain.amount_problem refuses > 2 decimals)."""
    return value


def _summary(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "fiscal_year": p.fiscal_year,
        "name_th": p.name_th,
        "name_en": p.name_en,
        "budget_code": p.budget_code,
        "owner_area": p.owner_area.code,
        "allocation_rule": p.allocation_rule,
        "amount_per_community": decimal_str(p.amount_per_community),
        "status": p.status,
    }


def _detail(p: Programme) -> dict[str, Any]:
    p = Programme.objects.select_related("owner_area").get(pk=p.pk)
    counts = p.allocations.aggregate(
        budgeted=Count("pk", filter=Q(status=Allocation.Status.BUDGETED)),
        transferred=Count("pk", filter=Q(status=Allocation.Status.TRANSFERRED)),
        dropped=Count("pk", filter=Q(status=Allocation.Status.DROPPED)),
        amount=Sum("amount", filter=~Q(status=Allocation.Status.DROPPED)),
    )
    return {
        **_summary(p),
        "community_types": list(p.community_types.values_list("code", flat=True)),
        "require_valid_committee": p.require_valid_committee,
        "carry_over_deadline": p.carry_over_deadline,
        "eligibility_on": p.eligibility_on,
        "allocated_on": p.allocated_on,
        "closed_on": p.closed_on,
        "close_note": p.close_note,
        "note": p.note,
        "categories": [
            {
                "code": c.code,
                "name_th": c.name_th,
                "name_en": c.name_en,
                "max_share": decimal_str(c.max_share),
            }
            for c in p.categories.all()
        ],
        "refused": [{"term": r.term, "reason": r.reason} for r in p.refused.all()],
        "allocations": {
            "budgeted": counts["budgeted"],
            "transferred": counts["transferred"],
            "dropped": counts["dropped"],
            "amount_allocated": decimal_str(counts["amount"]) or "0.00",
        },
    }


def _managed(request: HttpRequest, programme_id: int) -> Programme:
    programme = programme_get_for(request.auth, programme_id)
    if not can_manage_programmes(request.auth):
        raise PermissionDenied
    return programme


def _transfer(t, codes: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": t.pk,
        "district_code": t.district.code,
        "transferred_on": t.transferred_on,
        "reference": t.reference,
        "note": t.note,
        "communities": t.n,
        "amount": decimal_str(t.total) or "0.00",
        "community_codes": codes or [],
    }


def _required(**values: Any) -> None:
    missing = {k: _("This field is required.") for k, v in values.items() if v in (None, "", [])}
    if missing:
        raise ValidationError(missing)


# --- endpoints --------------------------------------------------------------------------------


class ProgrammeFilters(PageParams):
    fiscal_year: int | None = None
    q: str = ""


@router.get("/budget-programmes/", response={200: Page[ProgrammeOut], **ERRORS})
def list_programmes(request: HttpRequest, filters: Query[ProgrammeFilters]):
    """Programmes the caller sees, by fiscal year (latest first) and name; `q` searches the
    name or the budget code."""
    queryset = services.programme_filter(
        programme_scope(request.auth), fiscal_year=filters.fiscal_year, q=filters.q
    ).order_by("-fiscal_year", "name_th", "pk")
    page = paginate(queryset, filters)
    page["items"] = [_summary(p) for p in page["items"]]
    return page


@router.post(
    "/budget-programmes/",
    response={201: ProgrammeDetailOut, **ERRORS},
    auth=needs("programmes.manage"),
)
def create_programme(request: HttpRequest, payload: ProgrammeIn | None = None):
    """Create a programme (draft): year, names, budget code, rule and amount, community types,
    owner area, carry-over deadline, spending categories and refused items."""
    payload = payload or ProgrammeIn()
    _required(fiscal_year=payload.fiscal_year)
    programme = services.programme_create(
        actor=request.auth,
        fiscal_year=payload.fiscal_year,
        name_th=payload.name_th,
        name_en=payload.name_en,
        budget_code=payload.budget_code,
        amount_per_community=_money_in(payload.amount_per_community),
        allocation_rule=payload.allocation_rule,
        community_types=payload.community_types,
        owner_area=payload.owner_area,
        carry_over_deadline=payload.carry_over_deadline,
        require_valid_committee=payload.require_valid_committee,
        note=payload.note,
        categories=(
            [c.dict() for c in payload.categories] if payload.categories is not None else None
        ),
        refused=[(r.term, r.reason) for r in payload.refused],
    )
    return Status(201, _detail(programme))


@router.get("/budget-programmes/{programme_id}", response={200: ProgrammeDetailOut, **ERRORS})
def get_programme(request: HttpRequest, programme_id: int):
    """One programme: settings, spending rules and allocation counts."""
    return _detail(programme_get_for(request.auth, programme_id))


@router.post("/budget-programmes/{programme_id}/allocate", response={200: AllocateOut, **ERRORS})
def allocate_programme(request: HttpRequest, programme_id: int, payload: AllocateIn | None = None):
    """Budget the eligible communities as of `as_of`; a per-community programme sends
    `amounts` [{community_code, amount}]."""
    payload = payload or AllocateIn()
    programme = _managed(request, programme_id)
    _required(as_of=payload.as_of)
    amounts = None
    if payload.amounts is not None:
        amounts = {}
        for row in payload.amounts:
            if row.community_code in amounts:
                raise invalid(
                    f"amounts.{row.community_code}",
                    _("%(code)s is listed twice.") % {"code": row.community_code},
                )
            amounts[row.community_code] = _money_in(row.amount)
    count = services.programme_allocate(
        actor=request.auth, programme=programme, as_of=payload.as_of, amounts=amounts
    )
    return {"allocated": count, "programme": _detail(programme)}


@router.post("/budget-programmes/{programme_id}/transfers", response={201: TransferOut, **ERRORS})
def record_transfer(request: HttpRequest, programme_id: int, payload: TransferIn | None = None):
    """The money of `community_codes` transferred to the district office `district_code`."""
    payload = payload or TransferIn()
    programme = _managed(request, programme_id)
    _required(
        district_code=payload.district_code,
        transferred_on=payload.transferred_on,
        community_codes=payload.community_codes,
    )
    try:
        transfer = services.transfer_record(
            actor=request.auth,
            programme=programme,
            district=payload.district_code,
            transferred_on=payload.transferred_on,
            community_codes=payload.community_codes,
            reference=payload.reference,
            note=payload.note,
        )
    except ValidationError as exc:
        errors = dict(exc.error_dict)
        if "district" in errors:
            errors["district_code"] = errors.pop("district")
        raise ValidationError(errors) from None
    transfer = (
        transfer_scope(request.auth)
        .annotate(n=Count("allocations"), total=Sum("allocations__amount"))
        .get(pk=transfer.pk)
    )
    codes = list(
        transfer.allocations.order_by("community__area__code").values_list(
            "community__area__code", flat=True
        )
    )
    return Status(201, _transfer(transfer, codes))


@router.get(
    "/budget-programmes/{programme_id}/transfers", response={200: Page[TransferOut], **ERRORS}
)
def list_transfers(request: HttpRequest, programme_id: int, page: Query[PageParams]):
    """The programme's transfers in the caller's reach."""
    programme = programme_get_for(request.auth, programme_id)
    queryset = (
        transfer_scope(request.auth)
        .filter(programme=programme)
        .annotate(n=Count("allocations"), total=Sum("allocations__amount"))
        .order_by("transferred_on", "pk")
    )
    result = paginate(queryset, page)
    result["items"] = [_transfer(t) for t in result["items"]]
    return result


class AllocationFilters(PageParams):
    district: str | None = Field(None, description="district code")
    status: str | None = Field(None, description="budgeted | transferred | dropped")


@router.get(
    "/budget-programmes/{programme_id}/allocations",
    response={200: Page[AllocationOut], **ERRORS},
)
def list_allocations(request: HttpRequest, programme_id: int, filters: Query[AllocationFilters]):
    """The programme's allocations in the caller's reach, by community code."""
    programme = programme_get_for(request.auth, programme_id)
    queryset = (
        allocation_scope(request.auth)
        .filter(programme=programme)
        .select_related("community__area", "district")
        .order_by("community__area__code")
    )
    if filters.district:
        queryset = queryset.filter(district__code=filters.district)
    if filters.status:
        if filters.status not in Allocation.Status.values:
            raise invalid(
                "status",
                _("Unknown status “%(value)s”: use %(choices)s.")
                % {"value": filters.status, "choices": ", ".join(Allocation.Status.values)},
            )
        queryset = queryset.filter(status=filters.status)
    page = paginate(queryset, filters)
    page["items"] = [
        {
            "id": a.pk,
            "community_code": a.community.area.code,
            "community_name": a.community.area.name_th,
            "district_code": a.district.code,
            "amount": decimal_str(a.amount),
            "status": a.status,
            "transfer_id": a.transfer_id,
            "dropped_on": a.dropped_on,
            "drop_reason": a.drop_reason,
        }
        for a in page["items"]
    ]
    return page


@router.post("/budget-programmes/{programme_id}/drop", response={200: CountOut, **ERRORS})
def drop_allocations(request: HttpRequest, programme_id: int, payload: DropIn | None = None):
    """Drop budgeted communities (before their transfer) with the date and the reason; all
    or nothing."""
    payload = payload or DropIn()
    programme = _managed(request, programme_id)
    _required(
        community_codes=payload.community_codes,
        dropped_on=payload.dropped_on,
        reason=payload.reason.strip(),
    )
    count = services.allocations_drop(
        actor=request.auth,
        programme=programme,
        community_codes=payload.community_codes,
        on=payload.dropped_on,
        reason=payload.reason,
    )
    return {"count": count}


@router.post("/budget-programmes/{programme_id}/drop-dissolved", response={200: CountOut, **ERRORS})
def drop_dissolved(request: HttpRequest, programme_id: int, payload: DropDissolvedIn | None = None):
    """Drop every budgeted community dissolved on or before `on` (the reason is the
    dissolution's)."""
    payload = payload or DropDissolvedIn()
    programme = _managed(request, programme_id)
    _required(on=payload.on)
    count = services.allocations_drop_dissolved(
        actor=request.auth, programme=programme, on=payload.on
    )
    return {"count": count}


@router.post("/budget-programmes/{programme_id}/close", response={200: CloseOut, **ERRORS})
def close_programme(request: HttpRequest, programme_id: int, payload: CloseIn | None = None):
    """Close the programme after its fiscal year: unused transferred money is returned."""
    payload = payload or CloseIn()
    programme = _managed(request, programme_id)
    _required(closed_on=payload.closed_on)
    returns = services.programme_close(
        actor=request.auth, programme=programme, closed_on=payload.closed_on, note=payload.note
    )
    codes = dict(
        Allocation.objects.filter(pk__in=[r.allocation_id for r in returns]).values_list(
            "pk", "community__area__code"
        )
    )
    total = sum((r.amount for r in returns), 0)
    return {
        "returns": [
            {"community_code": codes[r.allocation_id], "amount": decimal_str(r.amount)}
            for r in returns
        ],
        "amount_returned": decimal_str(total) or "0.00",
        "programme": _detail(programme),
    }
