"""What the fund API's endpoints share: error answers, how entries, legs and money travel,
renaming service errors to the API's field names, and small parsers of raw JSON values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from chumchon.core.api import ErrorOut, decimal_str
from chumchon.core.api import fields_named as core_fields_named

from . import domain
from .models import Entry, Fund, FundMember, Leg, Loan

#: the answers every fund endpoint may give besides its success
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# Raw JSON values go to the services, which name the field on any bad one (a union type would
# read `true` as 1 baht and name `amount.str`/`amount.int`).
Money = Any


# --- schemas shared by several endpoints ------------------------------------------------------


class LegOut(Schema):
    account_code: str
    account_name: str
    debit: str
    credit: str
    member_no: int | None
    loan_number: int | None


class EntryOut(Schema):
    id: int
    number: int
    entry_date: date
    kind: str
    kind_label: str
    description: str
    reference: str
    amount: str
    status: str
    member_no: int | None
    member_name: str | None
    loan_number: int | None
    instalment_no: int | None
    reverses_id: int | None
    reversed_by_id: int | None
    reason: str
    recorded_by: str | None
    recorded_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reject_reason: str
    legs: list[LegOut] = Field(default_factory=list)


# --- output helpers ---------------------------------------------------------------------------


def money(value: Decimal | None) -> str:
    """Baht as a string with 2 decimals ("0.00" for nothing)."""
    return decimal_str(value if value is not None else Decimal("0")) or "0.00"


def username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def plain(value: Any) -> Any:
    """A selector's value as JSON: money as strings with 2 decimals, dates ISO, model rows by
    their key, collections element by element."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def entries_with_legs(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    """Entries with what ``entry_out`` reads, in a constant number of queries."""
    return queryset.select_related(
        "member__person", "loan", "recorded_by", "decided_by"
    ).prefetch_related(
        Prefetch(
            "legs",
            queryset=Leg.objects.select_related("account", "member", "loan").order_by("pk"),
        ),
        Prefetch(
            "reversals",
            queryset=Entry.objects.exclude(status=Entry.Status.REJECTED).only("pk", "reverses"),
            to_attr="live_reversals",
        ),
    )


def leg_out(leg: Leg) -> dict[str, Any]:
    return {
        "account_code": leg.account.code,
        "account_name": leg.account.name,
        "debit": money(leg.debit),
        "credit": money(leg.credit),
        "member_no": leg.member.member_no if leg.member_id else None,
        "loan_number": leg.loan.number if leg.loan_id else None,
    }


def entry_out(entry: Entry) -> dict[str, Any]:
    reversals = getattr(entry, "live_reversals", None)
    if reversals is None:
        reversals = list(entry.reversals.exclude(status=Entry.Status.REJECTED))
    return {
        "id": entry.pk,
        "number": entry.number,
        "entry_date": entry.entry_date,
        "kind": entry.kind,
        "kind_label": str(entry.get_kind_display()),
        "description": entry.description,
        "reference": entry.reference,
        "amount": money(entry.amount),
        "status": entry.status,
        "member_no": entry.member.member_no if entry.member_id else None,
        "member_name": entry.member.person.full_name if entry.member_id else None,
        "loan_number": entry.loan.number if entry.loan_id else None,
        "instalment_no": entry.instalment_no,
        "reverses_id": entry.reverses_id,
        "reversed_by_id": reversals[0].pk if reversals else None,
        "reason": entry.reason,
        "recorded_by": username(entry.recorded_by),
        "recorded_at": entry.recorded_at,
        "decided_by": username(entry.decided_by),
        "decided_at": entry.decided_at,
        "reject_reason": entry.reject_reason,
        "legs": [leg_out(leg) for leg in entry.legs.all()],
    }


def reload_entry(entry: Entry) -> dict[str, Any]:
    return entry_out(entries_with_legs(Entry.objects.filter(pk=entry.pk)).get())


# --- input helpers ----------------------------------------------------------------------------


def fields_named(mapping: dict[str, str] | None = None, default: str = "__all__"):
    """Service errors renamed to the API's field names; an error without a field goes to
    ``default`` (core.api.fields_named)."""
    return core_fields_named(mapping, default)


def required(problems: domain.Problems, **values: Any) -> None:
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            domain.add(problems, name, _("This field is required."))


def whole_number(
    value: Any, *, field: str, problems: domain.Problems, minimum: int = 0
) -> int | None:
    """An int from a JSON number or digits (``true`` and fractions are refused)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None:
        domain.add(problems, field, _("“%(value)s” is not a whole number.") % {"value": value})
        return None
    if number < minimum:
        domain.add(problems, field, _("Must be at least %(limit)s.") % {"limit": minimum})
        return None
    return number


def member_by_no(
    fund: Fund, value: Any, *, field: str, problems: domain.Problems
) -> FundMember | None:
    number = whole_number(value, field=field, problems=problems, minimum=1)
    if number is None:
        return None
    member = FundMember.objects.select_related("person").filter(fund=fund, member_no=number).first()
    if member is None:
        domain.add(
            problems,
            field,
            _("%(fund)s has no member number %(no)s.") % {"fund": fund.name, "no": number},
        )
    return member


def loan_by_number(fund: Fund, value: Any, *, field: str, problems: domain.Problems) -> Loan | None:
    number = whole_number(value, field=field, problems=problems, minimum=1)
    if number is None:
        return None
    loan = Loan.objects.select_related("member").filter(fund=fund, number=number).first()
    if loan is None:
        domain.add(
            problems,
            field,
            _("%(fund)s has no loan number %(no)s.") % {"fund": fund.name, "no": number},
        )
    return loan
