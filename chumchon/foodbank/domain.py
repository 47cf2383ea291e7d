"""Food bank rules that need no database: weights, impact arithmetic, points and lots.

Weights are kept in grams (integers): a weight typed in kg with up to 3 decimals is exactly a
whole number of grams, and sums of integers are exact on SQLite and PostgreSQL alike.

Impact: meals = kg x meals-per-kg and kgCO2e = kg x kgCO2e-per-kg, with the factors valid on
each donation's date. Totals multiply the exact gram sums of each factor period and round ONCE
(ROUND_HALF_UP, 2 decimals): 295,043.307 kg at 4.2 and 2.53 give 1,239,181.89 meals and
746,459.57 kgCO2e (source 001).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chumchon.core.money import format_number, round_half_up, to_decimal

GRAMS_PER_KG = 1000
#: the largest single weight accepted (1,000 tonnes): a typing slip, not a donation
MAX_WEIGHT_G = 1_000_000_000
MEALS_KEY = "foodbank.meals_per_kg"
CO2_KEY = "foodbank.kgco2e_per_kg"
#: age from which a household member may redeem the household's points (Civil Code s.19)
ADULT_AGE = 20
MAX_POINTS = 1_000_000
MAX_QUANTITY = 100_000


def add(problems: dict[str, list[str]], key: str, message: str) -> None:
    problems.setdefault(key, []).append(message)


def raise_problems(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


# --- weights -----------------------------------------------------------------------------------


def weight_problem(value: object, *, label: str) -> tuple[int | None, str | None]:
    """(grams, None) for a positive weight in kg with at most 3 decimals, else (None, message).

    Accepts a Decimal, an int or a string (commas, Thai digits). A JSON/float number is read as
    typed (its shortest form: 12.5 -> "12.5"); booleans, zero, negatives, more than 3 decimals
    and non-numbers are refused, naming ``label``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("%(label)s: enter a weight in kg.") % {"label": label}
    if isinstance(value, bool):
        return None, _("%(label)s: “%(value)s” is not a weight in kg.") % {
            "label": label,
            "value": value,
        }
    if isinstance(value, float):
        value = repr(value)
    try:
        kg = to_decimal(value)  # type: ignore[arg-type]
    except (ValidationError, TypeError):
        return None, _("%(label)s: “%(value)s” is not a weight in kg.") % {
            "label": label,
            "value": value,
        }
    if kg <= 0:
        return None, _("%(label)s must be more than zero kg (got %(value)s).") % {
            "label": label,
            "value": value,
        }
    grams = kg * GRAMS_PER_KG
    if grams != grams.to_integral_value():
        return None, _(
            "%(label)s has more than 3 decimals (%(value)s): weights are kept to the gram."
        ) % {"label": label, "value": value}
    if grams > MAX_WEIGHT_G:
        return None, _("%(label)s is too large (%(value)s kg).") % {
            "label": label,
            "value": value,
        }
    return int(grams), None


def kg(grams: int | None) -> Decimal:
    """Grams as an exact kg Decimal with 3 decimals."""
    return (Decimal(grams or 0) / GRAMS_PER_KG).quantize(Decimal("0.001"))


def format_kg(grams: int | None, places: int = 3) -> str:
    """12,345.678 (kg, grouped); ``places=2`` rounds once, half up."""
    value = kg(grams)
    return format_number(round_half_up(value, places) if places < 3 else value, places)


@dataclass(frozen=True)
class CategoryLine:
    category: str
    grams: int


def check_categories(
    total_g: int | None, lines: Sequence[tuple[str, object]], *, known: Iterable[str]
) -> tuple[list[CategoryLine], dict[str, list[str]]]:
    """Parse category weights (``categories.N.category`` / ``categories.N.weight_kg`` keys):
    known categories, each once, weights valid, and summing exactly to the total."""
    problems: dict[str, list[str]] = {}
    known = set(known)
    parsed: list[CategoryLine] = []
    seen: set[str] = set()
    for n, (category, weight) in enumerate(lines):
        row = n + 1
        if not isinstance(category, str) or category not in known:
            add(
                problems,
                f"categories.{n}.category",
                _("Category %(row)s: “%(value)s” is not a food category.")
                % {"row": row, "value": category},
            )
        elif category in seen:
            add(
                problems,
                f"categories.{n}.category",
                _("Category %(row)s: %(value)s is given twice.") % {"row": row, "value": category},
            )
        seen.add(str(category))
        grams, problem = weight_problem(weight, label=_("Category %(row)s weight") % {"row": row})
        if problem:
            add(problems, f"categories.{n}.weight_kg", problem)
        elif isinstance(category, str) and category in known:
            parsed.append(CategoryLine(category, grams))  # type: ignore[arg-type]
    if lines and not problems and total_g is not None:
        total = sum(line.grams for line in parsed)
        if total != total_g:
            add(
                problems,
                "categories",
                _(
                    "The category weights add up to %(sum)s kg but the donation weighs "
                    "%(total)s kg: they must be equal."
                )
                % {"sum": format_kg(total), "total": format_kg(total_g)},
            )
    return parsed, problems


# --- impact ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factors:
    meals_per_kg: Decimal
    kgco2e_per_kg: Decimal


def meals_exact(grams: int, factor: Decimal) -> Decimal:
    return Decimal(grams) * factor / GRAMS_PER_KG


@dataclass
class Impact:
    """Totals of an area and period. ``groups``: (meals factor, CO2 factor) -> grams."""

    grams: int = 0
    meals_exact: Decimal = Decimal(0)
    kgco2e_exact: Decimal = Decimal(0)
    donations: int = 0
    donors: int = 0
    people_served: int = 0

    @property
    def weight_kg(self) -> Decimal:
        return round_half_up(kg(self.grams), 2)

    @property
    def meals(self) -> Decimal:
        return round_half_up(self.meals_exact, 2)

    @property
    def kgco2e(self) -> Decimal:
        return round_half_up(self.kgco2e_exact, 2)


def impact(
    groups: Iterable[tuple[Decimal, Decimal, int]],
    *,
    donations: int = 0,
    donors: int = 0,
    people_served: int = 0,
) -> Impact:
    """Totals from exact gram sums per factor pair (meals factor, CO2 factor, grams)."""
    result = Impact(donations=donations, donors=donors, people_served=people_served)
    for meals_factor, co2_factor, grams in groups:
        grams = int(grams or 0)
        result.grams += grams
        result.meals_exact += meals_exact(grams, to_decimal(meals_factor))
        result.kgco2e_exact += meals_exact(grams, to_decimal(co2_factor))
    return result


def donation_impact(grams: int, factors: Factors) -> tuple[Decimal, Decimal]:
    """(meals, kgCO2e) of one donation, each rounded once to 2 decimals."""
    return (
        round_half_up(meals_exact(grams, factors.meals_per_kg), 2),
        round_half_up(meals_exact(grams, factors.kgco2e_per_kg), 2),
    )


# --- points ------------------------------------------------------------------------------------


def count_problem(value: object, *, label: str, maximum: int) -> tuple[int | None, str | None]:
    """(n, None) for a whole number 1..maximum (points, quantities), else (None, message)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("%(label)s: enter a whole number.") % {"label": label}
    if isinstance(value, bool):
        return None, _("%(label)s: “%(value)s” is not a whole number.") % {
            "label": label,
            "value": value,
        }
    if isinstance(value, float):
        value = repr(value)
    try:
        number = to_decimal(value)  # type: ignore[arg-type]
    except (ValidationError, TypeError):
        return None, _("%(label)s: “%(value)s” is not a whole number.") % {
            "label": label,
            "value": value,
        }
    if number != number.to_integral_value():
        return None, _("%(label)s must be a whole number (got %(value)s).") % {
            "label": label,
            "value": value,
        }
    if number <= 0:
        return None, _("%(label)s must be more than zero (got %(value)s).") % {
            "label": label,
            "value": value,
        }
    if number > maximum:
        return None, _("%(label)s is too large (%(value)s; at most %(max)s).") % {
            "label": label,
            "value": value,
            "max": format_number(maximum, 0),
        }
    return int(number), None


@dataclass(frozen=True)
class Bucket:
    """Something to consume from, in order: an award with its points left, or a lot with its
    units left. ``key`` is its id; ``expires_on`` None sorts last (never expires)."""

    key: int
    left: int
    expires_on: date | None
    since: date | None = None


def fefo(buckets: Iterable[Bucket], wanted: int, *, on: date) -> tuple[list[tuple[int, int]], int]:
    """Take ``wanted`` from the buckets that have not expired on ``on``, earliest expiry first
    (then oldest, then lowest key). Returns ([(key, taken)], short) where ``short`` is what
    could not be taken (0 when enough). Expired buckets (expires_on < on) are never used."""
    usable = sorted(
        (b for b in buckets if b.left > 0 and (b.expires_on is None or b.expires_on >= on)),
        key=lambda b: (b.expires_on is None, b.expires_on or date.max, b.since or date.min, b.key),
    )
    taken: list[tuple[int, int]] = []
    need = wanted
    for bucket in usable:
        if need <= 0:
            break
        take = min(bucket.left, need)
        taken.append((bucket.key, take))
        need -= take
    return taken, max(need, 0)


@dataclass
class Basket:
    """What a beneficiary picked: item id -> quantity, with the points it costs."""

    lines: dict[int, int] = field(default_factory=dict)

    def points(self, points_each: dict[int, int]) -> int:
        return sum(points_each[item] * qty for item, qty in self.lines.items())


def is_adult(birth_date: date | None, on: date) -> bool:
    """A household member may redeem from 20 (Thai Civil Code s.19); unknown age: no."""
    if birth_date is None:
        return False
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return years >= ADULT_AGE
