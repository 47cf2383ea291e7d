"""The district store under /api/v1/foodbank/stores/{district}/ (``district`` = the district's
area code):

- ``GET items`` (filters: category, active) / ``POST items`` {name, unit, category, points,
  barcode?} -> 201; ``PATCH items/{item_id}`` {any of name, unit, category, points, barcode,
  active}.
- ``GET stock``: one row per item with on_hand, near_expiry, expired (units still on hand past
  their expiry), next_expiry.
- ``GET lots?item=`` : lots with units left, first expiring first out.
- ``POST receipts`` {item_id, quantity, received_on, expires_on?, donor_id?, kind?
  (donation_in | purchase_in), note?} -> 201 {lot_id, ...}.
- ``POST lots/{lot_id}/write-off`` {quantity, on?, reason}, ``.../count`` {counted, on?,
  reason?}, ``.../transfer`` {to_district, quantity, on?, reason?} -> 201 with the movement(s)
  (a count that agrees with the records answers 200 with ``movement: null``).

Reads need ``foodbank.view``, writes ``foodbank.record`` in the district (403 without; 404
outside reach; an item, lot or donor of another district is 404 in the path, 422 in the body).
Quantities and points are whole numbers (a JSON number or a string; ``true`` refused); dates
ISO CE, ``on`` defaults to today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.core.api import ErrorOut, Page, PageParams, fields_named, paginate
from chumchon.organizations.models import Area

from . import domain, ledger
from . import selectors_stock as selectors
from . import services_stock as services
from .domain import add, raise_problems
from .models import Donor, Item, Lot, StockMovement, Store
from .permissions import RECORD, VIEW, district_get_for

router = Router(tags=["foodbank"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
S = "/foodbank/stores/{district}"
# raw JSON values go to the services, which name the field on any bad one
Raw = Any


# --- schemas -----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    name: str
    unit: str
    category: str
    category_label: str
    points: int
    barcode: str
    active: bool


class ItemFilters(PageParams):
    category: str = Field("", description="a category code, e.g. rice")
    active: bool | None = Field(None, description="true: active items only; false: inactive")


class ItemIn(Schema):
    name: Raw = Field(None, description="required")
    unit: Raw = Field(None, description="required: bag, bottle, pack...")
    category: Raw = Field(None, description="rice | dry | canned | drinks | fresh | hygiene | ...")
    points: Raw = Field(None, description="points per unit, a whole number 1..100000")
    barcode: Raw = ""


class ItemPatch(Schema):
    name: Raw = None
    unit: Raw = None
    category: Raw = None
    points: Raw = None
    barcode: Raw = None
    active: Raw = None


class StockRowOut(Schema):
    item_id: int
    name: str
    unit: str
    category: str
    points: int
    active: bool
    on_hand: int
    near_expiry: int
    expired: int
    usable: int
    next_expiry: date | None


class StockOut(Schema):
    on: date
    near_expiry_days: int
    items: list[StockRowOut]


class LotOut(Schema):
    id: int
    item_id: int
    item_name: str
    unit: str
    received_on: date
    expires_on: date | None
    left: int
    expired: bool
    near_expiry: bool
    donor_id: int | None
    from_lot_id: int | None


class LotFilters(Schema):
    item: int | None = Field(None, description="an item id of this store")


class ReceiptIn(Schema):
    item_id: int | None = Field(None, description="required: an item of this store")
    quantity: Raw = Field(None, description="units, a whole number")
    received_on: date | None = Field(None, description="default: today")
    expires_on: date | None = Field(None, description="none: the goods do not expire")
    donor_id: int | None = Field(None, description="a donor of the district or city-wide")
    kind: str = Field("donation_in", description="donation_in | purchase_in")
    note: str = ""


class ReceiptOut(Schema):
    lot_id: int
    item_id: int
    quantity: int
    received_on: date
    expires_on: date | None
    donor_id: int | None
    kind: str
    movement_id: int


class MovementOut(Schema):
    id: int
    lot_id: int
    item_id: int
    kind: str
    quantity: int
    moved_on: date
    reason: str
    transfer_id: str | None
    district: str


class WriteOffIn(Schema):
    quantity: Raw = None
    on: date | None = Field(None, description="default: today")
    reason: str = Field("", description="required")


class CountIn(Schema):
    counted: Raw = Field(None, description="units counted, 0 or more")
    on: date | None = Field(None, description="default: today")
    reason: str = Field("", description="required when the count differs")


class CountOut(Schema):
    lot_id: int
    counted: int
    movement: MovementOut | None


class TransferIn(Schema):
    to_district: str = Field("", description="the receiving district's area code")
    quantity: Raw = None
    on: date | None = Field(None, description="default: today")
    reason: str = ""


class TransferOut(Schema):
    transfer_id: str
    out: MovementOut
    into: MovementOut
    to_lot_id: int
    to_item_id: int


# --- helpers -----------------------------------------------------------------------------------


def _store(request: HttpRequest, district: str, perm: str) -> Store:
    area = district_get_for(request.auth, district, perm)
    return ledger.store_for(area)


def item_out(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "unit": item.unit,
        "category": item.category,
        "category_label": str(item.get_category_display()),
        "points": item.points,
        "barcode": item.barcode,
        "active": item.active,
    }


def movement_out(m: StockMovement, district: str) -> dict[str, Any]:
    return {
        "id": m.pk,
        "lot_id": m.lot_id,
        "item_id": m.item_id,
        "kind": m.kind,
        "quantity": m.quantity,
        "moved_on": m.moved_on,
        "reason": m.reason,
        "transfer_id": str(m.transfer_id) if m.transfer_id else None,
        "district": district,
    }


def _lot(store: Store, lot_id: int) -> Lot:
    lot = Lot.objects.filter(store=store, pk=lot_id).select_related("item").first()
    if lot is None:
        raise Http404
    return lot


# --- the catalogue -----------------------------------------------------------------------------


@router.get(S + "/items", response={200: Page[ItemOut], **ERRORS})
def list_store_items(request: HttpRequest, district: str, filters: Query[ItemFilters]):
    """The store's catalogue, in catalogue order (category, name)."""
    store = _store(request, district, VIEW)
    items = Item.objects.filter(store=store).order_by("category", "name", "id")
    category = filters.category.strip()
    if category:
        if category not in Item.Category.values:
            raise_problems(
                {
                    "category": [
                        _("Must be one of: %(choices)s.")
                        % {"choices": ", ".join(Item.Category.values)}
                    ]
                }
            )
        items = items.filter(category=category)
    if filters.active is not None:
        items = items.filter(active=filters.active)
    page = paginate(items, filters)
    page["items"] = [item_out(i) for i in page["items"]]
    return page


@router.post(S + "/items", response={201: ItemOut, **ERRORS})
def create_store_item(request: HttpRequest, district: str, payload: ItemIn | None = None):
    """Add an item to the catalogue (name + unit unique in the store)."""
    store = _store(request, district, RECORD)
    payload = payload or ItemIn()
    item = services.item_create(
        actor=request.auth,
        store=store,
        name=payload.name,
        unit=payload.unit,
        category=payload.category,
        points=payload.points,
        barcode=payload.barcode,
    )
    return Status(201, item_out(item))


@router.patch(S + "/items/{item_id}", response={200: ItemOut, **ERRORS})
def update_store_item(
    request: HttpRequest, district: str, item_id: int, payload: ItemPatch | None = None
):
    """Change an item: only the fields sent (new points apply to later redemptions)."""
    store = _store(request, district, RECORD)
    item = Item.objects.filter(store=store, pk=item_id).first()
    if item is None:
        raise Http404
    fields = (payload or ItemPatch()).model_dump(exclude_unset=True)
    item = services.item_update(actor=request.auth, item=item, **fields)
    return item_out(item)


# --- stock and lots ----------------------------------------------------------------------------


@router.get(S + "/stock", response={200: StockOut, **ERRORS})
def store_stock(request: HttpRequest, district: str):
    """Units per item today: on hand, near expiry, expired (still on hand), next expiry."""
    store = _store(request, district, VIEW)
    today = timezone.localdate()
    rows = selectors.stock_rows(store, today)
    return {
        "on": today,
        "near_expiry_days": store.near_expiry_days,
        "items": [
            {
                "item_id": r.item.pk,
                "name": r.item.name,
                "unit": r.item.unit,
                "category": r.item.category,
                "points": r.item.points,
                "active": r.item.active,
                "on_hand": r.on_hand,
                "near_expiry": r.near_expiry,
                "expired": r.expired,
                "usable": r.usable,
                "next_expiry": r.next_expiry,
            }
            for r in rows
        ],
    }


@router.get(S + "/lots", response={200: list[LotOut], **ERRORS})
def store_lots(request: HttpRequest, district: str, filters: Query[LotFilters]):
    """Lots with units left, first expiring first out (of one item with ?item=)."""
    store = _store(request, district, VIEW)
    item = None
    if filters.item is not None:
        item = Item.objects.filter(store=store, pk=filters.item).first()
        if item is None:
            raise_problems(
                {"item": [_("This food bank has no item %(id)s.") % {"id": filters.item}]}
            )
    lots = selectors.lots_of(store, item, on=timezone.localdate())
    return [
        {
            "id": lot.pk,
            "item_id": lot.item_id,
            "item_name": lot.item.name,
            "unit": lot.item.unit,
            "received_on": lot.received_on,
            "expires_on": lot.expires_on,
            "left": lot.left,
            "expired": lot.expired,
            "near_expiry": lot.near_expiry,
            "donor_id": lot.donor_id,
            "from_lot_id": lot.from_lot_id,
        }
        for lot in lots
    ]


@router.post(S + "/receipts", response={201: ReceiptOut, **ERRORS})
def receive_stock(request: HttpRequest, district: str, payload: ReceiptIn | None = None):
    """Receive a lot (a donation or a purchase) with its expiry date."""
    store = _store(request, district, RECORD)
    payload = payload or ReceiptIn()
    problems: dict[str, list[str]] = {}
    item = donor = None
    if payload.item_id is None:
        add(problems, "item_id", _("Give the item (item_id)."))
    else:
        item = Item.objects.filter(store=store, pk=payload.item_id).first()
        if item is None:
            add(
                problems,
                "item_id",
                _("This food bank has no item %(id)s.") % {"id": payload.item_id},
            )
    if payload.donor_id is not None:
        donor = Donor.objects.select_related("area__kind").filter(pk=payload.donor_id).first()
        if donor is None or not services.donor_fits(donor, store.area):
            add(
                problems,
                "donor_id",
                _("No donor %(id)s gives in this district.") % {"id": payload.donor_id},
            )
            donor = None
    if problems:  # name what the service would also refuse
        problem = domain.count_problem(
            payload.quantity, label=_("Quantity"), maximum=domain.MAX_QUANTITY
        )[1]
        if problem:
            add(problems, "quantity", problem)
        raise_problems(problems)
    with fields_named({"item": "item_id", "donor": "donor_id"}):
        lot = services.receive(
            actor=request.auth,
            store=store,
            item=item,
            quantity=payload.quantity,
            received_on=payload.received_on or timezone.localdate(),
            expires_on=payload.expires_on,
            donor=donor,
            kind=payload.kind,
            note=payload.note,
        )
    movement = StockMovement.objects.filter(lot=lot).order_by("id").first()
    return Status(
        201,
        {
            "lot_id": lot.pk,
            "item_id": lot.item_id,
            "quantity": movement.quantity,
            "received_on": lot.received_on,
            "expires_on": lot.expires_on,
            "donor_id": lot.donor_id,
            "kind": movement.kind,
            "movement_id": movement.pk,
        },
    )


@router.post(S + "/lots/{lot_id}/write-off", response={201: MovementOut, **ERRORS})
def write_off_lot(
    request: HttpRequest, district: str, lot_id: int, payload: WriteOffIn | None = None
):
    """Write units off a lot (expired or damaged), with the reason."""
    store = _store(request, district, RECORD)
    lot = _lot(store, lot_id)
    payload = payload or WriteOffIn()
    with fields_named():
        movement = services.write_off(
            actor=request.auth,
            store=store,
            lot=lot,
            quantity=payload.quantity,
            on=payload.on or timezone.localdate(),
            reason=payload.reason,
        )
    return Status(201, movement_out(movement, store.area.code))


@router.post(S + "/lots/{lot_id}/count", response={200: CountOut, 201: CountOut, **ERRORS})
def count_lot(request: HttpRequest, district: str, lot_id: int, payload: CountIn | None = None):
    """Record a stock count: 201 with the adjustment, or 200 when it agrees."""
    store = _store(request, district, RECORD)
    lot = _lot(store, lot_id)
    payload = payload or CountIn()
    with fields_named():
        movement = services.count(
            actor=request.auth,
            store=store,
            lot=lot,
            counted=payload.counted,
            on=payload.on or timezone.localdate(),
            reason=payload.reason,
        )
    on = payload.on or timezone.localdate()
    counted = ledger.lot_left(store, lots=[lot.pk], on=on).get(lot.pk, 0)
    body = {
        "lot_id": lot.pk,
        "counted": counted,
        "movement": movement_out(movement, store.area.code) if movement else None,
    }
    return Status(201 if movement else 200, body)


@router.post(S + "/lots/{lot_id}/transfer", response={201: TransferOut, **ERRORS})
def transfer_lot(
    request: HttpRequest, district: str, lot_id: int, payload: TransferIn | None = None
):
    """Send units of a lot to another district's store (a new lot there, same expiry)."""
    store = _store(request, district, RECORD)
    lot = _lot(store, lot_id)
    payload = payload or TransferIn()
    code = (payload.to_district or "").strip()
    to_district = None
    if code:
        to_district = (
            Area.objects.select_related("kind").filter(code=code, kind__code="district").first()
        )
        if to_district is None:
            raise_problems({"to_district": [_("There is no district %(code)s.") % {"code": code}]})
    with fields_named():
        out, into = services.transfer(
            actor=request.auth,
            store=store,
            to_district=to_district,
            lot=lot,
            quantity=payload.quantity,
            on=payload.on or timezone.localdate(),
            reason=payload.reason,
        )
    return Status(
        201,
        {
            "transfer_id": str(out.transfer_id),
            "out": movement_out(out, store.area.code),
            "into": movement_out(into, to_district.code),
            "to_lot_id": into.lot_id,
            "to_item_id": into.item_id,
        },
    )
