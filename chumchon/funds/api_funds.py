"""Funds and their members under /api/v1/funds/.

- ``GET /funds/`` (area=CODE: that area and below; kind=CODE): the funds the caller reads.
- ``POST /funds/`` (area_code, kind, name, established_on, books_start?, registration_no?,
  note?, rules {savings_minimum, loan_ceiling, interest_method, interest_rate,
  max_instalments, late_fee, grace_days, confirm_threshold, year_start_month}) -> 201 {id}
  (``funds.manage`` at the area).
- ``GET /funds/{fund_id}``: the fund, its rules, its chart and its summary (selectors).
- ``GET/POST /funds/{fund_id}/members``: the members with their savings; a registry person
  joins by national_id or person_id (``funds.record``). Names are shown to the fund's
  readers, national IDs never.
- ``GET /funds/{fund_id}/members/{member_id}/passbook``: the member's savings, line by line.

Outside reach: 404; without the permission: 403; then refusals: 422 naming the fields.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, DecimalField, F, Sum, When
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.communities.models import Person
from chumchon.communities.permissions import person_scope
from chumchon.communities.services import find_person_by_national_id
from chumchon.core.api import Page, PageParams, error_body, paginate
from chumchon.organizations.models import Area

from . import domain, selectors, services_setup
from .api_common import ERRORS, Money, fields_named, money, plain, required, whole_number
from .models import Entry, Fund, FundKind, FundMember, Leg
from .permissions import (
    can_create_funds,
    can_record,
    creatable_areas,
    fund_get_for,
    fund_scope,
)

router = Router(tags=["funds"])


# --- schemas ----------------------------------------------------------------------------------


class FundFilters(PageParams):
    area: str = Field("", description="area code: funds of that area and below")
    kind: str = Field("", description="fund kind code, e.g. savings_group")


class FundIn(Schema):
    area_code: str = Field("", description="required: the community or district code")
    kind: str = Field("", description="required: fund kind code (savings_group, village_fund…)")
    name: str = ""
    established_on: date | None = Field(None, description="required; ISO date")
    books_start: date | None = Field(None, description="default: established_on")
    registration_no: str = ""
    note: str = ""
    rules: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            'savings_minimum, loan_ceiling, late_fee, confirm_threshold ("100.00"), '
            'interest_method (flat | declining), interest_rate ("12.00" % a year), '
            "max_instalments, grace_days, year_start_month (whole numbers)"
        ),
    )


class CreatedOut(Schema):
    id: int


class FundOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    area_code: str
    area_name: str
    registration_no: str
    established_on: date
    books_start: date


class RulesOut(Schema):
    savings_minimum: str
    loan_ceiling: str
    interest_method: str
    interest_rate: str
    max_instalments: int
    late_fee: str
    grace_days: int
    confirm_threshold: str
    year_start_month: int


class AccountOut(Schema):
    code: str
    name_th: str
    name_en: str
    type: str
    role: str


class FundDetailOut(FundOut):
    note: str
    rules: RulesOut
    accounts: list[AccountOut]
    summary: dict[str, Any]


class MemberIn(Schema):
    national_id: str = Field("", description="the person's 13-digit national ID, or person_id")
    person_id: int | None = None
    joined_on: date | None = Field(None, description="required; ISO date")
    member_no: Money = Field(None, description="default: the next number")


class MemberOut(Schema):
    id: int
    member_no: int
    person_id: int
    name: str
    joined_on: date
    left_on: date | None
    savings: str


class PassbookLineOut(Schema):
    entry_id: int
    entry_number: int
    date: date
    description: str
    deposit: str
    withdrawal: str
    balance: str


class PassbookOut(Schema):
    member: MemberOut
    lines: list[PassbookLineOut]


# --- helpers ----------------------------------------------------------------------------------


def fund_out(fund: Fund) -> dict[str, Any]:
    return {
        "id": fund.pk,
        "name": fund.name,
        "kind": fund.kind.code,
        "kind_name": fund.kind.name,
        "area_code": fund.area.code,
        "area_name": fund.area.name,
        "registration_no": fund.registration_no,
        "established_on": fund.established_on,
        "books_start": fund.books_start,
    }


def rules_out(fund: Fund) -> dict[str, Any]:
    return {
        "savings_minimum": money(fund.savings_minimum),
        "loan_ceiling": money(fund.loan_ceiling),
        "interest_method": fund.interest_method,
        "interest_rate": money(fund.interest_rate),
        "max_instalments": fund.max_instalments,
        "late_fee": money(fund.late_fee),
        "grace_days": fund.grace_days,
        "confirm_threshold": money(fund.confirm_threshold),
        "year_start_month": fund.year_start_month,
    }


def rule_values(raw: dict[str, Any], problems: domain.Problems) -> dict[str, Any]:
    """The rules as sent (the service parses them, so the pages and the API say the same);
    unknown names are refused here."""
    rules: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in services_setup.RULE_FIELDS:
            domain.add(
                problems,
                f"rules.{key}",
                _("Unknown rule “%(key)s”: the rules are %(rules)s.")
                % {"key": key, "rules": ", ".join(services_setup.RULE_FIELDS)},
            )
        elif value is not None and value != "":
            rules[key] = value
    return rules


def rule_problems(rules: dict[str, Any], problems: domain.Problems) -> None:
    """The rules' own problems, when the fund cannot be created for other reasons too."""
    found: domain.Problems = {}
    services_setup.parse_rules(rules, found)
    for key, messages in found.items():
        for message in messages:
            domain.add(problems, f"rules.{key}", message)


def member_rows(fund: Fund):
    """The fund's members with their posted savings (one query)."""
    savings = dict(
        Leg.objects.filter(
            entry__fund=fund, entry__status=Entry.Status.POSTED, account__role="savings"
        )
        .values("member_id")
        .annotate(
            total=Sum(
                Case(
                    When(credit__gt=0, then=F("credit")),
                    default=-F("debit"),
                    output_field=DecimalField(max_digits=16, decimal_places=2),
                )
            )
        )
        .values_list("member_id", "total")
    )
    members = FundMember.objects.filter(fund=fund).select_related("person").order_by("member_no")
    return [member_out(m, savings.get(m.pk)) for m in members]


def member_out(member: FundMember, savings: Decimal | None) -> dict[str, Any]:
    return {
        "id": member.pk,
        "member_no": member.member_no,
        "person_id": member.person_id,
        "name": member.person.full_name,
        "joined_on": member.joined_on,
        "left_on": member.left_on,
        "savings": money(savings),
    }


def _person(user: Any, payload: MemberIn, problems: domain.Problems) -> Person | None:
    national_id = (payload.national_id or "").strip()
    if national_id and payload.person_id is not None:
        domain.add(problems, "national_id", _("Give the national ID or the person id, not both."))
        return None
    if national_id:
        try:
            person = find_person_by_national_id(national_id)
        except ValidationError as exc:
            for message in exc.messages:
                domain.add(problems, "national_id", message)
            return None
        if person is None:
            domain.add(
                problems,
                "national_id",
                _("Nobody with this national ID is in the registry: register the person first."),
            )
        return person
    if payload.person_id is not None:
        person = person_scope(user).filter(pk=payload.person_id).first()
        if person is None:
            domain.add(
                problems,
                "person_id",
                _("No person %(id)s in the registry you can see.") % {"id": payload.person_id},
            )
        return person
    domain.add(problems, "national_id", _("Give the person's national ID (or person_id)."))
    return None


# --- endpoints --------------------------------------------------------------------------------


@router.get("/funds/", response={200: Page[FundOut], **ERRORS})
def list_funds(request: HttpRequest, filters: Query[FundFilters]):
    """The funds the caller reads, by area and name; `area` narrows to an area and below."""
    queryset = fund_scope(request.auth)
    if filters.area.strip():
        area = Area.objects.filter(code=filters.area.strip()).first()
        if area is None:
            raise ValidationError(
                {"area": _("No area has the code %(code)s.") % {"code": filters.area}}
            )
        queryset = queryset.filter(area__path__startswith=area.path)
    if filters.kind.strip():
        queryset = queryset.filter(kind__code=filters.kind.strip())
    page = paginate(queryset.order_by("area__path", "name", "pk"), filters)
    page["items"] = [fund_out(f) for f in page["items"]]
    return page


@router.post("/funds/", response={201: CreatedOut, **ERRORS})
def create_fund(request: HttpRequest, payload: FundIn | None = None):
    """Create a fund with its rules and the standard chart of accounts."""
    user = request.auth
    if not can_create_funds(user):
        raise PermissionDenied
    payload = payload or FundIn()
    problems: domain.Problems = {}
    required(problems, area_code=payload.area_code, kind=payload.kind)
    area = kind = None
    if payload.area_code.strip():
        area = Area.objects.select_related("kind").filter(code=payload.area_code.strip()).first()
        if area is None:
            domain.add(
                problems,
                "area_code",
                _("No area has the code %(code)s.") % {"code": payload.area_code},
            )
        elif not creatable_areas(user).filter(pk=area.pk).exists():
            return Status(
                403,
                error_body(
                    _("You do not have permission to do this."),
                    [
                        {
                            "field": "area_code",
                            "message": _("You may not create a fund in %(area)s.")
                            % {"area": area.name},
                        }
                    ],
                ),
            )
    if payload.kind.strip():
        kind = FundKind.objects.filter(code=payload.kind.strip()).first()
        if kind is None:
            domain.add(
                problems,
                "kind",
                _("Unknown fund kind %(code)s: choose one of %(codes)s.")
                % {
                    "code": payload.kind,
                    "codes": ", ".join(FundKind.objects.values_list("code", flat=True)),
                },
            )
    rules = rule_values(payload.rules or {}, problems)
    if problems:  # name the rest too, then stop
        required(problems, name=payload.name, established_on=payload.established_on)
        rule_problems(rules, problems)
        domain.raise_problems(problems)
    renamed = {"area": "area_code", **{k: f"rules.{k}" for k in services_setup.RULE_FIELDS}}
    with fields_named(renamed):
        fund = services_setup.fund_create(
            actor=user,
            kind=kind,
            area=area,
            name=payload.name,
            established_on=payload.established_on,
            books_start=payload.books_start,
            registration_no=payload.registration_no,
            note=payload.note,
            **rules,
        )
    return Status(201, {"id": fund.pk})


@router.get("/funds/{fund_id}", response={200: FundDetailOut, **ERRORS})
def get_fund(request: HttpRequest, fund_id: int):
    """The fund, its rules, its chart of accounts and its summary (balances, members, loans,
    entries awaiting confirmation, the last closed day)."""
    fund = fund_get_for(request.auth, fund_id)
    return {
        **fund_out(fund),
        "note": fund.note,
        "rules": rules_out(fund),
        "accounts": [
            {
                "code": a.code,
                "name_th": a.name_th,
                "name_en": a.name_en,
                "type": a.type,
                "role": a.role,
            }
            for a in fund.accounts.order_by("code")
        ],
        "summary": plain(selectors.fund_summary(fund)),
    }


@router.get("/funds/{fund_id}/members", response={200: Page[MemberOut], **ERRORS})
def list_fund_members(request: HttpRequest, fund_id: int, page: Query[PageParams]):
    """The fund's members by number, with their posted savings."""
    fund = fund_get_for(request.auth, fund_id)
    rows = member_rows(fund)
    return {"items": rows[page.offset : page.offset + page.limit], "count": len(rows)}


@router.post("/funds/{fund_id}/members", response={201: MemberOut, **ERRORS})
def add_fund_member(request: HttpRequest, fund_id: int, payload: MemberIn | None = None):
    """A registry person joins the fund (by national ID or person id; they may live outside
    the fund's community)."""
    fund = fund_get_for(request.auth, fund_id)
    if not can_record(request.auth, fund):
        raise PermissionDenied
    payload = payload or MemberIn()
    problems: domain.Problems = {}
    person = _person(request.auth, payload, problems)
    required(problems, joined_on=payload.joined_on)
    member_no = whole_number(payload.member_no, field="member_no", problems=problems, minimum=1)
    domain.raise_problems(problems)
    with fields_named({"person": "national_id" if payload.national_id else "person_id"}):
        member = services_setup.member_add(
            actor=request.auth,
            fund=fund,
            person=person,
            joined_on=payload.joined_on,
            member_no=member_no,
        )
    return Status(201, member_out(member, None))


@router.get("/funds/{fund_id}/members/{member_id}/passbook", response={200: PassbookOut, **ERRORS})
def fund_member_passbook(request: HttpRequest, fund_id: int, member_id: int):
    """The member's savings passbook: posted deposits and withdrawals with a running balance."""
    fund = fund_get_for(request.auth, fund_id)
    member = FundMember.objects.select_related("person", "fund").filter(fund=fund, pk=member_id)
    member = member.first()
    if member is None:
        raise Http404
    lines = selectors.passbook(member)
    balance = lines[-1].balance if lines else None
    return {
        "member": member_out(member, balance),
        "lines": [
            {
                "entry_id": line.entry.pk,
                "entry_number": line.entry.number,
                "date": line.date,
                "description": line.entry.description,
                "deposit": money(line.deposit),
                "withdrawal": money(line.withdrawal),
                "balance": money(line.balance),
            }
            for line in lines
        ],
    }
