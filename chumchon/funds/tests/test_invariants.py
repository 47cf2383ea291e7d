"""The ledger's invariants under random sequences of operations (hypothesis state machine).

One fund with four members; a simulated "today" walks forward from the books' start while
deposits, withdrawals, loans, repayments, reversals, confirmations, rejections, refusals and
month closings happen in any order. After every step:

- every entry balances (debits == credits == its amount) and the trial balance is zero;
- the balances recomputed here from the Leg rows equal the ledger's (each account, each
  member's savings, each loan's principal, interest and fees; posted and available);
- no member's savings, no cash or bank, nothing a loan owes is below zero (posted or
  available);
- ... nor on any day: entries dated back in the open period (a withdrawal, a repayment)
  cannot leave a balance below zero on the days before the money came in;
- the reported figures (``selectors``: trial balance, fund summary, passbooks) agree;
- nothing dated in a closed period changes (its legs are snapshot when a month closes);
- a refused operation raises ValidationError and changes nothing.

Each example runs in a savepoint rolled back at its end. SQLite by default (modest size);
the same machine runs longer on PostgreSQL (``postgres`` marker).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent
from chumchon.funds import (
    domain,
    ledger,
    selectors,
    services_entries,
    services_loans,
    services_periods,
)
from chumchon.funds.models import Entry, Leg, Loan, PeriodClose

from .factories import BOOKS_START, make_fund, make_member, post_simple

ZERO = Decimal("0.00")
ROLES = [role for _code, _type, role, _th, _en in domain.STANDARD_CHART]

amounts = st.one_of(
    st.decimals(min_value=1, max_value=3000, places=2),
    st.decimals(min_value=15000, max_value=30000, places=0),  # around the threshold (20,000)
).map(str)
bad_amounts = st.sampled_from(["-100", "0", "abc", "12.345", "", "1,2,3"])
picks = st.integers(min_value=0, max_value=10_000)


class FundBooks(RuleBasedStateMachine):
    """Set ``clerk`` and ``checker`` (users) on a subclass before running."""

    clerk = None
    checker = None

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.fund = make_fund()
        self.members = [make_member(self.fund) for _ in range(4)]
        # a fund already in use: a grant, savings, and a loan whose first instalment is due
        post_simple(self.fund, "grant", "cash", "grants", "60000", on=BOOKS_START)
        for member in self.members:
            services_entries.deposit(
                actor=self.clerk,
                fund=self.fund,
                member=member,
                amount="1000",
                entry_date=BOOKS_START + timedelta(days=1),
            )
        services_loans.loan_disburse(
            actor=self.clerk,
            fund=self.fund,
            member=self.members[0],
            principal="12000",
            entry_date=BOOKS_START + timedelta(days=4),
            instalments=6,
        )
        self.today = date(2025, 2, 20)  # January has ended; instalment 1 fell due on 5 February
        self.closed_snapshot: tuple | None = None

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    def fingerprint(self) -> tuple:
        return (
            tuple(Entry.objects.filter(fund=self.fund).order_by("pk").values_list("pk", "status")),
            Leg.objects.filter(entry__fund=self.fund).count(),
            Loan.objects.filter(fund=self.fund).count(),
            PeriodClose.objects.filter(fund=self.fund).count(),
            AuditEvent.objects.count(),
        )

    def attempt(self, call, **kwargs):
        """Run an operation; a refusal must be a ValidationError that changed nothing."""
        before = self.fingerprint()
        try:
            return call(**kwargs)
        except ValidationError:
            assert self.fingerprint() == before, "a refused operation changed the books"
            return None

    def has_pending(self) -> bool:
        return Entry.objects.filter(fund=self.fund, status="pending").exists()

    def pick(self, items, index):
        return items[index % len(items)]

    def entries(self, **filters) -> list[Entry]:
        return list(Entry.objects.filter(fund=self.fund, **filters).order_by("number"))

    def closed_legs(self) -> tuple:
        last = ledger.closed_through(self.fund)
        if last is None:
            return ()
        return tuple(
            Leg.objects.filter(entry__fund=self.fund, entry__entry_date__lte=last)
            .order_by("pk")
            .values_list(
                "pk", "entry_id", "entry__status", "account_id", "debit", "credit", "member_id"
            )
        )

    # --- rules ------------------------------------------------------------------------------

    @rule(days=st.integers(min_value=0, max_value=15))
    def advance(self, days: int) -> None:
        self.today = min(self.today + timedelta(days=days), timezone.localdate())

    @rule(who=picks, amount=amounts, via=st.sampled_from(["cash", "bank"]))
    def deposit(self, who: int, amount: str, via: str) -> None:
        entry = services_entries.deposit(
            actor=self.clerk,
            fund=self.fund,
            member=self.pick(self.members, who),
            amount=amount,
            entry_date=self.today,
            via=via,
        )
        assert entry.status == ("pending" if Decimal(amount) > Decimal("20000") else "posted")

    @rule(who=picks, amount=st.one_of(amounts, bad_amounts))
    def withdrawal(self, who: int, amount: str) -> None:
        member = self.pick(self.members, who)
        available = ledger.savings_of(member, available=True)
        entry = self.attempt(
            services_entries.withdrawal,
            actor=self.clerk,
            fund=self.fund,
            member=member,
            amount=amount,
            entry_date=self.today,
        )
        valid = amount not in ("-100", "0", "abc", "12.345", "", "1,2,3")
        if valid and Decimal(amount) > available:
            assert entry is None, "a withdrawal above the available savings was accepted"

    @rule(who=picks)
    def withdraw_everything(self, who: int) -> None:
        member = self.pick(self.members, who)
        available = ledger.savings_of(member, available=True)
        if available > 0:
            self.attempt(
                services_entries.withdrawal,
                actor=self.clerk,
                fund=self.fund,
                member=member,
                amount=str(available),
                entry_date=self.today,
            )

    def back(self, days: int) -> date:
        """A day up to ``days`` before today, in the open period."""
        return max(self.today - timedelta(days=days), services_periods.open_period_start(self.fund))

    @rule(who=picks, amount=amounts, days=st.integers(min_value=1, max_value=40))
    def backdated_withdrawal(self, who: int, amount: str, days: int) -> None:
        self.attempt(
            services_entries.withdrawal,
            actor=self.clerk,
            fund=self.fund,
            member=self.pick(self.members, who),
            amount=amount,
            entry_date=self.back(days),
            via="bank",
        )

    @precondition(lambda self: Loan.objects.filter(fund=self.fund).exists())
    @rule(which=picks, amount=amounts, days=st.integers(min_value=1, max_value=40))
    def backdated_repayment(self, which: int, amount: str, days: int) -> None:
        loan = self.pick(list(Loan.objects.filter(fund=self.fund).order_by("number")), which)
        self.attempt(
            services_loans.repayment,
            actor=self.clerk,
            fund=self.fund,
            loan=loan,
            amount=amount,
            entry_date=self.back(days),
        )

    @rule(who=picks, amount=bad_amounts)
    def bad_deposit(self, who: int, amount: str) -> None:
        entry = self.attempt(
            services_entries.deposit,
            actor=self.clerk,
            fund=self.fund,
            member=self.pick(self.members, who),
            amount=amount,
            entry_date=self.today,
        )
        assert entry is None

    @rule(amount=amounts)
    def expense(self, amount: str) -> None:
        self.attempt(
            services_entries.expense,
            actor=self.clerk,
            fund=self.fund,
            amount=amount,
            entry_date=self.today,
            description="ค่าใช้จ่ายทดสอบ",
        )

    @rule(amount=amounts, to=st.sampled_from(["cash", "bank"]))
    def transfer(self, amount: str, to: str) -> None:
        self.attempt(
            services_entries.transfer,
            actor=self.clerk,
            fund=self.fund,
            amount=amount,
            entry_date=self.today,
            to=to,
        )

    @rule(
        who=picks,
        principal=st.one_of(
            st.decimals(min_value=500, max_value=15000, places=0),
            st.decimals(min_value=15000, max_value=60000, places=0),
        ).map(str),
        instalments=st.integers(min_value=1, max_value=12),
    )
    def loan(self, who: int, principal: str, instalments: int) -> None:
        self.attempt(
            services_loans.loan_disburse,
            actor=self.clerk,
            fund=self.fund,
            member=self.pick(self.members, who),
            principal=principal,
            entry_date=self.today,
            instalments=instalments,
        )

    @precondition(lambda self: Loan.objects.filter(fund=self.fund).exists())
    @rule(which=picks, amount=st.one_of(amounts, st.just("owed")))
    def repayment(self, which: int, amount: str) -> None:
        loans = list(Loan.objects.filter(fund=self.fund).order_by("number"))
        if not loans:
            return
        loan = self.pick(loans, which)
        if amount == "owed":
            owed = ledger.owed_by(loan, available=True).total
            if owed <= 0:
                return
            amount = str(owed)
        before = ledger.owed_by(loan, available=True)
        entry = self.attempt(
            services_loans.repayment,
            actor=self.clerk,
            fund=self.fund,
            loan=loan,
            amount=amount,
            entry_date=self.today,
        )
        if entry is not None:
            owed = ledger.owed_by(loan, available=True)
            assert owed.principal >= 0 and owed.interest >= 0 and owed.fees >= 0
            assert owed.principal <= before.principal

    @rule(which=picks)
    def reverse(self, which: int) -> None:
        candidates = [
            entry
            for entry in self.entries(status="posted")
            if entry.kind != "reversal" and not entry.reversals.exclude(status="rejected").exists()
        ]
        if candidates:
            self.attempt(
                services_entries.reverse,
                actor=self.clerk,
                entry=self.pick(candidates, which),
                reason="บันทึกผิด",
                entry_date=self.today,
            )

    @rule(which=picks)
    def reverse_again_is_refused(self, which: int) -> None:
        reversed_ = [
            entry
            for entry in self.entries(status="posted")
            if entry.reversals.exclude(status="rejected").exists()
        ]
        if reversed_:
            result = self.attempt(
                services_entries.reverse,
                actor=self.clerk,
                entry=self.pick(reversed_, which),
                reason="ซ้ำ",
                entry_date=self.today,
            )
            assert result is None

    @precondition(lambda self: self.has_pending())
    @rule(which=picks)
    def confirm(self, which: int) -> None:
        pending = self.entries(status="pending")
        if pending:
            entry = services_entries.confirm(actor=self.checker, entry=self.pick(pending, which))
            assert entry.status == "posted"

    @precondition(lambda self: self.has_pending())
    @rule(which=picks)
    def confirm_own_is_refused(self, which: int) -> None:
        pending = self.entries(status="pending")
        if pending:
            result = self.attempt(
                services_entries.confirm, actor=self.clerk, entry=self.pick(pending, which)
            )
            assert result is None

    @precondition(lambda self: self.has_pending())
    @rule(which=picks)
    def reject(self, which: int) -> None:
        pending = self.entries(status="pending")
        if pending:
            entry = services_entries.reject(
                actor=self.checker, entry=self.pick(pending, which), reason="ไม่ถูกต้อง"
            )
            assert entry.status == "rejected"

    @precondition(
        lambda self: (
            domain.month_bounds(services_periods.open_period_start(self.fund))[1] < self.today
        )
    )
    @rule()
    def close_month(self) -> None:
        month = services_periods.open_period_start(self.fund)
        close = self.attempt(
            services_periods.close_month, actor=self.checker, fund=self.fund, month=month
        )
        if close is not None:
            self.closed_snapshot = self.closed_legs()

    @precondition(lambda self: ledger.closed_through(self.fund) is not None)
    @rule(who=picks)
    def entry_in_a_closed_period_is_refused(self, who: int) -> None:
        result = self.attempt(
            services_entries.deposit,
            actor=self.clerk,
            fund=self.fund,
            member=self.pick(self.members, who),
            amount="10",
            entry_date=ledger.closed_through(self.fund),
        )
        assert result is None

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def books_hold(self) -> None:
        rows = list(
            Leg.objects.filter(entry__fund=self.fund).values_list(
                "entry_id",
                "entry__status",
                "entry__amount",
                "account__role",
                "account__type",
                "member_id",
                "loan_id",
                "debit",
                "credit",
                "entry__entry_date",
            )
        )
        per_entry: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
        posted: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        available: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        trial = ZERO
        by_day: dict[tuple, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for entry_id, status, amount, role, type_, member_id, loan_id, debit, credit, day in rows:
            totals = per_entry[entry_id]
            totals[0] += debit
            totals[1] += credit
            totals[2] = amount
            change = domain.natural(type_, debit, credit)
            keys = [(role, None, None)]
            if role in domain.MEMBER_ROLES:
                keys.append((role, member_id, None))
            if role in domain.LOAN_ROLES:
                keys.append((role, None, loan_id))
            for key in keys:
                if status == "posted":
                    posted[key] += change
                    available[key] += change
                    by_day[key][day] += change
                elif status == "pending" and change < 0:
                    available[key] += change
            if status == "posted":
                trial += debit - credit
        for entry_id, (debits, credits, amount) in per_entry.items():
            assert debits == credits == amount, f"entry {entry_id} does not balance"
        assert trial == ZERO, "the trial balance is not zero"
        for role in ROLES:
            assert ledger.balance(self.fund, role) == posted[(role, None, None)], role
            assert (
                ledger.balance(self.fund, role, available=True) == available[(role, None, None)]
            ), role
        for role in ("cash", "bank"):
            assert posted[(role, None, None)] >= 0 and available[(role, None, None)] >= 0
        for member in self.members:
            key = ("savings", member.pk, None)
            assert ledger.savings_of(member) == posted[key]
            assert ledger.savings_of(member, available=True) == available[key]
            assert posted[key] >= 0 and available[key] >= 0, f"member {member.member_no}"
        for loan in Loan.objects.filter(fund=self.fund):
            for flag, sums in ((False, posted), (True, available)):
                owed = ledger.owed_by(loan, available=flag)
                expected = tuple(
                    sums[(role, None, loan.pk)]
                    for role in ("loans", "interest_receivable", "fees_receivable")
                )
                assert (owed.principal, owed.interest, owed.fees) == expected
                assert min(expected) >= 0, f"loan {loan.number} owes below zero"
        for key, changes in by_day.items():
            if key[0] not in domain.NEVER_NEGATIVE_ROLES or key == ("savings", None, None):
                continue
            running = ZERO
            for day in sorted(changes):
                running += changes[day]
                assert running >= 0, f"{key} is below zero on {day}"
        # the reported figures
        trial_balance = selectors.trial_balance(self.fund)
        assert trial_balance.balanced and trial_balance.total_debit >= 0
        summary = selectors.fund_summary(self.fund)
        for field, role in (
            ("cash", "cash"),
            ("bank", "bank"),
            ("savings", "savings"),
            ("loans_outstanding", "loans"),
            ("interest_due", "interest_receivable"),
            ("fees_due", "fees_receivable"),
        ):
            assert summary[field] == posted[(role, None, None)], field
        for member in self.members:
            lines = selectors.passbook(member)
            assert (lines[-1].balance if lines else ZERO) == posted[("savings", member.pk, None)]

    @invariant()
    def closed_periods_do_not_change(self) -> None:
        if self.closed_snapshot is not None:
            assert self.closed_legs() == self.closed_snapshot
            assert not Entry.objects.filter(
                fund=self.fund,
                status="pending",
                entry_date__lte=ledger.closed_through(self.fund),
            ).exists()


def _run(max_examples: int, steps: int) -> None:
    clerk = make_user("inv-clerk", "district_officer", "1001")
    checker = make_user("inv-checker", "district_head", "1001")
    machine = type("Books", (FundBooks,), {"clerk": clerk, "checker": checker})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@pytest.mark.django_db
def test_ledger_invariants_hold_under_random_operations(communities):
    _run(max_examples=10, steps=30)


@pytest.mark.postgres
@pytest.mark.django_db
def test_ledger_invariants_hold_under_random_operations_on_postgresql(communities):
    _run(max_examples=30, steps=40)
