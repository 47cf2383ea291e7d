"""Committee pages: a community's committee (current term, members and positions, vacancies,
reserve list, flagged members, advisers, working groups, reports, past terms), the forms that
call the term services, and the city-wide status of committees."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from chumchon.accounts.scoping import get_in_scope_or_404, reach_of, scope_queryset
from chumchon.communities.models import Community
from chumchon.communities.permissions import community_get_for, community_scope
from chumchon.communities.views.common import RegistryFormView, community_crumbs, deny_unless
from chumchon.core.attachments import attachments_of
from chumchon.core.dates import format_date
from chumchon.organizations.models import Area

from . import services_terms as services
from .forms_committee import (
    STATE_LABELS,
    AdviserForm,
    DateForm,
    EndForm,
    GrantRoleForm,
    MemberEndForm,
    PositionAssignForm,
    ReportForm,
    StatusFilterForm,
    TermEndEarlyForm,
    WorkingGroupForm,
    WorkingGroupMemberForm,
)
from .models import Adviser, CommitteeMember, CommitteeTerm, Position, WorkingGroup
from .permissions import (
    can_end_term_early,
    can_manage_committee,
    can_view_city_status,
    can_view_committee,
    term_get_for,
)
from .selectors import (
    committee_of,
    committee_states,
    flagged_members,
    past_terms,
    row_matches,
    status_table,
)
from .services_terms import reserve_candidates, reserve_problem

TERM_PATH = "term__community__area__path"


def committee_url(community_id: int) -> str:
    return reverse("committee-detail", args=[community_id])


class CommitteeDetailView(LoginRequiredMixin, TemplateView):
    template_name = "committees/committee_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        community = community_get_for(user, self.kwargs["pk"])
        deny_unless(can_view_committee(user, community))
        today = timezone.localdate()
        committee = committee_of(community, today)
        term = committee["term"]
        manage = can_manage_committee(user, community)
        reserve = []
        if term is not None:
            for candidate in reserve_candidates(term):
                reserve.append(
                    {
                        "candidate": candidate,
                        "problem": reserve_problem(term, candidate.person, today),
                    }
                )
        upcoming = (
            CommitteeTerm.objects.filter(community=community, status=CommitteeTerm.Status.PLANNED)
            .order_by("starts_on")
            .first()
        )
        reports = []
        if term is not None:
            for report in term.reports.select_related("created_by"):
                report.files = list(attachments_of(report))
                reports.append(report)
        context.update(
            community=community,
            committee=committee,
            term=term,
            upcoming=upcoming,
            members=committee["members"],
            flagged=flagged_members(committee["members"], community) if term else [],
            reserve=reserve,
            advisers=list(term.advisers.all()) if term else [],
            working_groups=list(term.working_groups.prefetch_related("members")) if term else [],
            reports=reports,
            past_terms=past_terms(community, exclude=term),
            can_manage=manage and term is not None and term.status in services.OPEN_TERM,
            can_end_early=term is not None
            and term.status == CommitteeTerm.Status.IN_OFFICE
            and can_end_term_early(user, term),
            vacancies=range(committee["vacancies"]),
            breadcrumbs=[
                *community_crumbs(user, community),
                {"label": _("Community committee")},
            ],
        )
        return context


class MyCommitteeView(LoginRequiredMixin, View):
    """The navigation's "Committees": a committee member's own community's committee; staff
    who see records go to the city-wide status."""

    def get(self, request):
        user = request.user
        own = reach_of(user).paths_with("community.view_own")
        if own and not reach_of(user).everything:
            # scoped already: `own` are the paths where the user holds community.view_own
            community = Community.objects.filter(area__path__in=own).order_by("area__path").first()
            if community is not None:
                return redirect("committee-detail", pk=community.pk)
        if can_view_city_status(user):
            return redirect("committee-status")
        deny_unless(False)


# --- forms ------------------------------------------------------------------------------------


class CommitteeFormView(RegistryFormView):
    """A form that calls one term service; the committee page is the way back."""

    template_name = "committees/committee_form.html"
    title = ""
    submit_label = ""
    form_class: Any = None
    perm_check = staticmethod(can_manage_committee)

    def term_of(self, obj) -> CommitteeTerm:
        return obj

    def allowed(self, obj) -> bool:
        term = self.term_of(obj)
        return self.perm_check(self.request.user, term) and term.status in services.OPEN_TERM

    def make_form(self, data=None):
        return self.form_class(data, self.request.FILES if data is not None else None)

    def back(self) -> str:
        return committee_url(self.term_of(self.object).community_id)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.back())

    def subject(self) -> str:
        return ""

    def context(self):
        term = self.term_of(self.object)
        community = term.community
        return {
            "title": self.title,
            "intro": self.subject(),
            "submit_label": self.submit_label or _("Save"),
            "cancel_url": self.back(),
            "breadcrumbs": [
                *community_crumbs(self.request.user, community),
                {"label": _("Community committee"), "url": self.back()},
                {"label": self.title},
            ],
        }


def _scoped(model, user, pk, *related):
    return get_in_scope_or_404(
        model.objects.select_related(*related), user, path_field=TERM_PATH, pk=pk
    )


class TermFormView(CommitteeFormView):
    def load(self):
        return term_get_for(self.request.user, self.kwargs["pk"])

    def subject(self):
        return _("%(community)s: term %(start)s – %(end)s") % {
            "community": self.object.community.area.name,
            "start": format_date(self.object.starts_on),
            "end": format_date(self.object.ends_on),
        }


class MemberFormView(CommitteeFormView):
    def load(self):
        return _scoped(
            CommitteeMember,
            self.request.user,
            self.kwargs["pk"],
            "term__community__area__parent",
            "term__policy",
            "person",
        )

    def term_of(self, obj):
        return obj.term

    def subject(self):
        return self.object.person.full_name


class MemberEndView(MemberFormView):
    form_class = MemberEndForm

    @property
    def title(self):
        return _("End a committee membership")

    def make_form(self, data=None):
        initial = {"reason": self.request.GET.get("reason", "")}
        return MemberEndForm(data, initial=initial)

    def save(self, form):
        data = form.cleaned_data
        services.member_end(
            actor=self.request.user,
            member=self.object,
            on=data["on"],
            reason=data["reason"],
            note=data["note"],
        )
        return self.done(
            _("The membership of %(name)s was ended.") % {"name": self.object.person.full_name}
        )


class GrantRoleView(MemberFormView):
    form_class = GrantRoleForm

    @property
    def title(self):
        return _("Give the committee member role")

    def save(self, form):
        user = services.active_user_named(form.cleaned_data["username"])
        services.member_grant_role(actor=self.request.user, member=self.object, user=user)
        return self.done(
            _("%(user)s now holds the committee member role.") % {"user": user.get_username()}
        )


class FillVacancyView(TermFormView):
    form_class = DateForm

    @property
    def title(self):
        return _("Fill a vacant seat from the reserve list")

    def save(self, form):
        member = services.vacancy_fill_from_reserve(
            actor=self.request.user, term=self.object, on=form.cleaned_data["on"]
        )
        return self.done(
            _("%(name)s takes the vacant seat from the reserve list.")
            % {"name": member.person.full_name}
        )


class PositionAssignView(TermFormView):
    @property
    def title(self):
        return _("Assign a position")

    def make_form(self, data=None):
        members = self.object.members.current().select_related("person")
        initial = {"member": self.request.GET.get("member", "")}
        return PositionAssignForm(data, members=members, initial=initial)

    def save(self, form):
        data = form.cleaned_data
        member = self.object.members.get(pk=data["member"])
        position = services.position_assign(
            actor=self.request.user,
            member=member,
            code=data["code"],
            title=data["title"],
            on=data["on"],
        )
        return self.done(
            _("%(name)s holds the position %(position)s.")
            % {"name": member.person.full_name, "position": position.label}
        )


class PositionEndView(CommitteeFormView):
    form_class = EndForm

    @property
    def title(self):
        return _("End a position")

    def load(self):
        return _scoped(
            Position,
            self.request.user,
            self.kwargs["pk"],
            "term__community__area__parent",
            "member__person",
        )

    def term_of(self, obj):
        return obj.term

    def subject(self):
        return f"{self.object.label} – {self.object.member.person.full_name}"

    def save(self, form):
        services.position_end(
            actor=self.request.user, position=self.object, on=form.cleaned_data["on"]
        )
        return self.done(
            _("The position %(position)s was ended.") % {"position": self.object.label}
        )


class TermEndEarlyView(TermFormView):
    form_class = TermEndEarlyForm
    perm_check = staticmethod(can_end_term_early)

    @property
    def title(self):
        return _("End the term early by district order")

    def allowed(self, obj) -> bool:
        return (
            can_end_term_early(self.request.user, obj)
            and obj.status == CommitteeTerm.Status.IN_OFFICE
        )

    def save(self, form):
        data = form.cleaned_data
        services.term_end_early(
            actor=self.request.user,
            term=self.object,
            on=data["on"],
            order_no=data["order_no"],
            reason=data["reason"],
        )
        return self.done(_("The term was ended by district order."))


class AdviserAddView(TermFormView):
    form_class = AdviserForm

    @property
    def title(self):
        return _("Add an adviser")

    def save(self, form):
        data = form.cleaned_data
        services.adviser_add(actor=self.request.user, term=self.object, **data)
        return self.done(_("The adviser %(name)s was added.") % {"name": data["name"]})


class AdviserEndView(CommitteeFormView):
    form_class = EndForm

    @property
    def title(self):
        return _("End an adviser's appointment")

    def load(self):
        return _scoped(
            Adviser, self.request.user, self.kwargs["pk"], "term__community__area__parent"
        )

    def term_of(self, obj):
        return obj.term

    def subject(self):
        return self.object.name

    def save(self, form):
        services.adviser_end(
            actor=self.request.user, adviser=self.object, on=form.cleaned_data["on"]
        )
        return self.done(_("The adviser's appointment was ended."))


class WorkingGroupAddView(TermFormView):
    form_class = WorkingGroupForm

    @property
    def title(self):
        return _("Add a working group")

    def save(self, form):
        data = form.cleaned_data
        services.working_group_add(actor=self.request.user, term=self.object, **data)
        return self.done(_("The working group %(name)s was added.") % {"name": data["name"]})


class WorkingGroupMixin:
    def load(self):
        return _scoped(
            WorkingGroup, self.request.user, self.kwargs["pk"], "term__community__area__parent"
        )

    def term_of(self, obj):
        return obj.term

    def subject(self):
        return self.object.name


class WorkingGroupMemberAddView(WorkingGroupMixin, CommitteeFormView):
    form_class = WorkingGroupMemberForm

    @property
    def title(self):
        return _("Add a working group member")

    def save(self, form):
        data = form.cleaned_data
        services.working_group_member_add(actor=self.request.user, group=self.object, **data)
        return self.done(_("%(name)s joined the working group.") % {"name": data["name"]})


class WorkingGroupEndView(WorkingGroupMixin, CommitteeFormView):
    form_class = EndForm

    @property
    def title(self):
        return _("End a working group")

    def save(self, form):
        services.working_group_end(
            actor=self.request.user, group=self.object, on=form.cleaned_data["on"]
        )
        return self.done(_("The working group was ended."))


class ReportAddView(TermFormView):
    form_class = ReportForm

    @property
    def title(self):
        return _("Add a committee report")

    def allowed(self, obj) -> bool:  # reports may be filed after the term ended, too
        return can_manage_committee(self.request.user, obj)

    def save(self, form):
        data = form.cleaned_data
        services.report_add(
            actor=self.request.user,
            term=self.object,
            reported_on=data["reported_on"],
            subject=data["subject"],
            body=data["body"],
            files=[data["file"]] if data.get("file") else (),
        )
        return self.done(_("The report was saved."))

    def context(self):
        return {**super().context(), "multipart": True}


# --- the city-wide status -----------------------------------------------------------------------


class CommitteeStatusView(LoginRequiredMixin, TemplateView):
    """Counts per zone and district of communities with a valid, complete, expiring or no
    committee; a district (or a state) drills down to the list of its communities."""

    template_name = "committees/status_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deny_unless(can_view_city_status(user))
        areas = scope_queryset(
            Area.objects.select_related("kind").order_by("code"),
            user,
            perm="records.view",
            path_field="path",
        )
        zones = list(areas.filter(kind__code="zone"))
        districts = list(areas.filter(kind__code="district"))
        form = StatusFilterForm(self.request.GET or None, zones=zones, districts=districts)
        filters = {}
        if form.is_bound and form.is_valid():
            filters = {k: v for k, v in form.cleaned_data.items() if v}
        today = timezone.localdate()
        communities = scope_queryset(
            community_scope(user).filter(status=Community.Status.ACTIVE),
            user,
            perm="records.view",
        )
        if filters.get("zone"):
            communities = communities.filter(area__parent__parent__code=filters["zone"])
        if filters.get("district"):
            communities = communities.filter(area__parent__code=filters["district"])
        table, rows = status_table(communities, today)
        state = filters.get("state", "")
        drill = bool(filters.get("district") or state)
        listed = []
        if drill:
            for community in communities.select_related("area__parent__kind").order_by(
                "area__path"
            ):
                row = rows[community.pk]
                if not state or row_matches(row, state):
                    listed.append({"community": community, "row": row})
        zone_totals: dict[int, dict] = {}
        for entry in table:
            zone = entry["zone"]
            total = zone_totals.setdefault(
                zone.pk, {"zone": zone, "communities": 0, **dict.fromkeys(STATE_LABELS, 0)}
            )
            total["communities"] += entry["communities"]
            for key in STATE_LABELS:
                total[key] += entry[key]
        totals = {"communities": sum(e["communities"] for e in table)}
        for key in STATE_LABELS:
            totals[key] = sum(e[key] for e in table)
        context.update(
            form=form,
            table=table,
            zone_totals=sorted(zone_totals.values(), key=lambda z: z["zone"].code),
            totals=totals,
            listed=listed,
            drill=drill,
            state=state,
            state_labels=STATE_LABELS,
            today=today,
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Committees")},
            ],
        )
        return context


def community_panel(request, community) -> str | None:
    """The committee's card on the community page (communities.panels): state badges and a
    link to the committee page, for those who may see the committee."""
    user = request.user
    if not can_view_committee(user, community):
        return None
    row = committee_states(Community.objects.filter(pk=community.pk))[community.pk]
    return render_to_string(
        "committees/committee_panel.html",
        {"community": community, "row": row},
        request=request,
    )
