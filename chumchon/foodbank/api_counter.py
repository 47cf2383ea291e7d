"""The counter's API (helper "counter") under /api/v1/foodbank/:

- ``POST /foodbank/redemptions`` {district_code, beneficiary_id, redeemed_by_person_id
  (optional for a person beneficiary), lines: [{item_id, quantity, lot_id?}]} -> 201 {id,
  number, points, points_left, lines, ...} (``foodbank.redeem`` in the district). Quantities
  are read as typed (1.5 and true are refused); everything is checked by
  ``services_counter.redeem`` and a refusal is 422 naming the fields (``lines.N.quantity``,
  ``points``, ``redeemed_by_person_id``, ...).
- ``GET /foodbank/redemptions`` (?district=&from=&to=, paged; ``foodbank.view``),
  ``GET /foodbank/redemptions/{id}``, ``POST /foodbank/redemptions/{id}/cancel`` {reason}
  (``foodbank.assess``).
- ``GET /foodbank/counter/{district}/search?q=`` (a name or number) and ``POST`` the same
  address with {q} or {national_id} (a national ID never in a URL: a GET with one is 422):
  active beneficiaries of the district's food bank with their points usable today; names and
  IDs masked (``foodbank.redeem``); a national ID search is audited.

Outside reach: 404; without the permission: 403.
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

from chumchon.communities.models import Person
from chumchon.core.api import ErrorOut, Page, PageParams, paginate
from chumchon.core.audit import record_event
from chumchon.core.national_id import mask_national_id, validate_national_id

from . import domain, ledger, selectors_counter, services_counter
from .models import Beneficiary, Item, Lot, Redemption
from .permissions import (
    ASSESS,
    REDEEM,
    VIEW,
    can_anywhere,
    district_get_for,
    get_for,
    scope,
)

router = Router(tags=["foodbank"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ----------------------------------------------------------------------------------


class RedemptionIn(Schema):
    district_code: str = Field("", description="the district's area code, e.g. 1001")
    beneficiary_id: Any = Field(None, description="the beneficiary's id")
    redeemed_by_person_id: Any = Field(
        None, description="who collects (an adult household member); default: the person"
    )
    lines: Any = Field(None, description='[{"item_id": 3, "quantity": 2, "lot_id"?: 12}, ...]')


class CancelIn(Schema):
    reason: str = Field("", description="required")


class LineOut(Schema):
    item_id: int
    item_name: str
    unit: str
    lot_id: int
    quantity: int
    points_each: int
    points: int


class RedemptionOut(Schema):
    id: int
    district_code: str
    number: int
    beneficiary_id: int
    beneficiary_number: int
    redeemed_by_person_id: int
    redeemed_on: date
    points: int
    points_left: int | None
    status: str
    cancel_reason: str
    clerk: str | None
    lines: list[LineOut]


class RedemptionFilters(PageParams):
    district: str = Field("", description="a district code")
    from_: date | None = Field(None, alias="from", description="ISO date, inclusive")
    to: date | None = Field(None, description="ISO date, inclusive")


class SearchParams(Schema):
    q: str = Field("", description="a name or a beneficiary number")
    national_id: str = Field("", description="13 digits: searched exactly")


class FoundOut(Schema):
    beneficiary_id: int
    number: int
    kind: str
    name: str
    masked_national_id: str
    points: int


# --- helpers ----------------------------------------------------------------------------------


MAX_ID = 2**63 - 1


def _whole(value: Any, field: str, problems) -> int | None:
    if value is None or value == "":
        domain.add(problems, field, _("This field is required."))
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
    ):
        domain.add(problems, field, _("“%(value)s” is not an id.") % {"value": value})
        return None
    if not 0 < int(value) <= MAX_ID:  # beyond a bigint: no row, and no database error
        domain.add(problems, field, _("“%(value)s” is not an id.") % {"value": value})
        return None
    return int(value)


def _id_like(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


RENAMES = {"item": "item_id", "lot": "lot_id", "beneficiary": "beneficiary_id"}


def _renamed(exc: ValidationError) -> ValidationError:
    errors = {}
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        parts[-1] = RENAMES.get(parts[-1], parts[-1])
        if key == "redeemed_by":
            parts = ["redeemed_by_person_id"]
        errors[".".join(parts)] = messages
    return ValidationError(errors)


def _reload(redemption: Redemption) -> Redemption:
    return selectors_counter.with_lines(
        Redemption.objects.filter(pk=redemption.pk).select_related(
            "store__area", "beneficiary", "clerk"
        )
    ).get()


# --- endpoints --------------------------------------------------------------------------------


@router.post("/foodbank/redemptions", response={201: RedemptionOut, **ERRORS})
def record_foodbank_redemption(request: HttpRequest, payload: RedemptionIn | None = None):
    """Redeem points for goods at a district's counter (today)."""
    user = request.auth
    if not can_anywhere(user, REDEEM):
        raise PermissionDenied
    payload = payload or RedemptionIn()
    problems: dict[str, list[str]] = {}
    code = (payload.district_code or "").strip()
    if not code:
        domain.add(problems, "district_code", _("This field is required."))
        domain.raise_problems(problems)
    district = district_get_for(user, code, REDEEM)
    store = ledger.store_for(district)
    beneficiary = None
    beneficiary_pk = _whole(payload.beneficiary_id, "beneficiary_id", problems)
    if beneficiary_pk is not None:
        beneficiary = (
            scope(Beneficiary.objects.all(), user, VIEW)
            .select_related("person", "household", "store")
            .filter(pk=beneficiary_pk)
            .first()
        )
        if beneficiary is None:
            domain.add(
                problems,
                "beneficiary_id",
                _("There is no beneficiary %(id)s in your reach.") % {"id": beneficiary_pk},
            )
    redeemed_by = None
    if payload.redeemed_by_person_id not in (None, ""):
        person_pk = _whole(payload.redeemed_by_person_id, "redeemed_by_person_id", problems)
        redeemed_by = Person.objects.filter(pk=person_pk).first() if person_pk else None
        if person_pk and redeemed_by is None:
            domain.add(
                problems,
                "redeemed_by_person_id",
                _("There is no person %(id)s.") % {"id": person_pk},
            )
    elif beneficiary is not None and beneficiary.kind == Beneficiary.Kind.PERSON:
        redeemed_by = beneficiary.person
    lines: list[tuple[Any, Any, Any]] = []
    raw_lines = payload.lines
    if raw_lines is None or raw_lines == []:
        domain.add(problems, "lines", _("Pick at least one item."))
    elif not isinstance(raw_lines, list):
        domain.add(problems, "lines", _("Send the lines as a list of {item_id, quantity}."))
    else:
        item_ids, lot_ids = [], []
        for raw in raw_lines:
            if isinstance(raw, dict):
                item_ids.append(raw.get("item_id"))
                lot_ids.append(raw.get("lot_id"))
        items = Item.objects.filter(store=store).in_bulk([i for i in item_ids if _id_like(i)])
        lots = Lot.objects.filter(store=store).in_bulk([i for i in lot_ids if _id_like(i)])
        for n, raw in enumerate(raw_lines):
            if not isinstance(raw, dict):
                domain.add(problems, f"lines.{n}", _("Each line is {item_id, quantity}."))
                continue
            item_pk = _whole(raw.get("item_id"), f"lines.{n}.item_id", problems)
            item = items.get(item_pk) if item_pk is not None else None
            if item_pk is not None and item is None:
                domain.add(
                    problems,
                    f"lines.{n}.item_id",
                    _("Item %(id)s is not in the catalogue of %(store)s.")
                    % {"id": item_pk, "store": store.name},
                )
            lot = None
            if raw.get("lot_id") not in (None, ""):
                lot_pk = _whole(raw.get("lot_id"), f"lines.{n}.lot_id", problems)
                lot = lots.get(lot_pk) if lot_pk is not None else None
                if lot_pk is not None and lot is None:
                    domain.add(
                        problems,
                        f"lines.{n}.lot_id",
                        _("Lot %(id)s is not in %(store)s.") % {"id": lot_pk, "store": store.name},
                    )
            quantity = raw.get("quantity")
            if item is not None:
                lines.append((item, quantity, lot))
            else:  # still name a bad quantity on this line
                problem = domain.count_problem(
                    quantity,
                    label=_("Line %(row)s quantity") % {"row": n + 1},
                    maximum=domain.MAX_QUANTITY,
                )[1]
                if problem:
                    domain.add(problems, f"lines.{n}.quantity", problem)
    if problems:
        domain.raise_problems(problems)
    # the service's line numbers are those of ``lines``: every raw line made it there
    try:
        made = services_counter.redeem(
            actor=user,
            store=store,
            beneficiary=beneficiary,
            redeemed_by=redeemed_by,
            lines=lines,
        )
    except ValidationError as exc:
        raise _renamed(exc) from None
    body = selectors_counter.redemption_out(
        _reload(made), points_left=ledger.points_balance(made.beneficiary, timezone.localdate())
    )
    return Status(201, body)


@router.get("/foodbank/redemptions", response={200: Page[RedemptionOut], **ERRORS})
def list_foodbank_redemptions(request: HttpRequest, filters: Query[RedemptionFilters]):
    """Redemptions in the user's reach, newest first (filters: district, from, to)."""
    user = request.auth
    if not can_anywhere(user, VIEW):
        raise PermissionDenied
    qs = scope(Redemption.objects.all(), user, VIEW)
    if filters.district.strip():
        district = district_get_for(user, filters.district.strip(), VIEW)
        qs = qs.filter(store__area=district)
    if filters.from_:
        qs = qs.filter(redeemed_on__gte=filters.from_)
    if filters.to:
        qs = qs.filter(redeemed_on__lte=filters.to)
    qs = selectors_counter.with_lines(
        qs.select_related("store__area", "beneficiary", "clerk").order_by("-redeemed_on", "-id")
    )
    page = paginate(qs, filters)
    page["items"] = [selectors_counter.redemption_out(r) for r in page["items"]]
    return page


def _redemption(user: Any, redemption_id: int, perm: str) -> Redemption:
    return get_for(
        user,
        Redemption.objects.select_related("store__area", "beneficiary", "clerk"),
        redemption_id,
        perm,
    )


@router.get("/foodbank/redemptions/{redemption_id}", response={200: RedemptionOut, **ERRORS})
def get_foodbank_redemption(request: HttpRequest, redemption_id: int):
    """One redemption with its lines and the points left right after it."""
    made = _redemption(request.auth, redemption_id, VIEW)
    return selectors_counter.redemption_out(
        _reload(made), points_left=selectors_counter.points_left_after(made)
    )


@router.post(
    "/foodbank/redemptions/{redemption_id}/cancel", response={200: RedemptionOut, **ERRORS}
)
def cancel_foodbank_redemption(
    request: HttpRequest, redemption_id: int, payload: CancelIn | None = None
):
    """Cancel a redemption with the reason: goods back to their lots, points to their awards."""
    made = _redemption(request.auth, redemption_id, ASSESS)
    services_counter.redemption_cancel(
        actor=request.auth, redemption=made, reason=(payload or CancelIn()).reason
    )
    return selectors_counter.redemption_out(
        _reload(made), points_left=selectors_counter.points_left_after(made)
    )


@router.get("/foodbank/counter/{district}/search", response={200: list[FoundOut], **ERRORS})
def foodbank_counter_search(request: HttpRequest, district: str, params: Query[SearchParams]):
    """Active beneficiaries of the district's food bank by name or number, with their points
    usable today (names and IDs masked). A national ID goes in the body of the POST, never in
    the URL (server logs, proxies)."""
    if params.national_id.strip():
        district_get_for(request.auth, district, REDEEM)
        raise ValidationError(
            {"national_id": [_("Send a national ID in the body of a POST, never in the URL.")]}
        )
    return _counter_search(request, district, params)


@router.post("/foodbank/counter/{district}/search", response={200: list[FoundOut], **ERRORS})
def foodbank_counter_search_post(
    request: HttpRequest, district: str, payload: SearchParams | None = None
):
    """The same search with {q} or {national_id} in the body (the national ID search is
    audited)."""
    return _counter_search(request, district, payload or SearchParams())


def _counter_search(request: HttpRequest, district: str, params: SearchParams):
    user = request.auth
    area = district_get_for(user, district, REDEEM)
    store = ledger.store_for(area)
    text = " ".join(params.q.split())
    national_id = "".join(params.national_id.split()).replace("-", "")
    if not text and not national_id:
        raise ValidationError({"q": [_("Give a name, a beneficiary number or a national ID.")]})
    if len(text) > 100:
        raise ValidationError({"q": [_("At most %(n)s characters.") % {"n": 100}]})
    if national_id:
        try:
            validate_national_id(national_id)
        except ValidationError as exc:
            raise ValidationError({"national_id": exc.messages}) from None
    found = selectors_counter.counter_search(
        store, text=text, national_id=national_id, on=timezone.localdate()
    )
    if national_id:
        record_event(
            actor=user,
            action="foodbank.counter_search",
            area_path=area.path,
            object_label=mask_national_id(national_id),
            changes={"found": len(found)},
        )
    return [
        {
            "beneficiary_id": f.beneficiary.pk,
            "number": f.beneficiary.number,
            "kind": f.beneficiary.kind,
            "name": selectors_counter.beneficiary_masked(f.beneficiary),
            "masked_national_id": f.masked_id,
            "points": f.points,
        }
        for f in found
    ]
