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

from django.db.models import Q, QuerySet
from django.http import Http404

from chumchon.accounts.scoping import (
    get_in_scope_or_404,
    has_perm,
    has_perm_anywhere,
    path_filter,
    reach_of,
    scope_queryset,
)
from chumchon.organizations.models import Area

from ..models import Household, Survey, SurveyRound


def survey_round_scope(user: Any) -> QuerySet[SurveyRound]:
    return scope_queryset(SurveyRound.objects.select_related("area"), user, perm="records.view")


def survey_round_get_for(user: Any, pk: Any) -> SurveyRound:
    """A round in reach: its district is within the user's reach, or the user works inside
    that district (a committee member of one of its communities finds the round, and the
    caller's `can_view_rounds` answers 403 rather than 404). Any other district: 404."""
    queryset = SurveyRound.objects.select_related("area__parent", "area__kind")
    reach = reach_of(user)
    if not reach.everything:
        ancestors = {
            "/" + "/".join(parts[:n]) + "/"
            for parts in (g.path.strip("/").split("/") for g in reach.grants)
            for n in range(1, len(parts))
        }  # the areas above those where the user holds a role
        queryset = queryset.filter(
            path_filter(reach.paths, "area__path") | Q(area__path__in=ancestors)
        )
    try:
        return queryset.get(pk=pk)
    except (SurveyRound.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


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
