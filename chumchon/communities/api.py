"""REST endpoints of the registry: communities, households, people (see api_imports.py for
imports)."""

from ninja import Router

router = Router(tags=["communities"])
