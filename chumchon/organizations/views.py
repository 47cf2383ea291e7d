"""Area pages: the list of areas in reach, and an area's page with its subtree, files and history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView, View

from chumchon.accounts.scoping import reach_of, require_perm
from chumchon.core.attachments import attachment_add, attachments_of
from chumchon.core.documents import pdf_response, render_pdf
from chumchon.core.forms import AttachmentForm

from .models import Area, AreaKind
from .permissions import (
    area_get_for,
    area_scope,
    can_edit_area,
    can_view_area_records,
    can_view_factsheet,
)
from .selectors import area_events, children_with_counts, kind_totals
from .services import area_export_start


def area_breadcrumbs(user, area: Area) -> list[dict]:
    reach = reach_of(user)
    crumbs = [{"label": _("Home"), "url": reverse("home")}]
    for ancestor in area.ancestors():
        url = reverse("area-detail", args=[ancestor.code]) if reach.covers(ancestor.path) else None
        crumbs.append({"label": ancestor.display_name, "url": url})
    return crumbs


class AreaListView(LoginRequiredMixin, ListView):
    template_name = "organizations/area_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = area_scope(self.request.user).order_by("path")
        self.kind = self.request.GET.get("kind", "")
        if self.kind:
            qs = qs.filter(kind__code=self.kind)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = AreaKind.objects.all()
        context["kind"] = self.kind
        context["query_string"] = f"kind={self.kind}" if self.kind else ""
        context["breadcrumbs"] = [
            {"label": _("Home"), "url": reverse("home")},
            {"label": _("Areas")},
        ]
        return context


class AreaMixin(LoginRequiredMixin):
    def get_area(self) -> Area:
        if not hasattr(self, "_area"):
            self._area = area_get_for(self.request.user, self.kwargs["code"])
        return self._area


class AreaDetailView(AreaMixin, TemplateView):
    template_name = "organizations/area_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = self.get_area()
        tab = self.request.GET.get("tab", "children")
        context.update(
            area=area,
            tab=tab,
            breadcrumbs=area_breadcrumbs(user, area),
            children=children_with_counts(area),
            totals=kind_totals(area),
            kinds=AreaKind.objects.all(),
            attachments=attachments_of(area) if can_view_area_records(user, area) else [],
            can_view_records=can_view_area_records(user, area),
            can_edit=can_edit_area(user, area),
            attachment_form=AttachmentForm(),
        )
        if tab == "history" and can_view_area_records(user, area):
            context["history"] = area.history.select_related("history_user", "kind")[:50]
            context["events"] = area_events(area)
        return context


class AreaAttachmentAddView(AreaMixin, View):
    http_method_names = ["post"]

    def post(self, request, code: str):
        area = self.get_area()
        require_perm(request.user, "records.edit", area)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment_add(
                    actor=request.user,
                    owner=area,
                    uploaded=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
                messages.success(request, _("The file was attached."))
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect(f"{reverse('area-detail', args=[area.code])}?tab=files")


class AreaExportView(AreaMixin, View):
    http_method_names = ["post"]

    def post(self, request, code: str):
        area = self.get_area()
        require_perm(request.user, "jobs.run", area)
        job = area_export_start(actor=request.user, area=area)
        return redirect("job-detail", pk=job.pk)


class AreaFactSheetView(AreaMixin, View):
    """A one-page PDF fact sheet of the area, in the official document style."""

    def get(self, request, code: str):
        area = self.get_area()
        if not can_view_factsheet(request.user, area):
            raise PermissionDenied
        pdf = render_pdf(
            "documents/area_factsheet.html",
            {
                "area": area,
                "ancestors": area.ancestors(include_self=False),
                "children": children_with_counts(area),
                "totals": kind_totals(area),
                "kinds": AreaKind.objects.all(),
            },
        )
        return pdf_response(pdf, f"{area.code}.pdf")
