"""The household and person pages run a constant number of queries whatever the data size
(members, memberships, moves, surveys); issue 4 measures their time at Bangkok scale."""

from __future__ import annotations

from datetime import date

import pytest

from chumchon.conftest import OWN_COMMUNITY

from ..services import person_move
from .factories import community_for_area, make_community, make_household, make_person
from .survey_factories import member, submitted_survey
from .test_views import query_count


@pytest.fixture
def house(communities):
    community = community_for_area(communities[OWN_COMMUNITY])
    household = make_household(community, house_no="7")
    make_person(household, relation="head")
    return household


@pytest.mark.parametrize("actor", ["district_officer", "district_head", "committee_member"])
def test_household_page_query_count_does_not_grow_with_members(clients, house, actor):
    client = clients[actor]
    url = f"/households/{house.pk}/"
    client.get(url)
    before = query_count(client, url)
    for _ in range(25):
        make_person(house, relation="child", birth_date=date(2012, 1, 1))
    assert query_count(client, url) == before


def test_household_page_query_count_does_not_grow_with_surveys_and_poverty(clients, house):
    client = clients["district_officer"]
    url = f"/households/{house.pk}/"
    client.get(url)
    before = query_count(client, url)
    submitted_survey(
        house, members=[member(income="1000"), member(income="0", age=9, in_school=False)]
    )
    for _ in range(10):
        make_person(house, relation="child")
    assert query_count(client, url) == before


@pytest.mark.parametrize("actor", ["district_officer", "district_head"])
def test_person_page_query_count_does_not_grow_with_history(clients, house, actor):
    client = clients[actor]
    person = make_person(house, relation="child", first_name="ย้ายบ่อย")
    url = f"/people/{person.pk}/"
    client.get(url)
    before = query_count(client, url)
    places = [make_household(make_community(), house_no=str(i)) for i in range(6)]
    places.append(house)
    for i, target in enumerate(places):
        person_move(
            actor=None,
            person=person,
            to_household=target,
            on=date(2021, 1, 1 + i),
            reason="ย้ายตามงาน",
        )
    assert query_count(client, url) == before
