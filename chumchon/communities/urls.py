"""The registry's routes: pages (urls_pages.py) and data in/out (urls_imports.py)."""

from .urls_imports import urlpatterns as import_urlpatterns
from .urls_pages import urlpatterns as page_urlpatterns

urlpatterns = [*page_urlpatterns, *import_urlpatterns]
