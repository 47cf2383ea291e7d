"""Report pages of a budget programme: the figures of an area (city, zone, district or
community) with every measure of the issue, its children with drill-down links, what lags, and
the Excel export of the children table.

Reading a report needs ``records.view`` on the area asked for (``?area=CODE``); without an area
the report opens on the city for central staff, else on the user's own area. An area outside
the user's reach is 404, like an unknown one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from chumchon.accounts.scoping import reach_of
from chumchon.communities.models import Community
from chumchon.core.excel import write_xlsx
from chumchon.organizations.models import Area

from . import selectors
from .domain import Figures
from .models import Programme
from .permissions import programme_get_for

VIEW_PERM = "records.view"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_LIMIT = 100  # rows of each "what lags" list shown on the page


class UnknownArea(Http404):
    """No area has the code asked for (the API answers 404 with this message)."""


def report_area(user: Any, programme: Programme, code: str | None) -> Area:
    """The area a report is asked for: 404 when unknown or outside the user's reach, 403 when
    in reach without ``records.view`` there. Without a code: the programme's area (the city)
    when the user may read it, else the user's own (highest) area with ``records.view``."""
    reach = reach_of(user)
    if code:
        area = Area.objects.select_related("kind").filter(code=code.strip()).first()
        if area is None:
            raise UnknownArea(_("There is no area with the code “%(code)s”.") % {"code": code})
        if not reach.covers(area.path):
            raise Http404
        if not reach.allows(VIEW_PERM, area.path):
            raise PermissionDenied
        return area
    city = programme.owner_area
    if reach.allows(VIEW_PERM, city.path):
        return Area.objects.select_related("kind").get(pk=city.pk)
    paths = reach.paths_with(VIEW_PERM)
    if not paths:
        raise PermissionDenied
    return Area.objects.select_related("kind").get(path=paths[0])


def measures(figures: Figures) -> list[tuple[str, Any, str]]:
    """(label, value, kind) of every measure the report shows; kind is count, amount or pct."""
    return [
        (_("Communities budgeted"), figures.communities_budgeted, "count"),
        (_("Amount budgeted"), figures.amount_budgeted, "amount"),
        (
            _("Communities dropped (dissolved before the transfer)"),
            figures.communities_dropped,
            "count",
        ),
        (_("Communities transferred"), figures.communities_transferred, "count"),
        (_("Amount transferred"), figures.amount_transferred, "amount"),
        (_("Communities that applied"), figures.communities_applied, "count"),
        (_("Applied (per cent of communities transferred)"), figures.applied_pct, "pct"),
        (_("Communities approved"), figures.communities_approved, "count"),
        (_("Amount approved"), figures.amount_approved, "amount"),
        (_("Amount disbursed within the fiscal year"), figures.amount_disbursed, "amount"),
        (_("Amount carried over"), figures.amount_carried_over, "amount"),
        (_("Paid from the carry-over"), figures.amount_paid_from_carry_over, "amount"),
        (_("Amount returned"), figures.amount_returned, "amount"),
        (_("Disbursed and carried over"), figures.spent_and_carried, "amount"),
        (
            _("Disbursed and carried over (per cent of the amount transferred)"),
            figures.spent_and_carried_pct,
            "pct",
        ),
        (_("Applications waiting for a decision"), figures.applications_waiting, "count"),
        (_("Payments waiting for confirmation"), figures.payments_waiting, "count"),
    ]


def report_url(programme: Programme, area: Area | None = None) -> str:
    url = reverse("budget-report", args=[programme.pk])
    return f"{url}?area={area.code}" if area is not None else url


def _crumbs(user: Any, programme: Programme, area: Area) -> list[dict]:
    reach = reach_of(user)
    crumbs: list[dict] = [{"label": _("Home"), "url": reverse("home")}]
    crumbs.append({"label": _("Budget programmes"), "url": reverse("budget-programme-list")})
    crumbs.append(
        {
            "label": f"{programme.name} ({programme.fiscal_year})",
            "url": reverse("budget-programme-detail", args=[programme.pk]),
        }
    )
    for ancestor in area.ancestors(include_self=False):
        if reach.allows(VIEW_PERM, ancestor.path):
            crumbs.append({"label": ancestor.display_name, "url": report_url(programme, ancestor)})
    crumbs.append({"label": area.display_name})
    return crumbs


class ReportMixin(LoginRequiredMixin):
    def report(self) -> tuple[Programme, Area]:
        user = self.request.user
        programme = programme_get_for(user, self.kwargs["pk"])
        area = report_area(user, programme, self.request.GET.get("area"))
        return programme, area


class ReportView(ReportMixin, TemplateView):
    template_name = "budgets/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme, area = self.report()
        user = self.request.user
        figures = selectors.figures(programme, area)
        children = selectors.figures_by_child(programme, area)
        community_ids = dict(
            Community.objects.filter(
                area__in=[c for c, _f in children if c.kind.code == "community"]
            ).values_list("area_id", "pk")
        )
        reach = reach_of(user)
        rows = [
            {
                "area": child,
                "figures": child_figures,
                "report_url": (
                    report_url(programme, child)
                    if child.kind.code != "community" and reach.allows(VIEW_PERM, child.path)
                    else ""
                ),
                "community_url": (
                    reverse("community-detail", args=[community_ids[child.pk]])
                    if child.pk in community_ids
                    else ""
                ),
            }
            for child, child_figures in children
        ]
        lag = selectors.lagging(programme, area, limit=LIST_LIMIT)
        context.update(
            programme=programme,
            area=area,
            figures=figures,
            measures=measures(figures),
            rows=rows,
            lag=lag,
            limit=LIST_LIMIT,
            is_community=area.kind.code == "community",
            export_url=reverse("budget-report-export", args=[programme.pk]) + f"?area={area.code}",
            today=timezone.localdate(),
            breadcrumbs=_crumbs(user, programme, area),
        )
        return context


EXPORT_COLUMNS = (
    ("communities_budgeted", gettext_noop("Communities budgeted")),
    ("amount_budgeted", gettext_noop("Amount budgeted")),
    ("communities_dropped", gettext_noop("Dropped")),
    ("communities_transferred", gettext_noop("Communities transferred")),
    ("amount_transferred", gettext_noop("Amount transferred")),
    ("communities_applied", gettext_noop("Communities applied")),
    ("applied_pct", gettext_noop("Applied (per cent)")),
    ("communities_approved", gettext_noop("Communities approved")),
    ("amount_approved", gettext_noop("Amount approved")),
    ("amount_disbursed", gettext_noop("Disbursed")),
    ("amount_carried_over", gettext_noop("Carried over")),
    ("amount_paid_from_carry_over", gettext_noop("Paid from the carry-over")),
    ("amount_returned", gettext_noop("Money returned")),
    ("spent_and_carried_pct", gettext_noop("Disbursed and carried over (per cent)")),
    ("applications_waiting", gettext_noop("Applications waiting")),
    ("payments_waiting", gettext_noop("Payments waiting")),
)


def export_rows(figures: Figures) -> list[Any]:
    return [getattr(figures, name) for name, _label in EXPORT_COLUMNS]


class ReportExportView(ReportMixin, View):
    """The children table and the area's totals as an Excel workbook (numbers as numbers)."""

    def get(self, request, *args, **kwargs):
        programme, area = self.report()
        header = [_("Code"), _("Area"), *[_(label) for _name, label in EXPORT_COLUMNS]]
        rows = [
            [child.code, child.display_name, *export_rows(child_figures)]
            for child, child_figures in selectors.figures_by_child(programme, area)
        ]
        rows.append(
            [
                area.code,
                _("Total: %(area)s") % {"area": area.display_name},
                *export_rows(selectors.figures(programme, area)),
            ]
        )
        content = write_xlsx([(str(programme.fiscal_year), header, rows)])
        response = HttpResponse(content, content_type=XLSX_TYPE)
        stamp = timezone.localdate().isoformat()
        name = f"budget-{programme.fiscal_year}-{programme.pk}-{area.code}-{stamp}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
