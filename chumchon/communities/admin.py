"""Admin: community types are data a system administrator maintains (later regulations add
types); registry records change only through the services and pages (audited, scoped), so the
admin shows communities read-only and does not list people at all (personal data)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chumchon.core.admin import ReadOnlyAdmin

from .models import Community, CommunityType


@admin.register(CommunityType)
class CommunityTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("area", "type", "status", "declared_families", "dissolved_on")
    list_filter = ("type", "status")
    search_fields = ("area__code", "area__name_th")
    list_select_related = ("area", "type")
