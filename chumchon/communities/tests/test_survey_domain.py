"""The survey's pure rules: measures from answers and the evaluation of rules as data."""

from decimal import Decimal

import pytest

from chumchon.communities.surveys import domain
from chumchon.communities.surveys.domain import MemberFacts, RuleSpec, SurveyFacts

AGES = {
    domain.PARAM_SCHOOL_AGE_FROM: 6,
    domain.PARAM_SCHOOL_AGE_TO: 14,
    domain.PARAM_WORKING_AGE_FROM: 15,
    domain.PARAM_WORKING_AGE_TO: 59,
    domain.PARAM_ELDERLY_AGE: 60,
}


def facts(*members, **answers):
    return SurveyFacts(members=list(members), **answers)


def test_income_per_person_is_members_income_plus_other_income_divided_and_rounded_half_up():
    measures = domain.compute_measures(
        facts(
            MemberFacts(age=40, income_year=Decimal("50000")),
            MemberFacts(age=38, income_year=Decimal("0.01")),
            MemberFacts(age=10),
            other_income_year=Decimal("0.01"),
        ),
        AGES,
    )
    assert measures["household_income_year"] == Decimal("50000.02")
    # 50000.02 / 3 = 16666.673333... -> 16666.67
    assert measures["income_per_person_year"] == Decimal("16666.67")
    assert measures["members"] == 3


def test_income_per_person_of_a_household_without_members_is_unknown():
    assert domain.compute_measures(facts(), AGES)["income_per_person_year"] is None


@pytest.mark.parametrize(
    ("age", "in_school", "counted"),
    [(5, False, 0), (6, False, 1), (14, False, 1), (15, False, 0), (10, True, 0), (10, None, 0)],
)
def test_children_out_of_school_counts_only_compulsory_school_ages(age, in_school, counted):
    measures = domain.compute_measures(facts(MemberFacts(age=age, in_school=in_school)), AGES)
    assert measures["children_out_of_school"] == counted


def test_age_groups_follow_the_parameters():
    later = {**AGES, domain.PARAM_SCHOOL_AGE_TO: 17}
    member = MemberFacts(age=16, in_school=False)
    assert domain.compute_measures(facts(member), AGES)["children_out_of_school"] == 0
    assert domain.compute_measures(facts(member), later)["children_out_of_school"] == 1


def test_working_age_without_income_excludes_students_and_people_with_income():
    measures = domain.compute_measures(
        facts(
            MemberFacts(age=30, occupation="none"),
            MemberFacts(age=17, occupation="student", in_school=True),
            MemberFacts(age=45, occupation="none", income_year=Decimal("1200")),
            MemberFacts(age=65, occupation="none"),
        ),
        AGES,
    )
    assert measures["working_age_without_income"] == 1


def test_allowances_count_elderly_and_disabled_unless_the_household_receives_them():
    members = [MemberFacts(age=70), MemberFacts(age=61, has_disability=True), MemberFacts(age=20)]
    none = domain.compute_measures(facts(*members), AGES)
    assert none["elderly_without_allowance"] == 2
    assert none["disabled_without_allowance"] == 1
    both = domain.compute_measures(
        facts(*members, welfare_received=["elderly_allowance", "disability_allowance"]), AGES
    )
    assert both["elderly_without_allowance"] == 0
    assert both["disabled_without_allowance"] == 0


@pytest.mark.parametrize(
    ("operator", "measured", "threshold", "holds"),
    [
        ("lt", Decimal("37999.99"), "38000", True),
        ("lt", Decimal("38000.00"), "38000", False),
        ("lte", Decimal("38000"), "38000", True),
        ("gt", 1, "0", True),
        ("gt", 0, "0", False),
        ("gte", 0, "0", True),
        ("eq", "poor", "poor", True),
        ("eq", "fair", "poor", False),
        ("ne", "fair", "poor", True),
        ("eq", 2, "2.0", True),
        ("in", "dumped", "burned,dumped", True),
        ("in", "collected", "burned,dumped", False),
        ("is_true", True, "", True),
        ("is_false", False, "", True),
        ("is_false", None, "", False),
        ("lt", None, "38000", False),
        ("eq", "", "", False),
    ],
)
def test_rule_operators(operator, measured, threshold, holds):
    assert domain.rule_holds(operator, measured, threshold) is holds


POOR = RuleSpec(
    code="poor_income",
    target="poor",
    measure="income_per_person_year",
    operator="lt",
    parameter_key="survey.poverty_line",
    reason_th="รายได้ %(value)s ต่ำกว่า %(threshold)s",
    reason_en="Income %(value)s below %(threshold)s",
)
WATER = RuleSpec(
    code="water",
    target="living",
    measure="drinking_water_enough",
    operator="is_false",
    reason_th="น้ำดื่มไม่พอ",
    reason_en="Not enough drinking water",
)


def test_classify_poor_with_the_reason_naming_value_and_threshold():
    measures = {"income_per_person_year": Decimal("30000.00"), "drinking_water_enough": True}
    result = domain.classify(measures, [POOR, WATER], {"survey.poverty_line": "38000"})
    assert result.is_poor is True
    assert result.deprivation_count == 0
    assert result.reasons == [
        {
            "rule": "poor_income",
            "target": "poor",
            "measure": "income_per_person_year",
            "value": "30,000.00",
            "threshold": "38000",
            "th": "รายได้ 30,000.00 ต่ำกว่า 38,000.00",
            "en": "Income 30,000.00 below 38,000.00",
        }
    ]


def test_classify_deprivation_in_a_dimension_when_any_of_its_rules_holds():
    measures = {"income_per_person_year": Decimal("90000"), "drinking_water_enough": False}
    result = domain.classify(measures, [POOR, WATER], {"survey.poverty_line": "38000"})
    assert result.is_poor is False
    assert result.deprived == {
        "health": False,
        "living": True,
        "education": False,
        "income": False,
        "services": False,
    }
    assert [r["rule"] for r in result.reasons] == ["water"]


def test_a_new_poverty_line_is_a_new_threshold_not_new_code():
    measures = {"income_per_person_year": Decimal("39000")}
    assert not domain.classify(measures, [POOR], {"survey.poverty_line": "38000"}).is_poor
    assert domain.classify(measures, [POOR], {"survey.poverty_line": "40000"}).is_poor


def test_age_on_counts_birthdays():
    from datetime import date

    assert domain.age_on(date(2010, 5, 2), date(2024, 5, 1)) == 13
    assert domain.age_on(date(2010, 5, 2), date(2024, 5, 2)) == 14
    assert domain.age_on(None, date(2024, 5, 2)) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0", ""),
        ("1500.50", ""),
        ("999999999999.99", ""),
        ("-0.01", "negative"),
        ("NaN", "negative"),
        ("Infinity", "negative"),
        ("1e12", "too_large"),
        ("1e30", "too_large"),
        ("1.005", "decimals"),
    ],
)
def test_one_rule_says_what_a_baht_amount_may_be(text, problem):
    assert domain.baht_problem(Decimal(text)) == problem
