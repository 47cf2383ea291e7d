"""REST endpoints of survey rounds and the poverty report, on the registry router.

- Rounds are read with `records.view` in reach (a committee member: 403; another district:
  404) and opened, closed, reopened and reclassified with `surveys.manage` at the district.
- The report (counts only) needs `reports.view` at the area reported on.
Percentages travel as strings with 2 decimals (half up), or null when there is nothing to
divide by; dates are ISO (Christian era), fiscal years Buddhist era.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import Field

from chumchon.accounts.scoping import require_perm
from chumchon.core.api import Page, PageParams, decimal_str, paginate
from chumchon.core.dates import fiscal_year as fiscal_year_of
from chumchon.organizations.models import Area

from ..api.common import ERRORS, fields_named, forbidden_field, invalid, needs, router
from ..models import SurveyRound
from . import domain, services
from .permissions import (
    can_manage_rounds,
    survey_round_get_for,
    survey_round_scope,
)
from .selectors import (
    DEPRIVATION_BANDS,
    ReportLine,
    coverage_percent,
    report_area_for,
    round_communities,
    round_coverage,
    round_surveyors,
    survey_report,
    with_coverage,
)

#: service field -> API field
FIELDS = {"district": "district_code"}

# --- shapes -------------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    district_code: str
    district_name_th: str
    fiscal_year: int = Field(description="Buddhist era, e.g. 2570 (1 Oct 2026 to 30 Sep 2027)")
    opens_on: date
    closes_on: date
    status: str = Field(description="open or closed")
    note: str
    registered: int = Field(
        description="active households of the district's active communities, in the registry today"
    )
    submitted: int = Field(description="households surveyed (submitted surveys)")
    drafts: int = Field(description="surveys started and not submitted")
    coverage_percent: str | None = Field(
        description="submitted out of registered, in %, 2 decimals; null if none registered"
    )


class CommunityProgressOut(Schema):
    community_id: int
    code: str
    name_th: str
    status: str
    registered: int
    submitted: int
    drafts: int
    coverage_percent: str | None
    poor: int = Field(description="submitted surveys classified poor")
    last_surveyed_on: date | None = Field(description="latest survey date, drafts included")


class SurveyorOut(Schema):
    name: str = Field(description="the surveyor named on the surveys, else the recording user")
    user_id: int | None = Field(description="the account that recorded them (null: imported)")
    submitted: int
    drafts: int


class RoundDetailOut(RoundOut):
    not_started: int = Field(description="registered households without any survey yet")
    communities: list[CommunityProgressOut]
    surveyors: list[SurveyorOut]


class RoundIn(Schema):
    district_code: str = Field(description="the district, e.g. 1001")
    fiscal_year: int = Field(ge=2400, le=2800, description="Buddhist era, e.g. 2570")
    opens_on: date | None = Field(None, description="default: the fiscal year's first day")
    closes_on: date | None = Field(None, description="default: the fiscal year's last day")
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ReopenIn(Schema):
    reason: str = Field("", description="required, at least 10 characters")


class ReclassifyOut(Schema):
    changed: int = Field(description="submitted surveys whose classification changed")
    round: RoundDetailOut


class RoundFilters(PageParams):
    fiscal_year: int | None = Field(None, description="Buddhist era, e.g. 2570")
    district_code: str | None = None
    status: Literal["open", "closed"] | None = None


class ReportLineOut(Schema):
    code: str
    name_th: str
    name_en: str
    kind: str = Field(description="city, zone, district or community")
    registered: int = Field(description="active households of active communities, today")
    surveyed: int = Field(description="submitted surveys of the fiscal year's rounds")
    coverage_percent: str | None
    poor: int
    poor_percent: str | None = Field(description="poor out of surveyed, in %")
    deprived: dict[str, int] = Field(
        description="households deprived in each dimension: health, living, education, "
        "income, services"
    )
    deprivations: dict[str, int] = Field(
        description="households by number of deprived dimensions: 0, 1, 2, 3_or_more"
    )


class ReportOut(Schema):
    fiscal_year: int
    area: ReportLineOut = Field(description="the area reported on, with its total")
    rows: list[ReportLineOut] = Field(
        description="one per child area (a city's zones, a zone's districts, a district's "
        "communities; none for a community)"
    )


class ReportParams(Schema):
    fiscal_year: int | None = Field(
        None, ge=2400, le=2800, description="Buddhist era; default: the current fiscal year"
    )
    area: str | None = Field(
        None, description="area code (city, zone, district, community); default: your widest"
    )


# --- helpers ------------------------------------------------------------------------------------


def _round_out(survey_round: SurveyRound) -> dict[str, Any]:
    return {
        "id": survey_round.pk,
        "district_code": survey_round.area.code,
        "district_name_th": survey_round.area.name_th,
        "fiscal_year": survey_round.fiscal_year,
        "opens_on": survey_round.opens_on,
        "closes_on": survey_round.closes_on,
        "status": survey_round.status,
        "note": survey_round.note,
        "registered": survey_round.registered,
        "submitted": survey_round.submitted,
        "drafts": survey_round.drafts,
        "coverage_percent": decimal_str(
            coverage_percent(survey_round.submitted, survey_round.registered)
        ),
    }


def _round_detail(survey_round: SurveyRound) -> dict[str, Any]:
    coverage = round_coverage(survey_round)
    survey_round.registered = coverage["registered"]
    survey_round.submitted = coverage["submitted"]
    survey_round.drafts = coverage["drafts"]
    return {
        **_round_out(survey_round),
        "not_started": coverage["not_started"],
        "communities": [
            {
                "community_id": row["community"].pk,
                "code": row["community"].area.code,
                "name_th": row["community"].area.name_th,
                "status": row["community"].status,
                "registered": row["registered"],
                "submitted": row["submitted"],
                "drafts": row["drafts"],
                "coverage_percent": decimal_str(row["percent"]),
                "poor": row["poor"],
                "last_surveyed_on": row["last_surveyed_on"],
            }
            for row in round_communities(survey_round)
        ],
        "surveyors": [
            {k: row[k] for k in ("name", "user_id", "submitted", "drafts")}
            for row in round_surveyors(survey_round)
        ],
    }


def _fresh(pk: int) -> SurveyRound:
    return SurveyRound.objects.select_related("area__parent", "area__kind").get(pk=pk)


def _managed_round(request: HttpRequest, round_id: int) -> SurveyRound:
    survey_round = survey_round_get_for(request.auth, round_id)
    require_perm(request.auth, "surveys.manage", survey_round)
    return survey_round


def _line(line: ReportLine) -> dict[str, Any]:
    return {
        "code": line.area.code,
        "name_th": line.area.name_th,
        "name_en": line.area.name_en,
        "kind": line.area.kind.code,
        "registered": line.registered,
        "surveyed": line.surveyed,
        "coverage_percent": decimal_str(line.coverage_percent),
        "poor": line.poor,
        "poor_percent": decimal_str(line.poor_percent),
        "deprived": {code: line.deprived[code] for code in domain.DIMENSION_CODES},
        "deprivations": {band: line.deprivations[band] for band in DEPRIVATION_BANDS},
    }


# --- rounds -------------------------------------------------------------------------------------


@router.get(
    "/survey-rounds/",
    response={200: Page[RoundOut], **ERRORS},
    auth=needs("records.view"),
    tags=["surveys"],
)
def list_survey_rounds(request: HttpRequest, filters: Query[RoundFilters]):
    """Survey rounds in the caller's reach, newest fiscal year first, with their coverage:
    households surveyed (submitted) out of the households registered in the district today."""
    rounds = (
        survey_round_scope(request.auth)
        .select_related("area")
        .order_by("-fiscal_year", "area__code")
    )
    if filters.fiscal_year is not None:
        rounds = rounds.filter(fiscal_year=filters.fiscal_year)
    if filters.district_code:
        rounds = rounds.filter(area__code=filters.district_code.strip())
    if filters.status:
        rounds = rounds.filter(status=filters.status)
    page = paginate(with_coverage(rounds), filters)
    return {"items": [_round_out(r) for r in page["items"]], "count": page["count"]}


@router.post(
    "/survey-rounds/",
    response={201: RoundDetailOut, **ERRORS},
    auth=needs("surveys.manage"),
    tags=["surveys"],
)
def open_survey_round(request: HttpRequest, payload: RoundIn):
    """Open a district's survey round for a fiscal year (one per district and year). The
    caller needs `surveys.manage` at the district (another district: 403 naming it)."""
    user = request.auth
    code = payload.district_code.strip()
    district = Area.objects.select_related("kind").filter(code=code, kind__code="district").first()
    if district is None:
        raise invalid("district_code", _("Unknown district “%(code)s”.") % {"code": code})
    if not can_manage_rounds(user, district):
        return Status(
            *forbidden_field(
                "district_code",
                _("You cannot open survey rounds in %(district)s.")
                % {"district": district.display_name},
            )
        )
    with fields_named(FIELDS, default="fiscal_year"):
        survey_round = services.survey_round_open(
            actor=user,
            district=district,
            fiscal_year_be=payload.fiscal_year,
            opens_on=payload.opens_on,
            closes_on=payload.closes_on,
            note=payload.note,
        )
    return Status(201, _round_detail(_fresh(survey_round.pk)))


@router.get(
    "/survey-rounds/{round_id}",
    response={200: RoundDetailOut, **ERRORS},
    tags=["surveys"],
)
def get_survey_round(request: HttpRequest, round_id: int):
    """A round with its coverage, progress per community and who surveyed."""
    survey_round = survey_round_get_for(request.auth, round_id)
    require_perm(request.auth, "records.view", survey_round)
    return _round_detail(survey_round)


@router.post(
    "/survey-rounds/{round_id}/close",
    response={200: RoundDetailOut, **ERRORS},
    tags=["surveys"],
)
def close_survey_round(request: HttpRequest, round_id: int, payload: ReasonIn | None = None):
    """Close a round: its surveys can no longer be started, saved or submitted (422 if it is
    already closed). The reason is optional."""
    survey_round = _managed_round(request, round_id)
    with fields_named(default="status"):
        services.survey_round_close(
            actor=request.auth,
            survey_round=survey_round,
            reason=(payload.reason if payload else "").strip(),
        )
    return _round_detail(_fresh(survey_round.pk))


@router.post(
    "/survey-rounds/{round_id}/reopen",
    response={200: RoundDetailOut, **ERRORS},
    tags=["surveys"],
)
def reopen_survey_round(request: HttpRequest, round_id: int, payload: ReopenIn | None = None):
    """Reopen a closed round; `reason` is required (at least 10 characters)."""
    survey_round = _managed_round(request, round_id)
    with fields_named(default="status"):
        services.survey_round_reopen(
            actor=request.auth,
            survey_round=survey_round,
            reason=payload.reason if payload else "",
        )
    return _round_detail(_fresh(survey_round.pk))


@router.post(
    "/survey-rounds/{round_id}/reclassify",
    response={200: ReclassifyOut, **ERRORS},
    tags=["surveys"],
)
def reclassify_survey_round(request: HttpRequest, round_id: int, payload: ReasonIn | None = None):
    """Classify the round's submitted surveys again, each with the rules and parameters of
    its own survey date (after a rule or parameter was corrected); answers how many changed."""
    survey_round = _managed_round(request, round_id)
    with fields_named(default="status"):
        changed = services.survey_round_reclassify(
            actor=request.auth,
            survey_round=survey_round,
            reason=(payload.reason if payload else "").strip(),
        )
    return {"changed": changed, "round": _round_detail(_fresh(survey_round.pk))}


# --- the report ---------------------------------------------------------------------------------


@router.get(
    "/survey-reports",
    response={200: ReportOut, **ERRORS},
    auth=needs("reports.view"),
    tags=["surveys"],
)
def get_survey_report(request: HttpRequest, params: Query[ReportParams]):
    """Poor households and deprivations of a fiscal year over an area: one row per child area
    and the area's total (counts of the submitted surveys of that year's rounds; registered
    households from today's registry). An area outside reach: 404; without `reports.view`
    there: 403."""
    year = params.fiscal_year or fiscal_year_of(timezone.localdate())
    area = report_area_for(request.auth, params.area or "")
    report = survey_report(area, year)
    return {
        "fiscal_year": year,
        "area": _line(report.total),
        "rows": [_line(line) for line in report.rows],
    }
