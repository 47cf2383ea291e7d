"""Who sees and does what with household surveys (over accounts.scoping, like the registry).

- Rounds (a district's survey for a fiscal year, its coverage) are seen with `records.view` in
  reach (staff); opened, closed and reopened with `surveys.manage` at the district (officers).
- A survey holds incomes, debts and health answers (personal data): it is seen and filled in
  with `surveys.record` (district officers, heads, the community's committee members, who often
  survey) or read with `personal.view_flags`; a submitted survey is reopened with
  `surveys.manage`. Out of reach is 404 everywhere.
- Reports (counts only, no person) need `reports.view` at the area reported on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chumchon.accounts.scoping import (
    get_in_scope_or_404,
    has_perm,
    has_perm_anywhere,
    scope_queryset,
)
from chumchon.organizations.models import Area

from ..models import Household, Survey, SurveyRound


def survey_round_scope(user: Any) -> QuerySet[SurveyRound]:
    return scope_queryset(SurveyRound.objects.select_related("area"), user, perm="records.view")


def survey_round_get_for(user: Any, pk: Any) -> SurveyRound:
    return get_in_scope_or_404(SurveyRound.objects.select_related("area__parent"), user, pk=pk)


def survey_scope(user: Any) -> QuerySet[Survey]:
    return scope_queryset(
        Survey.objects.select_related("round", "household", "area"), user, perm="people.view"
    )


def survey_get_for(user: Any, pk: Any) -> Survey:
    return get_in_scope_or_404(
        Survey.objects.select_related("round__area", "household__community__area", "area"),
        user,
        pk=pk,
    )


def can_view_rounds(user: Any, area: Area | SurveyRound) -> bool:
    return has_perm(user, "records.view", area)


def can_manage_rounds(user: Any, area: Area | SurveyRound) -> bool:
    return has_perm(user, "surveys.manage", area)


def can_manage_any_round(user: Any) -> bool:
    return has_perm_anywhere(user, "surveys.manage")


def can_record_survey(user: Any, obj: Household | Survey) -> bool:
    return has_perm(user, "surveys.record", obj.area)


def can_view_survey(user: Any, obj: Household | Survey) -> bool:
    return has_perm(user, "surveys.record", obj.area) or has_perm(
        user, "personal.view_flags", obj.area
    )


def can_reopen_survey(user: Any, survey: Survey) -> bool:
    return has_perm(user, "surveys.manage", survey.area)


def can_view_survey_reports(user: Any, area: Area) -> bool:
    return has_perm(user, "reports.view", area)
