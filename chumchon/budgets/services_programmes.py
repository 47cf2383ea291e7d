"""Every write of a programme's first and last steps: set-up (spending rules, refused items),
allocation to the eligible communities, transfers to district offices, drops and closing.

Each service checks everything first and raises one ValidationError naming every problem
({field: [messages]}), so nothing is half-saved; money movements lock their rows first.
Permission checks are the views' and the API's (services assume an allowed actor).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.communities.models import Community, CommunityType
from chumchon.core.audit import record_event
from chumchon.core.dates import fiscal_year_bounds, format_date
from chumchon.organizations.models import Area

from . import domain
from .models import (
    Allocation,
    Application,
    CarryOver,
    Disbursement,
    FundReturn,
    Programme,
    RefusedItem,
    SpendingCategory,
    Transfer,
)

Problems = dict[str, list[str]]

DEFAULT_CATEGORY = {"code": "general", "name_th": "ค่าใช้จ่ายตามโครงการ", "name_en": "Programme costs"}
EDITABLE = (
    "fiscal_year",
    "name_th",
    "name_en",
    "budget_code",
    "amount_per_community",
    "allocation_rule",
    "community_types",
    "owner_area",
    "require_valid_committee",
    "carry_over_deadline",
    "note",
)
#: fixed once the programme is allocated (the allocations were computed from them)
FROZEN_AFTER_ALLOCATION = (
    "fiscal_year",
    "amount_per_community",
    "allocation_rule",
    "community_types",
    "owner_area",
    "require_valid_committee",
)


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _raise(problems: Problems) -> None:
    if problems:
        raise ValidationError(problems)


def _day(value: date | None) -> str:
    return format_date(value) if value else ""


def _audit(actor: Any, action: str, obj: Any, changes: Mapping[str, Any] | None = None, **kw):
    path = kw.pop("area_path", None)
    if path is None:
        path = obj.area_path if hasattr(obj, "area_path") else None
    record_event(actor=actor, action=action, obj=obj, changes=changes or {}, area_path=path, **kw)


def _lock(programme: Programme) -> Programme:
    return (
        Programme.objects.select_for_update(of=("self",))
        .select_related("owner_area")
        .get(pk=programme.pk)
    )


def _not_closed(programme: Programme, problems: Problems, field: str = "status") -> None:
    if programme.status == Programme.Status.CLOSED:
        _add(
            problems,
            field,
            _("The programme was closed on %(date)s: it can no longer be changed.")
            % {"date": _day(programme.closed_on)},
        )


# --- checks shared by create and update ---------------------------------------------------------


def _check_fiscal_year(value: Any, problems: Problems) -> int | None:
    try:
        year = int(value)
        fiscal_year_bounds(year)
    except (TypeError, ValueError, ValidationError):
        _add(
            problems,
            "fiscal_year",
            _("“%(value)s” is not a fiscal year in the Buddhist era (e.g. 2567).")
            % {"value": value},
        )
        return None
    return year


def _check_share(value: Any, label: str, field: str, problems: Problems) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        share = Decimal(str(value).strip().replace("%", "").strip())
    except (InvalidOperation, ValueError):
        share = None
    if share is None or not share.is_finite() or share <= 0 or share > 100:
        _add(
            problems,
            field,
            _(
                "%(label)s: the maximum share must be a percentage above 0 and at most 100 (got %(value)s)."
            )
            % {"label": label, "value": value},
        )
        return None
    if share != share.quantize(Decimal("0.01")):
        _add(
            problems,
            field,
            _("%(label)s: the maximum share has more than 2 decimals (%(value)s).")
            % {"label": label, "value": value},
        )
        return None
    return share.quantize(Decimal("0.01"))


def _owner_area(value: Any, problems: Problems) -> Area | None:
    if value is None or value == "":
        value = "BKK"
    if isinstance(value, Area):
        return value
    area = Area.objects.filter(code=str(value).strip()).first()
    if area is None:
        _add(problems, "owner_area", _("No area with code “%(code)s”.") % {"code": value})
    return area


def _types(codes: Iterable[Any], problems: Problems) -> list[CommunityType]:
    wanted = []
    for code in codes or ():
        code = code.code if isinstance(code, CommunityType) else str(code).strip()
        if code and code not in wanted:
            wanted.append(code)
    found = {t.code: t for t in CommunityType.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        _add(
            problems,
            "community_types",
            _("Unknown community types: %(codes)s (known: %(known)s).")
            % {
                "codes": ", ".join(unknown),
                "known": ", ".join(CommunityType.objects.values_list("code", flat=True)),
            },
        )
    return [found[c] for c in wanted if c in found]


def _deadline(value: Any, fiscal_year: int | None, problems: Problems) -> date | None:
    if value is None or value == "":
        return None
    if fiscal_year is not None:
        _starts, ends = fiscal_year_bounds(fiscal_year)
        if value <= ends:
            _add(
                problems,
                "carry_over_deadline",
                _("The carry-over deadline %(date)s must be after the fiscal year ends (%(ends)s).")
                % {"date": _day(value), "ends": _day(ends)},
            )
    return value


def _deadline_keeps_carry_overs(
    programme: Programme, deadline: date | None, problems: Problems
) -> None:
    """Once money is carried over, the deadline may move but not away from the payments
    already made against it (nor be removed)."""
    if programme.pk is None or deadline == programme.carry_over_deadline:
        return
    if not CarryOver.objects.filter(application__programme=programme).exists():
        return
    if deadline is None:
        _add(
            problems,
            "carry_over_deadline",
            _("Money is carried over in this programme: the carry-over deadline is needed."),
        )
        return
    last = (
        Disbursement.objects.filter(
            application__programme=programme, against=Disbursement.Against.CARRY_OVER
        )
        .exclude(status=Disbursement.Status.CANCELLED)
        .aggregate(last=Max("paid_on"))["last"]
    )
    if last and deadline < last:
        _add(
            problems,
            "carry_over_deadline",
            _("A payment against the carry-over is dated %(date)s: the deadline cannot be earlier.")
            % {"date": _day(last)},
        )


def _rule_and_amount(rule: Any, amount: Any, problems: Problems) -> tuple[str, Decimal | None]:
    rule = rule or Programme.Rule.FIXED
    if rule not in Programme.Rule.values:
        _add(
            problems,
            "allocation_rule",
            _("Unknown allocation rule “%(value)s”: use %(choices)s.")
            % {"value": rule, "choices": ", ".join(Programme.Rule.values)},
        )
    parsed = None
    if amount is not None and amount != "":
        parsed, problem = domain.amount_problem(amount, label=_("Amount per community"))
        if problem:
            _add(problems, "amount_per_community", problem)
    elif rule == Programme.Rule.FIXED:
        _add(
            problems,
            "amount_per_community",
            _("A fixed allocation needs the amount per community."),
        )
    return rule, parsed


def _same_name(fiscal_year: int | None, name_th: str, problems: Problems, exclude=None) -> None:
    if fiscal_year is None or not name_th:
        return
    others = Programme.objects.filter(fiscal_year=fiscal_year, name_th=name_th)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        _add(
            problems,
            "name_th",
            _("Fiscal year %(year)s already has a programme named “%(name)s”.")
            % {"year": fiscal_year, "name": name_th},
        )


def _categories(categories: Iterable[Mapping[str, Any]] | None, problems: Problems) -> list[dict]:
    rows = list(categories) if categories is not None else [dict(DEFAULT_CATEGORY)]
    seen: set[str] = set()
    checked = []
    for n, row in enumerate(rows, start=1):
        code = str(row.get("code") or "").strip()
        name_th = str(row.get("name_th") or "").strip()
        label = _("Category %(n)s") % {"n": n}
        if not code:
            _add(problems, f"categories.{n}.code", _("%(label)s: give a code.") % {"label": label})
        elif code in seen:
            _add(
                problems,
                f"categories.{n}.code",
                _("%(label)s: the code “%(code)s” is used twice.") % {"label": label, "code": code},
            )
        seen.add(code)
        if not name_th:
            _add(
                problems,
                f"categories.{n}.name_th",
                _("%(label)s: give its Thai name.") % {"label": label},
            )
        share = _check_share(row.get("max_share"), label, f"categories.{n}.max_share", problems)
        checked.append(
            {
                "code": code,
                "name_th": name_th,
                "name_en": str(row.get("name_en") or "").strip(),
                "max_share": share,
                "sort_order": n - 1,
            }
        )
    if not rows:
        _add(problems, "categories", _("A programme needs at least one spending category."))
    return checked


def _refused(refused: Iterable[Any], problems: Problems) -> list[tuple[str, str]]:
    checked: list[tuple[str, str]] = []
    seen: set[str] = set()
    for n, row in enumerate(refused or (), start=1):
        if isinstance(row, Mapping):
            term, reason = row.get("term", ""), row.get("reason", "")
        else:
            term, reason = (list(row) + [""])[:2]
        term, reason = str(term or "").strip(), str(reason or "").strip()
        key = domain.normalize_term(term)
        if not key:
            _add(
                problems,
                f"refused.{n}.term",
                _("Refused item %(n)s: give the refused item.") % {"n": n},
            )
            continue
        if key in seen:
            _add(
                problems,
                f"refused.{n}.term",
                _("Refused item %(n)s: “%(term)s” is listed twice.") % {"n": n, "term": term},
            )
            continue
        seen.add(key)
        checked.append((term, reason))
    return checked


# --- programmes ------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor: Any,
    fiscal_year: Any,
    name_th: str,
    budget_code: str,
    amount_per_community: Any = None,
    allocation_rule: str = Programme.Rule.FIXED,
    community_types: Iterable[Any] = (),
    owner_area: Any = None,
    require_valid_committee: bool = False,
    carry_over_deadline: date | None = None,
    name_en: str = "",
    note: str = "",
    categories: Iterable[Mapping[str, Any]] | None = None,
    refused: Iterable[Any] = (),
) -> Programme:
    """A new programme (draft) with its spending categories and refused items."""
    problems: Problems = {}
    year = _check_fiscal_year(fiscal_year, problems)
    name_th = (name_th or "").strip()
    budget_code = (budget_code or "").strip()
    if not name_th:
        _add(problems, "name_th", _("Give the programme's Thai name."))
    if not budget_code:
        _add(problems, "budget_code", _("Give the budget code (e.g. 50101000)."))
    _same_name(year, name_th, problems)
    rule, amount = _rule_and_amount(allocation_rule, amount_per_community, problems)
    types = _types(community_types, problems)
    area = _owner_area(owner_area, problems)
    deadline = _deadline(carry_over_deadline, year, problems)
    rows = _categories(categories, problems)
    terms = _refused(refused, problems)
    _raise(problems)
    programme = Programme(
        fiscal_year=year,
        name_th=name_th,
        name_en=(name_en or "").strip(),
        budget_code=budget_code,
        owner_area=area,
        allocation_rule=rule,
        amount_per_community=amount,
        require_valid_committee=bool(require_valid_committee),
        carry_over_deadline=deadline,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    programme.full_clean()
    programme.save()
    programme.community_types.set(types)
    SpendingCategory.objects.bulk_create(SpendingCategory(programme=programme, **r) for r in rows)
    RefusedItem.objects.bulk_create(
        RefusedItem(programme=programme, term=t, reason=r) for t, r in terms
    )
    _audit(
        actor,
        "budgets.programme_create",
        programme,
        {
            "fiscal_year": [None, year],
            "name_th": [None, name_th],
            "amount_per_community": [None, str(amount) if amount is not None else None],
            "allocation_rule": [None, rule],
            "community_types": [None, [t.code for t in types]],
        },
    )
    return programme


@transaction.atomic
def programme_update(*, actor: Any, programme: Programme, **values: Any) -> Programme:
    """Change a programme's settings (only the values given). Once allocated, the year, the
    rule, the amount, the types, the owner area and the committee condition are fixed; a
    closed programme is not changed."""
    programme = _lock(programme)
    problems: Problems = {}
    unknown = [k for k in values if k not in EDITABLE]
    for key in unknown:
        _add(problems, key, _("“%(field)s” cannot be changed here.") % {"field": key})
    _not_closed(programme, problems)
    if programme.status != Programme.Status.DRAFT:
        for key in FROZEN_AFTER_ALLOCATION:
            if key in values:
                current = getattr(programme, key)
                if key == "community_types":
                    current = sorted(programme.community_types.values_list("code", flat=True))
                    new = sorted(
                        v.code if isinstance(v, CommunityType) else str(v)
                        for v in values[key] or ()
                    )
                elif key == "owner_area":
                    new = values[key].code if isinstance(values[key], Area) else values[key]
                    current = programme.owner_area.code
                elif key == "amount_per_community" and values[key] not in (None, ""):
                    new, _problem = domain.amount_problem(values[key], label="")
                else:
                    new = values[key]
                if new != current:
                    _add(
                        problems,
                        key,
                        _(
                            "The programme was allocated on %(date)s: this setting can no "
                            "longer change."
                        )
                        % {"date": _day(programme.allocated_on)},
                    )
    _raise(problems)
    year = programme.fiscal_year
    if "fiscal_year" in values:
        year = _check_fiscal_year(values["fiscal_year"], problems)
    name_th = programme.name_th
    if "name_th" in values:
        name_th = (values["name_th"] or "").strip()
        if not name_th:
            _add(problems, "name_th", _("Give the programme's Thai name."))
    if "fiscal_year" in values or "name_th" in values:
        _same_name(year, name_th, problems, exclude=programme)
    if "budget_code" in values and not (values["budget_code"] or "").strip():
        _add(problems, "budget_code", _("Give the budget code (e.g. 50101000)."))
    rule, amount = programme.allocation_rule, programme.amount_per_community
    if "allocation_rule" in values or "amount_per_community" in values:
        rule, amount = _rule_and_amount(
            values.get("allocation_rule", programme.allocation_rule),
            values.get("amount_per_community", programme.amount_per_community),
            problems,
        )
    types = None
    if "community_types" in values:
        types = _types(values["community_types"], problems)
    area = programme.owner_area
    if "owner_area" in values:
        area = _owner_area(values["owner_area"], problems)
    deadline = programme.carry_over_deadline
    if "carry_over_deadline" in values or "fiscal_year" in values:
        deadline = _deadline(
            values.get("carry_over_deadline", programme.carry_over_deadline), year, problems
        )
        _deadline_keeps_carry_overs(programme, deadline, problems)
    _raise(problems)
    before = {k: getattr(programme, k) for k in EDITABLE if k not in ("community_types",)}
    programme.fiscal_year = year
    programme.name_th = name_th
    programme.allocation_rule = rule
    programme.amount_per_community = amount
    programme.owner_area = area
    programme.carry_over_deadline = deadline
    for key in ("name_en", "budget_code", "note"):
        if key in values:
            setattr(programme, key, (values[key] or "").strip())
    if "require_valid_committee" in values:
        programme.require_valid_committee = bool(values["require_valid_committee"])
    programme.full_clean()
    programme.save()
    changes = {
        k: [str(v), str(getattr(programme, k))]
        for k, v in before.items()
        if v != getattr(programme, k)
    }
    if types is not None:
        programme.community_types.set(types)
        changes["community_types"] = [None, [t.code for t in types]]
    _audit(actor, "budgets.programme_update", programme, changes)
    return programme


@transaction.atomic
def category_save(
    *,
    actor: Any,
    programme: Programme,
    code: str,
    name_th: str,
    name_en: str = "",
    max_share: Any = None,
) -> SpendingCategory:
    """Add a spending category, or change the one with this code."""
    programme = _lock(programme)
    problems: Problems = {}
    _not_closed(programme, problems)
    code = (code or "").strip()
    name_th = (name_th or "").strip()
    if not code:
        _add(problems, "code", _("Give the category's code."))
    if not name_th:
        _add(problems, "name_th", _("Give the category's Thai name."))
    share = _check_share(max_share, name_th or code, "max_share", problems)
    _raise(problems)
    category = SpendingCategory.objects.filter(programme=programme, code=code).first()
    before = None
    if category is None:
        last = programme.categories.order_by("-sort_order").first()
        category = SpendingCategory(
            programme=programme, code=code, sort_order=(last.sort_order + 1) if last else 0
        )
    else:
        before = [category.name_th, str(category.max_share)]
    category.name_th = name_th
    category.name_en = (name_en or "").strip()
    category.max_share = share
    try:
        category.full_clean(exclude=["programme"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    category.save()
    _audit(
        actor,
        "budgets.category_save",
        programme,
        {"category": [before, [code, name_th, str(share)]]},
    )
    return category


@transaction.atomic
def category_remove(*, actor: Any, category: SpendingCategory) -> None:
    """Remove a spending category no application item uses."""
    programme = _lock(category.programme)
    problems: Problems = {}
    _not_closed(programme, problems)
    from .models import ApplicationItem

    used = ApplicationItem.objects.filter(category=category).count()
    if used:
        _add(
            problems,
            "category",
            _("“%(name)s” is used by %(n)s application items: it cannot be removed.")
            % {"name": category.name_th, "n": used},
        )
    elif programme.categories.count() <= 1:
        _add(problems, "category", _("A programme needs at least one spending category."))
    _raise(problems)
    _audit(actor, "budgets.category_remove", programme, {"category": [category.code, None]})
    category.delete()


@transaction.atomic
def refused_add(*, actor: Any, programme: Programme, term: str, reason: str = "") -> RefusedItem:
    """Add an item the programme does not pay for."""
    programme = _lock(programme)
    problems: Problems = {}
    _not_closed(programme, problems)
    term = (term or "").strip()
    key = domain.normalize_term(term)
    if not key:
        _add(problems, "term", _("Give the refused item."))
    elif any(
        domain.normalize_term(t) == key for t in programme.refused.values_list("term", flat=True)
    ):
        _add(problems, "term", _("“%(term)s” is already refused.") % {"term": term})
    _raise(problems)
    item = RefusedItem.objects.create(programme=programme, term=term, reason=(reason or "").strip())
    _audit(actor, "budgets.refused_add", programme, {"refused": [None, term]})
    return item


@transaction.atomic
def refused_remove(*, actor: Any, item: RefusedItem) -> None:
    programme = _lock(item.programme)
    problems: Problems = {}
    _not_closed(programme, problems)
    _raise(problems)
    _audit(actor, "budgets.refused_remove", programme, {"refused": [item.term, None]})
    item.delete()


# --- allocation ------------------------------------------------------------------------------


def eligible_communities(programme: Programme, as_of: date):
    """Communities of the programme's area and types existing on `as_of` (without the
    committee condition)."""
    communities = Community.objects.existing_on(as_of).filter(
        area__path__startswith=programme.owner_area.path
    )
    type_ids = list(programme.community_types.values_list("pk", flat=True))
    if type_ids:
        communities = communities.filter(type_id__in=type_ids)
    return communities


def _with_valid_committee(communities, as_of: date) -> set[int]:
    from chumchon.committees.selectors import committee_states

    states = committee_states(communities, as_of)
    return {pk for pk, row in states.items() if row.state.valid}


@transaction.atomic
def programme_allocate(
    *,
    actor: Any,
    programme: Programme,
    as_of: date,
    amounts: Mapping[str, object] | None = None,
) -> int:
    """Budget every eligible community (draft -> open) and answer how many.

    Fixed rule: every community existing on `as_of` of the programme's types (and with a
    valid committee that day if required), the programme's amount each. Per-community rule:
    `amounts` maps community codes to amounts; each must be eligible in the same way."""
    programme = _lock(programme)
    problems: Problems = {}
    if programme.status != Programme.Status.DRAFT:
        _add(
            problems,
            "status",
            _("The programme was already allocated on %(date)s.")
            % {"date": _day(programme.allocated_on or programme.eligibility_on)},
        )
    if as_of is None:
        _add(problems, "as_of", _("Give the date eligibility is counted on."))
    _raise(problems)
    eligible = eligible_communities(programme, as_of)
    rows: list[tuple[int, int, Decimal]] = []  # community, district, amount
    if programme.allocation_rule == Programme.Rule.FIXED:
        if amounts:
            _add(
                problems,
                "amounts",
                _("This programme gives a fixed amount: do not send amounts per community."),
            )
        data = list(eligible.values_list("pk", "area__parent_id"))
        if programme.require_valid_committee and data:
            valid = _with_valid_committee(eligible, as_of)
            data = [(pk, d) for pk, d in data if pk in valid]
        rows = [(pk, d, programme.amount_per_community) for pk, d in data]
    else:
        if not amounts:
            _add(
                problems,
                "amounts",
                _(
                    "Give the amount of each community (this programme's amounts are per community)."
                ),
            )
        else:
            codes = {str(code).strip(): value for code, value in amounts.items()}
            known = dict(
                Community.objects.filter(area__code__in=list(codes)).values_list("area__code", "pk")
            )
            ok = dict(
                eligible.filter(area__code__in=list(codes)).values_list(
                    "area__code", "area__parent_id"
                )
            )
            valid = None
            if programme.require_valid_committee:
                valid = _with_valid_committee(eligible.filter(area__code__in=list(codes)), as_of)
            for code, value in codes.items():
                field = f"amounts.{code}"
                amount, problem = domain.amount_problem(
                    value, label=_("Amount of %(code)s") % {"code": code}
                )
                if problem:
                    _add(problems, field, problem)
                if code not in known:
                    _add(problems, field, _("No community with code “%(code)s”.") % {"code": code})
                elif code not in ok:
                    _add(
                        problems,
                        field,
                        _(
                            "%(code)s is not eligible on %(date)s (not yet announced, dissolved, "
                            "of another type or outside the programme's area)."
                        )
                        % {"code": code, "date": _day(as_of)},
                    )
                elif valid is not None and known[code] not in valid:
                    _add(
                        problems,
                        field,
                        _("%(code)s has no valid committee on %(date)s.")
                        % {"code": code, "date": _day(as_of)},
                    )
                elif amount is not None:
                    rows.append((known[code], ok[code], amount))
    if not problems and not rows:
        _add(
            problems,
            "as_of",
            _("No community is eligible on %(date)s: nothing was allocated.")
            % {"date": _day(as_of)},
        )
    _raise(problems)
    Allocation.objects.bulk_create(
        [
            Allocation(programme=programme, community_id=c, district_id=d, amount=a)
            for c, d, a in rows
        ],
        batch_size=1000,
    )
    programme.status = Programme.Status.OPEN
    programme.eligibility_on = as_of
    programme.allocated_on = timezone.localdate()
    programme.allocated_by = actor if getattr(actor, "is_authenticated", False) else None
    programme.save(
        update_fields=["status", "eligibility_on", "allocated_on", "allocated_by", "updated_at"]
    )
    total = sum((a for _c, _d, a in rows), Decimal("0"))
    _audit(
        actor,
        "budgets.programme_allocate",
        programme,
        {"as_of": as_of.isoformat(), "communities": len(rows), "amount": str(total)},
    )
    return len(rows)


# --- drops -----------------------------------------------------------------------------------


def _drop_problems(allocation: Allocation, problems: Problems) -> None:
    name = allocation.community.area.name
    if allocation.status == Allocation.Status.TRANSFERRED:
        _add(
            problems,
            "status",
            _("%(name)s was already transferred on %(date)s: it cannot be dropped.")
            % {"name": name, "date": _day(allocation.transfer.transferred_on)},
        )
    elif allocation.status == Allocation.Status.DROPPED:
        _add(
            problems,
            "status",
            _("%(name)s was already dropped on %(date)s.")
            % {"name": name, "date": _day(allocation.dropped_on)},
        )


@transaction.atomic
def allocation_drop(*, actor: Any, allocation: Allocation, on: date, reason: str) -> Allocation:
    """A budgeted community drops out of the programme (before its transfer), with the reason."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    problems: Problems = {}
    _not_closed(allocation.programme, problems)
    _drop_problems(allocation, problems)
    if on is None:
        _add(problems, "on", _("Give the date."))
    if not (reason or "").strip():
        _add(problems, "reason", _("Give the reason the community drops out."))
    _raise(problems)
    allocation.status = Allocation.Status.DROPPED
    allocation.dropped_on = on
    allocation.drop_reason = reason.strip()
    allocation.dropped_by = actor if getattr(actor, "is_authenticated", False) else None
    allocation.save(
        update_fields=["status", "dropped_on", "drop_reason", "dropped_by", "updated_at"]
    )
    _audit(
        actor,
        "budgets.allocation_drop",
        allocation,
        {"status": ["budgeted", "dropped"], "on": on.isoformat()},
        reason=allocation.drop_reason,
    )
    return allocation


@transaction.atomic
def allocations_drop(
    *, actor: Any, programme: Programme, community_codes: Iterable[str], on: date, reason: str
) -> int:
    """Drop several budgeted communities with one date and reason: all or nothing, every
    problem named (under ``community_codes``)."""
    codes = list(dict.fromkeys((c or "").strip() for c in community_codes if (c or "").strip()))
    problems: Problems = {}
    if not codes:
        _add(problems, "community_codes", _("Give at least one community code."))
    allocations = {
        a.community.area.code: a
        for a in programme.allocations.filter(community__area__code__in=codes).select_related(
            "community__area"
        )
    }
    missing = [c for c in codes if c not in allocations]
    if missing:
        _add(
            problems,
            "community_codes",
            _("No budget in this programme for: %(codes)s.") % {"codes": ", ".join(missing)},
        )
    _raise(problems)
    for code in codes:
        try:
            allocation_drop(actor=actor, allocation=allocations[code], on=on, reason=reason)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                problems.setdefault("community_codes", []).extend(errors)
    _raise(problems)  # the atomic block rolls back the drops already made
    return len(codes)


def dissolution_reason(community: Community) -> str:
    parts = [
        _("Dissolved on %(date)s") % {"date": _day(community.dissolved_on)},
    ]
    if community.dissolution_announcement_no:
        parts.append(_("announcement %(no)s") % {"no": community.dissolution_announcement_no})
    text = ", ".join(parts)
    if community.dissolution_reason:
        text = f"{text}: {community.dissolution_reason}"
    return text


@transaction.atomic
def allocations_drop_dissolved(*, actor: Any, programme: Programme, on: date) -> int:
    """Drop every budgeted allocation whose community was dissolved on or before `on`, with
    the dissolution as the reason; answers how many."""
    programme = _lock(programme)
    problems: Problems = {}
    _not_closed(programme, problems)
    if programme.status == Programme.Status.DRAFT:
        _add(problems, "status", _("The programme is not allocated yet."))
    if on is None:
        _add(problems, "on", _("Give the date."))
    _raise(problems)
    allocations = list(
        Allocation.objects.select_for_update(of=("self",))
        .filter(
            programme=programme,
            status=Allocation.Status.BUDGETED,
            community__dissolved_on__isnull=False,
            community__dissolved_on__lte=on,
        )
        .select_related("community")
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    for allocation in allocations:
        allocation.status = Allocation.Status.DROPPED
        allocation.dropped_on = on
        allocation.drop_reason = dissolution_reason(allocation.community)
        allocation.dropped_by = user
        allocation.updated_at = timezone.now()
    Allocation.objects.bulk_update(
        allocations,
        ["status", "dropped_on", "drop_reason", "dropped_by", "updated_at"],
        batch_size=500,
    )
    if allocations:
        _audit(
            actor,
            "budgets.allocations_drop_dissolved",
            programme,
            {"on": on.isoformat(), "dropped": [a.community_id for a in allocations]},
        )
    return len(allocations)


# --- transfers -------------------------------------------------------------------------------


def _district(value: Any, problems: Problems) -> Area | None:
    if isinstance(value, Area):
        area = value
    else:
        area = Area.objects.select_related("kind").filter(code=str(value or "").strip()).first()
        if area is None:
            _add(problems, "district", _("No district with code “%(code)s”.") % {"code": value})
            return None
    if area.kind.code != "district":
        _add(problems, "district", _("%(name)s is not a district.") % {"name": area.display_name})
        return None
    return area


@transaction.atomic
def transfer_record(
    *,
    actor: Any,
    programme: Programme,
    district: Any,
    transferred_on: date,
    community_codes: Iterable[str],
    reference: str = "",
    note: str = "",
) -> Transfer:
    """The department transferred the money of these communities to their district office.

    Refused: a programme not allocated or closed; a code that is unknown, not allocated, of
    another district, already transferred, dropped, or of a community dissolved on or before
    the transfer date (drop it first)."""
    programme = _lock(programme)
    problems: Problems = {}
    _not_closed(programme, problems)
    if programme.status == Programme.Status.DRAFT:
        _add(problems, "status", _("The programme is not allocated yet: allocate it first."))
    area = _district(district, problems)
    if transferred_on is None:
        _add(problems, "transferred_on", _("Give the transfer date."))
    elif programme.eligibility_on and transferred_on < programme.eligibility_on:
        _add(
            problems,
            "transferred_on",
            _("The transfer date %(date)s is before the allocation (%(as_of)s).")
            % {"date": _day(transferred_on), "as_of": _day(programme.eligibility_on)},
        )
    codes: list[str] = []
    for code in community_codes or ():
        code = str(code).strip()
        if code and code not in codes:
            codes.append(code)
    if not codes:
        _add(problems, "community_codes", _("Choose at least one community."))
    field = "community_codes"
    allocations = {
        a.community.area.code: a
        for a in Allocation.objects.select_for_update(of=("self",))
        .filter(programme=programme, community__area__code__in=codes)
        .select_related("community__area", "transfer")
    }
    known = set(Community.objects.filter(area__code__in=codes).values_list("area__code", flat=True))
    for code in codes:
        allocation = allocations.get(code)
        if code not in known:
            _add(problems, field, _("No community with code “%(code)s”.") % {"code": code})
            continue
        if allocation is None:
            _add(
                problems,
                field,
                _("%(code)s has no budget in this programme.") % {"code": code},
            )
            continue
        name = f"{code} {allocation.community.area.name}"
        if area is not None and allocation.district_id != area.pk:
            _add(
                problems,
                field,
                _("%(name)s belongs to another district, not %(district)s.")
                % {"name": name, "district": area.display_name},
            )
        elif allocation.status == Allocation.Status.TRANSFERRED:
            _add(
                problems,
                field,
                _("%(name)s was already transferred on %(date)s.")
                % {"name": name, "date": _day(allocation.transfer.transferred_on)},
            )
        elif allocation.status == Allocation.Status.DROPPED:
            _add(
                problems,
                field,
                _("%(name)s was dropped on %(date)s (%(reason)s).")
                % {
                    "name": name,
                    "date": _day(allocation.dropped_on),
                    "reason": allocation.drop_reason,
                },
            )
        elif (
            transferred_on is not None
            and allocation.community.dissolved_on is not None
            and allocation.community.dissolved_on <= transferred_on
        ):
            _add(
                problems,
                field,
                _("%(name)s was dissolved on %(date)s: drop it first, with the reason.")
                % {"name": name, "date": _day(allocation.community.dissolved_on)},
            )
    _raise(problems)
    transfer = Transfer.objects.create(
        programme=programme,
        district=area,
        transferred_on=transferred_on,
        reference=(reference or "").strip(),
        note=(note or "").strip(),
        recorded_by=actor,
    )
    ids = [allocations[c].pk for c in codes]
    Allocation.objects.filter(pk__in=ids).update(
        status=Allocation.Status.TRANSFERRED, transfer=transfer, updated_at=timezone.now()
    )
    total = sum((allocations[c].amount for c in codes), Decimal("0"))
    _audit(
        actor,
        "budgets.transfer_record",
        transfer,
        {
            "transferred_on": transferred_on.isoformat(),
            "communities": codes,
            "amount": str(total),
            "reference": transfer.reference,
        },
    )
    return transfer


# --- closing ---------------------------------------------------------------------------------


@transaction.atomic
def programme_close(
    *, actor: Any, programme: Programme, closed_on: date, note: str = ""
) -> list[FundReturn]:
    """Close the programme: every transferred allocation gives back what was not paid
    (transferred amount - confirmed payments, within the year and from the carry-over).

    Refused: not allocated or already closed; before the fiscal year ends; decisions or
    payments still waiting; before the carry-over deadline while carry-over money is unpaid."""
    programme = _lock(programme)
    problems: Problems = {}
    if programme.status == Programme.Status.CLOSED:
        _add(
            problems,
            "status",
            _("The programme was already closed on %(date)s.")
            % {"date": _day(programme.closed_on)},
        )
    elif programme.status == Programme.Status.DRAFT:
        _add(
            problems, "status", _("The programme is not allocated yet: there is nothing to close.")
        )
    _starts, ends = fiscal_year_bounds(programme.fiscal_year)
    if closed_on is None:
        _add(problems, "closed_on", _("Give the closing date."))
    elif closed_on <= ends:
        _add(
            problems,
            "closed_on",
            _("The fiscal year %(year)s ends on %(ends)s: the programme closes after that.")
            % {"year": programme.fiscal_year, "ends": _day(ends)},
        )
    waiting = Application.objects.filter(
        programme=programme,
        status__in=[Application.Status.SUBMITTED, Application.Status.REVIEWED],
    ).count()
    if waiting:
        _add(
            problems,
            "status",
            _("%(n)s applications still wait for a decision.") % {"n": waiting},
        )
    payments = Disbursement.objects.filter(
        application__programme=programme, status=Disbursement.Status.RECORDED
    ).count()
    if payments:
        _add(
            problems,
            "status",
            _("%(n)s payments still wait for confirmation.") % {"n": payments},
        )
    if (
        closed_on is not None
        and programme.carry_over_deadline
        and closed_on <= programme.carry_over_deadline
    ):
        carried = CarryOver.objects.filter(application__programme=programme).aggregate(
            s=Sum("amount")
        )["s"] or Decimal("0")
        paid = Disbursement.objects.filter(
            application__programme=programme,
            status=Disbursement.Status.CONFIRMED,
            against=Disbursement.Against.CARRY_OVER,
        ).aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if carried > paid:
            _add(
                problems,
                "closed_on",
                _(
                    "%(amount)s baht carried over is still unpaid: close after the carry-over "
                    "deadline %(deadline)s."
                )
                % {
                    "amount": f"{carried - paid:,.2f}",
                    "deadline": _day(programme.carry_over_deadline),
                },
            )
    _raise(problems)
    paid_by_allocation = dict(
        Disbursement.objects.filter(
            application__programme=programme, status=Disbursement.Status.CONFIRMED
        )
        .values("application__allocation_id")
        .annotate(total=Sum("amount"))
        .values_list("application__allocation_id", "total")
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    returns = []
    for allocation_id, community_id, amount in Allocation.objects.filter(
        programme=programme, status=Allocation.Status.TRANSFERRED
    ).values_list("pk", "community_id", "amount"):
        unused = amount - paid_by_allocation.get(allocation_id, Decimal("0"))
        if unused > 0:
            returns.append(
                FundReturn(
                    programme=programme,
                    allocation_id=allocation_id,
                    community_id=community_id,
                    amount=unused,
                    returned_on=closed_on,
                    recorded_by=user,
                )
            )
    FundReturn.objects.bulk_create(returns, batch_size=1000)
    programme.status = Programme.Status.CLOSED
    programme.closed_on = closed_on
    programme.closed_by = user
    programme.close_note = (note or "").strip()
    programme.save(update_fields=["status", "closed_on", "closed_by", "close_note", "updated_at"])
    _audit(
        actor,
        "budgets.programme_close",
        programme,
        {
            "status": ["open", "closed"],
            "closed_on": closed_on.isoformat(),
            "returns": len(returns),
            "returned": str(sum((r.amount for r in returns), Decimal("0"))),
        },
        reason=programme.close_note,
    )
    return returns


def programme_filter(queryset, *, fiscal_year: Any = None, q: str = ""):
    if fiscal_year not in (None, ""):
        queryset = queryset.filter(fiscal_year=fiscal_year)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(
            Q(name_th__icontains=q) | Q(name_en__icontains=q) | Q(budget_code=q)
        )
    return queryset
