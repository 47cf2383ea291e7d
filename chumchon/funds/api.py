"""REST endpoints of the fund module under /api/v1/funds/: funds, members and passbooks
(api_funds.py), entries: typed operations, journals, reversals, confirmation (api_entries.py),
statements, the trial balance and loans (api_reports.py). Shared pieces: api_common.py."""

from ninja import Router

from .api_entries import router as entry_router
from .api_funds import router as fund_router
from .api_reports import router as report_router

router = Router()
router.add_router("", fund_router)
router.add_router("", entry_router)
router.add_router("", report_router)

__all__ = ["router"]
