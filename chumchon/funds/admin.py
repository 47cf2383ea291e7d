"""Admin: fund records are shown read-only. Books change only through the services (pages and
API), which balance every entry, keep maker-checker and periods, and write the audit trail."""

from __future__ import annotations

from django.contrib import admin

from chumchon.core.admin import ReadOnlyAdmin

from .models import Entry, Fund, FundKind, Loan


@admin.register(FundKind)
class FundKindAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_th", "standard_grant")


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "area", "established_on")
    list_select_related = ("kind", "area")
    search_fields = ("name",)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("fund", "number", "entry_date", "kind", "amount", "status")
    list_filter = ("kind", "status")
    list_select_related = ("fund",)


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("fund", "number", "principal", "arrears_since")
    list_select_related = ("fund",)
