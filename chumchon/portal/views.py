"""The shell: home per role, privacy notice, audit and reveal logs, jobs, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View

from chumchon.accounts.scoping import owner_in_scope_or_404
from chumchon.core.models import Attachment, AuditEvent
from chumchon.organizations.selectors import home_areas, kind_labels

from .forms import AuditFilterForm, ParameterPeriodForm
from .permissions import can_manage_parameters, can_view_audit
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
        if request.user.is_authenticated and not can_view_audit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AuditEventListView(AuditPermissionMixin, ListView):
    template_name = "portal/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            return AuditEvent.objects.none()  # the errors show next to the fields
        filters = self.form.cleaned_data if self.form.is_bound else {}
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


class ParametersMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_manage_parameters(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ParameterListView(ParametersMixin, TemplateView):
    """Dated parameters (poverty line, food-bank factors, ...): every period of every key."""

    template_name = "portal/parameter_list.html"

    def get_context_data(self, **kwargs):
        from chumchon.core.models import DatedParameter

        context = super().get_context_data(**kwargs)
        rows = list(DatedParameter.objects.order_by("key", "valid_from"))
        grouped: dict[str, list] = {}
        for row in rows:
            grouped.setdefault(row.key, []).append(row)
        context["parameters"] = grouped
        return context


class ParameterStartView(ParametersMixin, FormView):
    """Start a new period of a parameter: the open period ends the day before."""

    template_name = "portal/parameter_start.html"
    form_class = ParameterPeriodForm
    http_method_names = ["get", "post", "options"]

    def get_history(self):
        from chumchon.core.params import parameter_history

        history = parameter_history(self.kwargs["key"])
        if not history:
            raise Http404
        return history

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["key"] = self.kwargs["key"]
        context["history"] = self.get_history()
        return context

    def form_valid(self, form):
        from django.core.exceptions import ValidationError

        from chumchon.core.params import parameter_start_period, parameter_value_from_text

        self.get_history()
        try:
            value = parameter_value_from_text(self.kwargs["key"], form.cleaned_data["value"])
        except ValidationError as exc:
            form.add_error(None, exc)  # field errors land on their field
            return self.form_invalid(form)
        try:
            parameter_start_period(
                actor=self.request.user,
                key=self.kwargs["key"],
                value=value,
                valid_from=form.cleaned_data["valid_from"],
                note=form.cleaned_data["note"],
                retroactive_reason=form.cleaned_data["retroactive_reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The new period was saved."))
        return redirect("parameter-list")
