"""The access matrix for the registry's pages alone (the full matrix runs every app's URLs):
every page x method x actor, against own and other-zone objects, as tests/access_pages.py says."""

import pytest

from chumchon.accounts.testing.access import expected
from chumchon.conftest import ACTORS, verified_client
from chumchon.portal.tests.test_access_matrix import (
    Objects,
    all_patterns,
    build_url,
    discovered_methods,
    outcome,
)

from .access_pages import ACCESS


def test_every_page_is_classified_with_its_methods():
    found = {p.name: p for p in all_patterns() if p.name in ACCESS}
    assert set(found) == set(ACCESS)
    for name, pattern in found.items():
        assert discovered_methods(pattern.pattern) == set(ACCESS[name].methods), name


@pytest.mark.django_db
def test_registry_pages_answer_each_actor_as_the_rules_say(role_users, communities, settings):
    settings.AXES_ENABLED = False
    objects = Objects(role_users, communities)
    clients = {actor: verified_client(role_users[actor]) for actor in ACTORS}
    failures, calls = [], 0
    for pattern in all_patterns():
        rule = ACCESS.get(pattern.name)
        if rule is None:
            continue
        targets = ("own", "other") if rule.kwargs is not None else ("own",)
        for method, policy in rule.methods.items():
            for actor in ACTORS:
                for which in targets:
                    url = build_url(pattern, rule, objects, actor, which)
                    response = clients[actor].generic(method, url)
                    calls += 1
                    got = outcome(response, rule.extra.get("invalid_ok", False))
                    want = expected(policy, actor, which)
                    if got != want:
                        failures.append(f"{method} {url} as {actor} [{which}]: {want} != {got}")
    assert calls > 300
    assert not failures, "\n".join(failures)
