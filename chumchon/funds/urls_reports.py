"""Routes: statements and reports of a fund (monthly statement, year, trial balance, passbook),
loans in arrears per district, and the Excel import of opening balances and members."""

from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("funds/<int:pk>/statement/", views.StatementView.as_view(), name="fund-statement"),
    path("funds/<int:pk>/year/", views.YearView.as_view(), name="fund-year"),
    path(
        "funds/<int:pk>/trial-balance/",
        views.TrialBalanceView.as_view(),
        name="fund-trial-balance",
    ),
    path(
        "funds/<int:pk>/members/<int:member_pk>/passbook.pdf",
        views.PassbookPdfView.as_view(),
        name="fund-passbook-pdf",
    ),
    path("funds/arrears/", views.ArrearsView.as_view(), name="fund-arrears"),
    path("funds/<int:pk>/import/", views.ImportView.as_view(), name="fund-import"),
    path(
        "funds/import-template.xlsx",
        views.ImportTemplateView.as_view(),
        name="fund-import-template",
    ),
]
