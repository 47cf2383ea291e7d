"""The registry API in the access matrix (see accounts/testing/access.py for the vocabulary).

django-ninja names one URL pattern per operation, and each pattern answers every method of its
path: both names of a path carry the same methods. Empty POST bodies answer 422 once access is
granted ("invalid_ok"); an empty PATCH changes nothing and answers 200.
"""

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped

from . import access_objects

INVALID_OK = {"invalid_ok": True}


def community_id(objects, actor, which):
    return {"community_id": access_objects.community(objects, which).pk}


def household_id(objects, actor, which):
    return {"household_id": access_objects.household(objects, which).pk}


def person_id(objects, actor, which):
    return {"person_id": access_objects.person(objects, which).pk}


def _collection(perm: str = "records.edit") -> Rule:
    return Rule({"GET": LOGIN, "POST": anywhere(perm)}, api=True, extra=INVALID_OK)


def _item(kwargs, view: str) -> Rule:
    return Rule({"GET": scoped(view), "PATCH": scoped("records.edit")}, kwargs, api=True)


ACCESS = {
    "api:list_communities": _collection(),
    "api:create_community": _collection(),
    "api:get_community": _item(community_id, "areas.view"),
    "api:update_community": _item(community_id, "areas.view"),
    "api:dissolve_community": Rule(
        {"POST": scoped("records.dissolve")}, community_id, api=True, extra=INVALID_OK
    ),
    "api:list_community_households": Rule({"GET": scoped("people.view")}, community_id, api=True),
    "api:list_households": _collection(),
    "api:create_household": _collection(),
    "api:get_household": _item(household_id, "people.view"),
    "api:update_household": _item(household_id, "people.view"),
    "api:move_household": Rule(
        {"POST": scoped("records.edit")}, household_id, api=True, extra=INVALID_OK
    ),
    "api:list_people": _collection(),
    "api:create_person": _collection(),
    "api:quick_register_person": Rule(
        {"POST": anywhere("records.edit")}, api=True, extra=INVALID_OK
    ),
    "api:get_person": _item(person_id, "people.view"),
    "api:update_person": _item(person_id, "people.view"),
    "api:move_person": Rule(
        {"POST": scoped("records.edit")}, person_id, api=True, extra=INVALID_OK
    ),
    "api:set_person_status": Rule(
        {"POST": scoped("records.edit")}, person_id, api=True, extra=INVALID_OK
    ),
    "api:reveal_national_id": Rule(
        {"POST": scoped("personal.reveal")}, person_id, api=True, extra=INVALID_OK
    ),
    "api:subject_access_report": Rule(
        {"POST": scoped("personal.reveal")}, person_id, api=True, extra=INVALID_OK
    ),
    # search (results scoped): without q / national_id the answer is 422
    "api:search_registry": Rule({"GET": anywhere("people.view")}, api=True, extra=INVALID_OK),
    "api:search_national_id": Rule({"POST": anywhere("records.view")}, api=True, extra=INVALID_OK),
}
