"""The shell: home per role, privacy notice, audit and reveal logs, jobs, attachments."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView, View

from chumchon.accounts.scoping import has_perm_anywhere, owner_in_scope_or_404
from chumchon.core.models import Attachment
from chumchon.organizations.selectors import home_areas, kind_labels

from .forms import AuditFilterForm
from .selectors import audit_events_for, jobs_for, reveals_for


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_template_names(self):
        if not self.request.user.is_authenticated:
            return ["portal/welcome.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_authenticated:
            context["my_areas"] = home_areas(self.request.user)
            context["kinds"] = kind_labels()
            context["recent_jobs"] = list(jobs_for(self.request.user)[:5])
        return context


class PrivacyView(TemplateView):
    template_name = "portal/privacy.html"


class HealthView(View):
    def get(self, request):
        return HttpResponse("ok", content_type="text/plain")


class AuditPermissionMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_perm_anywhere(request.user, "audit.view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AuditEventListView(AuditPermissionMixin, ListView):
    template_name = "portal/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None)
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        return audit_events_for(self.request.user, **{k: v for k, v in filters.items() if v})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class RevealLogListView(AuditPermissionMixin, ListView):
    template_name = "portal/reveal_list.html"
    paginate_by = 50

    def get_queryset(self):
        return reveals_for(self.request.user)


class JobListView(LoginRequiredMixin, ListView):
    template_name = "portal/job_list.html"
    paginate_by = 25

    def get_queryset(self):
        return jobs_for(self.request.user)


class JobDetailView(LoginRequiredMixin, TemplateView):
    template_name = "portal/job_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = get_object_or_404(jobs_for(self.request.user), pk=self.kwargs["pk"])
        return context


class JobProgressView(JobDetailView):
    """The htmx fragment the job page polls until the job finishes."""

    template_name = "portal/job_progress.html"


class JobDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        job = get_object_or_404(jobs_for(request.user), pk=pk)
        if not job.result_file:
            raise Http404
        return FileResponse(
            job.result_file.open("rb"), as_attachment=True, filename=job.result_name or None
        )


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Files are served only here, after checking the owning record's scope (404 outside)."""

    def get(self, request, pk: int):
        attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
        model = ContentType.objects.get_for_id(attachment.content_type_id).model_class()
        owner_in_scope_or_404(request.user, model, attachment.object_id)
        response = FileResponse(
            attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
        )
        response["Content-Type"] = attachment.mime_type
        return response
