"""Who may manage which users: a user is in reach when one of their role assignments lies in an
area where the manager holds `users.manage`. Superusers are managed by superusers only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import RoleAssignment, User
from .scoping import path_filter, reach_of


def user_scope(manager: Any) -> QuerySet[User]:
    reach = reach_of(manager)
    if reach.everything:
        return User.objects.all()
    paths = reach.paths_with("users.manage")
    in_reach = RoleAssignment.objects.filter(path_filter(paths, "area__path")).values("user")
    return User.objects.filter(pk__in=in_reach, is_superuser=False)


def user_get_for(manager: Any, pk: Any) -> User:
    try:
        return user_scope(manager).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
