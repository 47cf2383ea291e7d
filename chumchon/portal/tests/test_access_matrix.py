"""The access matrix: every URL pattern of the project x every method x every actor.

URL patterns are discovered from the resolver, not listed by hand; an unclassified URL name or
HTTP method fails. Rules live in each app's tests/access.py (see accounts/testing/access.py).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from chumchon.accounts.models import ApiToken, User
from chumchon.accounts.services import api_token_create
from chumchon.accounts.testing.access import (
    ALLOWED,
    FORBIDDEN,
    NOT_FOUND,
    TO_LOGIN,
    Rule,
    expected,
)
from chumchon.conftest import ACTORS, OTHER_DISTRICT, OWN_COMMUNITY, verified_client
from chumchon.core.attachments import attachment_add
from chumchon.core.jobs import job_succeed
from chumchon.core.models import Job
from chumchon.organizations.models import Area

ALLOWED_STATUSES = {200, 201, 202, 204, 301, 302}
# A rule may accept 400/422 as "allowed" (the call passed access control and was refused as
# input): only where it says so, so that a view refusing everyone cannot pass as allowed.
INVALID_INPUT_STATUSES = {400, 422}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def access_table() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("chumchon."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access")
        except ModuleNotFoundError:
            continue
        for name, rule in module.ACCESS.items():
            assert name not in table, f"{name} classified twice"
            table[name] = rule
    return table


@dataclass
class Pattern:
    name: str
    route: str
    pattern: URLPattern
    namespace: str | None


def all_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                name = f"{namespace}:{p.name}" if (namespace and p.name) else (p.name or "")
                found.append(Pattern(name, prefix + str(p.pattern), p, namespace))

    walk(get_resolver().url_patterns, "", None)
    return found


def discovered_methods(pattern: URLPattern) -> set[str] | None:
    """The methods a view accepts, when the view says so (class-based and ninja views)."""
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            m.upper()
            for m in view_class.http_method_names
            if m not in ("options", "head") and hasattr(view_class, m)
        }
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            return {m.upper() for op in operations for m in op.methods}
    return None


def rule_for(table: dict[str, Rule], pattern: Pattern) -> Rule | None:
    if pattern.name in table:
        return table[pattern.name]
    if pattern.namespace and f"{pattern.namespace}:*" in table:
        return table[f"{pattern.namespace}:*"]
    return None


def classification_problems() -> list[str]:
    table = access_table()
    problems = []
    names = set()
    for pattern in all_patterns():
        names.add(pattern.name)
        rule = rule_for(table, pattern)
        if not pattern.name and rule is None:
            problems.append(f"unnamed URL pattern {pattern.route!r}: give it a name")
            continue
        if rule is None:
            problems.append(f"URL {pattern.name!r} ({pattern.route}) is not classified")
            continue
        methods = discovered_methods(pattern.pattern)
        if rule.extra.get("third_party"):
            continue  # the Django admin's own views: called with GET and POST below
        if methods is not None and methods != set(rule.methods):
            problems.append(
                f"URL {pattern.name!r} accepts {sorted(methods)} but is classified for "
                f"{sorted(rule.methods)}"
            )
    stale = [n for n in table if not n.endswith(":*") and n not in names]
    problems.extend(f"classified URL {n!r} does not exist" for n in stale)
    return problems


def test_every_url_and_method_is_classified():
    problems = classification_problems()
    assert not problems, "\n".join(problems)


def test_an_unclassified_url_fails_the_matrix(settings):
    """Adding a page without classifying it must break the build."""
    settings.ROOT_URLCONF = "chumchon.portal.tests.urls_with_unclassified"
    problems = classification_problems()
    assert any("'sneaky-page' (sneaky/) is not classified" in p for p in problems), problems


class Objects:
    """The objects the matrix calls URLs against, made on first use."""

    def __init__(self, role_users, communities):
        self.users = role_users
        self.communities = communities
        self._cache: dict = {}
        self.stranger = User.objects.create_user("stranger", password="x")

    def area(self, which: str) -> Area:
        return Area.objects.get(code=OWN_COMMUNITY if which == "own" else OTHER_DISTRICT)

    def job(self, actor: str, which: str) -> Job:
        owner = self.users.get(actor) if which == "own" else self.stranger
        job = Job.objects.create(created_by=owner, kind="test", area_path=self.area(which).path)
        return job_succeed(job, content=b"x", filename="result.txt")

    def attachment(self, which: str):
        key = ("attachment", which)
        if key not in self._cache:
            pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf")
            self._cache[key] = attachment_add(
                actor=self.stranger, owner=self.area(which), uploaded=pdf
            )
        return self._cache[key]

    def token(self, actor: str, which: str) -> ApiToken:
        owner = self.users.get(actor) if which == "own" else self.stranger
        return api_token_create(actor=None, user=owner or self.stranger, name="t")[0]

    def parameter_key(self) -> str:
        from datetime import date

        from chumchon.core.models import DatedParameter

        DatedParameter.objects.get_or_create(
            key="test.factor", valid_from=date(2000, 1, 1), defaults={"value": "1.5"}
        )
        return "test.factor"

    def user(self, which: str) -> User:
        return self.stranger


def build_url(pattern: Pattern, rule: Rule, objects: Objects, actor: str, which: str) -> str:
    converters = (
        pattern.pattern.pattern.converters if hasattr(pattern.pattern.pattern, "converters") else {}
    )
    regex = pattern.pattern.pattern.regex
    if rule.kwargs is not None:
        kwargs = rule.kwargs(objects, actor, which)
        return reverse(pattern.name, kwargs=kwargs)
    if not pattern.name:  # an unnamed route inside a classified namespace (admin redirects)
        return "/" + re.sub(r"<(?:\w+:)?\w+>", "999999", pattern.route)
    if not regex.groups:
        return reverse(pattern.name)
    # Generic arguments (the admin): made-up ids that do not exist.
    defaults = {
        "app_label": "accounts",
        "content_type_id": str(ContentType.objects.get_for_model(User).pk),
        "url": "nope",
    }
    names = list(regex.groupindex) or list(converters)
    kwargs = {n: defaults.get(n, "999999") for n in names}
    if kwargs:
        return reverse(pattern.name, kwargs=kwargs)
    return reverse(pattern.name, args=["999999"] * regex.groups)


def outcome(response, invalid_ok: bool = False) -> str:
    status = response.status_code
    if invalid_ok and status in INVALID_INPUT_STATUSES:
        return ALLOWED
    if status == 401:
        return TO_LOGIN
    if status in (301, 302) and response["Location"].startswith(LOGIN_PATHS):
        return TO_LOGIN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status in ALLOWED_STATUSES:
        return ALLOWED
    return f"status {status}"


@pytest.mark.django_db
def test_access_matrix(role_users, communities, settings):
    settings.AXES_ENABLED = False
    table = access_table()
    objects = Objects(role_users, communities)
    failures = []
    calls = 0
    logged_in: dict = {}

    def client_for(actor: str):
        if actor not in logged_in:
            logged_in[actor] = verified_client(role_users[actor])
        return logged_in[actor]

    for pattern in all_patterns():
        rule = rule_for(table, pattern)
        assert rule is not None, pattern.name
        targets = ("own", "other") if rule.kwargs is not None else ("own",)
        for method, policy in rule.methods.items():
            for actor in ACTORS:
                for which in targets:
                    url = build_url(pattern, rule, objects, actor, which)
                    client = client_for(actor)
                    response = client.generic(method, url)
                    if actor != "anonymous" and "_auth_user_id" not in client.session:
                        del logged_in[actor]  # that call logged the actor out
                    calls += 1
                    got = outcome(response, rule.extra.get("invalid_ok", False))
                    want = expected(policy, actor, which)
                    if (
                        actor == "superuser"
                        and rule.extra.get("superuser_any")
                        and not got.startswith("status 5")
                    ):
                        continue
                    if got != want:
                        failures.append(
                            f"{method} {url} ({pattern.name}) as {actor} [{which}]: "
                            f"expected {want}, got {got}"
                        )
    assert calls > 500
    assert not failures, f"{len(failures)} of {calls} calls:\n" + "\n".join(failures)
