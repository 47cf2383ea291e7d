"""Loans: paying a loan out, repayments, interest, late fees, arrears and the daily job.

- ``loan_disburse`` locks the fund, checks the member, the ceiling, the cash and the terms, then
  writes the ``Loan`` (a snapshot of the fund's rules), its schedule (``domain.schedule``) and
  the loan entry (Dr loans, Cr cash/bank; above the fund's threshold it waits for confirmation).
- Interest is accrued on each instalment's due date (Dr interest receivable, Cr interest
  income): flat = the schedule's interest; declining = one month's interest on the principal
  outstanding (posted) on the due date. Nothing accrues once the principal is zero.
- A late fee (Dr fees receivable, Cr fees and fines) is charged once for an instalment not
  covered at ``due_on + grace_days``: principal and interest repaid (posted) by then is less
  than what was due through that instalment. A loan's fee of 0 charges none.
- Accruals and fees are dated on the day they arise (the due date; the day after the grace
  period), or on the first open day when that day lies in a closed period; they are posted at
  once (``confirm=False``) and never twice (checked first; ``funds_entry_charge_once`` guards
  it in the database too).
- ``repayment`` locks the fund, accrues what is due through its date, then splits fees ->
  interest -> principal against what the loan owes (available) in one entry.

What a loan owes, has paid and is late with is read from its legs (``_Book``): one query for
the schedule and one for the legs, whatever the number of entries; the daily job loads the
books of all the loans of a fund at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.money import format_baht, format_number, round_half_up

from . import domain, ledger
from .models import Account, Entry, Fund, FundMember, Instalment, Leg, Loan

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
VIA = ("cash", "bank")
#: the loan's own accounts: principal, interest due, fees due
PRINCIPAL, INTEREST, FEES = "loans", "interest_receivable", "fees_receivable"


# --- a loan's book, read from its legs --------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One leg of a loan on one of its accounts, with what the rules need of its entry."""

    day: date
    status: str
    kind: str
    instalment_no: int | None
    reversed_kind: str | None  # for a reversal: the kind of the entry it reverses
    reversed_instalment_no: int | None
    role: str
    debit: Decimal
    credit: Decimal

    @property
    def posted(self) -> bool:
        return self.status == Entry.Status.POSTED


_ROW_FIELDS = (
    "loan_id",
    "entry__entry_date",
    "entry__status",
    "entry__kind",
    "entry__instalment_no",
    "entry__reverses__kind",
    "entry__reverses__instalment_no",
    "account__role",
    "debit",
    "credit",
)


@dataclass
class _Book:
    """A loan, its schedule and its legs (every status), with the rules computed from them."""

    loan: Loan
    schedule: list[Instalment]
    rows: list[_Row] = field(default_factory=list)

    # balances and payments ----------------------------------------------------------------

    def balance(self, role: str, on: date | None = None) -> Decimal:
        """Posted balance of one of the loan's accounts (assets: debits - credits)."""
        return sum(
            (
                r.debit - r.credit
                for r in self.rows
                if r.role == role and r.posted and (on is None or r.day <= on)
            ),
            ZERO,
        )

    def owed(self, on: date | None = None) -> ledger.Owed:
        return ledger.Owed(
            self.balance(PRINCIPAL, on), self.balance(INTEREST, on), self.balance(FEES, on)
        )

    def paid(self, role: str, on: date | None = None) -> Decimal:
        """Repaid on one account (posted): what repayments credited it, less their reversals
        (the same rule as ``selectors.arrears_rows``); charges, journals and their reversals
        are not payments."""
        return sum(
            (
                r.credit - r.debit
                for r in self.rows
                if r.role == role
                and r.posted
                and (on is None or r.day <= on)
                and (
                    r.kind == Entry.Kind.REPAYMENT
                    or (r.kind == Entry.Kind.REVERSAL and r.reversed_kind == Entry.Kind.REPAYMENT)
                )
            ),
            ZERO,
        )

    def paid_principal_interest(self, on: date) -> Decimal:
        return self.paid(PRINCIPAL, on) + self.paid(INTEREST, on)

    # charges --------------------------------------------------------------------------------

    def charged(self, kind: str) -> set[int]:
        """Instalments already charged with ``kind`` (interest / late_fee), not rejected."""
        return {
            r.instalment_no
            for r in self.rows
            if r.kind == kind and r.status != Entry.Status.REJECTED and r.instalment_no
        }

    def interest_charged(self) -> dict[int, Decimal]:
        """Interest accrued per instalment (posted), less posted reversals of it."""
        amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for r in self.rows:
            if r.role != INTEREST or not r.posted:
                continue
            if r.kind == Entry.Kind.INTEREST and r.instalment_no:
                amounts[r.instalment_no] += r.debit - r.credit
            elif r.kind == Entry.Kind.REVERSAL and r.reversed_kind == Entry.Kind.INTEREST:
                amounts[r.reversed_instalment_no] += r.debit - r.credit
        return dict(amounts)

    def interest_due(self, instalment: Instalment) -> Decimal:
        """The interest this instalment carries when it falls due: nothing once the principal
        is repaid; flat: the schedule's; declining: a month's interest on the principal
        outstanding (posted) on the due date."""
        outstanding = self.balance(PRINCIPAL, instalment.due_on)
        if outstanding <= 0:
            return ZERO
        if self.loan.interest_method == Fund.InterestMethod.FLAT:
            return instalment.interest_due
        return domain.monthly_interest(outstanding, self.loan.interest_rate)

    def dues(self, on: date) -> list[tuple[date, Decimal]]:
        """(due date, principal + interest) per instalment: the interest accrued where it was,
        what is due where it was not yet accrued, the schedule's figure for later ones."""
        charged = self.interest_charged()
        outstanding = self.balance(PRINCIPAL, on)
        rows = []
        for instalment in self.schedule:
            if instalment.number in charged:
                interest = charged[instalment.number]
            elif instalment.due_on <= on:
                interest = self.interest_due(instalment)
            else:
                interest = instalment.interest_due if outstanding > 0 else ZERO
            rows.append((instalment.due_on, instalment.principal_due + interest))
        return rows

    def arrears(self, on: date) -> domain.Arrears:
        owed = self.owed(on)
        if owed.principal + owed.interest <= 0:
            return domain.Arrears(None, ZERO, 0)
        return domain.arrears(self.dues(on), self.paid_principal_interest(on), on=on)

    def late_instalments(self, on: date) -> list[tuple[Instalment, date]]:
        """Instalments late at the end of their grace period (before ``on``) and not yet
        charged a fee: (instalment, the day the fee arises)."""
        if self.loan.late_fee <= 0:
            return []
        charged = self.charged(Entry.Kind.LATE_FEE)
        late = []
        dues = self.dues(on)
        cumulative = ZERO
        for instalment, (_due_on, amount) in zip(self.schedule, dues, strict=True):
            cumulative += amount
            deadline = instalment.due_on + timedelta(days=self.loan.grace_days)
            if deadline >= on:
                break
            if instalment.number in charged:
                continue
            owed = self.owed(deadline)
            if owed.principal + owed.interest <= 0:
                continue  # repaid (or not paid out, or cancelled) by then
            if self.paid_principal_interest(deadline) < cumulative:
                late.append((instalment, deadline + timedelta(days=1)))
        return late

    def add(self, entry: Entry, role: str, amount: Decimal) -> None:
        """Keep the book current after posting a charge (debit ``amount`` on ``role``)."""
        self.rows.append(
            _Row(
                entry.entry_date,
                entry.status,
                entry.kind,
                entry.instalment_no,
                None,
                None,
                role,
                amount,
                ZERO,
            )
        )


def _books(loans: Sequence[Loan]) -> dict[int, _Book]:
    """The books of these loans: two queries whatever their number."""
    books = {loan.pk: _Book(loan, []) for loan in loans}
    if not books:
        return books
    for instalment in Instalment.objects.filter(loan_id__in=list(books)).order_by(
        "loan_id", "number"
    ):
        books[instalment.loan_id].schedule.append(instalment)
    legs = Leg.objects.filter(
        loan_id__in=list(books), account__role__in=sorted(domain.LOAN_ROLES)
    ).order_by("entry__entry_date", "entry_id", "pk")
    for loan_id, *values in legs.values_list(*_ROW_FIELDS):
        books[loan_id].rows.append(_Row(*values))
    return books


def _book(loan: Loan) -> _Book:
    return _books([loan])[loan.pk]


def arrears_of(loans: Sequence[Loan], on: date) -> dict[int, domain.Arrears]:
    """Each loan's arrears on ``on`` by the loan page's rule (interest as accrued, repayments
    less their reversals): two queries whatever the number of loans. The district report and
    the loan page must agree, so both come here."""
    return {pk: book.arrears(on) for pk, book in _books(loans).items()}


# --- charges ----------------------------------------------------------------------------------


def _charge_day(fund: Fund, day: date, closed: date | None) -> date:
    """The day a charge arising on ``day`` is dated: that day, or the first open day."""
    if closed is not None and day <= closed:
        day = closed + timedelta(days=1)
    return max(day, fund.books_start)


@dataclass
class _Context:
    """What posting charges for one fund needs, read once (the fund is locked)."""

    fund: Fund
    accounts: dict[str, Account]
    closed: date | None
    today: date


def _context(fund: Fund | int) -> _Context:
    fund = ledger.lock_fund(fund)
    return _Context(
        fund, ledger.accounts_by_role(fund), ledger.closed_through(fund), timezone.localdate()
    )


def _post_charge(
    ctx: _Context,
    book: _Book,
    *,
    kind: str,
    instalment: Instalment,
    amount: Decimal,
    arises_on: date,
    actor: Any,
) -> Entry:
    loan = book.loan
    if kind == Entry.Kind.INTEREST:
        debit, credit = INTEREST, "interest_income"
        description = _("Interest on loan %(number)s, instalment %(n)s")
    else:
        debit, credit = FEES, "fee_income"
        description = _("Late fee on loan %(number)s, instalment %(n)s")
    entry = ledger.post(
        actor=actor,
        fund=ctx.fund,
        posting=ledger.Posting(
            kind=kind,
            entry_date=_charge_day(ctx.fund, arises_on, ctx.closed),
            description=description % {"number": loan.number, "n": instalment.number},
            member=loan.member,
            loan=loan,
            instalment_no=instalment.number,
            extra_audit={"loan": loan.number, "instalment": instalment.number},
        ),
        legs=[
            ledger.LegIn(account=ctx.accounts[debit], debit=amount, loan=loan),
            ledger.LegIn(account=ctx.accounts[credit], credit=amount),
        ],
        confirm=False,
    )
    book.add(entry, debit, amount)
    return entry


def _accrue_book(ctx: _Context, book: _Book, through: date, actor: Any) -> list[Entry]:
    through = min(through, ctx.today)
    charged = book.charged(Entry.Kind.INTEREST)
    entries = []
    for instalment in book.schedule:
        if instalment.due_on > through:
            break
        if instalment.number in charged:
            continue
        amount = book.interest_due(instalment)
        if amount <= 0:
            continue  # nothing outstanding on the due date, or no interest
        entries.append(
            _post_charge(
                ctx,
                book,
                kind=Entry.Kind.INTEREST,
                instalment=instalment,
                amount=amount,
                arises_on=instalment.due_on,
                actor=actor,
            )
        )
    return entries


def _fees_book(ctx: _Context, book: _Book, on: date, actor: Any) -> list[Entry]:
    on = min(on, ctx.today)
    return [
        _post_charge(
            ctx,
            book,
            kind=Entry.Kind.LATE_FEE,
            instalment=instalment,
            amount=book.loan.late_fee,
            arises_on=arises_on,
            actor=actor,
        )
        for instalment, arises_on in book.late_instalments(on)
    ]


@transaction.atomic
def accrue(*, loan: Loan, through: date, actor: Any = None) -> list[Entry]:
    """Accrue the interest of every instalment due on or before ``through`` (and not after
    today) that is not yet charged, while principal is outstanding. Idempotent."""
    ctx = _context(loan.fund_id)
    return _accrue_book(ctx, _book(loan), through, actor)


@transaction.atomic
def charge_late_fees(*, loan: Loan, on: date, actor: Any = None) -> list[Entry]:
    """Charge the loan's late fee once for every instalment not covered at the end of its
    grace period (before ``on``). Idempotent."""
    ctx = _context(loan.fund_id)
    return _fees_book(ctx, _book(loan), on, actor)


# --- paying out -------------------------------------------------------------------------------


def _date_problems(fund: Fund, day: date, problems: domain.Problems, field_name: str) -> None:
    try:
        ledger.check_date(fund, day, field_name=field_name)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                domain.add(problems, key, message)


def _via_problem(via: str, problems: domain.Problems) -> None:
    if via not in VIA:
        domain.add(
            problems, "via", _("Pay through “cash” or “bank” (got “%(value)s”).") % {"value": via}
        )


def _where(via: str) -> str:
    return _("cash") if via == "cash" else _("the bank account")


def _instalments(value: object, fund: Fund, problems: domain.Problems) -> int | None:
    if value is None or value == "":
        return fund.max_instalments
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        number = int(text) if text.isdecimal() else None
    if number is None:
        domain.add(
            problems,
            "instalments",
            _("Enter the number of instalments as a whole number (got “%(value)s”).")
            % {"value": value},
        )
        return None
    if not 1 <= number <= fund.max_instalments:
        domain.add(
            problems,
            "instalments",
            _("The number of instalments must be from 1 to %(max)s (this fund's most); got %(n)s.")
            % {"max": fund.max_instalments, "n": number},
        )
        return None
    return number


def _principal_outstanding(member: FundMember) -> Decimal:
    """The member's principal outstanding on all their loans, counting loans still waiting for
    confirmation (pending increases) and not counting pending repayments (they may be
    rejected): the most the member may owe."""
    legs = Leg.objects.filter(
        loan__member=member, account__role=PRINCIPAL, entry__fund_id=member.fund_id
    ).filter(
        Q(entry__status=Entry.Status.POSTED) | Q(entry__status=Entry.Status.PENDING, debit__gt=0)
    )
    total = legs.aggregate(total=Sum(F("debit") - F("credit")))["total"]
    return round_half_up(total) if total is not None else ZERO  # SQLite sums as floats


def _ceiling_problem(
    fund: Fund, member: FundMember, principal: Decimal, owes: Decimal
) -> str | None:
    if fund.loan_ceiling <= 0:
        return _("This fund does not lend: its loan ceiling per member is zero.")
    total = owes + principal
    if total <= fund.loan_ceiling:
        return None
    if owes > 0:
        return _(
            "Member %(no)s %(name)s already owes %(owed)s; with this loan of %(principal)s the "
            "total %(total)s is above the fund's ceiling of %(ceiling)s per member."
        ) % {
            "no": member.member_no,
            "name": member.person.full_name,
            "owed": format_baht(owes),
            "principal": format_number(principal),
            "total": format_number(total),
            "ceiling": format_number(fund.loan_ceiling),
        }
    return _("A loan of %(principal)s is above the fund's ceiling of %(ceiling)s per member.") % {
        "principal": format_baht(principal),
        "ceiling": format_baht(fund.loan_ceiling),
    }


@transaction.atomic
def loan_disburse(
    *,
    actor: Any,
    fund: Fund,
    member: FundMember,
    principal: object,
    entry_date: date,
    instalments: object = None,
    first_due_on: date | None = None,
    via: str = "cash",
    purpose: str = "",
    guarantors: str = "",
    reference: str = "",
) -> Loan:
    """Pay a loan out to a member: the Loan, its schedule and the loan entry (Dr loans, Cr
    cash/bank). Refused (nothing saved) for a member who left or is not the fund's, a principal
    that is not an amount or takes the member above the ceiling, not enough cash, instalments
    outside 1..the fund's most, a first due date not after the loan date, a closed or future
    date."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    amount = domain.parse_amount(
        principal, field="principal", label=_("Principal"), problems=problems
    )
    count = _instalments(instalments, fund, problems)
    _via_problem(via, problems)
    _date_problems(fund, entry_date, problems, "entry_date")
    first_due = first_due_on or domain.add_months(entry_date, 1)
    if first_due <= entry_date:
        domain.add(
            problems,
            "first_due_on",
            _("The first instalment (%(first)s) must fall due after the loan date (%(day)s).")
            % {"first": format_date(first_due), "day": format_date(entry_date)},
        )
    if member.fund_id != fund.pk:
        domain.add(
            problems, "member", _("Member %(no)s is not a member of this fund.") % {"no": member}
        )
    else:
        if member.left_on is not None:
            domain.add(
                problems,
                "member",
                _("Member %(no)s %(name)s left the fund on %(day)s: only members may borrow.")
                % {
                    "no": member.member_no,
                    "name": member.person.full_name,
                    "day": format_date(member.left_on),
                },
            )
        elif member.joined_on > entry_date:
            domain.add(
                problems,
                "member",
                _("Member %(no)s %(name)s joined the fund on %(joined)s, after the loan date.")
                % {
                    "no": member.member_no,
                    "name": member.person.full_name,
                    "joined": format_date(member.joined_on),
                },
            )
        if amount is not None:
            problem = _ceiling_problem(fund, member, amount, _principal_outstanding(member))
            if problem:
                domain.add(problems, "principal", problem)
    if amount is not None and via in VIA:
        available = ledger.balance(fund, via, available=True)
        if available < amount:
            domain.add(
                problems,
                "principal",
                _("The fund has %(available)s in %(where)s: not enough to pay out %(amount)s.")
                % {
                    "available": format_baht(available),
                    "where": _where(via),
                    "amount": format_baht(amount),
                },
            )
    domain.raise_problems(problems)

    number = (Loan.objects.filter(fund=fund).aggregate(n=Max("number"))["n"] or 0) + 1
    loan = Loan(
        fund=fund,
        member=member,
        number=number,
        principal=amount,
        interest_method=fund.interest_method,
        interest_rate=fund.interest_rate,
        instalments=count,
        first_due_on=first_due,
        late_fee=fund.late_fee,
        grace_days=fund.grace_days,
        purpose=(purpose or "").strip(),
        guarantors=(guarantors or "").strip(),
    )
    loan.full_clean()
    loan.save()
    rows = domain.schedule(amount, fund.interest_rate, fund.interest_method, count, first_due)
    Instalment.objects.bulk_create(
        [
            Instalment(
                loan=loan,
                number=row.number,
                due_on=row.due_on,
                principal_due=row.principal_due,
                interest_due=row.interest_due,
            )
            for row in rows
        ]
    )
    accounts = ledger.accounts_by_role(fund)
    description = _("Loan %(number)s to member %(no)s %(name)s") % {
        "number": number,
        "no": member.member_no,
        "name": member.person.full_name,
    }
    if loan.purpose:
        description = f"{description}: {loan.purpose}"
    ledger.post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.LOAN,
            entry_date=entry_date,
            description=description,
            reference=reference or "",
            member=member,
            loan=loan,
            extra_audit={"loan": number, "via": via},
        ),
        legs=[
            ledger.LegIn(account=accounts[PRINCIPAL], debit=amount, loan=loan),
            ledger.LegIn(account=accounts[via], credit=amount),
        ],
    )
    record_event(
        actor=actor,
        action="funds.loan_disburse",
        obj=loan,
        changes={
            "number": number,
            "member_no": member.member_no,
            "principal": str(amount),
            "interest_method": loan.interest_method,
            "interest_rate": str(loan.interest_rate),
            "instalments": count,
            "first_due_on": first_due.isoformat(),
            "late_fee": str(loan.late_fee),
            "grace_days": loan.grace_days,
        },
        area_path=fund.area.path,
    )
    return loan


# --- repayments -------------------------------------------------------------------------------


@transaction.atomic
def repayment(
    *,
    actor: Any,
    fund: Fund,
    loan: Loan,
    amount: object,
    entry_date: date,
    via: str = "cash",
    reference: str = "",
) -> Entry:
    """A repayment of a loan: interest and late fees due through ``entry_date`` are charged
    first, then the amount pays fees, then interest, then principal (Dr cash/bank, Cr fees
    receivable, interest receivable, loans). More than the loan owes is refused."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = domain.parse_amount(
        amount, field="amount", label=_("Repayment amount"), problems=problems
    )
    _via_problem(via, problems)
    _date_problems(fund, entry_date, problems, "entry_date")
    if loan.fund_id != fund.pk:
        domain.add(
            problems, "loan", _("Loan %(number)s is not this fund's.") % {"number": loan.number}
        )
    domain.raise_problems(problems)

    ctx = _Context(
        fund, ledger.accounts_by_role(fund), ledger.closed_through(fund), timezone.localdate()
    )
    book = _book(loan)
    charges = _accrue_book(ctx, book, entry_date, actor)
    charges += _fees_book(ctx, book, entry_date, actor)
    # what is owed on the repayment's date: interest or fees charged later (the daily job ran
    # before a late-recorded repayment) are not paid by it; the ledger re-checks every day after
    owed = ledger.owed_by(loan, available=True, on=entry_date)
    split = domain.split_repayment(
        value, fees=owed.fees, interest=owed.interest, principal=owed.principal
    )
    legs = [ledger.LegIn(account=ctx.accounts[via], debit=value)]
    for role, part in (
        (FEES, split.fees),
        (INTEREST, split.interest),
        (PRINCIPAL, split.principal),
    ):
        if part > 0:
            legs.append(ledger.LegIn(account=ctx.accounts[role], credit=part, loan=loan))
    return ledger.post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.REPAYMENT,
            entry_date=entry_date,
            description=_("Repayment of loan %(number)s") % {"number": loan.number},
            reference=reference or "",
            member=loan.member,
            loan=loan,
            extra_audit={
                "loan": loan.number,
                "via": via,
                "fees": str(split.fees),
                "interest": str(split.interest),
                "principal": str(split.principal),
                "charged_first": [entry.number for entry in charges],
            },
        ),
        legs=legs,
    )


# --- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanStatus:
    loan: Loan
    on: date
    owed: ledger.Owed  # posted, as of ``on``
    paid_principal: Decimal
    paid_interest: Decimal
    paid_fees: Decimal
    arrears: domain.Arrears
    next_due: Instalment | None  # the first instalment not yet covered (None: nothing owed)
    schedule: list[Instalment]
    history: list[Entry]  # every entry of the loan (all statuses), by date and number

    @property
    def repaid(self) -> bool:
        return self.owed.total <= 0 and self.paid_principal > 0


def loan_status(loan: Loan, on: date | None = None) -> LoanStatus:
    """A loan's position on ``on`` (default today), from posted entries: three queries (the
    schedule, the entries, their legs)."""
    on = on or timezone.localdate()
    schedule = list(Instalment.objects.filter(loan=loan).order_by("number"))
    history = list(
        Entry.objects.filter(
            Q(loan=loan) | Q(pk__in=Leg.objects.filter(loan=loan).values("entry_id"))
        )
        .select_related("reverses", "recorded_by", "decided_by")
        .prefetch_related(Prefetch("legs", queryset=Leg.objects.select_related("account")))
        .order_by("entry_date", "number")
    )
    book = _Book(loan, schedule)
    for entry in history:
        reversed_entry = entry.reverses
        for leg in entry.legs.all():
            if leg.loan_id != loan.pk or leg.account.role not in domain.LOAN_ROLES:
                continue
            book.rows.append(
                _Row(
                    entry.entry_date,
                    entry.status,
                    entry.kind,
                    entry.instalment_no,
                    reversed_entry.kind if reversed_entry else None,
                    reversed_entry.instalment_no if reversed_entry else None,
                    leg.account.role,
                    leg.debit,
                    leg.credit,
                )
            )
    owed = book.owed(on)
    paid = book.paid_principal_interest(on)
    next_due = None
    if owed.total > 0:
        cumulative = ZERO
        for instalment, (_day, amount) in zip(schedule, book.dues(on), strict=True):
            cumulative += amount
            if paid < cumulative:
                next_due = instalment
                break
    return LoanStatus(
        loan=loan,
        on=on,
        owed=owed,
        paid_principal=book.paid(PRINCIPAL, on),
        paid_interest=book.paid(INTEREST, on),
        paid_fees=book.paid(FEES, on),
        arrears=book.arrears(on),
        next_due=next_due,
        schedule=schedule,
        history=history,
    )


# --- the daily job ----------------------------------------------------------------------------


def _loans_to_check() -> list[Loan]:
    """Loans that owe something (posted), and loans still flagged in arrears (to clear)."""
    owing = (
        Leg.objects.filter(
            loan__isnull=False,
            entry__status=Entry.Status.POSTED,
            account__role__in=sorted(domain.LOAN_ROLES),
        )
        .values("loan_id")
        .annotate(total=Sum(F("debit") - F("credit")))
        .filter(total__gt=0)
        .values("loan_id")
    )
    return list(
        Loan.objects.filter(Q(pk__in=owing) | Q(arrears_since__isnull=False))
        .select_related("member")
        .order_by("fund_id", "number")
    )


@dataclass
class _Tally:
    loans: int = 0
    interest: int = 0
    fees: int = 0
    in_arrears: int = 0
    flagged: int = 0
    cleared: int = 0
    failed: list[str] = field(default_factory=list)


@transaction.atomic
def _daily_fund(fund_id: int, loans: Iterable[Loan], today: date, tally: _Tally) -> None:
    ctx = _context(fund_id)
    loans = list(loans)
    books = _books(loans)
    changed = []
    for loan in loans:
        book = books[loan.pk]
        tally.loans += 1
        tally.interest += len(_accrue_book(ctx, book, today, None))
        tally.fees += len(_fees_book(ctx, book, today, None))
        since = book.arrears(today).since
        if since is not None:
            tally.in_arrears += 1
        if since != loan.arrears_since or loan.arrears_checked_on != today:
            if since is not None and loan.arrears_since is None:
                tally.flagged += 1
            if since is None and loan.arrears_since is not None:
                tally.cleared += 1
            loan.arrears_since, loan.arrears_checked_on = since, today
            changed.append(loan)
    if changed:
        Loan.objects.bulk_update(changed, ["arrears_since", "arrears_checked_on"])


def loans_daily(today: date) -> str:
    """Every loan that owes something: accrue interest and charge late fees due through
    ``today``, then set or clear its arrears flag. One transaction per fund (its row locked);
    a fund that fails does not stop the others, and the job fails after the rest are done.
    Idempotent: a second run on the same day writes nothing new."""
    by_fund: dict[int, list[Loan]] = defaultdict(list)
    for loan in _loans_to_check():
        by_fund[loan.fund_id].append(loan)
    tally = _Tally()
    for fund_id, loans in by_fund.items():
        try:
            _daily_fund(fund_id, loans, today, tally)
        except Exception as exc:  # reported below: the job fails and is re-run
            logger.exception("funds.loans_daily failed for fund %s", fund_id)
            tally.failed.append(f"fund {fund_id}: {exc}")
    summary = (
        f"funds {len(by_fund)}, loans {tally.loans}, interest entries {tally.interest}, "
        f"late fees {tally.fees}, in arrears {tally.in_arrears} "
        f"(newly flagged {tally.flagged}, cleared {tally.cleared})"
    )
    if tally.failed:
        raise RuntimeError(summary + "; failed: " + "; ".join(tally.failed))
    return summary
