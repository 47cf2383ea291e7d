"""Stored registry counts (CommunityCount): after every write that can change them (services,
both import paths, the bench's COPY loader through the refresh) they equal the live count of
the registry; `refresh_registry_counts --check` finds drift and the refresh (command, daily
job) repairs it; the list reads the stored counts (no membership count, constant queries)."""

from __future__ import annotations

import threading
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chumchon.core import periodic as core_periodic

from .. import periodic, services
from ..imports import people as people_import
from ..models import Community, CommunityCount, Household, Person
from ..selectors import (
    community_totals,
    registry_counts_drift,
    with_live_registry_counts,
    with_registry_counts,
)
from .factories import make_community, make_household, make_person, valid_national_id
from .test_imports import people_file, person_row, run
from .test_imports_communities import row as community_row
from .test_imports_communities import run_c

pytestmark = pytest.mark.django_db


def live_counts() -> dict[str, tuple[int, int]]:
    return {
        c.area.code: (c.registry_households, c.registry_population)
        for c in with_live_registry_counts(Community.objects.select_related("area"))
    }


def stored_counts() -> dict[str, tuple[int, int]]:
    """What the pages read (with_registry_counts today: the stored rows, 0 without one)."""
    return {
        c.area.code: (c.registry_households, c.registry_population)
        for c in with_registry_counts(Community.objects.select_related("area"))
    }


def assert_counts_match() -> dict[str, tuple[int, int]]:
    """The stored counts of every community equal the live count of the registry (the old
    per-community subqueries, an independent computation); the totals too. Returns them."""
    live = live_counts()
    assert stored_counts() == live
    assert registry_counts_drift() == []
    totals = community_totals(Community.objects.all())
    assert totals["registry_households"] == sum(h for h, _p in live.values())
    assert totals["registry_population"] == sum(p for _h, p in live.values())
    return live


@pytest.fixture
def two(db):
    return make_community("RC001"), make_community("RC002")


# --- services ---------------------------------------------------------------------------------


def test_community_create_stores_a_row_with_zeros(db):
    community = make_community("RC001")
    row = CommunityCount.objects.get(community=community)
    assert (row.households, row.population) == (0, 0)
    assert assert_counts_match()["RC001"] == (0, 0)


def test_household_and_person_create_count_active_households_and_members(two):
    a, _b = two
    house = make_household(a)
    make_person(house, relation="head")
    make_person(house, relation="child", in_house_registration=False)  # counts all the same
    make_household(a)
    assert assert_counts_match()["RC001"] == (2, 2)


def test_quick_registration_counts_no_community_member(two):
    a, _b = two
    services.person_quick_register(actor=None, area=a.area.parent, first_name="สมศรี")
    services.person_quick_register(actor=None, area=a.area, first_name="สมใจ")
    assert assert_counts_match()["RC001"] == (0, 0)


def test_household_update_keeps_the_counts(two):
    a, _b = two
    house = make_household(a, house_no="1")
    make_person(house, relation="head")
    services.household_update(actor=None, household=house, house_no="1/1", tenure="rent")
    assert assert_counts_match()["RC001"] == (1, 1)


@pytest.mark.parametrize(
    ("status", "moved_to"),
    [(Person.Status.DECEASED, ""), (Person.Status.MOVED_OUT, "ต่างจังหวัด")],
)
def test_set_status_removes_the_person_from_the_population(two, status, moved_to):
    a, _b = two
    house = make_household(a)
    person = make_person(house, relation="head")
    make_person(house, relation="spouse")
    services.person_set_status(
        actor=None, person=person, status=status, on=date(2024, 1, 1), moved_to=moved_to
    )
    assert assert_counts_match()["RC001"] == (1, 1)


def test_a_person_moved_out_then_back_counts_again(two):
    a, b = two
    person = make_person(make_household(a), relation="head")
    services.person_set_status(
        actor=None, person=person, status="moved_out", on=date(2024, 1, 1), moved_to="ระยอง"
    )
    assert assert_counts_match()["RC002"] == (0, 0)
    services.person_move(
        actor=None, person=person, to_household=make_household(b), on=date(2024, 6, 1)
    )
    counts = assert_counts_match()
    assert counts["RC001"] == (1, 0) and counts["RC002"] == (1, 1)


def test_person_move_counts_in_the_old_and_the_new_community(two):
    a, b = two
    person = make_person(make_household(a), relation="head")
    services.person_move(
        actor=None, person=person, to_household=make_household(b), on=date(2024, 1, 1)
    )
    counts = assert_counts_match()
    assert counts["RC001"] == (1, 0) and counts["RC002"] == (1, 1)


def test_person_move_to_a_new_house_number_counts_the_new_household(two):
    a, b = two
    person = make_person(make_household(a), relation="head")
    services.person_move_to_house_no(
        actor=None, person=person, community=b, house_no="77", on=date(2024, 1, 1), neutral=False
    )
    counts = assert_counts_match()
    assert counts["RC001"] == (1, 0) and counts["RC002"] == (1, 1)


def test_a_failed_move_leaves_the_stored_counts_as_they_were(two):
    a, b = two
    person = make_person(make_household(a), relation="head")
    make_person(make_household(b, house_no="77"), relation="head")
    with pytest.raises(ValidationError) as refused:  # the second head
        services.person_move_to_house_no(
            actor=None,
            person=person,
            community=b,
            house_no="77",
            on=date(2024, 1, 1),
            relation="head",
            neutral=False,
        )
    assert "relation" in refused.value.message_dict
    counts = assert_counts_match()
    assert counts["RC001"] == (1, 1) and counts["RC002"] == (1, 1)


def test_household_move_takes_its_members_to_the_new_community(two):
    a, b = two
    house = make_household(a)
    make_person(house, relation="head")
    make_person(house, relation="child")
    make_person(make_household(a), relation="head")
    services.household_move(actor=None, household=house, to_community=b, on=date(2024, 1, 1))
    counts = assert_counts_match()
    assert counts["RC001"] == (1, 1) and counts["RC002"] == (1, 2)


def test_dissolving_keeps_todays_counts_as_the_live_count(two):
    a, _b = two
    make_person(make_household(a), relation="head")
    services.community_dissolve(
        actor=None,
        community=a,
        dissolved_on=date(2024, 1, 5),
        announcement_no="ยบ 1/2567",
        reason="รวมกับชุมชนข้างเคียง",
    )
    assert assert_counts_match()["RC001"] == (1, 1)


def test_an_inactive_household_is_not_counted_after_a_refresh(two):
    """No service deactivates a household yet; whatever does must refresh, as this one."""
    a, _b = two
    house = make_household(a)
    make_person(house, relation="head")
    Household.objects.filter(pk=house.pk).update(is_active=False)
    services.registry_counts_refresh([a.pk])
    assert assert_counts_match()["RC001"] == (0, 1)  # its member still lives there


def test_refresh_of_no_community_does_nothing(db):
    assert services.registry_counts_refresh([]) == 0
    assert services.registry_counts_refresh([None]) == 0


# --- imports -------------------------------------------------------------------------------


def test_people_import_refreshes_the_communities_it_adds_to_and_takes_from(two, monkeypatch):
    """On SQLite the ORM path (bulk_create), on PostgreSQL the COPY path; chunks of 2 rows."""
    _a, b = two
    monkeypatch.setattr(people_import, "CHUNK_ROWS", 2)
    left = make_community("RC003")  # named nowhere in the file
    leaving = make_person(make_household(left, house_no="9"), relation="head")
    make_person(make_household(b, house_no="5"), relation="head")
    rows = [
        person_row(community="RC001", house_no="1", relation="หัวหน้า"),
        person_row(community="RC001", house_no="1", relation="บุตร"),
        person_row(community="RC001", house_no="2"),
        person_row(community="RC002", house_no="5"),  # joins an existing household
        person_row(community="RC002", house_no="6", national_id=leaving.national_id),  # moves
    ]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    counts = assert_counts_match()
    assert counts["RC001"] == (2, 3) and counts["RC002"] == (2, 3)
    assert counts["RC003"] == (1, 0)


def test_a_failed_people_import_leaves_the_stored_counts_as_they_were(two):
    rows = [person_row(community="RC001", house_no="1"), person_row(community="NOPE")]
    result = run(people_file(rows))
    assert not result.committed
    assert assert_counts_match()["RC001"] == (0, 0)


def test_a_dry_run_of_the_people_import_changes_no_count(two):
    result = run(people_file([person_row(community="RC001", house_no="1")]), dry_run=True)
    assert result.ok and not result.committed
    assert assert_counts_match()["RC001"] == (0, 0)


@pytest.mark.postgres
def test_people_import_by_copy_refreshes_the_counts(two, monkeypatch):
    a, _b = two
    assert people_import.copy_supported()
    sent = []
    original = people_import.send_copy_rows
    monkeypatch.setattr(
        people_import,
        "send_copy_rows",
        lambda raw, table, *args: sent.append(table) or original(raw, table, *args),
    )
    leaving = make_person(make_household(a, house_no="9"), relation="head")
    rows = [person_row(community="RC002", house_no=str(n), relation="หัวหน้า") for n in range(1, 4)]
    rows.append(person_row(community="RC002", house_no="1", national_id=leaving.national_id))
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    assert "communities_membership" in sent  # the COPY path wrote them
    counts = assert_counts_match()
    assert counts["RC001"] == (1, 0) and counts["RC002"] == (3, 4)


def test_communities_import_stores_rows_with_zeros(db):
    result = run_c([community_row(), community_row(code="HC002", name_th="ชุมชนที่สอง")])
    assert result.ok, result.error_lines
    rows = CommunityCount.objects.filter(community__area__code__in=["HC001", "HC002"])
    assert sorted((r.households, r.population) for r in rows) == [(0, 0), (0, 0)]
    assert_counts_match()


# --- the command and the daily job ---------------------------------------------------------


def drift(community: Community) -> None:
    """Stored counts made wrong behind the services' back (a restore, a manual SQL fix)."""
    CommunityCount.objects.filter(community=community).update(households=7, population=70)


def test_check_reports_the_communities_whose_counts_drifted_and_exits_1(two):
    a, b = two
    make_person(make_household(a), relation="head")
    drift(a)
    CommunityCount.objects.filter(community=b).delete()  # no row: counts 0, as the registry
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("refresh_registry_counts", "--check", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert out.getvalue().splitlines() == [
        "RC001: stored 7 households, 70 people; the registry has 1 households, 1 people"
    ]
    assert "1 communities have wrong stored counts" in err.getvalue()


def test_refresh_command_repairs_drift_and_check_then_passes(two):
    a, b = two
    make_person(make_household(a), relation="head")
    drift(a)
    CommunityCount.objects.filter(community=b).delete()
    out = StringIO()
    call_command("refresh_registry_counts", stdout=out)
    assert "Refreshed the registry counts of 2 communities" in out.getvalue()
    assert CommunityCount.objects.filter(community=b).exists()
    assert assert_counts_match()["RC001"] == (1, 1)
    out = StringIO()
    call_command("refresh_registry_counts", "--check", stdout=out)
    assert "are right" in out.getvalue()


def test_daily_job_refreshes_every_community(two):
    a, _b = two
    make_person(make_household(a), relation="head")
    drift(a)
    job = core_periodic.REGISTRY["communities.refresh_registry_counts"]
    assert job.every == core_periodic.DAILY
    assert periodic.refresh_registry_counts(date.today()) == (
        "refreshed the registry counts of 2 communities"
    )
    assert assert_counts_match()["RC001"] == (1, 1)


# --- reading -------------------------------------------------------------------------------


def test_list_and_totals_read_the_stored_counts_without_counting_memberships(clients, communities):
    community = make_community("RC001")
    make_person(make_household(community), relation="head")
    client = clients["district_officer"]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/communities/")
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if "communities_membership" in q["sql"]]
    row = next(c for c in response.context["object_list"] if c.pk == community.pk)
    assert (row.registry_households, row.registry_population) == (1, 1)
    assert response.context["totals"]["registry_population"] == 1
    drift(community)  # what the page shows is the stored row
    response = client.get("/communities/")
    row = next(c for c in response.context["object_list"] if c.pk == community.pk)
    assert (row.registry_households, row.registry_population) == (7, 70)


def test_list_query_count_is_the_same_with_many_more_people(clients, communities):
    client = clients["central_officer"]
    community = make_community("RC001")
    make_person(make_household(community), relation="head")
    client.get("/communities/")
    with CaptureQueriesContext(connection) as small:
        client.get("/communities/")
    for n in range(5):
        other = make_community(f"RC1{n:02d}", district="1004")
        for _ in range(3):
            house = make_household(other)
            make_person(house, relation="head")
            make_person(house, relation="child")
    with CaptureQueriesContext(connection) as large:
        response = client.get("/communities/")
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["totals"]["registry_population"] == 31


def test_a_past_date_still_counts_live(two):
    a, _b = two
    make_person(make_household(a), relation="head", since=date(2020, 1, 1))
    drift(a)
    past = {c.pk: c for c in with_registry_counts(Community.objects.all(), on=date(2021, 1, 1))}
    assert (past[a.pk].registry_households, past[a.pk].registry_population) == (1, 1)
    totals = community_totals(Community.objects.filter(pk=a.pk), on=date(2021, 1, 1))
    assert (totals["registry_households"], totals["registry_population"]) == (1, 1)


# --- concurrency (PostgreSQL, READ COMMITTED) -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_adding_people_to_one_community_leave_the_exact_count(monkeypatch):
    """Both transactions insert their member before either refreshes (a barrier): without the
    row lock each would count only its own new member (the other's is uncommitted) and store
    1; with it the second waits for the first to commit, then counts both."""
    community = make_community("RC001")
    houses = [make_household(community, house_no=str(n)) for n in range(2)]
    barrier = threading.Barrier(2, timeout=10)
    original = services.registry_counts_refresh

    def refresh_after_both_wrote(ids):
        barrier.wait()
        return original(ids)

    monkeypatch.setattr(services, "registry_counts_refresh", refresh_after_both_wrote)
    errors: list[BaseException] = []

    def add(house: Household) -> None:
        try:
            with transaction.atomic():
                services.person_create(
                    actor=None,
                    household=house,
                    national_id=valid_national_id(),
                    first_name="สมชาย",
                    relation="head",
                )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(house,)) for house in houses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    monkeypatch.undo()
    assert assert_counts_match()["RC001"] == (2, 2)
