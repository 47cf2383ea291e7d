"""The selectors against books computed by hand: two months of a savings group (a grant,
deposits, a loan with its schedule, a transfer to the bank, an expense, interest accrued, a
repayment split interest then principal, a withdrawal), with an entry pending and one rejected
that must not count anywhere. Opening/closing per account, the trial balance, the balance
sheet, the income statement, members short of the savings minimum, the passbook, loans in
arrears, and constant query counts as the books grow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.organizations.models import Area

from .. import domain, ledger, selectors
from ..models import Entry, Instalment, Loan
from .factories import make_fund, make_member, post_simple

pytestmark = pytest.mark.django_db

D = Decimal
JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)


def make_loan(fund, member, principal, *, on, first_due, instalments=12, number=None):
    """A loan with its schedule and the disbursement entry (Dr loans, Cr cash)."""
    number = number or (Loan.objects.filter(fund=fund).count() + 1)
    loan = Loan.objects.create(
        fund=fund,
        member=member,
        number=number,
        principal=D(principal),
        interest_method=fund.interest_method,
        interest_rate=fund.interest_rate,
        instalments=instalments,
        first_due_on=first_due,
    )
    Instalment.objects.bulk_create(
        Instalment(
            loan=loan,
            number=row.number,
            due_on=row.due_on,
            principal_due=row.principal_due,
            interest_due=row.interest_due,
        )
        for row in domain.schedule(
            D(principal), fund.interest_rate, fund.interest_method, instalments, first_due
        )
    )
    post_simple(fund, "loan", "loans", "cash", principal, on=on, loan=loan, member=member)
    return loan


def repay(fund, loan, *, on, interest, principal):
    accounts = ledger.accounts_by_role(fund)
    legs = [ledger.LegIn(accounts["cash"], debit=D(interest) + D(principal))]
    if D(interest):
        legs.append(ledger.LegIn(accounts["interest_receivable"], credit=D(interest), loan=loan))
    if D(principal):
        legs.append(ledger.LegIn(accounts["loans"], credit=D(principal), loan=loan))
    return ledger.post(
        actor=None,
        fund=fund,
        posting=ledger.Posting(kind="repayment", entry_date=on, loan=loan, member=loan.member),
        legs=legs,
        confirm=False,
    )


@pytest.fixture
def books(communities):
    fund = make_fund()
    a, b, c = make_member(fund), make_member(fund), make_member(fund)
    post_simple(fund, "grant", "cash", "grants", "100000", on=date(2025, 1, 5))
    post_simple(fund, "deposit", "cash", "savings", "1000", on=date(2025, 1, 10), member=a)
    post_simple(fund, "deposit", "cash", "savings", "50", on=date(2025, 1, 10), member=b)
    loan = make_loan(fund, a, "12000", on=date(2025, 1, 15), first_due=date(2025, 2, 15))
    post_simple(fund, "transfer", "bank", "cash", "50000", on=date(2025, 1, 20))
    post_simple(fund, "expense", "expenses", "cash", "300", on=date(2025, 1, 25))
    # waiting for confirmation, and rejected: neither counts
    pending = post_simple(
        fund, "transfer", "bank", "cash", "25000", on=date(2025, 1, 26), confirm=True
    )
    rejected = post_simple(
        fund, "expense", "expenses", "cash", "999", on=date(2025, 1, 27), confirm=True
    )
    Entry.objects.filter(pk=rejected.pk).update(status=Entry.Status.REJECTED)
    # February
    post_simple(
        fund,
        "interest",
        "interest_receivable",
        "interest_income",
        "120",
        on=date(2025, 2, 15),
        loan=loan,
    )
    repay(fund, loan, on=date(2025, 2, 16), interest="120", principal="1000")
    post_simple(fund, "withdrawal", "savings", "cash", "200", on=date(2025, 2, 20), member=a)
    post_simple(fund, "deposit", "cash", "savings", "100", on=date(2025, 2, 28), member=b)
    return {"fund": fund, "a": a, "b": b, "c": c, "loan": loan, "pending": pending}


def by_code(rows):
    return {row.account.code: row for row in rows}


def test_january_accounts_opening_debits_credits_closing_by_hand(books):
    rows = by_code(selectors.account_rows(books["fund"], JAN, date(2025, 1, 31)))
    cash = rows["1010"]
    assert (cash.opening, cash.debit, cash.credit, cash.closing) == (
        D("0"),
        D("101050.00"),  # grant 100,000 + deposits 1,050
        D("62300.00"),  # loan 12,000 + transfer 50,000 + expense 300 (pending/rejected left out)
        D("38750.00"),
    )
    assert rows["1020"].closing == D("50000.00")
    assert rows["1100"].closing == D("12000.00")
    assert rows["2100"].closing == D("1050.00")
    assert rows["3200"].closing == D("100000.00")
    assert rows["5100"].closing == D("300.00")
    assert rows["4100"].closing == D("0")
    assert len(rows) == 11  # every account of the chart, moved or not


def test_february_opens_with_january_closing_and_nets_each_side(books):
    rows = by_code(selectors.account_rows(books["fund"], FEB, date(2025, 2, 28)))
    cash = rows["1010"]
    assert (cash.opening, cash.debit, cash.credit, cash.closing) == (
        D("38750.00"),
        D("1220.00"),  # repayment 1,120 + deposit 100
        D("200.00"),  # withdrawal
        D("39770.00"),
    )
    savings = rows["2100"]
    assert (savings.opening, savings.debit, savings.credit, savings.closing) == (
        D("1050.00"),
        D("200.00"),
        D("100.00"),
        D("950.00"),
    )
    interest = rows["1110"]
    assert (interest.debit, interest.credit, interest.closing) == (D("120"), D("120"), D("0"))
    assert rows["1100"].closing == D("11000.00")
    assert rows["4100"].closing == D("120.00")


def test_trial_balance_totals_are_equal_and_by_hand(books):
    trial = selectors.trial_balance(books["fund"])
    assert trial.balanced and trial.difference == 0
    assert trial.total_debit == D("101070.00")  # cash 39,770 + bank 50,000 + loans 11,000 + exp 300
    rows = {account.code: (debit, credit) for account, debit, credit in trial.rows}
    assert rows["2100"] == (D("0"), D("950.00"))
    assert rows["1010"] == (D("39770.00"), D("0"))
    january = selectors.trial_balance(books["fund"], on=date(2025, 1, 31))
    assert january.balanced and january.total_debit == D("101050.00")


def test_balance_sheet_balances_assets_against_liabilities_capital_and_surplus(books):
    sheet = selectors.balance_sheet(books["fund"], date(2025, 2, 28))
    assert sheet.total_assets == D("100770.00")
    assert sheet.total_liabilities == D("950.00")
    assert sheet.total_equity == D("100000.00")
    assert (sheet.income, sheet.expenses, sheet.surplus) == (D("120"), D("300"), D("-180"))
    assert sheet.balanced
    assert sheet.total_liabilities_and_equity == D("100770.00")
    january = selectors.balance_sheet(books["fund"], date(2025, 1, 31))
    assert january.balanced and january.total_assets == D("100750.00")


def test_income_statement_of_the_accounting_year_gives_the_surplus(books):
    fund = books["fund"]
    start, end = selectors.year_bounds(fund, date(2025, 6, 1))
    assert (start, end) == (date(2025, 1, 1), date(2025, 12, 31))
    report = selectors.income_statement(fund, start, end)
    assert report.total_income == D("120.00")
    assert report.total_expenses == D("300.00")
    assert report.surplus == D("-180.00")
    assert [line.account.code for line in report.income] == ["4100", "4200"]
    february = selectors.income_statement(fund, FEB, date(2025, 2, 28))
    assert february.surplus == D("120.00")


def test_accounting_year_starting_in_october_covers_october_to_september(communities):
    fund = make_fund(year_start_month=10)
    assert selectors.year_bounds(fund, date(2025, 2, 1)) == (date(2024, 10, 1), date(2025, 9, 30))


def test_statement_lists_posted_entries_with_legs_and_counts_pending(books):
    report = selectors.statement(books["fund"], JAN)
    assert report.start == JAN and report.end == date(2025, 1, 31)
    kinds = [entry.kind for entry in report.entries]
    assert kinds == ["grant", "deposit", "deposit", "loan", "transfer", "expense"]
    assert all(entry.status == "posted" for entry in report.entries)
    assert report.pending == 1
    assert [len(entry.legs.all()) for entry in report.entries] == [2] * 6
    assert report.total_debit == report.total_credit
    assert selectors.statement(books["fund"], FEB).pending == 0


def test_statement_names_members_below_the_savings_minimum(books):
    january = selectors.statement(books["fund"], JAN).savings_short
    assert [(s.member, s.saved, s.short) for s in january] == [
        (books["b"], D("50.00"), D("50.00")),
        (books["c"], D("0"), D("100.00")),
    ]
    february = selectors.statement(books["fund"], FEB).savings_short
    # A withdrew and put nothing in: a withdrawal does not count as saving
    assert [s.member for s in february] == [books["a"], books["c"]]


def test_a_reversed_deposit_does_not_count_as_saved(books):
    fund, b = books["fund"], books["b"]
    deposit = post_simple(fund, "deposit", "cash", "savings", "500", on=date(2025, 3, 3), member=b)
    accounts = ledger.accounts_by_role(fund)
    ledger.post(
        actor=None,
        fund=fund,
        posting=ledger.Posting(
            kind="reversal", entry_date=date(2025, 3, 4), reverses=deposit, reason="ผิด"
        ),
        legs=[
            ledger.LegIn(accounts["savings"], debit=D("500"), member=b),
            ledger.LegIn(accounts["cash"], credit=D("500")),
        ],
        confirm=False,
    )
    short = selectors.statement(fund, date(2025, 3, 1)).savings_short
    assert books["b"] in [s.member for s in short]


def test_fund_summary_figures(books):
    summary = selectors.fund_summary(books["fund"])
    assert summary["cash"] == D("39770.00")
    assert summary["bank"] == D("50000.00")
    assert summary["savings"] == D("950.00")
    assert summary["loans_outstanding"] == D("11000.00")
    assert summary["interest_due"] == D("0")
    assert summary["grants"] == D("100000.00")
    assert (summary["income"], summary["expenses"], summary["surplus"]) == (
        D("120.00"),
        D("300.00"),
        D("-180.00"),
    )
    assert summary["members"] == 3
    assert summary["active_loans"] == 1
    assert summary["loans_in_arrears"] == 0
    assert summary["pending_entries"] == 1
    assert summary["closed_through"] is None
    assert summary["assets"] == summary["liabilities"] + summary["equity"] + summary["surplus"]


def test_passbook_runs_the_balance_of_posted_savings(books):
    lines = selectors.passbook(books["a"])
    assert [(line.date, line.deposit, line.withdrawal, line.balance) for line in lines] == [
        (date(2025, 1, 10), D("1000.00"), D("0"), D("1000.00")),
        (date(2025, 2, 20), D("0"), D("200.00"), D("800.00")),
    ]


def test_member_loans_show_what_is_owed(books):
    [loan] = selectors.member_loans(books["a"])
    assert (loan.principal_outstanding, loan.interest_due, loan.fees_due) == (
        D("11000.00"),
        D("0"),
        D("0"),
    )
    assert selectors.member_loans(books["b"]) == []


def test_members_savings_over_a_year(books):
    rows = selectors.members_savings(books["fund"], JAN, date(2025, 12, 31))
    assert [(r.member, r.deposits, r.withdrawals, r.closing) for r in rows] == [
        (books["a"], D("1000.00"), D("200.00"), D("800.00")),
        (books["b"], D("150.00"), D("0"), D("150.00")),
        (books["c"], D("0"), D("0"), D("0")),
    ]


def test_arrears_from_the_schedule_and_what_repayments_paid(books):
    fund = books["fund"]
    funds = type(fund).objects.filter(pk=fund.pk)
    # 15 Feb paid (1,000 + 120); on 15 Mar itself nothing is late yet
    assert selectors.arrears_rows(funds, on=date(2025, 3, 15)) == []
    [row] = selectors.arrears_rows(funds, on=date(2025, 3, 16))
    assert row.loan == books["loan"] and row.member == books["a"]
    assert row.since == date(2025, 3, 15)
    assert row.amount == D("1110.00")  # instalment 2: 1,000 principal + 110 interest
    assert row.instalments_late == 1
    assert row.district.code == "1001"
    assert row.principal_outstanding == D("11000.00")
    [group] = selectors.arrears_by_district([row])
    assert group.amount == D("1110.00") and group.funds == 1


def test_a_reversed_repayment_puts_the_loan_back_in_arrears(books):
    fund, loan = books["fund"], books["loan"]
    repayment = Entry.objects.get(fund=fund, kind="repayment")
    accounts = ledger.accounts_by_role(fund)
    ledger.post(
        actor=None,
        fund=fund,
        posting=ledger.Posting(
            kind="reversal", entry_date=date(2025, 2, 25), reverses=repayment, reason="เช็คคืน"
        ),
        legs=[
            ledger.LegIn(accounts["interest_receivable"], debit=D("120"), loan=loan),
            ledger.LegIn(accounts["loans"], debit=D("1000"), loan=loan),
            ledger.LegIn(accounts["cash"], credit=D("1120")),
        ],
        confirm=False,
    )
    [row] = selectors.arrears_rows(type(fund).objects.filter(pk=fund.pk), on=date(2025, 3, 1))
    assert row.since == date(2025, 2, 15) and row.amount == D("1120.00")


def _fund_with_arrears(area):
    fund = make_fund(area)
    member = make_member(fund)
    post_simple(fund, "grant", "cash", "grants", "50000", on=date(2025, 1, 2))
    make_loan(fund, member, "6000", on=date(2025, 1, 3), first_due=date(2025, 2, 3), instalments=6)
    return fund


def test_arrears_rows_take_constant_queries_as_funds_grow(communities):
    from ..models import Fund

    for area in ("T-1001-01", "T-1004-01"):
        _fund_with_arrears(Area.objects.get(code=area))
    with CaptureQueriesContext(connection) as small:
        rows = selectors.arrears_rows(Fund.objects.all(), on=date(2025, 6, 1))
    assert len(rows) == 2
    assert [r.district.code for r in rows] == ["1001", "1004"]
    for area in ("T-1001-01", "T-1004-01", "1001"):
        _fund_with_arrears(Area.objects.get(code=area))
    with CaptureQueriesContext(connection) as large:
        rows = selectors.arrears_rows(Fund.objects.all(), on=date(2025, 6, 1))
    assert len(rows) == 5
    assert len(large.captured_queries) == len(small.captured_queries) <= 4
    assert {r.district.code for r in rows} == {"1001", "1004"}  # a district fund is its own


def test_statement_and_summary_take_constant_queries_as_books_grow(books):
    fund = books["fund"]

    def count(call):
        with CaptureQueriesContext(connection) as ctx:
            call()
        return len(ctx.captured_queries)

    before = (
        count(lambda: selectors.statement(fund, JAN)),
        count(lambda: selectors.fund_summary(fund)),
        count(lambda: selectors.balance_sheet(fund, date(2025, 1, 31))),
        count(lambda: selectors.members_savings(fund, JAN, date(2025, 1, 31))),
    )
    for day in range(2, 9):
        member = make_member(fund)
        post_simple(fund, "deposit", "cash", "savings", "10", on=date(2025, 1, day), member=member)
    after = (
        count(lambda: selectors.statement(fund, JAN)),
        count(lambda: selectors.fund_summary(fund)),
        count(lambda: selectors.balance_sheet(fund, date(2025, 1, 31))),
        count(lambda: selectors.members_savings(fund, JAN, date(2025, 1, 31))),
    )
    assert before == after


def _pending(entry):
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.PENDING)
    return entry


def test_fund_summary_counts_loans_owed_and_those_in_arrears_from_posted_legs(books):
    fund, b, c = books["fund"], books["b"], books["c"]
    repaid = make_loan(fund, b, "2000", on=date(2025, 1, 16), first_due=date(2025, 2, 16))
    repay(fund, repaid, on=date(2025, 2, 17), interest="0", principal="2000")
    late = make_loan(fund, c, "3000", on=date(2025, 1, 17), first_due=date(2025, 2, 17))
    # a stale flag on a loan paid off does not count; a pending repayment pays nothing
    Loan.objects.filter(pk__in=[repaid.pk, late.pk]).update(arrears_since=date(2025, 2, 18))
    _pending(repay(fund, late, on=date(2025, 2, 18), interest="0", principal="3000"))
    summary = selectors.fund_summary(fund)
    assert (summary["active_loans"], summary["loans_in_arrears"]) == (2, 1)


def test_savings_short_counts_only_the_months_posted_savings_of_the_fund(books):
    fund, b, c = books["fund"], books["b"], books["c"]
    d = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "100", on=date(2025, 1, 31), member=d)
    _pending(post_simple(fund, "deposit", "cash", "savings", "500", on=date(2025, 1, 12), member=c))
    post_simple(fund, "deposit", "cash", "savings", "500", on=date(2025, 2, 1), member=b)
    other = make_fund()
    stranger = make_member(other)
    post_simple(other, "deposit", "cash", "savings", "5", on=date(2025, 1, 10), member=stranger)
    short = selectors.savings_short(fund, JAN, date(2025, 1, 31))
    # D saved exactly the minimum; C's deposit is pending; B's 1 February deposit is not January's
    assert [(s.member, s.saved, s.short) for s in short] == [
        (b, D("50.00"), D("50.00")),
        (c, D("0"), D("100.00")),
    ]


def test_arrears_rows_leave_out_loans_paid_off_and_count_only_principal_outstanding(books):
    fund, loan, b = books["fund"], books["loan"], books["b"]
    repaid = make_loan(fund, b, "2000", on=date(2025, 1, 16), first_due=date(2025, 2, 16))
    repay(fund, repaid, on=date(2025, 2, 17), interest="0", principal="2000")
    post_simple(
        fund,
        "interest",
        "interest_receivable",
        "interest_income",
        "110",
        on=date(2025, 3, 15),
        loan=loan,
    )
    _pending(repay(fund, loan, on=date(2025, 3, 15), interest="110", principal="1000"))
    funds = type(fund).objects.filter(pk=fund.pk)
    [row] = selectors.arrears_rows(funds, on=date(2025, 3, 16))
    assert row.loan == loan and row.amount == D("1110.00")
    assert row.principal_outstanding == D("11000.00")  # the interest due is not principal
