"""The food bank's figures per district and for a city or zone: what the home page, the district
overview, the reports, their Excel exports and the summary API show.

Every figure is counted from the records (cancelled donations, distributions and redemptions
count nowhere), per district in a fixed number of grouped queries whatever the number of
districts, donations or movements (``figures_for``):

- donors: distinct donors who gave surplus food (a recorded donation) or goods (a lot received
  from them) in the period; a city-wide chain giving in three districts is one donor of the
  city's total and one of each district's.
- beneficiaries: registered and active on the day ``on``; helped: DISTINCT beneficiaries with
  at least one recorded redemption in the period; redemptions: recorded ones.
- points awarded, redeemed and expired: sums of the points ledger by kind in the period (the
  entries of a cancelled redemption, and their reversals, count nowhere); other reversals
  (corrections) are shown separately, signed.
- stock on hand at the end of ``on``: units and items with units; lots on hand that expire
  within the store's warning days, and lots on hand already expired.
- surplus food: kg received and handed on in the period, with meals and kgCO2e from the factors
  copied on each donation (``domain.impact``: exact sums, rounded once); kg on hand at ``on``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from chumchon.core.money import round_half_up
from chumchon.organizations.models import Area

from . import domain
from .models import (
    Beneficiary,
    Distribution,
    Item,
    Lot,
    PointEntry,
    Redemption,
    Status,
    StockMovement,
    Store,
    SurplusDonation,
)

#: lots further than this from expiry are never "near expiry" (Store.near_expiry_days <= 365)
LONGEST_WARNING = timedelta(days=365)
RECORDED = Status.RECORDED
IN_KINDS = (
    StockMovement.Kind.DONATION_IN,
    StockMovement.Kind.PURCHASE_IN,
    StockMovement.Kind.TRANSFER_IN,
)


@dataclass
class Figures:
    """The figures of one district, or the total of several."""

    donors: int = 0
    beneficiaries_active: int = 0
    beneficiaries_helped: int = 0
    redemptions: int = 0
    points_awarded: int = 0
    points_redeemed: int = 0
    points_expired: int = 0
    points_reversed: int = 0
    stock_units: int = 0
    stock_items: int = 0
    lots_near_expiry: int = 0
    units_near_expiry: int = 0
    lots_expired: int = 0
    units_expired: int = 0
    donations: int = 0
    surplus_donors: int = 0
    received_g: int = 0
    distributions: int = 0
    distributed_g: int = 0
    people_served: int = 0
    on_hand_g: int = 0
    meals_exact: Decimal = Decimal(0)
    kgco2e_exact: Decimal = Decimal(0)
    # since the start (up to ``on``)
    donors_since_start: int = 0
    helped_since_start: int = 0

    @property
    def impact(self) -> domain.Impact:
        return domain.Impact(
            grams=self.received_g,
            meals_exact=self.meals_exact,
            kgco2e_exact=self.kgco2e_exact,
            donations=self.donations,
            donors=self.surplus_donors,
            people_served=self.people_served,
        )

    @property
    def received_kg(self) -> Decimal:
        return self.impact.weight_kg

    @property
    def distributed_kg(self) -> Decimal:
        return round_half_up(domain.kg(self.distributed_g), 2)

    @property
    def on_hand_kg(self) -> Decimal:
        return round_half_up(domain.kg(self.on_hand_g), 2)

    @property
    def meals(self) -> Decimal:
        return self.impact.meals

    @property
    def kgco2e(self) -> Decimal:
        return self.impact.kgco2e

    ADDITIVE = (
        "beneficiaries_active",
        "beneficiaries_helped",
        "redemptions",
        "points_awarded",
        "points_redeemed",
        "points_expired",
        "points_reversed",
        "stock_units",
        "stock_items",
        "lots_near_expiry",
        "units_near_expiry",
        "lots_expired",
        "units_expired",
        "donations",
        "received_g",
        "distributions",
        "distributed_g",
        "people_served",
        "on_hand_g",
        "meals_exact",
        "kgco2e_exact",
        "helped_since_start",
    )


@dataclass
class Row:
    district: Area
    store: Store | None
    figures: Figures


@dataclass
class Report:
    """One row per district and the total (distinct donors counted once in the total)."""

    start: date | None
    end: date
    on: date
    rows: list[Row] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


def _period(field_name: str, start: date | None, end: date) -> Q:
    q = Q(**{f"{field_name}__lte": end})
    if start is not None:
        q &= Q(**{f"{field_name}__gte": start})
    return q


def _redemption_counts() -> Q:
    """Points entries that count: none of a cancelled redemption, nor their reversals."""
    return (Q(redemption__isnull=True) | Q(redemption__status=RECORDED)) & (
        Q(reverses__isnull=True)
        | Q(reverses__redemption__isnull=True)
        | Q(reverses__redemption__status=RECORDED)
    )


def figures_for(
    districts: Iterable[Area], start: date | None, end: date, on: date
) -> tuple[dict[int, Figures], Figures]:
    """({district id: Figures}, total) for ``districts`` over ``start``..``end`` (inclusive;
    ``start`` None: since the start), stock and beneficiaries at the end of ``on``."""
    ids = [d.pk for d in districts]
    by: dict[int, Figures] = {pk: Figures() for pk in ids}
    total = Figures()
    if not ids:
        return by, total
    period = _period("donated_on", start, end)
    ever = Q(donated_on__lte=on)

    # surplus donations: per district and factor pair (exact gram sums, rounded once later)
    donations = (
        SurplusDonation.objects.filter(district_id__in=ids, status=RECORDED)
        .filter(period | ever)
        .values("district_id", "meals_per_kg", "kgco2e_per_kg")
        .annotate(
            g=Sum("weight_g", filter=period),
            n=Count("id", filter=period),
            upto=Sum("weight_g", filter=ever),
        )
    )
    for row in donations:
        f = by[row["district_id"]]
        grams = int(row["g"] or 0)
        f.received_g += grams
        f.donations += row["n"]
        f.on_hand_g += int(row["upto"] or 0)
        f.meals_exact += domain.meals_exact(grams, row["meals_per_kg"])
        f.kgco2e_exact += domain.meals_exact(grams, row["kgco2e_per_kg"])

    # distributions
    handed = _period("distributed_on", start, end)
    handed_ever = Q(distributed_on__lte=on)
    for row in (
        Distribution.objects.filter(district_id__in=ids, status=RECORDED)
        .filter(handed | handed_ever)
        .values("district_id")
        .annotate(
            g=Sum("weight_g", filter=handed),
            n=Count("id", filter=handed),
            people=Sum("headcount", filter=handed),
            upto=Sum("weight_g", filter=handed_ever),
        )
    ):
        f = by[row["district_id"]]
        f.distributed_g += int(row["g"] or 0)
        f.distributions += row["n"]
        f.people_served += int(row["people"] or 0)
        f.on_hand_g -= int(row["upto"] or 0)

    # donors: of surplus food and of goods, in the period and since the start (one row per
    # district and donor, so the rows grow with the donors, not with the donations)
    surplus_pairs = (
        SurplusDonation.objects.filter(district_id__in=ids, status=RECORDED, donated_on__lte=on)
        .values("district_id", "donor_id")
        .annotate(n=Count("id", filter=period))
        .order_by()
    )
    goods_pairs = (
        Lot.objects.filter(
            store__area_id__in=ids,
            donor__isnull=False,
            from_lot__isnull=True,
            received_on__lte=on,
        )
        .values("store__area_id", "donor_id")
        .annotate(n=Count("id", filter=_period("received_on", start, end)))
        .order_by()
    )
    period_donors: dict[int, set[int]] = defaultdict(set)
    period_surplus_donors: dict[int, set[int]] = defaultdict(set)
    ever_donors: dict[int, set[int]] = defaultdict(set)
    for row in surplus_pairs:
        ever_donors[row["district_id"]].add(row["donor_id"])
        if row["n"]:
            period_donors[row["district_id"]].add(row["donor_id"])
            period_surplus_donors[row["district_id"]].add(row["donor_id"])
    for row in goods_pairs:
        ever_donors[row["store__area_id"]].add(row["donor_id"])
        if row["n"]:
            period_donors[row["store__area_id"]].add(row["donor_id"])
    for pk, f in by.items():
        f.donors = len(period_donors[pk])
        f.surplus_donors = len(period_surplus_donors[pk])
        f.donors_since_start = len(ever_donors[pk])

    # beneficiaries active at the end of ``on``
    for row in (
        Beneficiary.objects.filter(store__area_id__in=ids, registered_on__lte=on)
        .filter(Q(state=Beneficiary.State.ACTIVE) | Q(closed_on__gt=on))
        .values("store__area_id")
        .annotate(n=Count("id"))
    ):
        by[row["store__area_id"]].beneficiaries_active = row["n"]

    # redemptions (recorded), beneficiaries helped in the period and since the start
    redeemed = _period("redeemed_on", start, end)
    redeemed_ever = Q(redeemed_on__lte=on)
    for row in (
        Redemption.objects.filter(store__area_id__in=ids, status=RECORDED)
        .filter(redeemed | redeemed_ever)
        .values("store__area_id")
        .annotate(
            n=Count("id", filter=redeemed),
            helped=Count("beneficiary_id", filter=redeemed, distinct=True),
            ever=Count("beneficiary_id", filter=redeemed_ever, distinct=True),
        )
    ):
        f = by[row["store__area_id"]]
        f.redemptions = row["n"]
        f.beneficiaries_helped = row["helped"]
        f.helped_since_start = row["ever"]

    # points by kind in the period
    counts = _redemption_counts()
    kind = PointEntry.Kind
    for row in (
        PointEntry.objects.filter(beneficiary__store__area_id__in=ids)
        .filter(_period("on", start, end))
        .values("beneficiary__store__area_id")
        .annotate(
            awarded=Sum("points", filter=Q(kind=kind.AWARD)),
            redeemed=Sum("points", filter=Q(kind=kind.REDEEM) & counts),
            expired=Sum("points", filter=Q(kind=kind.EXPIRE)),
            reversed=Sum("points", filter=Q(kind=kind.REVERSE) & counts),
        )
    ):
        f = by[row["beneficiary__store__area_id"]]
        f.points_awarded = int(row["awarded"] or 0)
        f.points_redeemed = -int(row["redeemed"] or 0)
        f.points_expired = -int(row["expired"] or 0)
        f.points_reversed = int(row["reversed"] or 0)

    # stock on hand at the end of ``on``: per item, then lots near expiry and expired
    for row in (
        StockMovement.objects.filter(store__area_id__in=ids, moved_on__lte=on)
        .values("store__area_id", "item_id")
        .annotate(left=Sum("quantity"))
        .filter(left__gt=0)
    ):
        f = by[row["store__area_id"]]
        f.stock_units += row["left"]
        f.stock_items += 1
    for row in expiring_lots(ids, on):
        f = by[row["store__area_id"]]
        if row["lot__expires_on"] < on:
            f.lots_expired += 1
            f.units_expired += row["left"]
        else:
            f.lots_near_expiry += 1
            f.units_near_expiry += row["left"]

    for f in by.values():
        for name in Figures.ADDITIVE:
            setattr(total, name, getattr(total, name) + getattr(f, name))
    total.donors = len(set().union(*period_donors.values())) if period_donors else 0
    total.surplus_donors = (
        len(set().union(*period_surplus_donors.values())) if period_surplus_donors else 0
    )
    total.donors_since_start = len(set().union(*ever_donors.values())) if ever_donors else 0
    return by, total


def expiring_lots(district_ids: list[int], on: date) -> list[dict]:
    """Lots with units on hand at the end of ``on`` that expired before ``on`` or expire within
    their store's warning days (one query): dicts with store__area_id, lot_id, item,
    lot__expires_on, left."""
    rows = (
        StockMovement.objects.filter(
            store__area_id__in=district_ids,
            moved_on__lte=on,
            lot__expires_on__isnull=False,
            lot__expires_on__lte=on + LONGEST_WARNING,
        )
        .values(
            "store__area_id",
            "store__near_expiry_days",
            "lot_id",
            "lot__expires_on",
            "item_id",
            "item__name",
            "item__unit",
        )
        .annotate(left=Sum("quantity"))
        .filter(left__gt=0)
        .order_by("lot__expires_on", "lot_id")
    )
    return [
        row
        for row in rows
        if row["lot__expires_on"] < on
        or row["lot__expires_on"] <= on + timedelta(days=row["store__near_expiry_days"])
    ]


def districts_under(area: Area) -> list[Area]:
    """Active districts under ``area`` (itself when it is a district), by code."""
    return list(
        Area.objects.filter(kind__code="district", is_active=True, path__startswith=area.path)
        .select_related("kind")
        .order_by("code")
    )


def rows_for(districts: list[Area], start: date | None, end: date, on: date) -> Report:
    """A report over the given districts (one row each, in the given order) and the total."""
    by, total = figures_for(districts, start, end, on)
    stores = {s.area_id: s for s in Store.objects.filter(area__in=districts)} if districts else {}
    report = Report(start=start, end=end, on=on, total=total)
    report.rows = [Row(d, stores.get(d.pk), by[d.pk]) for d in districts]
    return report


def city_rows(area: Area, start: date | None, end: date, on: date) -> Report:
    """One row per district under ``area`` (a city or a zone) and the total."""
    return rows_for(districts_under(area), start, end, on)


def district_summary(district: Area, start: date | None, end: date, on: date) -> Figures:
    """The figures of one district (with its since-the-start donors and people helped)."""
    by, _total = figures_for([district], start, end, on)
    return by[district.pk]


# --- the per item stock table of a district -------------------------------------------------


@dataclass
class ItemRow:
    item: Item
    on_hand: int = 0
    near_expiry: int = 0
    expired: int = 0
    received: int = 0
    redeemed: int = 0
    written_off: int = 0


def item_rows(store: Store | None, start: date | None, end: date, on: date) -> list[ItemRow]:
    """Per item of the store: units on hand, near expiry and expired on hand at ``on``; units
    received, redeemed (recorded redemptions only) and written off in the period. Items that
    are inactive and hold nothing are left out. Three queries whatever the size."""
    if store is None:
        return []
    rows = {item.pk: ItemRow(item) for item in Item.objects.filter(store=store)}
    for row in (
        StockMovement.objects.filter(store=store, moved_on__lte=on)
        .values("item_id")
        .annotate(left=Sum("quantity"))
    ):
        rows[row["item_id"]].on_hand = int(row["left"] or 0)
    for row in expiring_lots([store.area_id], on):
        target = rows[row["item_id"]]
        if row["lot__expires_on"] < on:
            target.expired += row["left"]
        else:
            target.near_expiry += row["left"]
    kind = StockMovement.Kind
    for row in (
        StockMovement.objects.filter(store=store)
        .filter(_period("moved_on", start, end))
        .values("item_id")
        .annotate(
            received=Sum("quantity", filter=Q(kind__in=IN_KINDS)),
            redeemed=Sum("quantity", filter=Q(kind=kind.REDEMPTION, redemption__status=RECORDED)),
            written_off=Sum("quantity", filter=Q(kind=kind.WRITE_OFF)),
        )
    ):
        target = rows[row["item_id"]]
        target.received = int(row["received"] or 0)
        target.redeemed = -int(row["redeemed"] or 0)
        target.written_off = -int(row["written_off"] or 0)
    return [
        r
        for r in rows.values()
        if r.item.active or r.on_hand or r.received or r.redeemed or r.written_off
    ]
