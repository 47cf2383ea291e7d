"""Routes of survey rounds (coverage, progress, close, reopen, reclassify) and of the poverty
report and its export (views_rounds.py)."""

from django.urls import path

from . import views_rounds as views

urlpatterns = [
    path("surveys/rounds/", views.SurveyRoundListView.as_view(), name="survey-round-list"),
    path("surveys/rounds/new/", views.SurveyRoundCreateView.as_view(), name="survey-round-create"),
    path(
        "surveys/rounds/<int:pk>/",
        views.SurveyRoundDetailView.as_view(),
        name="survey-round-detail",
    ),
    path(
        "surveys/rounds/<int:pk>/close/",
        views.SurveyRoundCloseView.as_view(),
        name="survey-round-close",
    ),
    path(
        "surveys/rounds/<int:pk>/reopen/",
        views.SurveyRoundReopenView.as_view(),
        name="survey-round-reopen",
    ),
    path(
        "surveys/rounds/<int:pk>/reclassify/",
        views.SurveyRoundReclassifyView.as_view(),
        name="survey-round-reclassify",
    ),
    path("surveys/reports/", views.SurveyReportView.as_view(), name="survey-report"),
    path(
        "surveys/reports/export/",
        views.SurveyReportExportView.as_view(),
        name="survey-report-export",
    ),
]
