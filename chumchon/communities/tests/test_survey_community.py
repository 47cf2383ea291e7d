"""The community page tells surveyors which houses are not yet surveyed this fiscal year."""

from __future__ import annotations

import pytest

from chumchon.conftest import OWN_COMMUNITY

from ..surveys import services
from .factories import community_for_area, make_household
from .survey_factories import open_round, submitted_survey
from .test_views import page, query_count


@pytest.fixture
def houses(communities):
    community = community_for_area(communities[OWN_COMMUNITY])
    made = {no: make_household(community, house_no=no) for no in ("1", "2", "3")}
    return community, made


def test_community_page_shows_each_house_survey_status_and_filters_the_next_houses(clients, houses):
    community, made = houses
    submitted = submitted_survey(made["1"])
    draft = services.survey_start(actor=None, household=made["2"], survey_round=submitted.round)
    url = f"/communities/{community.pk}/"
    html = page(clients["committee_member"], url)
    assert f"/surveys/{submitted.pk}/" in html and f"/surveys/{draft.pk}/edit/" in html
    todo = page(clients["committee_member"], url + "?survey=todo")
    assert f"/households/{made['3'].pk}/" in todo
    assert f"/households/{made['1'].pk}/" not in todo and f"/households/{made['2'].pk}/" not in todo
    drafts = page(clients["district_officer"], url + "?survey=draft")
    assert f"/households/{made['2'].pk}/" in drafts and f"/households/{made['1'].pk}/" not in drafts


def test_no_survey_column_without_a_round_or_for_those_who_do_not_survey(clients, houses):
    community, _made = houses
    url = f"/communities/{community.pk}/"
    assert "?survey=todo" not in page(clients["district_officer"], url)
    open_round("1001")
    assert "?survey=todo" in page(clients["district_officer"], url)
    assert "?survey=todo" not in page(clients["zone_officer"], url)


def test_community_page_query_count_does_not_grow_with_surveys(clients, houses):
    community, made = houses
    open_round("1001")
    client = clients["district_officer"]
    url = f"/communities/{community.pk}/"
    client.get(url)
    before = query_count(client, url)
    for house in made.values():
        submitted_survey(house)
    for i in range(10):
        make_household(community, house_no=f"x{i}")
    assert query_count(client, url) == before
    assert query_count(client, url + "?survey=todo") == before
