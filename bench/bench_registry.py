"""The registry at Bangkok scale: the registry's pages against the same pages on a 2,000-person
database, search, and the people import against plain COPY.

Data (bench.registry_data, COPY): 2,000 communities (the real names of the sample file, then
generated ones) over the 50 districts, 500,000 households (90% with a house registration code),
2,000,000 people with valid national IDs (hashed with the application's keyed hash) and Thai
names from syllables (pools of 60,000 given names and 260,000 surnames), an open membership
each. BENCH_SCALE scales every count.

1. Pages (community list, community page, household page, person page) as a district officer of
   1001 through django.test.Client (the whole request: middleware, view, template): server time
   (median of BENCH_REPEAT after BENCH_WARMUP) and SQL queries at Bangkok scale, against the
   same pages on a database of 2,000 people (district 1001 only, as many communities there as
   at Bangkok scale, the measured community with over 50 households in both). Targets: ratio
   <= 1.5, the same number of queries.
2. Search (chumchon.communities.search.search_registry, skipped when absent), as the district
   officer of 1001 and as a central officer (the whole city): median over 1,000 fragments of 3
   to 8 characters of the generated names, and over 100 exact national IDs of people of 1001.
   Target: median < 50 ms.
3. People import: a CSV of 1,000,000 new people (x scale; cp874, as Thai Excel saves CSV, so
   that it stays under the 100 MB upload limit) in the import's column format, 40% joining
   existing households and 60% in new households, run through
   `manage.py import_registry --kind people FILE` in a child process (all validation on, all or
   nothing; its peak RSS from wait4), against a plain COPY of the same rows (households, people,
   memberships, from prepared COPY files) into the same tables with the same indexes and
   constraints, foreign keys checked, rolled back (then VACUUM). Targets: rows/s import/COPY >=
   0.5, peak RSS < 500 MB.

Writes bench/results.md.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness
from bench.registry_data import (
    ImportFiles,
    Registry,
    load_registry,
    write_import_files,
)

SEED = 2568
N_COMMUNITIES = harness.scaled(2_000, minimum=60)
N_HOUSEHOLDS = harness.scaled(500_000, minimum=600)
N_PEOPLE = harness.scaled(2_000_000, minimum=2_400)
N_IMPORT = harness.scaled(1_000_000, minimum=1_000)
SMALL_PEOPLE = 2_000
SMALL_HOUSEHOLDS = 500
DISTRICT = "1001"
PAGE_RATIO = 1.5
IMPORT_RATIO = 0.5
PEAK_MB = 500
SEARCH_MS = 50.0
N_FRAGMENTS = 1_000
N_IDS = 100
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"

# serials of national IDs: the big registry, the import, the small registry never collide
BIG_IDS, IMPORT_IDS, SMALL_IDS = 0, 10_000_000, 20_000_000
# Thai combining marks: a fragment does not start with one
_MARKS = set(
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, text: str = "") -> None:
        self.lines.append(text)


def _result(
    bench: harness.Bench,
    case: str,
    variant: str,
    *,
    queries: int = 0,
    median_ms: float,
    p95_ms: float | None = None,
    ratio: float | None = None,
    missed: str = "",
) -> harness.Result:
    result = harness.Result(
        benchmark=bench.name,
        case=case,
        variant=variant,
        queries=queries,
        median_ms=median_ms,
        p95_ms=median_ms if p95_ms is None else p95_ms,
        ratio=ratio,
        ok=not missed,
        detail=f"target: {missed}" if missed else "",
    )
    bench.results.append(result)
    return result


# --- users --------------------------------------------------------------------------------------


def make_viewer(username: str, role: str, area_code: str) -> Any:
    from chumchon.accounts.models import Role, RoleAssignment, User
    from chumchon.organizations.models import Area

    user = User.objects.create(username=username, password="!")
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=role), area=Area.objects.get(code=area_code)
    )
    return user


def verified_client(user: Any) -> Any:
    """A logged-in client past the second factor (as chumchon.conftest.verified_client)."""
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


# --- 1. pages -----------------------------------------------------------------------------------


def page_urls(registry: Registry) -> dict[str, str]:
    """The four pages for district 1001: its community with the household count nearest the
    district's median (at least 60), that community's first household, its head."""
    from django.urls import reverse

    from chumchon.communities.models import Household, Membership

    mine = [c for c in registry.communities if c.district == DISTRICT and c.households >= 60]
    if not mine:
        raise harness.BenchError(f"no community of {DISTRICT} with 60 households")
    sizes = sorted(c.households for c in mine)
    median = sizes[len(sizes) // 2]
    community = min(mine, key=lambda c: (abs(c.households - median), c.code))
    household = Household.objects.filter(community_id=community.id).order_by("house_no_key", "pk")[
        0
    ]
    head = Membership.objects.get(household=household, relation="head", until__isnull=True)
    return {
        "community list": reverse("community-list"),
        "community page": reverse("community-detail", args=[community.id]),
        "household page": reverse("household-detail", args=[household.pk]),
        "person page": reverse("person-detail", args=[head.person_id]),
    }


def time_pages(client: Any, urls: dict[str, str]) -> dict[str, tuple[float, float, int]]:
    """Per page: (median ms, p95 ms, SQL queries) of the whole request."""
    from django.test.utils import override_settings

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        return _time_pages(client, urls)


def count_queries(fn: Any) -> int:
    """SQL statements `fn` runs (an execute wrapper: whatever the query log holds)."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def _time_pages(client: Any, urls: dict[str, str]) -> dict:
    measured = {}
    for name, url in urls.items():
        for _ in range(max(1, harness.WARMUP)):
            response = client.get(url)
            if response.status_code != 200:
                raise harness.BenchError(f"{name} {url} answered {response.status_code}")
        queries = count_queries(lambda url=url: client.get(url))
        samples = []
        for _ in range(harness.REPEAT):
            started = time.perf_counter_ns()
            client.get(url)
            samples.append((time.perf_counter_ns() - started) / 1e6)
        measured[name] = (
            statistics.median(samples),
            harness.percentile(samples, 95),
            queries,
        )
    return measured


def small_registry(bench: harness.Bench, communities_in_district: int) -> Registry:
    """2,000 people in district 1001 only, over as many communities as at Bangkok scale there;
    the first community has over 50 households (the community page shows 50)."""
    weights = [12.0] + [1.0] * (communities_in_district - 1)
    return load_registry(
        bench,
        seed=SEED + 7,
        communities=communities_in_district,
        households=SMALL_HOUSEHOLDS,
        people=SMALL_PEOPLE,
        id_base=SMALL_IDS,
        districts_only=(DISTRICT,),
        weights=weights,
    )


def compare_pages(
    bench: harness.Bench,
    report: Report,
    big: dict[str, tuple[float, float, int]],
    small: dict[str, tuple[float, float, int]],
) -> None:
    bench.section(f"pages: Bangkok x{harness.SCALE:g} against {SMALL_PEOPLE:,} people")
    rows = []
    for name in big:
        s_median, s_p95, s_queries = small[name]
        b_median, b_p95, b_queries = big[name]
        ratio = b_median / s_median
        missed = []
        if ratio > PAGE_RATIO:
            missed.append(f"{name} {ratio:.2f}x the small database's time (> {PAGE_RATIO})")
        if b_queries != s_queries:
            missed.append(f"{name} runs {b_queries} queries at scale, {s_queries} small")
        results = [
            _result(bench, name, f"{SMALL_PEOPLE:,} people", queries=s_queries,
                    median_ms=s_median, p95_ms=s_p95),
            _result(bench, name, f"Bangkok x{harness.SCALE:g}", queries=b_queries,
                    median_ms=b_median, p95_ms=b_p95, ratio=ratio, missed="; ".join(missed)),
        ]  # fmt: skip
        bench.say(harness.format_table(results, header=False))
        report.failures.extend(missed)
        rows.append(
            f"| {name} | {s_median:.1f} | {b_median:.1f} | {ratio:.2f} | {s_queries} | "
            f"{b_queries} |"
        )
    report.add("## Pages (district officer of 1001, whole request through the test client)")
    report.add()
    report.add(
        f"| page | {SMALL_PEOPLE:,} people: median ms | Bangkok x{harness.SCALE:g}: median ms "
        "| ratio | queries small | queries Bangkok |"
    )
    report.add("|---|---:|---:|---:|---:|---:|")
    report.lines.extend(rows)
    report.add()
    report.add(f"Targets: ratio <= {PAGE_RATIO}, the same number of queries.")
    report.add()


# --- 2. search ----------------------------------------------------------------------------------


def fragments_and_ids(rng: random.Random) -> tuple[list[str], list[str]]:
    """1,000 fragments (3 to 8 characters, never starting with a combining mark) of the names
    of random people, and 100 national IDs of people of district 1001."""
    (top,) = harness.fetchall("SELECT max(id) FROM communities_person")[0]
    ids = rng.sample(range(1, top + 1), min(top, 4 * N_FRAGMENTS))
    names = harness.fetchall(
        "SELECT first_name, last_name FROM communities_person WHERE id = ANY(%s)", [ids]
    )
    fragments: list[str] = []
    for first, last in names:
        name = rng.choice((first, last))
        starts = [i for i, ch in enumerate(name) if ch not in _MARKS and len(name) - i >= 3]
        if not starts:
            continue
        start = rng.choice(starts)
        length = rng.randint(3, min(8, len(name) - start))
        fragments.append(name[start : start + length])
        if len(fragments) == N_FRAGMENTS:
            break
    people = harness.fetchall(
        """
        SELECT p.national_id FROM communities_person p
        JOIN organizations_area a ON a.id = p.area_id
        JOIN organizations_area d ON d.id = a.parent_id
        WHERE d.code = %s ORDER BY p.id LIMIT 5000
        """,
        [DISTRICT],
    )
    national_ids = [n for (n,) in rng.sample(people, min(N_IDS, len(people)))]
    return fragments, national_ids


def bench_search(bench: harness.Bench, report: Report, viewers: dict[str, Any]) -> None:
    """Search medians (when chumchon.communities.search exists)."""
    try:
        from chumchon.communities.search import search_registry
    except ImportError:
        bench.note("chumchon.communities.search is absent: search not measured")
        report.add("## Search\n\nNot measured: chumchon.communities.search is absent.\n")
        return
    from chumchon.accounts.scoping import clear_reach_cache

    bench.section("search (search_registry)")
    fragments, national_ids = fragments_and_ids(random.Random(SEED + 3))
    rows = []
    for key, user in viewers.items():
        clear_reach_cache(user)
        for fragment in fragments[:20]:  # warm-up
            search_registry(user, text=fragment)
        for label, kwargs_list in (
            (f"{len(fragments):,} name fragments", [{"text": f} for f in fragments]),
            (f"{len(national_ids)} national IDs", [{"national_id": n} for n in national_ids]),
        ):
            samples = []
            found = 0
            for kwargs in kwargs_list:
                started = time.perf_counter_ns()
                results = search_registry(user, **kwargs)
                samples.append((time.perf_counter_ns() - started) / 1e6)
                found += bool(results.people or results.households or results.communities)
            median = statistics.median(samples)
            p95 = harness.percentile(samples, 95)
            missed = f"search {key}, {label}: median {median:.1f} ms" if median >= SEARCH_MS else ""
            bench.say(
                harness.format_table(
                    [
                        _result(
                            bench,
                            f"search, {key}",
                            label,
                            median_ms=median,
                            p95_ms=p95,
                            missed=missed,
                        )
                    ],  # fmt: skip
                    header=False,
                )
            )
            if missed:
                report.failures.append(missed + f" (>= {SEARCH_MS:.0f})")
            rows.append(
                f"| {key} | {label} | {median:.1f} | {p95:.1f} | {max(samples):.1f} | "
                f"{found:,} of {len(samples):,} |"
            )
    report.add("## Search (`search_registry`, the selector the search page calls)")
    report.add()
    report.add("| user | queries | median ms | p95 ms | max ms | with results |")
    report.add("|---|---|---:|---:|---:|---:|")
    report.lines.extend(rows)
    report.add()
    report.add(
        f"Fragments: 3 to 8 characters of the names of random people (anywhere in the city, so "
        f"the district officer finds fewer); national IDs of people of {DISTRICT}. Target: "
        f"median < {SEARCH_MS:.0f} ms."
    )
    report.add()


# --- 3. the import ------------------------------------------------------------------------------


def database_url() -> str:
    """DATABASE_URL with the benchmark's own database."""
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def next_id(table: str) -> int:
    (value,) = harness.fetchall(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")[0]  # noqa: S608
    return value


def copy_baseline(files: ImportFiles) -> tuple[float, float]:
    """Plain COPY of the import's rows (prepared files), foreign keys checked, rolled back:
    (seconds in all, of which the foreign key checks)."""
    from django.db import connection, transaction
    from psycopg import sql

    from chumchon.communities.models import Household, Membership, Person

    steps = [
        (Household._meta.db_table, files.household_columns, files.households),
        (Person._meta.db_table, files.person_columns, files.people),
        (Membership._meta.db_table, files.membership_columns, files.memberships),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        for table, columns, path in steps:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            )
            with cursor.cursor.copy(statement) as copy, path.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    copy.write(chunk)
        checks = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        ended = time.perf_counter()
        transaction.set_rollback(True)
    for table, _columns, _path in steps:
        harness.execute(f'VACUUM (ANALYZE) "{table}"')
    return ended - started, ended - checks


def run_import_command(path: Path) -> tuple[float, float, int, str]:
    """`manage.py import_registry --kind people PATH` in a child process: (wall seconds,
    seconds the command reports, peak RSS in MB, output)."""
    env = dict(os.environ, DATABASE_URL=database_url())
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "import_registry", "--kind", "people", "-v", "2", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    reported = wall
    for line in output.splitlines():
        if " lines read in " in line:
            reported = float(line.rsplit(" in ", 1)[1].split()[0])
    if child.returncode != 0:
        raise harness.BenchError(f"import_registry failed ({child.returncode}):\n{output[-3000:]}")
    return wall, reported, usage.ru_maxrss // 1024, output


def bench_import(bench: harness.Bench, registry: Registry, report: Report) -> None:
    from chumchon.communities.models import Household, Person

    bench.section(f"people import of {N_IMPORT:,} rows against plain COPY")
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as folder:
        started = time.perf_counter()
        files = write_import_files(
            registry,
            rows=N_IMPORT,
            folder=Path(folder),
            id_serial=IMPORT_IDS,
            first_household_id=next_id(Household._meta.db_table) + 1_000,
            first_person_id=next_id(Person._meta.db_table) + 1_000,
            today=date.today(),
        )
        bench.say(
            f"   file: {files.rows:,} rows, {files.csv_bytes / 1e6:.1f} MB "
            f"({files.new_households:,} new households, {files.joined_existing:,} people joining "
            f"existing ones), written in {time.perf_counter() - started:.1f} s"
        )
        people_before = Person.objects.count()
        copy_seconds, fk_seconds = copy_baseline(files)
        copy_rate = files.rows / copy_seconds
        bench.say(
            f"   plain COPY (rolled back): {copy_seconds:.1f} s (foreign key checks "
            f"{fk_seconds:.1f} s), {copy_rate:,.0f} rows/s"
        )
        wall, reported, peak_mb, output = run_import_command(files.csv)
        import_rate = files.rows / reported
        bench.say(
            f"   import_registry: {reported:.1f} s ({wall:.1f} s with start-up), "
            f"{import_rate:,.0f} rows/s, peak RSS {peak_mb} MB"
        )
        for line in output.strip().splitlines()[-3:]:
            bench.say(f"     | {line}")
    added = Person.objects.count() - people_before
    ratio = import_rate / copy_rate
    missed = []
    if added != files.rows:
        missed.append(f"the import added {added:,} people, not {files.rows:,}")
    if ratio < IMPORT_RATIO:
        missed.append(f"import/COPY {ratio:.2f} < {IMPORT_RATIO}")
    if peak_mb >= PEAK_MB:
        missed.append(f"import peak RSS {peak_mb} MB >= {PEAK_MB} MB")
    report.failures.extend(missed)
    results = [
        _result(bench, f"people import, {files.rows:,} rows", "plain COPY (s)",
                median_ms=copy_seconds * 1000),
        _result(bench, f"people import, {files.rows:,} rows", f"import, {peak_mb} MB",
                median_ms=reported * 1000, ratio=copy_seconds / reported,
                missed="; ".join(missed)),
    ]  # fmt: skip
    bench.say(harness.format_table(results, header=False))
    bench.say(f"   rows/s import/COPY {ratio:.2f} (target >= {IMPORT_RATIO})")
    report.add("## People import against plain COPY")
    report.add()
    report.add(
        "| rows | CSV MB | plain COPY s | plain COPY rows/s | import s | import rows/s "
        "| import / COPY | import peak RSS MB |"
    )
    report.add("|---:|---:|---:|---:|---:|---:|---:|---:|")
    report.add(
        f"| {files.rows:,} | {files.csv_bytes / 1e6:.1f} | {copy_seconds:.1f} | {copy_rate:,.0f} "
        f"| {reported:.1f} | {import_rate:,.0f} | {ratio:.2f} | {peak_mb} |"
    )
    report.add()
    report.add(
        f"{files.new_households:,} new households, {files.joined_existing:,} people joining "
        "existing ones, the rest in the new households. Plain COPY: households, people and "
        f"memberships from prepared COPY files, foreign keys checked ({fk_seconds:.1f} s), rolled "
        "back, then VACUUM. Import: `manage.py import_registry --kind people` in a child process "
        f"({reported:.1f} s as the command reports, {wall:.1f} s with Python's start-up): every "
        "row checked, the registry looked up by chunk, history rows, the audit event, one "
        f"transaction. Targets: import/COPY >= {IMPORT_RATIO}, peak RSS < {PEAK_MB} MB."
    )
    report.add()


# --- driver -------------------------------------------------------------------------------------


def name_counts() -> tuple[int, int]:
    return harness.fetchall(
        "SELECT count(DISTINCT first_name), count(DISTINCT last_name) FROM communities_person"
    )[0]


def run(bench: harness.Bench) -> None:
    started = time.perf_counter()
    report = Report()
    parts = os.environ.get("BENCH_REGISTRY_PARTS", "pages,search,import").split(",")
    bench.section(
        f"Bangkok scale x{harness.SCALE:g}: {N_COMMUNITIES:,} communities, "
        f"{N_HOUSEHOLDS:,} households, {N_PEOPLE:,} people"
    )
    registry = load_registry(
        bench,
        seed=SEED,
        communities=N_COMMUNITIES,
        households=N_HOUSEHOLDS,
        people=N_PEOPLE,
        id_base=BIG_IDS,
    )
    given, surnames = name_counts()
    in_district = sum(1 for c in registry.communities if c.district == DISTRICT)
    loaded = time.perf_counter() - started
    bench.say(
        f"   loaded in {loaded:.0f} s: {given:,} distinct given names, {surnames:,} surnames; "
        f"{in_district} communities in {DISTRICT}"
    )
    report.add("## Data")
    report.add()
    report.add(
        f"{len(registry.communities):,} communities over the 50 districts (the names of "
        f"`communities_sample.csv` first), {len(registry.hh_id):,} households (90% with a house "
        f"registration code), {registry.people:,} people with valid national IDs and "
        f"{given:,} distinct given names, {surnames:,} distinct surnames; loaded with COPY in "
        f"{loaded:.0f} s."
    )
    report.add()
    officer = make_viewer("bench_district_officer", "district_officer", DISTRICT)
    viewers = {
        f"district officer {DISTRICT}": officer,
        "central officer": make_viewer("bench_central_officer", "central_officer", "BKK"),
    }
    if "pages" in parts:
        bench.section("pages at Bangkok scale")
        big = time_pages(verified_client(officer), page_urls(registry))
        with harness.other_database("registry_small"):
            bench.section(f"the same pages on {SMALL_PEOPLE:,} people")
            small_data = small_registry(bench, in_district)
            small_officer = make_viewer("bench_district_officer", "district_officer", DISTRICT)
            small = time_pages(verified_client(small_officer), page_urls(small_data))
        compare_pages(bench, report, big, small)
    if "search" in parts:
        bench_search(bench, report, viewers)
    if "import" in parts:
        bench_import(bench, registry, report)
    write_results(report, started)
    for failure in report.failures:
        bench.say(f"   MISSED: {failure}")


def write_results(report: Report, started: float) -> None:
    head = [
        "# Registry at Bangkok scale (`make bench`, bench/bench_registry.py)",
        "",
        f"Run {date.today().isoformat()}, BENCH_SCALE={harness.SCALE:g}, "
        f"BENCH_REPEAT={harness.REPEAT}, {harness.server_summary()}, "
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.machine()}; this benchmark took {time.perf_counter() - started:.0f} s "
        "(data generation included).",
        "",
    ]
    tail = []
    if report.failures:
        tail = ["## Missed targets", "", *[f"- {f}" for f in report.failures], ""]
    # its own section only: the other benchmarks' sections of results.md are kept
    harness.write_section(head[0], head + report.lines + tail, path=str(RESULTS))
