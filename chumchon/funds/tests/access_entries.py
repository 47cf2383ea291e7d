"""Access-matrix rules: entries URLs."""

ACCESS: dict = {}
