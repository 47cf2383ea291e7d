"""Fund rules without the database: the standard chart of accounts, months and accounting
years, loan schedules and interest, how a repayment is split, arrears, and the checks of a
transaction's legs. Services call these; tests table-test them.

Money is ``Decimal`` rounded once, half up, to satang (``core.money.round_half_up``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chumchon.core.money import amount_problem, format_baht, round_half_up

ZERO = Decimal("0.00")

Problems = dict[str, list[str]]

# code, type, role, Thai name, English name
STANDARD_CHART: tuple[tuple[str, str, str, str, str], ...] = (
    ("1010", "asset", "cash", "เงินสด", "Cash"),
    ("1020", "asset", "bank", "เงินฝากธนาคาร", "Bank deposits"),
    ("1100", "asset", "loans", "ลูกหนี้เงินกู้", "Loans receivable"),
    ("1110", "asset", "interest_receivable", "ดอกเบี้ยเงินกู้ค้างรับ", "Interest receivable"),
    ("1120", "asset", "fees_receivable", "ค่าปรับค้างรับ", "Fees receivable"),
    ("2100", "liability", "savings", "เงินฝากสัจจะสมาชิก", "Member savings"),
    ("3100", "equity", "capital", "ทุนกองทุน", "Fund capital"),
    ("3200", "equity", "grants", "เงินอุดหนุนที่ได้รับ", "Grants received"),
    ("4100", "income", "interest_income", "รายได้ดอกเบี้ยเงินกู้", "Interest income"),
    ("4200", "income", "fee_income", "รายได้ค่าปรับและค่าธรรมเนียม", "Fees and fines"),
    ("5100", "expense", "expenses", "ค่าใช้จ่ายดำเนินงาน", "Operating expenses"),
)

#: accounts whose legs name a member / a loan
MEMBER_ROLES = frozenset({"savings"})
LOAN_ROLES = frozenset({"loans", "interest_receivable", "fees_receivable"})
#: accounts that may never go below zero (per member / per loan for the sub-ledgers)
NEVER_NEGATIVE_ROLES = frozenset({"cash", "bank", "savings", *LOAN_ROLES})
DEBIT_NORMAL_TYPES = frozenset({"asset", "expense"})


def add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def raise_problems(problems: Problems) -> None:
    if problems:
        raise ValidationError(problems)


# --- months and years -----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(value: object, *, field: str = "month") -> date:
    """``YYYY-MM`` (CE; a year >= 2400 is read as B.E.) -> the month's first day, or a
    ValidationError keyed by ``field``."""
    match = _MONTH.match(str(value or ""))
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if year >= 2400:
            year -= 543
        if 1 <= month <= 12 and 1900 <= year <= 2200:
            return date(year, month, 1)
    raise ValidationError(
        {field: [_("“%(value)s” is not a month: write YYYY-MM, e.g. 2026-10.") % {"value": value}]}
    )


def accounting_year_bounds(day: date, start_month: int) -> tuple[date, date]:
    """The fund's accounting year containing ``day`` (it starts on the 1st of ``start_month``)."""
    year = day.year if day.month >= start_month else day.year - 1
    first = date(year, start_month, 1)
    return first, add_months(first, 12) - timedelta(days=1)


def year_label(first: date, last: date) -> str:
    """B.E. label of an accounting year: "2569" for a calendar year, "2569-2570" otherwise."""
    if first.year == last.year:
        return str(first.year + 543)
    return f"{first.year + 543}-{last.year + 543}"


# --- amounts and legs -------------------------------------------------------------------------


def parse_amount(value: object, *, field: str, label: str, problems: Problems) -> Decimal | None:
    """The amount, or None with the problem added under ``field``."""
    amount, problem = amount_problem(value, label=label)
    if problem:
        add(problems, field, problem)
    return amount


@dataclass(frozen=True)
class LegLine:
    """A leg as the checks see it: an account's role/type and the sides."""

    account_role: str
    account_type: str
    debit: Decimal
    credit: Decimal
    has_member: bool
    has_loan: bool


def check_legs(legs: Sequence[LegLine], *, field: str = "legs") -> Problems:
    """Problems of a transaction's legs: at least two, one side each, members/loans where the
    account needs them, and debits equal to credits."""
    problems: Problems = {}
    if len(legs) < 2:
        add(problems, field, _("A transaction needs at least two legs (a debit and a credit)."))
        return problems
    for index, leg in enumerate(legs, start=1):
        key = f"{field}.{index}"
        if (leg.debit > 0) == (leg.credit > 0) or leg.debit < 0 or leg.credit < 0:
            add(
                problems,
                key,
                _("Leg %(n)s: enter either a debit or a credit, more than zero.") % {"n": index},
            )
        if leg.account_role in MEMBER_ROLES and not leg.has_member:
            add(
                problems,
                f"{key}.member",
                _("Leg %(n)s: member savings need the member.") % {"n": index},
            )
        if leg.account_role in LOAN_ROLES and not leg.has_loan:
            add(
                problems,
                f"{key}.loan",
                _("Leg %(n)s: a loan account needs the loan.") % {"n": index},
            )
    debits = sum((leg.debit for leg in legs), ZERO)
    credits = sum((leg.credit for leg in legs), ZERO)
    if debits != credits:
        add(
            problems,
            field,
            _("The transaction does not balance: debits %(debits)s, credits %(credits)s.")
            % {"debits": format_baht(debits), "credits": format_baht(credits)},
        )
    return problems


def natural(account_type: str, debit: Decimal, credit: Decimal) -> Decimal:
    """A movement in the account's own direction (assets and expenses grow by debits)."""
    return debit - credit if account_type in DEBIT_NORMAL_TYPES else credit - debit


# --- loans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    due_on: date
    principal_due: Decimal
    interest_due: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal_due + self.interest_due


def monthly_interest(outstanding: Decimal, annual_rate: Decimal) -> Decimal:
    """One month's interest on ``outstanding`` at ``annual_rate`` % a year."""
    return round_half_up(Decimal(outstanding) * Decimal(annual_rate) / Decimal(1200))


def schedule(
    principal: Decimal,
    annual_rate: Decimal,
    method: str,
    instalments: int,
    first_due: date,
) -> list[ScheduleRow]:
    """Monthly instalments of equal principal (the last takes the satang left over).

    Flat: each month's interest is the year's rate on the ORIGINAL principal / 12 (the total
    rounded once, the last instalment takes the rest). Declining: each month's interest is on
    the principal outstanding before that instalment, if every instalment is paid on time.
    """
    if instalments < 1:
        raise ValueError("instalments must be at least 1")
    principal = Decimal(principal)
    part = (principal / instalments).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    parts = [part] * (instalments - 1) + [principal - part * (instalments - 1)]
    rows: list[ScheduleRow] = []
    if method == "flat":
        total_interest = round_half_up(principal * Decimal(annual_rate) * instalments / 1200)
        each = (total_interest / instalments).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        interests = [each] * (instalments - 1) + [total_interest - each * (instalments - 1)]
    else:
        interests = []
        outstanding = principal
        for amount in parts:
            interests.append(monthly_interest(outstanding, annual_rate))
            outstanding -= amount
    for number, (amount, interest) in enumerate(zip(parts, interests, strict=True), start=1):
        rows.append(ScheduleRow(number, add_months(first_due, number - 1), amount, interest))
    return rows


@dataclass(frozen=True)
class Split:
    fees: Decimal
    interest: Decimal
    principal: Decimal


def split_repayment(
    amount: Decimal, *, fees: Decimal, interest: Decimal, principal: Decimal
) -> Split:
    """Fees first, then interest, then principal. Refuses more than the loan owes."""
    owed = fees + interest + principal
    if amount > owed:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "The repayment of %(amount)s is more than the loan owes (%(owed)s: fees "
                        "%(fees)s, interest %(interest)s, principal %(principal)s)."
                    )
                    % {
                        "amount": format_baht(amount),
                        "owed": format_baht(owed),
                        "fees": format_baht(fees),
                        "interest": format_baht(interest),
                        "principal": format_baht(principal),
                    }
                ]
            }
        )
    to_fees = min(amount, fees)
    to_interest = min(amount - to_fees, interest)
    return Split(to_fees, to_interest, amount - to_fees - to_interest)


@dataclass(frozen=True)
class Arrears:
    since: date | None  # the due date of the oldest instalment unpaid after its due date
    amount: Decimal  # principal and interest due by ``on`` and not paid
    instalments_late: int

    @property
    def in_arrears(self) -> bool:
        return self.since is not None


def arrears(dues: Sequence[tuple[date, Decimal]], paid: Decimal, *, on: date) -> Arrears:
    """``dues``: (due date, principal + interest due at that instalment) in order; ``paid``:
    principal and interest repaid so far. An instalment is late when, the day after its due
    date, what was paid does not cover it and every earlier one."""
    cumulative = ZERO
    since: date | None = None
    late = 0
    owed_now = ZERO
    for due_on, amount in dues:
        cumulative += amount
        if due_on >= on:
            break
        owed_now = cumulative
        if paid < cumulative:
            late += 1
            if since is None:
                since = due_on
    return Arrears(since, max(owed_now - paid, ZERO), late)
