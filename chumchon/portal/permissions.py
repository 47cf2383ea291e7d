"""Who may open the shell's pages that are not tied to one record."""

from __future__ import annotations

from typing import Any

from chumchon.accounts.permissions import can_manage_users
from chumchon.accounts.scoping import has_perm_anywhere


def can_view_audit(user: Any) -> bool:
    """Audit and reveal logs (then scoped to the areas where the user holds `audit.view`)."""
    return has_perm_anywhere(user, "audit.view")


def can_manage_parameters(user: Any) -> bool:
    return has_perm_anywhere(user, "parameters.manage")


def can_view_areas(user: Any) -> bool:
    return has_perm_anywhere(user, "areas.view")


__all__ = ["can_manage_parameters", "can_manage_users", "can_view_areas", "can_view_audit"]
