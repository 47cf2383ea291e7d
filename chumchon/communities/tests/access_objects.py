"""Registry objects for the access matrix: made lazily on the matrix's `objects` (its cache),
in the actor's own community T-1001-01 ("own") or in T-1004-01, another zone ("other")."""

from __future__ import annotations

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.organizations.models import Area

from .factories import community_for_area, make_household, make_person


def community(objects, which: str):
    key = ("community", which)
    if key not in objects._cache:
        code = OWN_COMMUNITY if which == "own" else OTHER_COMMUNITY
        objects._cache[key] = community_for_area(Area.objects.get(code=code))
    return objects._cache[key]


def household(objects, which: str):
    key = ("household", which)
    if key not in objects._cache:
        objects._cache[key] = make_household(community(objects, which))
    return objects._cache[key]


def person(objects, which: str):
    key = ("person", which)
    if key not in objects._cache:
        objects._cache[key] = make_person(household(objects, which), relation="")
    return objects._cache[key]


def community_pk(objects, actor, which):
    return {"pk": community(objects, which).pk}


def household_pk(objects, actor, which):
    return {"pk": household(objects, which).pk}


def person_pk(objects, actor, which):
    return {"pk": person(objects, which).pk}
