"""Setting a fund up: the fund and its rules, its chart of accounts, its members, its committee
and the roles granted for its seats. Every write: keyword-only, ``actor`` first, atomic,
``full_clean()``, audited; a refusal is one ValidationError naming every problem."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.communities.models import Person
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.organizations.models import Area

from . import domain
from .models import Account, Fund, FundKind, FundMember

#: rule fields a fund is created with / may change (a loan keeps the rules it was paid out with)
RULE_FIELDS = (
    "savings_minimum",
    "loan_ceiling",
    "interest_method",
    "interest_rate",
    "max_instalments",
    "late_fee",
    "grace_days",
    "confirm_threshold",
    "year_start_month",
)


def _area_problem(area: Area) -> str | None:
    if area.kind.code not in ("community", "district"):
        return _("A fund belongs to a community or a district (not %(area)s).") % {
            "area": area.name
        }
    return None


@transaction.atomic
def fund_create(
    *,
    actor: Any,
    kind: FundKind,
    area: Area,
    name: str,
    established_on: date,
    books_start: date | None = None,
    registration_no: str = "",
    note: str = "",
    **rules: Any,
) -> Fund:
    """A fund with its rules and the standard chart of accounts (domain.STANDARD_CHART)."""
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fund rules: {sorted(unknown)}")
    problems: domain.Problems = {}
    problem = _area_problem(area)
    if problem:
        domain.add(problems, "area", problem)
    name = (name or "").strip()
    if name and Fund.objects.filter(area=area, name=name).exists():
        domain.add(
            problems,
            "name",
            _("%(area)s already has a fund named %(name)s.") % {"area": area.name, "name": name},
        )
    start = books_start or established_on
    if established_on and established_on > timezone.localdate():
        domain.add(problems, "established_on", _("The date of establishment is in the future."))
    if start and established_on and start < established_on:
        domain.add(
            problems,
            "books_start",
            _("The books cannot start (%(start)s) before the fund was established (%(day)s).")
            % {"start": format_date(start), "day": format_date(established_on)},
        )
    domain.raise_problems(problems)
    fund = Fund(
        kind=kind,
        area=area,
        name=name,
        established_on=established_on,
        books_start=start,
        registration_no=(registration_no or "").strip(),
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
        **rules,
    )
    fund.full_clean()
    fund.save()
    Account.objects.bulk_create(
        [
            Account(fund=fund, code=code, type=type_, role=role, name_th=th, name_en=en)
            for code, type_, role, th, en in domain.STANDARD_CHART
        ]
    )
    record_event(
        actor=actor,
        action="funds.fund_create",
        obj=fund,
        changes={"name": name, "kind": kind.code, **{k: str(v) for k, v in rules.items()}},
        area_path=area.path,
    )
    return fund


@transaction.atomic
def member_add(
    *,
    actor: Any,
    fund: Fund,
    person: Person,
    joined_on: date,
    member_no: int | None = None,
) -> FundMember:
    """A registry person joins the fund (they may live outside its community)."""
    problems: domain.Problems = {}
    if FundMember.objects.filter(fund=fund, person=person).exists():
        domain.add(
            problems,
            "person",
            _("%(name)s is already a member of %(fund)s.")
            % {"name": person.full_name, "fund": fund.name},
        )
    if person.status != Person.Status.ALIVE:
        domain.add(
            problems,
            "person",
            _("%(name)s is recorded as %(status)s in the registry.")
            % {"name": person.full_name, "status": person.get_status_display()},
        )
    if joined_on > timezone.localdate():
        domain.add(problems, "joined_on", _("The joining date is in the future."))
    if joined_on < fund.established_on:
        domain.add(
            problems,
            "joined_on",
            _("The joining date is before the fund was established (%(day)s).")
            % {"day": format_date(fund.established_on)},
        )
    if member_no is not None and FundMember.objects.filter(fund=fund, member_no=member_no).exists():
        domain.add(
            problems, "member_no", _("Member number %(no)s is already taken.") % {"no": member_no}
        )
    domain.raise_problems(problems)
    if member_no is None:
        member_no = (
            FundMember.objects.filter(fund=fund).aggregate(n=Max("member_no"))["n"] or 0
        ) + 1
    member = FundMember(
        fund=fund,
        person=person,
        member_no=member_no,
        joined_on=joined_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    member.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"member_no": [_("Member number %(no)s is already taken.") % {"no": member_no}]}
        ) from exc
    record_event(
        actor=actor,
        action="funds.member_add",
        obj=member,
        changes={"member_no": member_no, "joined_on": joined_on.isoformat()},
        area_path=fund.area.path,
    )
    return member
