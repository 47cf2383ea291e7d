"""REST endpoints of the registry under /api/v1/: communities, households, people (imports are
in api_imports.py). Every read is scoped (outside reach: 404; in reach without the role's
permission: 403); every write goes through `services`.

Modules: `common` (authentication gates, error shaping, input parsing), `communities`,
`households`, `people`, `search`. Shapes are in `chumchon.communities.schemas` (search: its own).
"""

# the household survey's endpoints, on the same router
from ..surveys import api_exports, api_rounds, api_surveys  # noqa: E402,F401,I001
from . import communities, households, people, search  # noqa: E402,F401  (register the operations)
from .common import router

__all__ = ["router"]
