"""Who sees and does what with community committees (over accounts.scoping).

- A community's committee, its terms and elections are seen by staff in reach (`records.view`)
  and by the community's own committee members (`community.view_own`).
- Elections, candidates, ballots, terms, members, positions, advisers, working groups and
  reports are written with `committees.manage` (district officer, head); certifying an
  election's result needs `records.approve` (division head); ending a term early by district
  order needs `records.dissolve` (division head).
- Seat policies are city-wide reference data: everyone (also the public) reads them; adding or
  ending one needs `committees.policy` (system administrator).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chumchon.accounts.scoping import (
    get_in_scope_or_404,
    has_perm,
    has_perm_anywhere,
    scope_queryset_any,
)

from .models import CommitteeReport, CommitteeTerm, Election

PATH = "community__area__path"
VIEW_PERMS = ("records.view", "community.view_own")


def _scope_any(queryset: QuerySet, user: Any, path_field: str) -> QuerySet:
    """Records where the user holds any of the view permissions."""
    return scope_queryset_any(queryset, user, VIEW_PERMS, path_field)


def can_view_committee(user: Any, obj: Any) -> bool:
    return any(has_perm(user, perm, obj) for perm in VIEW_PERMS)


def election_scope(user: Any) -> QuerySet[Election]:
    return _scope_any(
        Election.objects.select_related("community__area__parent", "policy", "term"), user, PATH
    )


def election_get_for(user: Any, pk: Any) -> Election:
    return get_in_scope_or_404(
        Election.objects.select_related("community__area__parent__parent", "policy", "term"),
        user,
        path_field=PATH,
        pk=pk,
    )


def term_scope(user: Any) -> QuerySet[CommitteeTerm]:
    return _scope_any(
        CommitteeTerm.objects.select_related("community__area__parent", "policy"), user, PATH
    )


def term_get_for(user: Any, pk: Any) -> CommitteeTerm:
    return get_in_scope_or_404(
        CommitteeTerm.objects.select_related("community__area__parent", "policy", "election"),
        user,
        path_field=PATH,
        pk=pk,
    )


def report_get_for(user: Any, pk: Any) -> CommitteeReport:
    return get_in_scope_or_404(
        CommitteeReport.objects.select_related("term__community__area"),
        user,
        path_field="term__community__area__path",
        pk=pk,
    )


def can_manage_committee(user: Any, obj: Any) -> bool:
    """Run elections and keep the committee of `obj` (a community, election or term)."""
    return has_perm(user, "committees.manage", obj)


def can_manage_committees_anywhere(user: Any) -> bool:
    return has_perm_anywhere(user, "committees.manage")


def can_certify_election(user: Any, election: Election) -> bool:
    return has_perm(user, "records.approve", election)


def can_end_term_early(user: Any, term: CommitteeTerm) -> bool:
    return has_perm(user, "records.dissolve", term)


def can_view_city_status(user: Any) -> bool:
    return has_perm_anywhere(user, "records.view")


def can_manage_policies(user: Any) -> bool:
    return has_perm_anywhere(user, "committees.policy")
