"""REST endpoints: see api.py."""

from ninja import Router

router = Router(tags=["foodbank"])
