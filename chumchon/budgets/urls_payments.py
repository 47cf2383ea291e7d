"""Pages of the budget module: payments, their confirmation and cancellation, carry-overs and a
programme's payment register."""

from django.urls import path

from . import views_payments as views

urlpatterns = [
    path(
        "budgets/applications/<int:pk>/pay/",
        views.PaymentRecordView.as_view(),
        name="budget-payment-record",
    ),
    path(
        "budgets/applications/<int:pk>/carry-over/",
        views.CarryOverRecordView.as_view(),
        name="budget-carry-over-record",
    ),
    path(
        "budgets/disbursements/<int:pk>/confirm/",
        views.PaymentConfirmView.as_view(),
        name="budget-payment-confirm",
    ),
    path(
        "budgets/disbursements/<int:pk>/cancel/",
        views.PaymentCancelView.as_view(),
        name="budget-payment-cancel",
    ),
    path(
        "budgets/programmes/<int:programme_pk>/payments/",
        views.PaymentListView.as_view(),
        name="budget-payment-list",
    ),
]
