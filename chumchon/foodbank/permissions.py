"""Who sees and does what in the food bank (over accounts.scoping).

Permissions (migration 0002):
- ``foodbank.view``: read donors, donations, distributions, stock, beneficiaries and reports
  under the user's area (district officer and head, zone, central, auditor).
- ``foodbank.donors``: keep the donor list (district officer and head for their district;
  central officers for city-wide donors under an agreement).
- ``foodbank.record``: record surplus donations and distributions, the catalogue and stock
  (district officer and head).
- ``foodbank.assess``: register and assess beneficiaries, award points (district officer and
  head).
- ``foodbank.redeem``: the counter: find a beneficiary, redeem points for goods, print the
  receipt (district officer and head; the ``foodbank_clerk`` role at a district).
Central staff change the impact factors through the dated parameters page
(``parameters.manage``). The impact totals are public (``/foodbank/impact/`` and the API).

Outside the user's reach a record is 404; inside it without the permission, 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chumchon.accounts.scoping import (
    has_perm,
    has_perm_anywhere,
    reach_of,
    require_perm,
    scope_queryset,
)
from chumchon.organizations.models import Area

from .models import (
    Beneficiary,
    Distribution,
    Donor,
    Item,
    Redemption,
    Store,
    SurplusDonation,
)

VIEW = "foodbank.view"
DONORS = "foodbank.donors"
RECORD = "foodbank.record"
ASSESS = "foodbank.assess"
REDEEM = "foodbank.redeem"

# the path field of each scoped model
PATHS = {
    Donor: "area__path",
    SurplusDonation: "district__path",
    Distribution: "district__path",
    Store: "area__path",
    Item: "store__area__path",
    Beneficiary: "store__area__path",
    Redemption: "store__area__path",
}


def scope(qs: QuerySet, user: Any, perm: str = VIEW) -> QuerySet:
    """The rows of ``qs`` under the areas where ``user`` holds ``perm``."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return scope_queryset(qs, user, perm=perm, path_field=PATHS[qs.model])


def get_for(user: Any, qs: QuerySet, pk: Any, perm: str = VIEW) -> Any:
    """One row: 404 outside the user's reach, 403 inside it without ``perm``."""
    if not getattr(user, "is_authenticated", False):
        from django.http import Http404

        raise Http404
    try:
        obj = qs.filter(pk=pk).first()
    except (ValueError, TypeError):
        obj = None
    if obj is None or not in_reach(user, path_of(obj)):
        from django.http import Http404

        raise Http404
    require_perm(user, perm, path_of(obj))
    return obj


def in_reach(user: Any, path: str) -> bool:
    """A district-level record is in reach of the user's areas under it or above it: the own
    community's committee member gets 403 (not 404) for their district's food bank, as the
    access matrix expects for "own" objects."""
    reach = reach_of(user)
    return reach.covers(path) or any(g.path.startswith(path) for g in reach.grants)


def path_of(obj: Any) -> str:
    if isinstance(obj, Area):
        return obj.path
    value: Any = obj
    for part in PATHS[type(obj)].split("__"):
        value = getattr(value, part)
    return value


def can(user: Any, perm: str, obj: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return has_perm(user, perm, path_of(obj))


def can_anywhere(user: Any, perm: str) -> bool:
    return getattr(user, "is_authenticated", False) and has_perm_anywhere(user, perm)


def districts_for(user: Any, perm: str) -> QuerySet[Area]:
    """The districts under the areas where ``user`` holds ``perm`` (for pickers)."""
    base = Area.objects.filter(kind__code="district", is_active=True).order_by("code")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if reach_of(user).everything:
        return base
    return scope_queryset(base, user, perm=perm, path_field="path")


def donor_areas_for(user: Any) -> QuerySet[Area]:
    """Areas a donor may be registered at by ``user``: districts, and the city for central
    staff holding foodbank.donors there."""
    base = Area.objects.filter(kind__code__in=["district", "city"], is_active=True).order_by(
        "depth", "code"
    )
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if reach_of(user).everything:
        return base
    return scope_queryset(base, user, perm=DONORS, path_field="path")


def district_get_for(user: Any, code: str, perm: str) -> Area:
    """A district by code: 404 outside reach or not a district, 403 without ``perm``."""
    area = Area.objects.filter(kind__code="district", code=code).first()
    if (
        area is None
        or not getattr(user, "is_authenticated", False)
        or not in_reach(user, area.path)
    ):
        from django.http import Http404

        raise Http404
    require_perm(user, perm, area.path)
    return area
