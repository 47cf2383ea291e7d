"""The budget programmes card on the community page (registered in apps.py through
communities.panels): the community's allocations of this and last fiscal year, with the
allocation's and the application's status, the approved and paid amounts. Shown to staff in
reach and to the community's committee; four queries whatever the number of allocations."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from chumchon.accounts.scoping import has_perm
from chumchon.core.dates import fiscal_year

from .models import Allocation
from .permissions import can_view_community_budget
from .selectors import allocation_money


def community_panel(request: Any, community: Any) -> str | None:
    user = request.user
    if not can_view_community_budget(user, community):
        return None
    year = fiscal_year(timezone.localdate())
    allocations = list(
        Allocation.objects.filter(community=community, programme__fiscal_year__in=(year, year - 1))
        .select_related("programme", "application")
        .order_by("-programme__fiscal_year", "programme__name_th")
    )
    money = allocation_money(allocations)
    rows = []
    for allocation in allocations:
        application = getattr(allocation, "application", None)
        paid = money[allocation.pk]
        rows.append(
            {
                "allocation": allocation,
                "application": application,
                "approved": paid["approved"],
                "paid": paid["paid_year"] + paid["paid_carry"],
                "carried": paid["carried"],
                "pending": paid["pending"],
            }
        )
    return render_to_string(
        "budgets/_community_panel.html",
        {
            "community": community,
            "rows": rows,
            "year": year,
            "reports": has_perm(user, "records.view", community.area.path),
        },
        request=request,
    )
