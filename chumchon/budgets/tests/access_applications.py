"""Access-matrix rules for the budget module's application pages and API.

The matrix's objects: a programme of its own name (so as not to collide with the other budget
access files) with a transferred allocation for the own and the other community, each with an
APPROVED application prepared by a stranger, so that every empty POST that passes access
control is refused as input (400/422 or a page re-rendered with its errors) and changes
nothing. Reading needs `records.view` or `community.view_own` in reach (every role holds one
wherever it reaches: scoped("areas.view")); preparing `budgets.apply`; reviewing and attaching
`records.edit`; approving and returning `records.approve`.
"""

from __future__ import annotations

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped
from chumchon.communities.tests import access_objects

from ..models import Application
from .factories import make_application, make_programme, make_transferred

INVALID_OK = {"invalid_ok": True}


def programme(objects):
    key = ("budget-app-programme",)
    if key not in objects._cache:
        objects._cache[key] = make_programme(name_th="โครงการทดสอบสิทธิ์คำขอ")
    return objects._cache[key]


def application(objects, which: str):
    key = ("budget-application", which)
    if key not in objects._cache:
        made = programme(objects)
        allocations = {
            w: make_transferred(made, access_objects.community(objects, w), user=objects.stranger)
            for w in ("own", "other")
        }
        for w, allocation in allocations.items():
            objects._cache[("budget-application", w)] = make_application(
                allocation,
                prepared_by=objects.stranger,
                status=Application.Status.APPROVED,
                decided_by=objects.stranger,
            )
    return objects._cache[key]


def allocation_pk(objects, actor, which):
    return {"pk": application(objects, which).allocation_id}


def application_pk(objects, actor, which):
    return {"pk": application(objects, which).pk}


def application_id(objects, actor, which):
    return {"application_id": application(objects, which).pk}


def programme_id(objects, actor, which):
    application(objects, "own")  # the programme reaches the committee member's community
    return {"programme_id": programme(objects).pk}


def _page_post(perm: str) -> Rule:
    return Rule({"POST": scoped(perm)}, application_pk, extra=INVALID_OK)


def _api_post(perm: str) -> Rule:
    return Rule({"POST": scoped(perm)}, application_id, api=True, extra=INVALID_OK)


_PROGRAMME_APPLICATIONS = Rule(
    {"GET": LOGIN, "POST": anywhere("budgets.apply")}, programme_id, api=True, extra=INVALID_OK
)

ACCESS = {
    "budget-queue": Rule({"GET": LOGIN}),
    "budget-allocation-detail": Rule({"GET": scoped("areas.view")}, allocation_pk),
    "budget-application-edit": Rule(
        {"GET": scoped("budgets.apply"), "POST": scoped("budgets.apply")},
        allocation_pk,
        extra=INVALID_OK,
    ),
    "budget-application-submit": _page_post("budgets.apply"),
    "budget-application-review": _page_post("records.edit"),
    "budget-application-approve": _page_post("records.approve"),
    "budget-application-return": _page_post("records.approve"),
    "budget-application-attach": _page_post("budgets.apply"),
    "api:create_application": _PROGRAMME_APPLICATIONS,
    "api:list_applications": _PROGRAMME_APPLICATIONS,
    "api:get_application": Rule({"GET": scoped("areas.view")}, application_id, api=True),
    "api:review_application": _api_post("records.edit"),
    "api:approve_application": _api_post("records.approve"),
    "api:return_application": _api_post("records.approve"),
}
