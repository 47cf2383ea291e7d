"""Budget programme rules without the database: amounts, spending rules, payment windows and
the summary arithmetic. Services call these; tests table-test them.

Every problem is reported with the field it belongs to (``items.2.amount``) and a message in
the active language (Thai or English), so a form or an API answer can point at it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chumchon.core.dates import fiscal_year_bounds, format_date
from chumchon.core.money import (  # noqa: F401  (amount rules live in core; re-exported)
    MAX_AMOUNT,
    amount_problem,
    format_baht,
    parse_amount,
    percent,
    round_half_up,
    to_decimal,
)

Problems = dict[str, list[str]]


def add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


_SPACE = re.compile(r"\s+")


def normalize_term(text: str) -> str:
    """What refused-item matching compares: case folded, all spacing removed."""
    return _SPACE.sub("", (text or "").casefold())


@dataclass(frozen=True)
class CategoryRule:
    code: str
    name: str
    max_share: Decimal | None  # percent of the allocated amount, or no cap


@dataclass(frozen=True)
class RefusedRule:
    term: str
    reason: str


@dataclass(frozen=True)
class ItemIn:
    """One item as typed: category code, description, amount (still unparsed), activity."""

    category: str
    description: str
    amount: object
    activity: str = ""


@dataclass(frozen=True)
class CheckedItem:
    category: str
    description: str
    amount: Decimal
    activity: str = ""


def cap_of(allocated: Decimal, share: Decimal) -> Decimal:
    """A category's cap in baht: ``share`` % of the allocated amount, rounded once half up."""
    return round_half_up(allocated * share / 100)


def over_cap(total: Decimal, allocated: Decimal, share: Decimal | None) -> bool:
    """Whether a category's total is above its cap, compared exactly (not the rounded cap)."""
    return share is not None and total * 100 > allocated * share


def check_items(
    items: Iterable[ItemIn],
    *,
    categories: Mapping[str, CategoryRule],
    refused: Iterable[RefusedRule],
    allocated: Decimal,
) -> tuple[list[CheckedItem], Problems]:
    """Check an application's items against the programme's spending rules.

    Problems (keys ``items``, ``items.N.category|description|amount`` with N from 1): no items;
    an unknown category; an empty description; a bad amount; a refused item (naming the term
    and the reason); a category above its maximum share of ``allocated``; a total above
    ``allocated``. Returns the parsed items (only meaningful when there are no problems).
    """
    items = list(items)
    problems: Problems = {}
    checked: list[CheckedItem] = []
    refused = [(normalize_term(r.term), r) for r in refused if normalize_term(r.term)]
    if not items:
        add(problems, "items", _("Add at least one item with its amount."))
    for n, item in enumerate(items, start=1):
        description = (item.description or "").strip()
        if item.category not in categories:
            if item.category:
                add(
                    problems,
                    f"items.{n}.category",
                    _("Item %(n)s: “%(code)s” is not a spending category of this programme.")
                    % {"n": n, "code": item.category},
                )
            else:
                add(problems, f"items.{n}.category", _("Item %(n)s: choose a category.") % {"n": n})
        if not description:
            add(problems, f"items.{n}.description", _("Item %(n)s: describe the item.") % {"n": n})
        else:
            text = normalize_term(description)
            for term, rule in refused:
                if term in text:
                    message = _(
                        "Item %(n)s: “%(item)s” is refused by this programme (%(term)s)."
                    ) % {"n": n, "item": description, "term": rule.term}
                    if rule.reason:
                        message = f"{message} {rule.reason}"
                    add(problems, f"items.{n}.description", message)
                    break
        amount, problem = amount_problem(item.amount, label=_("Item %(n)s amount") % {"n": n})
        if problem:
            add(problems, f"items.{n}.amount", problem)
        elif item.category in categories and description:
            checked.append(
                CheckedItem(item.category, description, amount, (item.activity or "").strip())
            )
    if problems:
        return checked, problems
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    for item in checked:
        by_category[item.category] += item.amount
    for code, total in by_category.items():
        rule = categories[code]
        if rule.max_share is None:
            continue
        if over_cap(total, allocated, rule.max_share):
            add(
                problems,
                "items",
                _(
                    "%(category)s comes to %(total)s, above its limit of %(share)s %% of the "
                    "budget (%(limit)s)."
                )
                % {
                    "category": rule.name,
                    "total": format_baht(total),
                    "share": format(rule.max_share.normalize(), "f"),
                    "limit": format_baht(cap_of(allocated, rule.max_share)),
                },
            )
    total = sum((i.amount for i in checked), Decimal("0"))
    if total > allocated:
        add(
            problems,
            "items",
            _("The items come to %(total)s, more than the community's budget of %(budget)s.")
            % {"total": format_baht(total), "budget": format_baht(allocated)},
        )
    return checked, problems


@dataclass(frozen=True)
class PaymentWindow:
    """When a programme's money may be paid: within its fiscal year, or after it (against a
    carry-over) until the carry-over deadline."""

    year_starts: date
    year_ends: date
    carry_over_deadline: date | None

    @classmethod
    def of(cls, fiscal_year: int, carry_over_deadline: date | None) -> PaymentWindow:
        starts, ends = fiscal_year_bounds(fiscal_year)
        return cls(starts, ends, carry_over_deadline)

    def against(self, paid_on: date) -> str:
        """ "year" or "carry_over", or a ValidationError (key ``paid_on``) saying why the date
        is outside both."""
        if self.year_starts <= paid_on <= self.year_ends:
            return "year"
        if paid_on > self.year_ends and self.carry_over_deadline:
            if paid_on <= self.carry_over_deadline:
                return "carry_over"
            raise ValidationError(
                {
                    "paid_on": [
                        _(
                            "The payment date %(date)s is after the carry-over deadline "
                            "%(deadline)s."
                        )
                        % {
                            "date": format_date(paid_on),
                            "deadline": format_date(self.carry_over_deadline),
                        }
                    ]
                }
            )
        raise ValidationError(
            {
                "paid_on": [
                    _(
                        "The payment date %(date)s is outside the fiscal year "
                        "(%(starts)s to %(ends)s)."
                    )
                    % {
                        "date": format_date(paid_on),
                        "starts": format_date(self.year_starts),
                        "ends": format_date(self.year_ends),
                    }
                ]
            }
        )


@dataclass(frozen=True)
class Figures:
    """A programme's figures for an area: counts and exact sums (selectors fill them)."""

    communities_budgeted: int = 0
    amount_budgeted: Decimal = Decimal("0")
    communities_dropped: int = 0
    communities_transferred: int = 0
    amount_transferred: Decimal = Decimal("0")
    communities_applied: int = 0
    communities_approved: int = 0
    amount_approved: Decimal = Decimal("0")
    amount_disbursed: Decimal = Decimal("0")  # confirmed, paid within the fiscal year
    amount_carried_over: Decimal = Decimal("0")
    amount_paid_from_carry_over: Decimal = Decimal("0")
    amount_returned: Decimal = Decimal("0")
    applications_waiting: int = 0  # submitted or reviewed, not yet decided
    payments_waiting: int = 0  # recorded, not yet confirmed

    @property
    def applied_pct(self) -> Decimal | None:
        """Communities that applied, as % of those transferred (rounded once, half up)."""
        return percent(self.communities_applied, self.communities_transferred)

    @property
    def spent_and_carried(self) -> Decimal:
        return self.amount_disbursed + self.amount_carried_over

    @property
    def spent_and_carried_pct(self) -> Decimal | None:
        """(Disbursed within the year + carried over) as % of the amount transferred."""
        return percent(self.spent_and_carried, self.amount_transferred)

    @property
    def not_applied(self) -> int:
        return self.communities_transferred - self.communities_applied
