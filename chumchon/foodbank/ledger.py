"""The food bank's two ledgers: stock per lot and points per award. Every write of either goes
through here, under the district store's row lock.

- ``lock_store(store)``: ``SELECT ... FOR UPDATE`` on the ``Store`` row. Every service that
  reads a balance and then moves stock, points or surplus food of a district takes it first,
  so two counters redeeming for one beneficiary, or the same last unit, queue here and the
  second sees what the first left (the PostgreSQL concurrency tests check it).
- Stock: ``lot_left`` / ``item_stock`` are sums of ``StockMovement.quantity``; ``move`` writes
  one movement and refuses it when the lot would fall below zero at the end of any day from the
  movement's date on.
- Points: ``award_left`` / ``points_balance`` are sums of ``PointEntry.points``; ``post_points``
  writes one entry and refuses an award left below zero.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from chumchon.organizations.models import Area

from .models import Award, Beneficiary, Item, Lot, PointEntry, StockMovement, Store


def store_for(district: Area, *, create: bool = True) -> Store | None:
    """The district's store (created on first use, named after the district)."""
    store = Store.objects.filter(area=district).first()
    if store is not None or not create:
        return store
    name = f"BKK Food Bank {district.name_th}" if district.name_th else "BKK Food Bank"
    try:
        with transaction.atomic():
            return Store.objects.create(area=district, name=name)
    except IntegrityError:
        return Store.objects.get(area=district)


def lock_store(store: Store) -> Store:
    """Lock the store row for the rest of the transaction (call inside transaction.atomic)."""
    return Store.objects.select_for_update().get(pk=store.pk)


def lock_district(district: Area) -> Store:
    store = store_for(district)
    assert store is not None
    return lock_store(store)


# --- stock -------------------------------------------------------------------------------------


def lot_left(
    store: Store,
    *,
    item: Item | None = None,
    items: list[int] | None = None,
    lots: list[int] | None = None,
    on: date | None = None,
) -> dict[int, int]:
    """Units left per lot id (lots with none left are omitted). ``on``: at the end of that day;
    ``item`` / ``items`` (ids): only their lots."""
    qs = StockMovement.objects.filter(store=store)
    if item is not None:
        qs = qs.filter(item=item)
    if items is not None:
        qs = qs.filter(item_id__in=items)
    if lots is not None:
        qs = qs.filter(lot_id__in=lots)
    if on is not None:
        qs = qs.filter(moved_on__lte=on)
    rows = qs.values("lot_id").annotate(left=Sum("quantity")).filter(left__gt=0)
    return {row["lot_id"]: row["left"] for row in rows}


def item_stock(store: Store, *, on: date | None = None) -> dict[int, int]:
    """Units on hand per item id."""
    qs = StockMovement.objects.filter(store=store)
    if on is not None:
        qs = qs.filter(moved_on__lte=on)
    rows = qs.values("item_id").annotate(left=Sum("quantity"))
    return {row["item_id"]: row["left"] for row in rows if row["left"]}


def lots_with_stock(store: Store, *, item: Item | None = None) -> QuerySet[Lot]:
    """Lots of the store (of one item) with units left, earliest expiry first."""
    left = lot_left(store, item=item)
    return (
        Lot.objects.filter(pk__in=list(left))
        .select_related("item", "donor")
        # NULL (never expires) last on both databases (SQLite sorts NULL first by default)
        .order_by(F("expires_on").asc(nulls_last=True), "received_on", "id")
    )


def _lowest_from(lot: Lot, since: date, change: int) -> int:
    """The lowest end-of-day quantity of ``lot`` from ``since`` on, if ``change`` is added on
    ``since`` (before any movement dated later)."""
    by_day: dict[date, int] = defaultdict(int)
    for row in StockMovement.objects.filter(lot=lot).values("moved_on").annotate(q=Sum("quantity")):
        by_day[row["moved_on"]] += row["q"]
    by_day[since] += change
    running = 0
    lowest: int | None = None
    for day in sorted(by_day):
        running += by_day[day]
        if day >= since:
            lowest = running if lowest is None else min(lowest, running)
    return running if lowest is None else lowest


def move(
    *,
    actor: Any,
    store: Store,
    lot: Lot,
    kind: str,
    quantity: int,
    on: date,
    reason: str = "",
    redemption: Any = None,
    transfer_id: Any = None,
) -> StockMovement:
    """Write one stock movement (the caller holds the store's lock). An out-movement that would
    leave the lot below zero on any day from ``on`` is refused (ValidationError{"quantity"})."""
    if lot.store_id != store.pk:
        raise ValidationError({"lot": [_("This lot belongs to another food bank.")]})
    if quantity == 0:
        raise ValidationError({"quantity": [_("The quantity cannot be zero.")]})
    if quantity < 0:
        lowest = _lowest_from(lot, on, quantity)
        if lowest < 0:
            have = lot_left(store, lots=[lot.pk]).get(lot.pk, 0)
            raise ValidationError(
                {
                    "quantity": [
                        _(
                            "Not enough %(item)s in stock: %(have)s %(unit)s left in lot "
                            "%(lot)s, %(want)s asked for."
                        )
                        % {
                            "item": lot.item.name,
                            "have": have,
                            "unit": lot.item.unit,
                            "lot": lot.pk,
                            "want": -quantity,
                        }
                    ]
                }
            )
    movement = StockMovement(
        store=store,
        item_id=lot.item_id,
        lot=lot,
        kind=kind,
        quantity=quantity,
        moved_on=on,
        reason=reason,
        redemption=redemption,
        transfer_id=transfer_id,
        recorded_by=actor,
    )
    movement.save()
    return movement


# --- points ------------------------------------------------------------------------------------


def award_left(beneficiary: Beneficiary) -> dict[int, int]:
    """Points left per award id (awards with none left are omitted)."""
    rows = (
        PointEntry.objects.filter(beneficiary=beneficiary)
        .values("award_id")
        .annotate(left=Sum("points"))
        .filter(left__gt=0)
    )
    return {row["award_id"]: row["left"] for row in rows}


def usable_awards(beneficiary: Beneficiary, on: date) -> list[tuple[Award, int]]:
    """(award, points left) not expired on ``on`` and awarded by then, earliest expiry first."""
    left = award_left(beneficiary)
    awards = Award.objects.filter(pk__in=list(left), awarded_on__lte=on, expires_on__gte=on)
    return [(a, left[a.pk]) for a in awards.order_by("expires_on", "awarded_on", "id")]


def points_balance(beneficiary: Beneficiary, on: date | None = None) -> int:
    """Points the beneficiary can use on ``on`` (default: all not yet expired entries; the
    expiry job writes an entry for what expired, so after it runs the sum is the balance)."""
    if on is None:
        total = PointEntry.objects.filter(beneficiary=beneficiary).aggregate(s=Sum("points"))["s"]
        return int(total or 0)
    return sum(left for _award, left in usable_awards(beneficiary, on))


def balances(beneficiary_ids: list[int], on: date) -> dict[int, int]:
    """Usable points per beneficiary on ``on`` (one query, for lists)."""
    rows = (
        PointEntry.objects.filter(beneficiary_id__in=beneficiary_ids)
        .filter(Q(award__awarded_on__lte=on) & Q(award__expires_on__gte=on))
        .values("beneficiary_id")
        .annotate(s=Sum("points"))
    )
    return {row["beneficiary_id"]: int(row["s"] or 0) for row in rows}


def post_points(
    *,
    actor: Any,
    award: Award,
    kind: str,
    points: int,
    on: date,
    redemption: Any = None,
    reverses: PointEntry | None = None,
    reason: str = "",
) -> PointEntry:
    """Write one points entry (the caller holds the store's lock); an award's points never go
    below zero (ValidationError{"points"})."""
    if points == 0:
        raise ValidationError({"points": [_("The points cannot be zero.")]})
    if points < 0:
        left = (
            PointEntry.objects.filter(award=award).aggregate(s=Sum("points"))["s"] or 0
        ) + points
        if left < 0:
            raise ValidationError(
                {
                    "points": [
                        _("Not enough points: the award has %(have)s left, %(want)s asked for.")
                        % {"have": left - points, "want": -points}
                    ]
                }
            )
    entry = PointEntry(
        beneficiary_id=award.beneficiary_id,
        award=award,
        kind=kind,
        points=points,
        on=on,
        redemption=redemption,
        reverses=reverses,
        reason=reason,
        by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    entry.save()
    return entry
