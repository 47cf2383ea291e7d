"""Pages of the budget module: reports (figures of an area, drill-down, what lags, Excel)."""

from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("budgets/programmes/<int:pk>/report/", views.ReportView.as_view(), name="budget-report"),
    path(
        "budgets/programmes/<int:pk>/report/export/",
        views.ReportExportView.as_view(),
        name="budget-report-export",
    ),
]
