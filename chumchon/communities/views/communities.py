"""Community pages: the list in reach (filters, counts, totals), a community's page, create,
edit, dissolve and the history tab."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from chumchon.accounts.scoping import has_perm, scope_queryset
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area

from .. import services
from ..forms import CommunityFilterForm, CommunityForm, DissolveForm, edit_districts
from ..models import Community, CommunityType, Move
from ..panels import render_panels
from ..permissions import (
    can_create_communities,
    can_dissolve_community,
    can_edit_community,
    can_edit_people,
    can_export_people,
    can_import,
    can_view_community,
    can_view_history,
    can_view_people,
    community_get_for,
    community_scope,
)
from ..selectors import (
    community_filter,
    community_households,
    community_totals,
    with_registry_counts,
)
from ..surveys.permissions import can_record_survey
from ..surveys.selectors import with_survey_status
from ..surveys.services import round_for_district
from .common import RegistryFormView, community_crumbs, deny_unless, url_or_none

HIDDEN_CHANGE_KEYS = {"id", "created_at", "updated_at", "area", "path", "depth"}


class CommunityListView(LoginRequiredMixin, ListView):
    """Every community in the user's reach, filtered, with declared and registry counts."""

    template_name = "communities/community_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        areas = scope_queryset(
            Area.objects.select_related("kind").order_by("code"), user, path_field="path"
        )
        self.zones = list(areas.filter(kind__code="zone"))
        districts = list(areas.filter(kind__code="district"))
        self.form = CommunityFilterForm(
            self.request.GET or None,
            zones=self.zones,
            districts=districts if len(districts) > 1 else (),
            types=CommunityType.objects.all(),
        )
        filters = {}
        if self.form.is_bound:
            self.form.is_valid()  # an unknown choice shows its error; the other filters apply
            filters = {k: v for k, v in self.form.cleaned_data.items() if v}
        if "q" in filters:
            filters["q"] = filters["q"].strip()
        self.on = filters.pop("on", None)
        self.filtered = community_filter(
            community_scope(user).select_related("area__parent__kind"), **filters
        )
        if self.on is not None:  # the communities that existed that day
            self.filtered = self.filtered.existing_on(self.on)
        return with_registry_counts(self.filtered, on=self.on)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query_string = query.urlencode()
        export = url_or_none("community-list-export")
        user = self.request.user
        context.update(
            district_moves=district_moves_out(user),
            form=self.form,
            query_string=query_string,
            totals=community_totals(self.filtered, on=self.on),
            on=self.on,
            export_url=f"{export}?{query_string}" if export and query_string else export,
            can_create=can_create_communities(user),
            can_import=can_import(user),
            can_quick_register=edit_districts(user).exists(),
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Communities")},
            ],
        )
        return context


def district_moves_out(user, limit: int = 20) -> list[Move]:
    """Masked lines of people who were registered with a district only (quick registration,
    no household) and moved away: no community's history tab shows them."""
    moves = scope_queryset(
        Move.objects.filter(from_area__kind__code="district"),
        user,
        perm="records.view",
        path_field="from_path",
    )
    return list(moves.select_related("from_area", "to_area").order_by("-moved_on", "-id")[:limit])


class CommunityMixin(LoginRequiredMixin):
    def get_community(self) -> Community:
        if not hasattr(self, "_community"):
            self._community = community_get_for(self.request.user, self.kwargs["pk"])
        return self._community


class CommunityDetailView(CommunityMixin, TemplateView):
    template_name = "communities/community_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        community = self.get_community()
        deny_unless(can_view_community(user, community))
        counts = (
            with_registry_counts(community_scope(user).filter(pk=community.pk))
            .values("registry_households", "registry_population")
            .get()
        )
        may_see_people = can_view_people(user, community)
        page = None
        survey_round = survey_filter = None
        if may_see_people:
            households = community_households(community)
            survey_round, survey_filter, households = self.survey_columns(community, households)
            paginator = Paginator(households, 50)
            page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            community=community,
            counts=counts,
            page_obj=page,
            households=page.object_list if page else [],
            is_paginated=bool(page and page.has_other_pages()),
            may_see_people=may_see_people,
            can_edit=can_edit_community(user, community),
            can_dissolve=can_dissolve_community(user, community),
            can_add_household=can_edit_people(user, community) and not community.is_dissolved,
            can_view_history=can_view_history(user, community),
            can_export_people=can_export_people(user, community.area),
            survey_round=survey_round,
            survey_filter=survey_filter,
            query_string=f"survey={survey_filter}" if survey_filter else "",
            breadcrumbs=community_crumbs(user, community, link_self=False),
            panels=render_panels(self.request, community),
        )
        return context

    def survey_columns(self, community, households):
        """For surveyors and officers, while the district has a round this fiscal year: each
        household's survey status in it, and `?survey=todo|draft|submitted` to list only
        those (the next houses to visit)."""
        user = self.request.user
        if community.is_dissolved or not can_record_survey(user, community):
            return None, None, households
        survey_round = round_for_district(community.area.parent_id, timezone.localdate())
        if survey_round is None:
            return None, None, households
        households = with_survey_status(households, survey_round)
        wanted = self.request.GET.get("survey")
        if wanted == "todo":
            households = households.filter(survey_status__isnull=True, is_active=True)
        elif wanted in ("draft", "submitted"):
            households = households.filter(survey_status=wanted)
        else:
            wanted = None
        return survey_round, wanted, households


class CommunityHistoryView(CommunityMixin, TemplateView):
    """Versions of the community and its area, its audit events, and the masked lines of the
    people and households that moved in or out."""

    template_name = "communities/community_history.html"
    LIMIT = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        community = self.get_community()
        deny_unless(can_view_history(user, community))
        area = community.area
        events = AuditEvent.objects.filter(
            Q(object_type="communities.community", object_id=str(community.pk))
            | Q(object_type="organizations.area", object_id=str(area.pk))
        )[: self.LIMIT]
        events = list(events)
        for event in events:  # bookkeeping fields say nothing to a reader
            event.shown_changes = [
                (k, v) for k, v in event.changes.items() if k not in HIDDEN_CHANGE_KEYS
            ]
        moves = (
            Move.objects.filter(Q(from_area=area) | Q(to_area=area))
            .select_related("from_area", "to_area")
            .order_by("-moved_on", "-id")[: self.LIMIT]
        )
        context.update(
            community=community,
            events=events,
            versions=community.history.select_related("history_user", "type")[: self.LIMIT],
            area_versions=area.history.select_related("history_user")[: self.LIMIT],
            moves=moves,
            limit=self.LIMIT,
            breadcrumbs=[*community_crumbs(user, community), {"label": _("History")}],
        )
        return context


class CommunityCreateView(RegistryFormView):
    error_aliases = {"parent": "district"}
    error_codes = {"invalid_code": "code"}

    def allowed(self, obj) -> bool:
        return can_create_communities(self.request.user)

    def make_form(self, data=None):
        return CommunityForm(data, user=self.request.user)

    def save(self, form):
        data = form.cleaned_data
        community = services.community_create(
            actor=self.request.user,
            parent=data["district"],
            code=data["code"].strip(),
            name_th=data["name_th"],
            name_en=data["name_en"],
            **form.profile_values(),
        )
        messages.success(
            self.request, _("Community %(name)s was created.") % {"name": community.name}
        )
        return redirect("community-detail", pk=community.pk)

    def context(self):
        return {
            "title": _("New community"),
            "submit_label": _("Create the community"),
            "cancel_url": reverse("community-list"),
            "breadcrumbs": [
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Communities"), "url": reverse("community-list")},
                {"label": _("New community")},
            ],
        }


class CommunityEditView(CommunityMixin, RegistryFormView):
    def load(self):
        return self.get_community()

    def allowed(self, community) -> bool:
        return can_edit_community(self.request.user, community)

    def make_form(self, data=None):
        return CommunityForm(data, community=self.object)

    def save(self, form):
        data = form.cleaned_data
        services.community_update(
            actor=self.request.user,
            community=self.object,
            name_th=data["name_th"],
            name_en=data["name_en"],
            **form.profile_values(),
        )
        messages.success(self.request, _("The community's profile was saved."))
        return redirect("community-detail", pk=self.object.pk)

    def context(self):
        community = self.object
        return {
            "title": _("Edit community %(name)s") % {"name": community.name},
            "intro": _("The code and the district cannot be changed here."),
            "submit_label": _("Save"),
            "cancel_url": reverse("community-detail", args=[community.pk]),
            "breadcrumbs": [*community_crumbs(self.request.user, community), {"label": _("Edit")}],
        }


class CommunityDissolveView(CommunityMixin, RegistryFormView):
    template_name = "communities/community_dissolve.html"

    def load(self):
        return self.get_community()

    def allowed(self, community) -> bool:
        # the permission alone (a dissolved community sends a head back to its page)
        return has_perm(self.request.user, "records.dissolve", community.area)

    def get(self, request, *args, **kwargs):
        self._prepare()
        if not can_dissolve_community(request.user, self.object):
            messages.info(request, _("This community is already dissolved."))
            return redirect("community-detail", pk=self.object.pk)
        return self.render(self.make_form())

    def make_form(self, data=None):
        return DissolveForm(data)

    def save(self, form):
        data = form.cleaned_data
        services.community_dissolve(
            actor=self.request.user,
            community=self.object,
            dissolved_on=data["dissolved_on"],
            announcement_no=data["announcement_no"],
            reason=data["reason"],
        )
        messages.success(
            self.request,
            _("Community %(name)s was dissolved. Its record and history are kept.")
            % {"name": self.object.name},
        )
        return redirect("community-detail", pk=self.object.pk)

    def context(self):
        community = self.object
        return {
            "title": _("Dissolve community %(name)s") % {"name": community.name},
            "submit_label": _("Dissolve the community"),
            "cancel_url": reverse("community-detail", args=[community.pk]),
            "breadcrumbs": [
                *community_crumbs(self.request.user, community),
                {"label": _("Dissolve")},
            ],
        }
