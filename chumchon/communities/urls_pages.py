"""The registry's pages: communities, households, people."""

from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.RegistrySearchView.as_view(), name="registry-search"),
    path("communities/", views.CommunityListView.as_view(), name="community-list"),
    path("communities/new/", views.CommunityCreateView.as_view(), name="community-create"),
    path("communities/<int:pk>/", views.CommunityDetailView.as_view(), name="community-detail"),
    path("communities/<int:pk>/edit/", views.CommunityEditView.as_view(), name="community-edit"),
    path(
        "communities/<int:pk>/dissolve/",
        views.CommunityDissolveView.as_view(),
        name="community-dissolve",
    ),
    path(
        "communities/<int:pk>/history/",
        views.CommunityHistoryView.as_view(),
        name="community-history",
    ),
    path(
        "communities/<int:pk>/households/new/",
        views.HouseholdCreateView.as_view(),
        name="household-create",
    ),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household-detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household-edit"),
    path("households/<int:pk>/move/", views.HouseholdMoveView.as_view(), name="household-move"),
    path(
        "households/<int:pk>/poverty/",
        views.HouseholdPovertyView.as_view(),
        name="household-poverty",
    ),
    path("households/<int:pk>/people/new/", views.PersonCreateView.as_view(), name="person-create"),
    path("people/quick/", views.PersonQuickRegisterView.as_view(), name="person-quick-register"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person-edit"),
    path("people/<int:pk>/status/", views.PersonStatusView.as_view(), name="person-status"),
    path("people/<int:pk>/move/", views.PersonMoveView.as_view(), name="person-move"),
    path("people/<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person-reveal"),
    path(
        "people/<int:pk>/subject-access/",
        views.PersonSubjectReportView.as_view(),
        name="person-subject-report",
    ),
]
