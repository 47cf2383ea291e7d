"""The election pages (the election API is api_elections.py)."""

from django.urls import path

from . import views_elections as views

urlpatterns = [
    path("committees/elections/", views.ElectionListView.as_view(), name="election-list"),
    path("committees/elections/new/", views.ElectionCreateView.as_view(), name="election-create"),
    path(
        "committees/elections/<int:pk>/",
        views.ElectionDetailView.as_view(),
        name="election-detail",
    ),
    path(
        "committees/elections/<int:pk>/edit/",
        views.ElectionEditView.as_view(),
        name="election-edit",
    ),
    path(
        "committees/elections/<int:pk>/voters/",
        views.ElectionVotersView.as_view(),
        name="election-voters",
    ),
    path(
        "committees/elections/<int:pk>/candidates/",
        views.CandidateAddView.as_view(),
        name="election-candidate-add",
    ),
    path(
        "committees/elections/<int:pk>/candidates/<int:candidate>/withdraw/",
        views.CandidateWithdrawView.as_view(),
        name="election-candidate-withdraw",
    ),
    path(
        "committees/elections/<int:pk>/results/",
        views.ResultsEnterView.as_view(),
        name="election-results",
    ),
    path(
        "committees/elections/<int:pk>/results/correct/",
        views.ResultsCorrectView.as_view(),
        name="election-results-correct",
    ),
    path(
        "committees/elections/<int:pk>/certify/",
        views.ElectionCertifyView.as_view(),
        name="election-certify",
    ),
    path(
        "committees/elections/<int:pk>/cancel/",
        views.ElectionCancelView.as_view(),
        name="election-cancel",
    ),
]
