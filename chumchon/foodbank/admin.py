"""Admin: food bank records are read-only. Stock and points change only through the services
(pages and API), which keep the ledgers above zero and write the audit trail. Assessment
criteria are data maintained here."""

from __future__ import annotations

from django.contrib import admin

from chumchon.core.admin import ReadOnlyAdmin

from .models import Beneficiary, Criterion, Donor, Item, Redemption, SurplusDonation


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "max_score", "sort_order", "active")
    list_editable = ("sort_order", "active")


@admin.register(Donor)
class DonorAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "area", "active")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(SurplusDonation)
class SurplusDonationAdmin(ReadOnlyAdmin):
    list_display = ("district", "number", "donated_on", "donor", "weight_g", "status")
    list_select_related = ("district", "donor")


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "category", "points", "store")


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdmin):
    list_display = ("store", "number", "kind", "state")


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("store", "number", "redeemed_on", "points", "status")
