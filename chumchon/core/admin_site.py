"""The Django admin, for system administrators only (superusers), behind the second factor."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ChumchonAdminSite(admin.AdminSite):
    site_header = _("Chumchon administration")
    site_title = _("Chumchon administration")

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_superuser):
            return False
        return not settings.CHUMCHON_REQUIRE_OTP or user.is_verified()

    def login(self, request, extra_context=None):
        """Log in through the site's own login (lockout, second factor), never the admin's."""
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
