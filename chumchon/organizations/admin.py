from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Area, AreaKind


@admin.register(AreaKind)
class AreaKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "rank")


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    """Read-only: the tree changes through `load_areas` and the services (audited)."""

    list_display = ("code", "name_th", "name_en", "kind", "parent", "is_active")
    list_filter = ("kind",)
    search_fields = ("code", "name_th", "name_en")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
