from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chumchon.core.admin import ReadOnlyAdmin

from .models import Area, AreaKind


@admin.register(AreaKind)
class AreaKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "rank")


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only: the tree changes through `load_areas` and the services (audited)."""

    list_display = ("code", "name_th", "name_en", "kind", "parent", "is_active")
    list_filter = ("kind",)
    search_fields = ("code", "name_th", "name_en")
