"""Who sees and does what with community funds (over accounts.scoping).

Permissions (migration 0002):
- ``funds.view``: read a fund's books. Staff in reach (district officer and head, zone,
  central, auditor) read every fund under their area; the fund's own committee reads its fund.
- ``funds.manage``: create a fund, change its rules, add accounts, appoint its committee
  (district officer and head).
- ``funds.record``: record entries, add members, import opening balances, close periods (the
  fund's treasurer and clerk; the district officer and head on the fund's behalf).
- ``funds.confirm``: confirm or reject entries above the fund's threshold (the fund's chair and
  other committee members, the treasurer; the district head), never one's own (a service rule).

The fund roles (``fund_treasurer``, ``fund_clerk``, ``fund_committee``) are granted at the
fund's area by ``services_setup.officer_grant_role`` and linked to the ``FundOfficer`` seat. A
community may run several funds: a fund role acts only on the fund whose seat granted it, while
staff roles act on every fund under their area.

Outside the user's reach a fund is 404; inside it without the permission, 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chumchon.accounts.scoping import path_filter, reach_of, scope_queryset

from .models import Fund, FundOfficer

FUND_ROLES = frozenset({"fund_treasurer", "fund_clerk", "fund_committee"})

#: the role a seat on the fund's committee is granted
POSITION_ROLE = {
    "treasurer": "fund_treasurer",
    "clerk": "fund_clerk",
    "chair": "fund_committee",
    "vice_chair": "fund_committee",
    "secretary": "fund_committee",
    "member": "fund_committee",
}

VIEW, MANAGE, RECORD, CONFIRM = "funds.view", "funds.manage", "funds.record", "funds.confirm"


def _staff_paths(user: Any, perm: str) -> list[str]:
    """Areas where a role other than a fund role gives ``perm``."""
    reach = reach_of(user)
    return sorted(
        {
            g.path
            for g in reach.grants
            if g.role_code not in FUND_ROLES and (g.everything or perm in g.permissions)
        }
    )


def _seat_fund_ids(user: Any, perm: str) -> QuerySet:
    """Funds where the user's active fund role (granted for a seat) gives ``perm``."""
    today = timezone.localdate()
    return (
        FundOfficer.objects.filter(
            role_assignment__user=user,
            role_assignment__valid_from__lte=today,
            role_assignment__role__permissions__code=perm,
        )
        .filter(Q(role_assignment__valid_to__isnull=True) | Q(role_assignment__valid_to__gte=today))
        .values("fund_id")
    )


def fund_scope(user: Any, perm: str = VIEW) -> QuerySet[Fund]:
    """The funds on which the user holds ``perm``."""
    base = Fund.objects.select_related("area", "kind")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if reach_of(user).everything:
        return base
    return base.filter(
        path_filter(_staff_paths(user, perm), "area__path") | Q(pk__in=_seat_fund_ids(user, perm))
    )


def can(user: Any, fund: Fund, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    reach = reach_of(user)
    if reach.everything:
        return True
    path = fund.area.path
    if any(path.startswith(p) for p in _staff_paths(user, perm)):
        return True
    return _seat_fund_ids(user, perm).filter(fund_id=fund.pk).exists()


def can_view(user: Any, fund: Fund) -> bool:
    return can(user, fund, VIEW)


def can_manage(user: Any, fund: Fund) -> bool:
    return can(user, fund, MANAGE)


def can_record(user: Any, fund: Fund) -> bool:
    return can(user, fund, RECORD)


def can_confirm(user: Any, fund: Fund) -> bool:
    return can(user, fund, CONFIRM)


def can_create_funds(user: Any) -> bool:
    return bool(reach_of(user).everything or _staff_paths(user, MANAGE))


def fund_get_for(user: Any, pk: Any, perm: str = VIEW) -> Fund:
    """The fund: 404 outside the user's reach, 403 inside it without ``perm``."""
    try:
        fund = scope_queryset(Fund.objects.select_related("area", "kind"), user).get(pk=pk)
    except (Fund.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can(user, fund, perm):
        raise PermissionDenied
    return fund


def creatable_areas(user: Any) -> QuerySet:
    """Areas (communities and districts) where the user may create a fund."""
    from chumchon.organizations.models import Area

    areas = Area.objects.filter(kind__code__in=["community", "district"])
    if reach_of(user).everything:
        return areas
    return areas.filter(path_filter(_staff_paths(user, MANAGE), "path"))
