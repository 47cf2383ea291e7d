"""Recording money (services_entries.py): the typed operations, journal entries, reversals and
the maker-checker confirmation. Every refusal names what is wrong and saves nothing (no entry,
no leg, no audit event)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent
from chumchon.funds import ledger, services_entries
from chumchon.funds.models import Account, Entry, Leg, Loan, PeriodClose
from chumchon.funds.services_entries import (
    OPERATIONS,
    capital,
    confirm,
    deposit,
    expense,
    grant,
    income,
    journal,
    reject,
    reverse,
    transfer,
    withdrawal,
)

from .factories import make_fund, make_member, post_simple

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 15)
LATER = date(2025, 2, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def users(communities):
    return {
        "clerk": make_user("clerk", "district_officer", "1001"),
        "checker": make_user("checker", "district_head", "1001"),
    }


@pytest.fixture
def fund(communities):
    made = make_fund()
    post_simple(made, "grant", "cash", "grants", "100000", on=date(2025, 1, 2))
    return made


@pytest.fixture
def member(fund):
    return make_member(fund, first_name="สมใจ", last_name="ใจดี", prefix="นางสาว")


@contextmanager
def nothing_saved():
    """Nothing is written: no entry, no leg, no audit event."""
    counts = (Entry.objects.count(), Leg.objects.count(), AuditEvent.objects.count())
    yield
    assert (Entry.objects.count(), Leg.objects.count(), AuditEvent.objects.count()) == counts


def refused(call, **kwargs) -> dict[str, list[str]]:
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    return excinfo.value.message_dict


def legs_of(entry: Entry) -> list[tuple[str, Decimal, Decimal, int | None]]:
    return [
        (leg.account.role, leg.debit, leg.credit, leg.member_id)
        for leg in entry.legs.select_related("account").order_by("pk")
    ]


# --- deposits and withdrawals ----------------------------------------------------------------


def test_deposit_credits_the_member_savings_and_debits_cash(fund, member, users):
    entry = deposit(
        actor=users["clerk"], fund=fund, member=member, amount="1,200.50", entry_date=DAY
    )
    assert entry.kind == "deposit" and entry.status == "posted"
    assert entry.amount == Decimal("1200.50") and entry.member == member
    assert legs_of(entry) == [
        ("cash", Decimal("1200.50"), Decimal("0"), None),
        ("savings", Decimal("0"), Decimal("1200.50"), member.pk),
    ]
    assert ledger.savings_of(member) == Decimal("1200.50")
    assert AuditEvent.objects.filter(action="funds.entry_deposit").count() == 1


def test_deposit_through_the_bank_debits_the_bank(fund, member, users):
    entry = deposit(
        actor=users["clerk"], fund=fund, member=member, amount="500", entry_date=DAY, via="bank"
    )
    assert legs_of(entry)[0][0] == "bank"
    assert ledger.balance(fund, "bank") == Decimal("500.00")


def test_deposit_accepts_thai_digits(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="๕๐๐", entry_date=DAY)
    assert entry.amount == Decimal("500.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("-100", "more than zero"),
        ("0", "more than zero"),
        ("abc", "not an amount"),
        ("100.005", "more than 2 decimals"),
        ("", "enter an amount"),
        (None, "enter an amount"),
    ],
)
def test_deposit_with_a_bad_amount_is_refused_and_saves_nothing(fund, member, users, amount, words):
    errors = refused(
        deposit, actor=users["clerk"], fund=fund, member=member, amount=amount, entry_date=DAY
    )
    assert words in errors["amount"][0]


def test_deposit_names_every_problem_at_once(fund, member, users):
    errors = refused(
        deposit,
        actor=users["clerk"],
        fund=fund,
        member=member,
        amount="-5",
        entry_date=date(2024, 12, 1),
        via="pocket",
    )
    assert set(errors) == {"amount", "via", "entry_date", "member"}
    assert "before the fund's books start" in errors["entry_date"][0]
    assert "choose cash or bank" in errors["via"][0]


def test_deposit_for_a_member_of_another_fund_is_refused(fund, users, communities):
    stranger = make_member(make_fund())
    errors = refused(
        deposit, actor=users["clerk"], fund=fund, member=stranger, amount="100", entry_date=DAY
    )
    assert f"Member {stranger.member_no}" in errors["member"][0]
    assert fund.name in errors["member"][0]


def test_deposit_after_the_member_left_is_refused(fund, member, users):
    member.left_on = date(2025, 1, 10)
    member.save()
    errors = refused(
        deposit, actor=users["clerk"], fund=fund, member=member, amount="100", entry_date=DAY
    )
    assert "left the fund on 10 January 2568 BE" in errors["member"][0]


def test_deposit_before_the_member_joined_is_refused(fund, users):
    late = make_member(fund, joined_on=date(2025, 2, 1))
    errors = refused(
        deposit, actor=users["clerk"], fund=fund, member=late, amount="100", entry_date=DAY
    )
    assert "joined on 1 February 2568 BE" in errors["member"][0]


def test_deposit_in_the_future_is_refused(fund, member, users):
    errors = refused(
        deposit,
        actor=users["clerk"],
        fund=fund,
        member=member,
        amount="100",
        entry_date=date(2099, 1, 1),
    )
    assert "in the future" in errors["entry_date"][0]


def test_deposit_in_a_closed_period_is_refused(fund, member, users):
    PeriodClose.objects.create(
        fund=fund,
        kind="month",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 31),
        closed_at="2025-02-01T00:00:00Z",
    )
    errors = refused(
        deposit, actor=users["clerk"], fund=fund, member=member, amount="100", entry_date=DAY
    )
    assert "closed through 31 January 2568 BE" in errors["entry_date"][0]


def test_withdrawal_debits_savings_and_credits_cash(fund, member, users):
    deposit(actor=users["clerk"], fund=fund, member=member, amount="1200", entry_date=DAY)
    entry = withdrawal(actor=users["clerk"], fund=fund, member=member, amount="200", entry_date=DAY)
    assert legs_of(entry) == [
        ("savings", Decimal("200.00"), Decimal("0"), member.pk),
        ("cash", Decimal("0"), Decimal("200.00"), None),
    ]
    assert ledger.savings_of(member) == Decimal("1000.00")


def test_withdrawal_above_the_savings_is_refused_naming_member_and_amounts(fund, member, users):
    deposit(actor=users["clerk"], fund=fund, member=member, amount="1200", entry_date=DAY)
    errors = refused(
        withdrawal,
        actor=users["clerk"],
        fund=fund,
        member=member,
        amount="1500",
        entry_date=DAY,
    )
    assert errors["amount"] == [
        f"Member {member.member_no} นางสาวสมใจ ใจดี has 1,200.00 baht of savings; "
        "a withdrawal of 1,500.00 baht is refused."
    ]
    assert ledger.savings_of(member) == Decimal("1200.00")


def test_withdrawal_of_the_whole_savings_leaves_zero(fund, member, users):
    deposit(actor=users["clerk"], fund=fund, member=member, amount="1200", entry_date=DAY)
    withdrawal(actor=users["clerk"], fund=fund, member=member, amount="1200", entry_date=DAY)
    assert ledger.savings_of(member) == Decimal("0.00")


def test_withdrawal_after_leaving_is_allowed_until_the_savings_are_zero(fund, member, users):
    deposit(actor=users["clerk"], fund=fund, member=member, amount="300", entry_date=DAY)
    member.left_on = date(2025, 1, 20)
    member.save()
    withdrawal(actor=users["clerk"], fund=fund, member=member, amount="300", entry_date=LATER)
    assert ledger.savings_of(member) == Decimal("0.00")
    errors = refused(
        withdrawal, actor=users["clerk"], fund=fund, member=member, amount="1", entry_date=LATER
    )
    assert "has 0.00 baht of savings" in errors["amount"][0]


def test_withdrawal_above_the_cash_in_hand_is_refused(communities, users):
    fund = make_fund()
    member = make_member(fund)
    deposit(actor=users["clerk"], fund=fund, member=member, amount="1000", entry_date=DAY)
    transfer(actor=users["clerk"], fund=fund, amount="900", entry_date=DAY, to="bank")
    errors = refused(
        withdrawal, actor=users["clerk"], fund=fund, member=member, amount="500", entry_date=DAY
    )
    assert errors["amount"] == [
        "The fund has 100.00 baht in cash; a withdrawal of 500.00 baht is refused."
    ]


def test_ledger_safety_net_refuses_a_withdrawal_the_service_check_missed(
    fund, member, users, monkeypatch
):
    """With the service's own check bypassed, the ledger's never-negative check still refuses."""
    monkeypatch.setattr(ledger, "savings_of", lambda member, available=False: Decimal("99999"))
    errors = refused(
        withdrawal, actor=users["clerk"], fund=fund, member=member, amount="10", entry_date=DAY
    )
    assert "does not have enough savings: 10.00 baht short" in errors["amount"][0]


def test_withdrawal_dated_before_the_deposit_that_funds_it_is_refused(fund, member, users):
    """Today's total is enough, but on the withdrawal's date the savings (and a cash box holding
    only that deposit) would be below zero: the passbook would show a negative line."""
    deposit(actor=users["clerk"], fund=fund, member=member, amount="1000", entry_date=LATER)
    errors = refused(
        withdrawal, actor=users["clerk"], fund=fund, member=member, amount="600", entry_date=DAY
    )
    assert errors["amount"] == [
        f"Member {member.member_no} นางสาวสมใจ ใจดี would not have enough savings on "
        "15 January 2568 BE (600.00 baht short): the money comes in after that date."
    ]
    withdrawal(actor=users["clerk"], fund=fund, member=member, amount="600", entry_date=LATER)
    assert ledger.savings_of(member) == Decimal("400.00")


def test_expense_dated_before_the_cash_came_in_is_refused(communities, users):
    fund = make_fund()
    post_simple(fund, "grant", "cash", "grants", "500", on=LATER)
    errors = refused(
        expense, actor=users["clerk"], fund=fund, amount="200", entry_date=DAY, description="x"
    )
    assert errors["amount"] == [
        "The fund would not have enough in cash on 15 January 2568 BE (200.00 baht short): "
        "the money comes in after that date."
    ]


# --- maker-checker ------------------------------------------------------------------------------


def test_deposit_above_the_threshold_waits_and_does_not_count(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    assert entry.status == "pending"
    assert ledger.savings_of(member) == Decimal("0.00")
    assert ledger.savings_of(member, available=True) == Decimal("0.00")
    assert ledger.balance(fund, "cash") == Decimal("100000.00")


def test_confirmation_by_another_person_makes_the_deposit_count(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    confirmed = confirm(actor=users["checker"], entry=entry)
    assert confirmed.status == "posted" and confirmed.decided_by == users["checker"]
    assert confirmed.decided_at is not None
    assert ledger.savings_of(member) == Decimal("25000.00")
    assert AuditEvent.objects.filter(action="funds.entry_confirm").count() == 1


def test_the_recorder_cannot_confirm_their_own_entry(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    errors = refused(confirm, actor=users["clerk"], entry=entry)
    assert errors["actor"] == ["You recorded this entry: another committee member must confirm it."]
    entry.refresh_from_db()
    assert entry.status == "pending" and entry.decided_by is None


def test_the_recorder_cannot_reject_their_own_entry(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    errors = refused(reject, actor=users["clerk"], entry=entry, reason="ผิด")
    assert "another committee member must reject it" in errors["actor"][0]


def test_confirming_a_posted_entry_is_refused(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="100", entry_date=DAY)
    errors = refused(confirm, actor=users["checker"], entry=entry)
    assert errors["entry"] == [f"Entry {entry.number} is not awaiting confirmation (it is posted)."]


def test_a_second_confirmation_is_refused(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    confirm(actor=users["checker"], entry=entry)
    other = make_user("checker-2", "district_head", "1001")
    errors = refused(confirm, actor=other, entry=entry)  # a stale object: re-read under lock
    assert "not awaiting confirmation (it is posted)" in errors["entry"][0]


def test_a_pending_withdrawal_reserves_the_savings(fund, member, users):
    post_simple(fund, "deposit", "cash", "savings", "30000", on=DAY, member=member)
    pending = withdrawal(
        actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY
    )
    assert pending.status == "pending"
    assert ledger.savings_of(member) == Decimal("30000.00")
    assert ledger.savings_of(member, available=True) == Decimal("5000.00")
    errors = refused(
        withdrawal, actor=users["clerk"], fund=fund, member=member, amount="6000", entry_date=DAY
    )
    assert errors["amount"] == [
        f"Member {member.member_no} นางสาวสมใจ ใจดี has 5,000.00 baht of savings available "
        "(25,000.00 baht is held by withdrawals awaiting confirmation); a withdrawal of "
        "6,000.00 baht is refused."
    ]
    withdrawal(actor=users["clerk"], fund=fund, member=member, amount="5000", entry_date=DAY)
    confirm(actor=users["checker"], entry=pending)
    assert ledger.savings_of(member) == Decimal("0.00")


def test_rejecting_a_pending_withdrawal_frees_the_savings(fund, member, users):
    post_simple(fund, "deposit", "cash", "savings", "30000", on=DAY, member=member)
    pending = withdrawal(
        actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY
    )
    rejected = reject(actor=users["checker"], entry=pending, reason="สมาชิกยกเลิกคำขอ")
    assert rejected.status == "rejected" and rejected.reject_reason == "สมาชิกยกเลิกคำขอ"
    assert ledger.savings_of(member, available=True) == Decimal("30000.00")
    assert AuditEvent.objects.filter(action="funds.entry_reject").count() == 1
    errors = refused(confirm, actor=users["checker"], entry=rejected)
    assert "(it is rejected)" in errors["entry"][0]


def test_reject_needs_a_reason(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    errors = refused(reject, actor=users["checker"], entry=entry, reason="  ")
    assert errors["reason"] == ["Give the reason for rejecting the entry."]


def test_confirming_an_entry_now_in_a_closed_period_is_refused(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    PeriodClose.objects.create(
        fund=fund,
        kind="month",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 31),
        closed_at="2025-02-01T00:00:00Z",
    )
    errors = refused(confirm, actor=users["checker"], entry=entry)
    assert "in a closed period" in errors["entry"][0]


# --- the fund's own money ---------------------------------------------------------------------


def test_grant_goes_to_the_bank_with_its_source(fund, users):
    entry = grant(
        actor=users["clerk"],
        fund=fund,
        amount="1000000",
        entry_date=DAY,
        source="กองทุนหมู่บ้านและชุมชนเมืองแห่งชาติ",
        reference="สทบ. 12/2568",
    )
    assert entry.kind == "grant" and entry.status == "pending"  # above the threshold
    assert entry.description == "กองทุนหมู่บ้านและชุมชนเมืองแห่งชาติ"
    assert [(r, d, c) for r, d, c, _m in legs_of(entry)] == [
        ("bank", Decimal("1000000.00"), Decimal("0")),
        ("grants", Decimal("0"), Decimal("1000000.00")),
    ]


def test_capital_credits_fund_capital(fund, users):
    entry = capital(actor=users["clerk"], fund=fund, amount="5000", entry_date=DAY)
    assert [r for r, *_ in legs_of(entry)] == ["cash", "capital"]
    assert ledger.balance(fund, "capital") == Decimal("5000.00")


def test_expense_credits_cash_and_needs_a_description(fund, users):
    entry = expense(
        actor=users["clerk"], fund=fund, amount="350", entry_date=DAY, description="ค่าเครื่องเขียน"
    )
    assert [r for r, *_ in legs_of(entry)] == ["expenses", "cash"]
    errors = refused(
        expense, actor=users["clerk"], fund=fund, amount="350", entry_date=DAY, description=""
    )
    assert errors["description"] == ["Describe what the money was for."]


def test_expense_above_the_cash_is_refused(fund, users):
    errors = refused(
        expense,
        actor=users["clerk"],
        fund=fund,
        amount="100000.01",
        entry_date=DAY,
        description="ค่าเช่า",
    )
    assert errors["amount"] == [
        "The fund has 100,000.00 baht in cash; an expense of 100,000.01 baht is refused."
    ]


def test_expense_on_an_account_of_the_wrong_type_or_fund_is_refused(fund, users, communities):
    savings = ledger.account(fund, "savings")
    errors = refused(
        expense,
        actor=users["clerk"],
        fund=fund,
        amount="10",
        entry_date=DAY,
        description="x",
        account=savings,
    )
    assert "is not an account of type “Expense”" in errors["account"][0]
    foreign = ledger.account(make_fund(), "expenses")
    errors = refused(
        expense,
        actor=users["clerk"],
        fund=fund,
        amount="10",
        entry_date=DAY,
        description="x",
        account=foreign,
    )
    assert errors["account"] == ["The account is not one of this fund's accounts."]


def test_expense_and_income_on_an_added_account(fund, users):
    rent = Account.objects.create(
        fund=fund, code="5200", type="expense", role="other", name_th="ค่าเช่าสถานที่"
    )
    entry = expense(
        actor=users["clerk"], fund=fund, amount="10", entry_date=DAY, description="x", account=rent
    )
    assert entry.legs.filter(account=rent, debit=Decimal("10")).exists()
    entry = income(actor=users["clerk"], fund=fund, amount="20", entry_date=DAY, description="y")
    assert [r for r, *_ in legs_of(entry)] == ["cash", "fee_income"]


def test_transfer_to_the_bank_and_back(fund, users):
    transfer(actor=users["clerk"], fund=fund, amount="15000", entry_date=DAY, to="bank")
    assert ledger.balance(fund, "bank") == Decimal("15000.00")
    assert ledger.balance(fund, "cash") == Decimal("85000.00")
    transfer(actor=users["clerk"], fund=fund, amount="5000", entry_date=DAY, to="cash")
    assert ledger.balance(fund, "cash") == Decimal("90000.00")
    errors = refused(
        transfer, actor=users["clerk"], fund=fund, amount="10001", entry_date=DAY, to="cash"
    )
    assert errors["amount"] == [
        "The fund has 10,000.00 baht in the bank account; a transfer of 10,001.00 baht is refused."
    ]
    errors = refused(
        transfer, actor=users["clerk"], fund=fund, amount="1", entry_date=DAY, to="safe"
    )
    assert "choose cash or bank" in errors["to"][0]


def test_a_pending_transfer_holds_the_cash(fund, users):
    pending = transfer(actor=users["clerk"], fund=fund, amount="60000", entry_date=DAY)
    assert pending.status == "pending"
    assert ledger.balance(fund, "bank") == Decimal("0.00")
    assert ledger.balance(fund, "cash", available=True) == Decimal("40000.00")
    errors = refused(
        transfer, actor=users["clerk"], fund=fund, amount="40001", entry_date=DAY, to="bank"
    )
    assert "The fund has 40,000.00 baht in cash" in errors["amount"][0]


def test_operations_name_every_typed_operation():
    assert set(OPERATIONS) == {
        "deposit",
        "withdrawal",
        "loan",
        "repayment",
        "expense",
        "income",
        "grant",
        "capital",
        "transfer",
        "journal",
    }
    with translation.override("th"):
        assert str(OPERATIONS["deposit"]) != "Savings deposit"


# --- journal entries --------------------------------------------------------------------------


def test_journal_with_account_codes_and_member_numbers(fund, member, users):
    entry = journal(
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="โอนเงินปันผลเข้าบัญชีสัจจะ",
        legs=[
            {"account_code": "5100", "debit": "150.00", "credit": ""},
            {"account_code": "2100", "debit": "0", "credit": "150", "member_no": member.member_no},
        ],
    )
    assert entry.kind == "journal" and entry.member == member
    assert ledger.savings_of(member) == Decimal("150.00")


def test_journal_with_loan_legs(fund, member, users):
    loan = Loan.objects.create(
        fund=fund,
        member=member,
        number=1,
        principal=Decimal("1200"),
        interest_method="declining",
        interest_rate=Decimal("12"),
        instalments=12,
        first_due_on=date(2025, 2, 15),
    )
    entry = journal(
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="ยกยอดลูกหนี้เงินกู้",
        legs=[
            {"account": ledger.account(fund, "loans"), "debit": "1200", "loan_number": "1"},
            {"account": ledger.account(fund, "cash"), "credit": "1200"},
        ],
    )
    assert entry.loan == loan
    assert ledger.owed_by(loan).principal == Decimal("1200.00")
    errors = refused(
        journal,
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="ลดหนี้เกิน",
        legs=[
            {"account_code": "1010", "debit": "2000"},
            {"account_code": "1100", "credit": "2000", "loan": loan},
        ],
    )
    assert (
        "it takes 2,000.00 baht off Loans receivable of loan 1, which is 1,200.00 baht"
        in (errors["amount"][0])
    )


def test_unbalanced_journal_is_refused_and_saves_nothing(fund, users):
    errors = refused(
        journal,
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="ผิด",
        legs=[
            {"account_code": "5100", "debit": "100"},
            {"account_code": "1010", "credit": "90"},
        ],
    )
    assert errors["legs"] == [
        "The transaction does not balance: debits 100.00 baht, credits 90.00 baht."
    ]


def test_journal_leg_problems_are_keyed_by_leg(fund, member, users):
    errors = refused(
        journal,
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="ผิดหลายที่",
        legs=[
            {"account_code": "9999", "debit": "100"},
            {"account_code": "5100", "debit": "-5"},
            {"account_code": "1010", "credit": "1.001"},
            {"account_code": "2100", "credit": "5"},
            {"account_code": "1010", "debit": "5", "member_no": "77"},
        ],
    )
    assert errors["legs.1.account"] == ["Leg 1: the fund has no account 9999."]
    assert "Leg 2 debit must be more than zero" in errors["legs.2.debit"][0]
    assert "Leg 3 credit has more than 2 decimals" in errors["legs.3.credit"][0]
    assert errors["legs.5.member"] == ["Leg 5: the fund has no member number 77."]


def test_journal_structure_problems(fund, member, users):
    errors = refused(
        journal,
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="x",
        legs=[
            {"account_code": "2100", "credit": "5"},
            {"account_code": "1010", "debit": "5", "credit": "5"},
            {"account_code": "5100", "debit": "5", "member": member},
        ],
    )
    assert errors["legs.1.member"] == ["Leg 1: member savings need the member."]
    assert errors["legs.2"] == ["Leg 2: enter either a debit or a credit, more than zero."]
    assert "only member savings legs name a member" in errors["legs.3.member"][0]
    errors = refused(
        journal, actor=users["clerk"], fund=fund, entry_date=DAY, description="x", legs=[]
    )
    assert "at least two legs" in errors["legs"][0]


def test_journal_that_overdraws_a_member_is_refused(fund, member, users):
    errors = refused(
        journal,
        actor=users["clerk"],
        fund=fund,
        entry_date=DAY,
        description="x",
        legs=[
            {"account_code": "2100", "debit": "5", "member": member},
            {"account_code": "1010", "credit": "5"},
        ],
    )
    assert errors["amount"] == [
        f"The journal entry is refused: it takes 5.00 baht from the savings of Member "
        f"{member.member_no} นางสาวสมใจ ใจดี, who has 0.00 baht available."
    ]


# --- reversals --------------------------------------------------------------------------------


def test_reverse_mirrors_the_legs(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="700", entry_date=DAY)
    reversal = reverse(actor=users["clerk"], entry=entry, reason="บันทึกซ้ำ", entry_date=LATER)
    assert reversal.kind == "reversal" and reversal.reverses == entry
    assert reversal.reason == "บันทึกซ้ำ" and reversal.member == member
    assert legs_of(reversal) == [
        ("cash", Decimal("0"), Decimal("700.00"), None),
        ("savings", Decimal("700.00"), Decimal("0"), member.pk),
    ]
    assert ledger.savings_of(member) == Decimal("0.00")
    assert AuditEvent.objects.filter(action="funds.entry_reversal").count() == 1


def test_reverse_refusals(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="700", entry_date=DAY)
    errors = refused(reverse, actor=users["clerk"], entry=entry, reason="", entry_date=LATER)
    assert errors["reason"] == ["Give the reason for reversing the entry."]
    errors = refused(
        reverse, actor=users["clerk"], entry=entry, reason="x", entry_date=date(2025, 1, 14)
    )
    assert "before the entry it reverses (15 January 2568 BE)" in errors["entry_date"][0]
    reversal = reverse(actor=users["clerk"], entry=entry, reason="ผิด", entry_date=LATER)
    errors = refused(reverse, actor=users["clerk"], entry=entry, reason="x", entry_date=LATER)
    assert errors["entry"] == [
        f"Entry {entry.number} is already reversed by entry {reversal.number}."
    ]
    errors = refused(reverse, actor=users["clerk"], entry=reversal, reason="x", entry_date=LATER)
    assert errors["entry"] == [
        f"Entry {reversal.number} is itself a reversal: record a new entry instead."
    ]


def test_reversing_a_pending_entry_is_refused(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY)
    errors = refused(reverse, actor=users["clerk"], entry=entry, reason="x", entry_date=LATER)
    assert errors["entry"] == [
        f"Entry {entry.number} is awaiting confirmation: only a posted entry can be reversed."
    ]


def test_reversing_a_deposit_already_withdrawn_is_refused(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="700", entry_date=DAY)
    withdrawal(actor=users["clerk"], fund=fund, member=member, amount="500", entry_date=DAY)
    errors = refused(reverse, actor=users["clerk"], entry=entry, reason="x", entry_date=LATER)
    assert errors["amount"] == [
        f"Entry {entry.number} cannot be reversed (reverse the later entries first): it takes "
        f"700.00 baht from the savings of Member {member.member_no} นางสาวสมใจ ใจดี, who has "
        "200.00 baht available."
    ]


def test_reversal_into_a_closed_period_is_refused_but_allowed_in_the_open_one(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="700", entry_date=DAY)
    PeriodClose.objects.create(
        fund=fund,
        kind="month",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 31),
        closed_at="2025-02-01T00:00:00Z",
    )
    errors = refused(
        reverse, actor=users["clerk"], entry=entry, reason="x", entry_date=date(2025, 1, 20)
    )
    assert "The books are closed through 31 January 2568 BE" in errors["entry_date"][0]
    reversal = reverse(actor=users["clerk"], entry=entry, reason="x", entry_date=LATER)
    assert reversal.entry_date == LATER


def test_reversal_above_the_threshold_waits_and_a_rejected_one_may_be_redone(fund, member, users):
    post_simple(fund, "deposit", "cash", "savings", "30000", on=DAY, member=member)
    entry = Entry.objects.get(kind="deposit")
    reversal = reverse(actor=users["clerk"], entry=entry, reason="ผิดคน", entry_date=LATER)
    assert reversal.status == "pending"
    assert ledger.savings_of(member) == Decimal("30000.00")
    assert ledger.savings_of(member, available=True) == Decimal("0.00")
    reject(actor=users["checker"], entry=reversal, reason="ไม่ผิด")
    again = reverse(actor=users["clerk"], entry=entry, reason="ผิดคนจริง", entry_date=LATER)
    confirm(actor=users["checker"], entry=again)
    assert ledger.savings_of(member) == Decimal("0.00")


def test_reverse_defaults_to_today(fund, member, users):
    entry = deposit(actor=users["clerk"], fund=fund, member=member, amount="10", entry_date=DAY)
    reversal = reverse(actor=users["clerk"], entry=entry, reason="x")
    from django.utils import timezone

    assert reversal.entry_date == timezone.localdate()


# --- Thai ---------------------------------------------------------------------------------------


def test_messages_in_thai(fund, member, users):
    deposit(actor=users["clerk"], fund=fund, member=member, amount="1200", entry_date=DAY)
    with translation.override("th"):
        errors = refused(
            withdrawal,
            actor=users["clerk"],
            fund=fund,
            member=member,
            amount="1500",
            entry_date=DAY,
        )
        message = errors["amount"][0]
        assert "1,200.00 บาท" in message and "1,500.00 บาท" in message
        assert "สมาชิก" in message and "นางสาวสมใจ ใจดี" in message
        assert "refused" not in message
        pending = deposit(
            actor=users["clerk"], fund=fund, member=member, amount="25000", entry_date=DAY
        )
        errors = refused(confirm, actor=users["clerk"], entry=pending)
        assert "You recorded" not in errors["actor"][0]
        errors = refused(
            deposit,
            actor=users["clerk"],
            fund=fund,
            member=member,
            amount="1",
            entry_date=DAY,
            via="x",
        )
        assert "choose cash or bank" not in errors["via"][0]


def test_module_exposes_the_contract():
    for name in (
        "deposit",
        "withdrawal",
        "grant",
        "capital",
        "expense",
        "income",
        "transfer",
        "journal",
        "reverse",
        "confirm",
        "reject",
    ):
        assert callable(getattr(services_entries, name))
