"""Pure rules of the household survey (แบบสำรวจข้อมูลครัวเรือนในชุมชน ระดับหลังคาเรือน): the
answers' vocabularies, the measures computed from a survey, and the evaluation of the
classification rules (poor or not; deprivation in TPMAP's five dimensions). No ORM here.

Rules are data (`SurveyRule` rows) and thresholds are dated parameters (core.params): this module
only knows how to compute a named measure from the answers and how to compare it with a rule's
threshold, so that a new rule or a new poverty line needs no code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- vocabularies -------------------------------------------------------------------------------

OCCUPATION_CHOICES = [
    ("none", _("No occupation")),
    ("student", _("Student")),
    ("employee", _("Employee (private sector)")),
    ("government", _("Civil servant or state employee")),
    ("daily_wage", _("Daily wage labourer")),
    ("trader", _("Trader or vendor")),
    ("own_business", _("Own business")),
    ("farmer", _("Farmer or fisher")),
    ("rider", _("Motorcycle taxi or delivery rider")),
    ("homemaker", _("Homemaker")),
    ("retired", _("Retired")),
    ("other", pgettext_lazy("occupation", "Other")),
]
EDUCATION_CHOICES = [
    ("none", _("No schooling")),
    ("pre_primary", _("Pre-primary")),
    ("primary", _("Primary (Prathom)")),
    ("lower_secondary", _("Lower secondary (Mathayom 1-3)")),
    ("upper_secondary", _("Upper secondary or vocational certificate")),
    ("diploma", _("Diploma or high vocational certificate")),
    ("bachelor", _("Bachelor's degree or higher")),
]
HEALTH_INSURANCE_CHOICES = [
    ("uc", _("Universal coverage (gold card)")),
    ("social_security", _("Social security")),
    ("civil_servant", _("Civil servant medical benefit")),
    ("private", _("Private insurance only")),
    ("none", _("No health insurance")),
]
WATER_SOURCE_CHOICES = [
    ("tap", _("Metropolitan tap water")),
    ("shared_tap", _("Tap water shared with another house")),
    ("bought", _("Bought water")),
    ("well", _("Well or groundwater")),
    ("other", pgettext_lazy("water source", "Other")),
]
ELECTRICITY_CHOICES = [
    ("own_meter", _("Own electricity meter")),
    ("shared", _("Shared or sub-metered from another house")),
    ("none", _("No electricity")),
]
WASTE_CHOICES = [
    ("collected", _("Collected by the district")),
    ("sorted", _("Sorted, then collected or sold")),
    ("burned", _("Burned")),
    ("dumped", _("Dumped (canal, vacant land)")),
]
WELFARE_CHOICES = [
    ("elderly_allowance", _("Elderly allowance")),
    ("disability_allowance", _("Disability allowance")),
    ("child_support", _("Child support grant")),
    ("welfare_card", _("State welfare card")),
    ("bma_aid", _("BMA emergency or welfare aid")),
    ("other", pgettext_lazy("welfare", "Other")),
]

TARGET_POOR = "poor"
DIMENSIONS = [
    ("health", _("Health")),
    ("living", _("Living conditions")),
    ("education", _("Education")),
    ("income", _("Income")),
    ("services", _("Access to public services")),
]
DIMENSION_CODES = [code for code, _label in DIMENSIONS]
TARGET_CHOICES = [(TARGET_POOR, _("Poor household")), *DIMENSIONS]

OPERATORS = [
    ("lt", "<"),
    ("lte", "≤"),
    ("gt", ">"),
    ("gte", "≥"),
    ("eq", "="),
    ("ne", "≠"),
    ("in", _("one of")),
    ("is_true", _("is yes")),
    ("is_false", _("is no")),
]
OPERATOR_CODES = {code for code, _label in OPERATORS}

# The dated parameters the measures and the default rules read (core.params keys).
PARAM_POVERTY_LINE = "survey.poverty_line"
PARAM_SCHOOL_AGE_FROM = "survey.school_age_from"
PARAM_SCHOOL_AGE_TO = "survey.school_age_to"
PARAM_WORKING_AGE_FROM = "survey.working_age_from"
PARAM_WORKING_AGE_TO = "survey.working_age_to"
PARAM_ELDERLY_AGE = "survey.elderly_age"
AGE_PARAMETERS = (
    PARAM_SCHOOL_AGE_FROM,
    PARAM_SCHOOL_AGE_TO,
    PARAM_WORKING_AGE_FROM,
    PARAM_WORKING_AGE_TO,
    PARAM_ELDERLY_AGE,
)

# Measures a rule may name: code -> (label, kind). Kinds: number, money, text, bool.
MEASURES: dict[str, tuple[Any, str]] = {
    "members": (_("Number of household members"), "number"),
    "household_income_year": (_("Household income per year (baht)"), "money"),
    "income_per_person_year": (_("Income per person per year (baht)"), "money"),
    "expenses_month": (_("Household expenses per month (baht)"), "money"),
    "debt_total": (_("Total debt (baht)"), "money"),
    "savings": (_("Savings (baht)"), "money"),
    "members_without_health_insurance": (_("Members without health insurance"), "number"),
    "children_out_of_school": (_("School-age children not in school"), "number"),
    "working_age_illiterate": (
        _("Working-age members who cannot read and write Thai"),
        "number",
    ),
    "working_age_without_income": (
        _("Working-age members without occupation or income"),
        "number",
    ),
    "elderly_without_allowance": (_("Elderly members without the elderly allowance"), "number"),
    "disabled_without_allowance": (
        _("Members with a disability without the disability allowance"),
        "number",
    ),
    "tenure": (_("Tenure"), "text"),
    "housing_condition": (_("Housing condition"), "text"),
    "drinking_water_enough": (_("Enough clean drinking water all year"), "bool"),
    "water_source": (_("Water source"), "text"),
    "electricity": (_("Electricity"), "text"),
    "waste": (_("Waste disposal"), "text"),
}


# --- facts and measures -------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFacts:
    age: int | None
    occupation: str = ""
    income_year: Decimal = Decimal("0")
    in_school: bool | None = None
    reads_thai: bool | None = None
    health_insurance: str = ""
    has_disability: bool = False


@dataclass(frozen=True)
class SurveyFacts:
    members: Sequence[MemberFacts]
    other_income_year: Decimal = Decimal("0")
    expenses_month: Decimal | None = None
    debt_formal: Decimal | None = None
    debt_informal: Decimal | None = None
    savings: Decimal | None = None
    tenure: str = ""
    housing_condition: str = ""
    drinking_water_enough: bool | None = None
    water_source: str = ""
    electricity: str = ""
    waste: str = ""
    welfare_received: Sequence[str] = ()


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


MAX_BAHT = Decimal("1e12")


def baht_problem(amount: Decimal) -> str:
    """Why `amount` is not a survey amount in baht ("" if it is): finite, from 0, below one
    trillion, at most 2 decimals. The services, the phone form and the import all ask this."""
    if not amount.is_finite() or amount < 0:
        return "negative"
    if amount >= MAX_BAHT:
        return "too_large"
    if amount != amount.quantize(Decimal("0.01")):
        return "decimals"
    return ""


def money(value: Decimal) -> Decimal:
    """The house rounding of computed baht amounts: 2 decimals, half up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _between(age: int | None, low: int, high: int) -> bool:
    return age is not None and low <= age <= high


def compute_measures(facts: SurveyFacts, ages: Mapping[str, int]) -> dict[str, Any]:
    """Every measure of MEASURES from the answers. `ages` holds the age parameters valid on the
    survey date (keys of AGE_PARAMETERS); a member of unknown age counts in no age group."""
    members = list(facts.members)
    count = len(members)
    income = sum((m.income_year for m in members), Decimal("0")) + facts.other_income_year
    school = (ages[PARAM_SCHOOL_AGE_FROM], ages[PARAM_SCHOOL_AGE_TO])
    working = (ages[PARAM_WORKING_AGE_FROM], ages[PARAM_WORKING_AGE_TO])
    elderly_age = ages[PARAM_ELDERLY_AGE]
    welfare = set(facts.welfare_received)
    elderly = sum(1 for m in members if m.age is not None and m.age >= elderly_age)
    disabled = sum(1 for m in members if m.has_disability)
    debts = [d for d in (facts.debt_formal, facts.debt_informal) if d is not None]
    return {
        "members": count,
        "household_income_year": money(income),
        "income_per_person_year": money(income / count) if count else None,
        "expenses_month": facts.expenses_month,
        "debt_total": sum(debts, Decimal("0")) if debts else None,
        "savings": facts.savings,
        "members_without_health_insurance": sum(1 for m in members if m.health_insurance == "none"),
        "children_out_of_school": sum(
            1 for m in members if _between(m.age, *school) and m.in_school is False
        ),
        "working_age_illiterate": sum(
            1 for m in members if _between(m.age, *working) and m.reads_thai is False
        ),
        "working_age_without_income": sum(
            1
            for m in members
            if _between(m.age, *working)
            and m.occupation in ("none", "")
            and m.income_year <= 0
            and not m.in_school
        ),
        "elderly_without_allowance": 0 if "elderly_allowance" in welfare else elderly,
        "disabled_without_allowance": 0 if "disability_allowance" in welfare else disabled,
        "tenure": facts.tenure,
        "housing_condition": facts.housing_condition,
        "drinking_water_enough": facts.drinking_water_enough,
        "water_source": facts.water_source,
        "electricity": facts.electricity,
        "waste": facts.waste,
    }


# --- rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """One classification rule as data: `target` is "poor" or a dimension; the rule holds when
    `measure <operator> threshold`, the threshold being the dated parameter `parameter_key` (on
    the survey date) or the literal `value`. `reason_th`/`reason_en` are shown when it holds
    and may use %(value)s and %(threshold)s."""

    code: str
    target: str
    measure: str
    operator: str
    value: str = ""
    parameter_key: str = ""
    reason_th: str = ""
    reason_en: str = ""


@dataclass
class Classification:
    is_poor: bool = False
    deprived: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(DIMENSION_CODES, False))
    reasons: list[dict[str, str]] = field(default_factory=list)

    @property
    def deprivation_count(self) -> int:
        return sum(1 for held in self.deprived.values() if held)


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        return Decimal(str(value).replace(",", ""))
    except ArithmeticError:
        return None


def rule_holds(operator: str, measured: Any, threshold: Any) -> bool:
    """Whether `measured <operator> threshold`. An unanswered measure (None) never holds:
    a rule cannot declare a household deprived on a question nobody answered."""
    if measured is None or measured == "":
        return False
    if operator == "is_true":
        return measured is True
    if operator == "is_false":
        return measured is False
    if operator == "in":
        options = {part.strip() for part in str(threshold).split(",") if part.strip()}
        return str(measured) in options
    if operator in ("eq", "ne"):
        left, right = _as_decimal(measured), _as_decimal(threshold)
        if isinstance(measured, str) or left is None or right is None:
            same = str(measured) == str(threshold)
        else:
            same = left == right
        return same if operator == "eq" else not same
    left, right = _as_decimal(measured), _as_decimal(threshold)
    if left is None or right is None:
        return False
    return {
        "lt": left < right,
        "lte": left <= right,
        "gt": left > right,
        "gte": left >= right,
    }[operator]


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def classify(
    measures: Mapping[str, Any], rules: Iterable[RuleSpec], thresholds: Mapping[str, Any]
) -> Classification:
    """Apply every rule; `thresholds` maps each rule's parameter key to its value on the survey
    date. A household is poor when any "poor" rule holds, and deprived in a dimension when any
    rule of that dimension holds; each rule that holds adds its reason."""
    result = Classification()
    for rule in rules:
        threshold = thresholds[rule.parameter_key] if rule.parameter_key else rule.value
        measured = measures.get(rule.measure)
        if not rule_holds(rule.operator, measured, threshold):
            continue
        if rule.target == TARGET_POOR:
            result.is_poor = True
        else:
            result.deprived[rule.target] = True
        params = {
            "value": _shown(measured),
            "threshold": _shown(_as_decimal(threshold) or threshold),
        }
        result.reasons.append(
            {
                "rule": rule.code,
                "target": rule.target,
                "measure": rule.measure,
                "value": _shown(measured),
                "threshold": str(threshold),
                "th": _format(rule.reason_th, params),
                "en": _format(rule.reason_en, params),
            }
        )
    return result


def _format(template: str, params: Mapping[str, str]) -> str:
    try:
        return template % params
    except (KeyError, ValueError, TypeError):
        return template
