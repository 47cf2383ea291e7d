"""Who sees and does what with budget programmes (over accounts.scoping).

- Programmes are city-wide: staff read them (``records.view`` anywhere) and community committee
  members read the ones their community is in; central staff (``programmes.manage``) create
  them, set their spending rules, allocate, transfer to districts and close them.
- Allocations, applications and payments belong to a community: staff in reach read them
  (``records.view``), as does the community's own committee (``community.view_own``).
- An application is prepared and submitted with ``budgets.apply`` on its community (the
  committee, or the district officer on its behalf), reviewed with ``records.edit`` (district
  officer), approved or returned with ``records.approve`` (division head), never by whoever
  prepared it.
- Payments are recorded with ``records.edit`` and confirmed with ``records.approve`` by someone
  other than who recorded them; carry-overs are recorded with ``records.approve``.
- Reports: ``records.view`` on the area asked for.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from chumchon.accounts.scoping import (
    get_in_scope_or_404,
    has_perm,
    has_perm_anywhere,
    scope_queryset_any,
)

from .models import Allocation, Application, Disbursement, Programme, Transfer

PATH = "community__area__path"
VIEW_PERMS = ("records.view", "community.view_own")


def _scope_any(queryset: QuerySet, user: Any, path_field: str) -> QuerySet:
    """Records where the user holds any of the view permissions."""
    return scope_queryset_any(queryset, user, VIEW_PERMS, path_field)


def can_view_community_budget(user: Any, obj: Any) -> bool:
    return any(has_perm(user, perm, obj) for perm in VIEW_PERMS)


# --- programmes (city-wide) ---------------------------------------------------------------


def can_manage_programmes(user: Any) -> bool:
    return has_perm_anywhere(user, "programmes.manage")


def programme_scope(user: Any) -> QuerySet[Programme]:
    """Programmes the user may see: all for staff; for a committee member, the programmes
    their community has an allocation in."""
    base = Programme.objects.select_related("owner_area")
    if has_perm_anywhere(user, "records.view") or can_manage_programmes(user):
        return base
    mine = _scope_any(Allocation.objects.all(), user, PATH).values("programme_id")
    return base.filter(pk__in=mine)


def programme_get_for(user: Any, pk: Any) -> Programme:
    """A programme the user may see; anything else is indistinguishable from missing."""
    try:
        return programme_scope(user).get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- community records --------------------------------------------------------------------


def allocation_scope(user: Any) -> QuerySet[Allocation]:
    return _scope_any(
        Allocation.objects.select_related("community__area__parent", "programme", "transfer"),
        user,
        PATH,
    )


def allocation_get_for(user: Any, pk: Any) -> Allocation:
    return get_in_scope_or_404(
        Allocation.objects.select_related("community__area__parent", "programme", "transfer"),
        user,
        path_field=PATH,
        pk=pk,
    )


def application_scope(user: Any) -> QuerySet[Application]:
    return _scope_any(
        Application.objects.select_related("community__area__parent", "programme", "allocation"),
        user,
        PATH,
    )


def application_get_for(user: Any, pk: Any) -> Application:
    return get_in_scope_or_404(
        Application.objects.select_related(
            "community__area__parent", "programme", "allocation", "prepared_by"
        ),
        user,
        path_field=PATH,
        pk=pk,
    )


def disbursement_get_for(user: Any, pk: Any) -> Disbursement:
    return get_in_scope_or_404(
        Disbursement.objects.select_related(
            "application__community__area__parent", "application__programme"
        ),
        user,
        path_field="application__" + PATH,
        pk=pk,
    )


def transfer_scope(user: Any) -> QuerySet[Transfer]:
    return _scope_any(
        Transfer.objects.select_related("district", "programme"), user, "district__path"
    )


def transfer_get_for(user: Any, pk: Any) -> Transfer:
    return get_in_scope_or_404(
        Transfer.objects.select_related("district", "programme", "recorded_by"),
        user,
        path_field="district__path",
        pk=pk,
    )


def can_apply(user: Any, community: Any) -> bool:
    """Prepare and submit an application for the community (its committee or the district)."""
    return has_perm(user, "budgets.apply", community)


def can_review(user: Any, application: Application) -> bool:
    return has_perm(user, "records.edit", application)


def can_decide(user: Any, application: Application) -> bool:
    """Approve or return (the division head); maker-checker is the service's rule."""
    return has_perm(user, "records.approve", application)


def can_record_payment(user: Any, application: Application) -> bool:
    return has_perm(user, "records.edit", application)


def can_confirm_payment(user: Any, application: Application) -> bool:
    return has_perm(user, "records.approve", application)


def can_carry_over(user: Any, application: Application) -> bool:
    return has_perm(user, "records.approve", application)
