"""Who may manage which users.

A user is in a manager's reach when every area where the user holds an active role lies within
an area where the manager holds `users.manage` (and the user holds at least one active role).
A user with any wider role (a city officer seen from a district) stays out of reach, and
superusers are managed by superusers only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import RoleAssignment, User
from .scoping import path_filter, reach_of


def user_scope(manager: Any) -> QuerySet[User]:
    reach = reach_of(manager)
    if reach.everything:
        return User.objects.all()
    paths = reach.paths_with("users.manage")
    if not paths:
        return User.objects.none()
    active = RoleAssignment.objects.active_on()
    inside = active.filter(path_filter(paths, "area__path")).values("user")
    outside = active.exclude(path_filter(paths, "area__path")).values("user")
    return User.objects.filter(Q(pk__in=inside) & ~Q(pk__in=outside), is_superuser=False)


def user_get_for(manager: Any, pk: Any) -> User:
    try:
        return user_scope(manager).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def can_manage_users(user: Any) -> bool:
    """The users page: superusers, and holders of `users.manage` somewhere."""
    from .scoping import has_perm_anywhere

    return bool(getattr(user, "is_superuser", False)) or has_perm_anywhere(user, "users.manage")
