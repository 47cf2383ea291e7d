"""The Django admin, for system administrators only (superusers), behind the second factor."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ChumchonAdminSite(admin.AdminSite):
    site_header = _("Chumchon administration")
    site_title = _("Chumchon administration")
    final_catch_all_view = False

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_superuser):
            return False
        return not settings.CHUMCHON_REQUIRE_OTP or user.is_verified()

    def login(self, request, extra_context=None):
        """Log in through the site's own login (lockout, second factor), never the admin's."""
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect

        if self.has_permission(request):
            return redirect("admin:index")
        return redirect_to_login(request.get_full_path())
