"""Screen reads over the area tree: aggregates in SQL, constant query counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, QuerySet

from chumchon.accounts.scoping import path_filter, reach_of

from .models import Area, AreaKind


def public_areas(*, kind: str | None = None, parent_code: str | None = None) -> QuerySet[Area]:
    qs = Area.objects.select_related("kind", "parent").order_by("path")
    if kind:
        qs = qs.filter(kind__code=kind)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    return qs


def descendant_counts(areas: list[Area]) -> dict[int, dict[str, int]]:
    """For each area, how many descendants of each level it has: one query for all."""
    if not areas:
        return {}
    rows = Area.objects.filter(path_filter([a.path for a in areas], "path")).values_list(
        "path", "kind__code"
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for path, kind_code in rows:
        for area in areas:
            if path != area.path and path.startswith(area.path):
                counts[area.pk][kind_code] += 1
    return {pk: dict(c) for pk, c in counts.items()}


def kind_labels() -> list[AreaKind]:
    return list(AreaKind.objects.all())


def home_areas(user: Any) -> list[dict[str, Any]]:
    """The areas where the user holds roles, each with its roles and descendant counts."""
    reach = reach_of(user)
    if reach.everything:
        areas = list(Area.objects.roots().select_related("kind"))
        roles_by_path = {a.path: ["__superuser__"] for a in areas}
    else:
        roles_by_path: dict[str, list[str]] = defaultdict(list)
        for grant in reach.grants:
            roles_by_path[grant.path].append(grant.role_code)
        areas = list(Area.objects.filter(path__in=list(roles_by_path)).select_related("kind"))
    counts = descendant_counts(areas)
    return [
        {"area": a, "role_codes": roles_by_path[a.path], "counts": counts.get(a.pk, {})}
        for a in sorted(areas, key=lambda a: a.path)
    ]


def children_with_counts(area: Area) -> list[dict[str, Any]]:
    children = list(area.children.select_related("kind").order_by("code"))
    counts = descendant_counts(children)
    return [{"area": c, "counts": counts.get(c.pk, {})} for c in children]


def kind_totals(area: Area) -> dict[str, int]:
    return dict(
        Area.objects.filter(path__startswith=area.path)
        .exclude(pk=area.pk)
        .values_list("kind__code")
        .annotate(n=Count("id"))
        .values_list("kind__code", "n")
    )


def area_events(area: Area, limit: int = 50):
    """The audit events of one area record (the area page's history tab)."""
    from chumchon.core.models import AuditEvent

    return AuditEvent.objects.filter(
        object_type="organizations.area", object_id=str(area.pk)
    ).select_related("actor")[:limit]
