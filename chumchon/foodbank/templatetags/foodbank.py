"""Template tags of the food bank: the tabs of the shared district header
(``foodbank/base_district.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from chumchon.accounts.scoping import reach_of

from ..permissions import REDEEM, VIEW

register = template.Library()

#: (tab, URL name, permission needed to open it, label)
TABS = (
    ("overview", "foodbank-district", VIEW),
    ("surplus", "foodbank-surplus", VIEW),
    ("stock", "foodbank-stock", VIEW),
    ("beneficiaries", "foodbank-beneficiaries", VIEW),
    ("counter", "foodbank-counter", REDEEM),
    ("report", "foodbank-district-report", VIEW),
)


def _labels() -> dict[str, str]:
    return {
        "overview": _("Overview"),
        "surplus": _("Surplus food"),
        "stock": _("Stock"),
        "beneficiaries": _("Beneficiaries"),
        "counter": _("Counter"),
        "report": _("Report"),
    }


def district_url(name: str, district: Any) -> str:
    """The URL of a district page, or "" while the page does not exist (yet)."""
    try:
        return reverse(name, kwargs={"district": district.code})
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def district_tabs(context: Any, district: Any, current: str = "") -> list[dict[str, Any]]:
    """The tabs the user may open for ``district``: [{key, label, url, active}]."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if district is None or user is None:
        return []
    reach = reach_of(user)
    labels = _labels()
    tabs = []
    for key, name, perm in TABS:
        if not reach.allows(perm, district.path):
            continue
        url = district_url(name, district)
        if url:
            tabs.append({"key": key, "label": labels[key], "url": url, "active": key == current})
    return tabs
