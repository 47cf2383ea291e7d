"""The access matrix's vocabulary: how each URL is classified, and what each actor must get.

Each app declares `ACCESS` in `<app>/tests/access.py`: {url name: Rule}. The matrix test
(`portal/tests/test_access_matrix.py`) discovers every URL pattern of the project from the
resolver, fails on any unclassified URL name or HTTP method, and calls each one as anonymous
and as each role, against an object in the actor's own area and one in a district of another
zone, expecting the answer the rule gives:

- PUBLIC: anyone, 2xx/3xx.
- LOGIN: any logged-in user; anonymous is sent to the login page (pages) or gets 401 (API).
- anywhere(perm): the user must hold `perm` somewhere, else 403.
- scoped(perm): the object must be in the user's reach (else 404, like "does not exist"),
  and a role there must grant `perm` (else 403).
- OWNER: objects belong to one user (jobs): another's is 404, except for a superuser.
- PERSONAL: strictly one user's (API tokens): another's is 404 for everyone.
- ABSENT: the route exists but answers 404 to everyone (the API root).
- SUPERUSER: the Django admin, for system administrators only (others go to the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chumchon.accounts.roles import ROLES

PUBLIC = "public"
LOGIN = "login"
OWNER = "owner"
SUPERUSER = "superuser"
PERSONAL = "personal"
ABSENT = "absent"

ALLOWED = "allowed"
TO_LOGIN = "to_login"
UNAUTHORIZED = "401"
FORBIDDEN = "403"
NOT_FOUND = "404"

# Which objects each actor reaches (by hand, not computed from the code under test):
# "own" objects hang off the own community T-1001-01 (district 1001, zone BKK-01);
# "other" objects off district 1004 (zone BKK-02).
REACH: dict[str, set[str]] = {
    "superuser": {"own", "other"},
    "central_officer": {"own", "other"},
    "auditor": {"own", "other"},
    "zone_officer": {"own"},
    "district_head": {"own"},
    "district_officer": {"own"},
    "committee_member": {"own"},
    "anonymous": set(),
}


@dataclass(frozen=True)
class Policy:
    kind: str
    perm: str | None = None


def scoped(perm: str) -> Policy:
    return Policy("scoped", perm)


def anywhere(perm: str) -> Policy:
    return Policy("anywhere", perm)


@dataclass
class Rule:
    methods: dict[str, Policy | str]
    # (fixtures, actor name, "own"|"other") -> URL kwargs; None for URLs without arguments
    kwargs: Callable[[Any, str, str], dict[str, Any]] | None = None
    api: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def holds(actor: str, perm: str) -> bool:
    if actor == "superuser":
        return True
    if actor == "anonymous":
        return False
    return perm in ROLES[actor][2]


def expected(policy: Policy | str, actor: str, which: str) -> str:
    policy = policy if isinstance(policy, Policy) else Policy(policy)
    if policy.kind == PUBLIC:
        return ALLOWED
    if policy.kind == ABSENT:
        return NOT_FOUND
    if actor == "anonymous":
        return TO_LOGIN
    if policy.kind == LOGIN:
        return ALLOWED
    if policy.kind == SUPERUSER:
        return ALLOWED if actor == "superuser" else TO_LOGIN
    if policy.kind == PERSONAL:
        return ALLOWED if which == "own" else NOT_FOUND
    if policy.kind == OWNER:
        return ALLOWED if which == "own" or actor == "superuser" else NOT_FOUND
    if policy.kind == "anywhere":
        return ALLOWED if holds(actor, policy.perm) else FORBIDDEN
    if policy.kind == "scoped":
        if which not in REACH[actor]:
            return NOT_FOUND
        return ALLOWED if holds(actor, policy.perm) else FORBIDDEN
    raise ValueError(policy)
