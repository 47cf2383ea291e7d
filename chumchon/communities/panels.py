"""Panels that later modules add to the community page without the registry importing them
(the registry is layer 2; committees, funds, ... are above it).

A module registers a function in its `AppConfig.ready()`:

    panels.register(func)   # func(request, community) -> HTML (str) or None (nothing to show)

The community page renders the registered panels in registration order. A panel must run a
constant number of queries and check its own permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString

Panel = Callable[[Any, Any], "str | None"]

PANELS: list[Panel] = []


def register(func: Panel) -> Panel:
    if func not in PANELS:
        PANELS.append(func)
    return func


def render_panels(request: Any, community: Any) -> list[SafeString]:
    result = []
    for func in PANELS:
        html = func(request, community)
        if html:
            result.append(SafeString(html))
    return result
