"""What the registry's pages share: the form-page pattern, breadcrumbs, flag labels."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chumchon.accounts.scoping import reach_of

from ..forms import apply_service_errors
from ..models import Community, Household, Person

FLAG_LABELS = {
    "elderly": gettext_lazy("Elderly (60+)"),
    "disability": gettext_lazy("Disability"),
    "bedridden": gettext_lazy("Bedridden"),
    "chronic_illness": gettext_lazy("Chronic illness"),
    "child_in_need": gettext_lazy("Child in need"),
    "disaster_victim": gettext_lazy("Disaster victim"),
    "poor_household": gettext_lazy("Poor household"),
}


def flag_badges(person: Person) -> list[str]:
    return [FLAG_LABELS[code] for code in person.welfare_flags()]


def url_or_none(name: str, *args: Any) -> str | None:
    """A URL that another part of the registry provides, or None while it is missing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def community_crumbs(user: Any, community: Community, *, link_self: bool = True) -> list[dict]:
    """Home › Communities › district › community (the district linked when in reach)."""
    crumbs: list[dict] = [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Communities"), "url": reverse("community-list")},
    ]
    district = community.area.parent
    if district is not None:
        url = (
            reverse("area-detail", args=[district.code])
            if reach_of(user).covers(district.path)
            else None
        )
        crumbs.append({"label": district.display_name, "url": url})
    crumbs.append(
        {
            "label": community.area.name,
            "url": reverse("community-detail", args=[community.pk]) if link_self else None,
        }
    )
    return crumbs


def household_crumbs(user: Any, household: Household) -> list[dict]:
    return [
        *community_crumbs(user, household.community),
        {"label": str(household), "url": reverse("household-detail", args=[household.pk])},
    ]


def person_crumbs(user: Any, person: Person) -> list[dict]:
    if person.household_id:
        crumbs = household_crumbs(user, person.household)
    else:
        crumbs = [
            {"label": _("Home"), "url": reverse("home")},
            {"label": _("Communities"), "url": reverse("community-list")},
            {"label": person.area.display_name, "url": None},
        ]
    crumbs.append({"label": person.full_name, "url": reverse("person-detail", args=[person.pk])})
    return crumbs


class RegistryFormView(LoginRequiredMixin, View):
    """A page with one form that calls one service.

    Subclasses give `load()` (the scoped object: 404 outside reach), `allowed(obj)` (403
    otherwise), `make_form(data)`, `save(form)` (calls the service, returns the redirect) and
    `context()`. A service's ValidationError lands on the form's fields; the page re-renders.
    """

    template_name = "communities/form_page.html"
    error_aliases: dict[str, str] = {}
    error_codes: dict[str, str] = {}

    def load(self) -> Any:
        return None

    def allowed(self, obj: Any) -> bool:
        raise NotImplementedError

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> HttpResponse:
        raise NotImplementedError

    def context(self) -> dict[str, Any]:
        return {}

    def _prepare(self) -> None:
        self.object = self.load()
        deny_unless(self.allowed(self.object))

    def get(self, request, *args, **kwargs):
        self._prepare()
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        self._prepare()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                return self.save(form)
            except ValidationError as exc:
                apply_service_errors(form, exc, aliases=self.error_aliases, codes=self.error_codes)
        return self.render(form)

    def render(self, form, **extra: Any) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": self.object, **self.context(), **extra},
        )
