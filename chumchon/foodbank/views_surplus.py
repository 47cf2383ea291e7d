"""Pages of the surplus food relay (helper "surplus").

- Public: ``/foodbank/impact/`` (no login): the six totals of a period and an area (the city,
  a zone or a district) and a table per district; no personal data.
- Donors (``/foodbank/donors/...``): the list in reach (and the city-wide donors above it),
  create and edit (``foodbank.donors``), the donor's page, and the acknowledgement letter
  (หนังสือขอบคุณ, PDF) for a period.
- A district's surplus page (``/foodbank/<district>/surplus/``): kg on hand, the impact of the
  fiscal year and of a chosen period, donations and distributions with filters and an Excel
  export; recording (``foodbank.record``), the donation and distribution pages, cancelling.
Every list reads a constant number of queries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from chumchon.communities.forms import apply_service_errors
from chumchon.communities.models import Community, Person
from chumchon.communities.views.common import RegistryFormView, deny_unless
from chumchon.core.dates import fiscal_year, format_date
from chumchon.core.documents import pdf_response, render_pdf
from chumchon.core.excel import write_xlsx
from chumchon.core.national_id import validate_national_id
from chumchon.organizations.models import Area

from . import domain, ledger
from . import selectors_surplus as selectors
from . import services_surplus as services
from .forms_surplus import (
    CATEGORY_ROWS,
    CancelForm,
    CategoryFormSet,
    DistributionForm,
    DonationForm,
    DonorFilterForm,
    DonorForm,
    ImpactForm,
    ListFilterForm,
    PeriodForm,
)
from .models import Distribution, Donor, Status, SurplusDonation
from .permissions import (
    DONORS,
    RECORD,
    VIEW,
    can,
    can_anywhere,
    district_get_for,
    districts_for,
    donor_areas_for,
    get_for,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _period(form: Any, default: tuple[date, date]) -> tuple[date, date]:
    start, end = default
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    return start, end


def with_kg(rows: Any, *, meals: bool = False) -> list:
    """Rows with ``.kg`` (exact kg) and, for donations, ``.meals`` and ``.kgco2e`` set."""
    rows = list(rows)
    for row in rows:
        row.kg = domain.kg(row.weight_g)
        if meals:
            row.meals, row.kgco2e = selectors.donation_meals(row)
    return rows


def _crumbs(*items: tuple[str, str | None]) -> list[dict]:
    return [{"label": _("Home"), "url": reverse("home")}] + [
        {"label": label, "url": url} for label, url in items
    ]


def _query_string(request, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", "format", *drop):
        query.pop(name, None)
    return query.urlencode()


# --- public impact -----------------------------------------------------------------------------


def public_areas() -> list[Area]:
    return list(
        Area.objects.filter(kind__code__in=["city", "zone", "district"], is_active=True)
        .select_related("kind")
        .order_by("depth", "code")
    )


class ImpactView(TemplateView):
    """Public totals: no login, no personal data."""

    template_name = "foodbank/surplus/impact.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        areas = public_areas()
        form = ImpactForm(self.request.GET or None, areas=areas)
        start, end = _period(form, selectors.fiscal_year_period())
        if start > end:
            start, end = end, start
        code = form.cleaned_data.get("area") if form.is_bound and form.is_valid() else ""
        area = next((a for a in areas if a.code == code), None) or next(
            (a for a in areas if a.kind.code == "city"), None
        )
        context.update(
            form=form,
            start=start,
            end=end,
            area=area,
            impact=selectors.impact(area, start=start, end=end),
            rows=selectors.impact_by_district(area, start=start, end=end),
            fiscal_year=fiscal_year(timezone.localdate()),
        )
        return context


# --- donors ------------------------------------------------------------------------------------


class DonorListView(LoginRequiredMixin, TemplateView):
    template_name = "foodbank/surplus/donor_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deny_unless(can_anywhere(user, VIEW))
        districts = list(districts_for(user, VIEW).select_related("kind"))
        form = DonorFilterForm(self.request.GET or None, districts=districts)
        donors = selectors.donors_visible(user).select_related("area__kind")
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["q"].strip():
                donors = donors.filter(
                    Q(name__icontains=data["q"].strip()) | Q(branch__icontains=data["q"].strip())
                )
            if data["kind"]:
                donors = donors.filter(kind=data["kind"])
            if data["district"]:
                donors = donors.filter(area__code=data["district"])
        donors = donors.annotate(
            given_g=Sum(
                "surplus_donations__weight_g", filter=Q(surplus_donations__status="recorded")
            ),
            n_donations=Count("surplus_donations", filter=Q(surplus_donations__status="recorded")),
        ).order_by("name", "id")
        page = Paginator(donors, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            donors=[_given(d) for d in page.object_list],
            query_string=_query_string(self.request),
            can_add=can_anywhere(user, DONORS),
            breadcrumbs=_crumbs((_("Food bank"), _url("foodbank-home")), (_("Donors"), None)),
        )
        return context


def _given(donor: Donor) -> Donor:
    donor.given_kg = domain.kg(donor.given_g or 0)
    return donor


def _url(name: str, *args: Any) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class DonorFormView(RegistryFormView):
    template_name = "foodbank/surplus/form.html"
    error_aliases = {"agreement_on": "agreement_on"}

    def areas(self) -> list[Area]:
        return list(donor_areas_for(self.request.user).select_related("kind"))

    def make_form(self, data=None):
        donor = self.object
        initial = None
        if donor is not None and data is None:
            initial = {
                "area": donor.area.code,
                "kind": donor.kind,
                "name": donor.name,
                "branch": donor.branch,
                "tax_id": donor.tax_id,
                "contact_name": donor.contact_name,
                "contact_phone": donor.contact_phone,
                "email": donor.email,
                "address": donor.address,
                "agreement_no": donor.agreement_no,
                "agreement_on": format_date(donor.agreement_on, "numeric")
                if donor.agreement_on
                else "",
                "active": donor.active,
                "note": donor.note,
            }
        form = DonorForm(data, areas=self.areas(), initial=initial)
        if donor is None:
            form.fields.pop("active")
        return form

    def values(self, form) -> dict:
        data = dict(form.cleaned_data)
        data["area"] = next(a for a in self.areas() if a.code == data["area"])
        return data

    def context(self):
        title = _("Edit the donor") if self.object else _("New donor")
        return {
            "title": title,
            "submit_label": _("Save"),
            "cancel_url": reverse("foodbank-donor", args=[self.object.pk])
            if self.object
            else reverse("foodbank-donors"),
            "breadcrumbs": _crumbs((_("Donors"), reverse("foodbank-donors")), (title, None)),
        }


class DonorCreateView(DonorFormView):
    def allowed(self, obj):
        return can_anywhere(self.request.user, DONORS)

    def save(self, form):
        data = self.values(form)
        donor = services.donor_create(
            actor=self.request.user,
            area=data.pop("area"),
            kind=data.pop("kind"),
            name=data.pop("name"),
            **data,
        )
        messages.success(self.request, _("The donor %(name)s was added.") % {"name": donor})
        return redirect("foodbank-donor", pk=donor.pk)


class DonorEditView(DonorFormView):
    def load(self):
        return get_for(
            self.request.user, Donor.objects.select_related("area"), self.kwargs["pk"], DONORS
        )

    def allowed(self, obj):
        return True  # get_for checked foodbank.donors at the donor's area

    def save(self, form):
        donor = services.donor_update(
            actor=self.request.user, donor=self.object, **self.values(form)
        )
        messages.success(self.request, _("The donor %(name)s was saved.") % {"name": donor})
        return redirect("foodbank-donor", pk=donor.pk)


def _user_districts(user: Any) -> list[Area]:
    return list(districts_for(user, VIEW))


class DonorDetailView(LoginRequiredMixin, TemplateView):
    template_name = "foodbank/surplus/donor_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        donor = selectors.donor_get_for(user, self.kwargs["pk"])
        donations = (
            SurplusDonation.objects.filter(donor=donor)
            .filter(_in_view_reach(user, "district__path"))
            .select_related("district")
            .order_by("-donated_on", "-id")
        )
        totals = selectors.impact_of(donations.filter(status=Status.RECORDED))
        from .models import Lot

        lots = (
            Lot.objects.filter(donor=donor)
            .filter(_in_view_reach(user, "store__area__path"))
            .select_related("item", "store__area")
            .order_by("-received_on", "-id")[:100]
        )
        context.update(
            donor=donor,
            donations=with_kg(donations[:200], meals=True),
            totals=totals,
            lots=lots,
            can_edit=can(user, DONORS, donor.area),
            period=selectors.fiscal_year_period(),
            letter_districts=_user_districts(user) if donor.area.kind.code == "city" else [],
            breadcrumbs=_crumbs((_("Donors"), reverse("foodbank-donors")), (str(donor), None)),
        )
        return context


def _in_view_reach(user: Any, path_field: str) -> Q:
    from chumchon.accounts.scoping import path_filter, reach_of

    reach = reach_of(user)
    if reach.everything:
        return Q()
    paths = reach.paths_with(VIEW)
    return path_filter(paths, path_field) if paths else Q(pk__in=[])


class DonorLetterView(LoginRequiredMixin, View):
    """หนังสือขอบคุณ: the district (or the city) thanks the donor for what it gave in a period
    (?from=&to=, default the fiscal year; ?district= the issuing district for a city donor)."""

    def get(self, request, pk):
        user = request.user
        donor = selectors.donor_get_for(user, pk)
        issuer = donor.area
        code = (request.GET.get("district") or "").strip()
        if donor.area.kind.code == "city" and code:
            issuer = district_get_for(user, code, VIEW)
        form = PeriodForm({"start": request.GET.get("from", ""), "end": request.GET.get("to", "")})
        start, end = _period(form, selectors.fiscal_year_period())
        qs = SurplusDonation.objects.filter(
            donor=donor,
            status=Status.RECORDED,
            donated_on__gte=start,
            donated_on__lte=end,
            district__path__startswith=issuer.path,
        )
        totals = selectors.impact_of(qs)
        pdf = render_pdf(
            "foodbank/surplus/letter.html",
            {
                "donor": donor,
                "issuer": issuer,
                "start": start,
                "end": end,
                "today": timezone.localdate(),
                "impact": totals,
                "weight": domain.format_kg(totals.grams, 2),
            },
        )
        return pdf_response(pdf, f"หนังสือขอบคุณ-{donor.pk}-{start.isoformat()}.pdf")


# --- the district's surplus page ---------------------------------------------------------------


def district_context(district: Area) -> dict:
    return {
        "district": district,
        "store": ledger.store_for(district, create=False),
        "tab": "surplus",
    }


def _district_crumbs(district: Area, *items: tuple[str, str | None]) -> list[dict]:
    return _crumbs(
        (_("Food bank"), _url("foodbank-home")),
        (district.display_name, _url("foodbank-district", district.code)),
        (_("Surplus food"), reverse("foodbank-surplus", args=[district.code])),
        *items,
    )


class SurplusView(LoginRequiredMixin, TemplateView):
    template_name = "foodbank/surplus/district.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        self.district = district_get_for(user, kwargs["district"], VIEW)
        self.filters = ListFilterForm(request.GET or None)
        data = (
            self.filters.cleaned_data if self.filters.is_bound and self.filters.is_valid() else {}
        )
        self.start = data.get("start")
        self.end = data.get("end")
        self.donations = selectors.donations_of(
            self.district, start=self.start, end=self.end, status=data.get("status", "")
        )
        self.distributions = selectors.distributions_of(
            self.district,
            start=self.start,
            end=self.end,
            status=data.get("status", ""),
            recipient_kind=data.get("recipient_kind", ""),
        )
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        district = self.district
        fy_start, fy_end = selectors.fiscal_year_period()
        period = None
        if self.start or self.end:
            start, end = self.start or date(2000, 1, 1), self.end or timezone.localdate()
            period = {
                "start": start,
                "end": end,
                "impact": selectors.impact(district, start=start, end=end),
            }
        donations = Paginator(self.donations, PAGE_SIZE).get_page(self.request.GET.get("page"))
        distributions = Paginator(self.distributions, PAGE_SIZE).get_page(
            self.request.GET.get("dpage")
        )
        context.update(
            district_context(district),
            on_hand=domain.kg(selectors.on_hand_g(district)),
            fiscal={
                "start": fy_start,
                "end": fy_end,
                "year": fiscal_year(fy_start),
                "impact": selectors.impact(district, start=fy_start, end=fy_end),
            },
            period=period,
            filters=self.filters,
            donations=donations,
            donation_rows=with_kg(donations.object_list, meals=True),
            distributions=distributions,
            distribution_rows=with_kg(distributions.object_list),
            query_string=_query_string(self.request, "dpage"),
            can_record=can(self.request.user, RECORD, district),
            breadcrumbs=_district_crumbs(district)[:-1]
            + [{"label": _("Surplus food"), "url": None}],
        )
        return context

    def export(self) -> HttpResponse:
        kinds = dict(Distribution.Recipient.choices)
        statuses = dict(Status.choices)

        def donation_rows():
            for d in self.donations.iterator(chunk_size=2000):
                meals, co2 = selectors.donation_meals(d)
                yield [
                    d.number,
                    d.donated_on,
                    str(d.donor),
                    d.donor.get_kind_display(),
                    domain.kg(d.weight_g),
                    meals,
                    co2,
                    d.picked_up_by,
                    d.handed_over_to,
                    d.reference,
                    str(statuses.get(d.status, d.status)),
                    d.cancel_reason,
                ]

        def distribution_rows():
            for d in self.distributions.iterator(chunk_size=2000):
                yield [
                    d.number,
                    d.distributed_on,
                    str(kinds.get(d.recipient_kind, d.recipient_kind)),
                    d.community.area.name if d.community_id else d.recipient_name,
                    d.n_persons,
                    domain.kg(d.weight_g),
                    d.headcount,
                    str(statuses.get(d.status, d.status)),
                    d.cancel_reason,
                ]

        content = write_xlsx(
            [
                (
                    str(_("Donations")),
                    [
                        _("Number"),
                        _("Date"),
                        _("Donor"),
                        _("Kind"),
                        _("Weight (kg)"),
                        _("Meals"),
                        _("kgCO2e avoided"),
                        _("Picked up by"),
                        _("Received by"),
                        _("Reference"),
                        _("Status"),
                        _("Reason for cancelling"),
                    ],
                    donation_rows(),
                ),
                (
                    str(_("Distributions")),
                    [
                        _("Number"),
                        _("Date"),
                        _("To"),
                        _("Community, shelter or group"),
                        _("Registered persons"),
                        _("Weight (kg)"),
                        _("People served"),
                        _("Status"),
                        _("Reason for cancelling"),
                    ],
                    distribution_rows(),
                ),
            ]
        )
        response = HttpResponse(content, content_type=XLSX_TYPE)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="surplus-{self.district.code}-{stamp}.xlsx"'
        )
        return response


class DistrictFormView(RegistryFormView):
    """A form page of a district's surplus food (``foodbank.record``)."""

    template_name = "foodbank/surplus/form.html"
    perm = RECORD
    title = ""

    def _prepare(self) -> None:
        self.district = district_get_for(self.request.user, self.kwargs["district"], self.perm)
        super()._prepare()

    def allowed(self, obj):
        return True  # district_get_for / get_for checked the permission

    def context(self):
        return {
            **district_context(self.district),
            "title": self.title,
            "submit_label": _("Save"),
            "cancel_url": reverse("foodbank-surplus", args=[self.district.code]),
            "breadcrumbs": _district_crumbs(self.district, (self.title, None)),
        }


class DonationCreateView(DistrictFormView):
    template_name = "foodbank/surplus/donation_form.html"

    @property
    def title(self):
        return _("Record a surplus food donation")

    def donors(self):
        return list(selectors.donors_for_district(self.district))

    def get(self, request, *args, **kwargs):
        row = request.GET.get("categories-TOTAL_FORMS")
        if row is not None and request.headers.get("HX-Request"):  # "add a category" (htmx)
            self._prepare()
            index = int(row) if row.isdigit() and int(row) < 50 else 0
            formset = CategoryFormSet(prefix="categories")
            form = formset._construct_form(
                index, empty_permitted=True, use_required_attribute=False
            )
            return render(
                request,
                "foodbank/surplus/category_row.html",
                {"row": form, "n": index + 1, "next_total": index + 1, "oob": True},
            )
        return super().get(request, *args, **kwargs)

    def make_form(self, data=None):
        # a new record is usually today's: the date is filled in (BE, as officers type it)
        initial = None if data is not None else {"donated_on": _today_typed()}
        return DonationForm(data, donors=self.donors(), initial=initial)

    def render(self, form, formset=None, **extra):
        if formset is None:
            formset = CategoryFormSet(prefix="categories", initial=[{}] * CATEGORY_ROWS)
        return super().render(form, formset=formset, **extra)

    def post(self, request, *args, **kwargs):
        self._prepare()
        data = request.POST.copy()
        adding = data.get("action") == "add_row"
        if adding:  # without JavaScript: the page comes back with one more row, nothing saved
            total = data.get("categories-TOTAL_FORMS", "0")
            data["categories-TOTAL_FORMS"] = str(min(int(total) + 1, 50) if total.isdigit() else 1)
        form = self.make_form(data)
        formset = CategoryFormSet(data, prefix="categories")
        shape_ok = form.is_valid() & formset.is_valid()
        if adding or not shape_ok:
            return self.render(form, formset)
        rows = [
            (index, f.cleaned_data) for index, f in enumerate(formset.forms) if not f.is_blank()
        ]
        donor = next((d for d in form.donors if str(d.pk) == form.cleaned_data["donor"]), None)
        try:
            donation = services.donation_record(
                actor=request.user,
                district=self.district,
                donor=donor,
                donated_on=form.cleaned_data["donated_on"],
                weight_kg=form.cleaned_data["weight_kg"],
                categories=[(r.get("category") or "", r.get("weight_kg")) for _i, r in rows],
                picked_up_by=form.cleaned_data["picked_up_by"],
                pickup_address=form.cleaned_data["pickup_address"],
                handed_over_to=form.cleaned_data["handed_over_to"],
                reference=form.cleaned_data["reference"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            self._apply_errors(exc, form, formset, rows)
            return self.render(form, formset)
        meals, co2 = selectors.donation_meals(donation)
        messages.success(
            request,
            _("Donation %(number)s recorded: %(kg)s kg, %(meals)s meals, %(co2)s kgCO2e avoided.")
            % {
                "number": donation.number,
                "kg": domain.format_kg(donation.weight_g),
                "meals": meals,
                "co2": co2,
            },
        )
        return redirect("foodbank-donation", district=self.district.code, pk=donation.pk)

    @staticmethod
    def _apply_errors(exc, form, formset, rows) -> None:
        """Category errors (``categories.N.field``, N counting typed rows) land on their row;
        the rest on the form."""
        general = {}
        for key, errors in exc.error_dict.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "categories" and parts[1].isdigit():
                n = int(parts[1])
                if n < len(rows):
                    target = formset.forms[rows[n][0]]
                    for error in errors:
                        target.add_error(parts[2], error)
                    continue
            general[key] = errors
        if general:
            apply_service_errors(form, ValidationError(general))


class DistributionCreateView(DistrictFormView):
    template_name = "foodbank/surplus/distribution_form.html"

    @property
    def title(self):
        return _("Record a distribution")

    def communities(self):
        return list(
            Community.objects.filter(area__parent=self.district, status="active")
            .select_related("area")
            .order_by("area__code")
        )

    def make_form(self, data=None):
        initial = (
            None
            if data is not None
            else {"recipient_kind": "community", "distributed_on": _today_typed()}
        )
        return DistributionForm(data, communities=self.communities(), initial=initial)

    def save(self, form):
        data = form.cleaned_data
        community = next((c for c in form.communities if c.area.code == data["community"]), None)
        persons, problems = self._persons(data["national_ids"])
        if problems:
            raise ValidationError({"national_ids": problems})
        try:
            made = services.distribution_record(
                actor=self.request.user,
                district=self.district,
                distributed_on=data["distributed_on"],
                recipient_kind=data["recipient_kind"],
                weight_kg=data["weight_kg"],
                headcount=data["headcount"],
                community=community,
                recipient_name=data["recipient_name"],
                persons=persons,
                note=data["note"],
            )
        except ValidationError as exc:
            raise ValidationError(
                {("national_ids" if k == "persons" else k): v for k, v in exc.error_dict.items()}
            ) from None
        messages.success(
            self.request,
            _("Distribution %(number)s recorded: %(kg)s kg to %(people)s people.")
            % {
                "number": made.number,
                "kg": domain.format_kg(made.weight_g),
                "people": made.headcount,
            },
        )
        return redirect("foodbank-distribution", district=self.district.code, pk=made.pk)

    def _persons(self, text: str) -> tuple[list[Person], list[str]]:
        from chumchon.communities.services import find_person_by_national_id

        persons: list[Person] = []
        problems: list[str] = []
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                validate_national_id(line)
                person = find_person_by_national_id(line)
            except ValidationError:
                problems.append(_("Line %(n)s is not a valid 13-digit national ID.") % {"n": n})
                continue
            if person is None or not person.area.path.startswith(self.district.path):
                problems.append(
                    _("Line %(n)s: nobody with this national ID is registered in %(district)s.")
                    % {"n": n, "district": self.district.display_name}
                )
                continue
            persons.append(person)
        return persons, problems


def _donation_qs(district: Area):
    return SurplusDonation.objects.filter(district=district).select_related(
        "donor", "district", "recorded_by", "cancelled_by"
    )


def _distribution_qs(district: Area):
    return Distribution.objects.filter(district=district).select_related(
        "community__area", "district", "recorded_by", "cancelled_by"
    )


class DonationDetailView(LoginRequiredMixin, TemplateView):
    template_name = "foodbank/surplus/donation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        district = district_get_for(user, kwargs["district"], VIEW)
        donation = get_for(user, _donation_qs(district), kwargs["pk"], VIEW)
        meals, co2 = selectors.donation_meals(donation)
        context.update(
            district_context(district),
            donation=with_kg([donation])[0],
            categories=with_kg(donation.categories.all()),
            meals=meals,
            kgco2e=co2,
            can_cancel=donation.status == Status.RECORDED and can(user, RECORD, district),
            breadcrumbs=_district_crumbs(
                district, (_("Donation %(n)s") % {"n": donation.number}, None)
            ),
        )
        return context


class DistributionDetailView(LoginRequiredMixin, TemplateView):
    template_name = "foodbank/surplus/distribution_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        district = district_get_for(user, kwargs["district"], VIEW)
        distribution = get_for(user, _distribution_qs(district), kwargs["pk"], VIEW)
        context.update(
            district_context(district),
            distribution=with_kg([distribution])[0],
            persons=list(distribution.persons.select_related("area").order_by("first_name")),
            can_cancel=distribution.status == Status.RECORDED and can(user, RECORD, district),
            breadcrumbs=_district_crumbs(
                district, (_("Distribution %(n)s") % {"n": distribution.number}, None)
            ),
        )
        return context


class CancelView(DistrictFormView):
    template_name = "foodbank/surplus/cancel.html"

    def make_form(self, data=None):
        return CancelForm(data)

    def context(self):
        return {**super().context(), "record": with_kg([self.object])[0], "cancel_url": self.back()}


class DonationCancelView(CancelView):
    @property
    def title(self):
        return _("Cancel a donation")

    def load(self):
        return get_for(self.request.user, _donation_qs(self.district), self.kwargs["pk"], RECORD)

    def back(self):
        return reverse("foodbank-donation", args=[self.district.code, self.object.pk])

    def save(self, form):
        services.donation_cancel(
            actor=self.request.user, donation=self.object, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("The donation is cancelled."))
        return redirect(self.back())


class DistributionCancelView(CancelView):
    @property
    def title(self):
        return _("Cancel a distribution")

    def load(self):
        return get_for(
            self.request.user, _distribution_qs(self.district), self.kwargs["pk"], RECORD
        )

    def back(self):
        return reverse("foodbank-distribution", args=[self.district.code, self.object.pk])

    def save(self, form):
        services.distribution_cancel(
            actor=self.request.user,
            distribution=self.object,
            reason=form.cleaned_data["reason"],
        )
        messages.success(self.request, _("The distribution is cancelled."))
        return redirect(self.back())


def _today_typed() -> str:
    """Today in Bangkok as the date fields show and read it (d/m/BE)."""
    return format_date(timezone.localdate(), "numeric")
