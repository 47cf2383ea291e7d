"""Programme pages: list by fiscal year, create and edit, the programme's page (settings,
spending rules, pipeline counts per district, documents), allocation, drops, transfers to
districts, closing, and the allocation list.

Thin views: central staff (`programmes.manage`) act, others read; every write is one service
of services_programmes.py whose ValidationError lands on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from chumchon.accounts.scoping import has_perm, has_perm_anywhere
from chumchon.communities.forms import apply_service_errors
from chumchon.communities.views.common import RegistryFormView, deny_unless
from chumchon.core.attachments import attachment_add, attachments_of
from chumchon.core.dates import format_date
from chumchon.core.forms import AttachmentForm
from chumchon.organizations.models import Area

from . import services_programmes as services
from .forms_programmes import (
    AllocateForm,
    AllocationFilterForm,
    CategoryForm,
    CloseForm,
    DropDissolvedForm,
    DropForm,
    ProgrammeForm,
    RefusedForm,
    TransferForm,
)
from .models import Allocation, Programme, Transfer
from .permissions import (
    allocation_scope,
    can_manage_programmes,
    programme_get_for,
    programme_scope,
    transfer_get_for,
    transfer_scope,
)

FORM_PAGE = "communities/form_page.html"


def allocation_url(pk: int) -> str | None:
    try:
        return reverse("budget-allocation-detail", args=[pk])
    except NoReverseMatch:
        return None


def crumbs(programme: Programme | None = None, last: str | None = None) -> list[dict]:
    items = [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Budget programmes"), "url": reverse("budget-programme-list")},
    ]
    if programme is not None:
        items.append(
            {
                "label": programme.name_th,
                "url": reverse("budget-programme-detail", args=[programme.pk]),
            }
        )
    if last:
        items.append({"label": last})
    return items


class ProgrammeListView(LoginRequiredMixin, View):
    def get(self, request):
        programmes = programme_scope(request.user)
        years = sorted(set(programmes.values_list("fiscal_year", flat=True)), reverse=True)
        year = request.GET.get("fiscal_year") or ""
        q = request.GET.get("q") or ""
        programmes = services.programme_filter(
            programmes, fiscal_year=year if year.isdigit() else None, q=q
        ).annotate(
            n=Count("allocations", filter=~Q(allocations__status=Allocation.Status.DROPPED)),
            total=Sum(
                "allocations__amount", filter=~Q(allocations__status=Allocation.Status.DROPPED)
            ),
        )
        page = Paginator(programmes.order_by("-fiscal_year", "name_th", "pk"), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "budgets/programme_list.html",
            {
                "page_obj": page,
                "years": years,
                "year": year,
                "q": q,
                "can_manage": can_manage_programmes(request.user),
                "breadcrumbs": crumbs()[:-1] + [{"label": _("Budget programmes")}],
            },
        )


class ManageMixin(RegistryFormView):
    """A form page of central staff on a programme (404 unseen, 403 without the right)."""

    template_name = FORM_PAGE
    title = ""
    submit = ""

    def load(self):
        if "pk" not in self.kwargs:
            return None
        return programme_get_for(self.request.user, self.kwargs["pk"])

    def allowed(self, obj) -> bool:
        return can_manage_programmes(self.request.user)

    def back(self) -> str:
        if self.object is None:
            return reverse("budget-programme-list")
        return reverse("budget-programme-detail", args=[self.object.pk])

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.back())

    def context(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "submit_label": self.submit,
            "cancel_url": self.back(),
            "breadcrumbs": crumbs(self.object, self.title),
        }


def _programme_values(data: dict) -> dict:
    return {
        "fiscal_year": data["fiscal_year"],
        "name_th": data["name_th"],
        "name_en": data["name_en"],
        "budget_code": data["budget_code"],
        "allocation_rule": data["allocation_rule"],
        "amount_per_community": data["amount_per_community"] or None,
        "community_types": data["community_types"],
        "require_valid_committee": data["require_valid_committee"],
        "carry_over_deadline": data["carry_over_deadline"],
        "note": data["note"],
    }


class ProgrammeCreateView(ManageMixin):
    @property
    def title(self):
        return _("New budget programme")

    @property
    def submit(self):
        return _("Create the programme")

    def make_form(self, data=None):
        return ProgrammeForm(data)

    def save(self, form):
        programme = services.programme_create(
            actor=self.request.user, **_programme_values(form.cleaned_data)
        )
        messages.success(self.request, _("The programme was created."))
        return redirect("budget-programme-detail", pk=programme.pk)


class ProgrammeEditView(ManageMixin):
    @property
    def title(self):
        return _("Edit the programme")

    @property
    def submit(self):
        return _("Save")

    def make_form(self, data=None):
        p = self.object
        initial = {
            "fiscal_year": p.fiscal_year,
            "name_th": p.name_th,
            "name_en": p.name_en,
            "budget_code": p.budget_code,
            "allocation_rule": p.allocation_rule,
            "amount_per_community": p.amount_per_community,
            "community_types": list(p.community_types.values_list("code", flat=True)),
            "require_valid_committee": p.require_valid_committee,
            "carry_over_deadline": format_date(p.carry_over_deadline, "short")
            if p.carry_over_deadline
            else "",
            "note": p.note,
        }
        return ProgrammeForm(data, initial=initial)

    def save(self, form):
        services.programme_update(
            actor=self.request.user, programme=self.object, **_programme_values(form.cleaned_data)
        )
        return self.done(_("The programme was updated."))


class ProgrammeAllocateView(ManageMixin):
    @property
    def title(self):
        return _("Allocate the budget to eligible communities")

    @property
    def submit(self):
        return _("Allocate")

    def make_form(self, data=None):
        return AllocateForm(data)

    def save(self, form):
        count = services.programme_allocate(
            actor=self.request.user, programme=self.object, as_of=form.cleaned_data["as_of"]
        )
        return self.done(_("%(n)s communities were budgeted.") % {"n": count})


class ProgrammeDropView(ManageMixin):
    """Drop one budgeted community with the reason, or (``dissolved=1``) every community
    dissolved on or before a date."""

    @property
    def title(self):
        return _("Drop a community from the programme")

    @property
    def submit(self):
        return _("Drop")

    def dissolved(self) -> bool:
        return (self.request.POST.get("dissolved") or self.request.GET.get("dissolved")) == "1"

    def make_form(self, data=None):
        if self.dissolved():
            return DropDissolvedForm(data)
        return DropForm(data, initial={"community": self.request.GET.get("community", "")})

    def save(self, form):
        data = form.cleaned_data
        if self.dissolved():
            count = services.allocations_drop_dissolved(
                actor=self.request.user, programme=self.object, on=data["on"]
            )
            return self.done(_("%(n)s dissolved communities were dropped.") % {"n": count})
        allocation = self.object.allocations.filter(
            community__area__code=data["community"].strip()
        ).first()
        if allocation is None:
            raise ValidationError(
                {
                    "community": _("%(code)s has no budget in this programme.")
                    % {"code": data["community"]}
                }
            )
        services.allocation_drop(
            actor=self.request.user, allocation=allocation, on=data["on"], reason=data["reason"]
        )
        return self.done(_("The community was dropped."))


class ProgrammeCloseView(ManageMixin):
    @property
    def title(self):
        return _("Close the programme")

    @property
    def submit(self):
        return _("Close")

    def make_form(self, data=None):
        return CloseForm(data)

    def save(self, form):
        returns = services.programme_close(
            actor=self.request.user,
            programme=self.object,
            closed_on=form.cleaned_data["closed_on"],
            note=form.cleaned_data["note"],
        )
        return self.done(
            _("The programme was closed; %(n)s returns recorded.") % {"n": len(returns)}
        )


class CategoryAddView(ManageMixin):
    @property
    def title(self):
        return _("Spending category")

    @property
    def submit(self):
        return _("Save")

    def make_form(self, data=None):
        return CategoryForm(data)

    def save(self, form):
        services.category_save(actor=self.request.user, programme=self.object, **form.cleaned_data)
        return self.done(_("The category was saved."))


class RefusedAddView(ManageMixin):
    @property
    def title(self):
        return _("Refused item")

    @property
    def submit(self):
        return _("Add")

    def make_form(self, data=None):
        return RefusedForm(data)

    def save(self, form):
        services.refused_add(actor=self.request.user, programme=self.object, **form.cleaned_data)
        return self.done(_("The refused item was added."))


class _RemoveView(LoginRequiredMixin, View):
    def post(self, request, pk, item):
        programme = programme_get_for(request.user, pk)
        deny_unless(can_manage_programmes(request.user))
        try:
            self.remove(programme, item)
            messages.success(request, _("Removed."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("budget-programme-detail", pk=programme.pk)


class CategoryRemoveView(_RemoveView):
    def remove(self, programme, item):
        category = programme.categories.filter(pk=item).first()
        if category is None:
            raise Http404
        services.category_remove(actor=self.request.user, category=category)


class RefusedRemoveView(_RemoveView):
    def remove(self, programme, item):
        refused = programme.refused.filter(pk=item).first()
        if refused is None:
            raise Http404
        services.refused_remove(actor=self.request.user, item=refused)


class ProgrammeDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return self.page(request, pk)

    def post(self, request, pk):
        """Attach a document to the programme (central staff)."""
        programme = programme_get_for(request.user, pk)
        deny_unless(can_manage_programmes(request.user))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment_add(
                    actor=request.user,
                    owner=programme,
                    uploaded=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
                messages.success(request, _("The document was attached."))
                return redirect("budget-programme-detail", pk=programme.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.page(request, pk, attachment_form=form)

    def page(self, request, pk, **extra):
        user = request.user
        programme = programme_get_for(user, pk)
        allocations = allocation_scope(user).filter(programme=programme)
        districts = list(
            allocations.values("district__code", "district__name_th")
            .annotate(
                budgeted=Count("pk", filter=Q(status=Allocation.Status.BUDGETED)),
                transferred=Count("pk", filter=Q(status=Allocation.Status.TRANSFERRED)),
                dropped=Count("pk", filter=Q(status=Allocation.Status.DROPPED)),
                amount=Sum("amount", filter=~Q(status=Allocation.Status.DROPPED)),
            )
            .order_by("district__code")
        )
        totals = allocations.aggregate(
            budgeted=Count("pk", filter=Q(status=Allocation.Status.BUDGETED)),
            transferred=Count("pk", filter=Q(status=Allocation.Status.TRANSFERRED)),
            dropped=Count("pk", filter=Q(status=Allocation.Status.DROPPED)),
            amount=Sum("amount", filter=~Q(status=Allocation.Status.DROPPED)),
        )
        transfers = list(
            transfer_scope(user)
            .filter(programme=programme)
            .select_related("district__kind")
            .annotate(n=Count("allocations"), total=Sum("allocations__amount"))
            .order_by("transferred_on", "pk")
        )
        manage = can_manage_programmes(user)
        return render(
            request,
            "budgets/programme_detail.html",
            {
                "programme": programme,
                "types": list(programme.community_types.all()),
                "categories": list(programme.categories.all()),
                "refused": list(programme.refused.all()),
                "districts": districts,
                "totals": totals,
                "transfers": transfers,
                "documents": list(attachments_of(programme)),
                "can_manage": manage,
                # the report and the payment register need records.view (staff)
                "can_view_payments": has_perm_anywhere(request.user, "records.view"),
                "can_download": has_perm(request.user, "records.view", programme.owner_area.path),
                "attachment_form": extra.get("attachment_form")
                or (AttachmentForm() if manage else None),
                "breadcrumbs": crumbs(programme)[:-1] + [{"label": programme.name_th}],
            },
        )


class AllocationListView(LoginRequiredMixin, View):
    def get(self, request, pk):
        programme = programme_get_for(request.user, pk)
        form = AllocationFilterForm(request.GET or None)
        allocations = (
            allocation_scope(request.user)
            .filter(programme=programme)
            .select_related("community__area", "district", "transfer")
            .order_by("community__area__code")
        )
        if form.is_bound and form.is_valid():
            if form.cleaned_data["district"]:
                allocations = allocations.filter(district__code=form.cleaned_data["district"])
            if form.cleaned_data["status"]:
                allocations = allocations.filter(status=form.cleaned_data["status"])
        page = Paginator(allocations, 100).get_page(request.GET.get("page"))
        for a in page:
            a.url = allocation_url(a.pk)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "budgets/programme_allocations.html",
            {
                "programme": programme,
                "form": form,
                "page_obj": page,
                "query_string": query.urlencode(),
                "breadcrumbs": crumbs(programme, _("Allocations")),
            },
        )


class TransferCreateView(LoginRequiredMixin, View):
    """Pick a district, tick its budgeted communities (all by default), date and reference;
    communities already dissolved are listed apart with a link to drop them."""

    def setup_page(self, request, pk):
        self.programme = programme_get_for(request.user, pk)
        deny_unless(can_manage_programmes(request.user))
        code = request.GET.get("district") or request.POST.get("district") or ""
        self.district = Area.objects.filter(code=code, kind__code="district").first()
        self.districts = list(
            Area.objects.filter(
                pk__in=self.programme.allocations.filter(status=Allocation.Status.BUDGETED).values(
                    "district_id"
                )
            ).order_by("code")
        )
        budgeted = []
        if self.district is not None:
            budgeted = list(
                self.programme.allocations.filter(
                    status=Allocation.Status.BUDGETED, district=self.district
                )
                .select_related("community__area")
                .order_by("community__area__code")
            )
        self.dissolved = [a for a in budgeted if a.community.dissolved_on is not None]
        self.budgeted = [a for a in budgeted if a.community.dissolved_on is None]
        return [
            (a.community.area.code, f"{a.community.area.code} {a.community.area.name_th}")
            for a in self.budgeted
        ]

    def get(self, request, pk):
        choices = self.setup_page(request, pk)
        form = TransferForm(choices=choices, initial={"communities": [c for c, _n in choices]})
        return self.render(form)

    def post(self, request, pk):
        choices = self.setup_page(request, pk)
        form = TransferForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                transfer = services.transfer_record(
                    actor=request.user,
                    programme=self.programme,
                    district=self.district or request.POST.get("district", ""),
                    transferred_on=form.cleaned_data["transferred_on"],
                    community_codes=form.cleaned_data["communities"],
                    reference=form.cleaned_data["reference"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The transfer was recorded."))
                return redirect("budget-transfer-detail", pk=transfer.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc, aliases={"community_codes": "communities"})
        return self.render(form)

    def render(self, form):
        return render(
            self.request,
            "budgets/transfer_form.html",
            {
                "programme": self.programme,
                "form": form,
                "district": self.district,
                "districts": self.districts,
                "dissolved": self.dissolved,
                "breadcrumbs": crumbs(self.programme, _("Record a transfer")),
            },
        )


class TransferDetailView(LoginRequiredMixin, View):
    def load(self, request, pk) -> Transfer:
        try:
            return transfer_get_for(request.user, pk)
        except Http404:
            # a community's own committee reads the transfer that carried its money
            mine = allocation_scope(request.user).filter(transfer_id=pk)
            if not mine.exists():
                raise
            return Transfer.objects.select_related("district", "programme", "recorded_by").get(
                pk=pk
            )

    def get(self, request, pk):
        return self.page(request, pk)

    def post(self, request, pk):
        transfer = self.load(request, pk)
        deny_unless(can_manage_programmes(request.user))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment_add(
                    actor=request.user,
                    owner=transfer,
                    uploaded=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
                messages.success(request, _("The document was attached."))
                return redirect("budget-transfer-detail", pk=transfer.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.page(request, pk, attachment_form=form)

    def page(self, request, pk, **extra):
        transfer = self.load(request, pk)
        allocations = list(
            allocation_scope(request.user)
            .filter(transfer=transfer)
            .select_related("community__area")
            .order_by("community__area__code")
        )
        for a in allocations:
            a.url = allocation_url(a.pk)
        manage = can_manage_programmes(request.user)
        return render(
            request,
            "budgets/transfer_detail.html",
            {
                "transfer": transfer,
                "programme": transfer.programme,
                "allocations": allocations,
                "total": sum(a.amount for a in allocations),
                "documents": list(attachments_of(transfer)),
                "can_manage": manage,
                "attachment_form": extra.get("attachment_form")
                or (AttachmentForm() if manage else None),
                "breadcrumbs": crumbs(transfer.programme, _("Transfer")),
            },
        )
