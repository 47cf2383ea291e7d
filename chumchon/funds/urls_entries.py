"""Routes: the books (helper "books"): the journal, recording an entry per operation, an entry
and its confirmation, rejection or reversal, the confirmation queue, loans, closing periods."""

from django.urls import path

from . import views_entries as views

urlpatterns = [
    path("funds/queue/", views.QueueView.as_view(), name="fund-queue"),
    path("funds/<int:pk>/entries/", views.EntryListView.as_view(), name="fund-entries"),
    path(
        "funds/<int:pk>/entries/new/<slug:op>/",
        views.EntryNewView.as_view(),
        name="fund-entry-new",
    ),
    path(
        "funds/<int:pk>/entries/<int:entry_pk>/",
        views.EntryDetailView.as_view(),
        name="fund-entry",
    ),
    path(
        "funds/<int:pk>/entries/<int:entry_pk>/confirm/",
        views.EntryConfirmView.as_view(),
        name="fund-entry-confirm",
    ),
    path(
        "funds/<int:pk>/entries/<int:entry_pk>/reject/",
        views.EntryRejectView.as_view(),
        name="fund-entry-reject",
    ),
    path(
        "funds/<int:pk>/entries/<int:entry_pk>/reverse/",
        views.EntryReverseView.as_view(),
        name="fund-entry-reverse",
    ),
    path("funds/<int:pk>/loans/", views.LoanListView.as_view(), name="fund-loans"),
    path(
        "funds/<int:pk>/loans/<int:loan_pk>/",
        views.LoanDetailView.as_view(),
        name="fund-loan",
    ),
    path("funds/<int:pk>/periods/", views.PeriodsView.as_view(), name="fund-periods"),
]
