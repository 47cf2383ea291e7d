"""The posting engine: every entry of every fund goes through ``post``.

Inside one transaction, with the fund's row locked (``lock_fund``): the date must fall in an
open period of the books and not in the future; the legs must balance and name the member or
loan their account needs; the entry is numbered; and after the legs are written, every
account, member's savings and loan receivable the entry touches is summed again and must not
be below zero (counting posted legs and the decreases of entries still waiting for
confirmation). Any failure raises ``ValidationError`` and nothing is saved.

Balances are sums of legs, in the account's own direction (``domain.natural``):
``posted`` counts only posted entries (statements, balance sheet); ``available`` also takes
off pending decreases (the limits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.money import format_baht, round_half_up

from . import domain
from .models import Account, Entry, Fund, FundMember, Leg, Loan, PeriodClose

ZERO = Decimal("0.00")


class MoneySum(DecimalField):
    """The output field of sums of legs: SQLite adds decimals as floats (1000.200000000000000,
    6.80000000000001); every leg holds whole satang, so rounding the sum to the satang recovers
    it exactly. PostgreSQL's sums are exact already."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else round_half_up(Decimal(str(value)))


MONEY_SUM = MoneySum(max_digits=16, decimal_places=2)
_MONEY = MONEY_SUM


def money_sum(expression: Any, condition: Q | None = None) -> Coalesce:
    """SUM(expression) [FILTER condition], 0.00 when there is nothing, exact on SQLite too."""
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=MONEY_SUM)


@dataclass
class LegIn:
    """A leg to post: one account, a debit or a credit, and the member or loan it concerns."""

    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    member: FundMember | None = None
    loan: Loan | None = None


@dataclass
class Posting:
    """What ``post`` needs besides the legs."""

    kind: str
    entry_date: date
    description: str = ""
    reference: str = ""
    member: FundMember | None = None
    loan: Loan | None = None
    instalment_no: int | None = None
    reverses: Entry | None = None
    reason: str = ""
    extra_audit: dict[str, Any] = field(default_factory=dict)


# --- locks, accounts, periods -----------------------------------------------------------------


def lock_fund(fund: Fund | int) -> Fund:
    """The fund's row, locked until the transaction ends (every posting of a fund queues here,
    so two clerks withdrawing the same savings cannot both pass the balance check)."""
    pk = fund.pk if isinstance(fund, Fund) else fund
    return Fund.objects.select_for_update().get(pk=pk)


def account(fund: Fund, role: str) -> Account:
    """The fund's account with this standard role."""
    return Account.objects.get(fund=fund, role=role)


def accounts_by_role(fund: Fund) -> dict[str, Account]:
    return {a.role: a for a in Account.objects.filter(fund=fund).exclude(role="other")}


def closed_through(fund: Fund) -> date | None:
    """The last day of the last closed period, or None."""
    return PeriodClose.objects.filter(fund=fund).aggregate(last=Max("ends_on"))["last"]


def check_date(fund: Fund, day: date, *, field_name: str = "entry_date") -> None:
    """Refuse a date before the books start, in a closed period, or in the future."""
    if day < fund.books_start:
        raise ValidationError(
            {
                field_name: [
                    _("%(day)s is before the fund's books start (%(start)s).")
                    % {"day": format_date(day), "start": format_date(fund.books_start)}
                ]
            }
        )
    if day > timezone.localdate():
        raise ValidationError(
            {
                field_name: [
                    _("%(day)s is in the future: record what has happened.")
                    % {"day": format_date(day)}
                ]
            }
        )
    last = closed_through(fund)
    if last is not None and day <= last:
        raise ValidationError(
            {
                field_name: [
                    _(
                        "The books are closed through %(last)s: an entry on %(day)s is refused. "
                        "Record the correction in the open period."
                    )
                    % {"last": format_date(last), "day": format_date(day)}
                ]
            }
        )


def needs_confirmation(fund: Fund, amount: Decimal) -> bool:
    return fund.confirm_threshold > 0 and amount > fund.confirm_threshold


# --- balances ---------------------------------------------------------------------------------


def signed_expr() -> Case:
    """A leg's movement in its account's own direction."""
    return Case(
        When(account__type__in=sorted(domain.DEBIT_NORMAL_TYPES), then=F("debit") - F("credit")),
        default=F("credit") - F("debit"),
        output_field=_MONEY,
    )


def available_expr() -> Case:
    """Posted movements, and the decreases of entries waiting for confirmation."""
    signed = signed_expr()
    return Case(
        When(entry__status=Entry.Status.POSTED, then=signed),
        When(
            Q(entry__status=Entry.Status.PENDING)
            & (
                Q(account__type__in=sorted(domain.DEBIT_NORMAL_TYPES), credit__gt=0)
                | (~Q(account__type__in=sorted(domain.DEBIT_NORMAL_TYPES)) & Q(debit__gt=0))
            ),
            then=signed,
        ),
        default=Value(ZERO),
        output_field=_MONEY,
    )


def _exact(total: Decimal | None) -> Decimal:
    """A sum of legs to the satang: SQLite adds decimals as floats (6.80000000000001), every
    leg holds whole satang, so rounding recovers the exact sum (PostgreSQL's is exact)."""
    return round_half_up(total) if total is not None else ZERO


def posted_legs(fund: Fund, *, on: date | None = None, since: date | None = None):
    legs = Leg.objects.filter(entry__fund=fund, entry__status=Entry.Status.POSTED)
    if on is not None:
        legs = legs.filter(entry__entry_date__lte=on)
    if since is not None:
        legs = legs.filter(entry__entry_date__gte=since)
    return legs


def balance(
    fund: Fund,
    role: str,
    *,
    member: FundMember | None = None,
    loan: Loan | None = None,
    on: date | None = None,
    available: bool = False,
) -> Decimal:
    """One account's balance (of one member or loan where given), posted as of ``on``; with
    ``available`` the pending decreases are taken off too."""
    legs = Leg.objects.filter(entry__fund=fund, account__role=role)
    if member is not None:
        legs = legs.filter(member=member)
    if loan is not None:
        legs = legs.filter(loan=loan)
    if on is not None:
        legs = legs.filter(entry__entry_date__lte=on)
    expression = available_expr() if available else signed_expr()
    if not available:
        legs = legs.filter(entry__status=Entry.Status.POSTED)
    return _exact(
        legs.aggregate(total=Coalesce(Sum(expression), Value(ZERO), output_field=_MONEY))["total"]
    )


def savings_of(member: FundMember, *, available: bool = False) -> Decimal:
    return balance(member.fund, "savings", member=member, available=available)


@dataclass(frozen=True)
class Owed:
    principal: Decimal
    interest: Decimal
    fees: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees


def owed_by(loan: Loan, *, available: bool = False, on: date | None = None) -> Owed:
    """What a loan owes: principal outstanding, interest due and fees due (sums of legs)."""
    expression = available_expr() if available else signed_expr()
    legs = Leg.objects.filter(loan=loan)
    if not available:
        legs = legs.filter(entry__status=Entry.Status.POSTED)
    if on is not None:
        legs = legs.filter(entry__entry_date__lte=on)
    rows = dict(
        legs.values("account__role")
        .annotate(total=Sum(expression))
        .values_list("account__role", "total")
    )
    return Owed(
        _exact(rows.get("loans")),
        _exact(rows.get("interest_receivable")),
        _exact(rows.get("fees_receivable")),
    )


# --- the invariant ----------------------------------------------------------------------------


def check_not_negative(fund: Fund, legs: Iterable[LegIn], *, since: date | None = None) -> None:
    """Every never-negative balance the legs decrease, summed again (available), must be >= 0.

    With ``since`` (the entry's date), a balance the legs decrease must also stay >= 0 on every
    day from ``since`` on: an entry dated before the money came in (a withdrawal dated before
    the deposit, a repayment dated before the loan was paid out) would leave it below zero on
    the days in between, even when today's total is enough."""
    keys: dict[tuple[int, str, int | None, int | None], Decimal] = {}
    for leg in legs:
        if leg.account.role not in domain.NEVER_NEGATIVE_ROLES:
            continue
        key = (
            leg.account.pk,
            leg.account.role,
            leg.member.pk if leg.member else None,
            leg.loan.pk if leg.loan else None,
        )
        keys[key] = keys.get(key, ZERO) + domain.natural(leg.account.type, leg.debit, leg.credit)
    problems: domain.Problems = {}
    for (account_pk, role, member_pk, loan_pk), change in sorted(
        keys.items(), key=lambda item: str(item[0])
    ):
        if change >= 0:
            # an increase cannot take a balance that was >= 0 below it (pending increases do
            # not even count in the available balance): only decreases are summed again
            continue
        rows = Leg.objects.filter(entry__fund=fund, account_id=account_pk)
        if role in domain.MEMBER_ROLES:
            rows = rows.filter(member_id=member_pk)
        if role in domain.LOAN_ROLES:
            rows = rows.filter(loan_id=loan_pk)
        if since is None:
            total = _exact(
                rows.aggregate(
                    total=Coalesce(Sum(available_expr()), Value(ZERO), output_field=_MONEY)
                )["total"]
            )
            low, day = total, None
        else:
            low, day, total = _lowest_since(rows, since)
        if total < 0:
            domain.add(problems, "amount", _negative_message(role, total, member_pk, loan_pk))
        elif low < 0:
            domain.add(
                problems, "amount", _negative_message(role, low, member_pk, loan_pk, day=day)
            )
    domain.raise_problems(problems)


def _lowest_since(rows, since: date) -> tuple[Decimal, date | None, Decimal]:
    """The lowest end-of-day balance (available) of ``rows`` from ``since`` on, its day, and
    the balance after the last day (today's)."""
    running = _exact(
        rows.filter(entry__entry_date__lt=since).aggregate(
            total=Coalesce(Sum(available_expr()), Value(ZERO), output_field=_MONEY)
        )["total"]
    )
    low, low_day = running, None
    by_day = (
        rows.filter(entry__entry_date__gte=since)
        .values("entry__entry_date")
        .order_by("entry__entry_date")
        .annotate(total=Sum(available_expr()))
        .values_list("entry__entry_date", "total")
    )
    for day, total in by_day:
        running += _exact(total)
        if low_day is None or running < low:
            low, low_day = running, day
    return low, low_day, running


def _negative_message(
    role: str,
    total: Decimal,
    member_pk: int | None,
    loan_pk: int | None,
    *,
    day: date | None = None,
) -> str:
    short = format_baht(-total)
    if day is not None:
        return _dated_negative_message(role, short, member_pk, loan_pk, day)
    if role == "savings":
        member = FundMember.objects.select_related("person").get(pk=member_pk)
        return _("Member %(no)s %(name)s does not have enough savings: %(short)s short.") % {
            "no": member.member_no,
            "name": member.person.full_name,
            "short": short,
        }
    if role in ("cash", "bank"):
        label = _("cash") if role == "cash" else _("the bank account")
        return _("The fund does not have enough in %(where)s: %(short)s short.") % {
            "where": label,
            "short": short,
        }
    loan = Loan.objects.get(pk=loan_pk)
    return _("This is more than loan %(number)s owes (by %(short)s).") % {
        "number": loan.number,
        "short": short,
    }


def _dated_negative_message(
    role: str, short: str, member_pk: int | None, loan_pk: int | None, day: date
) -> str:
    when = format_date(day)
    if role == "savings":
        member = FundMember.objects.select_related("person").get(pk=member_pk)
        return _(
            "Member %(no)s %(name)s would not have enough savings on %(day)s (%(short)s short): "
            "the money comes in after that date."
        ) % {"no": member.member_no, "name": member.person.full_name, "day": when, "short": short}
    if role in ("cash", "bank"):
        label = _("cash") if role == "cash" else _("the bank account")
        return _(
            "The fund would not have enough in %(where)s on %(day)s (%(short)s short): the "
            "money comes in after that date."
        ) % {"where": label, "day": when, "short": short}
    loan = Loan.objects.get(pk=loan_pk)
    return _(
        "This is more than loan %(number)s owes on %(day)s (by %(short)s): the loan is paid "
        "out or charged after that date."
    ) % {"number": loan.number, "day": when, "short": short}


# --- posting ----------------------------------------------------------------------------------


def leg_lines(legs: Sequence[LegIn]) -> list[domain.LegLine]:
    return [
        domain.LegLine(
            leg.account.role,
            leg.account.type,
            leg.debit,
            leg.credit,
            leg.member is not None,
            leg.loan is not None,
        )
        for leg in legs
    ]


@transaction.atomic
def post(
    *,
    actor: Any,
    fund: Fund,
    posting: Posting,
    legs: Sequence[LegIn],
    confirm: bool | None = None,
) -> Entry:
    """Write one balanced entry. ``fund`` must already be locked by the caller (``lock_fund``)
    when the caller read balances before posting; ``post`` locks it anyway. ``confirm``: None
    = pending when the amount is above the fund's threshold; False = always posted (the system's
    own accruals)."""
    fund = lock_fund(fund)
    problems = domain.check_legs(leg_lines(legs))
    for index, leg in enumerate(legs, start=1):
        if leg.account.fund_id != fund.pk:
            domain.add(
                problems,
                f"legs.{index}.account",
                _("Leg %(n)s: the account is not this fund's.") % {"n": index},
            )
        if leg.member is not None and leg.member.fund_id != fund.pk:
            domain.add(
                problems,
                f"legs.{index}.member",
                _("Leg %(n)s: the member is not this fund's.") % {"n": index},
            )
        if leg.loan is not None and leg.loan.fund_id != fund.pk:
            domain.add(
                problems,
                f"legs.{index}.loan",
                _("Leg %(n)s: the loan is not this fund's.") % {"n": index},
            )
    domain.raise_problems(problems)
    check_date(fund, posting.entry_date)
    amount = sum((leg.debit for leg in legs), ZERO)
    pending = needs_confirmation(fund, amount) if confirm is None else confirm
    number = (Entry.objects.filter(fund=fund).aggregate(n=Max("number"))["n"] or 0) + 1
    entry = Entry(
        fund=fund,
        number=number,
        entry_date=posting.entry_date,
        kind=posting.kind,
        description=posting.description.strip(),
        reference=posting.reference.strip(),
        amount=amount,
        member=posting.member,
        loan=posting.loan,
        instalment_no=posting.instalment_no,
        reverses=posting.reverses,
        reason=posting.reason.strip(),
        status=Entry.Status.PENDING if pending else Entry.Status.POSTED,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=timezone.now(),
    )
    entry.full_clean()
    entry.save()
    Leg.objects.bulk_create(
        [
            Leg(
                entry=entry,
                account=leg.account,
                debit=leg.debit,
                credit=leg.credit,
                member=leg.member,
                loan=leg.loan,
            )
            for leg in legs
        ]
    )
    check_not_negative(fund, legs, since=posting.entry_date)
    record_event(
        actor=actor,
        action=f"funds.entry_{posting.kind}",
        obj=entry,
        changes={
            "number": number,
            "date": posting.entry_date.isoformat(),
            "amount": str(amount),
            "status": entry.status,
            **posting.extra_audit,
        },
        area_path=fund.area.path,
    )
    return entry
