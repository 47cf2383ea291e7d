"""The registry's URLs in the access matrix: pages (access_pages.py), API (access_api.py),
imports and exports (access_imports.py)."""

from .access_api import ACCESS as API_ACCESS
from .access_imports import ACCESS as IMPORT_ACCESS
from .access_pages import ACCESS as PAGE_ACCESS

ACCESS = {**PAGE_ACCESS, **API_ACCESS, **IMPORT_ACCESS}
