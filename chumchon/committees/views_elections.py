"""Election pages: the list in reach, plan, edit, the election's page (candidates, results,
correction, certification, cancelling) and the eligible voters.

Thin views: scope through permissions.py (404 outside reach), check the permission (403), bind
a form, call one service of services_elections.py, redirect with a message. A service's
ValidationError lands on the form's fields and the page re-renders with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from chumchon.accounts.scoping import scope_queryset
from chumchon.communities.models import Community, Person
from chumchon.communities.permissions import (
    can_view_national_ids,
    can_view_people,
    community_scope,
    person_scope,
)
from chumchon.communities.views.common import RegistryFormView, deny_unless
from chumchon.core.dates import BE_OFFSET, format_date
from chumchon.organizations.models import Area

from . import domain
from .forms_elections import (
    CancelForm,
    CandidateForm,
    CertifyForm,
    CorrectionForm,
    ElectionDetailsForm,
    ElectionFilterForm,
    ElectionPlanForm,
    ResultsForm,
    WithdrawForm,
    apply_election_errors,
)
from .models import Candidate, Election
from .permissions import (
    can_certify_election,
    can_manage_committee,
    can_manage_committees_anywhere,
    can_view_committee,
    election_get_for,
    election_scope,
)


class _Lazy:
    """services_elections / selectors_elections, imported on first use (they are written
    alongside these pages; the URLconf must load without them)."""

    def __init__(self, name: str):
        self.name = name

    def __getattr__(self, attr: str):
        module = import_module(f"chumchon.committees.{self.name}")
        return getattr(module, attr)


services = _Lazy("services_elections")
selectors = _Lazy("selectors_elections")


def be(day) -> str:
    return format_date(day) if day else ""


PERSON_CHOICES_LIMIT = 500  # without a name filter, the candidate picker lists at most this many


def pdf_url(name: str, election: Election) -> str | None:
    """A document URL of helper "policy-docs" (None while it is not wired)."""
    try:
        return reverse(name, kwargs={"pk": election.pk})
    except NoReverseMatch:
        return None


def election_crumbs(election: Election | None = None, *, last: str | None = None) -> list[dict]:
    crumbs: list[dict] = [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Committee elections"), "url": reverse("election-list")},
    ]
    if election is not None:
        crumbs.append(
            {
                "label": f"{election.community.area.name}",
                "url": reverse("election-detail", args=[election.pk]),
            }
        )
    if last:
        crumbs.append({"label": last})
    return crumbs


def manage_communities(user: Any):
    """Active communities where the user may run elections (committees.manage)."""
    return scope_queryset(
        community_scope(user).filter(status=Community.Status.ACTIVE).order_by("area__code"),
        user,
        perm="committees.manage",
        path_field="area__path",
    )


# --- the list ------------------------------------------------------------------------------


class ElectionListView(LoginRequiredMixin, ListView):
    """Elections in the user's reach, filtered by district, community, status and BE year."""

    template_name = "committees/election_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        districts = list(
            scope_queryset(
                Area.objects.of_kind("district").select_related("kind").order_by("code"),
                user,
                path_field="path",
            )
        )
        chosen_district = self.request.GET.get("district") or ""
        communities = community_scope(user).select_related("area").order_by("area__code")
        if chosen_district:
            communities = communities.filter(area__parent__code=chosen_district)
        elif len(districts) > 1:  # a city's communities: choose a district first
            wanted = self.request.GET.get("community") or ""
            communities = communities.filter(pk=wanted) if wanted.isdigit() else communities.none()
        self.form = ElectionFilterForm(
            self.request.GET or None, districts=districts, communities=list(communities)
        )
        filters: dict[str, Any] = {}
        if self.form.is_bound:
            self.form.is_valid()  # an unknown choice shows its error; the other filters apply
            filters = {k: v for k, v in self.form.cleaned_data.items() if v}
        elections = election_scope(user).select_related("community__area__parent__kind")
        elections = elections.annotate(
            candidate_count=Count("candidates", filter=Q(candidates__withdrawn_on__isnull=True))
        )
        if "district" in filters:
            elections = elections.filter(community__area__parent__code=filters["district"])
        if "community" in filters:
            elections = elections.filter(community_id=filters["community"])
        if "status" in filters:
            elections = elections.filter(status=filters["status"])
        if "year" in filters:
            elections = elections.filter(held_on__year=filters["year"] - BE_OFFSET)
        return elections.order_by("-held_on", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=self.form,
            query_string=query.urlencode(),
            can_plan=can_manage_committees_anywhere(self.request.user),
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Committee elections")},
            ],
        )
        return context


# --- plan and edit ---------------------------------------------------------------------------


class ElectionCreateView(RegistryFormView):
    template_name = "committees/election_form.html"

    def allowed(self, obj) -> bool:
        return can_manage_committees_anywhere(self.request.user)

    def make_form(self, data=None):
        communities = manage_communities(self.request.user).select_related("area__parent")
        initial = {}
        wanted = self.request.GET.get("community", "")
        if wanted.isdigit() and communities.filter(pk=wanted).exists():
            initial["community"] = int(wanted)
        return ElectionPlanForm(data, communities=communities, initial=initial)

    def save(self, form):
        data = form.cleaned_data
        election = services.election_plan(
            actor=self.request.user,
            community=data["community"],
            kind=data["kind"],
            term=data["term"],
            **form.detail_values(),
        )
        messages.success(
            self.request,
            _("The election of %(community)s on %(date)s was planned.")
            % {"community": election.community.area.name, "date": be(election.held_on)},
        )
        return redirect("election-detail", pk=election.pk)

    def context(self) -> dict[str, Any]:
        return {
            "title": _("Plan a committee election"),
            "submit_label": _("Plan the election"),
            "cancel_url": reverse("election-list"),
            "breadcrumbs": election_crumbs(last=_("Plan an election")),
        }


class ElectionEditView(RegistryFormView):
    template_name = "committees/election_form.html"

    def load(self) -> Election:
        return election_get_for(self.request.user, self.kwargs["pk"])

    def allowed(self, obj) -> bool:
        return can_manage_committee(self.request.user, obj)

    def _prepare(self) -> None:
        super()._prepare()
        if self.object.status != Election.Status.PLANNED:
            self.not_planned = True

    def get(self, request, *args, **kwargs):
        self._prepare()
        if getattr(self, "not_planned", False):
            return self.refuse()
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        self._prepare()
        if getattr(self, "not_planned", False):
            return self.refuse()
        return super().post(request, *args, **kwargs)

    def refuse(self) -> HttpResponse:
        messages.warning(
            self.request, _("Only a planned election can be edited; this one is no longer planned.")
        )
        return redirect("election-detail", pk=self.object.pk)

    def make_form(self, data=None):
        election = self.object
        initial = {name: getattr(election, name) for name in ElectionDetailsForm.DETAIL_FIELDS}
        return ElectionDetailsForm(data, initial=initial)

    def save(self, form):
        services.election_update(
            actor=self.request.user, election=self.object, **form.detail_values()
        )
        messages.success(self.request, _("The election was updated."))
        return redirect("election-detail", pk=self.object.pk)

    def context(self) -> dict[str, Any]:
        return {
            "title": _("Edit the election of %(community)s")
            % {"community": self.object.community.area.name},
            "submit_label": _("Save"),
            "cancel_url": reverse("election-detail", args=[self.object.pk]),
            "breadcrumbs": election_crumbs(self.object, last=_("Edit")),
        }


# --- the election's page ------------------------------------------------------------------------


class ElectionPageMixin(LoginRequiredMixin):
    """The election (404 outside reach, 403 without a view permission) and its page, with
    whichever forms the user may use in its status; an action re-renders it with its bound
    form when the service refuses."""

    template_name = "committees/election_detail.html"

    def get_election(self) -> Election:
        if not hasattr(self, "_election"):
            election = election_get_for(self.request.user, self.kwargs["pk"])
            deny_unless(can_view_committee(self.request.user, election))
            self._election = election
        return self._election

    def candidate_people(self, election: Election):
        """Current members of the community (alive, in a house registration today) who are not
        candidates yet; `?q=` narrows by name."""
        people = (
            person_scope(self.request.user)
            .members_on(timezone.localdate())
            .filter(area_id=election.community.area_id, status=Person.Status.ALIVE)
            .exclude(candidacies__election=election)
            .select_related("household")
            .order_by("first_name", "last_name", "pk")
        )
        q = (self.request.GET.get("q") or self.request.POST.get("q") or "").strip()
        if q:
            for word in q.split()[:3]:
                people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return people, q

    def page_context(self, **bound: Any) -> dict[str, Any]:
        user = self.request.user
        election = self.get_election()
        manage = can_manage_committee(user, election)
        certify = can_certify_election(user, election)
        status = election.status
        candidates = list(
            election.candidates.select_related("person__household").order_by("number")
        )
        active = [c for c in candidates if c.withdrawn_on is None]
        has_results = status in (Election.Status.RESULTS, Election.Status.CERTIFIED)
        unopposed_case = len(active) <= election.seats
        ranking = (
            [c for c in selectors.election_ranking(election) if c.withdrawn_on is None]
            if has_results
            else []
        )
        voters = selectors.voter_count(election)
        turnout = domain.turnout(election.ballots_cast, voters)
        context: dict[str, Any] = {
            "election": election,
            "community": election.community,
            "candidates": candidates,
            "active_candidates": active,
            "ranking": ranking,
            "has_results": has_results,
            "voter_count": voters,
            "turnout": turnout,
            "valid_ballots": election.valid_ballots,
            "unopposed_case": unopposed_case,
            "can_manage": manage,
            "can_certify": certify,
            "can_see_voters": can_view_people(user, election.community),
            "announcement_pdf": pdf_url("election-announcement-pdf", election),
            "voters_pdf": pdf_url("election-voters-pdf", election),
            "started_term": getattr(election, "started_term", None)
            if status == Election.Status.CERTIFIED
            else None,
            "breadcrumbs": election_crumbs(election)[:-1]
            + [{"label": election.community.area.name}],
            "refusal": bound.pop("refusal", None),
            "withdraw_candidate": bound.pop("withdraw_candidate", None),
        }
        planned = status == Election.Status.PLANNED
        if manage and planned:
            people, q = self.candidate_people(election)
            context["person_q"] = q
            context["people_total"] = people.count()
            context["candidate_form"] = bound.get("candidate_form") or CandidateForm(
                prefix="cand", people=people
            )
            if context["people_total"] > PERSON_CHOICES_LIMIT and not q:
                context["people_too_many"] = True
            context["withdraw_form"] = bound.get("withdraw_form") or WithdrawForm(prefix="wd")
            if not unopposed_case:
                context["results_form"] = bound.get("results_form") or ResultsForm(
                    prefix="res", candidates=active
                )
        if manage and status == Election.Status.RESULTS:
            context["correction_form"] = bound.get("correction_form") or CorrectionForm(
                prefix="corr", candidates=active, election=election
            )
        if certify and (
            status == Election.Status.RESULTS or (planned and unopposed_case and active)
        ):
            context["certify_form"] = bound.get("certify_form") or CertifyForm(prefix="cert")
        if manage and status in (Election.Status.PLANNED, Election.Status.RESULTS):
            context["cancel_form"] = bound.get("cancel_form") or CancelForm(prefix="cancel")
        for key, form in bound.items():  # a refused action shows its errors whatever the status
            context.setdefault(key, form)
        return context

    def render_page(self, status: int = 200, **bound: Any) -> HttpResponse:
        return render(self.request, self.template_name, self.page_context(**bound), status=status)


class ElectionDetailView(ElectionPageMixin, View):
    def get(self, request, *args, **kwargs):
        self.get_election()
        return self.render_page()


class ElectionActionView(ElectionPageMixin, View):
    """POST only: one form of the election's page, one service call."""

    form_key = ""

    def allowed(self, election: Election) -> bool:
        return can_manage_committee(self.request.user, election)

    def make_form(self, election: Election):
        raise NotImplementedError

    def act(self, election: Election, form) -> HttpResponse:
        raise NotImplementedError

    def extra(self) -> dict[str, Any]:
        return {}

    def post(self, request, *args, **kwargs):
        election = self.get_election()
        deny_unless(self.allowed(election))
        form = self.make_form(election)
        if form.is_valid():
            try:
                return self.act(election, form)
            except ValidationError as exc:
                self.refused(form, exc)
        return self.render_page(**{self.form_key: form}, **self.extra())

    def refused(self, form, exc: ValidationError) -> None:
        apply_election_errors(form, exc)

    def done(self, election: Election, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect("election-detail", pk=election.pk)


class CandidateAddView(ElectionActionView):
    form_key = "candidate_form"

    def make_form(self, election):
        people, _q = self.candidate_people(election)
        return CandidateForm(self.request.POST, prefix="cand", people=people)

    def refused(self, form, exc):
        """Every failed criterion in a list above the form (a refused candidate must see why)."""
        self._refusal = None
        if hasattr(exc, "error_dict") and set(exc.error_dict) <= {"number"}:
            apply_election_errors(form, exc)
            return
        person = form.cleaned_data.get("person")
        if hasattr(exc, "error_dict"):
            number_errors = exc.error_dict.get("number")
            if number_errors:
                for error in number_errors:
                    form.add_error("number", error)
            problems = [
                m for k, v in exc.error_dict.items() if k != "number" for e in v for m in e.messages
            ]
        else:
            problems = list(exc.messages)
        self._refusal = {"person": person, "problems": problems}
        form.add_error(
            "person", _("This person cannot stand as a candidate (see the reasons above).")
        )

    def extra(self):
        return {"refusal": getattr(self, "_refusal", None)}

    def act(self, election, form):
        data = form.cleaned_data
        candidate = services.candidate_register(
            actor=self.request.user, election=election, person=data["person"], number=data["number"]
        )
        return self.done(
            election,
            _("%(name)s is candidate no. %(no)d.")
            % {"name": candidate.person.full_name, "no": candidate.number},
        )


class CandidateWithdrawView(ElectionActionView):
    form_key = "withdraw_form"

    def get_candidate(self, election) -> Candidate:
        return get_object_or_404(
            election.candidates.select_related("person"), pk=self.kwargs["candidate"]
        )

    def make_form(self, election):
        self._candidate = self.get_candidate(election)
        return WithdrawForm(self.request.POST, prefix="wd")

    def extra(self):
        return {"withdraw_candidate": self._candidate}

    def act(self, election, form):
        services.candidate_withdraw(
            actor=self.request.user, candidate=self._candidate, reason=form.cleaned_data["reason"]
        )
        return self.done(
            election,
            _("Candidate no. %(no)d %(name)s withdrew.")
            % {"no": self._candidate.number, "name": self._candidate.person.full_name},
        )


class ResultsEnterView(ElectionActionView):
    form_key = "results_form"

    def make_form(self, election):
        active = election.candidates.filter(withdrawn_on__isnull=True).select_related("person")
        return ResultsForm(self.request.POST, prefix="res", candidates=active)

    def act(self, election, form):
        services.results_enter(actor=self.request.user, election=election, **form.result_values())
        return self.done(election, _("The results were recorded."))


class ResultsCorrectView(ElectionActionView):
    form_key = "correction_form"

    def make_form(self, election):
        active = election.candidates.filter(withdrawn_on__isnull=True).select_related("person")
        return CorrectionForm(self.request.POST, prefix="corr", candidates=active)

    def act(self, election, form):
        services.results_correct(
            actor=self.request.user,
            election=election,
            reason=form.cleaned_data["reason"].strip(),
            **form.result_values(),
        )
        return self.done(election, _("The results were corrected; the correction is audited."))


class ElectionCertifyView(ElectionActionView):
    form_key = "certify_form"

    def allowed(self, election):
        return can_certify_election(self.request.user, election)

    def make_form(self, election):
        return CertifyForm(self.request.POST, prefix="cert")

    def act(self, election, form):
        term = services.election_certify(
            actor=self.request.user, election=election, starts_on=form.cleaned_data["starts_on"]
        )
        return self.done(
            election,
            _("The result was certified; the new term runs from %(start)s to %(end)s.")
            % {"start": be(term.starts_on), "end": be(term.ends_on)},
        )


class ElectionCancelView(ElectionActionView):
    form_key = "cancel_form"

    def make_form(self, election):
        return CancelForm(self.request.POST, prefix="cancel")

    def act(self, election, form):
        services.election_cancel(
            actor=self.request.user, election=election, reason=form.cleaned_data["reason"].strip()
        )
        return self.done(election, _("The election was cancelled."))


# --- the voters ---------------------------------------------------------------------------------


class ElectionVotersView(ElectionPageMixin, View):
    """The eligible voters on election day (names as the registry shows them; national IDs
    masked, for staff only), 100 a page."""

    template_name = "committees/election_voters.html"
    per_page = 100

    def get(self, request, *args, **kwargs):
        user = request.user
        election = self.get_election()
        deny_unless(can_view_people(user, election.community))
        voters = (
            selectors.eligible_voters(election)
            .select_related("household")
            .order_by("household__house_no", "first_name", "last_name", "pk")
        )
        page = Paginator(voters, self.per_page).get_page(request.GET.get("page"))
        rows = [
            {"person": p, "age": p.age_on(election.held_on), "number": page.start_index() + i}
            for i, p in enumerate(page.object_list)
        ]
        return render(
            request,
            self.template_name,
            {
                "election": election,
                "rows": rows,
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "show_ids": can_view_national_ids(user, election.community),
                "voters_pdf": pdf_url("election-voters-pdf", election),
                "breadcrumbs": election_crumbs(election, last=_("Eligible voters")),
            },
        )
