"""The food bank's routes: the surplus food relay (urls_surplus.py), the store's catalogue and
stock (urls_stock.py), beneficiaries, assessments and points (urls_beneficiaries.py), the
counter (urls_counter.py), the home page and reports (urls_reports.py)."""

from .urls_beneficiaries import urlpatterns as beneficiary_urlpatterns
from .urls_counter import urlpatterns as counter_urlpatterns
from .urls_reports import urlpatterns as report_urlpatterns
from .urls_stock import urlpatterns as stock_urlpatterns
from .urls_surplus import urlpatterns as surplus_urlpatterns

urlpatterns = [
    *report_urlpatterns,
    *surplus_urlpatterns,
    *stock_urlpatterns,
    *beneficiary_urlpatterns,
    *counter_urlpatterns,
]
