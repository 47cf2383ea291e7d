from django.contrib import admin

from .models import AuditEvent, DatedParameter, Job, RevealLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_label", "area_path")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_label", "area_path")


@admin.register(RevealLog)
class RevealLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "subject_label", "field", "reason")


@admin.register(DatedParameter)
class DatedParameterAdmin(ReadOnlyAdmin):
    list_display = ("key", "valid_from", "valid_to", "value")
    list_filter = ("key",)


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "status", "done", "total", "created_by")
