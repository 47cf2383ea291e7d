from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("health", views.HealthView.as_view(), name="health"),
    path("audit/", views.AuditEventListView.as_view(), name="audit-list"),
    path("audit/reveals/", views.RevealLogListView.as_view(), name="reveal-list"),
    path("jobs/", views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/progress/", views.JobProgressView.as_view(), name="job-progress"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job-download"),
    path("parameters/", views.ParameterListView.as_view(), name="parameter-list"),
    path(
        "parameters/<str:key>/new-period/",
        views.ParameterStartView.as_view(),
        name="parameter-start",
    ),
    path(
        "attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"
    ),
]
