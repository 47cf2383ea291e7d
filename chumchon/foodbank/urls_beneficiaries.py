"""Routes: beneficiaries, assessments and points of a district's food bank (helper
"beneficiaries"): the list, registering (find, quick), a beneficiary's page, the assessment,
a one-off award, taking an award back, a monthly allowance and stopping it, closing."""

from django.urls import path

from . import views_beneficiaries as views

B = "foodbank/<str:district>/beneficiaries/"

urlpatterns = [
    path(B, views.BeneficiaryListView.as_view(), name="foodbank-beneficiaries"),
    path(f"{B}new/", views.BeneficiaryNewView.as_view(), name="foodbank-beneficiary-new"),
    path(f"{B}quick/", views.BeneficiaryQuickView.as_view(), name="foodbank-beneficiary-quick"),
    path(f"{B}<int:pk>/", views.BeneficiaryDetailView.as_view(), name="foodbank-beneficiary"),
    path(f"{B}<int:pk>/assess/", views.AssessView.as_view(), name="foodbank-beneficiary-assess"),
    path(f"{B}<int:pk>/award/", views.AwardView.as_view(), name="foodbank-beneficiary-award"),
    path(
        f"{B}<int:pk>/awards/<int:award_pk>/reverse/",
        views.AwardReverseView.as_view(),
        name="foodbank-award-reverse",
    ),
    path(
        f"{B}<int:pk>/allowance/",
        views.AllowanceView.as_view(),
        name="foodbank-beneficiary-allowance",
    ),
    path(
        f"{B}<int:pk>/allowances/<int:allowance_pk>/stop/",
        views.AllowanceStopView.as_view(),
        name="foodbank-allowance-stop",
    ),
    path(f"{B}<int:pk>/close/", views.CloseView.as_view(), name="foodbank-beneficiary-close"),
]
