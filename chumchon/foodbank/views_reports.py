"""The food bank's home, the district overview and the reports (pages and Excel).

- ``foodbank-home`` (/foodbank/): staff who read several districts see the totals of their city
  or zone for the fiscal year to date, one row per district and a district picker; a user with
  one district is sent to it (a counter clerk, who only redeems there: to the counter).
- ``foodbank-district`` (/foodbank/<district>/): the district's figures, lots near expiry or
  expired on hand, and the actions the user may take there.
- ``foodbank-report`` (/foodbank/reports/?area=&start=&end=): one row per district of a city or
  zone for a period (default: the current fiscal year), with the total; ``&format=xlsx``.
- ``foodbank-district-report`` (/foodbank/<district>/report/): the same figures for one district
  and its stock per item; ``?format=xlsx``.

Reading needs ``foodbank.view``: a district or area outside the user's reach is 404, inside it
without the permission 403 (``permissions.district_get_for``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chumchon.accounts.scoping import reach_of, scope_queryset
from chumchon.core.dates import fiscal_year, fiscal_year_bounds, format_date
from chumchon.core.excel import write_xlsx
from chumchon.core.forms import StyledForm, ThaiDateField
from chumchon.organizations.models import Area

from . import ledger
from . import selectors_reports as selectors
from .permissions import (
    ASSESS,
    DONORS,
    RECORD,
    REDEEM,
    VIEW,
    can_anywhere,
    district_get_for,
    districts_for,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: lots near expiry listed on the overview (the report's item table gives them all)
ALERT_LIMIT = 20
REPORT_KINDS = ("city", "zone", "district")


def _url(name: str, **kwargs: Any) -> str:
    """A URL of a page another part of the module may not have yet: "" until it exists."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def fiscal_year_to_date(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return fiscal_year_bounds(fiscal_year(today))


class PeriodForm(StyledForm):
    start = ThaiDateField(
        label=gettext_lazy("From"),
        required=False,
        help_text=gettext_lazy("Day/month/year, e.g. 1/10/2567; empty: the fiscal year's start."),
    )
    end = ThaiDateField(
        label=gettext_lazy("To"),
        required=False,
        help_text=gettext_lazy("Day/month/year; empty: the fiscal year's end."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                ValidationError(
                    _("The period ends (%(end)s) before it starts (%(start)s).")
                    % {"end": format_date(end), "start": format_date(start)}
                ),
            )
        return data


def period_of(request) -> tuple[PeriodForm, date, date, date]:
    """(form, start, end, on): the period asked for, else the current fiscal year; ``on`` (the
    day stock and beneficiaries are counted at) is the period's end, at the latest today."""
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = fiscal_year_to_date(today)
    if form.is_bound and form.is_valid():
        asked_start, asked_end = form.cleaned_data["start"], form.cleaned_data["end"]
        if asked_start and not asked_end:
            start, end = asked_start, max(asked_start, today)
        elif asked_end and not asked_start:
            end = asked_end
            start = fiscal_year_bounds(fiscal_year(asked_end))[0]
        elif asked_start and asked_end:
            start, end = asked_start, asked_end
    return form, start, end, min(end, today)


def period_query(start: date, end: date) -> str:
    return f"start={format_date(start, 'numeric')}&end={format_date(end, 'numeric')}"


def _is_clerk(user: Any, district: Area) -> bool:
    """Redeems at the district but keeps nothing else there (the counter clerk)."""
    reach = reach_of(user)
    return (
        reach.allows(REDEEM, district.path)
        and not reach.allows(RECORD, district.path)
        and not reach.allows(ASSESS, district.path)
    )


def home_area(user: Any) -> Area | None:
    """The broadest area the user reads the food bank of: the city for central staff, the
    zone for a zone officer, the district for district staff (None: several separate areas)."""
    reach = reach_of(user)
    if reach.everything:
        return (
            Area.objects.filter(kind__code="city").select_related("kind").order_by("code").first()
        )
    paths = reach.paths_with(VIEW)
    if len(paths) != 1:
        return None
    return Area.objects.select_related("kind").filter(path=paths[0]).first()


def report_area(user: Any, code: str | None) -> Area:
    """The area a report is asked for: 404 when unknown, not a city, zone or district, or
    outside the user's reach; 403 when in reach without foodbank.view there. Without a code:
    the user's broadest area."""
    reach = reach_of(user)
    if code:
        area = (
            Area.objects.select_related("kind")
            .filter(code=code.strip(), kind__code__in=REPORT_KINDS)
            .first()
        )
        if area is None or not reach.covers(area.path):
            raise Http404(
                _("There is no city, zone or district with the code “%(code)s”.") % {"code": code}
            )
        if not reach.allows(VIEW, area.path):
            raise PermissionDenied
        return area
    area = home_area(user)
    if area is None:
        paths = reach.paths_with(VIEW)
        if not paths:
            raise PermissionDenied
        area = Area.objects.select_related("kind").get(path=paths[0])
    return area


def area_choices(user: Any) -> list[Area]:
    """Cities and zones (and districts for district staff) the user may report on."""
    base = Area.objects.filter(kind__code__in=REPORT_KINDS, is_active=True).select_related("kind")
    reach = reach_of(user)
    if reach.everything:
        return list(base.exclude(kind__code="district").order_by("depth", "code"))
    scoped = scope_queryset(base, user, perm=VIEW, path_field="path")
    areas = list(scoped.exclude(kind__code="district").order_by("depth", "code"))
    return areas or list(scoped.order_by("code"))


def quick_links(user: Any, district: Area) -> list[dict[str, str]]:
    """The actions the user may take in the district, whose pages exist."""
    reach = reach_of(user)
    code = district.code
    candidates = [
        (REDEEM, _("Open the counter"), "foodbank-counter", {"district": code}, "primary"),
        (RECORD, _("Record surplus food"), "foodbank-donation-new", {"district": code}, ""),
        (RECORD, _("Record a distribution"), "foodbank-distribution-new", {"district": code}, ""),
        (RECORD, _("Receive goods"), "foodbank-receive", {"district": code}, ""),
        (ASSESS, _("Register a beneficiary"), "foodbank-beneficiary-new", {"district": code}, ""),
        (DONORS, _("Donors"), "foodbank-donors", {}, ""),
        (VIEW, _("District report"), "foodbank-district-report", {"district": code}, ""),
    ]
    links = []
    for perm, label, name, kwargs, style in candidates:
        if not reach.allows(perm, district.path):
            continue
        url = _url(name, **kwargs)
        if url:
            links.append({"label": label, "url": url, "style": style or "outline-primary"})
    return links


def figure_lines(f: selectors.Figures) -> list[tuple[str, Any, str]]:
    """(label, value, kind) of every figure: kind count, kg, meals (2 decimals) or points."""
    return [
        (_("Donors who gave food or goods"), f.donors, "count"),
        (_("Surplus food donations"), f.donations, "count"),
        (_("Surplus food received (kg)"), f.received_kg, "kg"),
        (_("Meals"), f.meals, "decimal"),
        (_("Avoided emissions (kgCO2e)"), f.kgco2e, "decimal"),
        (_("Distributions"), f.distributions, "count"),
        (_("Surplus food handed on (kg)"), f.distributed_kg, "kg"),
        (_("People served by distributions"), f.people_served, "count"),
        (_("Surplus food on hand (kg)"), f.on_hand_kg, "kg"),
        (_("Beneficiaries registered (active)"), f.beneficiaries_active, "count"),
        (_("Beneficiaries helped (redeemed at least once)"), f.beneficiaries_helped, "count"),
        (_("Redemptions"), f.redemptions, "count"),
        (_("Points awarded"), f.points_awarded, "count"),
        (_("Points redeemed"), f.points_redeemed, "count"),
        (_("Points expired"), f.points_expired, "count"),
        (_("Points corrected (reversals)"), f.points_reversed, "count"),
        (_("Units in stock"), f.stock_units, "count"),
        (_("Items in stock"), f.stock_items, "count"),
        (_("Lots near expiry"), f.lots_near_expiry, "count"),
        (_("Lots expired on hand"), f.lots_expired, "count"),
        (_("Donors since the start"), f.donors_since_start, "count"),
        (_("People helped since the start"), f.helped_since_start, "count"),
    ]


def figure_cells(f: selectors.Figures) -> list[Any]:
    return [value for _label, value, _kind in figure_lines(f)]


def figure_header() -> list[str]:
    return [label for label, _value, _kind in figure_lines(selectors.Figures())]


# --- the home page ---------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        user = request.user
        if not can_anywhere(user, VIEW):
            raise PermissionDenied
        districts = list(districts_for(user, VIEW).select_related("kind"))
        picked = (request.GET.get("district") or "").strip()
        if picked:
            if picked not in {d.code for d in districts}:
                raise Http404
            return redirect("foodbank-district", district=picked)
        area = home_area(user)
        if len(districts) == 1 and (area is None or area.pk == districts[0].pk):
            district = districts[0]
            counter = _url("foodbank-counter", district=district.code)
            if counter and _is_clerk(user, district):
                return redirect(counter)
            return redirect("foodbank-district", district=district.code)
        start, end = fiscal_year_to_date()
        today = timezone.localdate()
        report = selectors.rows_for(districts, start, end, min(end, today))
        report_url = reverse("foodbank-report")
        context = {
            "area": area,
            "report": report,
            "start": start,
            "end": end,
            "today": today,
            "fiscal_year": fiscal_year(today),
            "lines": figure_lines(report.total),
            "report_url": report_url + (f"?area={area.code}" if area else ""),
            "impact_url": _url("foodbank-impact"),
            "donors_url": _url("foodbank-donors") if can_anywhere(user, DONORS) else "",
            "breadcrumbs": [
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Food bank")},
            ],
        }
        return render(request, "foodbank/home.html", context)


# --- the district overview -------------------------------------------------------------------


def district_crumbs(district: Area, label: str | None = None) -> list[dict[str, str]]:
    crumbs = [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Food bank"), "url": reverse("foodbank-home")},
    ]
    if label:
        crumbs.append(
            {"label": district.name, "url": reverse("foodbank-district", args=[district.code])}
        )
        crumbs.append({"label": label})
    else:
        crumbs.append({"label": district.name})
    return crumbs


class DistrictView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        district = district_get_for(request.user, kwargs["district"], VIEW)
        store = ledger.store_for(district, create=False)
        today = timezone.localdate()
        start, end = fiscal_year_to_date(today)
        figures = selectors.district_summary(district, start, end, today)
        lots = selectors.expiring_lots([district.pk], today)
        context = {
            "district": district,
            "store": store,
            "tab": "overview",
            "figures": figures,
            "start": start,
            "end": end,
            "today": today,
            "fiscal_year": fiscal_year(today),
            "expired": [row for row in lots if row["lot__expires_on"] < today][:ALERT_LIMIT],
            "near": [row for row in lots if row["lot__expires_on"] >= today][:ALERT_LIMIT],
            "limit": ALERT_LIMIT,
            "links": quick_links(request.user, district),
            "stock_url": _url("foodbank-stock", district=district.code),
            "breadcrumbs": district_crumbs(district),
        }
        return render(request, "foodbank/district.html", context)


# --- reports ---------------------------------------------------------------------------------


class ReportView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        user = request.user
        if not can_anywhere(user, VIEW):
            raise PermissionDenied
        area = report_area(user, request.GET.get("area"))
        form, start, end, on = period_of(request)
        report = selectors.city_rows(area, start, end, on)
        if (request.GET.get("format") or "").lower() == "xlsx":
            return xlsx_response(
                self.xlsx(area, report), f"foodbank-{area.code}-{start}-{end}.xlsx"
            )
        base = reverse("foodbank-report")
        query = f"area={area.code}&{period_query(start, end)}"
        reach = reach_of(user)
        rows = [
            {
                "row": row,
                "url": reverse("foodbank-district", args=[row.district.code])
                if reach.allows(VIEW, row.district.path)
                else "",
            }
            for row in report.rows
        ]
        context = {
            "area": area,
            "form": form,
            "report": report,
            "rows": rows,
            "lines": figure_lines(report.total),
            "start": start,
            "end": end,
            "on": on,
            "areas": area_choices(user),
            "xlsx_url": f"{base}?{query}&format=xlsx",
            "breadcrumbs": [
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Food bank"), "url": reverse("foodbank-home")},
                {"label": _("Report: %(area)s") % {"area": area.name}},
            ],
        }
        return render(request, "foodbank/reports/report.html", context)

    def xlsx(self, area: Area, report: selectors.Report) -> bytes:
        rows = [
            [row.district.code, row.district.name, *figure_cells(row.figures)]
            for row in report.rows
        ]
        rows.append(
            [area.code, _("Total: %(area)s") % {"area": area.name}, *figure_cells(report.total)]
        )
        header = [_("Code"), _("District"), *figure_header()]
        period = [
            [_("Area"), f"{area.code} {area.name}"],
            [_("From"), report.start],
            [_("To"), report.end],
            [_("Stock and beneficiaries as of"), report.on],
        ]
        return write_xlsx(
            [(_("Food bank"), header, rows), (_("Period"), [_("Item"), _("Value")], period)]
        )


class DistrictReportView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        district = district_get_for(request.user, kwargs["district"], VIEW)
        store = ledger.store_for(district, create=False)
        form, start, end, on = period_of(request)
        figures = selectors.district_summary(district, start, end, on)
        items = selectors.item_rows(store, start, end, on)
        if (request.GET.get("format") or "").lower() == "xlsx":
            return xlsx_response(
                self.xlsx(district, figures, items, start, end, on),
                f"foodbank-{district.code}-{start}-{end}.xlsx",
            )
        base = reverse("foodbank-district-report", args=[district.code])
        context = {
            "district": district,
            "store": store,
            "tab": "report",
            "form": form,
            "figures": figures,
            "lines": figure_lines(figures),
            "items": items,
            "start": start,
            "end": end,
            "on": on,
            "xlsx_url": f"{base}?{period_query(start, end)}&format=xlsx",
            "breadcrumbs": district_crumbs(district, _("Report")),
        }
        return render(request, "foodbank/reports/district_report.html", context)

    def xlsx(self, district, figures, items, start, end, on) -> bytes:
        summary = [[label, value] for label, value, _kind in figure_lines(figures)]
        summary[:0] = [
            [_("District"), f"{district.code} {district.name}"],
            [_("From"), start],
            [_("To"), end],
            [_("Stock and beneficiaries as of"), on],
        ]
        stock = [
            [
                row.item.name,
                row.item.unit,
                row.item.get_category_display(),
                row.item.points,
                row.on_hand,
                row.near_expiry,
                row.expired,
                row.received,
                row.redeemed,
                row.written_off,
            ]
            for row in items
        ]
        return write_xlsx(
            [
                (_("Figures"), [_("Figure"), _("Value")], summary),
                (
                    _("Stock by item"),
                    [
                        _("Item"),
                        _("Unit"),
                        _("Item category"),
                        _("Points per unit"),
                        _("On hand"),
                        _("Near expiry"),
                        _("Expired on hand"),
                        _("Received"),
                        _("Redeemed"),
                        _("Written off"),
                    ],
                    stock,
                ),
            ]
        )
