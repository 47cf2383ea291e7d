"""Reading a fund's books: balances, statements, the balance sheet and income statement, the
trial balance, a member's passbook and loans in arrears.

Every figure is a sum of POSTED legs computed by the database (grouped aggregates, a constant
number of queries whatever the number of entries); pending and rejected entries never count.
Amounts are in each account's own direction (``domain.natural``): assets and expenses grow by
debits, liabilities, capital and income by credits.

The balance sheet holds because every entry balances: assets = liabilities + capital + the
surplus to date (income - expenses since the books started; closing a year does not move the
surplus into capital, so it accumulates).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from chumchon.core.money import round_half_up

from . import domain, ledger
from .models import Account, ClosingBalance, Entry, Fund, FundMember, Leg, Loan

ZERO = Decimal("0.00")
_MONEY = ledger.MONEY_SUM
POSTED = Entry.Status.POSTED


def _sum(expression: Any, condition: Q | None = None) -> Coalesce:
    return ledger.money_sum(expression, condition)


def _totals_by_account(
    fund: Fund, base: Q | None = None, **conditions: Q
) -> dict[int, dict[str, Decimal]]:
    """{account id: {"<name>_debit": .., "<name>_credit": ..}} of posted legs (``base``: which
    legs are read at all), one query, one pair of sums per named condition (on the entry
    date)."""
    aggregates = {}
    for name, condition in conditions.items():
        aggregates[f"{name}_debit"] = _sum("debit", condition)
        aggregates[f"{name}_credit"] = _sum("credit", condition)
    rows = (
        Leg.objects.filter(entry__fund=fund, entry__status=POSTED)
        .filter(base or Q())
        .values("account_id")
        .order_by("account_id")
        .annotate(**aggregates)
    )
    return {row.pop("account_id"): row for row in rows}


def _accounts(fund: Fund) -> list[Account]:
    return list(Account.objects.filter(fund=fund).order_by("code"))


def _close(fund: Fund, on: date | None) -> tuple[int | None, date]:
    """(id, last day) of the last month close on or before ``on`` (the latest when None), or
    (None, 0001-01-01). Read first, one query: with the day as a literal PostgreSQL plans the
    legs after it by the (fund, entry_date) index."""
    close = ledger.month_closes(fund, on).values_list("pk", "ends_on").first()
    return close if close is not None else (None, date.min)


def _carried_by_account(close_id: int | None) -> dict[int, Decimal]:
    """{account id: balance carried forward (own direction)} at the close. One query (none
    without a close)."""
    if close_id is None:
        return {}
    rows = (
        ClosingBalance.objects.filter(close_id=close_id)
        .values("account_id")
        .order_by("account_id")
        .annotate(total=_sum("balance"))
    )
    return {row["account_id"]: row["total"] for row in rows}


def _after_close(ends_on: date, on: date | None) -> Q:
    """Legs dated after the close's last day (and on or before ``on``)."""
    after = Q(entry__entry_date__gt=ends_on)
    return after & Q(entry__entry_date__lte=on) if on is not None else after


def _net(account: Account, amount: Decimal) -> Decimal:
    """A balance in the account's own direction as debit - credit."""
    return amount if account.debit_normal else -amount


# --- account rows and the trial balance -------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    account: Account
    opening: Decimal  # balance before ``start``, in the account's own direction
    debit: Decimal  # debits in the period
    credit: Decimal  # credits in the period
    closing: Decimal  # balance at the end of ``end``

    @property
    def movement(self) -> Decimal:
        return self.closing - self.opening


def account_rows(fund: Fund, start: date, end: date) -> list[AccountRow]:
    """Every account of the chart: balance before ``start``, debits and credits from ``start``
    to ``end`` (inclusive), balance at ``end``. Three queries: the opening is the balance
    carried forward at the last month close before ``start`` plus the legs dated between."""
    close_id, ends_on = _close(fund, start - timedelta(days=1))
    carried = _carried_by_account(close_id)
    base = Q(entry__entry_date__gt=ends_on, entry__entry_date__lte=end)
    before = Q(entry__entry_date__lt=start)
    within = Q(entry__entry_date__gte=start, entry__entry_date__lte=end)
    totals = _totals_by_account(fund, base, before=before, within=within)
    rows = []
    for account in _accounts(fund):
        sums = totals.get(account.pk, {})
        opening = carried.get(account.pk, ZERO) + domain.natural(
            account.type, sums.get("before_debit", ZERO), sums.get("before_credit", ZERO)
        )
        debit, credit = sums.get("within_debit", ZERO), sums.get("within_credit", ZERO)
        closing = opening + domain.natural(account.type, debit, credit)
        rows.append(AccountRow(account, opening, debit, credit, closing))
    return rows


@dataclass(frozen=True)
class TrialBalance:
    on: date | None
    rows: list[tuple[Account, Decimal, Decimal]]  # (account, debit balance, credit balance)
    total_debit: Decimal
    total_credit: Decimal

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit

    @property
    def difference(self) -> Decimal:
        return self.total_debit - self.total_credit


def trial_balance(fund: Fund, on: date | None = None) -> TrialBalance:
    """Each account's balance on ``on`` (all posted entries when None) as a debit or a credit
    balance; the totals are equal when the books balance. Three queries (the balances carried
    forward at the last month close, the legs dated after it, the chart)."""
    close_id, ends_on = _close(fund, on)
    carried = _carried_by_account(close_id)
    totals = _totals_by_account(fund, _after_close(ends_on, on), to=Q())
    rows = []
    total_debit = total_credit = ZERO
    for account in _accounts(fund):
        sums = totals.get(account.pk, {})
        net = (
            _net(account, carried.get(account.pk, ZERO))
            + sums.get("to_debit", ZERO)
            - sums.get("to_credit", ZERO)
        )
        debit, credit = (net, ZERO) if net >= 0 else (ZERO, -net)
        rows.append((account, debit, credit))
        total_debit += debit
        total_credit += credit
    return TrialBalance(on, rows, total_debit, total_credit)


# --- balance sheet and income statement -------------------------------------------------------


@dataclass(frozen=True)
class Line:
    account: Account
    amount: Decimal


@dataclass(frozen=True)
class BalanceSheet:
    on: date
    assets: list[Line]
    liabilities: list[Line]
    equity: list[Line]  # capital, grants and other equity accounts
    income: Decimal  # income to date
    expenses: Decimal  # expenses to date

    @property
    def total_assets(self) -> Decimal:
        return sum((line.amount for line in self.assets), ZERO)

    @property
    def total_liabilities(self) -> Decimal:
        return sum((line.amount for line in self.liabilities), ZERO)

    @property
    def total_equity(self) -> Decimal:
        return sum((line.amount for line in self.equity), ZERO)

    @property
    def surplus(self) -> Decimal:
        return self.income - self.expenses

    @property
    def total_liabilities_and_equity(self) -> Decimal:
        return self.total_liabilities + self.total_equity + self.surplus

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities_and_equity


def _balances_on(fund: Fund, on: date | None) -> list[Line]:
    """Every account with its balance on ``on`` in its own direction (three queries: the
    balances carried forward at the last month close, the legs dated after it, the chart)."""
    close_id, ends_on = _close(fund, on)
    carried = _carried_by_account(close_id)
    totals = _totals_by_account(fund, _after_close(ends_on, on), to=Q())
    return [
        Line(
            account,
            carried.get(account.pk, ZERO)
            + domain.natural(
                account.type,
                totals.get(account.pk, {}).get("to_debit", ZERO),
                totals.get(account.pk, {}).get("to_credit", ZERO),
            ),
        )
        for account in _accounts(fund)
    ]


def balance_sheet(fund: Fund, on: date) -> BalanceSheet:
    """Assets = liabilities + capital + surplus (income - expenses to date) on ``on``."""
    lines = _balances_on(fund, on)

    def of(type_: str) -> list[Line]:
        return [line for line in lines if line.account.type == type_]

    return BalanceSheet(
        on=on,
        assets=of(Account.Type.ASSET),
        liabilities=of(Account.Type.LIABILITY),
        equity=of(Account.Type.EQUITY),
        income=sum((line.amount for line in of(Account.Type.INCOME)), ZERO),
        expenses=sum((line.amount for line in of(Account.Type.EXPENSE)), ZERO),
    )


@dataclass(frozen=True)
class IncomeStatement:
    start: date
    end: date
    income: list[Line]
    expenses: list[Line]

    @property
    def total_income(self) -> Decimal:
        return sum((line.amount for line in self.income), ZERO)

    @property
    def total_expenses(self) -> Decimal:
        return sum((line.amount for line in self.expenses), ZERO)

    @property
    def surplus(self) -> Decimal:
        return self.total_income - self.total_expenses


def income_statement(fund: Fund, start: date, end: date) -> IncomeStatement:
    """Income and expense accounts moved from ``start`` to ``end`` (inclusive); the surplus
    (a deficit when negative)."""
    rows = account_rows(fund, start, end)
    income = [Line(r.account, r.movement) for r in rows if r.account.type == Account.Type.INCOME]
    expenses = [Line(r.account, r.movement) for r in rows if r.account.type == Account.Type.EXPENSE]
    return IncomeStatement(start, end, income, expenses)


def year_bounds(fund: Fund, day: date) -> tuple[date, date]:
    """The fund's accounting year containing ``day``."""
    return domain.accounting_year_bounds(day, fund.year_start_month)


# --- the fund's summary -----------------------------------------------------------------------


def _loan_counts(fund: Fund) -> dict[str, int]:
    """Loans with principal outstanding (posted), and those of them in arrears: two queries,
    the principal carried forward at the last month close and the loan legs dated after it,
    each grouped by loan (the loan's arrears flag rides along)."""
    close_id, ends_on = _close(fund, None)
    carried = ClosingBalance.objects.filter(close_id=close_id, account__role="loans").values_list(
        "loan_id", "loan__arrears_since", "balance"
    )
    recent = (
        Leg.objects.filter(
            entry__fund=fund,
            loan__fund=fund,
            account__role="loans",
            entry__status=POSTED,
            entry__entry_date__gt=ends_on,
        )
        .values("loan_id", since=F("loan__arrears_since"))
        .order_by()
        .annotate(outstanding=_sum(F("debit") - F("credit")))
        .values_list("loan_id", "since", "outstanding")
    )
    outstanding: dict[int, list[Any]] = {}
    for rows in (carried, recent):
        for loan_id, since, amount in rows:
            outstanding.setdefault(loan_id, [since, ZERO])[1] += amount
    owing = [since for since, amount in outstanding.values() if amount > 0]
    return {"active": len(owing), "arrears": sum(1 for since in owing if since is not None)}


def fund_summary(fund: Fund) -> dict[str, Any]:
    """The fund's figures today: balances by role, income and expenses (to date, and in the
    current accounting year), members, loans, arrears, pending entries, the last closed day.
    Seven queries, whatever the size of the books: balances are carried forward at the last
    month close, only the legs dated after it (or in the current year) are read."""
    today = timezone.localdate()
    year_start, year_end = year_bounds(fund, today)
    in_year = Q(entry__entry_date__gte=year_start, entry__entry_date__lte=year_end)
    close_id, ends_on = _close(fund, None)
    after = Q(entry__entry_date__gt=ends_on)
    rows = (
        Leg.objects.filter(entry__fund=fund, entry__status=POSTED)
        .filter(entry__entry_date__gt=min(ends_on, year_start - timedelta(days=1)))
        .values("account__role", "account__type")
        .order_by("account__role", "account__type")
        .annotate(
            all_debit=_sum("debit", after),
            all_credit=_sum("credit", after),
            year_debit=_sum("debit", in_year),
            year_credit=_sum("credit", in_year),
        )
    )
    carried = (
        ClosingBalance.objects.filter(close_id=close_id)
        .values("account__role", "account__type")
        .order_by("account__role", "account__type")
        .annotate(total=_sum("balance"))
    )
    by_role: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
    year_by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in carried:
        by_role[row["account__role"]] += row["total"]
        by_type[row["account__type"]] += row["total"]
    for row in rows:
        type_ = row["account__type"]
        amount = domain.natural(type_, row["all_debit"], row["all_credit"])
        by_role[row["account__role"]] += amount
        by_type[type_] += amount
        year_by_type[type_] += domain.natural(type_, row["year_debit"], row["year_credit"])
    members = FundMember.objects.filter(fund=fund).aggregate(
        active=Count("pk", filter=Q(left_on__isnull=True)), total=Count("pk")
    )
    loans = _loan_counts(fund)
    income, expenses = by_type["income"], by_type["expense"]
    return {
        "cash": by_role["cash"],
        "bank": by_role["bank"],
        "savings": by_role["savings"],
        "loans_outstanding": by_role["loans"],
        "interest_due": by_role["interest_receivable"],
        "fees_due": by_role["fees_receivable"],
        "capital": by_role["capital"],
        "grants": by_role["grants"],
        "assets": by_type["asset"],
        "liabilities": by_type["liability"],
        "equity": by_type["equity"],
        "income": income,
        "expenses": expenses,
        "surplus": income - expenses,
        "year_start": year_start,
        "year_end": year_end,
        "year_income": year_by_type["income"],
        "year_expenses": year_by_type["expense"],
        "year_surplus": year_by_type["income"] - year_by_type["expense"],
        "members": members["active"],
        "members_total": members["total"],
        "active_loans": loans["active"],
        "loans_in_arrears": loans["arrears"],
        "pending_entries": Entry.objects.filter(fund=fund, status=Entry.Status.PENDING).count(),
        "closed_through": ledger.closed_through(fund),
    }


# --- the monthly statement --------------------------------------------------------------------


@dataclass(frozen=True)
class SavingsShort:
    member: FundMember
    saved: Decimal  # net savings put in during the month (withdrawals not counted)
    short: Decimal  # what is missing to reach the fund's monthly minimum


@dataclass(frozen=True)
class Statement:
    month: date  # the month's first day
    start: date
    end: date
    rows: list[AccountRow]
    entries: list[Entry]
    pending: int  # entries dated in the month still waiting for confirmation
    savings_short: list[SavingsShort] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)


def savings_short(fund: Fund, start: date, end: date) -> list[SavingsShort]:
    """Members (in the fund during the period) who saved less than the monthly minimum: what
    they put in is the credits less debits on their savings from posted entries dated in the
    period, leaving out withdrawals and their reversals. Two queries: the period's savings legs
    grouped by member (never the members' whole history), then the members short of it."""
    minimum = fund.savings_minimum
    if not minimum or minimum <= 0:
        return []
    saved = (
        Leg.objects.filter(
            member__fund=fund,
            account__role="savings",
            entry__status=POSTED,
            entry__entry_date__gte=start,
            entry__entry_date__lte=end,
        )
        .exclude(entry__kind=Entry.Kind.WITHDRAWAL)
        .exclude(entry__reverses__kind=Entry.Kind.WITHDRAWAL)
        .values("member_id")
        .order_by("member_id")
        .annotate(total=_sum(F("credit") - F("debit")))
    )
    totals = {row["member_id"]: row["total"] for row in saved}
    enough = [pk for pk, total in totals.items() if total >= minimum]
    members = (
        FundMember.objects.filter(fund=fund, joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .exclude(pk__in=enough)
        .select_related("person")
        .order_by("member_no")
    )
    rows = []
    for member in members:
        amount = totals.get(member.pk, ZERO)
        rows.append(SavingsShort(member, amount, minimum - amount))
    return rows


def statement(fund: Fund, month_first: date) -> Statement:
    """The month's statement: accounts (opening, debits, credits, closing), the posted entries
    dated in the month with their legs, the count of entries still pending, and the members who
    saved less than the minimum. Six queries."""
    start, end = domain.month_bounds(month_first)
    entries = list(
        Entry.objects.filter(fund=fund, status=POSTED, entry_date__gte=start, entry_date__lte=end)
        .select_related("member__person", "loan", "reverses")
        .prefetch_related(
            Prefetch(
                "legs",
                queryset=Leg.objects.select_related("account", "member", "loan").order_by("pk"),
            )
        )
        .order_by("entry_date", "number")
    )
    pending = Entry.objects.filter(
        fund=fund, status=Entry.Status.PENDING, entry_date__gte=start, entry_date__lte=end
    ).count()
    return Statement(
        month=start,
        start=start,
        end=end,
        rows=account_rows(fund, start, end),
        entries=entries,
        pending=pending,
        savings_short=savings_short(fund, start, end),
    )


# --- members: savings list, passbook, loans --------------------------------------------------


@dataclass(frozen=True)
class MemberSavings:
    member: FundMember
    opening: Decimal
    deposits: Decimal  # credits to the member's savings in the period
    withdrawals: Decimal  # debits
    closing: Decimal


def members_savings(fund: Fund, start: date, end: date) -> list[MemberSavings]:
    """Every member's savings: balance before ``start``, credits and debits in the period,
    balance at ``end`` (posted). Three queries: the members, the savings carried forward at the
    last month close before ``start``, the savings legs dated after it (through ``end``)."""
    close_id, ends_on = _close(fund, start - timedelta(days=1))
    carried = dict(
        ClosingBalance.objects.filter(
            close_id=close_id,
            account__role="savings",
            member__isnull=False,
        )
        .values("member_id")
        .order_by("member_id")
        .annotate(total=_sum("balance"))
        .values_list("member_id", "total")
    )
    within = Q(entry__entry_date__gte=start, entry__entry_date__lte=end)
    legs = {
        row.pop("member_id"): row
        for row in Leg.objects.filter(
            entry__fund=fund,
            account__role="savings",
            member__isnull=False,
            entry__status=POSTED,
            entry__entry_date__gt=ends_on,
            entry__entry_date__lte=end,
        )
        .values("member_id")
        .order_by("member_id")
        .annotate(
            before=_sum(F("credit") - F("debit"), Q(entry__entry_date__lt=start)),
            deposits=_sum("credit", within),
            withdrawals=_sum("debit", within),
        )
    }
    members = (
        FundMember.objects.filter(fund=fund, joined_on__lte=end)
        .select_related("person")
        .order_by("member_no")
    )
    rows = []
    for m in members:
        sums = legs.get(m.pk, {})
        opening = carried.get(m.pk, ZERO) + sums.get("before", ZERO)
        deposits, withdrawals = sums.get("deposits", ZERO), sums.get("withdrawals", ZERO)
        rows.append(
            MemberSavings(m, opening, deposits, withdrawals, opening + deposits - withdrawals)
        )
    return rows


@dataclass(frozen=True)
class PassbookLine:
    entry: Entry
    date: date
    deposit: Decimal
    withdrawal: Decimal
    balance: Decimal


def passbook(member: FundMember) -> list[PassbookLine]:
    """The member's savings, line by line (posted legs in date order) with a running balance.
    One query."""
    legs = (
        Leg.objects.filter(member=member, account__role="savings", entry__status=POSTED)
        .select_related("entry")
        .order_by("entry__entry_date", "entry__number", "pk")
    )
    lines = []
    running = ZERO
    for leg in legs:
        running += leg.credit - leg.debit
        lines.append(PassbookLine(leg.entry, leg.entry.entry_date, leg.credit, leg.debit, running))
    return lines


def member_loans(member: FundMember) -> list[Loan]:
    """The member's loans, each annotated with ``principal_outstanding``, ``interest_due`` and
    ``fees_due`` (posted). One query."""
    posted = Q(legs__entry__status=POSTED)
    net = F("legs__debit") - F("legs__credit")
    return list(
        Loan.objects.filter(member=member)
        .annotate(
            principal_outstanding=_sum(net, posted & Q(legs__account__role="loans")),
            interest_due=_sum(net, posted & Q(legs__account__role="interest_receivable")),
            fees_due=_sum(net, posted & Q(legs__account__role="fees_receivable")),
        )
        .order_by("number")
    )


# --- loans in arrears -------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsRow:
    loan: Loan
    fund: Fund
    district: Any  # organizations.Area of kind district
    member: FundMember
    since: date
    amount: Decimal  # principal and interest due and unpaid
    instalments_late: int
    principal_outstanding: Decimal


def _district_of(area) -> Any:
    if area.kind.code == "community" and area.parent_id:
        return area.parent
    return area


_LOANS_OWED_SQL = """
WITH last AS (
    SELECT f.id AS fund_id,
           (SELECT MAX(pc.ends_on) FROM funds_periodclose pc
             WHERE pc.fund_id = f.id AND pc.kind = 'month' AND pc.ends_on <= %s) AS ends_on
      FROM funds_fund f
     WHERE f.id IN ({funds})
)
SELECT owed.loan_id, owed.role, SUM(owed.amount)
  FROM (
    SELECT cb.loan_id AS loan_id, a.role AS role, cb.balance AS amount
      FROM last
      JOIN funds_periodclose pc
        ON pc.fund_id = last.fund_id AND pc.kind = 'month' AND pc.ends_on = last.ends_on
      JOIN funds_closingbalance cb ON cb.close_id = pc.id
      JOIN funds_account a ON a.id = cb.account_id
      JOIN funds_loan l ON l.id = cb.loan_id
     WHERE a.role IN ({roles}) AND l.first_due_on < %s
    UNION ALL
    SELECT leg.loan_id, a.role, leg.debit - leg.credit
      FROM last
      JOIN funds_entry e
        ON e.fund_id = last.fund_id AND e.entry_date > COALESCE(last.ends_on, %s)
      JOIN funds_leg leg ON leg.entry_id = e.id
      JOIN funds_account a ON a.id = leg.account_id
      JOIN funds_loan l ON l.id = leg.loan_id
     WHERE e.status = 'posted' AND e.entry_date <= %s
       AND a.role IN ({roles}) AND l.first_due_on < %s
  ) owed
 GROUP BY owed.loan_id, owed.role
"""


def _loans_owed(funds: QuerySet[Fund], on: date) -> dict[int, dict[str, Decimal]]:
    """{loan id: {role: posted balance on ``on``}} of the receivables (principal, interest,
    fees; all asset accounts, so debit - credit) of ``funds``' loans first due before ``on``.
    One query: each fund's balances carried forward at its last month close on or before
    ``on`` plus its loan legs dated after that close (each fund's entries are read from its own
    close on through the (fund, entry_date) index, which the ORM cannot say in one query)."""
    fund_sql, fund_params = funds.order_by().values("pk").query.sql_with_params()
    roles = sorted(domain.LOAN_ROLES)
    marks = ", ".join(["%s"] * len(roles))
    statement = _LOANS_OWED_SQL.format(funds=fund_sql, roles=marks)
    params = [on, *fund_params, *roles, on, date.min, on, *roles, on]
    owed: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(roles, ZERO))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for loan_id, role, total in cursor.fetchall():
            # SQLite sums decimals as floats: every amount holds whole satang, so round
            owed[loan_id][role] += round_half_up(Decimal(str(total)))
    return owed


def arrears_rows(funds: QuerySet[Fund], on: date | None = None) -> list[ArrearsRow]:
    """Loans of ``funds`` in arrears on ``on`` (default today): an instalment unpaid after its
    due date, by the loan page's rule (``services_loans.arrears_of``: interest as accrued,
    repayments less their reversals). Four queries, whatever the number of funds and loans;
    ordered by district, fund and loan number.

    What each loan owes is read first (``_loans_owed``: the balances carried forward at each
    fund's last month close plus the loan legs dated after it), then only the loans still owed
    something are read, with their fund, area and member."""
    on = on or timezone.localdate()
    principal = {
        loan_id: amounts["loans"]
        for loan_id, amounts in _loans_owed(funds, on).items()
        if sum(amounts.values(), ZERO) > 0
    }
    loans = list(
        Loan.objects.filter(pk__in=list(principal)).select_related(
            "fund__area__kind",
            "fund__area__parent__kind",
            "fund__kind",
            "member__person",
        )
    )
    for loan in loans:
        loan.principal_outstanding = principal[loan.pk]
    if not loans:
        return []
    from .services_loans import arrears_of  # the loan page's rule, one place

    arrears = arrears_of(loans, on)
    rows = []
    for loan in loans:
        # an instalment due on ``on`` itself is not late yet (domain.arrears)
        late = arrears[loan.pk]
        if late.since is None:
            continue
        rows.append(
            ArrearsRow(
                loan=loan,
                fund=loan.fund,
                district=_district_of(loan.fund.area),
                member=loan.member,
                since=late.since,
                amount=late.amount,
                instalments_late=late.instalments_late,
                principal_outstanding=loan.principal_outstanding,
            )
        )
    rows.sort(key=lambda r: (r.district.code, r.fund.name, r.fund.pk, r.loan.number))
    return rows


@dataclass(frozen=True)
class DistrictArrears:
    district: Any
    rows: list[ArrearsRow]

    @property
    def amount(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)

    @property
    def principal_outstanding(self) -> Decimal:
        return sum((row.principal_outstanding for row in self.rows), ZERO)

    @property
    def funds(self) -> int:
        return len({row.fund.pk for row in self.rows})


def arrears_by_district(rows: Iterable[ArrearsRow]) -> list[DistrictArrears]:
    """``arrears_rows`` grouped by district (in their order)."""
    groups: dict[int, DistrictArrears] = {}
    for row in rows:
        group = groups.get(row.district.pk)
        if group is None:
            group = groups[row.district.pk] = DistrictArrears(row.district, [])
        group.rows.append(row)
    return list(groups.values())
