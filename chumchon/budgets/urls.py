"""The budget module's routes: programmes, allocations and transfers (urls_programmes.py),
applications (urls_applications.py), payments and carry-overs (urls_payments.py), reports
(urls_reports.py)."""

from .urls_applications import urlpatterns as application_urlpatterns
from .urls_payments import urlpatterns as payment_urlpatterns
from .urls_programmes import urlpatterns as programme_urlpatterns
from .urls_reports import urlpatterns as report_urlpatterns

urlpatterns = [
    *programme_urlpatterns,
    *application_urlpatterns,
    *payment_urlpatterns,
    *report_urlpatterns,
]
