"""REST endpoints of the budget module under /api/v1/: programmes, allocation, transfers and
closing (api_programmes.py), applications (api_applications.py), payments and carry-overs
(api_payments.py), summaries (api_reports.py)."""

from ninja import Router

from .api_applications import router as application_router
from .api_payments import router as payment_router
from .api_programmes import router as programme_router
from .api_reports import router as report_router

router = Router()
router.add_router("", programme_router)
router.add_router("", application_router)
router.add_router("", payment_router)
router.add_router("", report_router)

__all__ = ["router"]
