"""Routes of the surplus food relay (helper "surplus"): the public impact page, donors, and a
district's surplus food (``<district>`` is the district's area code)."""

from django.urls import path

from . import views_surplus as views
from .urls_reports import DistrictCode  # noqa: F401  (registers the fbdistrict converter)

D = "foodbank/<fbdistrict:district>/surplus"

urlpatterns = [
    path("foodbank/impact/", views.ImpactView.as_view(), name="foodbank-impact"),
    path("foodbank/donors/", views.DonorListView.as_view(), name="foodbank-donors"),
    path("foodbank/donors/new/", views.DonorCreateView.as_view(), name="foodbank-donor-new"),
    path("foodbank/donors/<int:pk>/", views.DonorDetailView.as_view(), name="foodbank-donor"),
    path(
        "foodbank/donors/<int:pk>/edit/", views.DonorEditView.as_view(), name="foodbank-donor-edit"
    ),
    path(
        "foodbank/donors/<int:pk>/letter/",
        views.DonorLetterView.as_view(),
        name="foodbank-donor-letter",
    ),
    path(f"{D}/", views.SurplusView.as_view(), name="foodbank-surplus"),
    path(f"{D}/donations/new/", views.DonationCreateView.as_view(), name="foodbank-donation-new"),
    path(f"{D}/donations/<int:pk>/", views.DonationDetailView.as_view(), name="foodbank-donation"),
    path(
        f"{D}/donations/<int:pk>/cancel/",
        views.DonationCancelView.as_view(),
        name="foodbank-donation-cancel",
    ),
    path(
        f"{D}/distributions/new/",
        views.DistributionCreateView.as_view(),
        name="foodbank-distribution-new",
    ),
    path(
        f"{D}/distributions/<int:pk>/",
        views.DistributionDetailView.as_view(),
        name="foodbank-distribution",
    ),
    path(
        f"{D}/distributions/<int:pk>/cancel/",
        views.DistributionCancelView.as_view(),
        name="foodbank-distribution-cancel",
    ),
]
