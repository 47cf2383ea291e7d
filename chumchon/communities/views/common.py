"""What the registry's pages share: the form-page pattern, breadcrumbs, flag labels."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chumchon.accounts.scoping import reach_of

from .. import domain, services
from ..forms import apply_service_errors
from ..models import Community, Household, Person

FLAG_LABELS = {
    "elderly": gettext_lazy("Elderly (60+)"),
    "disability": gettext_lazy("Disability"),
    "bedridden": gettext_lazy("Bedridden"),
    "chronic_illness": gettext_lazy("Chronic illness"),
    "child_in_need": gettext_lazy("Child in need"),
    "disaster_victim": gettext_lazy("Disaster victim"),
}


def flag_badges(person: Person) -> list[str]:
    return [FLAG_LABELS[code] for code in person.welfare_flags()]


#: fields of service errors that would tell a user about a household outside their reach
#: (a head already there, a house number or code already used, ...)
PERSON_MOVE_REVEALING = {"relation", "to_household", "household", "house_no", "house_code"}
HOUSEHOLD_MOVE_REVEALING = {"house_no", "house_code"}


HOUSE_NO_MAX = Household._meta.get_field("house_no").max_length


def neutral_move_error() -> str:
    return _(
        "The move into this house number cannot be recorded as given. Check the relation to "
        "the head, or ask the district office that keeps this community's records."
    )


def move_person_to_house_no(
    *,
    actor: Any,
    person: Person,
    community: Community,
    house_no: str,
    on: Any,
    relation: str = "",
    in_house_registration: bool = True,
    reason: str = "",
    neutral: bool,
    field: str = "house_no",
) -> Household:
    """Move a person into the household with this house number in `community` (any community
    of the city), made first if there is none: one transaction, so a failed move keeps no new
    household. With `neutral` (the community is outside the user's reach) nothing is said
    about the households there: errors that would describe one become one neutral message on
    `field`, and the caller shows no house code or id."""
    number = domain.thai_digits_to_ascii(domain.clean_text(house_no))
    if not number:
        raise ValidationError({field: _("Enter the house number.")}, code="required")
    if len(number) > HOUSE_NO_MAX:
        raise ValidationError(
            {field: _("A house number has at most %(n)d characters.") % {"n": HOUSE_NO_MAX}},
            code="max_length",
        )
    if community.is_dissolved:
        raise ValidationError(
            {
                field: _("Community %(name)s is dissolved: it takes no new members.")
                % {"name": community.name}
            },
            code="dissolved",
        )
    try:
        with transaction.atomic():
            household = (
                Household.objects.select_related("community__area", "area")
                .filter(community=community, house_no=number)
                .order_by("-is_active", "pk")
                .first()
            )
            if household is None:
                household = services.household_create(
                    actor=actor, community=community, house_no=number
                )
            services.person_move(
                actor=actor,
                person=person,
                to_household=household,
                on=on,
                relation=relation,
                in_house_registration=in_house_registration,
                reason=reason,
            )
    except ValidationError as exc:
        if neutral:
            raise _neutralised(exc, field, neutral_move_error(), PERSON_MOVE_REVEALING) from None
        raise
    return household


def move_household(
    *,
    actor: Any,
    household: Household,
    to_community: Community,
    on: Any,
    reason: str = "",
    neutral: bool,
    field: str = "to_community",
) -> Household:
    """`services.household_move`; with `neutral` (the target community is outside the user's
    reach) an error that would describe the households there becomes a neutral message."""
    try:
        return services.household_move(
            actor=actor, household=household, to_community=to_community, on=on, reason=reason
        )
    except ValidationError as exc:
        household.refresh_from_db()  # the service had set the new community on the object
        if neutral:
            message = _(
                "The household cannot be moved into this community as recorded: add its house "
                "registration code, or ask the district office that keeps this community's "
                "records."
            )
            raise _neutralised(exc, field, message, HOUSEHOLD_MOVE_REVEALING) from None
        raise


def _neutralised(
    exc: ValidationError, field: str, message: str, revealing_fields: set[str]
) -> ValidationError:
    """The same errors, except those about the target household (by field, or without a
    field): one neutral message instead."""
    errors: dict[str, list] = {}
    revealing = False
    grouped = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for name, items in grouped.items():
        for error in items:
            if name is None or name in revealing_fields:
                revealing = True
            else:
                errors.setdefault(name or field, []).append(error)
    if revealing:
        errors.setdefault(field, []).append(ValidationError(message, code="not_recorded"))
    return ValidationError(errors)


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
