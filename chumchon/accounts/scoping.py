"""The one scoping mechanism: what every query returns for a user.

A user's *reach* is the union of the subtrees of the areas where they hold an active role
assignment. Records carry an area; a query is scoped by a prefix match on the area's path.
- Outside reach: the record does not exist for the user (404).
- In reach but no role there grants the permission: 403.
A Django superuser is a system administrator of the whole installation: every area, every
permission. The system-administrator role assigned at an area holds every permission in that
area's subtree (a municipality's own administrator does not see another city).

Every app's `permissions.py` builds on `scope_queryset`, `get_in_scope_or_404` and `has_perm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import RoleAssignment


@dataclass(frozen=True)
class Grant:
    path: str
    role_code: str
    permissions: frozenset[str]
    everything: bool


class Reach:
    """The areas a user may see, with the permissions held at each."""

    def __init__(self, grants: list[Grant], *, everything: bool = False):
        self.grants = grants
        self.everything = everything

    @property
    def paths(self) -> list[str]:
        """Minimal set of subtree roots (nested subtrees removed)."""
        paths = sorted({g.path for g in self.grants})
        result: list[str] = []
        for path in paths:
            if not any(path.startswith(kept) for kept in result):
                result.append(path)
        return result

    def paths_with(self, perm: str | None) -> list[str]:
        if perm is None:
            return self.paths
        paths = sorted({g.path for g in self.grants if g.everything or perm in g.permissions})
        result: list[str] = []
        for path in paths:
            if not any(path.startswith(kept) for kept in result):
                result.append(path)
        return result

    def covers(self, path: str) -> bool:
        return self.everything or any(path.startswith(g.path) for g in self.grants)

    def allows(self, perm: str, path: str) -> bool:
        if self.everything:
            return True
        return any(
            path.startswith(g.path) and (g.everything or perm in g.permissions) for g in self.grants
        )

    def role_codes(self) -> set[str]:
        return {g.role_code for g in self.grants}


EMPTY = Reach([])


def reach_of(user: Any, on: date | None = None) -> Reach:
    """The user's reach today (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    day = on or timezone.localdate()
    cache_key = f"_chumchon_reach_{day.isoformat()}"
    cached = getattr(user, cache_key, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        reach = Reach([], everything=True)
    else:
        assignments = (
            RoleAssignment.objects.active_on(day)
            .filter(user=user)
            .select_related("area", "role")
            .prefetch_related("role__permissions")
        )
        grants = [
            Grant(
                path=a.area.path,
                role_code=a.role.code,
                permissions=frozenset(p.code for p in a.role.permissions.all()),
                everything=a.role.is_system,
            )
            for a in assignments
        ]
        reach = Reach(grants)
    setattr(user, cache_key, reach)
    return reach


def clear_reach_cache(user: Any) -> None:
    for name in [n for n in vars(user) if n.startswith("_chumchon_reach_")]:
        delattr(user, name)


def path_filter(paths: list[str], path_field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    query = Q()
    for path in paths:
        query |= Q(**{f"{path_field}__startswith": path})
    return query


def scope_queryset(
    queryset: QuerySet, user: Any, *, perm: str | None = None, path_field: str = "area__path"
) -> QuerySet:
    """The records of `queryset` within the user's reach (where they hold `perm`, if given)."""
    reach = reach_of(user)
    if reach.everything:
        return queryset
    return queryset.filter(path_filter(reach.paths_with(perm), path_field))


def scope_queryset_any(
    queryset: QuerySet, user: Any, perms: tuple[str, ...], path_field: str = "area__path"
) -> QuerySet:
    """The records of `queryset` where the user holds any of `perms` (e.g. staff reading
    with records.view, a community's committee with community.view_own)."""
    reach = reach_of(user)
    if reach.everything:
        return queryset
    paths = sorted({p for perm in perms for p in reach.paths_with(perm)})
    return queryset.filter(path_filter(paths, path_field))


def path_of(obj: Model, path_field: str = "area__path") -> str:
    value: Any = obj
    for part in path_field.split("__"):
        value = getattr(value, part)
    return value


def get_in_scope_or_404(
    queryset: QuerySet, user: Any, *, path_field: str = "area__path", **lookup: Any
) -> Model:
    """One record in the user's reach; anything else is indistinguishable from missing."""
    try:
        return scope_queryset(queryset, user, path_field=path_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def has_perm(user: Any, perm: str, obj_or_path: Model | str) -> bool:
    path = obj_or_path if isinstance(obj_or_path, str) else _path(obj_or_path)
    return reach_of(user).allows(perm, path)


def require_perm(user: Any, perm: str, obj_or_path: Model | str) -> None:
    """403 when the user lacks `perm` at the record's area (call after a scoped lookup)."""
    if not has_perm(user, perm, obj_or_path):
        raise PermissionDenied


def has_perm_anywhere(user: Any, perm: str) -> bool:
    reach = reach_of(user)
    return reach.everything or bool(reach.paths_with(perm))


def _path(obj: Model) -> str:
    if hasattr(obj, "path") and hasattr(obj, "kind_id"):
        return obj.path
    area = getattr(obj, "area", None)
    if area is not None:
        return area.path
    return getattr(obj, "area_path", "")


# --- records that own attachments, jobs and other generic children ----------------------------

SCOPED_MODELS: dict[str, tuple[str, tuple[str, ...]]] = {}


def register_scoped(
    model: type[Model],
    path_field: str = "area__path",
    view_perm: str | tuple[str, ...] = "records.view",
) -> None:
    """Declare how a model is scoped and which permission reading its children (attachments)
    needs (one of several, when a tuple is given), so generic children can check their owner."""
    perms = (view_perm,) if isinstance(view_perm, str) else tuple(view_perm)
    SCOPED_MODELS[model._meta.label_lower] = (path_field, perms)


def owner_in_scope_or_404(user: Any, model: type[Model] | None, object_id: Any) -> Model:
    """The owning record: 404 outside reach (or unknown), 403 without its view permission."""
    if model is None or model._meta.label_lower not in SCOPED_MODELS:
        raise Http404
    path_field, view_perms = SCOPED_MODELS[model._meta.label_lower]
    owner = get_in_scope_or_404(
        model._default_manager.all(), user, path_field=path_field, pk=object_id
    )
    path = path_of(owner, path_field)
    if not any(has_perm(user, perm, path) for perm in view_perms):
        raise PermissionDenied
    return owner
