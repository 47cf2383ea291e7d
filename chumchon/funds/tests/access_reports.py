"""Access-matrix rules: reports URLs."""

ACCESS: dict = {}
