"""REST endpoints of the fund module under /api/v1/funds/ (to be written)."""

from ninja import Router

router = Router(tags=["funds"])

__all__ = ["router"]
