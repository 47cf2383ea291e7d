"""Test helpers for the household survey: a round of the current fiscal year and a complete,
submitted survey in one call (through the services, so every rule applies)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chumchon.communities.models import Household, Survey, SurveyRound
from chumchon.communities.surveys import services
from chumchon.core.dates import fiscal_year
from chumchon.organizations.models import Area

COMPLETE_ANSWERS = {
    "tenure": "owner",
    "housing_condition": "good",
    "drinking_water_enough": True,
    "water_source": "tap",
    "electricity": "own_meter",
    "waste": "collected",
    "other_income_year": "0",
}
COMPLETE_MEMBER = {
    "occupation": "employee",
    "education": "upper_secondary",
    "health_insurance": "social_security",
    "reads_thai": True,
    "in_school": None,
}


def open_round(district_code: str = "1001", **values: Any) -> SurveyRound:
    existing = SurveyRound.objects.filter(
        area__code=district_code, fiscal_year=fiscal_year(timezone.localdate())
    ).first()
    if existing:
        return existing
    return services.survey_round_open(
        actor=None,
        district=Area.objects.get(code=district_code),
        fiscal_year_be=fiscal_year(timezone.localdate()),
        **values,
    )


def member(
    name: str = "สมาชิก", age: int | None = 40, income: str = "100000", **answers: Any
) -> dict:
    return {**COMPLETE_MEMBER, "name": name, "age": age, "income_year": income, **answers}


def submitted_survey(
    household: Household,
    *,
    members: list[dict] | None = None,
    answers: dict | None = None,
    surveyed_on: date | None = None,
    actor: Any = None,
) -> Survey:
    """Start, fill and submit a survey; `members` replaces the registry's prefill (default: one
    adult earning 100,000 baht a year)."""
    district = household.community.area.parent.code
    survey_round = open_round(district)
    survey = services.survey_start(
        actor=actor, household=household, survey_round=survey_round, surveyed_on=surveyed_on
    )
    services.survey_save(
        actor=actor,
        survey=survey,
        answers={**COMPLETE_ANSWERS, **(answers or {})},
        members=members if members is not None else [member("ผู้ตอบ")],
    )
    return services.survey_submit(actor=actor, survey=survey)


def income(value: str) -> Decimal:
    return Decimal(value)
