"""The food bank's figures under /api/v1/foodbank/reports/.

``GET /foodbank/reports/summary?from=YYYY-MM-DD&to=YYYY-MM-DD&area=CODE``: the figures of a
city, zone or district for a period (dates inclusive, ISO CE; default: the current fiscal
year), one row per district and the total. Stock and beneficiaries are counted at the end of
``to`` (at the latest today). Weights and impact are strings with 2 decimals, counts and points
integers. ``area`` defaults to the user's broadest area; an area outside the user's reach is
404, in reach without ``foodbank.view`` 403.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from chumchon.core.api import ErrorOut, decimal_str
from chumchon.core.dates import fiscal_year, fiscal_year_bounds

from . import selectors_reports as selectors
from .permissions import VIEW, can_anywhere
from .views_reports import report_area

router = Router(tags=["foodbank"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class FiguresOut(Schema):
    donors: int
    surplus_donors: int
    donations: int
    received_kg: str
    meals: str
    kgco2e: str
    distributions: int
    distributed_kg: str
    people_served: int
    on_hand_kg: str
    beneficiaries_active: int
    beneficiaries_helped: int
    redemptions: int
    points_awarded: int
    points_redeemed: int
    points_expired: int
    points_reversed: int
    stock_units: int
    stock_items: int
    lots_near_expiry: int
    units_near_expiry: int
    lots_expired: int
    units_expired: int
    donors_since_start: int
    helped_since_start: int


class DistrictRowOut(Schema):
    district_code: str
    district_name: str
    figures: FiguresOut


class SummaryOut(Schema):
    area: str
    area_name: str
    from_: date = Field(..., alias="from")
    to: date
    on: date
    total: FiguresOut
    districts: list[DistrictRowOut]


def figures_out(f: selectors.Figures) -> dict:
    return {
        "donors": f.donors,
        "surplus_donors": f.surplus_donors,
        "donations": f.donations,
        "received_kg": decimal_str(f.received_kg),
        "meals": decimal_str(f.meals),
        "kgco2e": decimal_str(f.kgco2e),
        "distributions": f.distributions,
        "distributed_kg": decimal_str(f.distributed_kg),
        "people_served": f.people_served,
        "on_hand_kg": decimal_str(f.on_hand_kg),
        "beneficiaries_active": f.beneficiaries_active,
        "beneficiaries_helped": f.beneficiaries_helped,
        "redemptions": f.redemptions,
        "points_awarded": f.points_awarded,
        "points_redeemed": f.points_redeemed,
        "points_expired": f.points_expired,
        "points_reversed": f.points_reversed,
        "stock_units": f.stock_units,
        "stock_items": f.stock_items,
        "lots_near_expiry": f.lots_near_expiry,
        "units_near_expiry": f.units_near_expiry,
        "lots_expired": f.lots_expired,
        "units_expired": f.units_expired,
        "donors_since_start": f.donors_since_start,
        "helped_since_start": f.helped_since_start,
    }


def _day(request: HttpRequest, name: str, problems: dict[str, list[str]]) -> date | None:
    text = (request.GET.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.setdefault(name, []).append(
            _("“%(value)s” is not a date: use YYYY-MM-DD (Christian era).") % {"value": text}
        )
    return None


@router.get(
    "/foodbank/reports/summary",
    response={200: SummaryOut, **ERRORS},
    by_alias=True,
)
def foodbank_report_summary(request: HttpRequest):
    """Figures of a city, zone or district (?area=CODE, default: your broadest area) for a
    period (?from=&to=, ISO dates, inclusive; default: the current fiscal year)."""
    user = request.auth
    if not can_anywhere(user, VIEW):
        raise PermissionDenied
    problems: dict[str, list[str]] = {}
    start = _day(request, "from", problems)
    end = _day(request, "to", problems)
    if start and end and start > end:
        problems.setdefault("from", []).append(_("The start date is after the end date."))
    if problems:
        raise ValidationError(problems)
    today = timezone.localdate()
    fy_start, fy_end = fiscal_year_bounds(fiscal_year(end or start or today))
    start = start or fy_start
    end = end or max(fy_end, start)
    on = min(end, today)
    area = report_area(user, request.GET.get("area"))
    report = selectors.city_rows(area, start, end, on)
    return {
        "area": area.code,
        "area_name": area.name,
        "from": start,
        "to": end,
        "on": on,
        "total": figures_out(report.total),
        "districts": [
            {
                "district_code": row.district.code,
                "district_name": row.district.name,
                "figures": figures_out(row.figures),
            }
            for row in report.rows
        ],
    }
