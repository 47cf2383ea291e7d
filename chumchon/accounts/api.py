from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from chumchon.core.api import ErrorOut

from .models import RoleAssignment
from .scoping import reach_of

router = Router(tags=["accounts"])


class AssignmentOut(Schema):
    role: str
    area_code: str
    valid_from: date
    valid_to: date | None


class MeOut(Schema):
    username: str
    name: str
    is_superuser: bool
    roles: list[AssignmentOut]
    permissions: list[str]


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest):
    """Who the caller is, their current roles and permissions."""
    user = request.auth
    assignments = (
        RoleAssignment.objects.active_on().filter(user=user).select_related("role", "area")
    )
    reach = reach_of(user)
    permissions = sorted({p for g in reach.grants for p in g.permissions})
    if reach.everything or any(g.everything for g in reach.grants):
        from .roles import PERMISSIONS

        permissions = sorted(PERMISSIONS)
    return {
        "username": user.get_username(),
        "name": str(user),
        "is_superuser": user.is_superuser,
        "roles": [
            {
                "role": a.role.code,
                "area_code": a.area.code,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            }
            for a in assignments
        ],
        "permissions": permissions,
    }
