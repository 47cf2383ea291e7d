"""Export of a survey round's surveys to xlsx or CSV, in the import's columns (one row per
member, the house's answers repeated on each row), so that an export can be imported again
(into another round: change the fiscal year and survey date columns).

- Who: `personal.export` or `personal.view_flags` where the surveys are (district officers
  and heads; not committee members, who record surveys but do not take personal data away in
  bulk). The round is found as the round pages find it (its district in reach, or the user
  works inside it); the rows are the surveys of the communities where the user holds one of
  those permissions. None anywhere in the district: 403.
- National IDs: in full with `personal.export` over everything exported (so that the file
  links members to the registry when imported again); masked (x-xxxx-...) with
  `records.view`, under the header "... (ปิดบางส่วน)", which the import does not read (the
  members are then imported by name); without `records.view` (committee members, who see no
  IDs in the registry) the column is left out.
- Choices are written as their Thai labels, yes/no as ใช่/ไม่ใช่, welfare as Thai labels
  separated by commas, money as numbers; after the import's columns come a few the import
  ignores: status, poor household, income per person, deprived dimensions, community name.
- Every export is logged (`survey.export`: round, format, rows, surveys, how IDs were shown).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.utils import translation
from django.views.generic import View

from chumchon.accounts.scoping import has_perm, path_filter, reach_of
from chumchon.core.audit import record_event
from chumchon.core.national_id import mask_national_id

from ..exports import FORMATS, export_response, thai_labels
from ..imports.columns import SURVEY_COLUMNS
from ..imports.surveys import MEMBER_COLUMNS, VOCABULARIES
from ..models import Survey, SurveyMember, SurveyRound
from . import domain, services
from .permissions import survey_round_get_for

EXPORT_PERMISSIONS = ("personal.export", "personal.view_flags")
YES, NO = "ใช่", "ไม่ใช่"
FULL, MASKED, NONE = "full", "masked", "none"
MASKED_SUFFIX = " (ปิดบางส่วน)"
EXTRA_HEADER = (
    "สถานะแบบสำรวจ",
    "ครัวเรือนยากจน",
    "รายได้ต่อคนต่อปี (บาท)",
    "มิติที่ขาดแคลน",
    "ชื่อชุมชน",
)
STATUS_WORDS = {"draft": "ฉบับร่าง", "submitted": "ส่งแล้ว"}


def export_paths(user: Any, survey_round: SurveyRound) -> list[str] | None:
    """Where in the round's district the user may export surveys: None for the whole
    district, else the areas (communities) inside it; [] for nowhere."""
    district = survey_round.area.path
    reach = reach_of(user)
    if reach.everything:
        return None
    paths: set[str] = set()
    for grant in reach.grants:
        if not (grant.everything or any(p in grant.permissions for p in EXPORT_PERMISSIONS)):
            continue
        if district.startswith(grant.path):
            return None
        if grant.path.startswith(district):
            paths.add(grant.path)
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def id_mode(user: Any, survey_round: SurveyRound, paths: list[str] | None) -> str:
    """How national IDs are shown: in full, masked, or not at all (see the module's doc)."""
    where = paths if paths is not None else [survey_round.area.path]
    if all(has_perm(user, "personal.export", path) for path in where):
        return FULL
    if all(has_perm(user, "records.view", path) for path in where):
        return MASKED
    return NONE


def survey_header(mode: str) -> list[str]:
    header = []
    for column in SURVEY_COLUMNS:
        if column.key == "national_id":
            if mode == NONE:
                continue
            header.append(column.thai + (MASKED_SUFFIX if mode == MASKED else ""))
        else:
            header.append(column.thai)
    return header + list(EXTRA_HEADER)


def round_surveys(survey_round: SurveyRound, paths: list[str] | None) -> QuerySet[Survey]:
    queryset = Survey.objects.filter(round=survey_round)
    if paths is not None:
        queryset = queryset.filter(path_filter(paths, "area__path"))
    members = SurveyMember.objects.select_related("person").order_by("position", "id")
    return (
        queryset.select_related("household", "area")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("area__path", "household__house_no_key", "household_id")
    )


def _word(value: bool | None) -> str:
    return "" if value is None else (YES if value else NO)


def survey_rows(
    survey_round: SurveyRound, surveys: QuerySet[Survey], mode: str
) -> Iterable[list[Any]]:
    labels = {name: thai_labels(choices) for name, choices in VOCABULARIES.items()}
    with translation.override("th"):
        dimensions = {code: str(label) for code, label in domain.DIMENSIONS}
    member_keys = [k for k in MEMBER_COLUMNS if k != "national_id" or mode != NONE]
    for survey in surveys.iterator(chunk_size=500):
        house = [
            survey.area.code,
            survey.household.house_no,
            survey.household.house_code,
            survey_round.fiscal_year,
            survey.surveyed_on,
            survey.surveyor_name,
            survey.respondent_name,
            survey.other_income_year,
            survey.expenses_month,
            survey.debt_formal,
            survey.debt_informal,
            survey.savings,
            labels["tenure"].get(survey.tenure, survey.tenure),
            labels["housing_condition"].get(survey.housing_condition, survey.housing_condition),
            _word(survey.drinking_water_enough),
            labels["water_source"].get(survey.water_source, survey.water_source),
            labels["electricity"].get(survey.electricity, survey.electricity),
            labels["waste"].get(survey.waste, survey.waste),
            ", ".join(labels["welfare_received"].get(c, c) for c in survey.welfare_received or []),
            survey.needs,
        ]
        extra = [
            STATUS_WORDS.get(survey.status, survey.status),
            _word(survey.is_poor),
            survey.income_per_person_year,
            ", ".join(dimensions[c] for c in survey.deprived_dimensions()),
            survey.area.name_th,
        ]
        members = list(survey.members.all())
        if not members:
            yield house + [""] * len(member_keys) + extra
            continue
        for m in members:
            values = {
                "national_id": _national_id(m, mode),
                "name": m.name,
                "age": services.member_age(m, survey.surveyed_on),
                "occupation": labels["occupation"].get(m.occupation, m.occupation),
                "income_year": m.income_year,
                "education": labels["education"].get(m.education, m.education),
                "in_school": _word(m.in_school),
                "reads_thai": _word(m.reads_thai),
                "health_insurance": labels["health_insurance"].get(
                    m.health_insurance, m.health_insurance
                ),
                "has_disability": _word(m.has_disability),
            }
            yield house + [values[k] for k in member_keys] + extra


def _national_id(member: SurveyMember, mode: str) -> str:
    if member.person is None or not member.person.national_id:
        return ""
    if mode == FULL:
        return member.person.national_id
    return mask_national_id(member.person.national_id)


def survey_round_export(*, actor: Any, survey_round: SurveyRound, fmt: str) -> HttpResponse:
    """The round's surveys the user may export, as an xlsx or CSV response; logged.
    Raises PermissionDenied (403) when the user may export none of them."""
    if fmt not in FORMATS:
        raise Http404
    paths = export_paths(actor, survey_round)
    if paths == []:
        raise PermissionDenied
    mode = id_mode(actor, survey_round, paths)
    surveys = round_surveys(survey_round, paths)
    rows = list(survey_rows(survey_round, surveys, mode))
    record_event(
        actor=actor,
        action="survey.export",
        obj=survey_round,
        changes={
            "format": fmt,
            "fiscal_year": survey_round.fiscal_year,
            "surveys": surveys.count(),
            "rows": len(rows),
            "national_ids": mode,
            "areas": paths or [survey_round.area.path],
        },
        area_path=paths[0] if paths and len(paths) == 1 else survey_round.area.path,
    )
    name = f"surveys-{survey_round.area.code}-{survey_round.fiscal_year}"
    return export_response(fmt, name, "แบบสำรวจ", survey_header(mode), rows)


# --- the page ----------------------------------------------------------------------------------


class SurveyRoundExportView(LoginRequiredMixin, View):
    """GET surveys/rounds/<round_pk>/export/?format=xlsx|csv: the round's surveys in the
    import's columns (see the module's doc for who sees what)."""

    def get(self, request, round_pk: int):
        survey_round = survey_round_get_for(request.user, round_pk)
        fmt = request.GET.get("format", "xlsx")
        return survey_round_export(actor=request.user, survey_round=survey_round, fmt=fmt)
