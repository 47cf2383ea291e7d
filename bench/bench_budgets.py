"""Budget programmes at Bangkok scale: the report page, the summary API and the allocation list,
and `selectors.figures` against hand-written SQL.

Data (rows written in bulk, not through the services, for speed; the shape of the source's
FY2567 year): one programme of 2,009 communities (x BENCH_SCALE, at least the small scale's 60)
spread over the 50 districts, all allocated 200,000.00; two dropped (dissolved before the
transfer), the rest transferred (one transfer per district); 1,806 / 2,007 applications
(submitted, some reviewed, a few returned; each with two items and its steps) spread at random
over the districts; 300 of them approved (decided), paid in full and confirmed within the year,
ten of those paid 150,000.00 and 50,000.00 carried over (one of which paid 10,000.00 from the
carry-over after the year), plus the noise that must not count: three drafts, one payment
awaiting confirmation, one cancelled payment.

Measured as a central officer (the city) and a district officer of 1001, through
django.test.Client (the whole request: middleware, view, template): the report page
(`budget-report`), the summary API (`GET /api/v1/budget-programmes/{id}/summary`) and the
allocation list (`budget-allocation-list`, first page of 100). Median of BENCH_REPEAT after
BENCH_WARMUP and SQL queries, against the same pages on a database of 60 communities built the
same way. Targets: ratio <= 1.5, the same number of queries.

Then `selectors.figures(programme)` (city, and district 1001) against one hand-written SQL
statement computing the same sums (checked equal: a mismatch exits 1).

Writes its own section of bench/results.md (the others' are kept).
"""

from __future__ import annotations

import platform
import random
import time
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bench import harness
from bench.bench_registry import make_viewer, time_pages, verified_client

SEED = 2567
SMALL = 60
N_COMMUNITIES = harness.scaled(2_009, minimum=SMALL)
DISTRICT = "1001"
PAGE_RATIO = 1.5
FULL = Decimal("200000.00")
HEADING = "# Budget programmes at Bangkok scale (`make bench`, bench/bench_budgets.py)"

D = Decimal


@dataclass
class Built:
    programme_id: int
    communities: int
    in_district: int
    counts: dict[str, int]


def _share(n: int, numerator: int, denominator: int) -> int:
    return round(n * numerator / denominator)


def build(bench: harness.Bench, n: int, seed: int, in_district: int | None = None) -> Built:
    """The registry slice and one programme year, in bulk (see the module's docstring).
    `in_district`: that many communities in DISTRICT, the rest spread over the other districts
    (the small database: the district's pages show as many rows as at scale)."""
    from chumchon.accounts.models import User
    from chumchon.budgets.models import (
        Allocation,
        Application,
        ApplicationItem,
        ApplicationStep,
        CarryOver,
        Disbursement,
        Programme,
        SpendingCategory,
        Transfer,
    )
    from chumchon.communities.models import Community, CommunityType
    from chumchon.organizations.models import Area, AreaKind

    started = time.perf_counter()
    rng = random.Random(seed)
    clerk = User.objects.create(username="bench_budget_clerk", password="!")
    head = User.objects.create(username="bench_budget_head", password="!")
    kind = AreaKind.objects.get(code="community")
    slum = CommunityType.objects.get(code="slum")
    city = Area.objects.get(code="BKK")
    districts = list(Area.objects.filter(kind__code="district").order_by("code"))
    if in_district is None:
        placed = [districts[k % len(districts)] for k in range(n)]
    else:
        others = [d for d in districts if d.code != DISTRICT]
        mine = next(d for d in districts if d.code == DISTRICT)
        placed = [mine] * in_district + [others[k % len(others)] for k in range(n - in_district)]
    areas = []
    for k, district in enumerate(placed):
        code = f"B67-{district.code}-{k:04d}"
        areas.append(
            Area(
                code=code,
                name_th=f"ชุมชนทดสอบ {code}",
                kind=kind,
                parent=district,
                path=Area.build_path(district, code),
                depth=district.depth + 1,
            )
        )
    Area.objects.bulk_create(areas, batch_size=1000)
    communities = Community.objects.bulk_create(
        [Community(area=a, type=slum, declared_families=150) for a in areas], batch_size=1000
    )

    programme = Programme.objects.create(
        fiscal_year=2567,
        name_th="โครงการชุมชนเข้มแข็งพัฒนาตนเองตามหลักปรัชญาเศรษฐกิจพอเพียง",
        budget_code="50101000",
        owner_area=city,
        amount_per_community=FULL,
        carry_over_deadline=date(2025, 3, 31),
        status=Programme.Status.OPEN,
        eligibility_on=date(2023, 10, 1),
        allocated_on=date(2023, 10, 1),
        allocated_by=clerk,
        created_by=clerk,
    )
    general = SpendingCategory.objects.create(
        programme=programme, code="general", name_th="ทั่วไป", sort_order=1
    )
    food = SpendingCategory.objects.create(
        programme=programme, code="food", name_th="อาหารและเครื่องดื่ม", max_share=D("30")
    )
    transfers = {
        d.pk: Transfer(
            programme=programme,
            district=d,
            transferred_on=date(2023, 12, 1),
            reference=f"กค 0400/{d.code}",
            recorded_by=clerk,
        )
        for d in districts
    }
    Transfer.objects.bulk_create(transfers.values())

    n_dropped = 2
    allocations = []
    for k, (area, community) in enumerate(zip(areas, communities, strict=True)):
        dropped = k < n_dropped
        allocations.append(
            Allocation(
                programme=programme,
                community=community,
                district_id=area.parent_id,
                amount=FULL,
                status=Allocation.Status.DROPPED if dropped else Allocation.Status.TRANSFERRED,
                transfer=None if dropped else transfers[area.parent_id],
                dropped_on=date(2023, 11, 30) if dropped else None,
                drop_reason="ถูกเวนคืนที่ดินทั้งชุมชน" if dropped else "",
                dropped_by=clerk if dropped else None,
            )
        )
    Allocation.objects.bulk_create(allocations, batch_size=1000)
    transferred = allocations[n_dropped:]

    n_applied = _share(len(transferred), 1_806, 2_007)
    n_approved = _share(len(transferred), 300, 2_007)
    n_carried = max(1, _share(len(transferred), 10, 2_007))
    applying = rng.sample(transferred, n_applied)
    idle = [a for a in transferred if a not in set(applying)]
    applications = []
    for k, allocation in enumerate(applying):
        if k < n_approved:
            status = Application.Status.APPROVED
        elif k % 50 == 7:
            status = Application.Status.RETURNED
        elif k % 5 == 1:
            status = Application.Status.REVIEWED
        else:
            status = Application.Status.SUBMITTED
        applications.append(
            Application(
                programme=programme,
                allocation=allocation,
                community=allocation.community,
                title="ปรับปรุงลานกีฬาชุมชน",
                status=status,
                prepared_by=clerk,
                submitted_on=date(2024, 1, 15),
                reviewed_by=clerk if status != Application.Status.SUBMITTED else None,
                reviewed_on=date(2024, 1, 25) if status != Application.Status.SUBMITTED else None,
                decided_by=head if status in ("approved", "returned") else None,
                decided_on=date(2024, 2, 1) if status in ("approved", "returned") else None,
                approved_amount=FULL if status == Application.Status.APPROVED else None,
            )
        )
    drafts = [
        Application(
            programme=programme,
            allocation=allocation,
            community=allocation.community,
            status=Application.Status.DRAFT,
            prepared_by=clerk,
        )
        for allocation in idle[:3]
    ]
    Application.objects.bulk_create(applications + drafts, batch_size=1000)
    ApplicationItem.objects.bulk_create(
        [
            row
            for a in applications + drafts
            for row in (
                ApplicationItem(
                    application=a,
                    category=general,
                    description="วัสดุอุปกรณ์ปรับปรุงลานกีฬาชุมชน",
                    amount=D("160000.00"),
                    sort_order=1,
                ),
                ApplicationItem(
                    application=a,
                    category=food,
                    description="อาหารว่างผู้ร่วมกิจกรรม",
                    amount=D("40000.00"),
                    sort_order=2,
                ),
            )
        ],
        batch_size=2000,
    )
    steps = []
    for a in applications:
        steps.append(ApplicationStep(application=a, kind="submitted", on=a.submitted_on, by=clerk))
        if a.reviewed_on:
            steps.append(
                ApplicationStep(application=a, kind="reviewed", on=a.reviewed_on, by=clerk)
            )
        if a.status == Application.Status.APPROVED:
            steps.append(
                ApplicationStep(
                    application=a, kind="approved", on=a.decided_on, by=head, amount=FULL
                )
            )
        elif a.status == Application.Status.RETURNED:
            steps.append(ApplicationStep(application=a, kind="returned", on=a.decided_on, by=head))
    ApplicationStep.objects.bulk_create(steps, batch_size=2000)

    confirmed_at = datetime(2024, 3, 2, 3, 0, tzinfo=UTC)
    approved = applications[:n_approved]
    payments, carry_overs = [], []
    for k, a in enumerate(approved):
        carried = k < n_carried
        payments.append(
            Disbursement(
                application=a,
                paid_on=date(2024, 3, 1),
                amount=D("150000.00") if carried else FULL,
                reference=f"ฎีกา {a.pk}",
                status=Disbursement.Status.CONFIRMED,
                recorded_by=clerk,
                confirmed_by=head,
                confirmed_at=confirmed_at,
            )
        )
        if carried:
            carry_overs.append(
                CarryOver(
                    application=a,
                    amount=D("50000.00"),
                    reserved_on=date(2024, 9, 20),
                    reference=f"กันเงิน {a.pk}",
                    recorded_by=head,
                )
            )
    carried_one = approved[0]
    payments.append(  # paid from the carry-over after the year: counted as carried, not disbursed
        Disbursement(
            application=carried_one,
            paid_on=date(2024, 11, 15),
            amount=D("10000.00"),
            reference="ฎีกาเหลื่อมปี 1",
            against=Disbursement.Against.CARRY_OVER,
            status=Disbursement.Status.CONFIRMED,
            recorded_by=clerk,
            confirmed_by=head,
            confirmed_at=datetime(2024, 11, 16, 3, 0, tzinfo=UTC),
        )
    )
    carried_two = approved[min(1, n_carried - 1)]
    payments.append(  # awaiting confirmation: does not count
        Disbursement(
            application=carried_two,
            paid_on=date(2024, 3, 5),
            amount=D("20000.00"),
            reference="ฎีการอยืนยัน",
            recorded_by=clerk,
        )
    )
    payments.append(  # cancelled: does not count
        Disbursement(
            application=carried_two,
            paid_on=date(2024, 3, 6),
            amount=D("20000.00"),
            reference="ฎีกาผิด",
            status=Disbursement.Status.CANCELLED,
            recorded_by=clerk,
            cancelled_by=head,
            cancelled_at=confirmed_at,
            cancel_reason="บันทึกซ้ำ",
        )
    )
    Disbursement.objects.bulk_create(payments, batch_size=1000)
    CarryOver.objects.bulk_create(carry_overs)
    for table in (
        "organizations_area",
        "communities_community",
        "budgets_allocation",
        "budgets_application",
        "budgets_applicationitem",
        "budgets_applicationstep",
        "budgets_disbursement",
        "budgets_carryover",
    ):
        harness.execute(f"VACUUM (ANALYZE) {table}")
    in_district = sum(1 for d in placed if d.code == DISTRICT)
    counts = {
        "communities": n,
        "transferred": len(transferred),
        "applied": n_applied,
        "approved": n_approved,
        "carried over": n_carried,
        "payments": len(payments),
        "items": 2 * len(applications + drafts),
        "steps": len(steps),
    }
    bench.say(
        f"   load: {', '.join(f'{v:,} {k}' for k, v in counts.items())}; {in_district} "
        f"communities in {DISTRICT}; {time.perf_counter() - started:.1f} s"
    )
    return Built(programme.pk, n, in_district, counts)


# --- the measured pages -------------------------------------------------------------------------


def make_viewers() -> None:
    """The two measured users (role assignments from the data migrations)."""
    make_viewer("bench_central_officer", "central_officer", "BKK")
    make_viewer("bench_district_officer", "district_officer", DISTRICT)


def api_summary(programme_id: int) -> dict[str, Any]:
    """The summary API's body for the central officer (a sanity check of the data)."""
    from django.test.utils import override_settings

    from chumchon.accounts.models import User

    client = verified_client(User.objects.get(username="bench_central_officer"))
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        response = client.get(f"/api/v1/budget-programmes/{programme_id}/summary")
    if response.status_code != 200:
        raise harness.BenchError(f"summary API answered {response.status_code}")
    return response.json()


# --- figures against raw SQL --------------------------------------------------------------------

FIGURES_SQL = """
WITH alloc AS (
    SELECT al.id, al.amount, al.status
    FROM budgets_allocation al
    JOIN communities_community c ON c.id = al.community_id
    JOIN organizations_area a ON a.id = c.area_id
    WHERE al.programme_id = %(programme)s AND a.path LIKE %(prefix)s
), apps AS (
    SELECT ap.id, ap.status, ap.approved_amount
    FROM budgets_application ap JOIN alloc ON alloc.id = ap.allocation_id
)
SELECT
    (SELECT count(*) FROM alloc),
    (SELECT coalesce(sum(amount), 0) FROM alloc),
    (SELECT count(*) FROM alloc WHERE status = 'dropped'),
    (SELECT count(*) FROM alloc WHERE status = 'transferred'),
    (SELECT coalesce(sum(amount), 0) FROM alloc WHERE status = 'transferred'),
    (SELECT count(*) FROM apps WHERE status <> 'draft'),
    (SELECT count(*) FROM apps WHERE status = 'approved'),
    (SELECT coalesce(sum(approved_amount), 0) FROM apps WHERE status = 'approved'),
    (SELECT coalesce(sum(d.amount), 0) FROM budgets_disbursement d JOIN apps ON apps.id = d.application_id
      WHERE d.status = 'confirmed' AND d.against = 'year'),
    (SELECT coalesce(sum(co.amount), 0) FROM budgets_carryover co
      JOIN apps ON apps.id = co.application_id),
    (SELECT coalesce(sum(d.amount), 0) FROM budgets_disbursement d JOIN apps ON apps.id = d.application_id
      WHERE d.status = 'confirmed' AND d.against = 'carry_over'),
    (SELECT coalesce(sum(r.amount), 0) FROM budgets_fundreturn r JOIN alloc ON alloc.id = r.allocation_id),
    (SELECT count(*) FROM apps WHERE status IN ('submitted', 'reviewed')),
    (SELECT count(*) FROM budgets_disbursement d JOIN apps ON apps.id = d.application_id
      WHERE d.status = 'recorded')
"""  # noqa: E501


def figures_raw(programme_id: int, prefix: str):
    def run():
        return tuple(
            harness.fetchall(FIGURES_SQL, {"programme": programme_id, "prefix": prefix + "%"})[0]
        )

    return run


def figures_orm(programme: Any, area: Any):
    from chumchon.budgets import selectors

    def run():
        return astuple(selectors.figures(programme, area))

    return run


def compare_figures(bench: harness.Bench, programme_id: int) -> list[harness.Result]:
    from chumchon.budgets.models import Programme
    from chumchon.organizations.models import Area

    programme = Programme.objects.get(pk=programme_id)
    district = Area.objects.get(code=DISTRICT)
    results = []
    for label, area, prefix in [
        ("figures(programme), city", None, "/"),
        (f"figures(programme, {DISTRICT})", district, district.path),
    ]:
        results += bench.compare(
            label,
            raw=figures_raw(programme_id, prefix),
            variants={"ORM": figures_orm(programme, area)},
        )
    return results


def report_breakdown(bench: harness.Bench, programme_id: int) -> list[str]:
    """Medians of the selectors the city report page calls (informational)."""
    import statistics

    from chumchon.budgets import selectors
    from chumchon.budgets.models import Programme
    from chumchon.organizations.models import Area

    programme = Programme.objects.get(pk=programme_id)
    city = Area.objects.get(code="BKK")
    lag = selectors.lagging(programme, city)
    calls = {
        "figures(programme, city)": lambda: selectors.figures(programme, city),
        "figures_by_child(programme, city)": lambda: selectors.figures_by_child(programme, city),
        "lagging(programme, city)": lambda: selectors.lagging(programme, city),
    }
    lines = []
    for label, fn in calls.items():
        _value, queries = harness.count_queries(fn)
        samples = []
        for _ in range(10):
            started = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - started) / 1e6)
        lines.append(f"{label}: {statistics.median(samples):.1f} ms, {queries} queries")
    lines.append(
        "lagging lists loaded in full (the page shows 100 of each): "
        f"{len(lag['not_applied']):,} not applied, {len(lag['applications_waiting']):,} "
        f"applications waiting, {len(lag['payments_waiting']):,} payments waiting"
    )
    for line in lines:
        bench.note(line)
    return lines


# --- report -------------------------------------------------------------------------------------


def _result(bench: harness.Bench, case: str, variant: str, median: float, p95: float,
            queries: int, ratio: float | None = None, missed: str = "") -> harness.Result:  # fmt: skip
    result = harness.Result(
        benchmark=bench.name,
        case=case,
        variant=variant,
        queries=queries,
        median_ms=median,
        p95_ms=p95,
        ratio=ratio,
        ok=not missed,
        detail=f"target: {missed}" if missed else "",
    )
    bench.results.append(result)
    return result


def run(bench: harness.Bench) -> None:
    started = time.perf_counter()
    bench.section(f"Bangkok scale x{harness.SCALE:g}: {N_COMMUNITIES:,} communities")
    big = build(bench, N_COMMUNITIES, SEED)
    body = api_summary_after_viewers(big.programme_id)
    bench.say(
        "   summary: "
        + ", ".join(
            f"{k} {body[k]}"
            for k in (
                "communities_transferred",
                "communities_applied",
                "applied_pct",
                "amount_disbursed",
                "amount_carried_over",
                "spent_and_carried_pct",
            )
        )  # fmt: skip
    )
    big_pages = measure_pages_of_built(big.programme_id)

    bench.section("figures: selectors.figures against one raw SQL statement")
    figure_results = compare_figures(bench, big.programme_id)
    breakdown = report_breakdown(bench, big.programme_id)

    with harness.other_database("budgets_small"):
        bench.section(f"the same pages on {SMALL} communities")
        small = build(bench, SMALL, SEED + 1, in_district=big.in_district)
        api_summary_after_viewers(small.programme_id)
        small_pages = measure_pages_of_built(small.programme_id)

    bench.section(f"pages: Bangkok x{harness.SCALE:g} against {SMALL} communities")
    failures: list[str] = []
    rows = []
    for name, (b_median, b_p95, b_queries) in big_pages.items():
        s_median, s_p95, s_queries = small_pages[name]
        ratio = b_median / s_median
        missed = []
        if ratio > PAGE_RATIO:
            missed.append(f"{name} {ratio:.2f}x the small database's time (> {PAGE_RATIO})")
        if b_queries != s_queries:
            missed.append(f"{name} runs {b_queries} queries at scale, {s_queries} small")
        failures += missed
        bench.say(
            harness.format_table(
                [
                    _result(bench, name, f"{SMALL} communities", s_median, s_p95, s_queries),
                    _result(
                        bench,
                        name,
                        f"Bangkok x{harness.SCALE:g}",
                        b_median,
                        b_p95,
                        b_queries,
                        ratio,
                        "; ".join(missed),
                    ),  # fmt: skip
                ],
                header=False,
            )
        )
        rows.append(
            f"| {name} | {s_median:.1f} | {b_median:.1f} | {b_p95:.1f} | {ratio:.2f} "
            f"| {s_queries} | {b_queries} |"
        )
    for result in figure_results:
        if not result.ok:
            failures.append(f"{result.case} / {result.variant}: {result.detail}")
    for failure in failures:
        bench.say(f"   MISSED: {failure}")
    write_results(big, small, body, rows, figure_results, breakdown, failures, started)


def api_summary_after_viewers(programme_id: int) -> dict[str, Any]:
    """Create the two measured users, then read the city's summary once (sanity check)."""
    make_viewers()
    return api_summary(programme_id)


def measure_pages_of_built(programme_id: int) -> dict[str, tuple[float, float, int]]:
    from chumchon.accounts.models import User

    measured = {}
    for _who, username, pages in _urls_only(programme_id):
        measured.update(time_pages(verified_client(User.objects.get(username=username)), pages))
    return measured


def _urls_only(programme_id: int) -> list[tuple[str, str, dict[str, str]]]:
    from django.urls import reverse

    report = reverse("budget-report", args=[programme_id])
    api = f"/api/v1/budget-programmes/{programme_id}/summary"
    allocations = reverse("budget-allocation-list", args=[programme_id])
    return [
        ("central officer", "bench_central_officer", {
            "report page, city": report,
            "summary API, city": api,
            "allocation list, city (page 1)": allocations,
        }),
        (f"district officer {DISTRICT}", "bench_district_officer", {
            f"report page, district {DISTRICT}": report,
            f"summary API, district {DISTRICT}": api,
            f"allocation list, district {DISTRICT}": allocations,
        }),
    ]  # fmt: skip


def write_results(
    big: Built,
    small: Built,
    body: dict[str, Any],
    rows: list[str],
    figure_results: list[harness.Result],
    breakdown: list[str],
    failures: list[str],
    started: float,
) -> None:
    from datetime import date as _date

    lines = [
        HEADING,
        "",
        f"Run {_date.today().isoformat()}, BENCH_SCALE={harness.SCALE:g}, "
        f"BENCH_REPEAT={harness.REPEAT}, {harness.server_summary()}, "
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.machine()}; this benchmark took {time.perf_counter() - started:.0f} s "
        "(data generation included).",
        "",
        "## Data",
        "",
        "One FY2567 programme written in bulk: "
        + ", ".join(f"{v:,} {k}" for k, v in big.counts.items())
        + f" ({big.in_district} communities in {DISTRICT}); the small database the same shape "
        f"with {small.communities} communities ({small.in_district} in {DISTRICT}). The city's "
        f"summary: {body['communities_transferred']:,} transferred, "
        f"{body['communities_applied']:,} applied = {body['applied_pct']} %, disbursed "
        f"{body['amount_disbursed']} + carried over {body['amount_carried_over']} = "
        f"{body['spent_and_carried_pct']} % of the amount transferred.",
        "",
        "## Pages (whole request through the test client)",
        "",
        f"| page | {SMALL} communities: median ms | Bangkok x{harness.SCALE:g}: median ms "
        "| p95 ms | ratio | queries small | queries Bangkok |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Central officer (city) and district officer of {DISTRICT}. Targets: ratio <= "
        f"{PAGE_RATIO}, the same number of queries.",
        "",
        "## `selectors.figures` against one hand-written SQL statement",
        "",
        "| case | variant | queries | median ms | p95 ms | x raw | check |",
        "|---|---|---:|---:|---:|---:|---|",
        *[
            f"| {r.case} | {r.variant} | {r.queries} | {r.median_ms:.2f} | {r.p95_ms:.2f} | "
            f"{'1.00' if r.ratio is None else f'{r.ratio:.2f}'} | "
            f"{'ok' if r.ok else 'MISMATCH'} |"
            for r in figure_results
        ],
        "",
        "Where the city report's time goes (selectors called by the page, median of 10):",
        "",
        *[f"- {line}" for line in breakdown],
        "",
        "The ORM groups per community path (five grouped queries, folded in Python so that one "
        "pass serves the report's children too); the baseline sums the same rows in one "
        "statement without grouping. Both must return the same figures.",
        "",
    ]
    if failures:
        lines += ["## Missed targets", "", *[f"- {f}" for f in failures], ""]
    harness.write_section(HEADING, lines)
