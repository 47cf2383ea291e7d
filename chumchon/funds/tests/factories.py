"""Fund test data: a fund with its chart (through services_setup.fund_create), members from the
registry, and entries posted through the ledger (``ledger.post``), so every fixture balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from chumchon.communities.tests.factories import make_person
from chumchon.organizations.models import Area

from .. import ledger
from ..models import Entry, Fund, FundKind, FundMember
from ..services_setup import fund_create, member_add

_serial = count(1)

BOOKS_START = date(2025, 1, 1)


def make_fund(area: Area | str = "T-1001-01", *, kind: str = "savings_group", **values) -> Fund:
    """A fund under ``area`` (an Area or its code) with sensible rules: savings minimum 100,
    loan ceiling 50,000, 12 % a year on the declining balance, 12 instalments, late fee 50,
    confirmation above 20,000."""
    if isinstance(area, str):
        area = Area.objects.get(code=area)
    values.setdefault("name", f"กลุ่มออมทรัพย์ทดสอบ {next(_serial)}")
    values.setdefault("established_on", BOOKS_START)
    values.setdefault("savings_minimum", Decimal("100.00"))
    values.setdefault("loan_ceiling", Decimal("50000.00"))
    values.setdefault("interest_method", Fund.InterestMethod.DECLINING)
    values.setdefault("interest_rate", Decimal("12.00"))
    values.setdefault("max_instalments", 12)
    values.setdefault("late_fee", Decimal("50.00"))
    values.setdefault("confirm_threshold", Decimal("20000.00"))
    return fund_create(actor=None, kind=FundKind.objects.get(code=kind), area=area, **values)


def make_member(
    fund: Fund, *, person=None, joined_on: date = BOOKS_START, **person_values
) -> FundMember:
    """A member; the person is made in the registry under the fund's area unless given."""
    if person is None:
        person = make_person(area=fund.area, **person_values)
    return member_add(actor=None, fund=fund, person=person, joined_on=joined_on)


def post_simple(
    fund: Fund,
    kind: str,
    debit_role: str,
    credit_role: str,
    amount: Decimal | str,
    *,
    on: date = BOOKS_START,
    member: FundMember | None = None,
    loan=None,
    actor=None,
    confirm: bool | None = False,
) -> Entry:
    """Two legs straight through the ledger (no business rules), e.g. a grant:
    post_simple(fund, "grant", "cash", "grants", "1000000")."""
    amount = Decimal(amount)
    accounts = ledger.accounts_by_role(fund)

    def leg(role: str, side: str) -> ledger.LegIn:
        return ledger.LegIn(
            account=accounts[role],
            debit=amount if side == "debit" else Decimal("0"),
            credit=amount if side == "credit" else Decimal("0"),
            member=member if role in ("savings",) else None,
            loan=loan if role in ("loans", "interest_receivable", "fees_receivable") else None,
        )

    return ledger.post(
        actor=actor,
        fund=fund,
        posting=ledger.Posting(kind=kind, entry_date=on, member=member, loan=loan),
        legs=[leg(debit_role, "debit"), leg(credit_role, "credit")],
        confirm=confirm,
    )
