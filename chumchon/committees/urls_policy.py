"""Routes of the seat policies (public list and calculator; add and end: system
administrators) and of the election documents (PDF)."""

from django.urls import path

from .views_policy import (
    ElectionAnnouncementPdfView,
    ElectionVotersPdfView,
    PolicyCreateView,
    PolicyEndView,
    PolicyListView,
)

urlpatterns = [
    path("committees/policies/", PolicyListView.as_view(), name="policy-list"),
    path("committees/policies/new/", PolicyCreateView.as_view(), name="policy-create"),
    path("committees/policies/<int:pk>/end/", PolicyEndView.as_view(), name="policy-end"),
    path(
        "committees/elections/<int:pk>/announcement.pdf",
        ElectionAnnouncementPdfView.as_view(),
        name="election-announcement-pdf",
    ),
    path(
        "committees/elections/<int:pk>/voters.pdf",
        ElectionVotersPdfView.as_view(),
        name="election-voters-pdf",
    ),
]
