"""The registry's URLs in the access matrix: pages (access_pages.py) and API (access_api.py)."""

from .access_api import ACCESS as API_ACCESS
from .access_pages import ACCESS as PAGE_ACCESS

ACCESS = {**PAGE_ACCESS, **API_ACCESS}
