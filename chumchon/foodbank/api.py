"""REST endpoints of the food bank under /api/v1/foodbank/: donors, surplus donations,
distributions and the public impact totals (api_surplus.py), the catalogue and stock
(api_stock.py), beneficiaries and points (api_beneficiaries.py), redemptions
(api_counter.py), reports (api_reports.py)."""

from ninja import Router

from .api_beneficiaries import router as beneficiary_router
from .api_counter import router as counter_router
from .api_reports import router as report_router
from .api_stock import router as stock_router
from .api_surplus import router as surplus_router

router = Router()
router.add_router("", surplus_router)
router.add_router("", stock_router)
router.add_router("", beneficiary_router)
router.add_router("", counter_router)
router.add_router("", report_router)

__all__ = ["router"]
