"""Reading a store's stock: per item (on hand, near expiry, expired still on hand, next
expiry), its lots with units left in first-expiring-first-out order, the lots to act on, the
FEFO suggestion for a quantity, and the movements page. Each reads a constant number of queries
whatever the number of items, lots and movements.

Words (the same everywhere): a lot is *expired* on day D when its expiry date is before D (on
its expiry date it may still be handed out, like ``domain.fefo``); it is *near expiry* when it
expires from D to D + ``store.near_expiry_days`` inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum

from . import domain
from .models import Item, Lot, StockMovement, Store


def is_expired(expires_on: date | None, on: date) -> bool:
    return expires_on is not None and expires_on < on


def is_near_expiry(expires_on: date | None, on: date, days: int) -> bool:
    return expires_on is not None and on <= expires_on <= on + timedelta(days=days)


@dataclass
class StockRow:
    item: Item
    on_hand: int = 0
    near_expiry: int = 0
    expired: int = 0
    next_expiry: date | None = None
    lots: int = 0

    @property
    def usable(self) -> int:
        """Units that may still be handed out (not expired)."""
        return self.on_hand - self.expired

    @property
    def warning(self) -> str:
        """ "expired", "near" or "" (for badges and row colours)."""
        if self.expired:
            return "expired"
        if self.near_expiry:
            return "near"
        return ""


def _lot_sums(store: Store, on: date, item: Item | None = None) -> list[dict[str, Any]]:
    """Units left per lot at the end of ``on`` (only lots with units left), with the lot's item
    (one query over the movements alone: summing before joining the lots keeps it fast on a
    store with a long history)."""
    qs = StockMovement.objects.filter(store=store, moved_on__lte=on)
    if item is not None:
        qs = qs.filter(item=item)
    rows = (
        qs.order_by().values("lot_id", "item_id").annotate(left=Sum("quantity")).filter(left__gt=0)
    )
    return list(rows)


def stock_overview(
    store: Store,
    on: date,
    *,
    category: str = "",
    include_inactive: bool = False,
) -> tuple[list[StockRow], list[Lot]]:
    """The stock page in three queries: one row per item of the catalogue (active items, and
    inactive ones still holding stock) in catalogue order, and the lots holding stock (each with
    ``left``, ``expired``, ``near_expiry``) in FEFO order."""
    sums = _lot_sums(store, on)
    left = {s["lot_id"]: s["left"] for s in sums}
    lots = _annotate(
        store, Lot.objects.filter(pk__in=list(left)).select_related("item", "donor"), left, on
    )
    holding = {s["item_id"] for s in sums}
    items = Item.objects.filter(store=store)
    if not include_inactive:
        items = items.filter(Q(active=True) | Q(pk__in=holding))
    if category:
        items = items.filter(category=category)
    rows: dict[int, StockRow] = {}
    for item in items.order_by("category", "name", "id"):
        rows[item.pk] = StockRow(item=item)
    for lot in lots:
        row = rows.get(lot.item_id)
        if row is None:
            continue
        row.on_hand += lot.left
        row.lots += 1
        if lot.expired:
            row.expired += lot.left
            continue
        if lot.near_expiry:
            row.near_expiry += lot.left
        if lot.expires_on is not None and (
            row.next_expiry is None or lot.expires_on < row.next_expiry
        ):
            row.next_expiry = lot.expires_on
    return list(rows.values()), lots


def stock_rows(
    store: Store,
    on: date,
    *,
    category: str = "",
    include_inactive: bool = False,
) -> list[StockRow]:
    """One row per item of the catalogue (active items, and inactive ones still holding stock),
    in catalogue order: three queries (see stock_overview)."""
    return stock_overview(store, on, category=category, include_inactive=include_inactive)[0]


def stock_totals(rows: list[StockRow]) -> dict[str, int]:
    return {
        "items": sum(1 for r in rows if r.on_hand),
        "on_hand": sum(r.on_hand for r in rows),
        "near_expiry": sum(r.near_expiry for r in rows),
        "expired": sum(r.expired for r in rows),
        "items_near": sum(1 for r in rows if r.near_expiry),
        "items_expired": sum(1 for r in rows if r.expired),
    }


def fefo_key(lot: Lot) -> tuple:
    """First expiring first out: expiry (none last), then oldest, then lowest id."""
    return (lot.expires_on is None, lot.expires_on or date.max, lot.received_on, lot.pk)


def _annotate(store: Store, lots: QuerySet[Lot], left: dict[int, int], on: date) -> list[Lot]:
    days = store.near_expiry_days
    result = []
    for lot in lots:
        lot.left = left.get(lot.pk, 0)
        lot.expired = is_expired(lot.expires_on, on)
        lot.near_expiry = not lot.expired and is_near_expiry(lot.expires_on, on, days)
        result.append(lot)
    result.sort(key=fefo_key)
    return result


def lots_of(store: Store, item: Item | None = None, *, on: date) -> list[Lot]:
    """The store's lots (of one item) with units left at the end of ``on``, each with
    ``left``, ``expired`` and ``near_expiry``, in FEFO order (two queries)."""
    left = {s["lot_id"]: s["left"] for s in _lot_sums(store, on, item)}
    lots = Lot.objects.filter(pk__in=list(left)).select_related("item", "donor")
    return _annotate(store, lots, left, on)


def near_expiry(store: Store, on: date) -> list[Lot]:
    """Lots with units left that expire from ``on`` to ``on`` + the store's warning days."""
    return [lot for lot in lots_of(store, on=on) if lot.near_expiry]


def expired_on_hand(store: Store, on: date) -> list[Lot]:
    """Lots past their expiry with units still on hand: to write off."""
    return [lot for lot in lots_of(store, on=on) if lot.expired]


def fefo_suggestion(
    store: Store, item: Item, quantity: int, on: date
) -> tuple[list[tuple[Lot, int]], int]:
    """Which lots to take ``quantity`` units of ``item`` from (earliest expiry first, expired
    lots never), and how many are missing (0 when there are enough)."""
    lots = {lot.pk: lot for lot in lots_of(store, item, on=on)}
    buckets = [
        domain.Bucket(key=lot.pk, left=lot.left, expires_on=lot.expires_on, since=lot.received_on)
        for lot in lots.values()
    ]
    taken, short = domain.fefo(buckets, quantity, on=on)
    return [(lots[key], qty) for key, qty in taken], short


def lot_movements(lot: Lot) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.filter(lot=lot)
        .select_related("recorded_by", "redemption")
        .order_by("moved_on", "id")
    )


def movements(store: Store, filters: dict[str, Any] | None = None) -> QuerySet[StockMovement]:
    """The store's movements, newest first. Filters: ``kind``, ``item`` (an Item or id),
    ``lot``, ``date_from``, ``date_to`` (inclusive)."""
    filters = filters or {}
    qs = StockMovement.objects.filter(store=store)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("item"):
        qs = qs.filter(item=filters["item"])
    if filters.get("lot"):
        qs = qs.filter(lot=filters["lot"])
    if filters.get("date_from"):
        qs = qs.filter(moved_on__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(moved_on__lte=filters["date_to"])
    return qs.select_related("item", "lot", "recorded_by", "redemption").order_by(
        "-moved_on", "-id"
    )


def transfer_partner(movement: StockMovement) -> StockMovement | None:
    """The other half of a transfer (one query)."""
    if movement.transfer_id is None:
        return None
    return (
        StockMovement.objects.filter(transfer_id=movement.transfer_id)
        .exclude(pk=movement.pk)
        .select_related("store__area", "lot")
        .first()
    )
