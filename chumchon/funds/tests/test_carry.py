"""Balances carried forward at each month close (``ClosingBalance``): the rows written when a
month closes are the sums of its posted legs; every balance, the trial balance, the account
rows, the summary and the members' savings read the last snapshot plus the legs dated after it
and equal a recomputation from the legs alone, on any day (inside a closed month too)."""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from chumchon.conftest import make_user
from chumchon.funds import domain, ledger, selectors
from chumchon.funds import services_loans as loans
from chumchon.funds.models import ClosingBalance, Entry, Leg, PeriodClose
from chumchon.funds.services_entries import deposit, withdrawal
from chumchon.funds.services_periods import close_month, close_year

from .factories import make_fund, make_member, post_simple

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
ROLES = ("cash", "bank", "loans", "interest_receivable", "fees_receivable", "savings", "grants")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(communities):
    return make_user("clerk", "district_officer", "1001")


@pytest.fixture
def books(clerk):
    """A fund over four months: a grant, two members saving and withdrawing, a loan repaid in
    part (interest and a late fee charged by the closes), a pending entry in the open month;
    January to March closed (months only): the open period is April onwards."""
    fund = make_fund()
    post_simple(fund, "grant", "cash", "grants", "100000", on=date(2025, 1, 2))
    one, two = make_member(fund), make_member(fund)
    deposit(actor=clerk, fund=fund, member=one, amount="1000", entry_date=date(2025, 1, 5))
    deposit(actor=clerk, fund=fund, member=two, amount="700", entry_date=date(2025, 1, 6))
    loan = loans.loan_disburse(
        actor=clerk,
        fund=fund,
        member=one,
        principal="12000",
        entry_date=date(2025, 1, 10),
        first_due_on=date(2025, 2, 10),
    )
    close_month(actor=clerk, fund=fund, month=date(2025, 1, 1))
    deposit(actor=clerk, fund=fund, member=one, amount="500", entry_date=date(2025, 2, 5))
    withdrawal(actor=clerk, fund=fund, member=two, amount="700", entry_date=date(2025, 2, 7))
    loans.repayment(actor=clerk, fund=fund, loan=loan, amount="1120", entry_date=date(2025, 2, 10))
    post_simple(fund, "transfer", "bank", "cash", "30000", on=date(2025, 2, 20))
    close_month(actor=clerk, fund=fund, month=date(2025, 2, 1))
    # March: instalment 2 unpaid (interest and a late fee charged when March closes)
    deposit(actor=clerk, fund=fund, member=two, amount="300", entry_date=date(2025, 3, 3))
    close_month(actor=clerk, fund=fund, month=date(2025, 3, 1))
    deposit(actor=clerk, fund=fund, member=one, amount="200", entry_date=date(2025, 4, 2))
    loans.repayment(actor=clerk, fund=fund, loan=loan, amount="500", entry_date=date(2025, 4, 3))
    # waits for confirmation (above the threshold): counts in available balances only
    post_simple(fund, "expense", "expenses", "cash", "25000", on=date(2025, 4, 4), confirm=True)
    return {"fund": fund, "members": [one, two], "loan": loan}


# --- recomputation from the legs alone --------------------------------------------------------


def from_legs(fund, *, on=None, available=False) -> dict[tuple[str, int | None, int | None], D]:
    """{(role, member id, loan id): balance} summed from every leg (no snapshot)."""
    legs = Leg.objects.filter(entry__fund=fund).select_related("account", "entry")
    if on is not None:
        legs = legs.filter(entry__entry_date__lte=on)
    totals: dict = defaultdict(lambda: ZERO)
    for leg in legs:
        amount = domain.natural(leg.account.type, leg.debit, leg.credit)
        status = leg.entry.status
        if status == Entry.Status.POSTED:
            pass
        elif available and status == Entry.Status.PENDING and amount < 0:
            pass  # a pending decrease counts against the available balance
        else:
            continue
        for key in {
            (leg.account.role, None, None),
            (leg.account.role, leg.member_id, None),
            (leg.account.role, None, leg.loan_id),
        }:
            totals[key] += amount
    return totals


def days_to_check():
    """Days inside closed months, on month ends, in the open period, and None (today)."""
    return [
        date(2024, 12, 31),
        date(2025, 1, 5),
        date(2025, 1, 31),
        date(2025, 2, 1),
        date(2025, 2, 15),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 2),
        date(2025, 4, 30),
        None,
    ]


# --- the snapshot -----------------------------------------------------------------------------


def test_month_close_writes_the_sums_of_its_posted_legs_and_a_year_close_writes_none(books):
    fund = books["fund"]
    closes = list(PeriodClose.objects.filter(fund=fund, kind="month").order_by("ends_on"))
    assert [c.ends_on for c in closes] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    for close in closes:
        expected = {}
        rows = (
            Leg.objects.filter(
                entry__fund=fund, entry__status="posted", entry__entry_date__lte=close.ends_on
            )
            .values("account_id", "account__type", "member_id", "loan_id")
            .annotate(debit=ledger.money_sum("debit"), credit=ledger.money_sum("credit"))
        )
        for row in rows:
            amount = domain.natural(row["account__type"], row["debit"], row["credit"])
            if amount:
                expected[(row["account_id"], row["member_id"], row["loan_id"])] = amount
        written = {
            (b.account_id, b.member_id, b.loan_id): b.balance
            for b in ClosingBalance.objects.filter(close=close)
        }
        assert written == expected, close.ends_on
        assert written  # the books are not empty
    # the member who withdrew everything in February has no savings row from February on
    two = books["members"][1]
    assert not ClosingBalance.objects.filter(close=closes[1], member=two).exists()
    assert ClosingBalance.objects.filter(close=closes[2], member=two).get().balance == D("300")


def test_year_close_carries_its_remaining_months_but_adds_no_rows_of_its_own(clerk):
    fund = make_fund()
    post_simple(fund, "grant", "cash", "grants", "5000", on=date(2025, 1, 2))
    year = close_year(actor=clerk, fund=fund, year_start=date(2025, 1, 1))
    assert not ClosingBalance.objects.filter(close=year).exists()
    months = PeriodClose.objects.filter(fund=fund, kind="month")
    assert months.count() == 12
    for close in months:
        assert ClosingBalance.objects.filter(close=close).aggregate(t=Sum("balance"))["t"] == D(
            "10000"
        )  # cash 5,000 + grants 5,000, each in its own direction


def test_backfill_migration_snapshots_closes_written_without_their_rows(clerk):
    fund = make_fund()
    member = make_member(fund)
    post_simple(fund, "grant", "cash", "grants", "5000", on=date(2025, 1, 2))
    deposit(actor=clerk, fund=fund, member=member, amount="400", entry_date=date(2025, 2, 3))
    # bulk_create skips PeriodClose.save: closes as they were before migration 0003
    now = timezone.now()
    PeriodClose.objects.bulk_create(
        [
            PeriodClose(fund=fund, kind="month", starts_on=first, ends_on=last, closed_at=now)
            for first, last in (
                domain.month_bounds(date(2025, 1, 1)),
                domain.month_bounds(date(2025, 2, 1)),
            )
        ]
    )
    assert not ClosingBalance.objects.exists()
    migration = importlib.import_module("chumchon.funds.migrations.0003_closing_balances")
    migration.backfill(django_apps, None)
    for on in (date(2025, 1, 31), date(2025, 2, 28), None):
        expected = from_legs(fund, on=on)
        for role in ROLES:
            assert ledger.balance(fund, role, on=on) == expected[(role, None, None)], (role, on)
    february = PeriodClose.objects.get(fund=fund, ends_on=date(2025, 2, 28))
    assert ClosingBalance.objects.get(close=february, member=member).balance == D("400")


# --- the ledger reads snapshot + open legs ----------------------------------------------------


@pytest.mark.parametrize("available", [False, True])
def test_balances_equal_the_legs_on_every_day_after_several_closes(books, available):
    fund, loan = books["fund"], books["loan"]
    for on in days_to_check():
        expected = from_legs(fund, on=on, available=available)
        for role in ROLES:
            assert (
                ledger.balance(fund, role, on=on, available=available)
                == expected[(role, None, None)]
            ), (role, on)
        for member in books["members"]:
            assert (
                ledger.balance(fund, "savings", member=member, on=on, available=available)
                == expected[("savings", member.pk, None)]
            ), (member, on)
        owed = ledger.owed_by(loan, on=on, available=available)
        assert owed == ledger.Owed(
            expected[("loans", None, loan.pk)],
            expected[("interest_receivable", None, loan.pk)],
            expected[("fees_receivable", None, loan.pk)],
        ), on
    assert ledger.savings_of(books["members"][0]) == D("1700")


def test_balance_on_a_day_inside_a_closed_month_reads_the_previous_close_and_the_days_legs(books):
    fund, one = books["fund"], books["members"][0]
    # 15 February: January's snapshot (1,000) + the deposit of 5 February (500)
    assert ledger.last_close(fund, date(2025, 2, 15)).ends_on == date(2025, 1, 31)
    assert ledger.balance(fund, "savings", member=one, on=date(2025, 2, 15)) == D("1500")
    assert ledger.balance(fund, "savings", member=one, on=date(2025, 2, 4)) == D("1000")
    # before the first close: the legs alone
    assert ledger.last_close(fund, date(2025, 1, 30)) is None
    assert ledger.balance(fund, "savings", member=one, on=date(2025, 1, 4)) == ZERO
    assert ledger.balance(fund, "savings", member=one, on=date(2025, 1, 5)) == D("1000")
    assert ledger.last_close(fund).ends_on == date(2025, 3, 31)


def test_the_never_negative_check_counts_the_carried_balance(books, clerk):
    fund, two = books["fund"], books["members"][1]
    # member two: 700 in, 700 out (February), 300 in March: 300 carried, nothing after
    with pytest.raises(ValidationError):
        withdrawal(actor=clerk, fund=fund, member=two, amount="300.01", entry_date=date(2025, 4, 5))
    with pytest.raises(ValidationError) as excinfo:  # the ledger's own re-sum, past the service
        post_simple(
            fund, "withdrawal", "savings", "cash", "300.01", on=date(2025, 4, 5), member=two
        )
    assert "0.01" in excinfo.value.message_dict["amount"][0]
    withdrawal(actor=clerk, fund=fund, member=two, amount="300", entry_date=date(2025, 4, 5))
    assert ledger.savings_of(two) == ZERO


# --- the selectors ----------------------------------------------------------------------------


def test_trial_balance_and_balance_sheet_equal_the_legs_on_every_day(books):
    fund = books["fund"]
    for on in days_to_check():
        expected = from_legs(fund, on=on)
        tb = selectors.trial_balance(fund, on)
        assert tb.balanced, on
        for account, debit, credit in tb.rows:
            own = expected[(account.role, None, None)] if account.role != "other" else ZERO
            net = own if account.debit_normal else -own
            assert debit - credit == net, (account.role, on)
        if on is not None:
            sheet = selectors.balance_sheet(fund, on)
            assert sheet.balanced, on
            for line in sheet.assets + sheet.liabilities + sheet.equity:
                assert line.amount == expected[(line.account.role, None, None)], (line, on)


def test_account_rows_open_with_the_carried_balance_plus_the_days_between(books):
    fund = books["fund"]
    for start, end in (
        (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 2, 11), date(2025, 3, 15)),  # starts inside a closed month
        (date(2025, 4, 1), date(2025, 4, 30)),
        (date(2025, 3, 20), date(2025, 4, 2)),
    ):
        opening = from_legs(fund, on=start - timedelta(days=1))
        closing = from_legs(fund, on=end)
        for row in selectors.account_rows(fund, start, end):
            role = row.account.role
            assert row.opening == opening[(role, None, None)], (role, start)
            assert row.closing == closing[(role, None, None)], (role, end)
            within = Leg.objects.filter(
                account=row.account,
                entry__status="posted",
                entry__entry_date__gte=start,
                entry__entry_date__lte=end,
            ).aggregate(d=ledger.money_sum("debit"), c=ledger.money_sum("credit"))
            assert (row.debit, row.credit) == (within["d"], within["c"]), (role, start)


def test_summary_and_members_savings_equal_the_legs(books):
    fund = books["fund"]
    expected = from_legs(fund)
    summary = selectors.fund_summary(fund)
    for key, role in (
        ("cash", "cash"),
        ("bank", "bank"),
        ("savings", "savings"),
        ("loans_outstanding", "loans"),
        ("interest_due", "interest_receivable"),
        ("fees_due", "fees_receivable"),
        ("grants", "grants"),
    ):
        assert summary[key] == expected[(role, None, None)], key
    assert summary["active_loans"] == 1
    assert summary["closed_through"] == date(2025, 3, 31)
    for start, end in (
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 3, 10), date(2025, 4, 30)),
    ):
        before = from_legs(fund, on=start - timedelta(days=1))
        after = from_legs(fund, on=end)
        for row in selectors.members_savings(fund, start, end):
            key = ("savings", row.member.pk, None)
            assert (row.opening, row.closing) == (before[key], after[key]), (row.member, start)


def test_arrears_rows_read_each_funds_own_close_and_equal_the_legs(books, clerk):
    from chumchon.funds.models import Fund

    loan = books["loan"]
    # a second fund, never closed, with a loan in arrears too
    other = make_fund()
    post_simple(other, "grant", "cash", "grants", "50000", on=date(2025, 1, 2))
    debtor = make_member(other)
    late = loans.loan_disburse(
        actor=clerk,
        fund=other,
        member=debtor,
        principal="6000",
        entry_date=date(2025, 1, 3),
        first_due_on=date(2025, 2, 3),
    )
    for on in (date(2025, 2, 20), date(2025, 3, 31), date(2025, 4, 20)):
        rows = {row.loan.pk: row for row in selectors.arrears_rows(Fund.objects.all(), on=on)}
        # loan 1 paid instalment 1 on its day (10 February); instalment 2 (10 March) is late
        late_loans = (late,) if on < date(2025, 3, 11) else (loan, late)
        assert set(rows) == {each.pk for each in late_loans}, on
        for each in late_loans:
            expected = from_legs(each.fund, on=on)
            assert rows[each.pk].principal_outstanding == expected[("loans", None, each.pk)]
