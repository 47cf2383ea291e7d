"""Login, second factor, profile and API tokens, and the administrator's user pages."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, ListView, TemplateView, View
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from chumchon.core.audit import record_event

from .forms import ApiTokenForm, LoginForm, OtpConfirmForm, OtpTokenForm, ReasonForm
from .models import ApiToken, RoleAssignment
from .permissions import can_manage_users, user_get_for, user_scope
from .services import (
    api_token_create,
    api_token_revoke,
    backup_codes_regenerate,
    otp_reset,
    totp_device_confirm,
    totp_device_start,
    user_requires_otp,
)


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    http_method_names = ["get", "post", "options"]
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def _has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@method_decorator(sensitive_post_parameters("token"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class OtpVerifyView(LoginRequiredMixin, FormView):
    http_method_names = ["get", "post", "options"]
    template_name = "accounts/otp_verify.html"
    form_class = OtpTokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _has_device(request.user):
            return redirect(f"/accounts/otp/enrol/?next={quote(_safe_next(request), safe='/')}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        device = match_token(self.request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is None:
            form.add_error("token", _("The code is not correct or has already been used."))
            return self.form_invalid(form)
        otp_login(self.request, device)
        record_event(
            actor=self.request.user,
            action="otp.verify",
            obj=self.request.user,
            object_label=str(self.request.user),
        )
        return redirect(_safe_next(self.request))


@method_decorator(sensitive_post_parameters("token"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class OtpEnrolView(LoginRequiredMixin, FormView):
    http_method_names = ["get", "post", "options"]
    template_name = "accounts/otp_enrol.html"
    form_class = OtpConfirmForm

    def get_device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        if device is None:
            device = totp_device_start(user=self.request.user)
        return device

    def get(self, request, *args, **kwargs):
        if _has_device(request.user) and not request.user.is_verified():
            return redirect("otp-verify")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if _has_device(request.user) and not request.user.is_verified():
            return redirect("otp-verify")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.get_device()
        qr = segno.make(device.config_url, micro=False)
        context["qr_data_uri"] = qr.svg_data_uri(scale=5)
        context["secret"] = _b32(device.bin_key)
        return context

    def form_valid(self, form):
        device = self.get_device()
        try:
            codes = totp_device_confirm(
                actor=self.request.user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            form.add_error("token", exc.message_dict.get("token", exc.messages)[0])
            return self.form_invalid(form)
        otp_login(self.request, device)
        return self.response_class(
            request=self.request,
            template="accounts/backup_codes.html",
            context={"codes": codes, "next": _safe_next(self.request)},
        )


def _b32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["assignments"] = (
            RoleAssignment.objects.filter(user=user)
            .select_related("role", "area", "area__kind")
            .order_by("-valid_from")
        )
        context["tokens"] = ApiToken.objects.filter(user=user)
        context["has_device"] = _has_device(user)
        context["otp_verified"] = user.is_verified()
        context["otp_required"] = settings.CHUMCHON_REQUIRE_OTP and user_requires_otp(user)
        context["token_form"] = ApiTokenForm()
        return context


@method_decorator(never_cache, name="dispatch")
class ApiTokenCreateView(LoginRequiredMixin, FormView):
    """Creating a token needs a session that has passed the second factor."""

    template_name = "accounts/token_create.html"
    form_class = ApiTokenForm
    http_method_names = ["get", "post", "options"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_verified():
            messages.warning(request, _("Creating an API token needs your second factor first."))
            target = "otp-verify" if _has_device(request.user) else "otp-enrol"
            return redirect(
                f"/accounts/otp/{'verify' if target == 'otp-verify' else 'enrol'}/?next=/profile/tokens/new/"
            )
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            token, raw = api_token_create(
                actor=self.request.user, user=self.request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return self.response_class(
            request=self.request,
            template="accounts/token_created.html",
            context={"token": token, "raw": raw},
        )


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
        return redirect("profile")


@method_decorator(never_cache, name="dispatch")
class BackupCodesView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if not request.user.is_verified():
            raise PermissionDenied
        codes = backup_codes_regenerate(actor=request.user, user=request.user)
        return self.render(request, codes)

    def render(self, request, codes):
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request, "accounts/backup_codes.html", {"codes": codes, "next": "/profile/"}
        )


class UsersManageMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_manage_users(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserListView(UsersManageMixin, ListView):
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            user_scope(self.request.user)
            .order_by("username")
            .prefetch_related("role_assignments__role", "role_assignments__area__kind")
        )


class UserOtpResetView(UsersManageMixin, FormView):
    http_method_names = ["get", "post", "options"]
    template_name = "accounts/otp_reset.html"
    form_class = ReasonForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["target"] = user_get_for(self.request.user, self.kwargs["pk"])
        return context

    def form_valid(self, form):
        target = user_get_for(self.request.user, self.kwargs["pk"])
        otp_reset(actor=self.request.user, user=target, reason=form.cleaned_data["reason"])
        messages.success(
            self.request,
            _("The second factor of %(user)s was reset; they enrol again at their next login.")
            % {"user": target},
        )
        return redirect("user-list")
