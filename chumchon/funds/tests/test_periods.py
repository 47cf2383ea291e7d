"""Closing months and years (services_periods.py): in order, once ended, with no entry waiting
for confirmation; loans' interest and late fees charged through the month's end first; a
refusal names what is wrong and closes nothing."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent
from chumchon.funds import domain, ledger
from chumchon.funds.models import Entry, PeriodClose
from chumchon.funds.services_entries import deposit
from chumchon.funds.services_periods import close_month, close_year, open_period_start

from .factories import make_fund, make_member, post_simple

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(communities):
    return make_user("clerk", "district_officer", "1001")


@pytest.fixture
def fund(communities):
    made = make_fund()  # books from 2025-01-01, calendar years
    post_simple(made, "grant", "cash", "grants", "100000", on=date(2025, 1, 2))
    return made


@contextmanager
def nothing_closed():
    counts = (PeriodClose.objects.count(), Entry.objects.count(), AuditEvent.objects.count())
    yield
    assert (
        PeriodClose.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def refused(call, **kwargs) -> dict[str, list[str]]:
    with nothing_closed(), pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    return excinfo.value.message_dict


def test_open_period_starts_with_the_books_then_after_the_last_close(fund, clerk):
    assert open_period_start(fund) == date(2025, 1, 1)
    close_month(actor=clerk, fund=fund, month=date(2025, 1, 20))
    assert open_period_start(fund) == date(2025, 2, 1)


def test_close_month_records_the_close_and_refuses_entries_dated_in_it(fund, clerk):
    member = make_member(fund)
    close = close_month(actor=clerk, fund=fund, month=date(2025, 1, 31))
    assert (close.kind, close.starts_on, close.ends_on) == (
        "month",
        date(2025, 1, 1),
        date(2025, 1, 31),
    )
    assert close.closed_by == clerk
    assert AuditEvent.objects.filter(action="funds.close_month").count() == 1
    with pytest.raises(ValidationError) as excinfo:
        deposit(actor=clerk, fund=fund, member=member, amount="100", entry_date=date(2025, 1, 31))
    assert "closed through 31 January 2568 BE" in excinfo.value.message_dict["entry_date"][0]
    deposit(actor=clerk, fund=fund, member=member, amount="100", entry_date=date(2025, 2, 1))


def test_closing_a_later_month_first_is_refused(fund, clerk):
    errors = refused(close_month, actor=clerk, fund=fund, month=date(2025, 3, 1))
    assert errors["month"] == ["Close January 2568 BE first: months are closed in order."]


def test_closing_a_month_twice_is_refused(fund, clerk):
    close_month(actor=clerk, fund=fund, month=date(2025, 1, 1))
    errors = refused(close_month, actor=clerk, fund=fund, month=date(2025, 1, 1))
    assert errors["month"] == [
        "January 2568 BE is already closed (the books are closed through 31 January 2568 BE)."
    ]


def test_closing_a_month_before_the_books_start_is_refused(fund, clerk):
    errors = refused(close_month, actor=clerk, fund=fund, month=date(2024, 12, 1))
    assert errors["month"] == [
        "The books start on 1 January 2568 BE: there is nothing to close in December 2567 BE."
    ]


def test_closing_the_current_month_is_refused(communities, clerk):
    today = timezone.localdate()
    first, last = domain.month_bounds(today)
    fund = make_fund(established_on=first)
    errors = refused(close_month, actor=clerk, fund=fund, month=today)
    from chumchon.core.dates import format_date

    assert errors["month"] == [
        f"{format_date(first).split(' ', 1)[1]} has not ended: it can be closed from "
        f"{format_date(last + timedelta(days=1))}."
    ]


def test_closing_a_month_with_pending_entries_names_them(fund, clerk):
    member = make_member(fund)
    first = deposit(
        actor=clerk, fund=fund, member=member, amount="25000", entry_date=date(2025, 1, 5)
    )
    deposit(actor=clerk, fund=fund, member=member, amount="100", entry_date=date(2025, 1, 6))
    second = deposit(
        actor=clerk, fund=fund, member=member, amount="30000", entry_date=date(2025, 1, 7)
    )
    assert first.status == second.status == "pending"
    errors = refused(close_month, actor=clerk, fund=fund, month=date(2025, 1, 1))
    assert errors["month"] == [
        f"2 entries dated in January 2568 BE are awaiting confirmation (numbers "
        f"{first.number}, {second.number}): confirm or reject them first."
    ]


def test_a_pending_entry_of_a_later_month_does_not_block(fund, clerk):
    member = make_member(fund)
    deposit(actor=clerk, fund=fund, member=member, amount="25000", entry_date=date(2025, 2, 5))
    close_month(actor=clerk, fund=fund, month=date(2025, 1, 1))


def test_close_year_closes_its_remaining_months_then_the_year(fund, clerk):
    close_month(actor=clerk, fund=fund, month=date(2025, 1, 1))
    year = close_year(actor=clerk, fund=fund, year_start=date(2025, 1, 1))
    assert (year.kind, year.starts_on, year.ends_on) == (
        "year",
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    months = PeriodClose.objects.filter(fund=fund, kind="month").order_by("starts_on")
    assert [m.starts_on.month for m in months] == list(range(1, 13))
    assert ledger.closed_through(fund) == date(2025, 12, 31)
    assert AuditEvent.objects.filter(action="funds.close_year").count() == 1
    errors = refused(close_year, actor=clerk, fund=fund, year_start=date(2025, 1, 1))
    assert errors["year_start"] == ["The year 2568 is already closed."]


def test_close_year_is_all_or_nothing_when_a_month_has_pending_entries(fund, clerk):
    member = make_member(fund)
    pending = deposit(
        actor=clerk, fund=fund, member=member, amount="25000", entry_date=date(2025, 6, 5)
    )
    errors = refused(close_year, actor=clerk, fund=fund, year_start=date(2025, 1, 1))
    assert f"(numbers {pending.number})" in errors["month"][0]
    assert "June 2568 BE" in errors["month"][0]
    assert not PeriodClose.objects.filter(fund=fund).exists()


def test_years_close_in_order(communities, clerk):
    fund = make_fund(established_on=date(2024, 1, 1))
    errors = refused(close_year, actor=clerk, fund=fund, year_start=date(2025, 1, 1))
    assert errors["year_start"] == ["Close the year 2567 first: years are closed in order."]


def test_a_year_not_ended_is_refused(fund, clerk):
    today = timezone.localdate()
    close_year(actor=clerk, fund=fund, year_start=date(2025, 1, 1))
    if today.year > 2026:  # the fixture's books are from 2025: close the years up to this one
        for year in range(2026, today.year):
            close_year(actor=clerk, fund=fund, year_start=date(year, 1, 1))
    errors = refused(close_year, actor=clerk, fund=fund, year_start=date(today.year, 1, 1))
    assert f"The year {today.year + 543} has not ended" in errors["year_start"][0]


def test_an_accounting_year_from_october(communities, clerk):
    fund = make_fund(
        established_on=date(2024, 10, 1), books_start=date(2024, 10, 1), year_start_month=10
    )
    year = close_year(actor=clerk, fund=fund, year_start=date(2025, 3, 15))
    assert (year.starts_on, year.ends_on) == (date(2024, 10, 1), date(2025, 9, 30))
    assert PeriodClose.objects.filter(fund=fund, kind="month").count() == 12
    errors = refused(close_year, actor=clerk, fund=fund, year_start=date(2024, 10, 1))
    assert errors["year_start"] == ["The year 2567-2568 is already closed."]


def test_refusals_in_thai(fund, clerk):
    with translation.override("th"):
        errors = refused(close_month, actor=clerk, fund=fund, month=date(2025, 3, 1))
    assert errors["month"] == ["ต้องปิดบัญชีเดือนมกราคม 2568 ก่อน: การปิดบัญชีต้องเรียงตามลำดับเดือน"]


def test_close_month_charges_loan_interest_and_late_fees_through_its_end(fund, clerk):
    from chumchon.funds.services_loans import loan_disburse

    member = make_member(fund)
    loan = loan_disburse(
        actor=clerk,
        fund=fund,
        member=member,
        principal="12000",
        entry_date=date(2025, 1, 10),
        first_due_on=date(2025, 2, 10),
    )
    close_month(actor=clerk, fund=fund, month=date(2025, 1, 1))
    assert not Entry.objects.filter(loan=loan, kind__in=["interest", "late_fee"]).exists()
    close_month(actor=clerk, fund=fund, month=date(2025, 2, 1))
    interest = Entry.objects.get(loan=loan, kind="interest")
    assert (interest.instalment_no, interest.entry_date) == (1, date(2025, 2, 10))
    assert interest.amount == Decimal("120.00")  # 12 % a year on 12,000 for one month
    fee = Entry.objects.get(loan=loan, kind="late_fee")
    assert fee.amount == Decimal("50.00") and fee.entry_date <= date(2025, 2, 28)
    owed = ledger.owed_by(loan)
    assert (owed.principal, owed.interest, owed.fees) == (
        Decimal("12000.00"),
        Decimal("120.00"),
        Decimal("50.00"),
    )
