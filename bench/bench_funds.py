"""Community funds at scale: a busy Bangkok savings group's books after five years, its pages
against the same fund after its first half-year, the ledger's balances and the report selectors
against hand-written SQL, and the posting path.

Data (COPY, not through the services, for speed; simulated month by month so that cash and every
member's savings never go below zero): one savings group in a community of district 1001 with
400 members over 60 months (x BENCH_SCALE): a deposit per member per month (200 to 2,000 baht,
about 3 % of months skipped, so the statement's "saved less than the minimum" list is not
empty), 2,000 withdrawals, 600 loans (10,000 to 50,000, 12 % a year on the declining balance,
12 monthly instalments) with their schedules, interest accrued on each due date and repaid on it,
except about 15 % of the loans still running, which stop paying (late fees charged, arrears_since
set); expenses, a grant, capital, transfers to the bank, one reversed deposit, two entries waiting
for confirmation, every month closed but the last two (their balances carried forward, as
close_month writes them). Plus 200 small funds (four per district over the 50 districts; 10
members, 8 months, 3 loans each, one fund in four with a loan in arrears) for the arrears
report.

The small database holds the same 200 small funds and the same big fund after its first six
months (1/10 of the books: the same 400 members, so a month's statement, the first page of each
list and the members are the same size; only the history differs). Pages must not grow with the
books: target ratio <= 1.5 and the same number of queries.

Measured:
1. ledger.balance / savings_of / owed_by and the available (pending decreases off) cash balance,
   trial_balance, account_rows, statement and passbook, each against hand-written SQL giving the
   same numbers (checked equal: a mismatch exits 1).
2. Pages as the district officer of 1001 (fund detail, monthly statement, trial balance, members,
   journal, loans) and the arrears report as a central officer (the city) and as the district
   officer, through django.test.Client (the whole request).
3. A deposit through services_entries.deposit on the big fund (lock, checks, number, legs, the
   never-negative re-sum of cash and the member's savings, audit): target median < 50 ms; the
   re-sum alone (ledger.check_not_negative) against a prototype that skips balances the entry
   only increases.

Writes its own section of bench/results.md.
"""

from __future__ import annotations

import platform
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import harness
from bench.bench_registry import make_viewer, time_pages, verified_client

SEED = 2569
DISTRICT = "1001"
PAGE_RATIO = 1.5
DEPOSIT_TARGET_MS = 50.0
HEADING = "# Community funds at scale (`make bench`, bench/bench_funds.py)"

MONTHS = harness.scaled(60, minimum=12)
SMALL_MONTHS = max(3, MONTHS // 10)
MEMBERS = harness.scaled(400, minimum=40)
LOANS = harness.scaled(600, minimum=20)
WITHDRAWALS = harness.scaled(2_000, minimum=20)
SMALL_FUNDS_PER_DISTRICT = 4

D = Decimal
ZERO = D("0.00")
RATE = D("12.00")


# --- ids and rows -------------------------------------------------------------------------------


class Ids:
    """The next id of each table (rows are COPYed with their ids)."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}
        for table in ("funds_entry", "funds_leg", "funds_loan", "funds_instalment"):
            statement = f"SELECT coalesce(max(id), 0) + 1 FROM {table}"  # noqa: S608
            (value,) = harness.fetchall(statement)[0]
            self.next[table] = value

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Event:
    day: date
    order: int
    kind: str
    legs: list[tuple[int, Decimal, Decimal, int | None, int | None]]
    member: int | None = None
    loan: int | None = None
    instalment_no: int | None = None
    status: str = "posted"
    description: str = ""
    reason: str = ""
    reverses: Event | None = None
    id: int = 0


@dataclass
class Rows:
    entries: list[tuple] = field(default_factory=list)
    legs: list[tuple] = field(default_factory=list)
    loans: list[tuple] = field(default_factory=list)
    instalments: list[tuple] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


@dataclass
class FundSpec:
    fund: Any
    accounts: dict[str, int]
    members: list[int]  # FundMember ids
    months: int
    loans: int
    withdrawals: int
    arrears_share: float
    skip_share: float = 0.03
    extra_share: float = 0.0
    noise: bool = False  # a reversed deposit and two entries waiting for confirmation


ENTRY_COLUMNS = [
    "id", "fund_id", "number", "entry_date", "kind", "description", "reference", "amount",
    "member_id", "loan_id", "instalment_no", "reverses_id", "reason", "status", "recorded_by_id",
    "recorded_at", "decided_by_id", "decided_at", "reject_reason",
]  # fmt: skip
LEG_COLUMNS = ["id", "entry_id", "account_id", "debit", "credit", "member_id", "loan_id"]
LOAN_COLUMNS = [
    "id", "created_at", "updated_at", "fund_id", "member_id", "number", "principal",
    "interest_method", "interest_rate", "instalments", "first_due_on", "late_fee", "grace_days",
    "purpose", "guarantors", "arrears_since", "arrears_checked_on",
]  # fmt: skip
INSTALMENT_COLUMNS = ["id", "loan_id", "number", "due_on", "principal_due", "interest_due"]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def simulate(spec: FundSpec, rows: Rows, ids: Ids, rng: random.Random, today: date,
             clerk_id: int) -> None:  # fmt: skip
    """One fund's books, month by month, appended to ``rows``."""
    from chumchon.funds import domain

    fund, acc = spec.fund, spec.accounts
    start = fund.books_start
    cash = ZERO
    savings: dict[int, Decimal] = defaultdict(lambda: ZERO)
    monthly = {m: rng.choice([D(200), D(300), D(500), D(500), D(1000), D(2000)])
               for m in spec.members}  # fmt: skip
    events: list[Event] = []
    dues: dict[int, list[tuple]] = defaultdict(list)  # month index -> (loan, row)
    outstanding: dict[int, Decimal] = {}
    fees: dict[int, Decimal] = defaultdict(lambda: ZERO)
    stop_after: dict[int, int] = {}
    loan_no = 0
    arrears_since: dict[int, date] = {}

    def add(event: Event) -> Event:
        events.append(event)
        rows.counts[event.kind] += 1
        return event

    for m in range(spec.months):
        first = domain.add_months(start, m)
        month: list[tuple[date, int, Any]] = []
        if m == 0:
            month.append((first, 0, ("grant", D(1_000_000))))
            month.append((first, 0, ("capital", D(100_000))))
        for member in spec.members:
            if rng.random() >= spec.skip_share:
                month.append((first.replace(day=5), 1, ("deposit", member)))
            if rng.random() < spec.extra_share:  # voluntary savings on top of the monthly
                month.append((first.replace(day=18), 1, ("deposit", member)))
        n_loans = (spec.loans * (m + 1)) // spec.months - (spec.loans * m) // spec.months
        for _ in range(n_loans):
            month.append((first.replace(day=10), 3, ("loan", rng.choice(spec.members))))
        n_out = (spec.withdrawals * (m + 1)) // spec.months - (spec.withdrawals * m) // spec.months
        for _ in range(n_out):
            month.append((first.replace(day=15), 4, ("withdrawal", rng.choice(spec.members))))
        for k in range(2):
            month.append((first.replace(day=20 + k), 5, ("expense", None)))
        month.append((first.replace(day=25), 6, ("transfer", None)))
        for loan_id, row in dues[m]:
            month.append((row.due_on, 2, ("due", (loan_id, row))))
        month.sort(key=lambda item: (item[0], item[1]))
        for day, order, (what, arg) in month:
            if day > today:
                continue
            if what == "grant":
                add(Event(day, order, "grant", [(acc["bank"], arg, ZERO, None, None),
                                                (acc["grants"], ZERO, arg, None, None)]))  # fmt: skip
            elif what == "capital":
                cash += arg
                add(Event(day, order, "opening", [(acc["cash"], arg, ZERO, None, None),
                                                  (acc["capital"], ZERO, arg, None, None)]))  # fmt: skip
            elif what == "deposit":
                amount = monthly[arg]
                cash += amount
                savings[arg] += amount
                add(Event(day, order, "deposit", [(acc["cash"], amount, ZERO, None, None),
                                                  (acc["savings"], ZERO, amount, arg, None)],
                          member=arg))  # fmt: skip
            elif what == "withdrawal":
                amount = min(D(rng.randrange(10, 50) * 100), savings[arg])
                if amount <= 0 or amount > cash:
                    continue
                cash -= amount
                savings[arg] -= amount
                add(Event(day, order, "withdrawal", [(acc["savings"], amount, ZERO, arg, None),
                                                     (acc["cash"], ZERO, amount, None, None)],
                          member=arg))  # fmt: skip
            elif what == "expense":
                amount = D(rng.randrange(8, 30) * 100)
                if amount > cash:
                    continue
                cash -= amount
                add(Event(day, order, "expense", [(acc["expenses"], amount, ZERO, None, None),
                                                  (acc["cash"], ZERO, amount, None, None)],
                          description="ค่าเครื่องเขียนและค่าถ่ายเอกสาร"))  # fmt: skip
            elif what == "transfer":
                if cash > D(600_000):
                    amount = D(300_000)
                    cash -= amount
                    add(Event(day, order, "transfer", [(acc["bank"], amount, ZERO, None, None),
                                                       (acc["cash"], ZERO, amount, None, None)]))  # fmt: skip
            elif what == "loan":
                principal = D(rng.randrange(10, 51) * 1000)
                if principal + D(20_000) > cash:
                    continue
                cash -= principal
                loan_no += 1
                loan_id = ids.take("funds_loan")
                first_due = domain.add_months(day, 1)
                schedule = domain.schedule(principal, RATE, "declining", 12, first_due)
                rows.loans.append((
                    loan_id, _at(day), _at(day), fund.pk, arg, loan_no, principal, "declining",
                    RATE, 12, first_due, fund.late_fee, fund.grace_days, "ประกอบอาชีพค้าขาย",
                    "", None, None,
                ))  # fmt: skip
                for row in schedule:
                    rows.instalments.append((ids.take("funds_instalment"), loan_id, row.number,
                                             row.due_on, row.principal_due, row.interest_due))  # fmt: skip
                    dues[m + row.number].append((loan_id, row))
                outstanding[loan_id] = principal
                if schedule[-1].due_on > today and rng.random() < spec.arrears_share:
                    stop_after[loan_id] = rng.randint(0, 3)
                add(Event(day, order, "loan", [(acc["loans"], principal, ZERO, None, loan_id),
                                               (acc["cash"], ZERO, principal, None, None)],
                          member=arg, loan=loan_id))  # fmt: skip
            elif what == "due":
                loan_id, row = arg
                interest = domain.monthly_interest(outstanding[loan_id], RATE)
                if interest > 0:
                    add(Event(day, 2, "interest",
                              [(acc["interest_receivable"], interest, ZERO, None, loan_id),
                               (acc["interest_income"], ZERO, interest, None, None)],
                              loan=loan_id, instalment_no=row.number))  # fmt: skip
                if row.number > stop_after.get(loan_id, 99):
                    arrears_since.setdefault(loan_id, row.due_on)
                    fee_day = row.due_on + timedelta(days=fund.grace_days + 1)
                    if fund.late_fee > 0 and fee_day <= today:
                        fees[loan_id] += fund.late_fee
                        add(Event(fee_day, 7, "late_fee",
                                  [(acc["fees_receivable"], fund.late_fee, ZERO, None, loan_id),
                                   (acc["fee_income"], ZERO, fund.late_fee, None, None)],
                                  loan=loan_id, instalment_no=row.number))  # fmt: skip
                    continue
                total = interest + row.principal_due
                cash += total
                outstanding[loan_id] -= row.principal_due
                legs = [(acc["cash"], total, ZERO, None, None)]
                if interest > 0:
                    legs.append((acc["interest_receivable"], ZERO, interest, None, loan_id))
                legs.append((acc["loans"], ZERO, row.principal_due, None, loan_id))
                add(Event(day, 2, "repayment", legs, loan=loan_id))
    # noise that must not count: a reversed deposit, two entries waiting for confirmation
    deposits = [e for e in events if e.kind == "deposit"]
    if deposits and spec.noise:
        wrong = deposits[len(deposits) // 3]
        amount = wrong.legs[0][1]
        add(Event(wrong.day, 8, "reversal",
                  [(acc["savings"], amount, ZERO, wrong.member, None),
                   (acc["cash"], ZERO, amount, None, None)],
                  member=wrong.member, reverses=wrong, reason="บันทึกซ้ำ"))  # fmt: skip
    if spec.noise:
        for k in range(2):
            amount = fund.confirm_threshold + D(5_000 * (k + 1))
            add(Event(today - timedelta(days=k), 9, "expense",
                      [(acc["expenses"], amount, ZERO, None, None),
                       (acc["cash"], ZERO, amount, None, None)],
                      status="pending", description="ซ่อมแซมที่ทำการกองทุน"))  # fmt: skip
    events.sort(key=lambda e: (e.day, e.order))
    for event in events:
        event.id = ids.take("funds_entry")
    for number, event in enumerate(events, start=1):
        amount = sum((leg[1] for leg in event.legs), ZERO)
        rows.entries.append((
            event.id, fund.pk, number, event.day, event.kind, event.description, "", amount,
            event.member, event.loan, event.instalment_no,
            event.reverses.id if event.reverses else None, event.reason, event.status,
            clerk_id, _at(event.day), None, None, "",
        ))  # fmt: skip
        for account_id, debit, credit, member, loan in event.legs:
            rows.legs.append((ids.take("funds_leg"), event.id, account_id, debit, credit, member,
                              loan))  # fmt: skip
    if arrears_since:
        loans_by_id = {row[0]: i for i, row in enumerate(rows.loans)}
        for loan_id, since in arrears_since.items():
            if since < today:
                i = loans_by_id[loan_id]
                rows.loans[i] = rows.loans[i][:15] + (since, today)
                rows.counts["loans in arrears"] += 1


# --- building a database ------------------------------------------------------------------------


@dataclass
class Built:
    fund_id: int
    months: int
    counts: dict[str, int]
    seconds: float


def _community(code: str, district: Any, kind: Any, slum: Any) -> Any:
    from chumchon.communities.models import Community
    from chumchon.organizations.models import Area

    area = Area.objects.create(
        code=code,
        name_th=f"ชุมชนทดสอบ {code}",
        kind=kind,
        parent=district,
        path=Area.build_path(district, code),
        depth=district.depth + 1,
    )
    Community.objects.create(area=area, type=slum, declared_families=300)
    return area


def _fund(area: Any, kind: Any, name: str, books_start: date, clerk: Any) -> tuple[Any, dict]:
    from chumchon.funds import domain
    from chumchon.funds.models import Account, Fund

    fund = Fund.objects.create(
        kind=kind,
        area=area,
        name=name,
        established_on=books_start,
        books_start=books_start,
        savings_minimum=D(200),
        loan_ceiling=D(50_000),
        interest_method="declining",
        interest_rate=RATE,
        max_instalments=12,
        late_fee=D(50),
        grace_days=5,
        confirm_threshold=D(20_000),
        created_by=clerk,
    )
    accounts = Account.objects.bulk_create(
        [
            Account(fund=fund, code=code, type=type_, role=role, name_th=th, name_en=en)
            for code, type_, role, th, en in domain.STANDARD_CHART
        ]
    )
    return fund, {a.role: a.pk for a in accounts}


def _members(fund: Any, area: Any, n: int, rng: random.Random) -> list[int]:
    from chumchon.communities.models import Person
    from chumchon.funds.models import FundMember

    given = ["สมชาย", "สมหญิง", "มาลี", "ประเสริฐ", "วันเพ็ญ", "บุญมี", "สุนีย์", "อำนาจ"]
    family = ["ใจดี", "ศรีสุข", "มีทรัพย์", "รุ่งเรือง", "แก้วมณี", "ทองคำ", "บุญเรือง"]
    people = Person.objects.bulk_create(
        [
            Person(
                area=area,
                first_name=rng.choice(given),
                last_name=f"{rng.choice(family)}{k}",
                missing_id_reason="unknown",
                sex=rng.choice("MF"),
            )
            for k in range(n)
        ],
        batch_size=1000,
    )
    members = FundMember.objects.bulk_create(
        [
            FundMember(fund=fund, person=p, member_no=k, joined_on=fund.books_start)
            for k, p in enumerate(people, start=1)
        ],
        batch_size=1000,
    )
    return [m.pk for m in members]


def build(bench: harness.Bench, months: int, seed: int) -> Built:
    """The big fund (``months`` of books) and the 200 small funds, in bulk."""
    from django.utils import timezone

    from chumchon.accounts.models import User
    from chumchon.communities.models import CommunityType
    from chumchon.funds import domain, ledger
    from chumchon.funds.models import Entry, FundKind, Instalment, Leg, Loan, PeriodClose
    from chumchon.organizations.models import Area, AreaKind

    started = time.perf_counter()
    rng = random.Random(seed)
    today = timezone.localdate()
    clerk = User.objects.create(username="bench_fund_clerk", password="!")
    community_kind = AreaKind.objects.get(code="community")
    slum = CommunityType.objects.get(code="slum")
    savings_group = FundKind.objects.get(code="savings_group")
    districts = list(Area.objects.filter(kind__code="district").order_by("code"))
    mine = next(d for d in districts if d.code == DISTRICT)
    ids = Ids()
    rows = Rows()

    area = _community(f"FB-{DISTRICT}-01", mine, community_kind, slum)
    books_start = domain.add_months(today.replace(day=1), -(months - 1))
    fund, accounts = _fund(area, savings_group, "กลุ่มออมทรัพย์เพื่อการผลิตชุมชนทดสอบ", books_start, clerk)
    members = _members(fund, area, MEMBERS, rng)
    spec = FundSpec(fund, accounts, members, months, LOANS * months // MONTHS,
                    WITHDRAWALS * months // MONTHS, arrears_share=0.15, extra_share=0.2, noise=True)  # fmt: skip
    simulate(spec, rows, ids, rng, today, clerk.pk)
    big_counts = dict(rows.counts)
    big_counts["entries"] = len(rows.entries)
    big_counts["legs"] = len(rows.legs)
    big_counts["loans"] = len(rows.loans)
    big_counts["instalments"] = len(rows.instalments)
    closes = [
        PeriodClose(
            fund=fund,
            kind="month",
            starts_on=domain.add_months(books_start, m),
            ends_on=domain.month_bounds(domain.add_months(books_start, m))[1],
            closed_by=clerk,
            closed_at=_at(domain.add_months(books_start, m + 1)),
        )
        for m in range(months - 2)
    ]

    small_start = domain.add_months(today.replace(day=1), -7)
    n_small = 0
    for d in districts:
        for k in range(SMALL_FUNDS_PER_DISTRICT):
            code = f"FS-{d.code}-{k:02d}"
            s_area = _community(code, d, community_kind, slum)
            s_fund, s_accounts = _fund(s_area, savings_group, f"กองทุนออมทรัพย์ {code}", small_start, clerk)  # fmt: skip
            s_members = _members(s_fund, s_area, 10, rng)
            simulate(
                FundSpec(s_fund, s_accounts, s_members, 8, 3, 4,
                         arrears_share=0.34 if n_small % 4 == 0 else 0.0),
                rows, ids, rng, today, clerk.pk,
            )  # fmt: skip
            n_small += 1
    PeriodClose.objects.bulk_create(closes)

    for model, columns, data in (
        (Loan, LOAN_COLUMNS, rows.loans),
        (Instalment, INSTALMENT_COLUMNS, rows.instalments),
        (Entry, ENTRY_COLUMNS, rows.entries),
        (Leg, LEG_COLUMNS, rows.legs),
    ):
        bench.load(harness.copy_rows(model, columns, data, drop_indexes=True))
    # the closed months' balances carried forward, the way close_month writes them (PeriodClose
    # rows went in by bulk_create, before their legs: carry_forward reads the legs now)
    carry_started = time.perf_counter()
    snapshot_rows = 0
    for close in PeriodClose.objects.filter(fund=fund, kind="month").order_by("ends_on"):
        snapshot_rows += len(ledger.carry_forward(close))
    bench.say(
        f"   carried forward: {snapshot_rows:,} rows for {len(closes)} closed months; "
        f"{time.perf_counter() - carry_started:.1f} s"
    )
    for table in (
        "organizations_area",
        "communities_community",
        "communities_person",
        "funds_fund",
        "funds_account",
        "funds_fundmember",
        "funds_periodclose",
        "funds_closingbalance",
    ):
        harness.execute(f"VACUUM (ANALYZE) {table}")
    counts = {
        "entries": big_counts["entries"],
        "legs": big_counts["legs"],
        "deposits": big_counts.get("deposit", 0),
        "withdrawals": big_counts.get("withdrawal", 0),
        "loans": big_counts["loans"],
        "instalments": big_counts["instalments"],
        "interest accruals": big_counts.get("interest", 0),
        "repayments": big_counts.get("repayment", 0),
        "late fees": big_counts.get("late_fee", 0),
        "expenses": big_counts.get("expense", 0),
        "loans in arrears": big_counts.get("loans in arrears", 0),
        "small funds": n_small,
        "small funds' entries": len(rows.entries) - big_counts["entries"],
        "small funds' loans in arrears": rows.counts["loans in arrears"]
        - big_counts.get("loans in arrears", 0),
        "all legs": len(rows.legs),
    }
    seconds = time.perf_counter() - started
    bench.say(f"   load: {', '.join(f'{v:,} {k}' for k, v in counts.items())}; {seconds:.1f} s")
    return Built(fund.pk, months, counts, seconds)


# --- users and pages ----------------------------------------------------------------------------


def make_viewers() -> None:
    make_viewer("bench_central_officer", "central_officer", "BKK")
    make_viewer("bench_district_officer", "district_officer", DISTRICT)


def statement_month() -> date:
    from django.utils import timezone

    from chumchon.funds import domain

    return domain.add_months(timezone.localdate().replace(day=1), -1)


def page_sets(fund_id: int) -> list[tuple[str, dict[str, str]]]:
    from django.urls import reverse

    month = statement_month()
    arrears = reverse("fund-arrears")
    return [
        ("bench_district_officer", {
            "fund detail": reverse("fund-detail", args=[fund_id]),
            f"statement {month:%Y-%m} (HTML)":
                reverse("fund-statement", args=[fund_id]) + f"?month={month:%Y-%m}",
            "trial balance": reverse("fund-trial-balance", args=[fund_id]),
            "members list (page 1)": reverse("fund-members", args=[fund_id]),
            "journal (page 1)": reverse("fund-entries", args=[fund_id]),
            "loans list (page 1)": reverse("fund-loans", args=[fund_id]),
            f"arrears report, district {DISTRICT}": arrears,
        }),
        ("bench_central_officer", {"arrears report, city (central)": arrears}),
    ]  # fmt: skip


def measure_pages(fund_id: int) -> dict[str, tuple[float, float, int]]:
    from chumchon.accounts.models import User

    measured = {}
    for username, pages in page_sets(fund_id):
        client = verified_client(User.objects.get(username=username))
        measured.update(time_pages(client, pages))
    return measured


# --- selectors and the ledger against raw SQL ---------------------------------------------------

POSTED_LEGS = "funds_leg l JOIN funds_entry e ON e.id = l.entry_id AND e.status = 'posted'"
SIGNED = (
    "CASE WHEN a.type IN ('asset', 'expense') THEN l.debit - l.credit ELSE l.credit - l.debit END"  # noqa: E501
)
AVAILABLE = f"""CASE WHEN e.status = 'posted' THEN {SIGNED}
  WHEN e.status = 'pending' AND ((a.type IN ('asset', 'expense') AND l.credit > 0)
       OR (a.type NOT IN ('asset', 'expense') AND l.debit > 0)) THEN {SIGNED}
  ELSE 0 END"""


def _one(statement: str, params: Any) -> Any:
    return harness.fetchall(statement, params)[0][0]


def raw_balance(fund_id: int, role: str, member_id: int | None = None) -> Any:
    statement = f"""
        SELECT coalesce(sum({SIGNED}), 0) FROM {POSTED_LEGS}
        JOIN funds_account a ON a.id = l.account_id
        WHERE e.fund_id = %(fund)s AND a.role = %(role)s
          AND (%(member)s::bigint IS NULL OR l.member_id = %(member)s)"""  # noqa: S608
    return lambda: _one(statement, {"fund": fund_id, "role": role, "member": member_id})


def raw_available(fund_id: int, account_id: int, member_id: int | None = None) -> Any:
    statement = f"""
        SELECT coalesce(sum({AVAILABLE}), 0)
        FROM funds_leg l JOIN funds_entry e ON e.id = l.entry_id
        JOIN funds_account a ON a.id = l.account_id
        WHERE e.fund_id = %(fund)s AND l.account_id = %(account)s
          AND (%(member)s::bigint IS NULL OR l.member_id = %(member)s)"""  # noqa: S608
    return lambda: _one(statement, {"fund": fund_id, "account": account_id, "member": member_id})


def raw_owed(loan_id: int) -> Any:
    statement = f"""
        SELECT
          coalesce(sum(l.debit - l.credit) FILTER (WHERE a.role = 'loans'), 0),
          coalesce(sum(l.debit - l.credit) FILTER (WHERE a.role = 'interest_receivable'), 0),
          coalesce(sum(l.debit - l.credit) FILTER (WHERE a.role = 'fees_receivable'), 0)
        FROM {POSTED_LEGS} JOIN funds_account a ON a.id = l.account_id
        WHERE l.loan_id = %s"""  # noqa: S608
    return lambda: tuple(harness.fetchall(statement, [loan_id])[0])


TRIAL_SQL = """
    WITH t AS (
      SELECT l.account_id, sum(l.debit - l.credit) AS net
      FROM funds_leg l JOIN funds_entry e ON e.id = l.entry_id
      WHERE e.fund_id = %(fund)s AND e.status = 'posted' GROUP BY l.account_id)
    SELECT a.code, coalesce(t.net, 0) FROM funds_account a LEFT JOIN t ON t.account_id = a.id
    WHERE a.fund_id = %(fund)s ORDER BY a.code"""

ACCOUNT_ROWS_SQL = """
    WITH t AS (
      SELECT l.account_id,
        sum(l.debit) FILTER (WHERE e.entry_date < %(start)s) AS bd,
        sum(l.credit) FILTER (WHERE e.entry_date < %(start)s) AS bc,
        sum(l.debit) FILTER (WHERE e.entry_date BETWEEN %(start)s AND %(end)s) AS wd,
        sum(l.credit) FILTER (WHERE e.entry_date BETWEEN %(start)s AND %(end)s) AS wc
      FROM funds_leg l JOIN funds_entry e ON e.id = l.entry_id
      WHERE e.fund_id = %(fund)s AND e.status = 'posted' AND e.entry_date <= %(end)s
      GROUP BY l.account_id)
    SELECT a.code, a.type, coalesce(t.bd, 0), coalesce(t.bc, 0), coalesce(t.wd, 0),
      coalesce(t.wc, 0)
    FROM funds_account a LEFT JOIN t ON t.account_id = a.id
    WHERE a.fund_id = %(fund)s ORDER BY a.code"""


def _natural(type_: str, debit: Decimal, credit: Decimal) -> Decimal:
    return debit - credit if type_ in ("asset", "expense") else credit - debit


def raw_trial(fund_id: int) -> Any:
    def run():
        rows = [
            (code, max(net, ZERO), max(-net, ZERO))
            for code, net in harness.fetchall(TRIAL_SQL, {"fund": fund_id})
        ]
        return rows, sum(r[1] for r in rows), sum(r[2] for r in rows)

    return run


def orm_trial(fund: Any) -> Any:
    from chumchon.funds import selectors

    def run():
        trial = selectors.trial_balance(fund)
        return (
            [(a.code, d, c) for a, d, c in trial.rows],
            trial.total_debit,
            trial.total_credit,
        )

    return run


def raw_account_rows(fund_id: int, start: date, end: date) -> Any:
    def run():
        out = []
        for code, type_, bd, bc, wd, wc in harness.fetchall(
            ACCOUNT_ROWS_SQL, {"fund": fund_id, "start": start, "end": end}
        ):
            opening = _natural(type_, bd, bc)
            out.append((code, opening, wd, wc, opening + _natural(type_, wd, wc)))
        return out

    return run


def orm_account_rows(fund: Any, start: date, end: date) -> Any:
    from chumchon.funds import selectors

    def run():
        return [
            (r.account.code, r.opening, r.debit, r.credit, r.closing)
            for r in selectors.account_rows(fund, start, end)
        ]

    return run


STATEMENT_ENTRIES_SQL = """
    SELECT e.number, count(l.id), sum(l.debit)
    FROM funds_entry e JOIN funds_leg l ON l.entry_id = e.id
    WHERE e.fund_id = %(fund)s AND e.status = 'posted'
      AND e.entry_date BETWEEN %(start)s AND %(end)s
    GROUP BY e.id ORDER BY e.entry_date, e.number"""
PENDING_SQL = """
    SELECT count(*) FROM funds_entry
    WHERE fund_id = %(fund)s AND status = 'pending' AND entry_date BETWEEN %(start)s AND %(end)s"""
SHORT_SQL = """
    SELECT m.member_no, coalesce(s.saved, 0)
    FROM funds_fundmember m LEFT JOIN (
      SELECT l.member_id, sum(l.credit - l.debit) AS saved
      FROM funds_leg l JOIN funds_entry e ON e.id = l.entry_id
      JOIN funds_account a ON a.id = l.account_id AND a.role = 'savings'
      LEFT JOIN funds_entry r ON r.id = e.reverses_id
      WHERE e.fund_id = %(fund)s AND e.status = 'posted'
        AND e.entry_date BETWEEN %(start)s AND %(end)s
        AND e.kind <> 'withdrawal' AND (r.kind IS NULL OR r.kind <> 'withdrawal')
      GROUP BY l.member_id) s ON s.member_id = m.id
    WHERE m.fund_id = %(fund)s AND m.joined_on <= %(end)s
      AND (m.left_on IS NULL OR m.left_on >= %(start)s)
      AND coalesce(s.saved, 0) < %(minimum)s
    ORDER BY m.member_no"""


def raw_statement(fund: Any, start: date, end: date) -> Any:
    params = {"fund": fund.pk, "start": start, "end": end, "minimum": fund.savings_minimum}
    rows = raw_account_rows(fund.pk, start, end)

    def run():
        return (
            [tuple(r) for r in harness.fetchall(STATEMENT_ENTRIES_SQL, params)],
            _one(PENDING_SQL, params),
            [tuple(r) for r in harness.fetchall(SHORT_SQL, params)],
            rows(),
        )

    return run


def orm_statement(fund: Any, start: date) -> Any:
    from chumchon.funds import selectors

    def run():
        report = selectors.statement(fund, start)
        return (
            [
                (e.number, len(e.legs.all()), sum((leg.debit for leg in e.legs.all()), ZERO))
                for e in report.entries
            ],
            report.pending,
            [(s.member.member_no, s.saved) for s in report.savings_short],
            [(r.account.code, r.opening, r.debit, r.credit, r.closing) for r in report.rows],
        )

    return run


PASSBOOK_SQL = """
    SELECT e.number, l.credit, l.debit,
      sum(l.credit - l.debit) OVER (ORDER BY e.entry_date, e.number, l.id)
    FROM funds_leg l JOIN funds_entry e ON e.id = l.entry_id AND e.status = 'posted'
    JOIN funds_account a ON a.id = l.account_id AND a.role = 'savings'
    WHERE l.member_id = %s ORDER BY e.entry_date, e.number, l.id"""


def compare_selectors(bench: harness.Bench, fund_id: int) -> list[harness.Result]:
    from chumchon.funds import domain, ledger, selectors
    from chumchon.funds.models import Account, Fund, FundMember, Loan

    fund = Fund.objects.select_related("area").get(pk=fund_id)
    member = FundMember.objects.filter(fund=fund).order_by("member_no").first()
    loan = (
        Loan.objects.filter(fund=fund, arrears_since__isnull=False).order_by("number").first()
        or Loan.objects.filter(fund=fund).order_by("-number").first()
    )
    cash = Account.objects.get(fund=fund, role="cash")
    start, end = domain.month_bounds(statement_month())
    results: list[harness.Result] = []
    results += bench.compare(
        "ledger.balance(fund, cash)",
        raw=raw_balance(fund_id, "cash"),
        variants={"ORM": lambda: ledger.balance(fund, "cash")},
        show_plans=True,
    )
    results += bench.compare(
        "ledger.balance(fund, cash, available)",
        raw=raw_available(fund_id, cash.pk),
        variants={"ORM": lambda: ledger.balance(fund, "cash", available=True)},
    )
    results += bench.compare(
        "ledger.savings_of(member)",
        raw=raw_balance(fund_id, "savings", member.pk),
        variants={"ORM": lambda: ledger.savings_of(member)},
    )
    results += bench.compare(
        f"ledger.owed_by(loan {loan.number})",
        raw=raw_owed(loan.pk),
        variants={
            "ORM": lambda: (lambda o: (o.principal, o.interest, o.fees))(ledger.owed_by(loan))
        },
    )
    results += bench.compare(
        "selectors.trial_balance(fund)",
        raw=raw_trial(fund_id),
        variants={"ORM": orm_trial(fund)},
        show_plans=True,
    )
    results += bench.compare(
        f"selectors.account_rows(fund, {start:%Y-%m})",
        raw=raw_account_rows(fund_id, start, end),
        variants={"ORM": orm_account_rows(fund, start, end)},
    )
    results += bench.compare(
        f"selectors.statement(fund, {start:%Y-%m})",
        raw=raw_statement(fund, start, end),
        variants={"ORM": orm_statement(fund, start)},
        repeat=max(5, bench.repeat // 2),
    )
    results += bench.compare(
        "selectors.passbook(member)",
        raw=lambda: [tuple(r) for r in harness.fetchall(PASSBOOK_SQL, [member.pk])],
        variants={
            "ORM": lambda: [
                (p.entry.number, p.deposit, p.withdrawal, p.balance)
                for p in selectors.passbook(member)
            ]
        },
    )
    return results


# --- the posting path ---------------------------------------------------------------------------


def _median_p95(fn: Any, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return statistics.median(samples), harness.percentile(samples, 95)


def _resum(fund: Any, legs: Any) -> None:
    """The posting's never-negative re-sum (ledger.check_not_negative; _check_not_negative in
    older checkouts)."""
    from chumchon.funds import ledger

    check = getattr(ledger, "check_not_negative", None) or ledger._check_not_negative
    check(fund, legs)


def _check_increases_skipped(fund: Any, legs: Any) -> None:
    """Prototype: re-sum only the never-negative balances the legs DECREASE (a debit on a
    liability, a credit on an asset); an increase cannot take a balance that was >= 0 below 0."""

    decreasing = [
        leg
        for leg in legs
        if (leg.credit > 0 if leg.account.type in ("asset", "expense") else leg.debit > 0)
    ]
    if decreasing:
        _resum(fund, decreasing)


def measure_posting(bench: harness.Bench, fund_id: int) -> tuple[list[harness.Result], list[str]]:
    from django.utils import timezone

    from chumchon.accounts.models import User
    from chumchon.funds import ledger, services_entries
    from chumchon.funds.models import Account, Fund, FundMember

    fund = Fund.objects.select_related("area").get(pk=fund_id)
    actor = User.objects.get(username="bench_district_officer")
    members = list(FundMember.objects.filter(fund=fund).order_by("member_no")[:200])
    today = timezone.localdate()
    turn = iter(range(10**6))

    def deposit():
        member = members[next(turn) % len(members)]
        return services_entries.deposit(
            actor=actor, fund=fund, member=member, amount="500", entry_date=today
        )

    for _ in range(max(1, bench.warmup)):
        deposit()
    _entry, queries = harness.count_queries(deposit)
    median, p95 = _median_p95(deposit, bench.repeat)
    results = []
    missed = (
        f"median {median:.1f} ms >= {DEPOSIT_TARGET_MS:g} ms" if median >= DEPOSIT_TARGET_MS else ""
    )  # noqa: E501
    results.append(_result(bench, "services_entries.deposit (big fund)", "service", median, p95,
                           queries, missed=missed))  # fmt: skip

    accounts = {a.role: a for a in Account.objects.filter(fund=fund)}
    member = members[0]
    legs = [
        ledger.LegIn(accounts["cash"], debit=D("500.00")),
        ledger.LegIn(accounts["savings"], credit=D("500.00"), member=member),
    ]
    out_legs = [
        ledger.LegIn(accounts["savings"], debit=D("500.00"), member=member),
        ledger.LegIn(accounts["cash"], credit=D("500.00")),
    ]
    cases = {
        "re-sum of a deposit (cash + savings), as now": lambda: _resum(fund, legs),  # noqa: E501
        "re-sum of a deposit, increases skipped (prototype)": lambda: _check_increases_skipped(fund, legs),  # noqa: E501
        "re-sum of a withdrawal (cash + savings), as now": lambda: _resum(fund, out_legs),  # noqa: E501
    }  # fmt: skip
    for label, fn in cases.items():
        for _ in range(bench.warmup):
            fn()
        _none, q = harness.count_queries(fn)
        m, p = _median_p95(fn, bench.repeat)
        results.append(_result(bench, label, "ledger", m, p, q))
    plans = []
    raw_cash = raw_available(fund_id, accounts["cash"].pk)
    results += bench.compare(
        "available cash re-sum (the posting's slowest query)",
        raw=raw_cash,
        variants={"ORM": lambda: ledger.balance(fund, "cash", available=True)},
    )
    for outline in harness.plans_of(lambda: _resum(fund, legs)):
        plans.append(outline)
        bench.say(f"   plan re-sum: {outline}")
    for result in results:
        bench.say(harness.format_table([result], header=False))
    return results, plans


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


# --- run ----------------------------------------------------------------------------------------


def run(bench: harness.Bench) -> None:
    started = time.perf_counter()
    bench.section(
        f"x{harness.SCALE:g}: one fund of {MEMBERS} members over {MONTHS} months, 200 small funds"
    )
    big = build(bench, MONTHS, SEED)
    make_viewers()

    bench.section("the ledger and the report selectors against raw SQL (big fund)")
    selector_results = compare_selectors(bench, big.fund_id)

    bench.section("pages of the big fund")
    big_pages = measure_pages(big.fund_id)

    with harness.other_database("funds_small"):
        bench.section(f"the same pages on the same fund after {SMALL_MONTHS} months")
        small = build(bench, SMALL_MONTHS, SEED)
        make_viewers()
        small_pages = measure_pages(small.fund_id)

    bench.section("the posting path (big fund)")
    posting_results, plans = measure_posting(bench, big.fund_id)

    bench.section(f"pages: {MONTHS} months of books against {SMALL_MONTHS}")
    failures: list[str] = []
    rows = []
    for name, (b_median, b_p95, b_queries) in big_pages.items():
        s_median, s_p95, s_queries = small_pages[name]
        ratio = b_median / s_median
        missed = []
        if ratio > PAGE_RATIO:
            missed.append(f"{name} {ratio:.2f}x the small books' time (> {PAGE_RATIO})")
        if b_queries != s_queries:
            missed.append(f"{name} runs {b_queries} queries on the big books, {s_queries} small")
        failures += missed
        bench.say(
            harness.format_table(
                [
                    _result(bench, name, f"{SMALL_MONTHS} months", s_median, s_p95, s_queries),
                    _result(bench, name, f"{MONTHS} months", b_median, b_p95, b_queries, ratio,
                            "; ".join(missed)),
                ],
                header=False,
            )
        )  # fmt: skip
        rows.append(
            f"| {name} | {s_median:.1f} | {b_median:.1f} | {b_p95:.1f} | {ratio:.2f} "
            f"| {s_queries} | {b_queries} |"
        )
    for result in selector_results + posting_results:
        if not result.ok:
            failures.append(f"{result.case} / {result.variant}: {result.detail}")
    for failure in failures:
        bench.say(f"   MISSED: {failure}")
    write_results(big, small, rows, selector_results, posting_results, plans, failures, started)


def _table(results: list[harness.Result]) -> list[str]:
    return [
        f"| {r.case} | {r.variant} | {r.queries} | {r.median_ms:.2f} | {r.p95_ms:.2f} | "
        f"{'' if r.ratio is None else f'{r.ratio:.2f}'} | "
        f"{'ok' if r.ok else ('MISSED' if r.detail.startswith('target') else 'MISMATCH')} |"
        for r in results
    ]


def write_results(
    big: Built,
    small: Built,
    rows: list[str],
    selector_results: list[harness.Result],
    posting_results: list[harness.Result],
    plans: list[str],
    failures: list[str],
    started: float,
) -> None:
    lines = [
        HEADING,
        "",
        f"Run {date.today().isoformat()}, BENCH_SCALE={harness.SCALE:g}, "
        f"BENCH_REPEAT={harness.REPEAT}, {harness.server_summary()}, "
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.machine()}; this benchmark took {time.perf_counter() - started:.0f} s "
        f"(data generation included: {big.seconds:.0f} s big, {small.seconds:.0f} s small).",
        "",
        "## Data",
        "",
        f"A savings group of {MEMBERS} members in district {DISTRICT} over {big.months} months, "
        "written in bulk (COPY) after a month-by-month simulation: "
        + ", ".join(f"{v:,} {k}" for k, v in big.counts.items())
        + f". The small database: the same fund after {small.months} months ("
        + ", ".join(f"{v:,} {k}" for k, v in small.counts.items() if k in ("entries", "legs", "loans"))
        + ") and the same 200 small funds.",
        "",
        "## Pages (whole request through the test client)",
        "",
        f"| page | {small.months} months: median ms | {big.months} months: median ms "
        "| p95 ms | ratio | queries small | queries big |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"District officer of {DISTRICT} (the arrears report also as a central officer: the "
        f"city). Targets: ratio <= {PAGE_RATIO}, the same number of queries.",
        "",
        "## The ledger and the selectors against hand-written SQL (big fund)",
        "",
        "| case | variant | queries | median ms | p95 ms | x raw | check |",
        "|---|---|---:|---:|---:|---:|---|",
        *_table(selector_results),
        "",
        "## The posting path (big fund)",
        "",
        "| case | variant | queries | median ms | p95 ms | x raw | check |",
        "|---|---|---:|---:|---:|---:|---|",
        *_table(posting_results),
        "",
        f"Target: a deposit's median < {DEPOSIT_TARGET_MS:g} ms. The re-sum's queries "
        "(EXPLAIN ANALYZE):",
        "",
        *[f"- `{p}`" for p in plans],
        "",
    ]  # fmt: skip
    if failures:
        lines += ["## Missed targets", "", *[f"- {f}" for f in failures], ""]
    harness.write_section(HEADING, lines)
