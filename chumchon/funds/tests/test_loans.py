"""Loans through the services: paying out (every refusal, nothing half-saved), repayments in the
order fees -> interest -> principal, interest accrual (flat, declining, closed periods,
idempotent), late fees once per late instalment, the arrears flag and the daily job (twice =
the same rows, queries independent of the number of loans), a loan's status."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from chumchon.core import periodic as core_periodic
from chumchon.core.models import AuditEvent

from .. import ledger
from .. import services_loans as loans
from ..models import Entry, FundMember, Instalment, Leg, Loan, PeriodClose
from .factories import make_fund, make_member, post_simple

D = Decimal
LOAN_DAY = date(2025, 1, 15)  # first instalment due 15 Feb 2025


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); the Thai comes from the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(role_users):
    return role_users["district_officer"]


@pytest.fixture
def fund(communities):
    """12 % a year on the declining balance, 12 instalments, ceiling 50,000, late fee 50,
    confirmation above 20,000; 100,000 in cash from a grant."""
    made = make_fund()
    post_simple(made, "grant", "cash", "grants", "100000", on=date(2025, 1, 2))
    return made


@pytest.fixture
def member(fund):
    return make_member(fund)


def disburse(clerk, fund, member, principal="12000", on=LOAN_DAY, **kwargs) -> Loan:
    return loans.loan_disburse(
        actor=clerk, fund=fund, member=member, principal=principal, entry_date=on, **kwargs
    )


def repay(clerk, loan, amount, on, **kwargs) -> Entry:
    return loans.repayment(
        actor=clerk, fund=loan.fund, loan=loan, amount=amount, entry_date=on, **kwargs
    )


def counts():
    return (
        Loan.objects.count(),
        Instalment.objects.count(),
        Entry.objects.count(),
        Leg.objects.count(),
    )


def legs_of(entry) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (leg.account.role, leg.debit, leg.credit) for leg in entry.legs.select_related("account")
    ]


def close_through(fund, last: date):
    """A closed month ending on ``last`` (the periods service is another helper's)."""
    PeriodClose.objects.create(
        fund=fund,
        kind=PeriodClose.Kind.MONTH,
        starts_on=last.replace(day=1),
        ends_on=last,
        closed_at=timezone.now(),
    )


# --- paying out -------------------------------------------------------------------------------


def test_disburse_writes_the_loan_its_schedule_and_the_loan_entry(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    assert loan.number == 1
    assert (loan.principal, loan.instalments, loan.first_due_on) == (
        D("12000.00"),
        12,
        date(2025, 2, 15),
    )
    assert (loan.interest_method, loan.interest_rate, loan.late_fee) == (
        "declining",
        D("12.00"),
        D("50.00"),
    )
    schedule = list(loan.schedule.order_by("number"))
    assert len(schedule) == 12
    assert sum(i.principal_due for i in schedule) == D("12000.00")
    assert schedule[0].interest_due == D("120.00")
    entry = Entry.objects.get(loan=loan)
    assert (entry.kind, entry.status, entry.amount, entry.member) == (
        "loan",
        "posted",
        D("12000.00"),
        member,
    )
    assert entry.recorded_by == clerk
    assert sorted(legs_of(entry)) == [
        ("cash", D("0.00"), D("12000.00")),
        ("loans", D("12000.00"), D("0.00")),
    ]
    assert ledger.balance(fund, "cash") == D("88000.00")
    assert ledger.owed_by(loan).principal == D("12000.00")
    assert AuditEvent.objects.filter(action="funds.loan_disburse", object_id=str(loan.pk)).exists()
    assert disburse(clerk, fund, make_member(fund), "1000").number == 2


def test_disburse_takes_instalments_first_due_date_and_bank(clerk, fund, member):
    post_simple(fund, "transfer", "bank", "cash", "20000", on=date(2025, 1, 3))
    loan = disburse(
        clerk, fund, member, "6000", instalments="6", first_due_on=date(2025, 1, 31), via="bank"
    )
    assert loan.instalments == 6
    assert [i.due_on for i in loan.schedule.order_by("number")][:3] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
    ]
    assert ledger.balance(fund, "bank") == D("14000.00")


def test_disburse_above_the_threshold_waits_for_confirmation(clerk, fund, member):
    loan = disburse(clerk, fund, member, "25000")
    assert Entry.objects.get(loan=loan).status == "pending"
    assert ledger.owed_by(loan).principal == D("0.00")  # nothing owed until confirmed


def test_disburse_refused_above_the_ceiling_counting_pending_loans(clerk, fund, member):
    disburse(clerk, fund, member, "30000")  # pending (above 20,000)
    before = counts()
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member, "25,000")
    name = member.person.full_name
    assert error.value.message_dict == {
        "principal": [
            f"Member 1 {name} already owes 30,000.00 baht; with this loan of 25,000.00 the "
            "total 55,000.00 is above the fund's ceiling of 50,000.00 per member."
        ]
    }
    assert counts() == before
    disburse(clerk, fund, member, "20000")  # exactly the ceiling is allowed


def test_disburse_refused_above_the_ceiling_in_thai(clerk, fund, member):
    with translation.override("th"), pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member, "50000.01")
    assert error.value.message_dict["principal"] == [
        "เงินกู้ 50,000.01 บาท เกินวงเงินกู้สูงสุดของกองทุน 50,000.00 บาท ต่อสมาชิกหนึ่งคน"
    ]


def test_disburse_refused_when_the_fund_does_not_lend(clerk, member):
    fund = member.fund
    fund.loan_ceiling = D("0")
    fund.save()
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member, "1000")
    assert error.value.message_dict == {
        "principal": ["This fund does not lend: its loan ceiling per member is zero."]
    }
    assert Loan.objects.count() == 0


def test_disburse_refused_for_a_member_who_left(clerk, fund, member):
    FundMember.objects.filter(pk=member.pk).update(left_on=date(2025, 1, 10))
    member.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member)
    assert error.value.message_dict == {
        "member": [
            f"Member 1 {member.person.full_name} left the fund on 10 January 2568 BE: only "
            "members may borrow."
        ]
    }
    assert counts() == before


def test_disburse_refused_for_a_member_of_another_fund(clerk, fund, member):
    other = make_member(make_fund())
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, other)
    assert list(error.value.message_dict) == ["member"]


def test_disburse_refused_without_enough_cash(clerk, fund, member):
    disburse(clerk, fund, member, "20000")
    disburse(clerk, fund, make_member(fund), "20000")
    disburse(clerk, fund, make_member(fund), "20000")
    disburse(clerk, fund, make_member(fund), "20000")  # 20,000 left in cash
    before = counts()
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, make_member(fund), "20000.01")
    assert error.value.message_dict == {
        "principal": ["The fund has 20,000.00 baht in cash: not enough to pay out 20,000.01 baht."]
    }
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, make_member(fund), "100", via="bank")
    assert error.value.message_dict == {
        "principal": [
            "The fund has 0.00 baht in the bank account: not enough to pay out 100.00 baht."
        ]
    }
    assert counts()[0] == before[0]


@pytest.mark.parametrize(
    ("instalments", "message"),
    [
        (13, "The number of instalments must be from 1 to 12 (this fund's most); got 13."),
        ("0", "The number of instalments must be from 1 to 12 (this fund's most); got 0."),
        ("six", "Enter the number of instalments as a whole number (got “six”)."),
        ("-1", "Enter the number of instalments as a whole number (got “-1”)."),
        (True, "Enter the number of instalments as a whole number (got “True”)."),
    ],
)
def test_disburse_refused_for_instalments_outside_the_fund_rule(
    clerk, fund, member, instalments, message
):
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member, instalments=instalments)
    assert error.value.message_dict == {"instalments": [message]}
    assert Loan.objects.count() == 0


@pytest.mark.parametrize(
    ("principal", "fragment"),
    [
        ("", "enter an amount"),
        ("-500", "must be more than zero"),
        ("0", "must be more than zero"),
        ("12,000.005", "more than 2 decimals"),
        (12000.005, "more than 2 decimals"),
        ("twelve thousand", "is not an amount in baht"),
    ],
)
def test_disburse_refuses_bad_amounts_and_saves_nothing(clerk, fund, member, principal, fragment):
    before = counts()
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member, principal)
    assert list(error.value.message_dict) == ["principal"]
    assert fragment in error.value.message_dict["principal"][0]
    assert counts() == before


def test_disburse_names_every_problem_at_once(clerk, fund, member):
    future = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        loans.loan_disburse(
            actor=clerk,
            fund=fund,
            member=member,
            principal="abc",
            entry_date=future,
            instalments=99,
            first_due_on=future,
            via="safe",
        )
    assert set(error.value.message_dict) == {
        "principal",
        "instalments",
        "via",
        "entry_date",
        "first_due_on",
    }


def test_disburse_refused_in_a_closed_period(clerk, fund, member):
    close_through(fund, date(2025, 1, 31))
    with pytest.raises(ValidationError) as error:
        disburse(clerk, fund, member)
    assert (
        "The books are closed through 31 January 2568 BE"
        in (error.value.message_dict["entry_date"][0])
    )
    assert Loan.objects.count() == 0


# --- interest ---------------------------------------------------------------------------------


def interest_entries(loan):
    return list(
        Entry.objects.filter(loan=loan, kind="interest")
        .order_by("instalment_no")
        .values_list("instalment_no", "entry_date", "amount", "status")
    )


def test_accrue_declining_charges_a_month_on_the_principal_outstanding_on_the_due_date(
    clerk, fund, member
):
    loan = disburse(clerk, fund, member)
    repay(clerk, loan, "1120", date(2025, 2, 15))  # instalment 1 on time
    repay(clerk, loan, "2000", date(2025, 3, 1))  # extra principal: 9,000 left
    created = loans.accrue(loan=loan, through=date(2025, 4, 14))
    assert [e.instalment_no for e in created] == [2]
    assert interest_entries(loan) == [
        (1, date(2025, 2, 15), D("120.00"), "posted"),
        (2, date(2025, 3, 15), D("90.00"), "posted"),
    ]
    assert sorted(legs_of(created[0])) == [
        ("interest_income", D("0.00"), D("90.00")),
        ("interest_receivable", D("90.00"), D("0.00")),
    ]
    assert ledger.owed_by(loan) == ledger.Owed(D("9000.00"), D("90.00"), D("0.00"))


def test_accrue_flat_charges_the_schedule_interest_whatever_was_repaid(clerk, member):
    fund = member.fund
    fund.interest_method = "flat"
    fund.save()
    loan = disburse(clerk, fund, member)
    repay(clerk, loan, "6000", date(2025, 1, 20))  # half the principal early
    loans.accrue(loan=loan, through=date(2025, 4, 30))
    assert [row[2] for row in interest_entries(loan)] == [D("120.00")] * 3


def test_accrue_is_idempotent(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    first = loans.accrue(loan=loan, through=date(2025, 5, 20))
    assert [e.instalment_no for e in first] == [1, 2, 3, 4]
    before = counts()
    assert loans.accrue(loan=loan, through=date(2025, 5, 20)) == []
    assert loans.accrue(loan=loan, through=date(2025, 3, 1)) == []
    assert counts() == before
    # unpaid: the declining interest stays on the whole principal
    assert {row[2] for row in interest_entries(loan)} == {D("120.00")}


def test_accrue_dates_a_charge_in_a_closed_period_on_the_first_open_day(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    close_through(fund, date(2025, 1, 31))
    close_through(fund, date(2025, 2, 28))
    loans.accrue(loan=loan, through=date(2025, 3, 20))
    assert interest_entries(loan) == [
        (1, date(2025, 3, 1), D("120.00"), "posted"),
        (2, date(2025, 3, 15), D("120.00"), "posted"),
    ]


def test_accrue_never_dates_a_charge_in_the_future(clerk, fund, member):
    today = timezone.localdate()
    loan = disburse(clerk, fund, member, on=today - timedelta(days=40))
    created = loans.accrue(loan=loan, through=today + timedelta(days=400))
    assert [e.instalment_no for e in created] == [1]
    assert created[0].entry_date <= today


def test_accrue_waits_for_a_pending_loan_to_be_confirmed(clerk, fund, member):
    loan = disburse(clerk, fund, member, "25000")
    assert loans.accrue(loan=loan, through=date(2025, 3, 20)) == []
    assert loans.charge_late_fees(loan=loan, on=date(2025, 3, 20)) == []


# --- late fees --------------------------------------------------------------------------------


def fee_entries(loan):
    return list(
        Entry.objects.filter(loan=loan, kind="late_fee")
        .order_by("instalment_no")
        .values_list("instalment_no", "entry_date", "amount")
    )


def test_late_fee_is_charged_once_per_late_instalment(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    assert loans.charge_late_fees(loan=loan, on=date(2025, 2, 15)) == []  # due today
    created = loans.charge_late_fees(loan=loan, on=date(2025, 2, 16))
    assert [e.instalment_no for e in created] == [1]
    assert sorted(legs_of(created[0])) == [
        ("fee_income", D("0.00"), D("50.00")),
        ("fees_receivable", D("50.00"), D("0.00")),
    ]
    assert loans.charge_late_fees(loan=loan, on=date(2025, 2, 16)) == []
    assert loans.charge_late_fees(loan=loan, on=date(2025, 3, 10)) == []
    loans.charge_late_fees(loan=loan, on=date(2025, 3, 20))
    loans.charge_late_fees(loan=loan, on=date(2025, 3, 20))
    assert fee_entries(loan) == [
        (1, date(2025, 2, 16), D("50.00")),
        (2, date(2025, 3, 16), D("50.00")),
    ]


def test_late_fee_waits_for_the_grace_days_and_spares_a_payment_within_them(clerk, member):
    fund = member.fund
    fund.grace_days = 5
    fund.save()
    loan = disburse(clerk, fund, member)
    assert loan.grace_days == 5
    assert loans.charge_late_fees(loan=loan, on=date(2025, 2, 20)) == []
    repay(clerk, loan, "1120", date(2025, 2, 19))  # within the grace days
    assert loans.charge_late_fees(loan=loan, on=date(2025, 3, 1)) == []
    loans.charge_late_fees(loan=loan, on=date(2025, 3, 22))  # instalment 2 unpaid
    assert fee_entries(loan) == [(2, date(2025, 3, 21), D("50.00"))]


def test_no_late_fee_when_the_fee_is_zero(clerk, member):
    fund = member.fund
    fund.late_fee = D("0")
    fund.save()
    loan = disburse(clerk, fund, member)
    assert loans.charge_late_fees(loan=loan, on=date(2025, 6, 1)) == []


def test_a_partial_payment_leaves_the_instalment_late(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    repay(clerk, loan, "1119.99", date(2025, 2, 15))
    loans.charge_late_fees(loan=loan, on=date(2025, 2, 16))
    assert fee_entries(loan) == [(1, date(2025, 2, 16), D("50.00"))]


# --- repayments -------------------------------------------------------------------------------


def test_repayment_pays_fees_then_interest_then_principal(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    entry = repay(clerk, loan, "500", date(2025, 2, 20), reference="ใบเสร็จ 12")
    # charged first: interest 120 on 15 Feb, late fee 50 on 16 Feb
    assert interest_entries(loan) == [(1, date(2025, 2, 15), D("120.00"), "posted")]
    assert fee_entries(loan) == [(1, date(2025, 2, 16), D("50.00"))]
    assert (entry.kind, entry.status, entry.amount, entry.loan, entry.member) == (
        "repayment",
        "posted",
        D("500.00"),
        loan,
        member,
    )
    assert entry.reference == "ใบเสร็จ 12"
    assert sorted(legs_of(entry)) == [
        ("cash", D("500.00"), D("0.00")),
        ("fees_receivable", D("0.00"), D("50.00")),
        ("interest_receivable", D("0.00"), D("120.00")),
        ("loans", D("0.00"), D("330.00")),
    ]
    assert ledger.owed_by(loan) == ledger.Owed(D("11670.00"), D("0.00"), D("0.00"))


def test_repayment_smaller_than_the_fees_pays_only_fees(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    entry = repay(clerk, loan, "30", date(2025, 2, 20))
    assert sorted(legs_of(entry)) == [
        ("cash", D("30.00"), D("0.00")),
        ("fees_receivable", D("0.00"), D("30.00")),
    ]
    assert ledger.owed_by(loan) == ledger.Owed(D("12000.00"), D("120.00"), D("20.00"))


def test_repayment_above_what_is_owed_is_refused_and_nothing_is_saved(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    before = counts()
    with pytest.raises(ValidationError) as error:
        repay(clerk, loan, "12170.01", date(2025, 2, 20))
    assert error.value.message_dict == {
        "amount": [
            "The repayment of 12,170.01 baht is more than the loan owes (12,170.00 baht: fees "
            "50.00 baht, interest 120.00 baht, principal 12,000.00 baht)."
        ]
    }
    assert counts() == before  # the accruals it made first are rolled back too
    repay(clerk, loan, "12170.00", date(2025, 2, 20))
    assert ledger.owed_by(loan).total == D("0.00")


def test_repayment_dated_before_the_loan_was_paid_out_is_refused(clerk, fund, member):
    """The loan owes nothing before its date: a backdated repayment would leave its principal
    below zero on the days in between (and the balance sheet of those days)."""
    loan = disburse(clerk, fund, member, on=date(2025, 1, 20))
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        repay(clerk, loan, "1000", date(2025, 1, 16))
    assert excinfo.value.message_dict["amount"] == [
        "The repayment of 1,000.00 baht is more than the loan owes (0.00 baht: fees 0.00 baht, "
        "interest 0.00 baht, principal 0.00 baht)."
    ]
    assert counts() == before
    repay(clerk, loan, "1000", date(2025, 1, 20))
    assert ledger.owed_by(loan).principal == D("11000.00")


def test_repayment_recorded_late_pays_only_what_was_owed_on_its_date(clerk, fund, member):
    """Instalment 1's interest was accrued on 15 Feb (daily job); a repayment made on 10 Feb
    and recorded afterwards pays principal, not interest that was not due yet."""
    loan = disburse(clerk, fund, member)
    loans.accrue(loan=loan, through=date(2025, 2, 15))
    entry = repay(clerk, loan, "1000", date(2025, 2, 10))
    assert sorted(legs_of(entry)) == [
        ("cash", D("1000.00"), D("0.00")),
        ("loans", D("0.00"), D("1000.00")),
    ]
    assert ledger.owed_by(loan) == ledger.Owed(D("11000.00"), D("120.00"), D("0.00"))


def test_repayment_counts_pending_repayments(clerk, fund, member):
    loan = disburse(clerk, fund, member, "20000")
    repay(clerk, loan, "19000", date(2025, 1, 20))  # posted (not above 20,000)
    # 1,000 left: a pending repayment is impossible here, so pend one through the ledger
    post_simple(
        fund, "repayment", "cash", "loans", "600", on=date(2025, 1, 21), loan=loan, confirm=True
    )
    with pytest.raises(ValidationError) as error:
        repay(clerk, loan, "500", date(2025, 1, 22))
    assert "more than the loan owes (400.00 baht" in error.value.message_dict["amount"][0]


def test_repayment_refuses_bad_input_naming_every_problem(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    before = counts()
    with pytest.raises(ValidationError) as error:
        loans.repayment(
            actor=clerk,
            fund=make_fund(),
            loan=loan,
            amount="-5",
            entry_date=timezone.localdate() + timedelta(days=1),
            via="pocket",
        )
    assert set(error.value.message_dict) == {"amount", "via", "entry_date", "loan"}
    assert error.value.message_dict["loan"] == ["Loan 1 is not this fund's."]
    assert counts() == before


def test_early_repayment_of_the_whole_loan_stops_interest_and_fees(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    repay(clerk, loan, "12120", date(2025, 2, 15))  # everything, on the first due date
    assert ledger.owed_by(loan).total == D("0.00")
    assert loans.accrue(loan=loan, through=date(2026, 3, 1)) == []
    assert loans.charge_late_fees(loan=loan, on=date(2026, 3, 1)) == []
    status = loans.loan_status(loan, on=date(2026, 3, 1))
    assert status.owed.total == D("0.00")
    assert (status.paid_principal, status.paid_interest, status.paid_fees) == (
        D("12000.00"),
        D("120.00"),
        D("0.00"),
    )
    assert status.repaid and not status.arrears.in_arrears and status.next_due is None
    with pytest.raises(ValidationError):
        repay(clerk, loan, "0.01", date(2025, 3, 1))


# --- status and the daily job -----------------------------------------------------------------


def test_loan_status_reports_owed_paid_arrears_next_due_and_history(
    clerk, fund, member, django_assert_num_queries
):
    loan = disburse(clerk, fund, member)
    repay(clerk, loan, "1120", date(2025, 2, 15))  # instalment 1
    repay(clerk, loan, "500", date(2025, 3, 20))  # late for instalment 2: fee 50 first
    with django_assert_num_queries(3):
        status = loans.loan_status(loan, on=date(2025, 4, 1))
        kinds = [(e.kind, len(e.legs.all())) for e in status.history]
    assert kinds == [
        ("loan", 2),
        ("interest", 2),
        ("repayment", 3),
        ("interest", 2),
        ("late_fee", 2),
        ("repayment", 4),
    ]
    # 11,000 after instalment 1; the 500 paid fee 50, interest 110, principal 340
    assert status.owed == ledger.Owed(D("10660.00"), D("0.00"), D("0.00"))
    assert (status.paid_principal, status.paid_interest, status.paid_fees) == (
        D("1340.00"),
        D("230.00"),
        D("50.00"),
    )
    # due through instalment 2: 1,120 + 1,110 = 2,230; principal + interest paid 1,570
    assert status.arrears == loans.domain.Arrears(date(2025, 3, 15), D("660.00"), 1)
    assert status.next_due.number == 2
    assert len(status.schedule) == 12
    ahead = loans.loan_status(loan, on=date(2025, 3, 1))
    assert not ahead.arrears.in_arrears and ahead.next_due.number == 2


def test_daily_job_flags_arrears_and_clears_the_flag_after_paying(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    summary = loans.loans_daily(date(2025, 2, 20))
    assert "loans 1, interest entries 1, late fees 1, in arrears 1" in summary
    loan.refresh_from_db()
    assert (loan.arrears_since, loan.arrears_checked_on) == (date(2025, 2, 15), date(2025, 2, 20))
    repay(clerk, loan, "1170", date(2025, 2, 21))  # fee 50 + interest 120 + principal 1,000
    loans.loans_daily(date(2025, 2, 22))
    loan.refresh_from_db()
    assert (loan.arrears_since, loan.arrears_checked_on) == (None, date(2025, 2, 22))


def test_daily_job_run_twice_gives_the_same_rows(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    disburse(clerk, fund, make_member(fund), "6000", instalments=6)
    repay(clerk, loan, "1120", date(2025, 2, 15))

    def snapshot():
        return (
            list(Entry.objects.order_by("pk").values_list("pk", "kind", "entry_date", "amount")),
            Leg.objects.count(),
            list(Loan.objects.order_by("pk").values_list("arrears_since", "arrears_checked_on")),
        )

    loans.loans_daily(date(2025, 5, 20))
    first = snapshot()
    # grant, 2 loans, 1 repayment; interest 4 + 4; late fees 3 (A: 2-4) + 4 (B: 1-4)
    assert len(first[0]) == 1 + 2 + 1 + 8 + 7
    assert loans.loans_daily(date(2025, 5, 20)).startswith(
        "funds 1, loans 2, interest entries 0, late fees 0"
    )
    assert snapshot() == first


def test_daily_job_queries_do_not_grow_with_the_number_of_loans(clerk, fund, member):
    def quiet_run_queries():
        loans.loans_daily(date(2025, 1, 20))  # nothing due yet: only the flags
        with CaptureQueriesContext(connection) as ctx:
            loans.loans_daily(date(2025, 1, 21))
        return len(ctx.captured_queries)

    disburse(clerk, fund, member, "1000")
    one = quiet_run_queries()
    for _ in range(4):
        disburse(clerk, fund, make_member(fund), "1000")
    assert quiet_run_queries() == one


def test_daily_job_skips_loans_that_owe_nothing(clerk, fund, member):
    loan = disburse(clerk, fund, member)
    repay(clerk, loan, "12000", date(2025, 1, 20))
    assert loans.loans_daily(date(2025, 6, 1)).startswith("funds 0, loans 0")
    assert Entry.objects.filter(loan=loan, kind__in=["interest", "late_fee"]).count() == 0


def test_daily_job_is_registered_and_runs_once_a_day(clerk, fund, member):
    disburse(clerk, fund, member)
    core_periodic.autodiscover()
    job = core_periodic.REGISTRY["funds.loans_daily"]
    assert job.every == core_periodic.DAILY
    assert core_periodic.run_due(date(2025, 2, 20), only="funds.loans_daily") == [
        ("funds.loans_daily", "ok")
    ]
    assert core_periodic.run_due(date(2025, 2, 20), only="funds.loans_daily") == [
        ("funds.loans_daily", "skipped")
    ]
    assert Entry.objects.filter(kind="interest").count() == 1


def test_a_reversed_repayment_no_longer_counts_as_paid(clerk, fund, member):
    from .. import services_entries

    loan = disburse(clerk, fund, member)
    paid = repay(clerk, loan, "1120", date(2025, 2, 15))
    assert not loans.loan_status(loan, on=date(2025, 2, 20)).arrears.in_arrears
    services_entries.reverse(actor=clerk, entry=paid, reason="เช็คคืน", entry_date=date(2025, 2, 20))
    status = loans.loan_status(loan, on=date(2025, 2, 21))
    assert (status.paid_principal, status.paid_interest) == (D("0.00"), D("0.00"))
    assert status.owed == ledger.Owed(D("12000.00"), D("120.00"), D("0.00"))
    assert status.arrears == loans.domain.Arrears(date(2025, 2, 15), D("1120.00"), 1)
    assert [e.kind for e in status.history][-1] == "reversal"
    loans.loans_daily(date(2025, 2, 21))
    loan.refresh_from_db()
    assert loan.arrears_since == date(2025, 2, 15)
    # paid on time on the day the grace ended: no late fee for instalment 1
    assert Entry.objects.filter(loan=loan, kind="late_fee").count() == 0
