"""Timing harness shared by the benchmarks.

    from bench import harness

    def run(bench: harness.Bench) -> None:
        stats = harness.copy_rows(Model, ["col", ...], rows_iterable, drop_indexes=True)
        bench.load("model rows", stats)
        bench.compare(
            "case title",
            raw=lambda: ...,                    # hand-written SQL: the baseline
            variants={"ORM": lambda: ...},      # what the application runs
        )

Each callable returns a comparable value (ids, counts, ...): every variant must return the same
value as `raw`, or the run is marked MISMATCH and `python -m bench` exits 1. Timing: `warmup`
runs, then `repeat` runs with the order of raw and variants rotated each time (so drift or cache
warming favours nobody); median and p95 (nearest rank) in ms; ratio = variant median / raw median.
GC stays on: collecting the ORM's objects is part of its cost.

Environment: BENCH_SCALE (default 1.0) multiplies data sizes; BENCH_REPEAT (default 30) and
BENCH_WARMUP (default 3) set the repetitions. The harness refuses to run on anything but
PostgreSQL, and (unless BENCH_ANY_DATABASE=1) on anything but a cluster made by
scripts/pgtest.sh: it creates and drops databases.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

TEMPLATE_DB = "bench_template"

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))


class BenchError(SystemExit):
    def __init__(self, message: str):
        super().__init__(f"bench: {message}")


def scaled(n: int, minimum: int = 1) -> int:
    """A data size multiplied by BENCH_SCALE."""
    return max(minimum, round(n * SCALE))


# --- Django and the database -------------------------------------------------------------------


def setup() -> None:
    """Set up Django on the DATABASE_URL database; refuse anything but a throwaway PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise BenchError(
            "benchmarks run on PostgreSQL only: use `make bench` "
            "(scripts/pgtest.sh --run sets DATABASE_URL to a throwaway cluster)"
        )
    host = (parse_qs(urlsplit(url).query).get("host") or [urlsplit(url).hostname or ""])[0]
    made_by_pgtest = os.path.basename(host.rstrip("/")).startswith("chumchon-pg.")
    if not made_by_pgtest and os.environ.get("BENCH_ANY_DATABASE") != "1":
        raise BenchError(
            f"DATABASE_URL host {host!r} is not a scripts/pgtest.sh cluster; the benchmarks "
            "create and drop databases: set BENCH_ANY_DATABASE=1 if this server is throwaway"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BenchError(f"benchmarks run on PostgreSQL only, not {connection.vendor}")


def _admin_execute(*statements: str) -> None:
    """Run statements on the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg
    from django.db import connection

    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k in ("host", "port", "user", "password")
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        for statement in statements:
            admin.execute(statement)


def _use_database(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def prepare_template() -> float:
    """Create and migrate the template database the benchmarks clone; returns seconds."""
    from django.core.management import call_command

    started = time.perf_counter()
    _use_database("postgres")
    _admin_execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"', f'CREATE DATABASE "{TEMPLATE_DB}"')
    _use_database(TEMPLATE_DB)
    call_command("migrate", verbosity=0)
    _use_database("postgres")
    return time.perf_counter() - started


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A database of its own for one benchmark, cloned from the migrated template."""
    db = f"bench_{name}"
    _use_database("postgres")
    _admin_execute(
        f'DROP DATABASE IF EXISTS "{db}"', f'CREATE DATABASE "{db}" TEMPLATE "{TEMPLATE_DB}"'
    )
    _use_database(db)
    try:
        yield db
    finally:
        _use_database("postgres")
        _admin_execute(f'DROP DATABASE IF EXISTS "{db}"')


@contextlib.contextmanager
def other_database(name: str) -> Iterator[str]:
    """Inside a benchmark: a second database of its own (cloned from the template) for the
    block, then back to the benchmark's database (the second one is dropped)."""
    from django.db import connection

    back = connection.settings_dict["NAME"]
    db = f"bench_{name}"
    _use_database("postgres")
    _admin_execute(
        f'DROP DATABASE IF EXISTS "{db}"', f'CREATE DATABASE "{db}" TEMPLATE "{TEMPLATE_DB}"'
    )
    _use_database(db)
    try:
        yield db
    finally:
        _use_database("postgres")
        _admin_execute(f'DROP DATABASE IF EXISTS "{db}"')
        _use_database(back)


def server_summary() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), d.datlocprovider, d.daticulocale"
            " FROM pg_database d WHERE d.datname = current_database()"
        )
        version, provider, icu = cursor.fetchone()
    collation = f"ICU {icu}" if provider == "i" else "libc"
    return f"PostgreSQL {version}, default collation {collation}, {os.cpu_count()} CPUs"


# --- loading data ------------------------------------------------------------------------------


@dataclass
class LoadStats:
    table: str
    rows: int
    copy_seconds: float
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    indexes_rebuilt: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return self.copy_seconds + self.index_seconds + self.analyze_seconds

    def describe(self) -> str:
        text = (
            f"{self.rows:,} rows into {self.table}: COPY + FK checks {self.copy_seconds:.1f} s "
            f"({self.rows / max(self.copy_seconds, 1e-9):,.0f} rows/s)"
        )
        if self.indexes_rebuilt:
            text += (
                f", {len(self.indexes_rebuilt)} secondary indexes rebuilt "
                f"{self.index_seconds:.1f} s"
            )
        text += (
            f", VACUUM ANALYZE {self.analyze_seconds:.1f} s; overall "
            f"{self.rows / max(self.total_seconds, 1e-9):,.0f} rows/s"
        )
        return text


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes that back no constraint."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [table],
        )
        return list(cursor.fetchall())


def copy_rows(
    model: Any,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    drop_indexes: bool = False,
) -> LoadStats:
    """COPY rows (tuples in `columns` order, None for NULL) into the model's table, in one
    transaction. `drop_indexes` drops the secondary indexes first and rebuilds them after (much
    faster for large loads). Resets the id sequence when ids are given; VACUUM ANALYZEs after,
    so plans and index-only scans are those of a settled table."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from psycopg import sql

    table = model._meta.db_table
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    stats = LoadStats(table=table, rows=0, copy_seconds=0.0)
    with transaction.atomic(), connection.cursor() as cursor:
        dropped = secondary_indexes(table) if drop_indexes else []
        for name, _ddl in dropped:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        started = time.perf_counter()
        count = 0
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: check them now (part of the
        # load's cost), since CREATE INDEX refuses to run with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        stats.rows = count
        stats.copy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, ddl in dropped:
            cursor.execute(ddl)
        stats.index_seconds = time.perf_counter() - started
        stats.indexes_rebuilt = [name for name, _ddl in dropped]
        if "id" in columns:
            for statement_sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement_sql)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    stats.analyze_seconds = time.perf_counter() - started
    return stats


def execute(statement: str, params: Sequence[Any] | None = None) -> float:
    """Run one statement (DDL in the benchmark database); returns seconds."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
    return time.perf_counter() - started


def fetchall(statement: str, params: Sequence[Any] | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


# --- plans -------------------------------------------------------------------------------------


def _plan_outline(node: dict[str, Any]) -> str:
    label = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        label += " Backward"
    if "Index Name" in node:
        label += f" {node['Index Name']}"
    elif "Relation Name" in node:
        label += f" {node['Relation Name']}"
    children = [_plan_outline(child) for child in node.get("Plans", [])]
    if len(children) == 1:
        return f"{label} > {children[0]}"
    if children:
        return f"{label} [{' | '.join(children)}]"
    return label


def plans_of(fn: Callable[[], Any]) -> list[str]:
    """The outline of each query `fn` runs, from EXPLAIN (ANALYZE) of the executed SQL:
    'Limit > Index Scan Backward core_auditevent_at_... (2.1 ms)'. Read-only code only: the
    queries run again under EXPLAIN ANALYZE."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    outlines = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            (document,) = cursor.fetchone()
            plan = document[0]
            outlines.append(f"{_plan_outline(plan['Plan'])} ({plan['Execution Time']:.1f} ms)")
    return outlines


def count_queries(fn: Callable[[], Any]) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return value, len(captured.captured_queries)


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Result:
    benchmark: str
    case: str
    variant: str
    queries: int
    median_ms: float
    p95_ms: float
    ratio: float | None
    ok: bool
    detail: str = ""


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


class Bench:
    """One benchmark's results and printed report."""

    def __init__(self, name: str, *, repeat: int = REPEAT, warmup: int = WARMUP):
        self.name = name
        self.repeat = repeat
        self.warmup = warmup
        self.results: list[Result] = []
        self.loads: list[LoadStats] = []
        self.notes: list[str] = []

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def section(self, title: str) -> None:
        self.say(f"\n== {self.name}: {title}")

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.say(f"   note: {text}")

    def load(self, stats: LoadStats) -> None:
        self.loads.append(stats)
        self.say(f"   load: {stats.describe()}")

    def compare(
        self,
        case: str,
        *,
        raw: Callable[[], Any],
        variants: dict[str, Callable[[], Any]],
        repeat: int | None = None,
        warmup: int | None = None,
        show_plans: bool = False,
    ) -> list[Result]:
        """Time `raw` and each variant; check every variant returns what `raw` returns."""
        repeat = repeat or self.repeat
        warmup = self.warmup if warmup is None else warmup
        fns = {"raw SQL": raw, **variants}
        expected, raw_queries = count_queries(raw)
        checks: dict[str, tuple[bool, int, str]] = {"raw SQL": (True, raw_queries, "")}
        for label, fn in variants.items():
            value, queries = count_queries(fn)
            same = value == expected
            checks[label] = (
                same,
                queries,
                "" if same else f"got {_short(value)}, raw SQL gave {_short(expected)}",
            )
        if show_plans:  # the baseline's and the first variant's
            for label, fn in list(fns.items())[:2]:
                for outline in plans_of(fn):
                    self.say(f"   plan {label}: {outline}")
        for _ in range(warmup):
            for fn in fns.values():
                fn()
        samples: dict[str, list[float]] = {label: [] for label in fns}
        labels = list(fns)
        for i in range(repeat):
            shift = i % len(labels)
            for label in labels[shift:] + labels[:shift]:
                started = time.perf_counter_ns()
                fns[label]()
                samples[label].append((time.perf_counter_ns() - started) / 1e6)
        raw_median = statistics.median(samples["raw SQL"])
        results = []
        for label in labels:
            ok, queries, detail = checks[label]
            median = statistics.median(samples[label])
            results.append(
                Result(
                    benchmark=self.name,
                    case=case,
                    variant=label,
                    queries=queries,
                    median_ms=median,
                    p95_ms=percentile(samples[label], 95),
                    ratio=None if label == "raw SQL" else median / raw_median,
                    ok=ok,
                    detail=detail,
                )
            )
        self.results.extend(results)
        self.say(format_table(results, header=False))
        for result in results:
            if not result.ok:
                self.say(f"   MISMATCH {case} / {result.variant}: {result.detail}")
        return results


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_table(results: Sequence[Result], *, header: bool = True) -> str:
    width = max([len(r.case) for r in results] + [44])
    lines = []
    if header:
        lines.append(
            f"{'case':<{width}}  {'variant':<22} {'q':>2} {'median ms':>10} {'p95 ms':>9}"
            f" {'x raw':>7}  check"
        )
        lines.append("-" * len(lines[0]))
    for r in results:
        ratio = "1.00" if r.ratio is None else f"{r.ratio:.2f}"
        check = "ok" if r.ok else ("MISSED" if r.detail.startswith("target") else "MISMATCH")
        lines.append(
            f"{r.case:<{width}}  {r.variant:<22} {r.queries:>2} {r.median_ms:>10.2f}"
            f" {r.p95_ms:>9.2f} {ratio:>7}  {check}"
        )
    return "\n".join(lines)


# --- results.md --------------------------------------------------------------------------------

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.md")


def write_section(heading: str, lines: Sequence[str], path: str = RESULTS) -> None:
    """Write one benchmark's section of bench/results.md, keeping the others' sections. A
    section runs from its top-level heading (`# ...`, `lines[0]`, found by `heading`) to the
    next top-level heading; it replaces the old one in place, or goes at the end."""
    try:
        with open(path, encoding="utf-8") as stream:
            old = stream.read().splitlines()
    except FileNotFoundError:
        old = []
    sections: list[list[str]] = []
    fenced = False
    for line in old:
        if line.startswith("```"):
            fenced = not fenced
        if not sections or (line.startswith("# ") and not fenced):
            sections.append([])
        sections[-1].append(line)
    mine = [line.rstrip("\n") for line in lines]
    while mine and not mine[-1]:
        mine.pop()
    replaced = False
    for i, section in enumerate(sections):
        if section[0].startswith(heading):
            sections[i] = mine
            replaced = True
    if not replaced:
        sections.append(mine)
    text = "\n\n".join("\n".join(s).strip("\n") for s in sections if any(s)) + "\n"
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)
