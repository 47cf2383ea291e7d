"""REST endpoints for registry imports."""

from ninja import Router

router = Router(tags=["imports"])
