"""The food bank's URLs in the access matrix: the surplus relay (access_surplus.py), stock
(access_stock.py), beneficiaries and points (access_beneficiaries.py), the counter
(access_counter.py), home and reports (access_reports.py); each covers its pages and API."""

from .access_beneficiaries import ACCESS as BENEFICIARY_ACCESS
from .access_counter import ACCESS as COUNTER_ACCESS
from .access_reports import ACCESS as REPORT_ACCESS
from .access_stock import ACCESS as STOCK_ACCESS
from .access_surplus import ACCESS as SURPLUS_ACCESS

ACCESS = {
    **SURPLUS_ACCESS,
    **STOCK_ACCESS,
    **BENEFICIARY_ACCESS,
    **COUNTER_ACCESS,
    **REPORT_ACCESS,
}
