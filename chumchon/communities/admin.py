"""Admin: community types are data a system administrator maintains (later regulations add
types); registry records change only through the services and pages (audited, scoped), so the
admin shows communities read-only and does not list people at all (personal data).

Survey classification rules are data too: a rule in use is never edited (past classifications
would no longer match their reasons); it is ended (`valid_to`) and a new rule is added from a
date. So an existing rule shows every field read-only except its end date."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chumchon.core.admin import ReadOnlyAdmin

from .models import Community, CommunityType, SurveyRule


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


@admin.register(SurveyRule)
class SurveyRuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "target", "measure", "operator", "threshold", "valid_from", "valid_to")
    list_filter = ("target",)
    search_fields = ("code", "reason_th", "reason_en")
    fields = (
        "code",
        "target",
        "measure",
        "operator",
        "parameter_key",
        "value",
        "reason_th",
        "reason_en",
        "valid_from",
        "valid_to",
        "sort_order",
    )

    @admin.display(description="threshold")
    def threshold(self, rule: SurveyRule) -> str:
        return rule.parameter_key or rule.value

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(f for f in self.fields if f != "valid_to")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
