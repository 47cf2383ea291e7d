"""The district store: its settings, the catalogue, and every stock movement a person records
(a donation or purchase received, a write-off, a stock count, a transfer to another district).

Every write locks the store row first (``ledger.lock_store``) and moves stock only through
``ledger.move``, so a count or a write-off never races a redemption at the counter. Raw values
(quantities, points, day counts) are parsed here, so the pages and the API give the same
messages; dates arrive as ``date`` objects. One ValidationError names every problem.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.money import to_decimal
from chumchon.organizations.models import Area

from . import domain, ledger
from .domain import add, raise_problems
from .models import Donor, Item, Lot, StockMovement, Store

STORE_FIELDS = ("name", "address", "opening_hours", "phone", "near_expiry_days", "award_valid_days")
ITEM_FIELDS = ("name", "unit", "category", "points", "barcode", "active")
RECEIVE_KINDS = (StockMovement.Kind.DONATION_IN, StockMovement.Kind.PURCHASE_IN)
#: the most points one unit may cost (the model's validator)
MAX_ITEM_POINTS = 100_000


# --- small parsers -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def whole_problem(
    value: Any, *, label: str, minimum: int, maximum: int
) -> tuple[int | None, str | None]:
    """A whole number ``minimum``..``maximum`` where ``minimum`` may be 0 (warning days,
    units counted); ``domain.count_problem`` gives the messages."""
    if minimum > 0 or value is None or isinstance(value, bool):
        return domain.count_problem(value, label=label, maximum=maximum)
    try:
        number = to_decimal(repr(value) if isinstance(value, float) else value)
    except (ValidationError, TypeError):
        return domain.count_problem(value, label=label, maximum=maximum)
    if number == 0:
        return 0, None
    if number < 0:
        return None, _("%(label)s cannot be negative (got %(value)s).") % {
            "label": label,
            "value": value,
        }
    return domain.count_problem(value, label=label, maximum=maximum)


def _quantity(value: Any, problems: dict, field: str = "quantity") -> int | None:
    number, problem = domain.count_problem(value, label=_("Quantity"), maximum=domain.MAX_QUANTITY)
    if problem:
        add(problems, field, problem)
    return number


def _day(value: date | None, problems: dict, field: str, label: str, *, today: date) -> date | None:
    if value is None:
        add(problems, field, _("%(label)s: enter a date.") % {"label": label})
        return None
    if value > today:
        add(
            problems,
            field,
            _("%(label)s is in the future (%(date)s): record it on the day or after.")
            % {"label": label, "date": format_date(value)},
        )
    return value


def _lot_of_store(lot: Lot, store: Store, problems: dict) -> None:
    if lot.store_id != store.pk:
        add(problems, "lot", _("Lot %(lot)s belongs to another food bank.") % {"lot": lot.pk})


def _not_before_lot(lot: Lot, on: date | None, problems: dict, field: str = "on") -> None:
    if on is not None and on < lot.received_on:
        add(
            problems,
            field,
            _("Lot %(lot)s was received on %(received)s: nothing can move out of it before.")
            % {"lot": lot.pk, "received": format_date(lot.received_on)},
        )


def lot_label(lot: Lot) -> str:
    return _("lot %(lot)s of %(item)s") % {"lot": lot.pk, "item": lot.item}


# --- the store ---------------------------------------------------------------------------------


@transaction.atomic
def store_update(*, actor: Any, store: Store, **fields: Any) -> Store:
    """Change the store's name, address, opening hours, phone, warning days and the days
    awarded points stay valid (raw values parsed here)."""
    unknown = set(fields) - set(STORE_FIELDS)
    if unknown:
        raise TypeError(f"store_update: unknown fields {sorted(unknown)}")
    store = ledger.lock_store(store)
    problems: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in ("name", "address", "opening_hours", "phone"):
        if name in fields:
            values[name] = _text(fields[name])
    if "name" in values and not values["name"]:
        add(problems, "name", _("Give the food bank a name."))
    limits = {
        "near_expiry_days": (_("Days of warning before expiry"), 0, 365),
        "award_valid_days": (_("Days awarded points stay valid"), 1, 3650),
    }
    for name, (label, low, high) in limits.items():
        if name in fields:
            number, problem = whole_problem(fields[name], label=label, minimum=low, maximum=high)
            if problem:
                add(problems, name, problem)
            else:
                values[name] = number
    for name, max_length in (("name", 255), ("opening_hours", 255), ("phone", 30)):
        if len(values.get(name, "")) > max_length:
            add(
                problems,
                name,
                _("At most %(n)s characters.") % {"n": max_length},
            )
    raise_problems(problems)
    before = {k: getattr(store, k) for k in values}
    diff = {k: [str(before[k]), str(v)] for k, v in values.items() if before[k] != v}
    if not diff:
        return store
    for key, value in values.items():
        setattr(store, key, value)
    store.save()
    record_event(
        actor=actor,
        action="foodbank.store_update",
        obj=store,
        changes=diff,
        area_path=store.area.path,
    )
    return store


# --- the catalogue -----------------------------------------------------------------------------


def _item_values(
    store: Store, fields: dict[str, Any], problems: dict, *, item: Item | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("name", "unit", "barcode"):
        if name in fields:
            values[name] = _text(fields[name])
    if "name" in values and not values["name"]:
        add(problems, "name", _("Give the item a name."))
    if "unit" in values and not values["unit"]:
        add(problems, "unit", _("Give the unit the item is counted in (bag, bottle, pack)."))
    for name, max_length in (("name", 255), ("unit", 50), ("barcode", 50)):
        if len(values.get(name, "")) > max_length:
            add(problems, name, _("At most %(n)s characters.") % {"n": max_length})
    if "category" in fields:
        category = _text(fields["category"])
        if category not in Item.Category.values:
            add(
                problems,
                "category",
                _("“%(value)s” is not a category: choose one of %(choices)s.")
                % {"value": category, "choices": ", ".join(Item.Category.values)},
            )
        else:
            values["category"] = category
    if "points" in fields:
        points, problem = domain.count_problem(
            fields["points"], label=_("Points per unit"), maximum=MAX_ITEM_POINTS
        )
        if problem:
            add(problems, "points", problem)
        else:
            values["points"] = points
    if "active" in fields:
        active = fields["active"]
        if not isinstance(active, bool):
            add(problems, "active", _("Active must be true or false."))
        else:
            values["active"] = active
    name = values.get("name", item.name if item else "")
    unit = values.get("unit", item.unit if item else "")
    if name and unit and not problems.get("name") and not problems.get("unit"):
        twins = Item.objects.filter(store=store, name__iexact=name, unit__iexact=unit)
        if item is not None:
            twins = twins.exclude(pk=item.pk)
        if twins.exists():
            add(
                problems,
                "name",
                _(
                    "The catalogue already has “%(name)s” counted in %(unit)s: edit that item "
                    "instead, or give another name or unit."
                )
                % {"name": name, "unit": unit},
            )
    return values


@transaction.atomic
def item_create(
    *,
    actor: Any,
    store: Store,
    name: Any,
    unit: Any,
    category: Any,
    points: Any,
    barcode: Any = "",
) -> Item:
    """Add an item to the store's catalogue (name + unit unique in the store)."""
    store = ledger.lock_store(store)
    problems: dict[str, list[str]] = {}
    values = _item_values(
        store,
        {"name": name, "unit": unit, "category": category, "points": points, "barcode": barcode},
        problems,
    )
    raise_problems(problems)
    item = Item.objects.create(store=store, **values)
    record_event(
        actor=actor,
        action="foodbank.item_create",
        obj=item,
        changes={k: str(v) for k, v in values.items()},
        area_path=store.area.path,
    )
    return item


@transaction.atomic
def item_update(*, actor: Any, item: Item, **fields: Any) -> Item:
    """Change an item. New points apply to later redemptions only (each redemption line keeps
    the points it cost); an item with stock may be deactivated (it leaves the counter)."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"item_update: unknown fields {sorted(unknown)}")
    store = ledger.lock_store(item.store)
    item = Item.objects.get(pk=item.pk)
    problems: dict[str, list[str]] = {}
    values = _item_values(store, fields, problems, item=item)
    raise_problems(problems)
    diff = {k: [str(getattr(item, k)), str(v)] for k, v in values.items() if getattr(item, k) != v}
    if not diff:
        return item
    for key, value in values.items():
        setattr(item, key, value)
    item.save()
    record_event(
        actor=actor,
        action="foodbank.item_update",
        obj=item,
        changes=diff,
        area_path=store.area.path,
    )
    return item


# --- stock in ----------------------------------------------------------------------------------


def donor_fits(donor: Donor, district: Area) -> bool:
    """A donor of the district, or a city-wide donor of the city above it."""
    if donor.area_id == district.pk:
        return True
    return donor.area.kind.code == "city" and district.path.startswith(donor.area.path)


@transaction.atomic
def receive(
    *,
    actor: Any,
    store: Store,
    item: Item,
    quantity: Any,
    received_on: date | None,
    expires_on: date | None = None,
    donor: Donor | None = None,
    kind: str = StockMovement.Kind.DONATION_IN,
    note: Any = "",
) -> Lot:
    """Receive a lot: goods donated or bought, with their expiry date (none: never expires)."""
    store = ledger.lock_store(store)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    if item.store_id != store.pk:
        add(problems, "item", _("%(item)s belongs to another food bank.") % {"item": item})
    elif not item.active:
        add(
            problems,
            "item",
            _("%(item)s is no longer active in the catalogue: reactivate it first.")
            % {"item": item},
        )
    number = _quantity(quantity, problems)
    received_on = _day(received_on, problems, "received_on", _("Date received"), today=today)
    if expires_on is not None:
        if expires_on < today:
            add(
                problems,
                "expires_on",
                _("This lot has expired on %(date)s: it cannot be received.")
                % {"date": format_date(expires_on)},
            )
        elif received_on is not None and expires_on < received_on:
            add(
                problems,
                "expires_on",
                _("The expiry date (%(expires)s) is before the date received (%(received)s).")
                % {"expires": format_date(expires_on), "received": format_date(received_on)},
            )
    if kind not in RECEIVE_KINDS:
        add(
            problems,
            "kind",
            _("“%(value)s” is not a way to receive stock: choose donation_in or purchase_in.")
            % {"value": kind},
        )
    if donor is not None:
        if not donor_fits(donor, store.area):
            add(
                problems,
                "donor",
                _("%(donor)s gives in another district: choose a donor of %(district)s.")
                % {"donor": donor, "district": store.area.name},
            )
        elif not donor.active:
            add(problems, "donor", _("%(donor)s is no longer active.") % {"donor": donor})
    note = _text(note)
    if len(note) > 255:
        add(problems, "note", _("At most %(n)s characters.") % {"n": 255})
    raise_problems(problems)
    lot = Lot.objects.create(
        store=store,
        item=item,
        received_on=received_on,
        expires_on=expires_on,
        donor=donor,
        note=note,
    )
    ledger.move(actor=actor, store=store, lot=lot, kind=kind, quantity=number, on=received_on)
    record_event(
        actor=actor,
        action="foodbank.stock_receive",
        obj=lot,
        changes={
            "item": str(item),
            "quantity": number,
            "kind": str(kind),
            "received_on": received_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
            "donor": str(donor) if donor else None,
        },
        area_path=store.area.path,
    )
    return lot


# --- stock out and corrections -----------------------------------------------------------------


def _left_now(store: Store, lot: Lot) -> int:
    return ledger.lot_left(store, lots=[lot.pk]).get(lot.pk, 0)


def _enough(store: Store, lot: Lot, number: int | None, problems: dict) -> None:
    if number is None or problems:
        return
    left = _left_now(store, lot)
    if number > left:
        add(
            problems,
            "quantity",
            _("Only %(left)s %(unit)s left in %(lot)s: %(want)s cannot be taken out.")
            % {"left": left, "unit": lot.item.unit, "lot": lot_label(lot), "want": number},
        )


@transaction.atomic
def write_off(
    *,
    actor: Any,
    store: Store,
    lot: Lot,
    quantity: Any,
    on: date | None,
    reason: Any,
) -> StockMovement:
    """Write units off a lot (expired or damaged), with the reason."""
    store = ledger.lock_store(store)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    _lot_of_store(lot, store, problems)
    number = _quantity(quantity, problems)
    on = _day(on, problems, "on", _("Date"), today=today)
    _not_before_lot(lot, on, problems)
    reason = _text(reason)
    if not reason:
        add(problems, "reason", _("Give the reason (expired, damaged, spoiled...)."))
    _enough(store, lot, number, problems)
    raise_problems(problems)
    movement = ledger.move(
        actor=actor,
        store=store,
        lot=lot,
        kind=StockMovement.Kind.WRITE_OFF,
        quantity=-number,
        on=on,
        reason=reason,
    )
    record_event(
        actor=actor,
        action="foodbank.stock_write_off",
        obj=lot,
        changes={"quantity": number, "on": on.isoformat()},
        reason=reason,
        area_path=store.area.path,
    )
    return movement


@transaction.atomic
def count(
    *,
    actor: Any,
    store: Store,
    lot: Lot,
    counted: Any,
    on: date | None,
    reason: Any = "",
) -> StockMovement | None:
    """Record a stock count of a lot: the difference from the units left at the end of ``on``
    is an adjustment movement (none when the count agrees). A difference needs a reason."""
    store = ledger.lock_store(store)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    _lot_of_store(lot, store, problems)
    number, problem = whole_problem(
        counted, label=_("Units counted"), minimum=0, maximum=domain.MAX_QUANTITY
    )
    if problem:
        add(problems, "counted", problem)
    on = _day(on, problems, "on", _("Date of the count"), today=today)
    if on is not None and on < lot.received_on:
        add(
            problems,
            "on",
            _("Lot %(lot)s was received on %(received)s: it cannot be counted before.")
            % {"lot": lot.pk, "received": format_date(lot.received_on)},
        )
    reason = _text(reason)
    raise_problems(problems)
    left = ledger.lot_left(store, lots=[lot.pk], on=on).get(lot.pk, 0)
    adjustment = number - left
    if adjustment and not reason:
        add(
            problems,
            "reason",
            _("The count (%(counted)s) differs from the records (%(left)s): give the reason.")
            % {"counted": number, "left": left},
        )
    raise_problems(problems)
    movement = None
    if adjustment:
        try:
            movement = ledger.move(
                actor=actor,
                store=store,
                lot=lot,
                kind=StockMovement.Kind.ADJUSTMENT,
                quantity=adjustment,
                on=on,
                reason=reason,
            )
        except ValidationError:
            raise ValidationError(
                {
                    "on": [
                        _(
                            "Units of %(lot)s left after %(date)s have already been taken out: "
                            "a count of %(counted)s on that day would leave it below zero later."
                        )
                        % {"lot": lot_label(lot), "date": format_date(on), "counted": number}
                    ]
                }
            ) from None
    record_event(
        actor=actor,
        action="foodbank.stock_count",
        obj=lot,
        changes={"on": on.isoformat(), "recorded": left, "counted": number},
        reason=reason,
        area_path=store.area.path,
    )
    return movement


@transaction.atomic
def transfer(
    *,
    actor: Any,
    store: Store,
    to_district: Area | None,
    lot: Lot,
    quantity: Any,
    on: date | None,
    reason: Any = "",
) -> tuple[StockMovement, StockMovement]:
    """Send units of a lot to another district's store: the destination gets a new lot (same
    expiry, ``from_lot``) of the item of the same name and unit in its catalogue (added with
    the same points when missing). Both stores are locked, in key order."""
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    _lot_of_store(lot, store, problems)
    destination = None
    if to_district is None:
        add(problems, "to_district", _("Choose the district to send to."))
    elif to_district.kind.code != "district" or not to_district.is_active:
        add(problems, "to_district", _("%(area)s is not a district.") % {"area": to_district})
    elif to_district.pk == store.area_id:
        add(
            problems,
            "to_district",
            _("A transfer goes to another district, not to %(district)s itself.")
            % {"district": store.area.name},
        )
    else:
        destination = ledger.store_for(to_district)
    # both rows locked in key order, so two opposite transfers cannot deadlock
    stores = {store.pk: store}
    if destination is not None:
        stores[destination.pk] = destination
    locked = {pk: ledger.lock_store(stores[pk]) for pk in sorted(stores)}
    store = locked[store.pk]
    destination = locked.get(destination.pk) if destination is not None else None
    number = _quantity(quantity, problems)
    on = _day(on, problems, "on", _("Date"), today=today)
    _not_before_lot(lot, on, problems)
    if on is not None and lot.expires_on is not None and lot.expires_on < on:
        add(
            problems,
            "lot",
            _("%(lot)s expired on %(date)s: an expired lot cannot be transferred; write it off.")
            % {"lot": lot_label(lot), "date": format_date(lot.expires_on)},
        )
    reason = _text(reason)
    target_item = None
    if destination is not None and not problems.get("lot"):
        target_item = Item.objects.filter(
            store=destination, name=lot.item.name, unit=lot.item.unit
        ).first()
        if target_item is not None and not target_item.active:
            add(
                problems,
                "to_district",
                _(
                    "%(item)s is inactive in the catalogue of %(district)s: they must "
                    "reactivate it before receiving it."
                )
                % {"item": target_item, "district": destination.area.name},
            )
    _enough(store, lot, number, problems)
    raise_problems(problems)
    assert destination is not None
    if target_item is None:
        source_item = lot.item
        target_item = Item.objects.create(
            store=destination,
            name=source_item.name,
            unit=source_item.unit,
            category=source_item.category,
            points=source_item.points,
            barcode=source_item.barcode,
        )
        record_event(
            actor=actor,
            action="foodbank.item_create",
            obj=target_item,
            changes={"name": target_item.name, "unit": target_item.unit, "from_lot": lot.pk},
            area_path=destination.area.path,
        )
    new_lot = Lot.objects.create(
        store=destination,
        item=target_item,
        received_on=on,
        expires_on=lot.expires_on,
        donor=lot.donor,
        from_lot=lot,
        note=(_("from %(district)s") % {"district": store.area.name})[:255],
    )
    transfer_id = uuid.uuid4()
    out = ledger.move(
        actor=actor,
        store=store,
        lot=lot,
        kind=StockMovement.Kind.TRANSFER_OUT,
        quantity=-number,
        on=on,
        reason=reason,
        transfer_id=transfer_id,
    )
    into = ledger.move(
        actor=actor,
        store=destination,
        lot=new_lot,
        kind=StockMovement.Kind.TRANSFER_IN,
        quantity=number,
        on=on,
        reason=reason,
        transfer_id=transfer_id,
    )
    changes = {
        "quantity": number,
        "on": on.isoformat(),
        "from_lot": lot.pk,
        "to_lot": new_lot.pk,
        "from": store.area.code,
        "to": destination.area.code,
        "transfer_id": str(transfer_id),
    }
    for where, obj in ((store, lot), (destination, new_lot)):
        record_event(
            actor=actor,
            action="foodbank.stock_transfer",
            obj=obj,
            changes=changes,
            reason=reason,
            area_path=where.area.path,
        )
    return out, into
