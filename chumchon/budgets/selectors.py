"""Read-side sums of the budget module: a programme's figures for an area, per child area, what
lags, and the money of each allocation.

Every figure is an exact ``Decimal`` sum of records (no stored totals); percentages are
computed once from those sums (``domain.Figures``, rounded half up). An area is a subtree: a
record belongs to it when its community's path starts with the area's path. Every function runs
a constant number of queries whatever the number of communities: the database adds up (one row
for an area's totals; one row per district, or per community under a district, for the
children) and Python only folds districts into zones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from chumchon.communities.models import Community
from chumchon.core.api import decimal_str
from chumchon.organizations.models import Area

from .domain import Figures
from .models import (
    Allocation,
    Application,
    CarryOver,
    Disbursement,
    FundReturn,
    Programme,
)

ZERO = Decimal("0")
ALLOCATION_PATH = "community__area__path"
WAITING = (Application.Status.SUBMITTED, Application.Status.REVIEWED)


def _in_area(queryset, area: Area | None, path_field: str):
    if area is None:
        return queryset
    return queryset.filter(**{f"{path_field}__startswith": area.path})


# How each summed model reaches its community ("" = it has a `community` key itself).
_TO_COMMUNITY = {
    "allocations": "",
    "applications": "",
    "payments": "application__",
    "carried": "application__",
    "returns": "",
}
# What the sums are grouped by: nothing (one total), the community, or its district.
_LEVELS = {None: None, "community": "community_id", "district": "community__area__parent_id"}


def _queries(programme: Programme, area: Area | None) -> dict[str, tuple[Any, dict[str, Any]]]:
    """For each summed model: (its rows of the programme in the area, {name: aggregate})."""
    transferred = Q(status=Allocation.Status.TRANSFERRED)
    approved = Q(status=Application.Status.APPROVED)
    confirmed = Q(status=Disbursement.Status.CONFIRMED)

    def rows(model_rows, name):
        return _in_area(model_rows, area, _TO_COMMUNITY[name] + "community__area__path")

    return {
        "allocations": (
            rows(Allocation.objects.filter(programme=programme), "allocations"),
            {
                "communities_budgeted": Count("pk"),
                "amount_budgeted": Sum("amount"),
                "communities_dropped": Count("pk", filter=Q(status=Allocation.Status.DROPPED)),
                "communities_transferred": Count("pk", filter=transferred),
                "amount_transferred": Sum("amount", filter=transferred),
            },
        ),
        "applications": (
            rows(Application.objects.filter(programme=programme), "applications"),
            {
                "communities_applied": Count("pk", filter=~Q(status=Application.Status.DRAFT)),
                "communities_approved": Count("pk", filter=approved),
                "amount_approved": Sum("approved_amount", filter=approved),
                "applications_waiting": Count("pk", filter=Q(status__in=WAITING)),
            },
        ),
        "payments": (
            rows(Disbursement.objects.filter(application__programme=programme), "payments"),
            {
                "amount_disbursed": Sum(
                    "amount", filter=confirmed & Q(against=Disbursement.Against.YEAR)
                ),
                "amount_paid_from_carry_over": Sum(
                    "amount", filter=confirmed & Q(against=Disbursement.Against.CARRY_OVER)
                ),
                "payments_waiting": Count("pk", filter=Q(status=Disbursement.Status.RECORDED)),
            },
        ),
        "carried": (
            rows(CarryOver.objects.filter(application__programme=programme), "carried"),
            {"amount_carried_over": Sum("amount")},
        ),
        "returns": (
            rows(FundReturn.objects.filter(programme=programme), "returns"),
            {"amount_returned": Sum("amount")},
        ),
    }


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Aggregates as Figures fields: a sum of no rows is 0, amounts are Decimals."""
    return {
        name: (Decimal(value or 0) if name.startswith("amount_") else value or 0)
        for name, value in values.items()
    }


def _sums(
    programme: Programme, area: Area | None, level: str | None = None
) -> dict[Any, dict[str, Any]]:
    """The programme's sums in the area, added up by the database: {None: fields} for the
    whole area, or {community id | district id: fields} by `level` (five queries)."""
    result: dict[Any, dict[str, Any]] = defaultdict(dict)
    for name, (queryset, aggregates) in _queries(programme, area).items():
        if level is None:
            result[None].update(_clean(queryset.aggregate(**aggregates)))
            continue
        key = _TO_COMMUNITY[name] + _LEVELS[level]
        for row in queryset.values(key).order_by().annotate(**aggregates):
            result[row.pop(key)].update(_clean(row))
    return result


_FIELDS = [f.name for f in fields(Figures)]


def _fold(parts: Iterable[dict[str, Any]]) -> Figures:
    totals: dict[str, Any] = {}
    for part in parts:
        for name, value in part.items():
            totals[name] = totals.get(name, 0) + value
    for name in _FIELDS:
        if name.startswith("amount_") and name in totals:
            totals[name] = Decimal(totals[name])
    return replace(Figures(), **totals)


def figures(programme: Programme, area: Area | None = None) -> Figures:
    """The programme's figures for the area (None: the whole programme), summed by the
    database (five single-row queries)."""
    return _fold(_sums(programme, area).values())


def _segments(path: str) -> list[str]:
    return [code for code in path.strip("/").split("/") if code]


def _districts_in(area: Area | None) -> dict[int, Area]:
    districts = Area.objects.filter(kind__code="district").select_related("kind", "parent")
    return {d.pk: d for d in _in_area(districts, area, "path")}


def figures_by_child(programme: Programme, area: Area) -> list[tuple[Area, Figures]]:
    """(child area, its figures) for each child of the area (city -> zones -> districts ->
    communities), in code order. Children that are not communities are listed even without
    allocations; communities only when the programme has an allocation for them. The sums
    are grouped by district (or, under a district, by community) in the database."""
    children = list(
        Area.objects.filter(parent=area).select_related("kind", "parent").order_by("code")
    )
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if any(child.kind.code == "community" for child in children):  # a district's children
        by_area = dict(Community.objects.filter(area__parent=area).values_list("pk", "area_id"))
        for community_id, values in _sums(programme, area, "community").items():
            if community_id in by_area:
                grouped[by_area[community_id]].append(values)
    else:
        by_code = {child.code: child.pk for child in children}
        position = len(_segments(area.path))
        districts = _districts_in(area)
        for district_id, values in _sums(programme, area, "district").items():
            district = districts.get(district_id)
            if district is None:
                continue
            segments = _segments(district.path)
            if len(segments) > position and segments[position] in by_code:
                grouped[by_code[segments[position]]].append(values)
    result = []
    for child in children:
        if child.pk not in grouped and child.kind.code == "community":
            continue
        result.append((child, _fold(grouped.get(child.pk, []))))
    return result


def lagging(
    programme: Programme, area: Area | None = None, *, limit: int | None = None
) -> dict[str, Any]:
    """What lags in the area:

    - ``average``: the whole programme's (disbursed + carried over) % of the amount transferred;
    - ``districts_below``: [(district, Figures)] of districts in the area below that average
      (districts with nothing transferred are left out), lowest first;
    - ``not_applied``: transferred allocations whose community has not applied (no
      application, or only a draft);
    - ``applications_waiting``: applications submitted or reviewed, not yet decided;
    - ``payments_waiting``: payments recorded, not yet confirmed.

    The three lists hold at most ``limit`` rows (None: all); ``<name>_count`` gives how many
    there are in all.
    """
    average = figures(programme).spent_and_carried_pct
    districts = _districts_in(area)
    below = []
    if average is not None:
        for district_id, values in _sums(programme, area, "district").items():
            district_figures = _fold([values])
            pct = district_figures.spent_and_carried_pct
            if district_id in districts and pct is not None and pct < average:
                below.append((districts[district_id], district_figures))
    below.sort(key=lambda pair: (pair[1].spent_and_carried_pct, pair[0].code))

    not_applied = (
        _in_area(
            Allocation.objects.filter(programme=programme, status=Allocation.Status.TRANSFERRED),
            area,
            ALLOCATION_PATH,
        )
        .exclude(
            pk__in=Application.objects.filter(programme=programme)
            .exclude(status=Application.Status.DRAFT)
            .values("allocation_id")
        )
        .select_related("community__area__parent__kind", "transfer")
        .order_by(ALLOCATION_PATH)
    )
    waiting = (
        _in_area(
            Application.objects.filter(programme=programme, status__in=WAITING),
            area,
            "community__area__path",
        )
        .select_related("community__area__parent__kind", "allocation")
        .order_by("submitted_on", "pk")
    )
    payments = (
        _in_area(
            Disbursement.objects.filter(
                application__programme=programme, status=Disbursement.Status.RECORDED
            ),
            area,
            "application__community__area__path",
        )
        .select_related("application__community__area__parent__kind", "recorded_by")
        .order_by("paid_on", "pk")
    )
    result: dict[str, Any] = {"average": average, "districts_below": below}
    for name, queryset in (
        ("not_applied", not_applied),
        ("applications_waiting", waiting),
        ("payments_waiting", payments),
    ):
        if limit is None:
            rows = list(queryset)
            result[name], result[f"{name}_count"] = rows, len(rows)
        else:
            result[name] = list(queryset[:limit])
            result[f"{name}_count"] = queryset.count()
    return result


SUMMARY_COUNTS = (
    "communities_budgeted",
    "communities_dropped",
    "communities_transferred",
    "communities_applied",
    "communities_approved",
    "applications_waiting",
    "payments_waiting",
)
SUMMARY_AMOUNTS = (
    "amount_budgeted",
    "amount_transferred",
    "amount_approved",
    "amount_disbursed",
    "amount_carried_over",
    "amount_paid_from_carry_over",
    "amount_returned",
)


def summary_dict(figures: Figures) -> dict[str, Any]:
    """The API's summary: counts as integers, amounts and percentages as strings with 2
    decimals (a percentage of nothing, e.g. before any transfer, is null)."""
    return {
        "communities_budgeted": figures.communities_budgeted,
        "amount_budgeted": decimal_str(figures.amount_budgeted),
        "communities_dropped": figures.communities_dropped,
        "communities_transferred": figures.communities_transferred,
        "amount_transferred": decimal_str(figures.amount_transferred),
        "communities_applied": figures.communities_applied,
        "applied_pct": decimal_str(figures.applied_pct),
        "communities_approved": figures.communities_approved,
        "amount_approved": decimal_str(figures.amount_approved),
        "amount_disbursed": decimal_str(figures.amount_disbursed),
        "amount_carried_over": decimal_str(figures.amount_carried_over),
        "amount_paid_from_carry_over": decimal_str(figures.amount_paid_from_carry_over),
        "amount_returned": decimal_str(figures.amount_returned),
        "spent_and_carried_pct": decimal_str(figures.spent_and_carried_pct),
        "applications_waiting": figures.applications_waiting,
        "payments_waiting": figures.payments_waiting,
    }


def allocation_money(allocations: Iterable[Allocation | int]) -> dict[int, dict[str, Decimal]]:
    """{allocation id: money} for pages (three queries whatever the number):

    - ``approved``: the approved amount (0 until approved);
    - ``paid_year`` / ``paid_carry``: confirmed payments within the year / against the
      carry-over;
    - ``carried``: the carry-over reserved;
    - ``pending``: payments recorded and not yet confirmed (either kind);
    - ``remaining``: approved less confirmed and pending payments;
    - ``returned``: returned at closing.
    """
    ids = [a if isinstance(a, int) else a.pk for a in allocations]
    money = {
        pk: dict.fromkeys(
            ("approved", "paid_year", "paid_carry", "carried", "pending", "remaining", "returned"),
            ZERO,
        )
        for pk in ids
    }
    if not ids:
        return money
    for application in Application.objects.filter(allocation_id__in=ids).values(
        "allocation_id", "status", "approved_amount", "carry_over__amount"
    ):
        target = money[application["allocation_id"]]
        if application["status"] == Application.Status.APPROVED:
            target["approved"] = application["approved_amount"] or ZERO
        target["carried"] = application["carry_over__amount"] or ZERO
    confirmed = Q(status=Disbursement.Status.CONFIRMED)
    for row in (
        Disbursement.objects.filter(application__allocation_id__in=ids)
        .values("application__allocation_id")
        .order_by()
        .annotate(
            year=Sum("amount", filter=confirmed & Q(against=Disbursement.Against.YEAR)),
            carry=Sum("amount", filter=confirmed & Q(against=Disbursement.Against.CARRY_OVER)),
            pending=Sum("amount", filter=Q(status=Disbursement.Status.RECORDED)),
        )
    ):
        target = money[row["application__allocation_id"]]
        target["paid_year"] = row["year"] or ZERO
        target["paid_carry"] = row["carry"] or ZERO
        target["pending"] = row["pending"] or ZERO
    for row in FundReturn.objects.filter(allocation_id__in=ids).values("allocation_id", "amount"):
        money[row["allocation_id"]]["returned"] = row["amount"]
    for target in money.values():
        target["remaining"] = (
            target["approved"] - target["paid_year"] - target["paid_carry"] - target["pending"]
        )
    return money
