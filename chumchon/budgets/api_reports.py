"""REST endpoints of the budget module: a programme's summary for an area.

GET /api/v1/budget-programmes/{id}/summary?area=CODE: counts as integers, amounts and
percentages as strings with 2 decimals (rounded once, half up, from exact sums). Without
`area` the summary is the city's (the programme's area) for users who read it, else the user's
own area. Needs `records.view` on the area (403 without it); an area outside reach is 404, an
unknown one 404 naming the code.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from chumchon.core.api import ErrorOut, error_body

from . import selectors
from .permissions import programme_get_for
from .views_reports import UnknownArea, report_area

router = Router(tags=["budgets"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class SummaryOut(Schema):
    programme_id: int
    fiscal_year: int
    area: str
    area_name: str
    communities_budgeted: int
    amount_budgeted: str
    communities_dropped: int
    communities_transferred: int
    amount_transferred: str
    communities_applied: int
    applied_pct: str | None
    communities_approved: int
    amount_approved: str
    amount_disbursed: str
    amount_carried_over: str
    amount_paid_from_carry_over: str
    amount_returned: str
    spent_and_carried_pct: str | None
    applications_waiting: int
    payments_waiting: int


@router.get("/budget-programmes/{programme_id}/summary", response={200: SummaryOut, **ERRORS})
def get_budget_programme_summary(request: HttpRequest, programme_id: int, area: str | None = None):
    """The programme's figures for the area (a city, zone, district or community code).
    `applied_pct` = communities applied / transferred; `spent_and_carried_pct` = (disbursed
    within the year + carried over) / amount transferred; both null when nothing was
    transferred."""
    programme = programme_get_for(request.user, programme_id)
    try:
        place = report_area(request.user, programme, area)
    except UnknownArea as exc:
        return Status(404, error_body(str(exc), [{"field": "area", "message": str(exc)}]))
    return {
        "programme_id": programme.pk,
        "fiscal_year": programme.fiscal_year,
        "area": place.code,
        "area_name": place.display_name,
        **selectors.summary_dict(selectors.figures(programme, place)),
    }
