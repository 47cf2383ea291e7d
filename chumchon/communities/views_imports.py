"""Pages of registry imports and exports: upload, follow the job, its errors, templates, and
list exports (communities; people, which is personal data)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from chumchon.accounts.scoping import has_perm, has_perm_anywhere, reach_of, scope_queryset
from chumchon.core.dates import parse_date
from chumchon.portal.selectors import jobs_for

from .exports import (
    FORMATS,
    community_header,
    community_rows,
    export_response,
    household_export,
    people_export,
)
from .forms_imports import ImportForm
from .imports.columns import COLUMNS, COMMUNITIES, KINDS, PEOPLE, SURVEYS
from .imports.start import JOB_KIND, import_start
from .imports.template import template_filename, template_xlsx
from .models import Person
from .periodic import IMPORT_FILE_RETENTION_DAYS
from .permissions import (
    can_export_people,
    can_import,
    can_view_people,
    can_view_welfare_flags,
    community_get_for,
    community_scope,
    household_get_for,
    household_scope,
)
from .selectors import community_filter
from .tasks import ERRORS_SHOWN

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _crumbs(*items) -> list[dict]:
    return [{"label": _("Home"), "url": reverse("home")}, *items]


class ImportView(LoginRequiredMixin, FormView):
    """Upload a file; the import runs as a background job, whose page shows the result."""

    template_name = "communities/import_form.html"
    form_class = ImportForm
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in KINDS else {}

    def form_valid(self, form):
        try:
            job = import_start(
                actor=self.request.user,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                draft=form.cleaned_data["draft"],
                replace_drafts=form.cleaned_data["replace_drafts"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("registry-import-job", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            breadcrumbs=_crumbs({"label": _("Import from Excel")}),
            people_columns=COLUMNS[PEOPLE],
            community_columns=COLUMNS[COMMUNITIES],
            survey_columns=COLUMNS[SURVEYS],
            recent=jobs_for(self.request.user)
            .filter(kind=JOB_KIND, created_by=self.request.user)
            .order_by("-created_at")[:5],
        )
        return context


def import_job_for(user, pk) -> object:
    return get_object_or_404(jobs_for(user).filter(kind=JOB_KIND), pk=pk)


class ImportJobView(LoginRequiredMixin, TemplateView):
    template_name = "communities/import_job.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = import_job_for(self.request.user, self.kwargs["pk"])
        context.update(
            job=job,
            p=job.params,
            errors_shown=ERRORS_SHOWN,
            retention_days=IMPORT_FILE_RETENTION_DAYS,
            breadcrumbs=_crumbs(
                {"label": _("Import from Excel"), "url": reverse("registry-import")},
                {"label": job.title or _("Import")},
            ),
        )
        return context


class ImportProgressView(ImportJobView):
    """The htmx fragment the import page polls until the job finishes."""

    template_name = "communities/import_progress.html"


class ImportErrorsView(LoginRequiredMixin, View):
    """The uploaded sheet with an errors column (only for a refused file)."""

    def get(self, request, pk: int):
        job = import_job_for(request.user, pk)
        if not job.result_file:
            raise Http404
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result_name or "errors.xlsx",
            content_type=XLSX_TYPE,
        )


class TemplateDownloadView(LoginRequiredMixin, View):
    """The empty xlsx template of a kind (no data: any logged-in user)."""

    def get(self, request, kind: str):
        if kind not in KINDS:
            raise Http404
        response = HttpResponse(template_xlsx(kind), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{template_filename(kind)}"'
        return response


def _format(request) -> str:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    return fmt


class CommunityListExportView(LoginRequiredMixin, View):
    """The community list as shown (same filters), with declared and registry counts."""

    def get(self, request):
        fmt = _format(request)
        queryset = community_filter(
            community_scope(request.user),
            zone=request.GET.get("zone", ""),
            district=request.GET.get("district", ""),
            type=request.GET.get("type", ""),
            status=request.GET.get("status", ""),
            q=request.GET.get("q", "").strip(),
        )
        on = None
        if request.GET.get("on", "").strip():  # as of a date, like the list page
            try:
                on = parse_date(request.GET["on"])
            except ValidationError as exc:
                return HttpResponseBadRequest(" ".join(exc.messages))
            queryset = queryset.existing_on(on)
        return export_response(
            fmt, "communities", "ชุมชน", community_header(), community_rows(queryset, on=on)
        )


class HouseholdListExportView(LoginRequiredMixin, View):
    """Households of one community (`?community=<pk>`) or of the user's reach: house number
    and code, community, head, member count, tenure and condition. Head names are shown on the
    community page to `people.view` holders, so that is what this needs; it is logged."""

    def get(self, request):
        user = request.user
        fmt = _format(request)
        community_pk = request.GET.get("community", "").strip()
        if community_pk:
            community = community_get_for(user, community_pk)
            if not can_view_people(user, community):
                raise PermissionDenied
            queryset = household_scope(user).filter(community=community)
            area_path = community.area.path
            filters = {"community": community.area.code}
        else:
            if not has_perm_anywhere(user, "people.view"):
                raise PermissionDenied
            reach = reach_of(user)
            paths = [] if reach.everything else reach.paths_with("people.view")
            queryset = household_scope(user)
            area_path = paths[0] if len(paths) == 1 else ""
            filters = {}
        return household_export(
            actor=user, queryset=queryset, fmt=fmt, filters=filters, area_path=area_path
        )


class PersonListExportView(LoginRequiredMixin, View):
    """People in the user's export reach, or of one community or household (`community`,
    `household`), optionally of one status (`status`: alive, deceased, moved_out); personal
    data: needs `personal.export` there, and is logged."""

    def get(self, request):
        user = request.user
        fmt = _format(request)
        status = request.GET.get("status", "").strip()
        if status and status not in Person.Status.values:
            return HttpResponseBadRequest(
                _("Unknown status “%(status)s”: use alive, deceased or moved_out.")
                % {"status": status[:40]},
                content_type="text/plain; charset=utf-8",
            )
        community_pk = request.GET.get("community", "").strip()
        household_pk = request.GET.get("household", "").strip()
        filters: dict[str, str] = {}
        places: list = []
        # the rows are personal data: scoped by `personal.export` whichever filter applies
        queryset = scope_queryset(Person.objects.all(), user, perm="personal.export")
        if community_pk:
            community = community_get_for(user, community_pk)
            queryset = queryset.filter(area=community.area)
            filters["community"] = community.area.code
            places.append(community)
        if household_pk:
            household = household_get_for(user, household_pk)
            queryset = queryset.filter(household=household)
            filters["household"] = str(household.pk)
            places.append(household)
        if places:
            if not all(can_export_people(user, place.area) for place in places):
                raise PermissionDenied
            place = places[-1]  # the narrowest
            area_path = place.area.path
            with_flags = can_view_welfare_flags(user, place)
        else:
            if not has_perm_anywhere(user, "personal.export"):
                raise PermissionDenied
            reach = reach_of(user)
            paths = [] if reach.everything else reach.paths_with("personal.export")
            area_path = paths[0] if len(paths) == 1 else ""
            with_flags = reach.everything or all(
                has_perm(user, "personal.view_flags", path) for path in paths
            )
        if status:
            queryset = queryset.filter(status=status)
            filters["status"] = status
        return people_export(
            actor=user,
            queryset=queryset,
            fmt=fmt,
            filters=filters,
            area_path=area_path,
            with_flags=with_flags,
        )
