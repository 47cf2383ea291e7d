"""Household pages: create in a community, the household's page (members, flags, manual
poverty status), edit, and move to another community."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import services
from ..forms import HouseholdForm, HouseholdMoveForm, PovertyOverrideForm
from ..models import Household, Membership
from ..permissions import (
    can_edit_people,
    can_view_national_ids,
    can_view_people,
    can_view_welfare_flags,
    community_get_for,
    household_get_for,
    household_scope,
)
from ..selectors import household_members
from ..surveys import views as survey_views  # module: surveys.views imports views.common
from .common import (
    RegistryFormView,
    community_crumbs,
    deny_unless,
    flag_badges,
    household_crumbs,
)


class HouseholdMixin(LoginRequiredMixin):
    def get_household(self) -> Household:
        if not hasattr(self, "_household"):
            self._household = household_get_for(self.request.user, self.kwargs["pk"])
        return self._household


class HouseholdCreateView(RegistryFormView):
    def load(self):
        return community_get_for(self.request.user, self.kwargs["pk"])

    def allowed(self, community) -> bool:
        return can_edit_people(self.request.user, community)

    def make_form(self, data=None):
        return HouseholdForm(data)

    def save(self, form):
        household = services.household_create(
            actor=self.request.user, community=self.object, **form.values()
        )
        messages.success(self.request, _("%(house)s was added.") % {"house": household})
        return redirect("household-detail", pk=household.pk)

    def context(self):
        community = self.object
        return {
            "title": _("New household in %(community)s") % {"community": community.name},
            "warning": _("The community is dissolved: it takes no new households.")
            if community.is_dissolved
            else "",
            "submit_label": _("Add the household"),
            "cancel_url": reverse("community-detail", args=[community.pk]),
            "breadcrumbs": [
                *community_crumbs(self.request.user, community),
                {"label": _("New household")},
            ],
        }


class HouseholdDetailView(HouseholdMixin, TemplateView):
    template_name = "communities/household_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        household = self.get_household()
        deny_unless(can_view_people(user, household))
        show_flags = can_view_welfare_flags(user, household)
        members = [
            {
                "membership": m,
                "person": m.person,
                "flags": flag_badges(m.person) if show_flags else [],
            }
            for m in household_members(household)
        ]
        former = (
            Membership.objects.filter(household=household, until__isnull=False)
            .select_related("person")
            .order_by("-until", "-id")[:100]
        )
        can_edit = can_edit_people(user, household)
        context.update(
            household=household,
            community=household.community,
            members=members,
            former=former,
            show_ids=can_view_national_ids(user, household),
            show_flags=show_flags,
            can_edit=can_edit,
            can_add_person=can_edit and not household.community.is_dissolved,
            poverty_form=PovertyOverrideForm(
                initial={
                    "poor": {True: "poor", False: "not_poor"}.get(household.poor_override, "clear"),
                    "poor_override_reason": household.poor_override_reason,
                }
            )
            if can_edit and show_flags
            else None,
            breadcrumbs=household_crumbs(user, household)[:-1] + [{"label": str(household)}],
        )
        context.update(survey_views.household_survey_context(user, household))
        return context


class HouseholdEditView(HouseholdMixin, RegistryFormView):
    def load(self):
        return self.get_household()

    def allowed(self, household) -> bool:
        return can_edit_people(self.request.user, household)

    def make_form(self, data=None):
        return HouseholdForm(data, household=self.object)

    def save(self, form):
        services.household_update(actor=self.request.user, household=self.object, **form.values())
        messages.success(self.request, _("The household was saved."))
        return redirect("household-detail", pk=self.object.pk)

    def context(self):
        household = self.object
        return {
            "title": _("Edit %(house)s") % {"house": household},
            "submit_label": _("Save"),
            "cancel_url": reverse("household-detail", args=[household.pk]),
            "breadcrumbs": [*household_crumbs(self.request.user, household), {"label": _("Edit")}],
        }


class HouseholdMoveView(HouseholdMixin, RegistryFormView):
    error_aliases = {"community": "to_community"}

    def load(self):
        return self.get_household()

    def allowed(self, household) -> bool:
        return can_edit_people(self.request.user, household)

    def make_form(self, data=None):
        return HouseholdMoveForm(data, household=self.object)

    def save(self, form):
        data = form.cleaned_data
        old_community = self.object.community
        household = services.household_move_guarded(
            actor=self.request.user,
            household=self.object,
            to_community=data["to_community"],
            on=data["moved_on"],
            reason=data["reason"].strip(),
            neutral=not can_view_people(self.request.user, data["to_community"]),
        )
        messages.success(
            self.request,
            _("%(house)s moved to %(community)s.")
            % {"house": household, "community": data["to_community"].name},
        )
        if household_scope(self.request.user).filter(pk=household.pk).exists():
            return redirect("household-detail", pk=household.pk)
        return redirect("community-detail", pk=old_community.pk)

    def context(self):
        household = self.object
        return {
            "title": _("Move %(house)s to another community") % {"house": household},
            "intro": _(
                "The household and its current members then belong to the new community and "
                "its district; this community keeps a history line without names."
            ),
            "submit_label": _("Move the household"),
            "cancel_url": reverse("household-detail", args=[household.pk]),
            "breadcrumbs": [*household_crumbs(self.request.user, household), {"label": _("Move")}],
        }


class HouseholdPovertyView(HouseholdMixin, View):
    """POST: set (or clear) the manual poverty status, with a reason."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        household = self.get_household()
        # the poverty status is welfare data: set only by those who may see it
        deny_unless(
            can_edit_people(request.user, household)
            and can_view_welfare_flags(request.user, household)
        )
        form = PovertyOverrideForm(request.POST)
        if form.is_valid():
            try:
                services.household_set_poverty_override(
                    actor=request.user,
                    household=household,
                    poor=form.poor_value(),
                    reason=form.cleaned_data["poor_override_reason"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The manual poverty status was saved."))
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for message in errors:
                    messages.error(request, f"{label}: {message}" if label else message)
        return redirect(f"{reverse('household-detail', args=[household.pk])}#poverty")
