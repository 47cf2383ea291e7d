"""Who sees and does what in the registry: one function per question, over accounts.scoping.

- Communities (profile, counts) are seen with `areas.view` in reach: staff and the community's
  own committee members.
- Households and people with `people.view`; national IDs (masked) with `records.view` (staff,
  not committee members); welfare flags with `personal.view_flags`; a full ID or the
  subject-access report with `personal.reveal`, each use logged.
- Writes need `records.edit` in reach; dissolving a community `records.dissolve`; exports of
  personal data `personal.export`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chumchon.accounts.scoping import (
    get_in_scope_or_404,
    has_perm,
    has_perm_anywhere,
    reach_of,
    scope_queryset,
)
from chumchon.organizations.models import Area

from .models import Community, Household, Move, Person


def community_scope(user: Any) -> QuerySet[Community]:
    return scope_queryset(
        Community.objects.select_related("area__parent__parent", "type"), user, perm="areas.view"
    )


def community_get_for(user: Any, pk: Any) -> Community:
    return get_in_scope_or_404(
        Community.objects.select_related("area__parent__parent", "area__kind", "type"),
        user,
        pk=pk,
    )


def household_scope(user: Any) -> QuerySet[Household]:
    return scope_queryset(
        Household.objects.select_related("community__area"), user, perm="people.view"
    )


def household_get_for(user: Any, pk: Any) -> Household:
    return get_in_scope_or_404(
        Household.objects.select_related("community__area__parent", "community__type", "area"),
        user,
        pk=pk,
    )


def person_scope(user: Any) -> QuerySet[Person]:
    return scope_queryset(
        Person.objects.select_related("area", "household"), user, perm="people.view"
    )


def person_get_for(user: Any, pk: Any) -> Person:
    return get_in_scope_or_404(
        Person.objects.select_related("area__parent", "household__community__area"),
        user,
        pk=pk,
    )


def community_find_for(user: Any, pk: Any) -> Community | None:
    """A community named in a request body: None when unknown or outside the user's reach (the
    caller answers 422 for a field, where a URL would answer 404)."""
    return scope_queryset(Community.objects.select_related("area"), user).filter(pk=pk).first()


def household_find_for(user: Any, pk: Any) -> Household | None:
    """A household named in a request body: None when unknown or outside the user's reach."""
    return (
        scope_queryset(Household.objects.select_related("community__area", "area"), user)
        .filter(pk=pk)
        .first()
    )


def moves_out_of_scope(user: Any) -> QuerySet[Move]:
    """History lines of moves out of the user's reach (the old district keeps them)."""
    return scope_queryset(Move.objects.all(), user, perm="people.view", path_field="from_path")


def can_view_community(user: Any, community: Community) -> bool:
    return has_perm(user, "areas.view", community.area)


def can_create_community_in(user: Any, parent: Area) -> bool:
    return has_perm(user, "records.edit", parent)


def can_create_communities(user: Any) -> bool:
    return has_perm_anywhere(user, "records.edit")


def can_edit_community(user: Any, community: Community) -> bool:
    return has_perm(user, "records.edit", community.area)


def can_dissolve_community(user: Any, community: Community) -> bool:
    return has_perm(user, "records.dissolve", community.area) and not community.is_dissolved


def can_view_people(user: Any, obj: Community | Household | Person | Area) -> bool:
    return has_perm(user, "people.view", _area(obj))


def can_edit_people(user: Any, obj: Community | Household | Person | Area) -> bool:
    return has_perm(user, "records.edit", _area(obj))


def can_view_national_ids(user: Any, obj: Community | Household | Person | Area) -> bool:
    """Masked IDs: staff only; committee members see no national IDs at all."""
    return has_perm(user, "records.view", _area(obj))


def can_view_welfare_flags(user: Any, obj: Community | Household | Person | Area) -> bool:
    return has_perm(user, "personal.view_flags", _area(obj))


def can_reveal_national_id(user: Any, person: Person) -> bool:
    return bool(person.national_id) and has_perm(user, "personal.reveal", person.area)


def can_view_subject_report(user: Any, person: Person) -> bool:
    return has_perm(user, "personal.reveal", person.area)


def can_view_history(user: Any, obj: Community | Household | Person) -> bool:
    return has_perm(user, "records.view", _area(obj))


def can_export_people(user: Any, area: Area) -> bool:
    return has_perm(user, "personal.export", area)


def can_export_communities(user: Any, area: Area) -> bool:
    return has_perm(user, "records.view", area)


def can_import(user: Any, area: Area | None = None) -> bool:
    if area is None:
        return has_perm_anywhere(user, "records.edit")
    return has_perm(user, "records.edit", area)


def import_areas(user: Any) -> list[str] | None:
    """Paths where the user may import (records.edit); None means everywhere."""
    reach = reach_of(user)
    return None if reach.everything else reach.paths_with("records.edit")


def _area(obj: Community | Household | Person | Area) -> Area:
    return obj if isinstance(obj, Area) else obj.area
