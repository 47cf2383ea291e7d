"""Reads of the household survey for screens, the API and exports: a round's coverage, its
progress per community and per surveyor, and the poverty report of a fiscal year over an area.

Counts are aggregated in SQL (a fixed number of queries whatever the number of communities,
households or surveys); percentages are computed once on the exact counts and rounded half up
to 2 decimals (`core.money.percent`).

"Registered" households are read from the registry as it is today: the active households of
the communities that are active today (the registry keeps no dated household status), so the
coverage of a past round is measured against today's registry. "Surveyed" households are the
round's submitted surveys (one per household and round); a survey counts in the community it
was made in (its `area`), even if the household moved since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from chumchon.accounts.scoping import has_perm_anywhere, reach_of
from chumchon.core.money import percent
from chumchon.organizations.models import Area

from ..models import Community, Household, Survey, SurveyRound
from . import domain
from .permissions import can_view_survey_reports

SUBMITTED = Survey.Status.SUBMITTED
DRAFT = Survey.Status.DRAFT
#: deprivation-count bands of the report: 0, 1, 2, 3 or more of the five dimensions
DEPRIVATION_BANDS = ("0", "1", "2", "3_or_more")


def coverage_percent(surveyed: int, registered: int) -> Decimal | None:
    """Surveyed out of registered, in %, 2 decimals half up; None when nobody is registered."""
    return percent(surveyed, registered) if registered else None


def registered_households() -> QuerySet[Household]:
    """Households counted as registered: active, in a community that is active today."""
    return Household.objects.filter(is_active=True, community__status=Community.Status.ACTIVE)


def _count(queryset: QuerySet, group: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


# --- rounds -------------------------------------------------------------------------------------


def with_coverage(queryset: QuerySet[SurveyRound]) -> QuerySet[SurveyRound]:
    """Annotate each round with `registered` (registered households of its district today),
    `submitted` and `drafts` (its surveys), in the same query as the rounds."""
    surveys = Survey.objects.filter(round=OuterRef("pk"))
    return queryset.annotate(
        registered=_count(
            registered_households().filter(area__parent=OuterRef("area")), "area__parent"
        ),
        submitted=_count(surveys.filter(status=SUBMITTED), "round"),
        drafts=_count(surveys.filter(status=DRAFT), "round"),
    )


def round_coverage(survey_round: SurveyRound) -> dict[str, Any]:
    """`registered`, `submitted`, `drafts`, `not_started` (registered households without any
    survey yet, at least 0) and `percent` (submitted out of registered) of a round: 2 queries."""
    registered = registered_households().filter(area__parent=survey_round.area_id).count()
    counts = Survey.objects.filter(round=survey_round).aggregate(
        submitted=Count("pk", filter=Q(status=SUBMITTED)),
        drafts=Count("pk", filter=Q(status=DRAFT)),
    )
    started = counts["submitted"] + counts["drafts"]
    return {
        "registered": registered,
        "submitted": counts["submitted"],
        "drafts": counts["drafts"],
        "not_started": max(registered - started, 0),
        "percent": coverage_percent(counts["submitted"], registered),
    }


def round_communities(survey_round: SurveyRound) -> list[dict[str, Any]]:
    """Progress per community of the round's district, by community code: the communities
    active today and any other with a survey in the round (dissolved since). Each row:
    `community` (with its area), `registered`, `submitted`, `drafts`, `percent`, `poor`
    (submitted surveys classified poor) and `last_surveyed_on` (latest survey date, drafts
    included). 3 queries."""
    district_id = survey_round.area_id
    surveys = {
        row["area_id"]: row
        for row in Survey.objects.filter(round=survey_round)
        .order_by()
        .values("area_id")
        .annotate(
            submitted=Count("pk", filter=Q(status=SUBMITTED)),
            drafts=Count("pk", filter=Q(status=DRAFT)),
            poor=Count("pk", filter=Q(status=SUBMITTED, is_poor=True)),
            last_surveyed_on=Max("surveyed_on"),
        )
    }
    registered = dict(
        registered_households()
        .filter(area__parent=district_id)
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    communities = (
        Community.objects.filter(area__parent=district_id)
        .filter(Q(status=Community.Status.ACTIVE) | Q(area__in=list(surveys)))
        .select_related("area__kind")
        .order_by("area__code")
    )
    rows = []
    for community in communities:
        done = surveys.get(community.area_id, {})
        row = {
            "community": community,
            "registered": registered.get(community.pk, 0),
            "submitted": done.get("submitted", 0),
            "drafts": done.get("drafts", 0),
            "poor": done.get("poor", 0),
            "last_surveyed_on": done.get("last_surveyed_on"),
        }
        row["percent"] = coverage_percent(row["submitted"], row["registered"])
        rows.append(row)
    return rows


def _user_label(row: dict[str, Any]) -> str:
    full = " ".join(p for p in (row["surveyor__first_name"], row["surveyor__last_name"]) if p)
    return row["surveyor__display_name"] or full or row["surveyor__username"] or ""


def round_surveyors(survey_round: SurveyRound) -> list[dict[str, Any]]:
    """Who surveyed: one row per surveyor (the name written on the survey, else the user who
    recorded it), with `submitted` and `drafts`; most submitted first. `user_id` and `user`
    name the account that recorded the surveys (None when imported without one). 1 query."""
    rows = (
        Survey.objects.filter(round=survey_round)
        .order_by()
        .values(
            "surveyor_id",
            "surveyor_name",
            "surveyor__username",
            "surveyor__display_name",
            "surveyor__first_name",
            "surveyor__last_name",
        )
        .annotate(
            submitted=Count("pk", filter=Q(status=SUBMITTED)),
            drafts=Count("pk", filter=Q(status=DRAFT)),
        )
    )
    result = []
    for row in rows:
        user = _user_label(row) if row["surveyor_id"] else None
        result.append(
            {
                "name": (row["surveyor_name"] or "").strip() or user or "",
                "user_id": row["surveyor_id"],
                "user": user,
                "submitted": row["submitted"],
                "drafts": row["drafts"],
            }
        )
    result.sort(key=lambda r: (-r["submitted"], -r["drafts"], r["name"]))
    return result


def round_fiscal_years(queryset: QuerySet[SurveyRound]) -> list[int]:
    """The fiscal years of the given rounds, newest first."""
    return sorted(
        set(queryset.order_by().values_list("fiscal_year", flat=True).distinct()), reverse=True
    )


# --- the report ---------------------------------------------------------------------------------


@dataclass
class ReportLine:
    """Counts of one area (a child area, or the total) in the fiscal year's report."""

    area: Area | None = None
    registered: int = 0
    surveyed: int = 0
    poor: int = 0
    deprived: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(domain.DIMENSION_CODES, 0)
    )
    deprivations: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(DEPRIVATION_BANDS, 0)
    )

    @property
    def coverage_percent(self) -> Decimal | None:
        return coverage_percent(self.surveyed, self.registered)

    @property
    def poor_percent(self) -> Decimal | None:
        """Poor households out of the surveyed ones."""
        return percent(self.poor, self.surveyed) if self.surveyed else None

    def deprived_list(self) -> list[tuple[str, int]]:
        return [(code, self.deprived[code]) for code in domain.DIMENSION_CODES]

    def bands_list(self) -> list[tuple[str, int]]:
        return [(band, self.deprivations[band]) for band in DEPRIVATION_BANDS]

    def add(self, other: ReportLine) -> None:
        self.registered += other.registered
        self.surveyed += other.surveyed
        self.poor += other.poor
        for code in domain.DIMENSION_CODES:
            self.deprived[code] += other.deprived[code]
        for band in DEPRIVATION_BANDS:
            self.deprivations[band] += other.deprivations[band]


@dataclass
class Report:
    area: Area
    fiscal_year: int
    rows: list[ReportLine]
    total: ReportLine


def report_children(area: Area) -> QuerySet[Area]:
    """The areas a report lists: a city's zones, a zone's districts, a district's communities
    (a community lists none: its report is its total)."""
    return Area.objects.filter(parent=area).select_related("kind").order_by("code")


def survey_report(area: Area, fiscal_year: int) -> Report:
    """The poverty report of fiscal year `fiscal_year` (BE) over `area`: one line per child area
    and the total. Counts households registered today (see the module's note) and the
    classification snapshot of the SUBMITTED surveys of that year's rounds made in the area:
    surveyed, poor, deprived in each of the five dimensions, and by number of deprivations
    (0, 1, 2, 3 or more). The caller checks the user's reach (`can_view_survey_reports`).

    3 queries: the child areas, and the households and surveys grouped by community, rolled
    up to the child areas by path (a few thousand groups at most, for a whole city)."""
    prefix = area.path
    depth = len(area.ancestor_codes())
    children = list(report_children(area))
    lines = {child.code: ReportLine(area=child) for child in children}
    total = ReportLine(area=area)

    def line_for(path: str) -> ReportLine | None:
        codes = path.strip("/").split("/")
        return lines.get(codes[depth]) if len(codes) > depth else None

    households = (
        registered_households()
        .filter(area__path__startswith=prefix)
        .order_by()
        .values("area__path")
        .annotate(n=Count("pk"))
    )
    for row in households:
        part = ReportLine(registered=row["n"])
        total.add(part)
        if (line := line_for(row["area__path"])) is not None:
            line.add(part)

    submitted = Q(status=SUBMITTED)
    counts = {
        "surveyed": Count("pk"),
        "poor": Count("pk", filter=Q(is_poor=True)),
        **{
            f"d_{code}": Count("pk", filter=Q(**{f"deprived_{code}": True}))
            for code in domain.DIMENSION_CODES
        },
        "b_0": Count("pk", filter=Q(deprivation_count=0)),
        "b_1": Count("pk", filter=Q(deprivation_count=1)),
        "b_2": Count("pk", filter=Q(deprivation_count=2)),
        "b_3_or_more": Count("pk", filter=Q(deprivation_count__gte=3)),
    }
    surveys = (
        Survey.objects.filter(
            submitted, round__fiscal_year=fiscal_year, area__path__startswith=prefix
        )
        .order_by()
        .values("area__path")
        .annotate(**counts)
    )
    for row in surveys:
        part = ReportLine(
            surveyed=row["surveyed"],
            poor=row["poor"],
            deprived={code: row[f"d_{code}"] for code in domain.DIMENSION_CODES},
            deprivations={band: row[f"b_{band}"] for band in DEPRIVATION_BANDS},
        )
        total.add(part)
        if (line := line_for(row["area__path"])) is not None:
            line.add(part)
    return Report(
        area=area, fiscal_year=fiscal_year, rows=[lines[c.code] for c in children], total=total
    )


def report_roots(user: Any) -> list[Area]:
    """The widest areas where the user may see reports (the report's default area, top first;
    every top area of the installation for an administrator)."""
    reach = reach_of(user)
    areas = Area.objects.select_related("kind").order_by("path")
    if reach.everything:
        return list(areas.filter(parent__isnull=True))
    paths = reach.paths_with("reports.view")
    return list(areas.filter(path__in=paths)) if paths else []


def report_area_for(user: Any, code: str) -> Area:
    """The area a report is asked for (`code`; blank: the user's widest). A user who may see
    no report anywhere: 403 (whatever the code, like the API's gate); an area outside the
    user's reach or unknown: 404; in reach without `reports.view` there: 403."""
    if not has_perm_anywhere(user, "reports.view"):
        raise PermissionDenied
    code = (code or "").strip()
    if not code:
        roots = report_roots(user)
        if not roots:
            raise PermissionDenied
        return roots[0]
    area = Area.objects.select_related("kind", "parent").filter(code=code).first()
    if area is None or not reach_of(user).covers(area.path):
        raise Http404
    if not can_view_survey_reports(user, area):
        raise PermissionDenied
    return area


def report_ancestors(area: Area, reachable: Any) -> list[Area]:
    """The areas above `area` (top first) for which `reachable(area)` holds: the drill-up
    links of the report. 1 query."""
    return [a for a in area.ancestors(include_self=False) if reachable(a)]


def with_survey_status(queryset: QuerySet[Household], survey_round: SurveyRound) -> QuerySet:
    """Annotate households with `survey_id` and `survey_status` in `survey_round` (None when
    not started): one subquery each, in the same query as the households."""
    surveys = Survey.objects.filter(round=survey_round, household=OuterRef("pk"))
    return queryset.annotate(
        survey_id=Subquery(surveys.values("pk")[:1]),
        survey_status=Subquery(surveys.values("status")[:1]),
    )
