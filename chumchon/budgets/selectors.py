"""Read-side sums of the budget module: a programme's figures for an area, per child area, what
lags, and the money of each allocation.

Every figure is an exact ``Decimal`` sum of records (no stored totals); percentages are
computed once from those sums (``domain.Figures``, rounded half up). An area is a subtree: a
record belongs to it when its allocation's community path starts with the area's path. Every
function runs a constant number of queries whatever the number of communities: the sums are
grouped per community in the database and folded into areas in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

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
APPLICATION_PATH = "allocation__community__area__path"
WAITING = (Application.Status.SUBMITTED, Application.Status.REVIEWED)


def _in_area(queryset, area: Area | None, path_field: str):
    if area is None:
        return queryset
    return queryset.filter(**{f"{path_field}__startswith": area.path})


def _by_community(programme: Programme, area: Area | None) -> dict[str, dict[str, Any]]:
    """{community path: {Figures field: value}} for the programme's allocations in the area
    (five grouped queries)."""
    rows: dict[str, dict[str, Any]] = defaultdict(dict)
    allocations = _in_area(Allocation.objects.filter(programme=programme), area, ALLOCATION_PATH)
    transferred = Q(status=Allocation.Status.TRANSFERRED)
    for row in (
        allocations.values(ALLOCATION_PATH)
        .order_by()
        .annotate(
            n=Count("pk"),
            total=Sum("amount"),
            dropped=Count("pk", filter=Q(status=Allocation.Status.DROPPED)),
            n_transferred=Count("pk", filter=transferred),
            total_transferred=Sum("amount", filter=transferred),
        )
    ):
        target = rows[row[ALLOCATION_PATH]]
        target["communities_budgeted"] = row["n"]
        target["amount_budgeted"] = row["total"] or ZERO
        target["communities_dropped"] = row["dropped"]
        target["communities_transferred"] = row["n_transferred"]
        target["amount_transferred"] = row["total_transferred"] or ZERO

    applications = _in_area(
        Application.objects.filter(allocation__programme=programme), area, APPLICATION_PATH
    )
    approved = Q(status=Application.Status.APPROVED)
    for row in (
        applications.values(APPLICATION_PATH)
        .order_by()
        .annotate(
            applied=Count("pk", filter=~Q(status=Application.Status.DRAFT)),
            n_approved=Count("pk", filter=approved),
            total_approved=Sum("approved_amount", filter=approved),
            waiting=Count("pk", filter=Q(status__in=WAITING)),
        )
    ):
        target = rows[row[APPLICATION_PATH]]
        target["communities_applied"] = row["applied"]
        target["communities_approved"] = row["n_approved"]
        target["amount_approved"] = row["total_approved"] or ZERO
        target["applications_waiting"] = row["waiting"]

    path = "application__" + APPLICATION_PATH
    payments = _in_area(
        Disbursement.objects.filter(application__allocation__programme=programme), area, path
    )
    confirmed = Q(status=Disbursement.Status.CONFIRMED)
    for row in (
        payments.values(path)
        .order_by()
        .annotate(
            year=Sum("amount", filter=confirmed & Q(against=Disbursement.Against.YEAR)),
            carry=Sum("amount", filter=confirmed & Q(against=Disbursement.Against.CARRY_OVER)),
            waiting=Count("pk", filter=Q(status=Disbursement.Status.RECORDED)),
        )
    ):
        target = rows[row[path]]
        target["amount_disbursed"] = row["year"] or ZERO
        target["amount_paid_from_carry_over"] = row["carry"] or ZERO
        target["payments_waiting"] = row["waiting"]

    carried = _in_area(
        CarryOver.objects.filter(application__allocation__programme=programme), area, path
    )
    for row in carried.values(path).order_by().annotate(total=Sum("amount")):
        rows[row[path]]["amount_carried_over"] = row["total"] or ZERO

    path = "allocation__" + ALLOCATION_PATH
    returns = _in_area(FundReturn.objects.filter(programme=programme), area, path)
    for row in returns.values(path).order_by().annotate(total=Sum("amount")):
        rows[row[path]]["amount_returned"] = row["total"] or ZERO
    return rows


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
    """The programme's figures for the area (None: the whole programme)."""
    return _fold(_by_community(programme, area).values())


def _segments(path: str) -> list[str]:
    return [code for code in path.strip("/").split("/") if code]


def figures_by_child(programme: Programme, area: Area) -> list[tuple[Area, Figures]]:
    """(child area, its figures) for each child of the area (city -> zones -> districts ->
    communities), in code order. Children that are not communities are listed even without
    allocations; communities only when the programme has an allocation for them."""
    rows = _by_community(programme, area)
    position = len(_segments(area.path))
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path, values in rows.items():
        segments = _segments(path)
        if len(segments) > position:
            grouped[segments[position]].append(values)
    children = Area.objects.filter(parent=area).select_related("kind", "parent").order_by("code")
    result = []
    for child in children:
        if child.code not in grouped and child.kind.code == "community":
            continue
        result.append((child, _fold(grouped.get(child.code, []))))
    return result


def lagging(programme: Programme, area: Area | None = None) -> dict[str, Any]:
    """What lags in the area:

    - ``average``: the whole programme's (disbursed + carried over) % of the amount transferred;
    - ``districts_below``: [(district, Figures)] of districts in the area below that average
      (districts with nothing transferred are left out), lowest first;
    - ``not_applied``: transferred allocations whose community has not applied (no
      application, or only a draft);
    - ``applications_waiting``: applications submitted or reviewed, not yet decided;
    - ``payments_waiting``: payments recorded, not yet confirmed.
    """
    average = figures(programme).spent_and_carried_pct
    rows = _by_community(programme, area)
    districts = {
        d.code: d
        for d in _in_area(Area.objects.filter(kind__code="district"), area, "path").select_related(
            "kind", "parent"
        )
    }
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path, values in rows.items():
        for code in _segments(path):
            if code in districts:
                grouped[code].append(values)
                break
    below = []
    if average is not None:
        for code, parts in grouped.items():
            district_figures = _fold(parts)
            pct = district_figures.spent_and_carried_pct
            if pct is not None and pct < average:
                below.append((districts[code], district_figures))
    below.sort(key=lambda pair: (pair[1].spent_and_carried_pct, pair[0].code))

    allocations = _in_area(
        Allocation.objects.filter(programme=programme, status=Allocation.Status.TRANSFERRED),
        area,
        ALLOCATION_PATH,
    )
    not_applied = list(
        allocations.exclude(
            pk__in=Application.objects.filter(allocation__programme=programme)
            .exclude(status=Application.Status.DRAFT)
            .values("allocation_id")
        )
        .select_related("community__area__parent__kind", "transfer")
        .order_by(ALLOCATION_PATH)
    )
    waiting = list(
        _in_area(
            Application.objects.filter(allocation__programme=programme, status__in=WAITING),
            area,
            APPLICATION_PATH,
        )
        .select_related("community__area__parent__kind", "allocation")
        .order_by("submitted_on", "pk")
    )
    payments = list(
        _in_area(
            Disbursement.objects.filter(
                application__allocation__programme=programme,
                status=Disbursement.Status.RECORDED,
            ),
            area,
            "application__" + APPLICATION_PATH,
        )
        .select_related("application__community__area__parent__kind", "recorded_by")
        .order_by("paid_on", "pk")
    )
    return {
        "average": average,
        "districts_below": below,
        "not_applied": not_applied,
        "applications_waiting": waiting,
        "payments_waiting": payments,
    }


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
