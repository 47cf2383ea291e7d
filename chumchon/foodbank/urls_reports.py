"""Routes: the food bank's home, the district overview and the reports.

``<district>`` is the district's area code. These routes come first in urls.py, so the
converter refuses the words other food bank pages use at the same place (/foodbank/donors/,
/foodbank/impact/, /foodbank/reports/) and they reach their own routes."""

from django.urls import path, register_converter

from . import views_reports as views


class DistrictCode:
    regex = r"[0-9A-Za-z][0-9A-Za-z_.-]*"
    #: first path segments under /foodbank/ that are not districts
    RESERVED = frozenset(
        {"reports", "donors", "impact", "items", "lots", "redemptions", "beneficiaries", "api"}
    )

    def to_python(self, value: str) -> str:
        if value in self.RESERVED:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(DistrictCode, "fbdistrict")

urlpatterns = [
    path("foodbank/", views.HomeView.as_view(), name="foodbank-home"),
    path("foodbank/reports/", views.ReportView.as_view(), name="foodbank-report"),
    path("foodbank/<fbdistrict:district>/", views.DistrictView.as_view(), name="foodbank-district"),
    path(
        "foodbank/<fbdistrict:district>/report/",
        views.DistrictReportView.as_view(),
        name="foodbank-district-report",
    ),
]
