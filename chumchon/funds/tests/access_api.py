"""Access-matrix rules: the fund API."""

ACCESS: dict = {}
