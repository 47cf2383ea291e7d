"""The fund module's routes: setting funds up, members and committee (urls_setup.py), the books:
entries, loans, periods (urls_entries.py), statements and reports (urls_reports.py)."""

from .urls_entries import urlpatterns as entry_urlpatterns
from .urls_reports import urlpatterns as report_urlpatterns
from .urls_setup import urlpatterns as setup_urlpatterns

urlpatterns = [*setup_urlpatterns, *entry_urlpatterns, *report_urlpatterns]
