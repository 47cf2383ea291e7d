"""Access-matrix rules: see access.py."""

ACCESS: dict = {}
