"""Access rules of survey rounds and poverty reports (see accounts/testing/access.py).

Rounds are a district's: "own" is a round of district 1001 (the committee member works in one
of its communities, so finds it and gets 403), "other" one of 1004 (404 outside reach). The
matrix's rounds are of the previous fiscal year, so that closing them (an empty POST closes an
open round) leaves the current year's round alone for the survey pages' rules. An empty POST to
reopen answers 422 (the reason is required); to close a closed round, 422. Reports and their
export take the year and area from the query string (default: the current year, the user's
widest area): `anywhere("reports.view")` here, scoping in test_survey_reports.py.
"""

from __future__ import annotations

from django.utils import timezone

from chumchon.accounts.testing.access import Rule, anywhere, scoped
from chumchon.conftest import OTHER_DISTRICT, OWN_DISTRICT
from chumchon.core.dates import fiscal_year
from chumchon.organizations.models import Area

INVALID_OK = {"invalid_ok": True}


def survey_round(objects, which: str):
    """A round of the previous fiscal year in district 1001 ("own") or 1004 ("other")."""
    from chumchon.communities.models import SurveyRound
    from chumchon.communities.surveys import services

    key = ("survey_round", which)
    if key not in objects._cache:
        district = Area.objects.get(code=OWN_DISTRICT if which == "own" else OTHER_DISTRICT)
        year = fiscal_year(timezone.localdate()) - 1
        objects._cache[key] = SurveyRound.objects.filter(
            area=district, fiscal_year=year
        ).first() or services.survey_round_open(actor=None, district=district, fiscal_year_be=year)
    return objects._cache[key]


def round_pk(objects, actor, which):
    return {"pk": survey_round(objects, which).pk}


def round_id(objects, actor, which):
    return {"round_id": survey_round(objects, which).pk}


def _manage_page() -> Rule:
    return Rule(dict.fromkeys(("GET", "POST"), scoped("surveys.manage")), round_pk)


def _rounds_collection() -> Rule:
    return Rule(
        {"GET": anywhere("records.view"), "POST": anywhere("surveys.manage")},
        api=True,
        extra=INVALID_OK,
    )


def _round_action() -> Rule:
    return Rule({"POST": scoped("surveys.manage")}, round_id, api=True, extra=INVALID_OK)


ACCESS = {
    # pages
    "survey-round-list": Rule({"GET": anywhere("records.view")}),
    "survey-round-create": Rule(dict.fromkeys(("GET", "POST"), anywhere("surveys.manage"))),
    "survey-round-detail": Rule({"GET": scoped("records.view")}, round_pk),
    "survey-round-close": _manage_page(),
    "survey-round-reopen": _manage_page(),
    "survey-round-reclassify": _manage_page(),
    "survey-report": Rule({"GET": anywhere("reports.view")}),
    "survey-report-export": Rule({"GET": anywhere("reports.view")}),
    # API
    "api:list_survey_rounds": _rounds_collection(),
    "api:open_survey_round": _rounds_collection(),
    "api:get_survey_round": Rule({"GET": scoped("records.view")}, round_id, api=True),
    "api:close_survey_round": _round_action(),
    "api:reopen_survey_round": _round_action(),
    "api:reclassify_survey_round": _round_action(),
    "api:get_survey_report": Rule({"GET": anywhere("reports.view")}, api=True),
}
