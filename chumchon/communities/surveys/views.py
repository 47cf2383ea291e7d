"""Household survey pages: start a survey from the household page, fill it in on a phone (save
a draft, autosave, submit), read it with its classification and reasons, reopen it; and the
"Poverty and survey" block of the household page (`household_survey_context`).

Access: outside reach 404 (scoped lookups); in reach without `surveys.record` (filling in) or
`surveys.record`/`personal.view_flags` (reading) 403; reopening needs `surveys.manage`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from chumchon.core.dates import fiscal_year

from ..forms import apply_service_errors
from ..models import Household, Person, Survey
from ..permissions import household_get_for
from ..views.common import deny_unless, household_crumbs
from . import domain, services
from .forms import (
    ReopenForm,
    SurveyForm,
    SurveyMemberForm,
    SurveyMemberFormSet,
    apply_survey_errors,
)
from .permissions import (
    can_record_survey,
    can_reopen_survey,
    can_view_survey,
    survey_get_for,
)

MEMBER_PREFIX = "members"


# --- classification shown with its reasons ---------------------------------------------------


def _reason_text(reason: dict[str, Any]) -> str:
    """A stored reason in the user's language (the other language if that text is empty)."""
    thai = (get_language() or "th").startswith("th")
    first, second = ("th", "en") if thai else ("en", "th")
    return reason.get(first) or reason.get(second) or reason.get("rule", "")


def classification_rows(
    is_poor: bool | None, deprived: dict[str, bool], reasons: list[dict[str, Any]]
) -> dict[str, Any]:
    """Poor or not and each TPMAP dimension (deprived or not), each with its reasons."""
    by_target: dict[str, list[str]] = {}
    for reason in reasons or []:
        by_target.setdefault(reason.get("target", ""), []).append(_reason_text(reason))
    dimensions = [
        {
            "code": code,
            "label": label,
            "deprived": bool(deprived.get(code)),
            "reasons": by_target.get(code, []),
        }
        for code, label in domain.DIMENSIONS
    ]
    return {
        "is_poor": is_poor,
        "poor_reasons": by_target.get(domain.TARGET_POOR, []),
        "dimensions": dimensions,
        "deprivation_count": sum(1 for d in dimensions if d["deprived"]),
    }


def survey_classification(survey: Survey) -> dict[str, Any] | None:
    """A submitted survey's stored classification (None for a draft)."""
    if not survey.is_submitted:
        return None
    rows = classification_rows(
        survey.is_poor,
        {code: getattr(survey, f"deprived_{code}") for code in domain.DIMENSION_CODES},
        survey.reasons,
    )
    rows["income_per_person_year"] = survey.income_per_person_year
    return rows


def survey_preview_rows(survey: Survey) -> tuple[dict[str, Any] | None, str]:
    """A draft's classification if it were submitted now, or why it cannot be computed."""
    try:
        result = services.survey_preview(survey)
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    rows = classification_rows(result.is_poor, result.deprived, result.reasons)
    members = list(survey.members.select_related("person"))
    measures = domain.compute_measures(
        services.survey_facts(survey, members), services.ages_on(survey.surveyed_on)
    )
    rows["income_per_person_year"] = measures["income_per_person_year"]
    return rows, ""


# --- the household page's block --------------------------------------------------------------


def household_survey_context(user: Any, household: Household) -> dict[str, Any]:
    """The "Poverty and survey" block: the latest submitted survey's classification with its
    reasons, one line per round, and the start/continue button. Income-based data: only for
    users who may read surveys (`survey_block` is None for others). Two queries."""
    if not can_view_survey(user, household):
        return {"survey_block": None}
    surveys = list(
        Survey.objects.filter(household=household)
        .select_related("round")
        .order_by("-round__fiscal_year", "-id")
    )
    latest = next((s for s in surveys if s.is_submitted), None)
    today = timezone.localdate()
    year = fiscal_year(today)
    current_round = services.round_for(household, today)
    current = (
        next((s for s in surveys if s.round_id == current_round.pk), None)
        if current_round is not None
        else None
    )
    can_record = can_record_survey(user, household)
    block: dict[str, Any] = {
        "latest": latest,
        "classification": survey_classification(latest) if latest else None,
        "history": surveys,
        "current": current,
        "can_record": can_record,
        "can_start": False,
        "blocker": "",
        "fiscal_year": year,
    }
    if can_record and current is None:
        problem = services.start_problem(household, current_round, today)
        block["blocker"] = " ".join(problem.messages) if problem else ""
        block["can_start"] = not block["blocker"]
    return {"survey_block": block}


# --- start -----------------------------------------------------------------------------------


class SurveyStartView(LoginRequiredMixin, View):
    """POST: start this year's survey of a household (or go to the one already started)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        household = household_get_for(request.user, pk)
        deny_unless(can_record_survey(request.user, household))
        survey_round = services.round_for(household, timezone.localdate())
        existing = (
            Survey.objects.filter(round=survey_round, household=household).first()
            if survey_round is not None
            else None
        )
        if existing is not None:
            return redirect(
                "survey-detail" if existing.is_submitted else "survey-edit", pk=existing.pk
            )
        try:
            survey = services.survey_start(actor=request.user, household=household)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(f"{reverse('household-detail', args=[household.pk])}#survey")
        messages.success(
            request,
            _("The survey of %(house)s was started: fill it in, then save the draft.")
            % {"house": household},
        )
        return redirect("survey-edit", pk=survey.pk)


# --- fill in ---------------------------------------------------------------------------------


def _version(survey: Survey) -> str:
    """Changes whenever the draft is saved: the browser's typed copy is kept against it."""
    return str(int(survey.updated_at.timestamp() * 1_000_000))


def _labelled(label: Any, message: Any) -> str:
    text, label = str(message), str(label or "")
    return text if not label or text.startswith(label) else f"{label}: {text}"


def error_summary(form: SurveyForm, formset) -> list[dict[str, str]]:
    """Every error on the page, each with the anchor of its question or member card."""
    items: list[dict[str, str]] = []
    for error in form.non_field_errors():
        items.append({"message": str(error), "anchor": ""})
    for error in formset.non_form_errors():
        items.append({"message": str(error), "anchor": "members"})
    for name, errors in form.errors.items():
        if name not in form.fields:
            continue
        field = form[name]
        items.extend(
            {"message": _labelled(field.label, e), "anchor": field.auto_id} for e in errors
        )
    for index, member_form in enumerate(formset.forms):
        who = _("member %(n)s") % {"n": index + 1}
        if member_form.display_name:
            who = f"{who} ({member_form.display_name})"
        # the service's messages name the member themselves
        items.extend(
            {"message": str(error), "anchor": f"member-{index}"}
            for error in member_form.non_field_errors()
        )
        for name, errors in member_form.errors.items():
            if name not in member_form.fields:
                continue
            field = member_form[name]
            items.extend(
                {"message": f"{who}: {_labelled(field.label, e)}", "anchor": field.auto_id}
                for e in errors
            )
    return items


class SurveyMixin(LoginRequiredMixin):
    def get_survey(self) -> Survey:
        if not hasattr(self, "_survey"):
            self._survey = survey_get_for(self.request.user, self.kwargs["pk"])
        return self._survey


def _crumbs(user: Any, survey: Survey, *extra: dict) -> list[dict]:
    return [
        *household_crumbs(user, survey.household),
        {
            "label": _("Survey %(year)s") % {"year": survey.round.fiscal_year},
            "url": reverse("survey-detail", args=[survey.pk]) if extra else None,
        },
        *extra,
    ]


class SurveyEditView(SurveyMixin, View):
    """The survey form, filled in on a phone. POST `action`: save (the draft), submit (save,
    then submit), add_member (save, then one more empty member card), autosave (save; answers
    JSON, for survey.js)."""

    template_name = "communities/survey_form.html"

    def _prepare(self) -> Survey:
        survey = self.get_survey()
        deny_unless(can_record_survey(self.request.user, survey))
        return survey

    def _people(self, survey: Survey) -> dict[int, Person]:
        """The people a member card may name: the household's, and those already on the saved
        survey (someone who moved out while it was a draft). Never ids from the request: a
        posted id of someone elsewhere must not show their name."""
        query = Q(household_id=survey.household_id) | Q(
            pk__in=survey.members.filter(person__isnull=False).values("person_id")
        )
        return {p.pk: p for p in Person.objects.filter(query)}

    def get(self, request, pk: int):
        survey = self._prepare()
        if survey.is_submitted:
            messages.info(request, _("This survey was submitted: it is shown read-only."))
            return redirect("survey-detail", pk=survey.pk)
        members = list(survey.members.select_related("person"))
        initial = [SurveyMemberForm.initial_from(m) for m in members]
        if request.GET.get("add"):
            initial.append({})
        people = self._people(survey)
        form = SurveyForm(initial=SurveyForm.initial_from(survey))
        formset = SurveyMemberFormSet(initial=initial, prefix=MEMBER_PREFIX, people=people)
        return self.render(survey, form, formset)

    def post(self, request, pk: int):
        survey = self._prepare()
        action = request.POST.get("action", "save")
        autosave = action == "autosave"
        if survey.is_submitted:
            message = _("This survey was submitted: reopen it to change the answers.")
            if autosave:
                return JsonResponse({"saved": False, "message": message}, status=409)
            messages.error(request, message)
            return redirect("survey-detail", pk=survey.pk)
        form = SurveyForm(request.POST)
        formset = SurveyMemberFormSet(
            request.POST, prefix=MEMBER_PREFIX, people=self._people(survey)
        )
        forms_ok = form.is_valid() & formset.is_valid()
        if forms_ok:
            kept = formset.kept_forms()
            try:
                survey = services.survey_save(
                    actor=request.user,
                    survey=survey,
                    answers=form.answers(),
                    members=[f.member() for f in kept],
                    surveyed_on=form.cleaned_data["surveyed_on"],
                )
            except ValidationError as exc:
                apply_survey_errors(exc, form, kept)
            else:
                return self.saved(survey, form, formset, kept, action)
        if autosave:
            count = len(error_summary(form, formset))
            return JsonResponse(
                {
                    "saved": False,
                    "message": _(
                        "Not saved automatically: %(n)s answers need correcting. Press “Save "
                        "draft” to see them."
                    )
                    % {"n": count},
                },
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return self.render(survey, form, formset, status=200)

    def saved(self, survey: Survey, form, formset, kept, action: str) -> HttpResponse:
        request = self.request
        if action == "autosave":
            return JsonResponse(
                {
                    "saved": True,
                    "version": _version(survey),
                    "message": _("Draft saved automatically at %(time)s.")
                    % {"time": time_format(timezone.localtime(survey.updated_at), "H:i")},
                },
                json_dumps_params={"ensure_ascii": False},
            )
        if action == "submit":
            try:
                survey = services.survey_submit(actor=request.user, survey=survey)
            except ValidationError as exc:
                apply_survey_errors(exc, form, kept)
                form.add_error(
                    None,
                    _(
                        "The draft was saved, but it cannot be submitted yet: answer the questions below."
                    ),
                )
                return self.render(survey, form, formset, status=200)
            messages.success(
                request,
                _("The survey of %(house)s was submitted; its classification is below.")
                % {"house": survey.household},
            )
            return redirect("survey-detail", pk=survey.pk)
        messages.success(request, _("The draft was saved."))
        if action == "add_member":
            return redirect(f"{reverse('survey-edit', args=[survey.pk])}?add=1#members")
        return redirect("survey-edit", pk=survey.pk)

    def render(self, survey: Survey, form, formset, status: int = 200) -> HttpResponse:
        preview, preview_error = survey_preview_rows(survey)
        context = {
            "survey": survey,
            "household": survey.household,
            "community": survey.household.community,
            "form": form,
            "formset": formset,
            "summary": error_summary(form, formset) if form.is_bound else [],
            "round_open": survey.round.is_open,
            "version": _version(survey),
            "bound": form.is_bound,
            "preview": preview,
            "preview_error": preview_error,
            "title": _("Survey of %(house)s, fiscal year %(year)s")
            % {"house": survey.household, "year": survey.round.fiscal_year},
            "breadcrumbs": _crumbs(self.request.user, survey, {"label": _("Fill in")}),
        }
        return render(self.request, self.template_name, context, status=status)


# --- read ------------------------------------------------------------------------------------


def _answer_rows(survey: Survey) -> list[dict[str, Any]]:
    def label(name: str) -> Any:
        return Survey._meta.get_field(name).verbose_name

    def yes_no(value: bool | None) -> str:
        return {True: _("Yes"), False: _("No")}.get(value, "–")

    welfare = dict(domain.WELFARE_CHOICES)
    rows = [
        {"label": label("other_income_year"), "money": survey.other_income_year},
        {"label": label("expenses_month"), "money": survey.expenses_month},
        {"label": label("debt_formal"), "money": survey.debt_formal},
        {"label": label("debt_informal"), "money": survey.debt_informal},
        {"label": label("savings"), "money": survey.savings},
        {"label": label("tenure"), "text": survey.get_tenure_display()},
        {"label": label("housing_condition"), "text": survey.get_housing_condition_display()},
        {"label": label("drinking_water_enough"), "text": yes_no(survey.drinking_water_enough)},
        {"label": label("water_source"), "text": survey.get_water_source_display()},
        {"label": label("electricity"), "text": survey.get_electricity_display()},
        {"label": label("waste"), "text": survey.get_waste_display()},
        {
            "label": label("welfare_received"),
            "text": ", ".join(str(welfare.get(c, c)) for c in survey.welfare_received or []),
        },
    ]
    for row in rows:
        row["is_money"] = "money" in row
    return rows


def _member_rows(survey: Survey) -> list[dict[str, Any]]:
    def yes_no(value: bool | None) -> str:
        return {True: _("Yes"), False: _("No")}.get(value, "–")

    rows = []
    for m in survey.members.select_related("person"):
        rows.append(
            {
                "member": m,
                "age": services.member_age(m, survey.surveyed_on),
                "from_registry": m.person_id is not None,
                "in_school": yes_no(m.in_school),
                "reads_thai": yes_no(m.reads_thai),
            }
        )
    return rows


class SurveyDetailView(SurveyMixin, View):
    """A survey: answers, members, the classification with its reasons, who surveyed."""

    http_method_names = ["get"]

    def get(self, request, pk: int):
        survey = self.get_survey()
        user = request.user
        deny_unless(can_view_survey(user, survey))
        preview, preview_error = (None, "")
        if not survey.is_submitted:
            preview, preview_error = survey_preview_rows(survey)
        submitted_by = ""
        if survey.submitted_by_id:
            submitted_by = survey.submitted_by.get_full_name() or survey.submitted_by.get_username()
        context = {
            "survey": survey,
            "household": survey.household,
            "community": survey.household.community,
            "classification": survey_classification(survey),
            "preview": preview,
            "preview_error": preview_error,
            "answers": _answer_rows(survey),
            "members": _member_rows(survey),
            "submitted_by": submitted_by,
            "can_edit": not survey.is_submitted
            and survey.round.is_open
            and can_record_survey(user, survey),
            "can_reopen": survey.is_submitted
            and survey.round.is_open
            and can_reopen_survey(user, survey),
            "breadcrumbs": _crumbs(user, survey),
        }
        return render(request, "communities/survey_detail.html", context)


class SurveyReopenView(SurveyMixin, View):
    """Return a submitted survey to draft, with a reason (surveys.manage)."""

    template_name = "communities/survey_reopen.html"

    def _prepare(self) -> Survey:
        survey = self.get_survey()
        deny_unless(can_reopen_survey(self.request.user, survey))
        return survey

    def get(self, request, pk: int):
        return self.render(self._prepare(), ReopenForm())

    def post(self, request, pk: int):
        survey = self._prepare()
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.survey_reopen(
                    actor=request.user, survey=survey, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The survey was reopened as a draft; submit it again when corrected."),
                )
                return redirect("survey-detail", pk=survey.pk)
        return self.render(survey, form)

    def render(self, survey: Survey, form) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "survey": survey,
                "form": form,
                "title": _("Reopen the survey of %(house)s, fiscal year %(year)s")
                % {"house": survey.household, "year": survey.round.fiscal_year},
                "breadcrumbs": _crumbs(self.request.user, survey, {"label": _("Reopen")}),
            },
        )
