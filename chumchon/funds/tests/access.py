"""The fund module's URLs in the access matrix: setup pages (access_setup.py), the books'
pages (access_entries.py), reports (access_reports.py), the API (access_api.py)."""

from .access_api import ACCESS as API_ACCESS
from .access_entries import ACCESS as ENTRY_ACCESS
from .access_reports import ACCESS as REPORT_ACCESS
from .access_setup import ACCESS as SETUP_ACCESS

ACCESS = {**SETUP_ACCESS, **ENTRY_ACCESS, **REPORT_ACCESS, **API_ACCESS}
