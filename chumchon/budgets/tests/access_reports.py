"""Access-matrix rules for the budget module's reports URLs.

A report reads an area's figures of a programme: `records.view` on the area. Without `?area`
(as the matrix calls it) the report opens on the city for central staff and on the user's own
area for the others, so every holder of `records.view` anywhere gets it; a committee member
(the programme is visible to them: their community is allocated) gets 403. The programme is
city-wide, so "own" and "other" name the same one. Areas outside reach answer 404: see
test_report_views.py and test_report_api.py."""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere
from chumchon.communities.tests import access_objects

from .factories import make_allocation, make_programme

VIEW = anywhere("records.view")


def programme(objects):
    key = ("budget_report_programme",)
    if key not in objects._cache:
        made = make_programme(2567, name_th="โครงการทดสอบรายงานงบประมาณ")
        for which in ("own", "other"):
            make_allocation(made, access_objects.community(objects, which))
        objects._cache[key] = made
    return objects._cache[key]


def programme_pk(objects, actor, which):
    return {"pk": programme(objects).pk}


def api_programme(objects, actor, which):
    return {"programme_id": programme(objects).pk}


ACCESS = {
    "budget-report": Rule({"GET": VIEW}, programme_pk),
    "budget-report-export": Rule({"GET": VIEW}, programme_pk),
    "api:get_budget_programme_summary": Rule({"GET": VIEW}, api_programme, api=True),
}
