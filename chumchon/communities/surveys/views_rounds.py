"""Pages of survey rounds (a district's survey of a fiscal year: open, coverage, progress per
community and per surveyor, close, reopen, reclassify) and of the poverty report (a fiscal
year over a city, zone, district or community, with its Excel export).

Rounds are seen with `records.view` in reach and managed with `surveys.manage` at the district
(`surveys/permissions.py`); reports show counts only, so `reports.view` at the area is enough.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from chumchon.accounts.scoping import has_perm_anywhere, scope_queryset
from chumchon.core.dates import fiscal_year
from chumchon.organizations.models import Area

from ..exports import FORMATS, export_response
from ..forms import DistrictChoiceField, RegistryForm, date_field
from ..models import Community, SurveyRound
from ..permissions import can_import
from ..views.common import RegistryFormView, deny_unless
from . import domain, services
from .exports import export_paths
from .permissions import (
    can_manage_any_round,
    can_manage_rounds,
    can_view_rounds,
    can_view_survey_reports,
    survey_round_get_for,
    survey_round_scope,
)
from .selectors import (
    DEPRIVATION_BANDS,
    Report,
    coverage_percent,
    report_ancestors,
    report_area_for,
    report_roots,
    round_communities,
    round_coverage,
    round_fiscal_years,
    round_surveyors,
    survey_report,
    with_coverage,
)

STATUS_CHOICES = [("", gettext_lazy("All")), *SurveyRound.Status.choices]


def manage_districts(user: Any):
    """Districts where the user may open survey rounds (`surveys.manage`)."""
    return scope_queryset(
        Area.objects.of_kind("district").active().select_related("kind").order_by("code"),
        user,
        perm="surveys.manage",
        path_field="path",
    )


def rounds_crumbs(*extra: dict) -> list[dict]:
    return [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Survey rounds"), "url": reverse("survey-round-list")},
        *extra,
    ]


def round_crumbs(survey_round: SurveyRound, *extra: dict) -> list[dict]:
    return rounds_crumbs(
        {
            "label": _("%(year)s, %(district)s")
            % {"year": survey_round.fiscal_year, "district": survey_round.area.display_name},
            "url": reverse("survey-round-detail", args=[survey_round.pk]),
        },
        *extra,
    )


# --- forms --------------------------------------------------------------------------------------


class RoundOpenForm(RegistryForm):
    district = DistrictChoiceField(queryset=Area.objects.none(), label=gettext_lazy("District"))
    fiscal_year = forms.IntegerField(
        label=gettext_lazy("Fiscal year (BE)"),
        min_value=2500,
        max_value=2800,
        help_text=gettext_lazy("e.g. 2570 (1 October 2569 to 30 September 2570)"),
    )
    opens_on = date_field(
        gettext_lazy("Opens on"),
        required=False,
        help_text=gettext_lazy("Blank: the first day of the fiscal year. e.g. 01/10/2569"),
    )
    closes_on = date_field(
        gettext_lazy("Closes on"),
        required=False,
        help_text=gettext_lazy("Blank: the last day of the fiscal year. e.g. 30/09/2570"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, user, **kwargs):
        self.user = user
        kwargs.setdefault("initial", {"fiscal_year": fiscal_year(timezone.localdate())})
        super().__init__(data, **kwargs)

    def setup(self) -> None:
        districts = manage_districts(self.user)
        self.fields["district"].queryset = districts
        first = list(districts[:2])
        if len(first) == 1:
            self.fields["district"].initial = first[0].pk


class ReasonForm(RegistryForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, required: bool = False, help_text: Any = "", **kwargs):
        self.reason_required = required
        self.reason_help = help_text
        super().__init__(data, **kwargs)

    def setup(self) -> None:
        self.fields["reason"].required = self.reason_required
        self.fields["reason"].help_text = self.reason_help


# --- rounds -------------------------------------------------------------------------------------


class SurveyRoundListView(LoginRequiredMixin, TemplateView):
    """The rounds in the user's reach, newest year first, with their coverage."""

    template_name = "communities/survey_round_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deny_unless(has_perm_anywhere(user, "records.view"))
        scoped = survey_round_scope(user)
        rounds = scoped.select_related("area__kind").order_by("-fiscal_year", "area__code")
        year = self.request.GET.get("year", "").strip()
        status = self.request.GET.get("status", "").strip()
        if year.isdigit():
            rounds = rounds.filter(fiscal_year=int(year))
        if status in SurveyRound.Status.values:
            rounds = rounds.filter(status=status)
        page = Paginator(with_coverage(rounds), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        for survey_round in page.object_list:
            survey_round.percent = coverage_percent(survey_round.submitted, survey_round.registered)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            rounds=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            query_string=query.urlencode(),
            years=round_fiscal_years(scoped),
            year=year,
            status=status,
            status_choices=STATUS_CHOICES,
            can_open=can_manage_any_round(user),
            can_view_reports=has_perm_anywhere(user, "reports.view"),
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Survey rounds")},
            ],
        )
        return context


class SurveyRoundCreateView(RegistryFormView):
    """Open a district's round for a fiscal year (dates default to the year's)."""

    def allowed(self, obj) -> bool:
        return can_manage_any_round(self.request.user)

    def make_form(self, data=None):
        return RoundOpenForm(data, user=self.request.user)

    def save(self, form):
        data = form.cleaned_data
        survey_round = services.survey_round_open(
            actor=self.request.user,
            district=data["district"],
            fiscal_year_be=data["fiscal_year"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            note=data["note"],
        )
        messages.success(
            self.request, _("The survey round %(round)s was opened.") % {"round": survey_round}
        )
        return redirect("survey-round-detail", pk=survey_round.pk)

    def context(self):
        return {
            "title": _("Open a survey round"),
            "intro": _(
                "A round is a district's household survey for one fiscal year: surveyors record "
                "surveys in it while it is open."
            ),
            "submit_label": _("Open the round"),
            "cancel_url": reverse("survey-round-list"),
            "breadcrumbs": rounds_crumbs({"label": _("Open a survey round")}),
        }


class RoundMixin(LoginRequiredMixin):
    def get_round(self) -> SurveyRound:
        if not hasattr(self, "_round"):
            self._round = survey_round_get_for(self.request.user, self.kwargs["pk"])
        return self._round


class SurveyRoundDetailView(RoundMixin, TemplateView):
    """A round's coverage, progress per community and per surveyor, and its actions."""

    template_name = "communities/survey_round_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        survey_round = self.get_round()
        deny_unless(can_view_rounds(user, survey_round))
        can_report = can_view_survey_reports(user, survey_round.area)
        context.update(
            survey_round=survey_round,
            coverage=round_coverage(survey_round),
            communities=round_communities(survey_round),
            surveyors=round_surveyors(survey_round),
            can_manage=can_manage_rounds(user, survey_round),
            can_export=export_paths(user, survey_round) != [],
            import_url=(
                f"{reverse('registry-import')}?kind=surveys"
                if survey_round.is_open and can_import(user, survey_round.area)
                else None
            ),
            report_url=(
                f"{reverse('survey-report')}?year={survey_round.fiscal_year}"
                f"&area={survey_round.area.code}"
                if can_report
                else None
            ),
            breadcrumbs=rounds_crumbs(
                {
                    "label": _("%(year)s, %(district)s")
                    % {
                        "year": survey_round.fiscal_year,
                        "district": survey_round.area.display_name,
                    }
                }
            ),
        )
        return context


class RoundActionView(RoundMixin, RegistryFormView):
    """A form page with a reason that calls one round service (close, reopen, reclassify)."""

    reason_required = False
    reason_help: Any = ""
    #: the round's status where the action makes no sense (GET goes back to the round)
    pointless_when: str | None = None
    pointless_message: Any = ""

    def load(self):
        return self.get_round()

    def allowed(self, survey_round) -> bool:
        return can_manage_rounds(self.request.user, survey_round)

    def get(self, request, *args, **kwargs):
        self._prepare()
        if self.pointless_when and self.object.status == self.pointless_when:
            messages.info(request, self.pointless_message)
            return redirect("survey-round-detail", pk=self.object.pk)
        return self.render(self.make_form())

    def make_form(self, data=None):
        return ReasonForm(data, required=self.reason_required, help_text=self.reason_help)

    def done(self):
        return redirect("survey-round-detail", pk=self.object.pk)


class SurveyRoundCloseView(RoundActionView):
    pointless_when = SurveyRound.Status.CLOSED
    pointless_message = gettext_lazy("This survey round is already closed.")

    def save(self, form):
        services.survey_round_close(
            actor=self.request.user, survey_round=self.object, reason=form.cleaned_data["reason"]
        )
        messages.success(
            self.request,
            _("The survey round was closed: its surveys can no longer be changed."),
        )
        return self.done()

    def context(self):
        return {
            "title": _("Close the survey round %(round)s") % {"round": self.object},
            "warning": _(
                "Once closed, no survey of this round can be started, saved or submitted. "
                "Drafts stay drafts. A manager can reopen the round with a reason."
            ),
            "submit_label": _("Close the round"),
            "cancel_url": reverse("survey-round-detail", args=[self.object.pk]),
            "breadcrumbs": round_crumbs(self.object, {"label": _("Close the round")}),
        }


class SurveyRoundReopenView(RoundActionView):
    reason_required = True
    reason_help = gettext_lazy("At least 10 characters: late surveys, corrections, ...")
    pointless_when = SurveyRound.Status.OPEN
    pointless_message = gettext_lazy("This survey round is already open.")

    def save(self, form):
        services.survey_round_reopen(
            actor=self.request.user, survey_round=self.object, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("The survey round was reopened."))
        return self.done()

    def context(self):
        return {
            "title": _("Reopen the survey round %(round)s") % {"round": self.object},
            "intro": _("Surveys can be recorded and corrected again until the round is closed."),
            "submit_label": _("Reopen the round"),
            "cancel_url": reverse("survey-round-detail", args=[self.object.pk]),
            "breadcrumbs": round_crumbs(self.object, {"label": _("Reopen the round")}),
        }


class SurveyRoundReclassifyView(RoundActionView):
    reason_help = gettext_lazy("e.g. the poverty line of the year was corrected")

    def save(self, form):
        changed = services.survey_round_reclassify(
            actor=self.request.user, survey_round=self.object, reason=form.cleaned_data["reason"]
        )
        messages.success(
            self.request,
            _("The submitted surveys were classified again: %(n)s changed.") % {"n": changed},
        )
        return self.done()

    def context(self):
        return {
            "title": _("Classify the surveys of %(round)s again") % {"round": self.object},
            "intro": _(
                "Every submitted survey of the round is classified again with the rules and "
                "parameters in force on its own survey date (after a rule or a parameter was "
                "corrected). Households' poverty status follows."
            ),
            "submit_label": _("Classify again"),
            "cancel_url": reverse("survey-round-detail", args=[self.object.pk]),
            "breadcrumbs": round_crumbs(self.object, {"label": _("Classify again")}),
        }


# --- reports ------------------------------------------------------------------------------------


def report_target(request) -> tuple[Area, int, list[Area]]:
    """The area (`?area=<code>`, default the user's widest: see `report_area_for`) and the
    fiscal year (`?year=`, default the current one) of a report request, and the user's
    report roots. A year that is not a BE fiscal year: ValueError."""
    user = request.user
    area = report_area_for(user, request.GET.get("area", ""))
    text = request.GET.get("year", "").strip()
    year = fiscal_year(timezone.localdate())
    if text:
        if not text.isdigit() or not 2400 <= int(text) <= 2800:
            raise ValueError(text)
        year = int(text)
    return area, year, report_roots(user)


DIMENSION_HEADERS_TH = {
    "health": "ขาดแคลนด้านสุขภาพ",
    "living": "ขาดแคลนด้านความเป็นอยู่",
    "education": "ขาดแคลนด้านการศึกษา",
    "income": "ขาดแคลนด้านรายได้",
    "services": "ขาดแคลนด้านการเข้าถึงบริการรัฐ",
}
BAND_HEADERS_TH = {
    "0": "ไม่ขาดแคลนด้านใด",
    "1": "ขาดแคลน 1 ด้าน",
    "2": "ขาดแคลน 2 ด้าน",
    "3_or_more": "ขาดแคลน 3 ด้านขึ้นไป",
}
REPORT_HEADER_TH = [
    "รหัสพื้นที่",
    "พื้นที่",
    "ครัวเรือนในทะเบียน",
    "ครัวเรือนที่สำรวจแล้ว",
    "ร้อยละที่สำรวจ",
    "ครัวเรือนยากจน",
    "ร้อยละครัวเรือนยากจน (ของที่สำรวจ)",
    *(DIMENSION_HEADERS_TH[c] for c in domain.DIMENSION_CODES),
    *(BAND_HEADERS_TH[b] for b in DEPRIVATION_BANDS),
]


def report_rows(report: Report) -> list[list[Any]]:
    """The report as spreadsheet rows, in Thai whatever the user's language (the total last)."""
    rows = []
    with translation.override("th"):
        for line in [*report.rows, report.total]:
            is_total = line is report.total
            rows.append(
                [
                    "" if is_total else line.area.code,
                    f"รวม {line.area.display_name}" if is_total else line.area.display_name,
                    line.registered,
                    line.surveyed,
                    line.coverage_percent,
                    line.poor,
                    line.poor_percent,
                    *(line.deprived[c] for c in domain.DIMENSION_CODES),
                    *(line.deprivations[b] for b in DEPRIVATION_BANDS),
                ]
            )
    return rows


class SurveyReportView(LoginRequiredMixin, TemplateView):
    """Poor households and deprivations of a fiscal year, per child area and in total."""

    template_name = "communities/survey_report.html"

    def get(self, request, *args, **kwargs):
        try:
            self.area, self.year, self.roots = report_target(request)
        except ValueError:
            messages.error(
                request,
                _("“%(year)s” is not a fiscal year: give a Buddhist-era year such as 2570.")
                % {"year": request.GET.get("year", "")},
            )
            query = request.GET.copy()
            query.pop("year", None)
            return redirect(f"{reverse('survey-report')}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area, year = self.area, self.year
        report = survey_report(area, year)
        communities = {}
        if report.rows and report.rows[0].area.kind.code == "community":
            communities = dict(
                Community.objects.filter(area__in=[line.area for line in report.rows]).values_list(
                    "area_id", "pk"
                )
            )
        for line in report.rows:
            line.community_pk = communities.get(line.area.pk)
        rounds = scope_queryset(SurveyRound.objects.all(), user, perm="reports.view")
        years = sorted(
            {*round_fiscal_years(rounds), fiscal_year(timezone.localdate()), year}, reverse=True
        )
        ancestors = report_ancestors(area, lambda a: can_view_survey_reports(user, a))
        url = reverse("survey-report")
        context.update(
            report=report,
            area=area,
            year=year,
            years=years,
            roots=self.roots if len(self.roots) > 1 else [],
            ancestors=ancestors,
            export_url=f"{reverse('survey-report-export')}?year={year}&area={area.code}",
            report_url=url,
            dimensions=domain.DIMENSIONS,
            band_labels=BAND_LABELS,
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                *(
                    {"label": a.display_name, "url": f"{url}?year={year}&area={a.code}"}
                    for a in ancestors
                ),
                {
                    "label": _("Poverty report %(year)s, %(area)s")
                    % {"year": year, "area": area.display_name}
                },
            ],
        )
        return context


BAND_LABELS = [
    ("0", gettext_lazy("no deprivation")),
    ("1", gettext_lazy("1 dimension")),
    ("2", gettext_lazy("2 dimensions")),
    ("3_or_more", gettext_lazy("3 or more")),
]


class SurveyReportExportView(LoginRequiredMixin, View):
    """The report as xlsx (default) or CSV, Thai headers, the total on the last row."""

    def get(self, request):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in FORMATS:
            return HttpResponseBadRequest(
                _("Unknown format “%(format)s”: use xlsx or csv.") % {"format": fmt}
            )
        try:
            area, year, _roots = report_target(request)
        except ValueError:
            return HttpResponseBadRequest(
                _("“%(year)s” is not a fiscal year: give a Buddhist-era year such as 2570.")
                % {"year": request.GET.get("year", "")}
            )
        report = survey_report(area, year)
        return export_response(
            fmt,
            f"survey-report-{year}-{area.code}",
            f"รายงาน {year}",
            REPORT_HEADER_TH,
            report_rows(report),
        )
