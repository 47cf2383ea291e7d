"""Access rules of the household survey's pages and API (see accounts/testing/access.py).

A survey is personal data (incomes, debts, health): filled in with `surveys.record` (district
officers and heads, the community's committee members), read with `surveys.record` or
`personal.view_flags` (the same roles in the default matrix), reopened with `surveys.manage`.
The matrix's surveys are drafts of the "own" household (district 1001) and the "other" one
(district 1004), each in an open round of the current fiscal year. Empty POSTs: the start page
redirects (to the survey already started, or back with the reason); the form and reopen pages
re-render with their errors; the API answers 422 ("invalid_ok").
"""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped
from chumchon.communities.models import Survey
from chumchon.communities.surveys import services

from . import access_objects
from .survey_factories import open_round

INVALID_OK = {"invalid_ok": True}
RECORD = scoped("surveys.record")


def _district_code(which: str) -> str:
    return "1001" if which == "own" else "1004"


def survey(objects, which: str):
    """A draft survey of the matrix's own/other household (made once, cached)."""
    key = ("survey", which)
    if key not in objects._cache:
        household = access_objects.household(objects, which)
        survey_round = open_round(_district_code(which))
        started = Survey.objects.filter(round=survey_round, household=household).first()
        objects._cache[key] = started or services.survey_start(
            actor=None, household=household, survey_round=survey_round
        )
    return objects._cache[key]


def household_with_round(objects, actor, which):
    """The household's district has an open round, so that starting a survey can succeed."""
    open_round(_district_code(which))
    return access_objects.household_pk(objects, actor, which)


def survey_pk(objects, actor, which):
    return {"pk": survey(objects, which).pk}


def survey_id(objects, actor, which):
    return {"survey_id": survey(objects, which).pk}


ACCESS = {
    # pages
    "survey-start": Rule({"POST": RECORD}, household_with_round),
    "survey-detail": Rule({"GET": RECORD}, survey_pk),
    "survey-edit": Rule({"GET": RECORD, "POST": RECORD}, survey_pk),
    "survey-reopen": Rule(
        {"GET": scoped("surveys.manage"), "POST": scoped("surveys.manage")}, survey_pk
    ),
    # API: one URL pattern per path, answering every method of that path
    "api:list_surveys": Rule(
        {"GET": anywhere("surveys.record"), "POST": anywhere("surveys.record")},
        api=True,
        extra=INVALID_OK,
    ),
    "api:create_survey": Rule(
        {"GET": anywhere("surveys.record"), "POST": anywhere("surveys.record")},
        api=True,
        extra=INVALID_OK,
    ),
    "api:get_survey": Rule({"GET": RECORD, "PATCH": RECORD}, survey_id, api=True, extra=INVALID_OK),
    "api:update_survey": Rule(
        {"GET": RECORD, "PATCH": RECORD}, survey_id, api=True, extra=INVALID_OK
    ),
    "api:submit_survey": Rule({"POST": RECORD}, survey_id, api=True, extra=INVALID_OK),
    "api:reopen_survey": Rule(
        {"POST": scoped("surveys.manage")}, survey_id, api=True, extra=INVALID_OK
    ),
}
