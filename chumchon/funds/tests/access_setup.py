"""Access-matrix rules: setup URLs."""

ACCESS: dict = {}
