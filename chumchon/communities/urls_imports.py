"""Registry data in and out: imports (upload, job, errors, templates) and list exports."""

from django.urls import path

from . import views_imports as views

urlpatterns = [
    path("imports/", views.ImportView.as_view(), name="registry-import"),
    path("imports/<int:pk>/", views.ImportJobView.as_view(), name="registry-import-job"),
    path(
        "imports/<int:pk>/progress/",
        views.ImportProgressView.as_view(),
        name="registry-import-progress",
    ),
    path(
        "imports/<int:pk>/errors/", views.ImportErrorsView.as_view(), name="registry-import-errors"
    ),
    path(
        "imports/template/<str:kind>/",
        views.TemplateDownloadView.as_view(),
        name="registry-template",
    ),
    path(
        "communities/export/",
        views.CommunityListExportView.as_view(),
        name="community-list-export",
    ),
    path(
        "households/export/",
        views.HouseholdListExportView.as_view(),
        name="household-list-export",
    ),
    path("people/export/", views.PersonListExportView.as_view(), name="person-list-export"),
]
