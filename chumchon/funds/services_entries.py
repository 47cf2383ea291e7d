"""Recording money in a fund's books: the typed operations (savings deposits and withdrawals,
grants, capital, expenses, other income, transfers between cash and bank), free journal
entries, reversals, and the second person's confirmation or rejection of an entry waiting for
it (maker-checker).

Every operation locks the fund first (``ledger.lock_fund``), parses the raw values (amounts
from forms or JSON: problems keyed "amount"), checks everything it can with a precise message
(the member, the date, the savings or cash available), then posts through ``ledger.post``,
whose never-negative check stays the safety net. A refusal is one ValidationError naming
every problem; nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.money import amount_problem, format_baht, to_decimal

from . import domain, ledger
from .models import Account, Entry, Fund, FundMember, Leg, Loan

ZERO = Decimal("0.00")
VIAS = ("cash", "bank")

#: the operations a clerk records, for forms and the API
OPERATIONS: dict[str, Any] = {
    "deposit": gettext_lazy("Savings deposit"),
    "withdrawal": gettext_lazy("Savings withdrawal"),
    "loan": gettext_lazy("Loan paid out"),
    "repayment": gettext_lazy("Loan repayment"),
    "expense": gettext_lazy("Expense"),
    "income": gettext_lazy("Other income"),
    "grant": gettext_lazy("Grant received"),
    "capital": gettext_lazy("Capital contributed"),
    "transfer": gettext_lazy("Transfer between cash and bank"),
    "journal": gettext_lazy("Journal entry"),
}

DESCRIPTION_MAX = Entry._meta.get_field("description").max_length
REFERENCE_MAX = Entry._meta.get_field("reference").max_length


# --- shared checks ----------------------------------------------------------------------------


def member_label(member: FundMember) -> str:
    """ "Member 3 นางสาวสมใจ ใจดี" """
    return _("Member %(no)s %(name)s") % {"no": member.member_no, "name": member.person.full_name}


def _where(role: str) -> str:
    return _("cash") if role == "cash" else _("the bank account")


def _amount(value: Any, problems: domain.Problems, *, field: str = "amount") -> Decimal | None:
    return domain.parse_amount(value, field=field, label=_("Amount"), problems=problems)


def _via(value: Any, problems: domain.Problems, *, field: str = "via") -> str | None:
    if value in VIAS:
        return value
    domain.add(
        problems,
        field,
        _("“%(value)s” is not a way money moves: choose cash or bank.") % {"value": value},
    )
    return None


def _date(fund: Fund, day: Any, problems: domain.Problems, *, field: str = "entry_date") -> None:
    """The ledger's date rules (books start, future, closed period) as problems."""
    if not isinstance(day, date):
        domain.add(problems, field, _("Give the date of the entry."))
        return
    try:
        ledger.check_date(fund, day, field_name=field)
    except ValidationError as exc:
        for message in exc.message_dict.get(field, exc.messages):
            domain.add(problems, field, message)


def _texts(
    problems: domain.Problems,
    *,
    description: str = "",
    reference: str = "",
    description_field: str = "description",
    description_required: bool = False,
) -> tuple[str, str]:
    description = (description or "").strip()
    reference = (reference or "").strip()
    if description_required and not description:
        domain.add(problems, description_field, _("Describe what the money was for."))
    if len(description) > DESCRIPTION_MAX:
        domain.add(
            problems,
            description_field,
            _("The description is at most %(max)s characters (it has %(n)s).")
            % {"max": DESCRIPTION_MAX, "n": len(description)},
        )
    if len(reference) > REFERENCE_MAX:
        domain.add(
            problems,
            "reference",
            _("The receipt or voucher number is at most %(max)s characters (it has %(n)s).")
            % {"max": REFERENCE_MAX, "n": len(reference)},
        )
    return description, reference


def _member_problems(
    fund: Fund, member: Any, day: Any, problems: domain.Problems, *, depositing: bool
) -> bool:
    """False when the member cannot be used at all (not a member of this fund)."""
    if not isinstance(member, FundMember):
        domain.add(problems, "member", _("Choose the member."))
        return False
    if member.fund_id != fund.pk:
        domain.add(
            problems,
            "member",
            _("%(member)s is not a member of %(fund)s.")
            % {"member": member_label(member), "fund": fund.name},
        )
        return False
    if isinstance(day, date):
        if day < member.joined_on:
            domain.add(
                problems,
                "member",
                _("%(member)s joined on %(joined)s: an entry on %(day)s is before that.")
                % {
                    "member": member_label(member),
                    "joined": format_date(member.joined_on),
                    "day": format_date(day),
                },
            )
        elif depositing and member.left_on is not None and day > member.left_on:
            domain.add(
                problems,
                "member",
                _("%(member)s left the fund on %(left)s: no deposits after that.")
                % {"member": member_label(member), "left": format_date(member.left_on)},
            )
    return True


def _money_out_problem(
    fund: Fund, role: str, amount: Decimal, problems: domain.Problems, *, what: str
) -> None:
    """Refuse taking more out of cash or the bank than it holds (available)."""
    available = ledger.balance(fund, role, available=True)
    if amount > available:
        domain.add(
            problems,
            "amount",
            _("The fund has %(available)s in %(where)s; %(what)s of %(amount)s is refused.")
            % {
                "available": format_baht(available),
                "where": _where(role),
                "what": what,
                "amount": format_baht(amount),
            },
        )


def _post(
    *, actor: Any, fund: Fund, posting: ledger.Posting, legs: Sequence[ledger.LegIn]
) -> Entry:
    return ledger.post(actor=actor, fund=fund, posting=posting, legs=legs)


def _two_legs(
    debit: Account,
    credit: Account,
    amount: Decimal,
    *,
    member: FundMember | None = None,
) -> list[ledger.LegIn]:
    return [
        ledger.LegIn(
            account=debit,
            debit=amount,
            member=member if debit.role in domain.MEMBER_ROLES else None,
        ),
        ledger.LegIn(
            account=credit,
            credit=amount,
            member=member if credit.role in domain.MEMBER_ROLES else None,
        ),
    ]


# --- savings --------------------------------------------------------------------------------


@transaction.atomic
def deposit(
    *,
    actor: Any,
    fund: Fund,
    member: FundMember,
    amount: Any,
    entry_date: date,
    via: str = "cash",
    reference: str = "",
    description: str = "",
) -> Entry:
    """A member's savings deposit: Dr cash/bank, Cr member savings."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    role = _via(via, problems)
    _date(fund, entry_date, problems)
    _member_problems(fund, member, entry_date, problems, depositing=True)
    description, reference = _texts(problems, description=description, reference=reference)
    domain.raise_problems(problems)
    accounts = ledger.accounts_by_role(fund)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.DEPOSIT,
            entry_date=entry_date,
            description=description,
            reference=reference,
            member=member,
            extra_audit={"member_no": member.member_no, "via": role},
        ),
        legs=_two_legs(accounts[role], accounts["savings"], value, member=member),
    )


@transaction.atomic
def withdrawal(
    *,
    actor: Any,
    fund: Fund,
    member: FundMember,
    amount: Any,
    entry_date: date,
    via: str = "cash",
    reference: str = "",
    description: str = "",
) -> Entry:
    """A member takes savings out: Dr member savings, Cr cash/bank. Refused above the member's
    available savings (posted, less withdrawals waiting for confirmation)."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    role = _via(via, problems)
    _date(fund, entry_date, problems)
    usable = _member_problems(fund, member, entry_date, problems, depositing=False)
    description, reference = _texts(problems, description=description, reference=reference)
    if usable and value is not None:
        posted = ledger.savings_of(member)
        available = ledger.savings_of(member, available=True)
        if value > available:
            values = {
                "member": member_label(member),
                "available": format_baht(available),
                "amount": format_baht(value),
                "held": format_baht(posted - available),
            }
            if posted != available:
                message = _(
                    "%(member)s has %(available)s of savings available (%(held)s is held by "
                    "withdrawals awaiting confirmation); a withdrawal of %(amount)s is refused."
                )
            else:
                message = _(
                    "%(member)s has %(available)s of savings; a withdrawal of %(amount)s is "
                    "refused."
                )
            domain.add(problems, "amount", message % values)
        elif role is not None:
            _money_out_problem(fund, role, value, problems, what=_("a withdrawal"))
    domain.raise_problems(problems)
    accounts = ledger.accounts_by_role(fund)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.WITHDRAWAL,
            entry_date=entry_date,
            description=description,
            reference=reference,
            member=member,
            extra_audit={"member_no": member.member_no, "via": role},
        ),
        legs=_two_legs(accounts["savings"], accounts[role], value, member=member),
    )


# --- the fund's own money -------------------------------------------------------------------


@transaction.atomic
def grant(
    *,
    actor: Any,
    fund: Fund,
    amount: Any,
    entry_date: date,
    via: str = "bank",
    source: str = "",
    reference: str = "",
) -> Entry:
    """A grant received (e.g. from the national village and urban community fund office):
    Dr cash/bank, Cr grants received. ``source`` is the entry's description."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    role = _via(via, problems)
    _date(fund, entry_date, problems)
    source, reference = _texts(
        problems, description=source, reference=reference, description_field="source"
    )
    domain.raise_problems(problems)
    accounts = ledger.accounts_by_role(fund)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.GRANT,
            entry_date=entry_date,
            description=source,
            reference=reference,
            extra_audit={"via": role},
        ),
        legs=_two_legs(accounts[role], accounts["grants"], value),
    )


@transaction.atomic
def capital(
    *,
    actor: Any,
    fund: Fund,
    amount: Any,
    entry_date: date,
    via: str = "cash",
    description: str = "",
    reference: str = "",
) -> Entry:
    """Capital put into the fund: Dr cash/bank, Cr fund capital."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    role = _via(via, problems)
    _date(fund, entry_date, problems)
    description, reference = _texts(problems, description=description, reference=reference)
    domain.raise_problems(problems)
    accounts = ledger.accounts_by_role(fund)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.CAPITAL,
            entry_date=entry_date,
            description=description,
            reference=reference,
            extra_audit={"via": role},
        ),
        legs=_two_legs(accounts[role], accounts["capital"], value),
    )


def _own_account(
    fund: Fund,
    account: Any,
    default_role: str,
    account_type: str,
    problems: domain.Problems,
) -> Account | None:
    """The account given (it must be the fund's, of ``account_type``) or the standard one."""
    if account is None:
        return ledger.account(fund, default_role)
    if not isinstance(account, Account) or account.fund_id != fund.pk:
        domain.add(problems, "account", _("The account is not one of this fund's accounts."))
        return None
    if account.type != account_type:
        domain.add(
            problems,
            "account",
            _("%(account)s is not an account of type “%(type)s”.")
            % {"account": str(account), "type": Account.Type(account_type).label},
        )
        return None
    return account


@transaction.atomic
def expense(
    *,
    actor: Any,
    fund: Fund,
    amount: Any,
    entry_date: date,
    description: str,
    via: str = "cash",
    account: Account | None = None,
    reference: str = "",
) -> Entry:
    """An expense paid: Dr the expense account (default: operating expenses), Cr cash/bank."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    role = _via(via, problems)
    _date(fund, entry_date, problems)
    target = _own_account(fund, account, "expenses", Account.Type.EXPENSE, problems)
    description, reference = _texts(
        problems, description=description, reference=reference, description_required=True
    )
    if value is not None and role is not None:
        _money_out_problem(fund, role, value, problems, what=_("an expense"))
    domain.raise_problems(problems)
    source = ledger.account(fund, role)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.EXPENSE,
            entry_date=entry_date,
            description=description,
            reference=reference,
            extra_audit={"via": role, "account": target.code},
        ),
        legs=_two_legs(target, source, value),
    )


@transaction.atomic
def income(
    *,
    actor: Any,
    fund: Fund,
    amount: Any,
    entry_date: date,
    description: str,
    via: str = "cash",
    account: Account | None = None,
    reference: str = "",
) -> Entry:
    """Other income received: Dr cash/bank, Cr the income account (default: fees and fines)."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    role = _via(via, problems)
    _date(fund, entry_date, problems)
    target = _own_account(fund, account, "fee_income", Account.Type.INCOME, problems)
    description, reference = _texts(
        problems, description=description, reference=reference, description_required=True
    )
    domain.raise_problems(problems)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.INCOME,
            entry_date=entry_date,
            description=description,
            reference=reference,
            extra_audit={"via": role, "account": target.code},
        ),
        legs=_two_legs(ledger.account(fund, role), target, value),
    )


@transaction.atomic
def transfer(
    *,
    actor: Any,
    fund: Fund,
    amount: Any,
    entry_date: date,
    to: str = "bank",
    reference: str = "",
    description: str = "",
) -> Entry:
    """Money moved between cash and the bank: to the bank Dr bank Cr cash; to cash the opposite."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    value = _amount(amount, problems)
    target = _via(to, problems, field="to")
    _date(fund, entry_date, problems)
    description, reference = _texts(problems, description=description, reference=reference)
    source = None
    if target is not None:
        source = "cash" if target == "bank" else "bank"
        if value is not None:
            _money_out_problem(fund, source, value, problems, what=_("a transfer"))
    domain.raise_problems(problems)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.TRANSFER,
            entry_date=entry_date,
            description=description,
            reference=reference,
            extra_audit={"to": target},
        ),
        legs=_two_legs(ledger.account(fund, target), ledger.account(fund, source), value),
    )


# --- journal entries --------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _side(value: Any, *, key: str, label: str, problems: domain.Problems) -> Decimal:
    """One side of a journal leg: blank or zero is "not this side"; else a valid amount."""
    if _blank(value):
        return ZERO
    try:
        if not isinstance(value, float) and to_decimal(value) == 0:
            return ZERO
    except (ValidationError, TypeError):
        pass  # amount_problem names it
    amount, problem = amount_problem(value, label=label)
    if problem:
        domain.add(problems, key, problem)
        return ZERO
    return amount


def _leg_in(fund: Fund, index: int, raw: Any, problems: domain.Problems) -> ledger.LegIn | None:
    key = f"legs.{index}"
    if not isinstance(raw, dict):
        domain.add(problems, key, _("Leg %(n)s: give its account and amount.") % {"n": index})
        return None
    account = raw.get("account")
    if account is None and not _blank(raw.get("account_code")):
        code = str(raw["account_code"]).strip()
        account = Account.objects.filter(fund=fund, code=code).first()
        if account is None:
            domain.add(
                problems,
                f"{key}.account",
                _("Leg %(n)s: the fund has no account %(code)s.") % {"n": index, "code": code},
            )
            return None
    if account is None:
        domain.add(problems, f"{key}.account", _("Leg %(n)s: choose the account.") % {"n": index})
        return None
    if not isinstance(account, Account) or account.fund_id != fund.pk:
        domain.add(
            problems,
            f"{key}.account",
            _("Leg %(n)s: the account is not this fund's.") % {"n": index},
        )
        return None
    debit = _side(
        raw.get("debit"),
        key=f"{key}.debit",
        label=_("Leg %(n)s debit") % {"n": index},
        problems=problems,
    )
    credit = _side(
        raw.get("credit"),
        key=f"{key}.credit",
        label=_("Leg %(n)s credit") % {"n": index},
        problems=problems,
    )
    member = raw.get("member")
    if member is None and not _blank(raw.get("member_no")):
        number = str(raw["member_no"]).strip()
        member = (
            FundMember.objects.select_related("person")
            .filter(fund=fund, member_no=int(number) if number.isdigit() else -1)
            .first()
        )
        if member is None:
            domain.add(
                problems,
                f"{key}.member",
                _("Leg %(n)s: the fund has no member number %(no)s.") % {"n": index, "no": number},
            )
    elif member is not None and (not isinstance(member, FundMember) or member.fund_id != fund.pk):
        domain.add(
            problems,
            f"{key}.member",
            _("Leg %(n)s: the member is not this fund's.") % {"n": index},
        )
        member = None
    loan = raw.get("loan")
    if loan is None and not _blank(raw.get("loan_number")):
        number = str(raw["loan_number"]).strip()
        loan = Loan.objects.filter(
            fund=fund, number=int(number) if number.isdigit() else -1
        ).first()
        if loan is None:
            domain.add(
                problems,
                f"{key}.loan",
                _("Leg %(n)s: the fund has no loan number %(no)s.") % {"n": index, "no": number},
            )
    elif loan is not None and (not isinstance(loan, Loan) or loan.fund_id != fund.pk):
        domain.add(
            problems, f"{key}.loan", _("Leg %(n)s: the loan is not this fund's.") % {"n": index}
        )
        loan = None
    if member is not None and account.role not in domain.MEMBER_ROLES:
        domain.add(
            problems,
            f"{key}.member",
            _("Leg %(n)s: only member savings legs name a member (not %(account)s).")
            % {"n": index, "account": str(account)},
        )
    if loan is not None and account.role not in domain.LOAN_ROLES:
        domain.add(
            problems,
            f"{key}.loan",
            _("Leg %(n)s: only loan accounts name a loan (not %(account)s).")
            % {"n": index, "account": str(account)},
        )
    return ledger.LegIn(account=account, debit=debit, credit=credit, member=member, loan=loan)


def _decrease_problems(
    fund: Fund, legs: Sequence[ledger.LegIn], problems: domain.Problems, *, prefix: str
) -> None:
    """Check the never-negative balances the legs decrease, naming the member, loan, cash or
    bank and how much is there (the ledger re-checks after writing)."""
    decreases: dict[tuple[str, int | None, int | None], tuple[Any, Decimal]] = {}
    for leg in legs:
        role = leg.account.role
        if role not in domain.NEVER_NEGATIVE_ROLES:
            continue
        change = domain.natural(leg.account.type, leg.debit, leg.credit)
        key = (
            role,
            leg.member.pk if leg.member is not None and role in domain.MEMBER_ROLES else None,
            leg.loan.pk if leg.loan is not None and role in domain.LOAN_ROLES else None,
        )
        total = decreases.get(key, (leg, ZERO))[1]
        decreases[key] = (leg, total - change)
    for (role, _member_pk, _loan_pk), (leg, taken) in sorted(
        decreases.items(), key=lambda item: str(item[0])
    ):
        if taken <= 0:
            continue
        if role in domain.MEMBER_ROLES and leg.member is not None:
            available = ledger.savings_of(leg.member, available=True)
            if taken > available:
                domain.add(
                    problems,
                    "amount",
                    prefix
                    + _(
                        "it takes %(amount)s from the savings of %(member)s, who has "
                        "%(available)s available."
                    )
                    % {
                        "amount": format_baht(taken),
                        "member": member_label(leg.member),
                        "available": format_baht(available),
                    },
                )
        elif role in domain.LOAN_ROLES and leg.loan is not None:
            available = ledger.balance(fund, role, loan=leg.loan, available=True)
            if taken > available:
                domain.add(
                    problems,
                    "amount",
                    prefix
                    + _(
                        "it takes %(amount)s off %(account)s of loan %(loan)s, which is "
                        "%(available)s now."
                    )
                    % {
                        "amount": format_baht(taken),
                        "account": leg.account.name,
                        "loan": leg.loan.number,
                        "available": format_baht(available),
                    },
                )
        elif role in VIAS:
            available = ledger.balance(fund, role, available=True)
            if taken > available:
                domain.add(
                    problems,
                    "amount",
                    prefix
                    + _("it takes %(amount)s from %(where)s, which holds %(available)s.")
                    % {
                        "amount": format_baht(taken),
                        "where": _where(role),
                        "available": format_baht(available),
                    },
                )


@transaction.atomic
def journal(
    *,
    actor: Any,
    fund: Fund,
    entry_date: date,
    legs: list[dict],
    description: str,
    reference: str = "",
) -> Entry:
    """A free double entry. Each leg: ``account`` (Account) or ``account_code``; ``debit`` and
    ``credit`` (raw values, one of them); ``member`` or ``member_no`` for member savings;
    ``loan`` or ``loan_number`` for the loan accounts. Problems are keyed "legs.N.debit" etc.
    (N from 1)."""
    fund = ledger.lock_fund(fund)
    problems: domain.Problems = {}
    _date(fund, entry_date, problems)
    description, reference = _texts(
        problems, description=description, reference=reference, description_required=True
    )
    raw_legs = list(legs or [])
    parsed = [_leg_in(fund, index, raw, problems) for index, raw in enumerate(raw_legs, start=1)]
    if len(raw_legs) < 2 or all(leg is not None for leg in parsed):
        complete = [leg for leg in parsed if leg is not None]
        for field, messages in domain.check_legs(ledger.leg_lines(complete)).items():
            for message in messages:
                if message not in problems.get(field, []):
                    domain.add(problems, field, message)
    if not problems:
        _decrease_problems(fund, parsed, problems, prefix=_("The journal entry is refused: "))
    domain.raise_problems(problems)
    members = {leg.member for leg in parsed if leg.member is not None}
    loans = {leg.loan for leg in parsed if leg.loan is not None}
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.JOURNAL,
            entry_date=entry_date,
            description=description,
            reference=reference,
            member=members.pop() if len(members) == 1 else None,
            loan=loans.pop() if len(loans) == 1 else None,
            extra_audit={"legs": len(parsed)},
        ),
        legs=parsed,
    )


# --- reversals --------------------------------------------------------------------------------


@transaction.atomic
def reverse(*, actor: Any, entry: Entry, reason: str, entry_date: date | None = None) -> Entry:
    """A posted entry undone by its mirror image (every leg on the other side), dated in the
    open period (default today), with a reason. Refused for an entry that is not posted, a
    reversal, or already reversed; and when undoing it would leave savings, cash, the bank or
    a loan below zero (the money was used since: reverse the later entries first)."""
    fund = ledger.lock_fund(entry.fund_id)
    entry = Entry.objects.select_related("fund").get(pk=entry.pk)
    day = entry_date or timezone.localdate()
    problems: domain.Problems = {}
    reason = (reason or "").strip()
    number = {"number": entry.number}
    if not reason:
        domain.add(problems, "reason", _("Give the reason for reversing the entry."))
    if entry.status != Entry.Status.POSTED:
        domain.add(
            problems,
            "entry",
            _("Entry %(number)s is %(status)s: only a posted entry can be reversed.")
            % {**number, "status": entry.get_status_display().lower()},
        )
    elif entry.kind == Entry.Kind.REVERSAL:
        domain.add(
            problems,
            "entry",
            _("Entry %(number)s is itself a reversal: record a new entry instead.") % number,
        )
    else:
        live = (
            Entry.objects.filter(reverses=entry)
            .exclude(status=Entry.Status.REJECTED)
            .order_by("number")
            .first()
        )
        if live is not None:
            domain.add(
                problems,
                "entry",
                _("Entry %(number)s is already reversed by entry %(reversal)s.")
                % {**number, "reversal": live.number},
            )
    _date(fund, day, problems)
    if isinstance(day, date) and day < entry.entry_date:
        domain.add(
            problems,
            "entry_date",
            _("A reversal cannot be dated (%(day)s) before the entry it reverses (%(original)s).")
            % {"day": format_date(day), "original": format_date(entry.entry_date)},
        )
    legs = [
        ledger.LegIn(
            account=leg.account,
            debit=leg.credit,
            credit=leg.debit,
            member=leg.member,
            loan=leg.loan,
        )
        for leg in Leg.objects.filter(entry=entry).select_related(
            "account", "member__person", "loan"
        )
    ]
    if not problems:
        _decrease_problems(
            fund,
            legs,
            problems,
            prefix=_("Entry %(number)s cannot be reversed (reverse the later entries first): ")
            % number,
        )
    domain.raise_problems(problems)
    return _post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(
            kind=Entry.Kind.REVERSAL,
            entry_date=day,
            description=_("Reversal of entry %(number)s") % number,
            member=entry.member,
            loan=entry.loan,
            reverses=entry,
            reason=reason,
            extra_audit={"reverses": entry.number},
        ),
        legs=legs,
    )


# --- maker-checker ----------------------------------------------------------------------------


def _decision_problems(
    actor: Any, entry: Entry, problems: domain.Problems, *, confirming: bool
) -> None:
    if entry.status != Entry.Status.PENDING:
        domain.add(
            problems,
            "entry",
            _("Entry %(number)s is not awaiting confirmation (it is %(status)s).")
            % {"number": entry.number, "status": entry.get_status_display().lower()},
        )
    actor_pk = getattr(actor, "pk", None)
    if actor_pk is not None and actor_pk == entry.recorded_by_id:
        domain.add(
            problems,
            "actor",
            _("You recorded this entry: another committee member must confirm it.")
            if confirming
            else _("You recorded this entry: another committee member must reject it."),
        )


def _lock_entry(entry: Entry) -> tuple[Fund, Entry]:
    fund = ledger.lock_fund(entry.fund_id)
    return fund, Entry.objects.select_related("fund").get(pk=entry.pk)


@transaction.atomic
def confirm(*, actor: Any, entry: Entry) -> Entry:
    """A second person confirms an entry waiting for it: from then on it counts in balances.
    Refused for its recorder, an entry not pending, or a date now in a closed period; the
    balances it touches are summed again after the change."""
    fund, entry = _lock_entry(entry)
    problems: domain.Problems = {}
    _decision_problems(actor, entry, problems, confirming=True)
    if not problems:
        _date_closed_problem(fund, entry, problems)
    domain.raise_problems(problems)
    entry.status = Entry.Status.POSTED
    entry.decided_by = actor if getattr(actor, "pk", None) else None
    entry.decided_at = timezone.now()
    entry.save(update_fields=["status", "decided_by", "decided_at"])
    legs = [
        ledger.LegIn(
            account=leg.account,
            debit=leg.debit,
            credit=leg.credit,
            member=leg.member,
            loan=leg.loan,
        )
        for leg in Leg.objects.filter(entry=entry).select_related("account", "member", "loan")
    ]
    ledger.check_not_negative(fund, legs, since=entry.entry_date)
    record_event(
        actor=actor,
        action="funds.entry_confirm",
        obj=entry,
        changes={"number": entry.number, "amount": str(entry.amount), "status": entry.status},
        area_path=fund.area.path,
    )
    return entry


def _date_closed_problem(fund: Fund, entry: Entry, problems: domain.Problems) -> None:
    last = ledger.closed_through(fund)
    if last is not None and entry.entry_date <= last:
        domain.add(
            problems,
            "entry",
            _("Entry %(number)s is dated %(day)s, in a closed period (closed through %(last)s).")
            % {
                "number": entry.number,
                "day": format_date(entry.entry_date),
                "last": format_date(last),
            },
        )


@transaction.atomic
def reject(*, actor: Any, entry: Entry, reason: str) -> Entry:
    """A second person rejects an entry waiting for confirmation: it never counts (its legs
    stay, as written, for the record)."""
    fund, entry = _lock_entry(entry)
    problems: domain.Problems = {}
    reason = (reason or "").strip()
    _decision_problems(actor, entry, problems, confirming=False)
    if not reason:
        domain.add(problems, "reason", _("Give the reason for rejecting the entry."))
    domain.raise_problems(problems)
    entry.status = Entry.Status.REJECTED
    entry.reject_reason = reason
    entry.decided_by = actor if getattr(actor, "pk", None) else None
    entry.decided_at = timezone.now()
    entry.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    record_event(
        actor=actor,
        action="funds.entry_reject",
        obj=entry,
        changes={"number": entry.number, "amount": str(entry.amount), "status": entry.status},
        reason=reason,
        area_path=fund.area.path,
    )
    return entry
