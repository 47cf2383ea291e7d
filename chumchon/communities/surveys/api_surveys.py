"""REST endpoints of the household survey (api_surveys), on the registry router.

- `GET /surveys/` (scoped, filtered by round, community, status; paginated),
- `POST /surveys/` (start a draft: `household_id`, optional `surveyed_on`),
- `GET /surveys/{id}` (answers, members, classification with reasons),
- `PATCH /surveys/{id}` (save a draft: `answers` and/or the full `members` list; all or nothing),
- `POST /surveys/{id}/submit`, `POST /surveys/{id}/reopen` (`reason`).

Surveys hold incomes, debts and health answers: they are read with `surveys.record` or
`personal.view_flags`, written with `surveys.record`, reopened with `surveys.manage`. Outside
reach: 404. Money travels as strings with 2 decimals; dates as ISO (CE).
Errors of a save are keyed by question (`tenure`) or member (`members.2`, 1-based).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import Field

from chumchon.accounts.api_auth import TokenOrSession
from chumchon.accounts.scoping import has_perm_anywhere, path_filter, reach_of, require_perm
from chumchon.core.api import Page, PageParams, decimal_str, paginate

from ..api.common import ERRORS, fields_named, invalid, needs, router
from ..models import Survey
from ..permissions import household_scope
from . import domain, services
from .permissions import can_record_survey, can_reopen_survey, can_view_survey, survey_get_for

READ_PERMS = ("surveys.record", "personal.view_flags")
MONEY_ANSWERS = ("other_income_year", "expenses_month", "debt_formal", "debt_informal", "savings")


class _SurveyReadGate(TokenOrSession):
    """Authentication, then 403 unless the user may read surveys somewhere."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user is not None and not any(has_perm_anywhere(user, p) for p in READ_PERMS):
            raise PermissionDenied
        return user


_SurveyReadGate.__name__ = TokenOrSession.__name__


def _surveys():
    return Survey.objects.select_related("round", "household__community__area", "area")


def viewable_surveys(user: Any):
    """Surveys in the user's reach where a role lets them read surveys."""
    queryset = _surveys()
    reach = reach_of(user)
    if reach.everything:
        return queryset
    paths = sorted({path for perm in READ_PERMS for path in reach.paths_with(perm)})
    return queryset.filter(path_filter(paths, "area__path"))


# --- shapes ----------------------------------------------------------------------------------


class _SurveyFields(Schema):
    id: int
    household_id: int
    house_no: str
    community_id: int
    community_code: str
    round_id: int
    fiscal_year: int = Field(description="fiscal year of the round (BE)")
    status: str = Field(description="draft or submitted")
    surveyed_on: date
    surveyor_name: str
    respondent_name: str
    is_poor: bool | None = Field(description="null while a draft")
    deprivation_count: int | None = Field(description="TPMAP dimensions deprived; null for drafts")
    submitted_at: datetime | None


class SurveyOut(_SurveyFields):
    """A survey in a list (read from the model)."""

    @staticmethod
    def resolve_house_no(obj) -> str:
        return obj.household.house_no

    @staticmethod
    def resolve_community_id(obj) -> int:
        return obj.household.community_id

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.household.community.area.code

    @staticmethod
    def resolve_fiscal_year(obj) -> int:
        return obj.round.fiscal_year

    @staticmethod
    def resolve_deprivation_count(obj) -> int | None:
        return obj.deprivation_count if obj.is_submitted else None


class AnswersOut(Schema):
    other_income_year: str | None
    expenses_month: str | None
    debt_formal: str | None
    debt_informal: str | None
    savings: str | None
    tenure: str
    housing_condition: str
    drinking_water_enough: bool | None
    water_source: str
    electricity: str
    waste: str
    welfare_received: list[str]
    needs: str


class SurveyMemberOut(Schema):
    position: int
    person_id: int | None = Field(description="the registry person, null if not registered")
    name: str
    age: int | None = Field(description="on the survey date (from the birth date if registered)")
    occupation: str
    income_year: str
    education: str
    in_school: bool | None
    reads_thai: bool | None
    health_insurance: str
    has_disability: bool


class ReasonOut(Schema):
    rule: str
    target: str = Field(description="poor, or a dimension: health, living, education, ...")
    measure: str
    value: str
    threshold: str
    th: str
    en: str


class ClassificationOut(Schema):
    is_poor: bool
    income_per_person_year: str | None
    deprived: dict[str, bool] = Field(description="each TPMAP dimension: deprived or not")
    deprivation_count: int
    reasons: list[ReasonOut]


class SurveyDetailOut(_SurveyFields):
    answers: AnswersOut
    members: list[SurveyMemberOut]
    classification: ClassificationOut | None = Field(
        description="stored at submission; null for a draft (see `preview`)"
    )
    preview: ClassificationOut | None = Field(
        description="a draft's classification if it were submitted now; null once submitted"
    )


class SurveyIn(Schema):
    household_id: int
    surveyed_on: date | None = Field(None, description="ISO date (CE); default today")


def _codes(choices) -> str:
    return ", ".join(code for code, _label in choices)


ANSWERS_HELP = (
    "Household answers; only those sent are changed (null clears one). Money as strings in "
    'baht ("1500.50"); yes/no answers as true/false. Questions: surveyor_name, '
    "respondent_name, other_income_year, expenses_month, debt_formal, debt_informal, savings, "
    "tenure (owner, owner_house, rent, free, encroach, other), housing_condition (good, fair, "
    f"poor), drinking_water_enough, water_source ({_codes(domain.WATER_SOURCE_CHOICES)}), "
    f"electricity ({_codes(domain.ELECTRICITY_CHOICES)}), waste ({_codes(domain.WASTE_CHOICES)}), "
    f"welfare_received (a list of: {_codes(domain.WELFARE_CHOICES)}), needs."
)
MEMBERS_HELP = (
    "The whole member list (replaces it), in order; errors name `members.<n>` (1-based). Each "
    "member: person_id (a registry person of the household) or name (someone not registered), "
    "age (years; ignored when the registry has the birth date), occupation "
    f"({_codes(domain.OCCUPATION_CHOICES)}), income_year (baht per year, a string), education "
    f"({_codes(domain.EDUCATION_CHOICES)}), in_school, reads_thai (true/false/null), "
    f"health_insurance ({_codes(domain.HEALTH_INSURANCE_CHOICES)}), has_disability (true/false)."
)


class SurveyPatch(Schema):
    """A draft's answers (checked by the survey's rules: unknown questions are refused)."""

    surveyed_on: date | None = Field(None, description="ISO date (CE) within the round")
    answers: dict[str, Any] | None = Field(None, description=ANSWERS_HELP)
    members: list[dict[str, Any]] | None = Field(None, description=MEMBERS_HELP)


class ReopenIn(Schema):
    reason: str = Field("", description="why (at least 10 characters)")


class SurveyFilters(PageParams):
    round: int | None = Field(None, description="survey round id")
    community: int | None = Field(None, description="community id")
    status: str | None = Field(None, description="draft or submitted")


# --- detail ----------------------------------------------------------------------------------


def _classification(is_poor, income, deprived: dict[str, bool], reasons: list) -> dict[str, Any]:
    return {
        "is_poor": bool(is_poor),
        "income_per_person_year": decimal_str(income),
        "deprived": {code: bool(deprived.get(code)) for code in domain.DIMENSION_CODES},
        "deprivation_count": sum(1 for code in domain.DIMENSION_CODES if deprived.get(code)),
        "reasons": [
            {
                k: str(r.get(k, ""))
                for k in ("rule", "target", "measure", "value", "threshold", "th", "en")
            }
            for r in reasons or []
        ],
    }


def _detail(survey: Survey) -> dict[str, Any]:
    survey = _surveys().get(pk=survey.pk)
    members = list(survey.members.select_related("person"))
    answers = {name: getattr(survey, name) for name in services.HOUSEHOLD_ANSWERS}
    for name in MONEY_ANSWERS:
        answers[name] = decimal_str(answers[name])
    answers["welfare_received"] = list(survey.welfare_received or [])
    classification = preview = None
    if survey.is_submitted:
        classification = _classification(
            survey.is_poor,
            survey.income_per_person_year,
            {code: getattr(survey, f"deprived_{code}") for code in domain.DIMENSION_CODES},
            survey.reasons,
        )
    else:
        try:
            result = services.classify_facts(
                services.survey_facts(survey, members), survey.surveyed_on
            )
            measures = domain.compute_measures(
                services.survey_facts(survey, members), services.ages_on(survey.surveyed_on)
            )
            preview = _classification(
                result.is_poor, measures["income_per_person_year"], result.deprived, result.reasons
            )
        except ValidationError:
            preview = None  # a parameter is missing on that date: nothing to preview
    return {
        "id": survey.pk,
        "household_id": survey.household_id,
        "house_no": survey.household.house_no,
        "community_id": survey.household.community_id,
        "community_code": survey.household.community.area.code,
        "round_id": survey.round_id,
        "fiscal_year": survey.round.fiscal_year,
        "status": survey.status,
        "surveyed_on": survey.surveyed_on,
        "surveyor_name": survey.surveyor_name,
        "respondent_name": survey.respondent_name,
        "is_poor": survey.is_poor,
        "deprivation_count": survey.deprivation_count if survey.is_submitted else None,
        "submitted_at": survey.submitted_at,
        "answers": answers,
        "members": [
            {
                "position": m.position,
                "person_id": m.person_id,
                "name": m.name,
                "age": services.member_age(m, survey.surveyed_on),
                "occupation": m.occupation,
                "income_year": decimal_str(m.income_year),
                "education": m.education,
                "in_school": m.in_school,
                "reads_thai": m.reads_thai,
                "health_insurance": m.health_insurance,
                "has_disability": m.has_disability,
            }
            for m in members
        ],
        "classification": classification,
        "preview": preview,
    }


def _readable(request: HttpRequest, survey_id: int) -> Survey:
    survey = survey_get_for(request.auth, survey_id)
    if not can_view_survey(request.auth, survey):
        raise PermissionDenied
    return survey


def _writable(request: HttpRequest, survey_id: int) -> Survey:
    survey = survey_get_for(request.auth, survey_id)
    if not can_record_survey(request.auth, survey):
        raise PermissionDenied
    return survey


# --- operations ------------------------------------------------------------------------------


@router.get("/surveys/", response={200: Page[SurveyOut], **ERRORS}, auth=[_SurveyReadGate()])
def list_surveys(request: HttpRequest, filters: Query[SurveyFilters]):
    """Household surveys in the caller's reach (readers of surveys: `surveys.record` or
    `personal.view_flags`), newest round first, then by community and house number."""
    queryset = viewable_surveys(request.auth).order_by(
        "-round__fiscal_year", "area__path", "household__house_no_key", "pk"
    )
    if filters.round is not None:
        queryset = queryset.filter(round_id=filters.round)
    if filters.community is not None:
        queryset = queryset.filter(household__community_id=filters.community)
    if filters.status:
        if filters.status not in Survey.Status.values:
            raise invalid(
                "status",
                _("Unknown status “%(value)s”: use draft or submitted.")
                % {"value": filters.status},
            )
        queryset = queryset.filter(status=filters.status)
    return paginate(queryset, filters)


@router.post("/surveys/", response={201: SurveyDetailOut, **ERRORS}, auth=needs("surveys.record"))
def create_survey(request: HttpRequest, payload: SurveyIn):
    """Start the survey of a household in its district's open round (the fiscal year of
    `surveyed_on`): members come from the registry, answers from last year's survey. A
    household outside the caller's reach is unknown (422)."""
    user = request.auth
    household = household_scope(user).filter(pk=payload.household_id).first()
    if household is None:
        raise invalid(
            "household_id", _("No household with id %(id)s.") % {"id": payload.household_id}
        )
    require_perm(user, "surveys.record", household)
    with fields_named(default="household_id"):
        survey = services.survey_start(
            actor=user, household=household, surveyed_on=payload.surveyed_on
        )
    return Status(201, _detail(survey))


@router.get("/surveys/{survey_id}", response={200: SurveyDetailOut, **ERRORS})
def get_survey(request: HttpRequest, survey_id: int):
    """One survey: answers, members (ages on the survey date), the stored classification with
    its reasons (Thai and English), or a draft's preview."""
    return _detail(_readable(request, survey_id))


@router.patch("/surveys/{survey_id}", response={200: SurveyDetailOut, **ERRORS})
def update_survey(request: HttpRequest, survey_id: int, payload: SurveyPatch | None = None):
    """Save a draft: the answers sent and, if sent, the whole member list. All or nothing: any
    invalid answer answers 422 naming the question or the member (`members.2`)."""
    payload = payload or SurveyPatch()
    survey = _writable(request, survey_id)
    members = None
    if payload.members is not None:
        members = [
            {("person" if key == "person_id" else key): value for key, value in m.items()}
            for m in payload.members
        ]
    services.survey_save(
        actor=request.auth,
        survey=survey,
        answers=payload.answers,
        members=members,
        surveyed_on=payload.surveyed_on,
    )
    return _detail(survey)


@router.post("/surveys/{survey_id}/submit", response={200: SurveyDetailOut, **ERRORS})
def submit_survey(request: HttpRequest, survey_id: int):
    """Submit a complete draft: it is classified (poor or not, TPMAP deprivations, reasons) with
    the rules and thresholds of its date, and the household's poverty status follows it. A
    missing answer is a 422 naming the question or the member."""
    survey = _writable(request, survey_id)
    services.survey_submit(actor=request.auth, survey=survey)
    return _detail(survey)


@router.post("/surveys/{survey_id}/reopen", response={200: SurveyDetailOut, **ERRORS})
def reopen_survey(request: HttpRequest, survey_id: int, payload: ReopenIn | None = None):
    """Return a submitted survey to draft for corrections (`surveys.manage`), with a reason."""
    payload = payload or ReopenIn()
    survey = survey_get_for(request.auth, survey_id)
    if not can_reopen_survey(request.auth, survey):
        raise PermissionDenied
    services.survey_reopen(actor=request.auth, survey=survey, reason=payload.reason)
    return _detail(survey)
