"""The people import streams: chunks of rows are read, checked and written inside one
transaction. Chunk sizes are forced small here so that households, duplicates and heads span
chunks: whatever the chunk size, the result (errors, counts, registry) is the one of the whole
file at once, and one error anywhere saves nothing. Postgres-marked tests cover the COPY path
(ids from the sequences, history rows, the second thread)."""

from __future__ import annotations

from datetime import date

import pytest

from chumchon.core.audit import AuditEvent
from chumchon.core.national_id import national_id_hash

from ..imports import people as people_import
from ..models import Household, Membership, Move, Person
from .factories import make_community, make_household, make_person, valid_national_id
from .test_imports import people_file, person_row, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db):
    return make_community("HC001", district="1001")


@pytest.fixture
def other_community(db):
    return make_community("HC002", district="1001")


@pytest.fixture
def chunk(monkeypatch):
    """Set the chunk size (rows) of the next imports."""

    def set_size(size: int) -> None:
        monkeypatch.setattr(people_import, "CHUNK_ROWS", size)

    return set_size


def registry_state() -> dict:
    """What an import leaves, comparable between runs (ids and times left out)."""
    people = {
        p.national_id: (p.first_name, p.household.house_no if p.household else None, p.area_id)
        for p in Person.objects.select_related("household")
    }
    households = sorted(Household.objects.values_list("community_id", "house_no", "house_code"))
    memberships = sorted(
        (m.person.national_id, m.household.house_no, m.relation, m.in_house_registration, m.until)
        for m in Membership.objects.select_related("person", "household")
    )
    return {
        "people": people,
        "households": households,
        "memberships": memberships,
        "person_history": Person.history.count(),
        "household_history": Household.history.count(),
        "moves": Move.objects.count(),
    }


# --- rows spanning chunks ---------------------------------------------------------------------


def test_a_household_whose_rows_span_chunks_is_one_household(community, chunk):
    chunk(2)
    rows = [
        person_row(house_no="5", house_code="10010000005", relation="หัวหน้า"),
        person_row(house_no="6"),
        person_row(house_no="6"),
        person_row(house_no="5", house_code="10010000005", relation="บุตร"),
        person_row(house_no="5", house_code="10010000005", relation="บุตร"),
    ]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    assert result.summary_lines()[-1] == "created 5, updated 0, unchanged 0"
    assert "households created 2, updated 0" in result.summary_lines()
    household = Household.objects.get(house_code="10010000005")
    assert Membership.objects.filter(household=household).count() == 3
    assert Person.objects.filter(household=household).count() == 3
    assert Membership.objects.get(household=household, relation="head").person.household == (
        household
    )


def test_an_error_in_a_late_chunk_saves_nothing_of_the_earlier_chunks(community, chunk):
    chunk(2)
    rows = [person_row(house_no=str(n)) for n in range(1, 8)]
    rows.append(person_row(house_no="9", national_id="1234567890123"))
    before = AuditEvent.objects.count()
    result = run(people_file(rows))
    assert not result.ok and not result.committed
    assert [p.row for p in result.problems] == [9]
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert Membership.objects.count() == 0
    assert Person.history.count() == 0 and Household.history.count() == 0
    assert AuditEvent.objects.count() == before


def test_an_error_found_at_the_end_saves_nothing_written_before(community, chunk):
    household = make_household(community, house_no="5")
    make_person(household, relation="head")
    chunk(2)
    rows = [person_row(house_no=str(n)) for n in range(10, 15)]
    rows.append(person_row(house_no="5", relation="หัวหน้า"))  # the registry's head stays
    result = run(people_file(rows))
    assert [p.row for p in result.problems] == [7]
    assert "already has a head in the registry" in result.error_lines[0]
    assert Person.objects.count() == 1 and Household.objects.count() == 1


def test_errors_in_several_chunks_are_all_reported_in_row_order(community, chunk):
    chunk(2)
    rows = [person_row(house_no=str(n)) for n in range(1, 10)]
    rows[1]["sex"] = "?"
    rows[6]["community_code"] = "NOPE"
    rows[8]["national_id"] = "1"
    result = run(people_file(rows))
    assert [p.row for p in result.problems] == [3, 8, 10]
    assert Person.objects.count() == 0


def test_a_duplicate_national_id_in_a_later_chunk_cites_the_first_row(community, chunk):
    chunk(2)
    pid = valid_national_id()
    rows = [person_row(house_no=str(n)) for n in range(1, 6)]
    rows[0]["national_id"] = pid
    rows[4]["national_id"] = f" {pid} "
    result = run(people_file(rows))
    assert result.error_lines == [
        "row 6, column เลขประจำตัวประชาชน: This national ID appears twice in the file: "
        f"duplicate of row 2 / {result.problems[0].text('th')}"
    ]
    assert Person.objects.count() == 0


def test_a_second_head_in_a_later_chunk_is_a_duplicate_of_the_first(community, chunk):
    chunk(1)
    rows = [
        person_row(house_no="5", relation="หัวหน้าครัวเรือน"),
        person_row(house_no="6"),
        person_row(house_no="5", relation="เจ้าบ้าน"),
    ]
    result = run(people_file(rows))
    assert len(result.problems) == 1
    assert result.error_lines[0].startswith(
        "row 4, column ความสัมพันธ์กับหัวหน้าครัวเรือน: A second head for one household: duplicate of row 2"
    )


def test_the_head_replaced_in_a_later_chunk_ends_with_one_head(community, chunk):
    household = make_household(community, house_no="5")
    old = make_person(household, relation="head")
    chunk(1)
    rows = [
        person_row(house_no="5", relation="หัวหน้า"),  # before the old head's demotion
        person_row(house_no="8"),
        person_row(house_no="5", national_id=old.national_id, relation="สามี"),
    ]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    heads = Membership.objects.filter(household=household, relation="head", until__isnull=True)
    assert heads.count() == 1
    assert heads.get().person != old
    assert Membership.objects.get(person=old, until__isnull=True).relation == "spouse"


def test_a_member_promoted_before_the_old_head_moves_away_in_a_later_chunk(
    community, other_community, chunk
):
    household = make_household(community, house_no="5")
    old = make_person(household, relation="head")
    child = make_person(household, relation="child")
    chunk(1)
    rows = [
        person_row(house_no="5", national_id=child.national_id, relation="หัวหน้า"),
        person_row(house_no="9"),
        person_row(community="HC002", house_no="1", national_id=old.national_id),
    ]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    assert Membership.objects.get(person=child, until__isnull=True).relation == "head"
    assert Membership.objects.get(person=old, until__isnull=True).household.community == (
        other_community
    )


def test_a_house_code_given_for_another_community_in_a_later_chunk_cites_the_first_row(
    community, other_community, chunk
):
    chunk(1)
    rows = [
        person_row(house_no="1", house_code="10010000021"),
        person_row(house_no="2"),
        person_row(community="HC002", house_no="1", house_code="10010000021"),
    ]
    result = run(people_file(rows))
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith(
        "row 4, column รหัสประจำบ้าน: The same house registration code is given for another "
        "community in row 2."
    )


def test_a_household_renumbered_by_an_earlier_chunk_is_still_found_under_its_old_number(
    community, chunk
):
    make_household(community, house_no="5", house_code="10010000031")
    expected = run(
        people_file(
            [
                person_row(house_no="6", house_code="10010000031"),
                person_row(house_no="5"),
            ]
        ),
        dry_run=True,
    ).error_lines
    assert len(expected) == 1 and "given in row 2 with another house number" in expected[0]
    chunk(1)
    result = run(
        people_file(
            [
                person_row(house_no="6", house_code="10010000031"),
                person_row(house_no="5"),
            ]
        )
    )
    assert result.error_lines == expected
    assert Household.objects.get().house_no == "5"


def scenario_rows(community, other_community) -> list[dict]:
    """A file touching most rules, valid as a whole: new and existing households (by code,
    by number, a code added, a number corrected), new people, updates, moves within and between
    communities, a head replaced, the same household on distant rows."""
    h5 = make_household(community, house_no="5", house_code="10010000041")
    old_head = make_person(h5, relation="head", first_name="เดิม")
    member = make_person(h5, relation="child")
    h7 = make_household(community, house_no="7")
    stays = make_person(h7, relation="head")
    far = make_person(make_household(other_community, house_no="1"), relation="head")
    make_household(community, house_no="8", house_code="10010000042")
    return [
        person_row(house_no="5", house_code="10010000041", relation="หัวหน้า"),
        person_row(house_no="7", house_code="10010000043", national_id=stays.national_id),
        person_row(house_no="9/1", relation="หัวหน้า", registered_since="01/02/2566"),
        person_row(
            house_no="5", house_code="10010000041", national_id=member.national_id, phone="081"
        ),
        person_row(house_no="80", house_code="10010000042"),  # renumbered from 8
        person_row(house_no="9/1", relation="บุตร"),
        person_row(
            house_no="5", house_code="10010000041", national_id=old_head.national_id, relation="บิดา"
        ),
        person_row(house_no="9/1", national_id=far.national_id, in_house_registration="ไม่ใช่"),
        person_row(house_no="80", house_code="10010000042", relation="หัวหน้า"),
        person_row(house_no="12", house_code="", sex="หญิง", birth_date="01/01/2530"),
    ]


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_any_chunk_size_gives_the_result_of_the_whole_file(community, other_community, chunk, size):
    from django.db import transaction

    rows = scenario_rows(community, other_community)
    data = people_file(rows)
    with transaction.atomic():
        whole = run(data)
        assert whole.ok, whole.error_lines
        expected = (whole.summary_lines(), registry_state())
        transaction.set_rollback(True)
    chunk(size)
    result = run(data)
    assert result.ok, result.error_lines
    assert (result.summary_lines(), registry_state()) == expected


@pytest.mark.parametrize("size", [1, 3])
def test_any_chunk_size_reports_the_errors_of_the_whole_file(
    community, other_community, chunk, size
):
    rows = scenario_rows(community, other_community)
    rows.insert(3, person_row(house_no="5", house_code="10010000041", relation="เจ้าบ้าน"))
    rows.append(person_row(house_no="9/1", house_code="10010000099"))  # another code
    rows.append(person_row(national_id=rows[0]["national_id"], house_no="99"))  # duplicate
    expected = run(people_file(rows)).error_lines
    assert len(expected) == 3
    chunk(size)
    result = run(people_file(rows))
    assert result.error_lines == expected
    assert not result.committed


def test_a_dry_run_over_several_chunks_saves_nothing_and_counts_everything(community, chunk):
    chunk(2)
    rows = [person_row(house_no=str(n // 2)) for n in range(7)]
    result = run(people_file(rows), dry_run=True)
    assert result.ok and not result.committed
    assert result.summary_lines()[-1] == "created 7, updated 0, unchanged 0"
    assert "households created 4, updated 0" in result.summary_lines()
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_progress_is_reported_while_reading(community, chunk, monkeypatch):
    from ..imports import run as run_module

    monkeypatch.setattr(run_module, "PROGRESS_EVERY", 2)
    chunk(3)
    seen = []
    rows = [person_row(house_no=str(n)) for n in range(5)]
    data, name = people_file(rows)
    from ..imports import run_import

    result = run_import(
        kind="people",
        data=data,
        filename=name,
        system=True,
        progress=lambda done, total: seen.append(done),
    )
    assert result.ok
    assert seen == [2, 4, 5]


def test_the_quick_national_id_hash_is_the_registrys(community):
    importer = people_import.PeopleImport(actor=None, allowed_paths=None)
    for n in (1, 7, 12345):
        number = valid_national_id(n)
        assert importer.id_hash(number) == national_id_hash(number)


def test_the_quick_national_id_reader_agrees_with_the_cell_reader():
    from ..imports import cells
    from ..imports.problems import CellError

    for written in [
        valid_national_id(3),
        "1101700230709",
        "0" + valid_national_id(5)[1:],
        "9" * 13,
    ]:
        try:
            expected = cells.national_id(written)
        except CellError as exc:
            expected = str(exc)
        try:
            got = people_import._national_id(written)
        except CellError as exc:
            got = str(exc)
        assert got == expected, written


# --- the COPY path (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
def test_copy_writes_records_and_history_rows_as_bulk_create_does(community, chunk, role_users):
    officer = role_users["district_officer"]
    chunk(2)
    rows = [
        person_row(house_no="1", relation="หัวหน้า", phone="0812345678", birth_date="02/03/2520"),
        person_row(house_no="1", relation="บุตร", prefix=""),
        person_row(house_no="2", house_code="10010000051"),
    ]
    result = run(people_file(rows), actor=officer)
    assert result.ok, result.error_lines
    person = Person.objects.get(phone="0812345678")
    assert person.nationality == "ไทย" and person.status == "alive"
    assert person.birth_date == date(1977, 3, 2)
    assert person.household.house_no == "1" and person.area == community.area
    record = person.history.get()
    assert record.history_type == "+" and record.history_user == officer
    assert record.history_change_reason == f"import {result.sha256[:16]}"
    assert record.first_name == person.first_name and record.household_id == person.household_id
    assert Person.history.count() == 3 and Household.history.count() == 2
    household = Household.objects.get(house_code="10010000051")
    assert household.house_no_key == "00000002"
    assert household.history.get().history_type == "+"
    assert Membership.objects.get(person=person).relation == "head"


@pytest.mark.postgres
def test_copy_takes_ids_from_the_sequences(community, chunk):
    chunk(2)
    assert run(people_file([person_row(house_no=str(n)) for n in range(5)])).ok
    later = make_person(make_household(community, house_no="99"))  # through the ORM
    assert later.pk > max(Person.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    assert Person.objects.count() == 6


@pytest.mark.postgres
def test_a_failing_copy_saves_nothing_and_says_the_registry_changed(community, chunk, monkeypatch):
    import psycopg

    def fail(*args, **kwargs):
        raise psycopg.errors.UniqueViolation("duplicate key value")

    monkeypatch.setattr(people_import, "send_copy_rows", fail)
    chunk(2)
    result = run(people_file([person_row(house_no=str(n)) for n in range(5)]))
    assert not result.committed
    assert result.error_lines[0].startswith("file: The registry changed while the file")
    assert Person.objects.count() == 0 and Household.objects.count() == 0


# --- lookups on a connection of their own (PostgreSQL, the import's own transaction) ---------


@pytest.fixture
def lookups_apart(monkeypatch):
    """Record whether each import ran its lookups on a connection of their own."""
    seen: list[bool] = []
    original = people_import.LookupRunner.__init__

    def spy(self, *, apart):
        seen.append(apart)
        original(self, apart=apart)

    monkeypatch.setattr(people_import.LookupRunner, "__init__", spy)
    return seen


def backends() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lookups_apart_see_the_registry_before_the_import(lookups_apart, chunk):
    community = make_community("HC001", district="1001")
    other = make_community("HC002", district="1001")
    rows = scenario_rows(community, other)
    rows.append(  # the renumbered household under its old number: refused, as in one chunk
        person_row(house_no="8", house_code="", national_id=valid_national_id())
    )
    expected = run(people_file(rows), dry_run=True).error_lines
    assert len(expected) == 1 and "given in row 6 with another house number" in expected[0]
    chunk(1)
    before = backends()
    result = run(people_file(rows))
    assert result.error_lines == expected
    assert lookups_apart[-1] is True
    assert Household.objects.get(house_code="10010000042").house_no == "8"  # rolled back
    assert backends() == before  # the lookup thread closed its connection
    rows.pop()
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    assert result.summary_lines()[-1] == "created 6, updated 4, unchanged 0"
    h5 = Household.objects.get(house_code="10010000041")
    heads = Membership.objects.filter(household=h5, relation="head", until__isnull=True)
    assert heads.count() == 1 and heads.get().person.first_name == "สมชาย"
    assert Household.objects.get(house_code="10010000042").house_no == "80"
    assert Move.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lookups_apart_an_error_in_a_late_chunk_saves_nothing(lookups_apart, chunk):
    make_community("HC001", district="1001")
    chunk(2)
    rows = [person_row(house_no=str(n)) for n in range(1, 8)]
    rows.append(person_row(house_no="9", community="NOPE"))
    result = run(people_file(rows))
    assert lookups_apart[-1] is True
    assert [p.row for p in result.problems] == [9]
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert Person.history.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lookups_apart_save_the_progress_outside_the_imports_transaction(chunk, monkeypatch):
    """The job page sees the progress while the import runs: it is saved on the lookup
    thread's connection, which commits at once."""
    import threading

    from django.db import connection

    from ..imports import run as run_module
    from ..imports import run_import

    make_community("HC001", district="1001")
    monkeypatch.setattr(run_module, "PROGRESS_EVERY", 2)
    chunk(3)
    calls = []

    def progress(done, total):
        calls.append((done, threading.get_ident(), connection.in_atomic_block))

    data, name = people_file([person_row(house_no=str(n)) for n in range(5)])
    result = run_import(kind="people", data=data, filename=name, system=True, progress=progress)
    assert result.ok
    assert [done for done, _thread, _atomic in calls] == [2, 4, 5]
    assert all(thread != threading.get_ident() and not atomic for _d, thread, atomic in calls)
