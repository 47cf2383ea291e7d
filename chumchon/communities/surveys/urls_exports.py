"""Route of the survey round export (exports.py): the round's surveys in the import's columns."""

from django.urls import path

from .exports import SurveyRoundExportView

urlpatterns = [
    path(
        "surveys/rounds/<int:round_pk>/export/",
        SurveyRoundExportView.as_view(),
        name="survey-round-export",
    ),
]
