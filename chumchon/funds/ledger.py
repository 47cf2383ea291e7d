"""The posting engine: every entry of every fund goes through ``post``.

Inside one transaction, with the fund's row locked (``lock_fund``): the date must fall in an
open period of the books and not in the future; the legs must balance and name the member or
loan their account needs; the entry is numbered; and after the legs are written, every
account, member's savings and loan receivable the entry touches is summed again and must not
be below zero (counting posted legs and the decreases of entries still waiting for
confirmation). Any failure raises ``ValidationError`` and nothing is saved.

Balances are sums of legs, in the account's own direction (``domain.natural``):
``posted`` counts only posted entries (statements, balance sheet); ``available`` also takes
off pending decreases (the limits). When a month closes, its balances are carried forward
(``carry_forward`` -> ``ClosingBalance``, final: nothing is ever dated or pending in a closed
month), so a balance on any day is the last month close's rows on or before it plus the legs
dated after that close: the work does not grow with the books.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.money import format_baht, round_half_up

from . import domain
from .models import Account, ClosingBalance, Entry, Fund, FundMember, Leg, Loan, PeriodClose

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


# --- balances carried forward -----------------------------------------------------------------


def month_closes(fund: Fund | int, on: date | None = None) -> QuerySet[PeriodClose]:
    """The fund's month closes ending on or before ``on`` (all when None), latest first."""
    closes = PeriodClose.objects.filter(fund=fund, kind=PeriodClose.Kind.MONTH)
    if on is not None:
        closes = closes.filter(ends_on__lte=on)
    return closes.order_by("-ends_on")


def last_close(fund: Fund | int, on: date | None = None) -> PeriodClose | None:
    """The latest month close ending on or before ``on`` (the latest when None): its
    ``ClosingBalance`` rows are the balances on its last day."""
    return month_closes(fund, on).first()


def close_end(fund: Fund | int, on: date | None = None) -> Coalesce:
    """SQL: the last day of ``last_close(fund, on)``, or 0001-01-01 when there is none (so
    ``entry_date > close_end`` is every leg after the snapshot)."""
    return Coalesce(
        Subquery(month_closes(fund, on).values("ends_on")[:1]), Value(date.min), output_field=None
    )


def close_pk(fund: Fund | int, on: date | None = None) -> Subquery:
    """SQL: the id of ``last_close(fund, on)`` (NULL when there is none)."""
    return Subquery(month_closes(fund, on).values("pk")[:1])


def carried_sum(snapshots: QuerySet[ClosingBalance]) -> Coalesce:
    """SQL: the sum of ``snapshots`` (one close's rows), 0.00 when there are none."""
    total = snapshots.order_by().values("close_id").annotate(total=Sum("balance")).values("total")
    return Coalesce(Subquery(total, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def _carried_total(
    fund: Fund | int,
    on: date | None,
    legs: QuerySet[Leg],
    snapshots: QuerySet[ClosingBalance],
    expression: Any,
    *,
    resolve: bool = False,
) -> Decimal:
    """One query: the snapshot rows (``snapshots``) of the last month close on or before ``on``
    plus ``expression`` summed over ``legs`` dated after that close (the caller bounds ``legs``
    above by ``on``). ``resolve``: read the close first (two queries), for sums over a whole
    account, where the legs are found by date rather than by member or loan."""
    if resolve:
        # the close read first: with its day as a literal, PostgreSQL plans the legs after it
        # by the (fund, entry_date) index (a subquery's value is unknown when planning)
        close = month_closes(fund, on).values_list("pk", "ends_on").first()
        if close is None:
            snapshots = snapshots.none()
        else:
            legs = legs.filter(entry__entry_date__gt=close[1])
            snapshots = snapshots.filter(close_id=close[0])
    else:
        legs = legs.filter(entry__entry_date__gt=close_end(fund, on))
        snapshots = snapshots.filter(close_id=close_pk(fund, on))
    total = legs.aggregate(
        total=ExpressionWrapper(
            Coalesce(Sum(expression), Value(ZERO), output_field=_MONEY) + carried_sum(snapshots),
            output_field=_MONEY,
        )
    )["total"]
    return _exact(total)


def carry_forward(close: PeriodClose) -> list[ClosingBalance]:
    """Write the balances on a closed month's last day: the previous month close's rows plus the
    month's posted legs, one row per (account, member, loan) that is not zero. Three queries,
    whatever the length of the books."""
    previous = (
        month_closes(close.fund_id, close.ends_on - timedelta(days=1)).exclude(pk=close.pk).first()
    )
    totals: dict[tuple[int, int | None, int | None], Decimal] = {}
    if previous is not None:
        for account_id, member_id, loan_id, amount in ClosingBalance.objects.filter(
            close=previous
        ).values_list("account_id", "member_id", "loan_id", "balance"):
            totals[(account_id, member_id, loan_id)] = amount
    legs = Leg.objects.filter(
        entry__fund_id=close.fund_id,
        entry__status=Entry.Status.POSTED,
        entry__entry_date__lte=close.ends_on,
    )
    if previous is not None:
        legs = legs.filter(entry__entry_date__gt=previous.ends_on)
    rows = (
        legs.values("account_id", "account__type", "member_id", "loan_id")
        .order_by()
        .annotate(debit=money_sum("debit"), credit=money_sum("credit"))
    )
    for row in rows:
        key = (row["account_id"], row["member_id"], row["loan_id"])
        totals[key] = totals.get(key, ZERO) + domain.natural(
            row["account__type"], row["debit"], row["credit"]
        )
    return ClosingBalance.objects.bulk_create(
        [
            ClosingBalance(
                close=close, account_id=account_id, member_id=member_id, loan_id=loan_id, balance=v
            )
            for (account_id, member_id, loan_id), v in sorted(
                totals.items(), key=lambda item: tuple(-1 if k is None else k for k in item[0])
            )
            if v != 0
        ],
        batch_size=2000,
    )


# --- balances ---------------------------------------------------------------------------------


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
    ``available`` the pending decreases are taken off too: the last month close's carried
    balance plus the legs dated after it (one query for a member or a loan; two for a whole
    account, the close read first)."""
    legs = Leg.objects.filter(entry__fund=fund, account__role=role)
    snapshots = ClosingBalance.objects.filter(account__fund=fund, account__role=role)
    if member is not None:
        legs = legs.filter(member=member)
        snapshots = snapshots.filter(member=member)
    if loan is not None:
        legs = legs.filter(loan=loan)
        snapshots = snapshots.filter(loan=loan)
    if on is not None:
        legs = legs.filter(entry__entry_date__lte=on)
    expression = available_expr() if available else signed_expr()
    if not available:
        legs = legs.filter(entry__status=Entry.Status.POSTED)
    whole = member is None and loan is None
    return _carried_total(fund, on, legs, snapshots, expression, resolve=whole)


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
    """What a loan owes: principal outstanding, interest due and fees due (the last month
    close's carried balances plus the legs dated after it; one query)."""
    expression = available_expr() if available else signed_expr()
    legs = Leg.objects.filter(loan=loan, entry__entry_date__gt=close_end(loan.fund_id, on))
    if not available:
        legs = legs.filter(entry__status=Entry.Status.POSTED)
    if on is not None:
        legs = legs.filter(entry__entry_date__lte=on)
    snapshots = ClosingBalance.objects.filter(loan=loan, close_id=close_pk(loan.fund_id, on))
    totals = {}
    for role in ("loans", "interest_receivable", "fees_receivable"):
        totals[role] = ExpressionWrapper(
            Coalesce(
                Sum(expression, filter=Q(account__role=role)), Value(ZERO), output_field=_MONEY
            )
            + carried_sum(snapshots.filter(account__role=role)),
            output_field=_MONEY,
        )
    rows = legs.aggregate(**totals)
    return Owed(
        _exact(rows["loans"]),
        _exact(rows["interest_receivable"]),
        _exact(rows["fees_receivable"]),
    )


def owed_by_loans(loan_ids: Iterable[int]) -> dict[int, Owed]:
    """What each loan owes (posted legs), for lists: one grouped query whatever the number of
    loans; loans with no legs owe nothing."""
    ids = list(loan_ids)
    totals: dict[int, dict[str, Decimal]] = {pk: {} for pk in ids}
    if ids:
        rows = (
            Leg.objects.filter(
                loan_id__in=ids,
                entry__status=Entry.Status.POSTED,
                account__role__in=sorted(domain.LOAN_ROLES),
            )
            .values("loan_id", "account__role")
            .order_by()
            .annotate(total=Sum(signed_expr()))
            .values_list("loan_id", "account__role", "total")
        )
        for loan_id, role, total in rows:
            totals[loan_id][role] = _exact(total)
    return {
        pk: Owed(
            parts.get("loans", ZERO),
            parts.get("interest_receivable", ZERO),
            parts.get("fees_receivable", ZERO),
        )
        for pk, parts in totals.items()
    }


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
        snapshots = ClosingBalance.objects.filter(account_id=account_pk)
        if role in domain.MEMBER_ROLES:
            rows = rows.filter(member_id=member_pk)
            snapshots = snapshots.filter(member_id=member_pk)
        if role in domain.LOAN_ROLES:
            rows = rows.filter(loan_id=loan_pk)
            snapshots = snapshots.filter(loan_id=loan_pk)
        if since is None:
            total = _carried_total(
                fund, None, rows, snapshots, available_expr(), resolve=role in ("cash", "bank")
            )
            low, day = total, None
        else:
            low, day, total = _lowest_since(
                fund, rows, snapshots, since, resolve=role in ("cash", "bank")
            )
        if total < 0:
            domain.add(problems, "amount", _negative_message(role, total, member_pk, loan_pk))
        elif low < 0:
            domain.add(
                problems, "amount", _negative_message(role, low, member_pk, loan_pk, day=day)
            )
    domain.raise_problems(problems)


def _lowest_since(
    fund: Fund, rows, snapshots, since: date, *, resolve: bool = False
) -> tuple[Decimal, date | None, Decimal]:
    """The lowest end-of-day balance (available) of ``rows`` from ``since`` on, its day, and
    the balance after the last day (today's). The balance before ``since`` is the last month
    close's carried balance (``snapshots``) plus the legs dated between it and ``since``."""
    before = since - timedelta(days=1)
    running = _carried_total(
        fund,
        before,
        rows.filter(entry__entry_date__lte=before),
        snapshots,
        available_expr(),
        resolve=resolve,
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
