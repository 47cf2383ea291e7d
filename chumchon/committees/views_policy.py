"""Pages of the seat policies (the public list with its seat table and calculator; add and end
a policy: system administrators) and the election documents (announcement of results, voter
signing sheet) as PDF."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from chumchon.core.dates import parse_date
from chumchon.core.documents import pdf_response
from chumchon.core.forms import StyledForm, ThaiDateField

from . import documents
from .models import SeatPolicy
from .permissions import can_manage_policies, can_view_committee, election_get_for
from .services_policy import (
    parse_count,
    policy_add,
    policy_end,
    policy_in_force,
    policy_in_use,
    seat_table,
)

# --- forms ------------------------------------------------------------------------------------


class PolicyForm(StyledForm):
    name_th = forms.CharField(label=gettext_lazy("Name (Thai)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    valid_from = ThaiDateField(
        label=gettext_lazy("Valid from"), help_text=gettext_lazy("e.g. 1/1/2570")
    )
    valid_to = ThaiDateField(
        label=gettext_lazy("Valid to"),
        required=False,
        help_text=gettext_lazy("Leave empty while the policy stays in force."),
    )
    counted = forms.ChoiceField(
        label=gettext_lazy("What is counted"), choices=SeatPolicy.Counted.choices
    )
    minimum = forms.IntegerField(label=gettext_lazy("Minimum seats"), min_value=1, initial=7)
    threshold = forms.IntegerField(
        label=gettext_lazy("Count above which seats are added"), min_value=0, initial=140
    )
    step = forms.IntegerField(
        label=gettext_lazy("One more seat for every"), min_value=1, initial=20
    )
    maximum = forms.IntegerField(label=gettext_lazy("Maximum seats"), min_value=1, initial=25)
    remainder_over = forms.IntegerField(
        label=gettext_lazy("A remainder above this counts as a full step"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("Leave empty when a remainder never adds a seat."),
    )
    thai_only = forms.BooleanField(
        label=gettext_lazy("Thai nationality required"), required=False, initial=True
    )
    voter_min_age = forms.IntegerField(
        label=gettext_lazy("Minimum age of voters"), min_value=0, initial=18
    )
    candidate_min_age = forms.IntegerField(
        label=gettext_lazy("Minimum age of candidates"), min_value=0, initial=18
    )
    voter_days = forms.IntegerField(
        label=gettext_lazy("Days in the house registration before election day (voters)"),
        min_value=0,
        initial=90,
    )
    candidate_days = forms.IntegerField(
        label=gettext_lazy("Days in the house registration before election day (candidates)"),
        min_value=0,
        initial=180,
    )
    term_years = forms.IntegerField(label=gettext_lazy("Term (years)"), min_value=1, initial=2)
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea, required=False)


class PolicyEndForm(StyledForm):
    valid_to = ThaiDateField(
        label=gettext_lazy("Last day of the policy"), help_text=gettext_lazy("e.g. 31/12/2569")
    )


def _put_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.error_list:
            form.add_error(None, error)


# --- pages ------------------------------------------------------------------------------------


def _crumbs(*rest: dict) -> list[dict]:
    return [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Committee seat policies"), "url": reverse("policy-list")},
        *rest,
    ]


class PolicyListView(TemplateView):
    """Public: every policy with its parameters and period, the seat table of the policy in
    force on a day (default today) and a calculator (`?families=N`)."""

    template_name = "committees/policy_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = timezone.localdate()
        on_text = (self.request.GET.get("on") or "").strip()
        date_error = ""
        if on_text:
            try:
                day = parse_date(on_text)
            except ValidationError as exc:
                date_error = " ".join(exc.messages)
        in_force = policy_in_force(day)
        families_text = self.request.GET.get("families")
        families = answer = None
        families_error = ""
        if families_text not in (None, ""):
            try:
                families = parse_count(families_text.strip())
            except ValidationError as exc:
                families_error = " ".join(exc.messages)
            else:
                answer = in_force.seats_for(families) if in_force else None
        user = self.request.user
        context.update(
            day=day,
            on_text=on_text,
            date_error=date_error,
            policies=list(SeatPolicy.objects.order_by("valid_from")),
            in_force=in_force,
            table=seat_table(in_force) if in_force else [],
            families_text=families_text or "",
            families=families,
            families_error=families_error,
            answer=answer,
            can_manage=user.is_authenticated and can_manage_policies(user),
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Committee seat policies")},
            ],
        )
        return context


class PolicyManageMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_manage_policies(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PolicyCreateView(PolicyManageMixin, View):
    """Add a policy from a date (system administrators, `committees.policy`)."""

    template_name = "committees/policy_form.html"

    def get(self, request):
        return self.render(PolicyForm())

    def post(self, request):
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                policy = policy_add(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(
                    request, _("The policy “%(name)s” was added.") % {"name": policy.name}
                )
                return redirect("policy-list")
        return self.render(form)

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": _("Add a committee seat policy"),
                "intro": _(
                    "A policy applies from its first day to elections held on or after it. "
                    "Periods never overlap: end the policy in force the day before first."
                ),
                "submit_label": _("Add the policy"),
                "current": policy_in_force(timezone.localdate()),
                "breadcrumbs": _crumbs({"label": _("Add a policy")}),
            },
        )


class PolicyEndView(PolicyManageMixin, View):
    """End a policy on a day (the only change to a policy once an election used it)."""

    template_name = "committees/policy_form.html"

    def get_policy(self) -> SeatPolicy:
        return get_object_or_404(SeatPolicy, pk=self.kwargs["pk"])

    def get(self, request, pk):
        policy = self.get_policy()
        return self.render(policy, PolicyEndForm(initial={"valid_to": ""}))

    def post(self, request, pk):
        policy = self.get_policy()
        form = PolicyEndForm(request.POST)
        if form.is_valid():
            try:
                policy_end(
                    actor=request.user, policy=policy, valid_to=form.cleaned_data["valid_to"]
                )
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(
                    request, _("The policy “%(name)s” was ended.") % {"name": policy.name}
                )
                return redirect("policy-list")
        return self.render(policy, form)

    def render(self, policy, form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "policy": policy,
                "in_use": policy_in_use(policy),
                "title": _("End the policy “%(name)s”") % {"name": policy.name},
                "intro": _(
                    "From the day after, no election can use this policy; add the next policy "
                    "from that day."
                ),
                "submit_label": _("End the policy"),
                "breadcrumbs": _crumbs({"label": _("End a policy")}),
            },
        )


# --- documents --------------------------------------------------------------------------------


class ElectionDocumentView(LoginRequiredMixin, View):
    """A PDF of an election: 404 outside reach; staff (`records.view`) and the community's
    committee members (`community.view_own`) print it; 409 with a page when not ready."""

    def get_election(self):
        election = election_get_for(self.request.user, self.kwargs["pk"])
        if not can_view_committee(self.request.user, election):
            raise PermissionDenied
        return election

    def refused(self, election, message: str):
        return render(
            self.request,
            "committees/policy_document_refused.html",
            {"election": election, "message": message},
            status=409,
        )


class ElectionAnnouncementPdfView(ElectionDocumentView):
    def get(self, request, pk):
        election = self.get_election()
        try:
            pdf = documents.announcement_pdf(actor=request.user, election=election)
        except documents.DocumentNotReady as exc:
            return self.refused(election, str(exc))
        return pdf_response(pdf, f"ประกาศผลการเลือกตั้ง {election.community.area.code}.pdf")


class ElectionVotersPdfView(ElectionDocumentView):
    def get(self, request, pk):
        election = self.get_election()
        try:
            pdf = documents.voters_pdf(election)
        except documents.DocumentNotReady as exc:
            return self.refused(election, str(exc))
        return pdf_response(pdf, f"บัญชีผู้มีสิทธิเลือกตั้ง {election.community.area.code}.pdf")
