"""System administrators manage users, roles and assignments here; writes go through services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from chumchon.core.admin_audit import AuditedAdminMixin

from .models import Permission, Role, RoleAssignment, User
from .services import role_assign, role_assignment_end


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    list_display = ("username", "display_name", "email", "is_active", "is_superuser", "last_login")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Chumchon", {"fields": ("display_name", "phone")}))


@admin.register(Permission)
class PermissionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en")
    search_fields = ("code", "name_th", "name_en")


@admin.register(Role)
class RoleAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name_th", "name_en", "requires_otp", "is_system")
    filter_horizontal = ("permissions", "area_kinds")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "area", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "area__code", "area__name_th")
    autocomplete_fields = ("user", "area")

    def get_readonly_fields(self, request, obj=None):
        # an existing assignment can only be ended (valid_to); history keeps the rest
        return ("user", "role", "area", "valid_from", "note") if obj else ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "valid_to" in form.base_fields:
            form.base_fields["valid_to"].required = True
        return form

    def save_model(self, request, obj, form, change):
        if change:
            stored = RoleAssignment.objects.get(pk=obj.pk)
            role_assignment_end(actor=request.user, assignment=stored, valid_to=obj.valid_to)
        else:
            saved = role_assign(
                actor=request.user,
                user=obj.user,
                role=obj.role,
                area=obj.area,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
                note=obj.note,
            )
            obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


# Second factors are reset through the audited user page (users/<id>/otp-reset/), not edited
# in the admin; django-otp's own admin pages also crash on missing objects.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
