"""The budget module's URLs in the access matrix: programmes (access_programmes.py),
applications (access_applications.py), payments (access_payments.py), reports
(access_reports.py)."""

from .access_applications import ACCESS as APPLICATION_ACCESS
from .access_payments import ACCESS as PAYMENT_ACCESS
from .access_programmes import ACCESS as PROGRAMME_ACCESS
from .access_reports import ACCESS as REPORT_ACCESS

ACCESS = {**PROGRAMME_ACCESS, **APPLICATION_ACCESS, **PAYMENT_ACCESS, **REPORT_ACCESS}
