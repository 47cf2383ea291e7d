"""Routes of the counter (helper "counter"): finding a beneficiary, the basket, redemptions,
receipts and cancelling."""

from django.urls import path

from . import views_counter as views

urlpatterns = [
    path(
        "foodbank/<str:district>/counter/",
        views.CounterSearchView.as_view(),
        name="foodbank-counter",
    ),
    path(
        "foodbank/<str:district>/counter/<int:pk>/",
        views.CounterBeneficiaryView.as_view(),
        name="foodbank-counter-beneficiary",
    ),
    path(
        "foodbank/<str:district>/redemptions/",
        views.RedemptionListView.as_view(),
        name="foodbank-redemptions",
    ),
    path(
        "foodbank/<str:district>/redemptions/<int:pk>/",
        views.RedemptionDetailView.as_view(),
        name="foodbank-redemption",
    ),
    path(
        "foodbank/<str:district>/redemptions/<int:pk>/receipt/",
        views.RedemptionReceiptView.as_view(),
        name="foodbank-redemption-receipt",
    ),
    path(
        "foodbank/<str:district>/redemptions/<int:pk>/cancel/",
        views.RedemptionCancelView.as_view(),
        name="foodbank-redemption-cancel",
    ),
]
