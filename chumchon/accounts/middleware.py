"""Sends a logged-in user who needs a second factor to verify (or enrol) before anything else."""

from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .services import user_requires_otp

EXEMPT_PREFIXES = ("/static/", "/api/", "/i18n/", "/accounts/", "/privacy/", "/health")


def otp_pending(request) -> bool:
    """True when this session must still pass a second factor."""
    user = getattr(request, "user", None)
    if not settings.CHUMCHON_REQUIRE_OTP or user is None or not user.is_authenticated:
        return False
    if user.is_verified():
        return False
    return user_requires_otp(user)


class OTPRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(EXEMPT_PREFIXES) and path != "/" and otp_pending(request):
            # the whole address (query string too), encoded as one parameter
            return redirect(
                f"{reverse('otp-verify')}?next={quote(request.get_full_path(), safe='/')}"
            )
        if path == "/" and otp_pending(request):
            return redirect(reverse("otp-verify"))
        return self.get_response(request)
