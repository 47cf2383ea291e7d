"""The layer rule, enforced: an app imports only from lower layers (ARCHITECTURE.md)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# app -> apps it may import from (besides itself)
ALLOWED = {
    "core": set(),
    "organizations": {"core", "accounts"},
    "accounts": {"core", "organizations"},
    "portal": {"core", "accounts", "organizations"},
    "communities": {"core", "accounts", "organizations", "portal"},
    "committees": {"core", "accounts", "organizations", "portal", "communities"},
    "budgets": {"core", "accounts", "organizations", "portal", "communities", "committees"},
    "funds": {"core", "accounts", "organizations", "portal", "communities", "committees"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == "chumchon":
                found.add(parts[1])
    return found


def test_apps_import_only_from_lower_layers():
    problems = []
    for app, allowed in ALLOWED.items():
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for other in imported_apps(path) - {app} - allowed - {"conftest"}:
                problems.append(f"{path.relative_to(ROOT)} imports chumchon.{other}")
    assert not problems, "\n".join(problems)
