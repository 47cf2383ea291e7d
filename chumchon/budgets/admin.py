"""Admin: budget records are shown read-only. Programmes, allocations, applications and
payments change only through the services (pages and API), which check the rules, keep
maker-checker and write the audit trail."""

from __future__ import annotations

from django.contrib import admin

from chumchon.core.admin import ReadOnlyAdmin

from .models import Allocation, Application, Disbursement, Programme, Transfer


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("fiscal_year", "name_th", "budget_code", "status")
    list_filter = ("fiscal_year", "status")
    search_fields = ("name_th", "name_en", "budget_code")


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("programme", "community", "amount", "status")
    list_filter = ("status",)
    list_select_related = ("programme", "community__area")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("programme", "district", "transferred_on", "reference")
    list_select_related = ("programme", "district")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("programme", "community", "status", "approved_amount")
    list_filter = ("status",)
    list_select_related = ("programme", "community__area")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("application", "paid_on", "amount", "reference", "status")
    list_filter = ("status", "against")
    list_select_related = ("application__programme", "application__community__area")
