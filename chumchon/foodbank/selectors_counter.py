"""What the counter reads (helper "counter"): finding a beneficiary, who may collect, the
points usable today, the catalogue in stock, redemptions and their receipts.

Each function reads a constant number of queries whatever the data's size.

``find_beneficiaries`` and ``adults_who_may_redeem`` are those of ``selectors_points`` (helper
"beneficiaries"), so the counter and the beneficiaries pages agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from chumchon.communities.models import Person

from . import ledger, selectors_points
from .models import Beneficiary, Item, Lot, PointEntry, Redemption, RedemptionLine, Store

SEARCH_LIMIT = 20
_SPACES = re.compile(r"\s+")


def beneficiary_label(beneficiary: Beneficiary) -> str:
    """ "B12 สมชาย ใจดี" or "B7 household House 12/3" (names in full: staff screens)."""
    if beneficiary.kind == Beneficiary.Kind.PERSON and beneficiary.person_id:
        return f"B{beneficiary.number} {beneficiary.person.full_name}"
    return _("B%(number)s household %(house)s") % {
        "number": beneficiary.number,
        "house": beneficiary.household,
    }


def beneficiary_masked(beneficiary: Beneficiary) -> str:
    """The same with the name masked (receipts)."""
    if beneficiary.kind == Beneficiary.Kind.PERSON and beneficiary.person_id:
        return f"B{beneficiary.number} {beneficiary.person.masked_name}"
    return _("B%(number)s household %(house)s") % {
        "number": beneficiary.number,
        "house": beneficiary.household,
    }


# --- finding a beneficiary -------------------------------------------------------------------


def find_beneficiaries(store: Store, *, text: str = "", national_id: str = ""):
    """Active beneficiaries of ``store`` by name, number or national ID (selectors_points)."""
    return selectors_points.find_beneficiaries(store, text=text, national_id=national_id)


def adults_who_may_redeem(beneficiary: Beneficiary, on: date) -> list[Person]:
    """The person, or the household's current adult members (selectors_points)."""
    return list(selectors_points.adults_who_may_redeem(beneficiary, on))


@dataclass
class Found:
    beneficiary: Beneficiary
    points: int

    @property
    def label(self) -> str:
        return beneficiary_label(self.beneficiary)

    @property
    def masked_id(self) -> str:
        person = self.beneficiary.person
        return person.masked_national_id if person is not None else ""


def counter_search(
    store: Store, *, text: str = "", national_id: str = "", on: date, limit: int = SEARCH_LIMIT
) -> list[Found]:
    """The first ``limit`` matches with their points usable on ``on`` (3 queries)."""
    rows = list(
        find_beneficiaries(store, text=text, national_id=national_id)
        .select_related("person", "household")
        .order_by("number")[:limit]
    )
    points = ledger.balances([b.pk for b in rows], on)
    return [Found(b, points.get(b.pk, 0)) for b in rows]


# --- the counter page ------------------------------------------------------------------------


@dataclass
class Points:
    usable: int
    next_expiry: date | None
    next_expiry_points: int


def points_today(beneficiary: Beneficiary, on: date) -> Points:
    awards = ledger.usable_awards(beneficiary, on)
    usable = sum(left for _a, left in awards)
    if not awards:
        return Points(usable, None, 0)
    first = awards[0][0].expires_on
    return Points(usable, first, sum(left for a, left in awards if a.expires_on == first))


def catalogue_in_stock(store: Store, on: date) -> list[Item]:
    """Active items with units in lots not expired on ``on``, each with ``.available`` (units)
    and ``.next_expiry`` (the earliest expiry among those lots), by category and name."""
    left = ledger.lot_left(store)
    available: dict[int, int] = {}
    expiry: dict[int, date | None] = {}
    lots = Lot.objects.filter(pk__in=list(left)).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )
    for lot in lots.only("pk", "item_id", "expires_on"):
        available[lot.item_id] = available.get(lot.item_id, 0) + left[lot.pk]
        if lot.expires_on is not None:
            current = expiry.get(lot.item_id)
            expiry[lot.item_id] = min(lot.expires_on, current) if current else lot.expires_on
    items = list(
        Item.objects.filter(store=store, active=True, pk__in=list(available)).order_by(
            "category", "name", "pk"
        )
    )
    for item in items:
        item.available = available[item.pk]
        item.next_expiry = expiry.get(item.pk)
    return items


# --- redemptions ----------------------------------------------------------------------------


def redemptions(store: Store, *, start: date | None = None, end: date | None = None):
    qs = Redemption.objects.filter(store=store).select_related(
        "beneficiary__person", "beneficiary__household", "redeemed_by", "clerk"
    )
    if start:
        qs = qs.filter(redeemed_on__gte=start)
    if end:
        qs = qs.filter(redeemed_on__lte=end)
    return qs.order_by("-redeemed_on", "-number")


def redemption_lines(redemption: Redemption) -> list[RedemptionLine]:
    return list(
        RedemptionLine.objects.filter(redemption=redemption)
        .select_related("item", "lot")
        .order_by("pk")
    )


def points_left_after(redemption: Redemption) -> int:
    """The beneficiary's points usable on the redemption's day right after it (entries up to
    its last one): what the receipt prints, the same on every reprint."""
    last = (
        PointEntry.objects.filter(redemption=redemption, kind=PointEntry.Kind.REDEEM)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if last is None:
        return 0
    day = redemption.redeemed_on
    total = PointEntry.objects.filter(
        beneficiary_id=redemption.beneficiary_id,
        pk__lte=last,
        award__awarded_on__lte=day,
        award__expires_on__gte=day,
    ).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def with_lines(qs: QuerySet[Redemption]) -> QuerySet[Redemption]:
    from django.db.models import Prefetch

    return qs.prefetch_related(
        Prefetch(
            "lines",
            queryset=RedemptionLine.objects.select_related("item").order_by("pk"),
        )
    )


def redemption_out(redemption: Redemption, *, points_left: int | None = None) -> dict[str, Any]:
    """A redemption as the API answers it (lines prefetched or read)."""
    return {
        "id": redemption.pk,
        "district_code": redemption.store.area.code,
        "number": redemption.number,
        "beneficiary_id": redemption.beneficiary_id,
        "beneficiary_number": redemption.beneficiary.number,
        "redeemed_by_person_id": redemption.redeemed_by_id,
        "redeemed_on": redemption.redeemed_on,
        "points": redemption.points,
        "points_left": points_left,
        "status": redemption.status,
        "cancel_reason": redemption.cancel_reason,
        "clerk": redemption.clerk.get_username() if redemption.clerk_id else None,
        "lines": [
            {
                "item_id": line.item_id,
                "item_name": line.item.name,
                "unit": line.item.unit,
                "lot_id": line.lot_id,
                "quantity": line.quantity,
                "points_each": line.points_each,
                "points": line.points,
            }
            for line in redemption.lines.all()
        ],
    }
