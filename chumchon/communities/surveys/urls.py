"""Routes of the household survey's pages: start from the household page, fill in, read,
reopen (rounds and reports are in urls_rounds.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "households/<int:pk>/survey/new/",
        views.SurveyStartView.as_view(),
        name="survey-start",
    ),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/edit/", views.SurveyEditView.as_view(), name="survey-edit"),
    path("surveys/<int:pk>/reopen/", views.SurveyReopenView.as_view(), name="survey-reopen"),
]
