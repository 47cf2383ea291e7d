"""Access rules of the survey import and export (see accounts/testing/access.py).

The import itself goes through the registry's import page and API (`registry-import`,
`api:start_import`, classified in access_imports.py): no URL of its own. The export of a round
needs `personal.view_flags` or `personal.export` in the round's district: "own" is a round of
district 1001, which the committee member finds (their community is in it) but may not export
(403); "other" one of 1004 (404 outside reach). Roles without either permission (central,
zone officers, auditors, committee members): 403.
"""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, scoped

from .access_survey_rounds import survey_round


def export_round_pk(objects, actor, which):
    return {"round_pk": survey_round(objects, which).pk}


def export_round_id(objects, actor, which):
    return {"round_id": survey_round(objects, which).pk}


ACCESS = {
    "survey-round-export": Rule({"GET": scoped("personal.view_flags")}, export_round_pk),
    "api:export_survey_round": Rule(
        {"GET": scoped("personal.view_flags")}, export_round_id, api=True
    ),
}
