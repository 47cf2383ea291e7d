"""Access rules (see accounts/testing/access.py)."""

from __future__ import annotations

ACCESS: dict = {}
