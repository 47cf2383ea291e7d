"""A fund's statements and loans under /api/v1/funds/{fund_id}/.

- ``GET .../statement?month=YYYY-MM``: every account (opening, debits, credits, closing), the
  month's posted entries with their legs, the entries still pending, members short of the
  savings minimum.
- ``GET .../trial-balance[?on=YYYY-MM-DD]``: each account's debit or credit balance and the
  totals (equal when the books balance).
- ``GET .../loans``: the loans with what they owe (posted); ``GET .../loans/{loan_id}``: one
  loan's contract, schedule, what it owes, what was paid, arrears and history.

Readers of the fund (``funds.view``); outside reach: 404; without the permission: 403.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from chumchon.core.api import Page, PageParams, paginate

from . import domain, ledger, selectors, services_loans
from .api_common import ERRORS, EntryOut, entries_with_legs, entry_out, fields_named, money
from .models import Entry, Loan
from .permissions import fund_get_for

router = Router(tags=["funds"])

ZERO = Decimal("0.00")
_MONEY = ledger.MONEY_SUM


# --- schemas ----------------------------------------------------------------------------------


class StatementQuery(Schema):
    month: str = Field("", description="required: YYYY-MM")


class TrialBalanceQuery(Schema):
    on: date | None = Field(None, description="ISO date; default: every posted entry")


class AccountRowOut(Schema):
    code: str
    name: str
    type: str
    opening: str
    debit: str
    credit: str
    closing: str


class ShortOut(Schema):
    member_no: int
    name: str
    saved: str
    short: str


class StatementOut(Schema):
    fund_id: int
    month: str
    start: date
    end: date
    accounts: list[AccountRowOut]
    total_debit: str
    total_credit: str
    entries: list[EntryOut]
    pending: int
    savings_short: list[ShortOut]


class TrialRowOut(Schema):
    code: str
    name: str
    type: str
    debit: str
    credit: str


class TrialBalanceOut(Schema):
    fund_id: int
    on: date | None
    rows: list[TrialRowOut]
    total_debit: str
    total_credit: str
    balanced: bool


class LoanOut(Schema):
    id: int
    number: int
    member_id: int
    member_no: int
    member_name: str
    principal: str
    interest_method: str
    interest_rate: str
    instalments: int
    first_due_on: date
    purpose: str
    principal_outstanding: str
    interest_due: str
    fees_due: str
    arrears_since: date | None


class OwedOut(Schema):
    principal: str
    interest: str
    fees: str
    total: str


class ArrearsOut(Schema):
    since: date | None
    amount: str
    instalments_late: int


class ScheduleRowOut(Schema):
    number: int
    due_on: date
    principal: str
    interest: str


class LoanDetailOut(LoanOut):
    guarantors: str
    late_fee: str
    grace_days: int
    owed: OwedOut
    paid_principal: str
    paid_interest: str
    paid_fees: str
    arrears: ArrearsOut
    next_due: ScheduleRowOut | None
    schedule: list[ScheduleRowOut]
    history: list[EntryOut]


# --- helpers ----------------------------------------------------------------------------------


def _sum(expression: Any, condition: Q) -> Coalesce:
    return ledger.money_sum(expression, condition)


def _with_owed(loans: list[Loan]) -> list[Loan]:
    """The loans with what each owes (posted; ledger.owed_by_loans: one query)."""
    owed = ledger.owed_by_loans(loan.pk for loan in loans)
    for loan in loans:
        loan.principal_outstanding = owed[loan.pk].principal
        loan.interest_due = owed[loan.pk].interest
        loan.fees_due = owed[loan.pk].fees
    return loans


def loan_out(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "number": loan.number,
        "member_id": loan.member_id,
        "member_no": loan.member.member_no,
        "member_name": loan.member.person.full_name,
        "principal": money(loan.principal),
        "interest_method": loan.interest_method,
        "interest_rate": money(loan.interest_rate),
        "instalments": loan.instalments,
        "first_due_on": loan.first_due_on,
        "purpose": loan.purpose,
        "principal_outstanding": money(loan.principal_outstanding),
        "interest_due": money(loan.interest_due),
        "fees_due": money(loan.fees_due),
        "arrears_since": loan.arrears_since,
    }


def _instalment(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "due_on": row.due_on,
        "principal": money(row.principal_due),
        "interest": money(row.interest_due),
    }


# --- endpoints --------------------------------------------------------------------------------


@router.get("/funds/{fund_id}/statement", response={200: StatementOut, **ERRORS})
def fund_statement(request: HttpRequest, fund_id: int, query: Query[StatementQuery]):
    """The month's statement (posted entries only)."""
    fund = fund_get_for(request.auth, fund_id)
    with fields_named():
        first = domain.parse_month(query.month)
    result = selectors.statement(fund, first)
    ids = [e.pk for e in result.entries]
    entries = entries_with_legs(Entry.objects.filter(pk__in=ids)).order_by("entry_date", "number")
    return {
        "fund_id": fund.pk,
        "month": f"{first.year:04d}-{first.month:02d}",
        "start": result.start,
        "end": result.end,
        "accounts": [
            {
                "code": row.account.code,
                "name": row.account.name,
                "type": row.account.type,
                "opening": money(row.opening),
                "debit": money(row.debit),
                "credit": money(row.credit),
                "closing": money(row.closing),
            }
            for row in result.rows
        ],
        "total_debit": money(result.total_debit),
        "total_credit": money(result.total_credit),
        "entries": [entry_out(e) for e in entries],
        "pending": result.pending,
        "savings_short": [
            {
                "member_no": s.member.member_no,
                "name": s.member.person.full_name,
                "saved": money(s.saved),
                "short": money(s.short),
            }
            for s in result.savings_short
        ],
    }


@router.get("/funds/{fund_id}/trial-balance", response={200: TrialBalanceOut, **ERRORS})
def fund_trial_balance(request: HttpRequest, fund_id: int, query: Query[TrialBalanceQuery]):
    """Each account's balance on `on` (default: all posted entries) and the totals."""
    fund = fund_get_for(request.auth, fund_id)
    result = selectors.trial_balance(fund, query.on)
    return {
        "fund_id": fund.pk,
        "on": query.on,
        "rows": [
            {
                "code": account.code,
                "name": account.name,
                "type": account.type,
                "debit": money(debit),
                "credit": money(credit),
            }
            for account, debit, credit in result.rows
        ],
        "total_debit": money(result.total_debit),
        "total_credit": money(result.total_credit),
        "balanced": result.total_debit == result.total_credit,
    }


@router.get("/funds/{fund_id}/loans", response={200: Page[LoanOut], **ERRORS})
def list_fund_loans(request: HttpRequest, fund_id: int, page: Query[PageParams]):
    """The fund's loans by number, with what each owes (posted)."""
    fund = fund_get_for(request.auth, fund_id)
    result = paginate(
        Loan.objects.filter(fund=fund).select_related("member__person").order_by("number"), page
    )
    result["items"] = [loan_out(loan) for loan in _with_owed(list(result["items"]))]
    return result


@router.get("/funds/{fund_id}/loans/{loan_id}", response={200: LoanDetailOut, **ERRORS})
def get_fund_loan(request: HttpRequest, fund_id: int, loan_id: int):
    """One loan: the contract, its schedule, what it owes and what was paid, arrears, and
    every entry of the loan in order."""
    fund = fund_get_for(request.auth, fund_id)
    loan = Loan.objects.filter(fund=fund, pk=loan_id).select_related("member__person").first()
    if loan is None:
        raise Http404
    _with_owed([loan])
    status = services_loans.loan_status(loan)
    history_ids = [e.pk for e in status.history]
    history = entries_with_legs(Entry.objects.filter(pk__in=history_ids)).order_by(
        "entry_date", "number"
    )
    owed = status.owed
    return {
        **loan_out(loan),
        "guarantors": loan.guarantors,
        "late_fee": money(loan.late_fee),
        "grace_days": loan.grace_days,
        "owed": {
            "principal": money(owed.principal),
            "interest": money(owed.interest),
            "fees": money(owed.fees),
            "total": money(owed.total),
        },
        "paid_principal": money(status.paid_principal),
        "paid_interest": money(status.paid_interest),
        "paid_fees": money(status.paid_fees),
        "arrears": {
            "since": status.arrears.since,
            "amount": money(status.arrears.amount),
            "instalments_late": status.arrears.instalments_late,
        },
        "next_due": _instalment(status.next_due) if status.next_due is not None else None,
        "schedule": [_instalment(row) for row in status.schedule],
        "history": [entry_out(e) for e in history],
    }
