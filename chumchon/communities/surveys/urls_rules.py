"""Route of the classification rules page."""

from django.urls import path

from .views_rules import SurveyRuleListView

urlpatterns = [path("surveys/rules/", SurveyRuleListView.as_view(), name="survey-rule-list")]
