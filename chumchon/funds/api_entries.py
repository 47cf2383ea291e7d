"""A fund's entries under /api/v1/funds/{fund_id}/entries.

- ``GET``: the entries in book order with their legs (filters: month=YYYY-MM, kind, status).
- ``POST``: either a journal ``{"legs": [{account_code, debit, credit, member_no?,
  loan_number?}], "entry_date", "description", "reference"?}`` or a typed operation
  ``{"operation": deposit | withdrawal | loan | repayment | expense | income | grant | capital |
  transfer, "entry_date", "amount", "member_no"?, "loan_number"?, "via"? (cash | bank),
  "to"? (transfer: bank | cash), "source"? (grant), "account_code"? (expense, income),
  "instalments"?, "first_due_on"?, "purpose"?, "guarantors"? (loan), "description"?,
  "reference"?}`` -> 201 with the entry (posted, or pending above the fund's threshold); a
  loan answers its number and schedule too (``funds.record``).
- ``POST .../{entry_id}/reverse`` {reason, entry_date?} (``funds.record``), ``.../confirm``
  and ``.../reject`` {reason} (``funds.confirm``; never the person who recorded it).

Amounts are strings with 2 decimals; a JSON number is read as typed. Outside reach: 404;
without the permission: 403; a refusal: 422 naming the fields, in the request's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.core.api import Page, PageParams, paginate
from chumchon.core.money import amount_problem

from . import domain, services_entries, services_loans
from .api_common import (
    ERRORS,
    EntryOut,
    Money,
    entries_with_legs,
    entry_out,
    fields_named,
    loan_by_number,
    member_by_no,
    money,
    reload_entry,
    required,
    whole_number,
)
from .models import Account, Entry, Fund, Loan
from .permissions import can_confirm, can_record, fund_get_for

router = Router(tags=["funds"])

#: service argument names -> the API's field names
RENAMED = {
    "member": "member_no",
    "loan": "loan_number",
    "account": "account_code",
    "principal": "amount",
}
NEEDS_MEMBER = ("deposit", "withdrawal", "loan")
VIAS = ("cash", "bank")


# --- schemas ----------------------------------------------------------------------------------


class EntryFilters(PageParams):
    month: str = Field("", description="YYYY-MM")
    kind: str = Field("", description="entry kind, e.g. deposit")
    status: str = Field("", description="posted | pending | rejected")


class EntryIn(Schema):
    operation: str = Field("", description="a typed operation; or send legs (a journal)")
    legs: list[dict[str, Any]] | None = Field(
        None,
        description=(
            'a journal: [{"account_code": "1010", "debit": "100.00", "credit": "0", '
            '"member_no"?: 3, "loan_number"?: 1}, ...]'
        ),
    )
    entry_date: date | None = Field(None, description="required; ISO date")
    amount: Money = Field(None, description='baht as a string, e.g. "500.00"')
    member_no: Money = None
    loan_number: Money = None
    via: str | None = Field(None, description="cash | bank")
    to: str | None = Field(None, description="transfer: bank (default) | cash")
    source: str = Field("", description="grant: who gave it")
    account_code: str = Field("", description="expense / income: the account (default standard)")
    instalments: Money = Field(None, description="loan: monthly instalments")
    first_due_on: date | None = None
    purpose: str = ""
    guarantors: str = ""
    description: str = ""
    reference: str = ""


class ReverseIn(Schema):
    reason: str = Field("", description="required")
    entry_date: date | None = Field(None, description="default: today")


class RejectIn(Schema):
    reason: str = Field("", description="required")


class InstalmentOut(Schema):
    number: int
    due_on: date
    principal: str
    interest: str


class LoanBriefOut(Schema):
    id: int
    number: int
    principal: str
    interest_method: str
    interest_rate: str
    instalments: int
    first_due_on: date
    schedule: list[InstalmentOut]


class RecordedOut(EntryOut):
    loan: LoanBriefOut | None = None


# --- helpers ----------------------------------------------------------------------------------


def _entry_in(fund: Fund, entry_id: int) -> Entry:
    entry = Entry.objects.filter(fund=fund, pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


def loan_brief(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "number": loan.number,
        "principal": money(loan.principal),
        "interest_method": loan.interest_method,
        "interest_rate": money(loan.interest_rate),
        "instalments": loan.instalments,
        "first_due_on": loan.first_due_on,
        "schedule": [
            {
                "number": row.number,
                "due_on": row.due_on,
                "principal": money(row.principal_due),
                "interest": money(row.interest_due),
            }
            for row in loan.schedule.order_by("number")
        ],
    }


def _choice(value: str | None, choices: tuple[str, ...], field: str, problems) -> None:
    if value is not None and value not in choices:
        domain.add(
            problems,
            field,
            _("“%(value)s” is not a way money moves: choose cash or bank.") % {"value": value},
        )


def _account(fund: Fund, code: str, problems) -> Account | None:
    code = (code or "").strip()
    if not code:
        return None
    account = Account.objects.filter(fund=fund, code=code).first()
    if account is None:
        domain.add(
            problems,
            "account_code",
            _("%(fund)s has no account %(code)s.") % {"fund": fund.name, "code": code},
        )
    return account


def _operation(user: Any, fund: Fund, payload: EntryIn) -> tuple[Entry, Loan | None]:
    """Check what the API itself resolves (the operation, member and loan numbers, accounts),
    then hand the raw values to the service, which parses and checks the rest."""
    entries = services_entries
    problems: domain.Problems = {}
    operation = (payload.operation or "").strip()
    has_legs = payload.legs is not None
    if has_legs and operation not in ("", "journal"):
        domain.add(
            problems,
            "operation",
            _("Send either legs (a journal entry) or an operation, not both."),
        )
    elif not has_legs and operation not in entries.OPERATIONS:
        domain.add(
            problems,
            "operation",
            _("Give the operation (%(choices)s) or the legs of a journal entry.")
            % {"choices": ", ".join(k for k in entries.OPERATIONS if k != "journal")},
        )
    if problems:
        domain.raise_problems(problems)
    if has_legs or operation == "journal":
        required(problems, entry_date=payload.entry_date)  # the services take a date
        domain.raise_problems(problems)
        with fields_named(RENAMED):
            made = entries.journal(
                actor=user,
                fund=fund,
                entry_date=payload.entry_date,
                legs=payload.legs or [],
                description=payload.description,
                reference=payload.reference,
            )
        return made, None

    member = loan = None
    if operation in NEEDS_MEMBER:
        required(problems, member_no=payload.member_no)
    if operation == "repayment":
        required(problems, loan_number=payload.loan_number)
    if payload.member_no not in (None, "") and operation in NEEDS_MEMBER:
        member = member_by_no(fund, payload.member_no, field="member_no", problems=problems)
    if payload.loan_number not in (None, "") and operation == "repayment":
        loan = loan_by_number(fund, payload.loan_number, field="loan_number", problems=problems)
    _choice(payload.via, VIAS, "via", problems)
    _choice(payload.to, VIAS, "to", problems)
    account = _account(fund, payload.account_code, problems) if payload.account_code else None
    instalments = None
    if operation == "loan" and payload.instalments not in (None, ""):
        instalments = whole_number(
            payload.instalments, field="instalments", problems=problems, minimum=1
        )
    required(problems, entry_date=payload.entry_date)  # the services take a date
    if problems:  # name what the service would also refuse, then stop
        problem = amount_problem(payload.amount, label=_("Amount"))[1]
        if problem:
            domain.add(problems, "amount", problem)
        domain.raise_problems(problems)

    common = {"actor": user, "fund": fund, "entry_date": payload.entry_date}
    via = {"via": payload.via} if payload.via else {}
    texts = {"reference": payload.reference}
    with fields_named(RENAMED):
        if operation in ("deposit", "withdrawal"):
            made = getattr(entries, operation)(
                **common,
                member=member,
                amount=payload.amount,
                description=payload.description,
                **via,
                **texts,
            )
        elif operation == "grant":
            made = entries.grant(
                **common, amount=payload.amount, source=payload.source, **via, **texts
            )
        elif operation == "capital":
            made = entries.capital(
                **common, amount=payload.amount, description=payload.description, **via, **texts
            )
        elif operation in ("expense", "income"):
            made = getattr(entries, operation)(
                **common,
                amount=payload.amount,
                description=payload.description,
                account=account,
                **via,
                **texts,
            )
        elif operation == "transfer":
            made = entries.transfer(
                **common,
                amount=payload.amount,
                to=payload.to or "bank",
                description=payload.description,
                **texts,
            )
        elif operation == "repayment":
            made = services_loans.repayment(
                **common, loan=loan, amount=payload.amount, **via, **texts
            )
        else:  # loan
            new_loan = services_loans.loan_disburse(
                **common,
                member=member,
                principal=payload.amount,
                instalments=instalments,
                first_due_on=payload.first_due_on,
                purpose=payload.purpose,
                guarantors=payload.guarantors,
                **via,
                **texts,
            )
            made = new_loan.entries.filter(kind=Entry.Kind.LOAN).order_by("pk").first()
            return made, new_loan
    return made, None


# --- endpoints --------------------------------------------------------------------------------


@router.get("/funds/{fund_id}/entries", response={200: Page[EntryOut], **ERRORS})
def list_fund_entries(request: HttpRequest, fund_id: int, filters: Query[EntryFilters]):
    """The fund's entries in book order (date, number), each with its legs."""
    fund = fund_get_for(request.auth, fund_id)
    queryset = Entry.objects.filter(fund=fund)
    problems: domain.Problems = {}
    if filters.month.strip():
        with fields_named():
            first = domain.parse_month(filters.month)
        last = domain.month_bounds(first)[1]
        queryset = queryset.filter(entry_date__gte=first, entry_date__lte=last)
    for name, value, choices in (
        ("kind", filters.kind.strip(), Entry.Kind.values),
        ("status", filters.status.strip(), Entry.Status.values),
    ):
        if value and value not in choices:
            domain.add(
                problems, name, _("Must be one of: %(choices)s.") % {"choices": ", ".join(choices)}
            )
        elif value:
            queryset = queryset.filter(**{name: value})
    domain.raise_problems(problems)
    page = paginate(entries_with_legs(queryset.order_by("entry_date", "number")), filters)
    page["items"] = [entry_out(e) for e in page["items"]]
    return page


@router.post("/funds/{fund_id}/entries", response={201: RecordedOut, **ERRORS})
def record_fund_entry(request: HttpRequest, fund_id: int, payload: EntryIn | None = None):
    """Record a typed operation or a journal entry with its legs."""
    fund = fund_get_for(request.auth, fund_id)
    if not can_record(request.auth, fund):
        raise PermissionDenied
    entry, loan = _operation(request.auth, fund, payload or EntryIn())
    body = reload_entry(entry)
    body["loan"] = loan_brief(loan) if loan is not None else None
    return Status(201, body)


@router.post("/funds/{fund_id}/entries/{entry_id}/reverse", response={201: EntryOut, **ERRORS})
def reverse_fund_entry(
    request: HttpRequest, fund_id: int, entry_id: int, payload: ReverseIn | None = None
):
    """Reverse a posted entry with the reason (mirrored legs, dated in the open period)."""
    fund = fund_get_for(request.auth, fund_id)
    if not can_record(request.auth, fund):
        raise PermissionDenied
    entry = _entry_in(fund, entry_id)
    payload = payload or ReverseIn()
    with fields_named():
        made = services_entries.reverse(
            actor=request.auth, entry=entry, reason=payload.reason, entry_date=payload.entry_date
        )
    return Status(201, reload_entry(made))


@router.post("/funds/{fund_id}/entries/{entry_id}/confirm", response={200: EntryOut, **ERRORS})
def confirm_fund_entry(request: HttpRequest, fund_id: int, entry_id: int):
    """Confirm an entry awaiting confirmation (not by the person who recorded it)."""
    fund = fund_get_for(request.auth, fund_id)
    if not can_confirm(request.auth, fund):
        raise PermissionDenied
    entry = _entry_in(fund, entry_id)
    with fields_named():
        services_entries.confirm(actor=request.auth, entry=entry)
    return reload_entry(entry)


@router.post("/funds/{fund_id}/entries/{entry_id}/reject", response={200: EntryOut, **ERRORS})
def reject_fund_entry(
    request: HttpRequest, fund_id: int, entry_id: int, payload: RejectIn | None = None
):
    """Reject an entry awaiting confirmation, with the reason (it never counts)."""
    fund = fund_get_for(request.auth, fund_id)
    if not can_confirm(request.auth, fund):
        raise PermissionDenied
    entry = _entry_in(fund, entry_id)
    payload = payload or RejectIn()
    with fields_named():
        services_entries.reject(actor=request.auth, entry=entry, reason=payload.reason)
    return reload_entry(entry)
