"""The project's URLs plus one page nobody classified (see test_access_matrix)."""

from django.urls import path
from django.views.generic import TemplateView

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("sneaky/", TemplateView.as_view(template_name="base.html"), name="sneaky-page"),
]
