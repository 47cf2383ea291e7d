"""The registry search on PostgreSQL: pg_trgm and btree indexes exist and are used (EXPLAIN on a
table big enough for the planner to care), and the LIKE recheck keeps Thai vowel and tone marks
exact although pg_trgm treats some of them as word separators. Runs in the PostgreSQL pass
(scripts/pgtest.sh); the behaviour tests of test_search.py run there too."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.accounts.scoping import clear_reach_cache
from chumchon.conftest import OWN_COMMUNITY

from ..models import Person
from ..search import COUNT_CAP, THAI_MARKS, search_registry
from .factories import community_for_area, make_household, make_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Syllables with and without marks: names like "สมศักดิ์", "กิจจาวงศ์", "ส้มโอแก้ว".
FIRST_PARTS = ["สม", "ส้ม", "กิจ", "กจ", "ศักดิ์", "ชาย", "ใจ", "แก้ว", "ทอง", "ประ", "สุ", "นิ่ม"]
SECOND_PARTS = ["ศรี", "ชัย", "พร", "วงศ์", "ดี", "โอ", "จา", "รัตน์", "นวล", "กุล", "ภัทร", "ทิพย์"]
LAST_PARTS = ["ใจดี", "รักไทย", "มั่นคง", "ทองคำ", "แก้วใส", "บุญมา", "ศรีสุข", "พึ่งบุญ", "สุขใจ"]
BIG = 100_000


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY])


def _insert_people(area, count: int) -> None:
    """`count` people with generated Thai names, inserted by one INSERT ... SELECT (fast); every
    other column gets its model default, whatever fields the model has."""
    first = (
        "(ARRAY[{a}])[1 + (i * 7919) %% {na}] || (ARRAY[{b}])[1 + (i * 104729) %% {nb}]"
        " || (ARRAY['', {b}])[1 + (i * 15485863) %% {nb1}]"
    ).format(
        a=", ".join(f"'{x}'" for x in FIRST_PARTS),
        b=", ".join(f"'{x}'" for x in SECOND_PARTS),
        na=len(FIRST_PARTS),
        nb=len(SECOND_PARTS),
        nb1=len(SECOND_PARTS) + 1,
    )
    last = "(ARRAY[{c}])[1 + (i * 31) %% {nc}] || (ARRAY[{b}])[1 + (i * 7) %% {nb}]".format(
        c=", ".join(f"'{x}'" for x in LAST_PARTS),
        b=", ".join(f"'{x}'" for x in SECOND_PARTS),
        nc=len(LAST_PARTS),
        nb=len(SECOND_PARTS),
    )
    columns, values, params = [], [], []
    for field in Person._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name == "first_name":
            values.append(first)
        elif field.name == "last_name":
            values.append(last)
        elif field.name in ("created_at", "updated_at"):
            values.append("now()")
        else:
            value = {"area": area.pk, "missing_id_reason": "unknown"}.get(
                field.name, None if field.null else field.get_default()
            )
            values.append("%s")
            params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO communities_person ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM generate_series(1::bigint, %s) AS i",
            [*params, count],
        )
        # what autovacuum would do after a bulk load: empty the GIN pending list, then stats
        cursor.execute("SELECT gin_clean_pending_list('person_name_trgm'::regclass)")
        cursor.execute("ANALYZE communities_person")


@pytest.fixture
def big_table(own):
    """BIG people with generated Thai names in the own community."""
    _insert_people(own.area, BIG)
    return own


def _plans(user, **query) -> list[str]:
    """EXPLAIN of every statement the search runs (the reach cached first)."""
    search_registry(user, **query)
    with CaptureQueriesContext(connection) as ctx:
        search_registry(user, **query)
    plans = []
    with connection.cursor() as cursor:
        for captured in ctx.captured_queries:
            if captured["sql"].startswith(("INSERT", "SAVEPOINT", "RELEASE")):
                continue
            cursor.execute("EXPLAIN " + captured["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def _people_plan(user, text: str) -> str:
    plans = [p for p in _plans(user, text=text) if "communities_person" in p]
    return plans[0]


def _expected(fragment: str) -> set[int]:
    return {
        pk
        for pk, first, last in Person.objects.values_list("pk", "first_name", "last_name")
        if fragment in first + last
    }


def test_pg_trgm_and_the_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ("
            "'person_name_trgm', 'person_first_name_upper', 'person_last_name_upper', "
            "'household_house_no_upper', 'area_name_th_trgm')"
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "person_name_trgm",
        "person_first_name_upper",
        "person_last_name_upper",
        "household_house_no_upper",
        "area_name_th_trgm",
    }
    assert "gin_trgm_ops" in indexes["person_name_trgm"]
    assert "translate" in indexes["person_name_trgm"]
    assert THAI_MARKS[:3] in indexes["person_name_trgm"]
    assert 'COLLATE "C"' in indexes["person_first_name_upper"]
    assert "gin_trgm_ops" in indexes["area_name_th_trgm"]


def test_pg_trgm_splits_words_at_thai_tone_marks_which_is_why_the_index_translates_them():
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm('ก่ก') = show_trgm('ก'), show_trgm('กิก') = show_trgm('ก')")
        tone_splits, vowel_splits = cursor.fetchone()
    assert tone_splits  # "ก่ก" is two words "ก" to pg_trgm (in this cluster's locale)
    assert not vowel_splits


def test_fragment_search_uses_the_trigram_index(role_users, big_table):
    plan = _people_plan(role_users["district_officer"], "ศักดิ์ชัย")
    assert "person_name_trgm" in plan, plan
    assert "Seq Scan on communities_person" not in plan, plan


def test_fragment_with_tone_marks_uses_the_trigram_index(role_users, big_table):
    plan = _people_plan(role_users["superuser"], "ส้มโอ")
    assert "person_name_trgm" in plan, plan


def test_short_fragment_uses_the_prefix_btree_indexes(role_users, big_table):
    plan = _people_plan(role_users["superuser"], "กจ")
    assert "person_first_name_upper" in plan, plan
    assert "person_last_name_upper" in plan, plan
    assert "Seq Scan on communities_person" not in plan, plan


def test_house_number_uses_its_prefix_index(role_users, big_table):
    from ..models import Household

    Household.objects.bulk_create(
        Household(community=big_table, area=big_table.area, house_no=f"{i}/{i % 7}")
        for i in range(1, 20_001)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE communities_household")
    plans = [p for p in _plans(role_users["superuser"], text="123/4") if "household" in p]
    assert "household_house_no_upper" in plans[0], plans[0]


def test_national_id_uses_the_hash_index(role_users, big_table):
    nid_person = make_person(make_household(big_table), first_name="ทดสอบ")
    plans = _plans(role_users["superuser"], national_id=nid_person.national_id)
    lookup = next(p for p in plans if "national_id_hash" in p)
    assert "Index Scan" in lookup and "national_id_hash" in lookup, lookup


@pytest.mark.parametrize("fragment", ["ส้ม", "สมศ", "กิจ", "กจพ", "แก้ว", "ศักดิ์", "นิ่ม", "ิจจ"])
def test_thai_marks_stay_exact_on_a_big_table(role_users, big_table, fragment):
    """The index pre-filters; the recheck keeps "ส้ม" from finding "สม" and "กิจ" from "กจ"."""
    expected = _expected(fragment)
    results = search_registry(role_users["superuser"], text=fragment, limit=100)
    assert results.person_count == min(len(expected), COUNT_CAP)
    assert results.people_more == (len(expected) > COUNT_CAP)
    assert {p.pk for p in results.people} <= expected
    for found in results.people:
        assert fragment in found.first_name + found.last_name


def test_marks_are_not_confused_either_way(role_users, own):
    household = make_household(own)
    for first in ("ส้มโอ", "สมโอ", "กิจการ", "กจการ"):
        make_person(household, first_name=first, last_name="ทดสอบ")
    user = role_users["district_officer"]

    def found(text):
        return sorted(p.first_name for p in search_registry(user, text=text).people)

    assert found("ส้มโ") == ["ส้มโอ"]
    assert found("สมโ") == ["สมโอ"]
    assert found("กิจ") == ["กิจการ"]
    assert found("กจก") == ["กจการ"]


def test_exact_match_comes_first_among_more_than_1000(role_users, big_table):
    """Over 1,000 matches only a sample of the plain substring matches is ranked, but exact
    and prefix matches are read by their own branches: they still come first."""
    household = make_household(big_table)
    exact = make_person(household, first_name="ศรี", last_name="อ")
    results = search_registry(role_users["superuser"], text="ศรี")
    assert results.people_more and results.person_count == COUNT_CAP
    assert results.people[0] == exact
    # then the people whose last name starts with it (no generated first name does)
    assert all(p.last_name.startswith("ศรี") for p in results.people[1:])


def test_ties_follow_thai_dictionary_order(role_users, own):
    household = make_household(own)
    for first in ("ขาด", "เกด"):
        make_person(household, first_name=first, last_name="ทดสอบ")
    results = search_registry(role_users["district_officer"], text="ทดสอบ")
    # code-point order would put ขาด (ข U+0E02) before เกด (เ U+0E40)
    assert [p.first_name for p in results.people] == ["เกด", "ขาด"]


def test_queries_per_search_stay_constant_on_a_big_table(role_users, big_table):
    user = role_users["district_officer"]
    counts = set()
    for text in ("สมศรี", "ศักดิ์ชัย", "ส้ม ใจ", "กจ", "12/3"):
        clear_reach_cache(user)
        with CaptureQueriesContext(connection) as ctx:
            search_registry(user, text=text)
        counts.add(len(ctx.captured_queries))
    assert max(counts) <= 8, counts
