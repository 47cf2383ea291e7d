"""REST endpoints of the committees module under /api/v1/: elections (api_elections.py), a
community's committee (api_committee.py), seat policies and the public seat calculator
(api_policy.py)."""

from ninja import Router

from .api_committee import router as committee_router
from .api_elections import router as election_router
from .api_policy import router as policy_router

router = Router()
router.add_router("", election_router)
router.add_router("", committee_router)
router.add_router("", policy_router)

__all__ = ["router"]
