"""The community funds card on the community page (registered in apps.py through
communities.panels): the funds of the community with members, cash and bank, loans
outstanding and entries awaiting confirmation. Shown to whoever reads at least one of them
(staff in reach; a fund's own committee sees its fund only); one query for the funds, whatever
their number, and a link to create one for those who may."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .permissions import creatable_areas, fund_scope


def community_panel(request: Any, community: Any) -> str | None:
    user = request.user
    from .views_setup import with_figures

    funds = list(
        with_figures(fund_scope(user).filter(area_id=community.area_id)).order_by("name", "pk")
    )
    can_create = creatable_areas(user).filter(pk=community.area_id).exists()
    if not funds and not can_create:
        return None
    return render_to_string(
        "funds/setup/_community_panel.html",
        {"community": community, "funds": funds, "can_create": can_create},
        request=request,
    )
