"""The registry's routes: pages (urls_pages.py), data in/out (urls_imports.py), and the
household survey (surveys/urls.py: surveys; surveys/urls_rounds.py: rounds and reports)."""

from .surveys.urls import urlpatterns as survey_urlpatterns
from .surveys.urls_exports import urlpatterns as survey_export_urlpatterns
from .surveys.urls_rounds import urlpatterns as round_urlpatterns
from .surveys.urls_rules import urlpatterns as rule_urlpatterns
from .urls_imports import urlpatterns as import_urlpatterns
from .urls_pages import urlpatterns as page_urlpatterns

urlpatterns = [
    *page_urlpatterns,
    *import_urlpatterns,
    *survey_urlpatterns,
    *round_urlpatterns,
    *survey_export_urlpatterns,
    *rule_urlpatterns,
]
