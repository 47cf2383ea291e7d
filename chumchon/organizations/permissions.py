"""Who sees which areas. The area tree's names and codes are open reference data (the public
API lists them); the area *pages* and what hangs off an area are scoped to the user's reach."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chumchon.accounts.scoping import get_in_scope_or_404, has_perm, scope_queryset

from .models import Area


def area_scope(user: Any) -> QuerySet[Area]:
    return scope_queryset(
        Area.objects.select_related("kind", "parent__kind"), user, path_field="path"
    )


def area_get_for(user: Any, code: str) -> Area:
    return get_in_scope_or_404(
        Area.objects.select_related("kind", "parent"), user, path_field="path", code=code
    )


def can_edit_area(user: Any, area: Area) -> bool:
    return has_perm(user, "records.edit", area)


def can_export_area(user: Any, area: Area) -> bool:
    return has_perm(user, "jobs.run", area)


def can_view_area_records(user: Any, area: Area) -> bool:
    """Files and change history of an area are for staff (not committee members)."""
    return has_perm(user, "records.view", area)


def can_view_factsheet(user: Any, area: Area) -> bool:
    return has_perm(user, "areas.view", area)
