"""Setting a fund up: the fund and its rules, its chart of accounts, its members, its committee
and the roles granted for its seats. Every write: keyword-only, ``actor`` first, atomic,
``full_clean()``, audited; a refusal is one ValidationError naming every problem."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.accounts.models import Role, RoleAssignment
from chumchon.accounts.services import role_assign, role_assignment_end
from chumchon.communities.models import Person
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.money import amount_problem, arabic_digits, format_baht, to_decimal
from chumchon.organizations.models import Area

from . import domain, ledger
from .models import Account, Entry, Fund, FundKind, FundMember, FundOfficer, Loan, PeriodClose
from .permissions import POSITION_ROLE

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


MONEY_RULES = ("savings_minimum", "loan_ceiling", "late_fee", "confirm_threshold", "interest_rate")
WHOLE_RULES = ("max_instalments", "grace_days", "year_start_month")
#: what fund_update may change besides the rules (kind and area stay)
NAME_FIELDS = ("name", "registration_no", "note")


def _label(name: str) -> str:
    return str(Fund._meta.get_field(name).verbose_name)


def parse_rules(rules: dict[str, Any], problems: domain.Problems) -> dict[str, Any]:
    """Rule values typed by a person ("1,000", "๕๐", Decimal, int) -> Decimal / int, with every
    problem under the rule's own name. Zero is a valid rule (no minimum, no lending)."""
    parsed: dict[str, Any] = {}
    for name, value in rules.items():
        if name in MONEY_RULES:
            try:
                number = to_decimal(value) if value not in (None, "") else None
            except (ValidationError, TypeError):
                number = None
            if number is not None and number == 0:
                parsed[name] = Decimal("0.00")
            elif number is not None and number < 0:
                domain.add(
                    problems,
                    name,
                    _("%(label)s cannot be negative (got %(value)s).")
                    % {"label": _label(name), "value": value},
                )
            else:
                amount, problem = amount_problem(value, label=_label(name))
                if problem:
                    domain.add(problems, name, problem)
                else:
                    parsed[name] = amount
        elif name in WHOLE_RULES:
            if isinstance(value, int) and not isinstance(value, bool):
                parsed[name] = value
                continue
            text = arabic_digits(str(value if value is not None else "")).strip()
            if text.isdigit():
                parsed[name] = int(text)
            else:
                domain.add(
                    problems,
                    name,
                    _("%(label)s: “%(value)s” is not a whole number.")
                    % {"label": _label(name), "value": value if value is not None else ""},
                )
        elif name == "interest_method":
            if value not in Fund.InterestMethod.values:
                domain.add(
                    problems,
                    name,
                    _("Choose the interest method: flat or declining balance (not “%(value)s”).")
                    % {"value": value},
                )
            else:
                parsed[name] = value
        else:
            parsed[name] = value
    return parsed


def _model_problems(obj: Any, problems: domain.Problems, **kwargs: Any) -> None:
    """full_clean's problems added to ours (so one ValidationError names everything)."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for message in errors:
                if message not in problems.get(name, []):
                    domain.add(problems, name, message)


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
    rules = parse_rules(rules, problems)
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
    _model_problems(fund, problems, validate_unique=False, validate_constraints=False)
    domain.raise_problems(problems)
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


# --- the fund's rules and names ----------------------------------------------------------------


@transaction.atomic
def fund_update(*, actor: Any, fund: Fund, **values: Any) -> Fund:
    """Change a fund's names and rules (not its kind or area). Loans keep the rules they were
    paid out with (their contract is a snapshot), so nothing else changes."""
    unknown = set(values) - set(RULE_FIELDS) - set(NAME_FIELDS)
    if unknown:
        raise TypeError(f"fund_update cannot change: {sorted(unknown)}")
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    problems: domain.Problems = {}
    rules = parse_rules({k: v for k, v in values.items() if k in RULE_FIELDS}, problems)
    names = {k: (v or "").strip() for k, v in values.items() if k in NAME_FIELDS}
    if "name" in names and (
        names["name"]
        and Fund.objects.filter(area_id=fund.area_id, name=names["name"])
        .exclude(pk=fund.pk)
        .exists()
    ):
        domain.add(
            problems,
            "name",
            _("%(area)s already has a fund named %(name)s.")
            % {"area": fund.area.name, "name": names["name"]},
        )
    if "year_start_month" in rules and rules["year_start_month"] != fund.year_start_month:
        last_year = (
            PeriodClose.objects.filter(fund=fund, kind=PeriodClose.Kind.YEAR)
            .order_by("-ends_on")
            .first()
        )
        if last_year is not None:
            domain.add(
                problems,
                "year_start_month",
                _("The accounting year cannot move: the year ending %(day)s is already closed.")
                % {"day": format_date(last_year.ends_on)},
            )
    changed = {**names, **rules}
    before = {k: getattr(fund, k) for k in changed}
    for key, value in changed.items():
        setattr(fund, key, value)
    _model_problems(fund, problems, validate_unique=False, validate_constraints=False)
    domain.raise_problems(problems)
    diff = {k: [str(before[k]), str(v)] for k, v in changed.items() if before[k] != v}
    if not diff:
        return fund
    fund.save()
    record_event(
        actor=actor, action="funds.fund_update", obj=fund, changes=diff, area_path=fund.area.path
    )
    return fund


# --- the chart of accounts ---------------------------------------------------------------------

#: the first digit of an account code by account type
TYPE_DIGIT = {"asset": "1", "liability": "2", "equity": "3", "income": "4", "expense": "5"}
_CODE = re.compile(r"^\d{4}$")


@transaction.atomic
def account_add(
    *, actor: Any, fund: Fund, code: str, type: str, name_th: str, name_en: str = ""
) -> Account:
    """An account of role "other" (e.g. 5110 meeting expenses); the code is 4 digits whose first
    digit says the type (1 asset, 2 liability, 3 capital, 4 income, 5 expense)."""
    problems: domain.Problems = {}
    code = arabic_digits(code or "").strip()
    name_th, name_en = (name_th or "").strip(), (name_en or "").strip()
    if type not in TYPE_DIGIT:
        domain.add(problems, "type", _("Choose the account type."))
    if not _CODE.match(code):
        domain.add(
            problems,
            "code",
            _("The account code is 4 digits (e.g. 5110), not “%(code)s”.") % {"code": code},
        )
    elif type in TYPE_DIGIT and code[0] != TYPE_DIGIT[type]:
        domain.add(
            problems,
            "code",
            _("A code for %(type)s starts with %(digit)s (not %(code)s).")
            % {
                "type": Account.Type(type).label,
                "digit": TYPE_DIGIT[type],
                "code": code,
            },
        )
    elif Account.objects.filter(fund=fund, code=code).exists():
        existing = Account.objects.get(fund=fund, code=code)
        domain.add(
            problems,
            "code",
            _("The code %(code)s is already used by %(account)s.")
            % {"code": code, "account": existing.name},
        )
    if not name_th:
        domain.add(problems, "name_th", _("Enter the account's name in Thai."))
    domain.raise_problems(problems)
    account = Account(
        fund=fund, code=code, type=type, role=Account.Role.OTHER, name_th=name_th, name_en=name_en
    )
    account.full_clean()
    account.save()
    record_event(
        actor=actor,
        action="funds.account_add",
        obj=account,
        changes={"code": code, "type": type, "name_th": name_th, "name_en": name_en},
        area_path=fund.area.path,
    )
    return account


# --- members -----------------------------------------------------------------------------------


@transaction.atomic
def member_leave(*, actor: Any, member: FundMember, left_on: date, reason: str) -> FundMember:
    """A member leaves the fund: refused while they have savings, owe on a loan or have entries
    waiting for confirmation (pay out and settle first)."""
    ledger.lock_fund(member.fund_id)  # no deposit or loan slips in between the checks and the save
    member = FundMember.objects.select_related("fund__area", "person").get(pk=member.pk)
    fund = member.fund
    problems: domain.Problems = {}
    name = member.person.full_name
    if member.left_on is not None:
        domain.add(
            problems,
            "left_on",
            _("%(name)s already left the fund on %(day)s.")
            % {"name": name, "day": format_date(member.left_on)},
        )
    if left_on is None:
        domain.add(problems, "left_on", _("Enter the date the member leaves."))
    else:
        if left_on < member.joined_on:
            domain.add(
                problems,
                "left_on",
                _("The leaving date is before the member joined (%(day)s).")
                % {"day": format_date(member.joined_on)},
            )
        if left_on > timezone.localdate():
            domain.add(problems, "left_on", _("The leaving date is in the future."))
    if not (reason or "").strip():
        domain.add(problems, "reason", _("Give the reason the member leaves."))
    savings = ledger.savings_of(member)
    if savings > 0:
        domain.add(
            problems,
            "left_on",
            _("%(name)s still has %(amount)s in savings: pay them out first.")
            % {"name": name, "amount": format_baht(savings)},
        )
    for loan in Loan.objects.filter(member=member).order_by("number"):
        owed = ledger.owed_by(loan)
        if owed.total > 0:
            domain.add(
                problems,
                "left_on",
                _("%(name)s still owes %(amount)s on loan %(number)s.")
                % {"name": name, "amount": format_baht(owed.total), "number": loan.number},
            )
    count = (
        Entry.objects.filter(fund=fund, status=Entry.Status.PENDING)
        .filter(Q(member=member) | Q(legs__member=member))
        .values("pk")
        .distinct()
        .count()
    )
    if count:
        domain.add(
            problems,
            "left_on",
            _("%(name)s has %(count)s entries waiting for confirmation: decide them first.")
            % {"name": name, "count": count},
        )
    domain.raise_problems(problems)
    member.left_on = left_on
    member.save(update_fields=["left_on", "updated_at"])
    record_event(
        actor=actor,
        action="funds.member_leave",
        obj=member,
        changes={"left_on": [None, left_on.isoformat()]},
        reason=reason.strip(),
        area_path=fund.area.path,
    )
    return member


# --- the fund's committee ----------------------------------------------------------------------

#: positions held by one person at a time
SINGLE_POSITIONS = (FundOfficer.Position.CHAIR, FundOfficer.Position.TREASURER)


def _overlapping(queryset, starts_on: date):
    """Seats still held on or after ``starts_on`` (``ends_on`` is the first day without it)."""
    return queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))


@transaction.atomic
def officer_appoint(
    *, actor: Any, fund: Fund, person: Person, position: str, starts_on: date
) -> FundOfficer:
    """A seat on the fund's committee from ``starts_on``. One chair and one treasurer at a
    time; a person holds one seat of a fund at a time."""
    fund = ledger.lock_fund(fund)  # two appointments to the same seat queue here
    problems: domain.Problems = {}
    if position not in FundOfficer.Position.values:
        domain.add(problems, "position", _("Choose a position on the fund's committee."))
    if starts_on is None:
        domain.add(problems, "starts_on", _("Enter the date the seat starts."))
    elif starts_on < fund.established_on:
        domain.add(
            problems,
            "starts_on",
            _("The seat cannot start before the fund was established (%(day)s).")
            % {"day": format_date(fund.established_on)},
        )
    if person.status != Person.Status.ALIVE:
        domain.add(
            problems,
            "person",
            _("%(name)s is recorded as %(status)s in the registry.")
            % {"name": person.full_name, "status": person.get_status_display()},
        )
    if starts_on is not None and position in FundOfficer.Position.values:
        seats = _overlapping(FundOfficer.objects.filter(fund=fund), starts_on).select_related(
            "person"
        )
        if position in SINGLE_POSITIONS:
            holder = seats.filter(position=position).first()
            if holder is not None:
                domain.add(
                    problems,
                    "position",
                    _("%(name)s is the fund's %(position)s since %(day)s: end that seat first.")
                    % {
                        "name": holder.person.full_name,
                        "position": holder.get_position_display(),
                        "day": format_date(holder.starts_on),
                    },
                )
        own = seats.filter(person=person).first()
        if own is not None:
            domain.add(
                problems,
                "person",
                _("%(name)s already sits on the fund's committee as %(position)s (since %(day)s).")
                % {
                    "name": person.full_name,
                    "position": own.get_position_display(),
                    "day": format_date(own.starts_on),
                },
            )
    domain.raise_problems(problems)
    officer = FundOfficer(
        fund=fund,
        person=person,
        position=position,
        starts_on=starts_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    officer.full_clean()
    officer.save()
    record_event(
        actor=actor,
        action="funds.officer_appoint",
        obj=officer,
        changes={"position": position, "starts_on": starts_on.isoformat()},
        area_path=fund.area.path,
    )
    return officer


def _end_role(actor: Any, assignment: RoleAssignment | None, ends_on: date, reason: str) -> None:
    """End the fund role granted for a seat the day before ``ends_on`` (the first day without
    the seat), unless it already ends earlier (as committees.services_terms._end_role)."""
    if assignment is None:
        return
    last_day = max(assignment.valid_from, ends_on - timedelta(days=1))
    if assignment.valid_to is not None and assignment.valid_to <= last_day:
        return
    role_assignment_end(actor=actor, assignment=assignment, valid_to=last_day, reason=reason)


@transaction.atomic
def officer_end(*, actor: Any, officer: FundOfficer, ends_on: date, reason: str) -> FundOfficer:
    """End a seat from ``ends_on`` (the first day without it); the fund role granted for it ends
    the day before."""
    officer = (
        FundOfficer.objects.select_for_update(of=("self",))
        .select_related("fund__area", "person", "role_assignment")
        .get(pk=officer.pk)
    )
    problems: domain.Problems = {}
    if officer.ends_on is not None:
        domain.add(
            problems,
            "ends_on",
            _("This seat already ended on %(day)s.") % {"day": format_date(officer.ends_on)},
        )
    if ends_on is None:
        domain.add(problems, "ends_on", _("Enter the date the seat ends."))
    elif ends_on < officer.starts_on:
        domain.add(
            problems,
            "ends_on",
            _("The seat cannot end before it started (%(day)s).")
            % {"day": format_date(officer.starts_on)},
        )
    if not (reason or "").strip():
        domain.add(problems, "reason", _("Give the reason the seat ends."))
    domain.raise_problems(problems)
    officer.ends_on = ends_on
    officer.end_reason = reason.strip()
    officer.full_clean()
    officer.save(update_fields=["ends_on", "end_reason", "updated_at"])
    _end_role(actor, officer.role_assignment, ends_on, reason.strip())
    record_event(
        actor=actor,
        action="funds.officer_end",
        obj=officer,
        changes={"ends_on": [None, ends_on.isoformat()]},
        reason=reason.strip(),
        area_path=officer.fund.area.path,
    )
    return officer


@transaction.atomic
def officer_grant_role(*, actor: Any, officer: FundOfficer, user: Any) -> RoleAssignment:
    """Give ``user`` the fund role of the seat's position (treasurer, clerk, committee) at the
    fund's area until the seat ends, and link the user account to the seat's registry person.
    The role acts on this fund only (permissions.py)."""
    officer = (
        FundOfficer.objects.select_for_update(of=("self",))
        .select_related("fund__area", "person__user", "role_assignment")
        .get(pk=officer.pk)
    )
    today = timezone.localdate()
    person = officer.person
    problems: domain.Problems = {}
    if officer.ends_on is not None and officer.ends_on <= today:
        domain.add(
            problems,
            "user",
            _("%(name)s no longer sits on the fund's committee (since %(day)s).")
            % {"name": person.full_name, "day": format_date(officer.ends_on)},
        )
    current = officer.role_assignment
    if current is not None and (current.valid_to is None or current.valid_to >= today):
        domain.add(
            problems,
            "user",
            _("The role for this seat is already granted to the user account %(user)s.")
            % {"user": current.user.get_username()},
        )
    if not getattr(user, "is_active", False):
        domain.add(
            problems,
            "user",
            _("The user account %(user)s is not active.") % {"user": user.get_username()},
        )
    linked = Person.objects.filter(user=user).exclude(pk=person.pk).first()
    if linked is not None:
        domain.add(
            problems,
            "user",
            _("The user account %(user)s is already linked to another person in the registry.")
            % {"user": user.get_username()},
        )
    if person.user_id is not None and person.user_id != user.pk:
        domain.add(
            problems,
            "user",
            _("%(name)s is already linked to the user account %(user)s.")
            % {"name": person.full_name, "user": person.user.get_username()},
        )
    domain.raise_problems(problems)
    fund = officer.fund
    role = Role.objects.get(code=POSITION_ROLE[officer.position])
    assignment = role_assign(
        actor=actor,
        user=user,
        role=role,
        area=fund.area,
        valid_from=max(today, officer.starts_on),
        valid_to=officer.ends_on - timedelta(days=1) if officer.ends_on else None,
        note=_("%(position)s of %(fund)s")
        % {
            "position": officer.get_position_display(),
            "fund": fund.name,
        },
    )
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    officer.role_assignment = assignment
    officer.save(update_fields=["role_assignment", "updated_at"])
    record_event(
        actor=actor,
        action="funds.officer_grant_role",
        obj=officer,
        changes={"user": user.get_username(), "role": role.code},
        area_path=fund.area.path,
    )
    return assignment
