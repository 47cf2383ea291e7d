"""Survey services: rounds, drafts, submission with classification, reopening, reclassifying."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from chumchon.communities.models import Household, Survey, SurveyRule
from chumchon.communities.surveys import services
from chumchon.core.dates import fiscal_year
from chumchon.core.models import AuditEvent
from chumchon.core.params import parameter_start_period
from chumchon.organizations.models import Area

from .factories import make_community, make_household, make_person
from .survey_factories import COMPLETE_ANSWERS, member, open_round, submitted_survey

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; one test checks the Thai wording."""
    with override("en"):
        yield


@pytest.fixture
def household():
    return make_household(make_community(), house_no="12/3")


# --- rounds ---


def test_round_opens_for_the_whole_fiscal_year_by_default():
    survey_round = open_round("1001")
    start = survey_round.opens_on
    assert start.month == 10 and start.day == 1
    assert survey_round.fiscal_year == fiscal_year(TODAY())
    assert AuditEvent.objects.filter(action="survey_round.open").count() == 1


def test_round_twice_for_one_district_and_year_is_refused_naming_both():
    open_round("1001")
    with pytest.raises(ValidationError) as caught:
        services.survey_round_open(
            actor=None, district=Area.objects.get(code="1001"), fiscal_year_be=fiscal_year(TODAY())
        )
    assert "fiscal_year" in caught.value.message_dict


def test_round_belongs_to_a_district_not_a_zone():
    with pytest.raises(ValidationError) as caught:
        services.survey_round_open(
            actor=None, district=Area.objects.get(code="BKK-01"), fiscal_year_be=2569
        )
    assert "district" in caught.value.message_dict


def test_round_dates_outside_the_fiscal_year_are_refused():
    from datetime import date

    with pytest.raises(ValidationError) as caught:
        services.survey_round_open(
            actor=None,
            district=Area.objects.get(code="1001"),
            fiscal_year_be=2569,
            opens_on=date(2025, 9, 1),
        )
    assert "opens_on" in caught.value.message_dict


def test_closed_round_refuses_new_surveys_and_reopen_needs_a_reason(household):
    survey_round = open_round("1001")
    services.survey_round_close(actor=None, survey_round=survey_round)
    with pytest.raises(ValidationError, match="closed"):
        services.survey_start(actor=None, household=household, survey_round=survey_round)
    with pytest.raises(ValidationError):
        services.survey_round_reopen(actor=None, survey_round=survey_round, reason="short")
    services.survey_round_reopen(
        actor=None, survey_round=survey_round, reason="late surveys of two communities"
    )
    assert services.survey_start(actor=None, household=household).round == survey_round


# --- start and save ---


def test_start_without_a_round_says_the_district_opens_it_first(household):
    with pytest.raises(ValidationError) as caught:
        services.survey_start(actor=None, household=household)
    assert "surveyed_on" in caught.value.message_dict


def test_start_prefills_members_from_the_registry_and_housing_from_the_household(household):
    household.tenure = "rent"
    household.condition = "fair"
    household.save()
    make_person(household, first_name="สมศรี", relation="head")
    make_person(
        household, first_name="สมหมาย", disability_type="physical", sensitive_legal_basis="consent"
    )
    open_round()
    survey = services.survey_start(actor=None, household=household)
    assert survey.status == Survey.Status.DRAFT
    assert survey.tenure == "rent" and survey.housing_condition == "fair"
    names = sorted(m.name for m in survey.members.all())
    assert names == ["นายสมศรี ใจดี", "นายสมหมาย ใจดี"]
    assert [m.has_disability for m in survey.members.order_by("name")] == [False, True]


def test_start_twice_in_a_round_is_refused(household):
    open_round()
    services.survey_start(actor=None, household=household)
    with pytest.raises(ValidationError, match="already has a survey"):
        services.survey_start(actor=None, household=household)


def test_future_survey_date_is_refused(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    with pytest.raises(ValidationError) as caught:
        services.survey_save(actor=None, survey=survey, surveyed_on=TODAY() + timedelta(days=1))
    assert "surveyed_on" in caught.value.message_dict


def test_save_with_a_bad_answer_names_the_member_and_saves_nothing(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    with pytest.raises(ValidationError) as caught:
        services.survey_save(
            actor=None,
            survey=survey,
            answers={"needs": "ซ่อมหลังคา", "savings": "-5"},
            members=[member("ก"), member("ข", income="abc"), member("ค", occupation="astronaut")],
        )
    errors = caught.value.message_dict
    assert "savings" in errors
    assert "member 2" in " ".join(errors["members.2"])
    assert "members.3" in errors
    survey.refresh_from_db()
    assert survey.needs == ""
    assert survey.members.count() == 0


def test_save_refuses_a_person_of_another_household(household):
    stranger = make_person(make_household(household.community))
    open_round()
    survey = services.survey_start(actor=None, household=household)
    with pytest.raises(ValidationError) as caught:
        services.survey_save(actor=None, survey=survey, members=[{"person": stranger.pk}])
    assert "members.1" in caught.value.message_dict


def test_unknown_question_is_refused(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    with pytest.raises(ValidationError) as caught:
        services.survey_save(actor=None, survey=survey, answers={"salary": "5"})
    assert "salary" in caught.value.message_dict


# --- submit and classification ---


def test_submit_incomplete_survey_lists_each_missing_answer(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    services.survey_save(
        actor=None, survey=survey, members=[{"name": "เด็กชายเอ", "age": 9, "occupation": "student"}]
    )
    with pytest.raises(ValidationError) as caught:
        services.survey_submit(actor=None, survey=survey)
    errors = caught.value.message_dict
    assert {"tenure", "water_source", "electricity", "waste", "drinking_water_enough"} <= set(
        errors
    )
    text = " ".join(errors["members.1"])
    assert "education" in text and "health insurance" in text and "in school" in text
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_submit_classifies_poor_with_reason_and_feeds_the_household_and_its_people(household):
    person = make_person(household, relation="head")
    survey = submitted_survey(
        household,
        members=[
            member(person=person.pk, income="60000"),
            member(
                "ลูก", age=10, income="0", occupation="student", in_school=False, reads_thai=True
            ),
        ],
    )
    assert survey.status == Survey.Status.SUBMITTED
    assert survey.income_per_person_year == Decimal("30000.00")
    assert survey.is_poor is True
    assert survey.deprived_income is True
    assert survey.deprived_education is True
    assert survey.deprivation_count == 2
    rules = {r["rule"] for r in survey.reasons}
    assert rules == {"poor_income", "income_below_line", "education_out_of_school"}
    reason = next(r for r in survey.reasons if r["rule"] == "poor_income")
    assert "30,000.00" in reason["th"] and "38,000.00" in reason["th"]
    household.refresh_from_db()
    assert household.survey_poor is True and household.is_poor is True
    assert Household.objects.poor().filter(pk=household.pk).exists()
    person.refresh_from_db()
    assert "poor_household" in person.welfare_flags()
    assert AuditEvent.objects.filter(action="survey.submit").count() == 1


def test_manual_override_still_wins_over_the_survey(household):
    from chumchon.communities.services import household_set_poverty_override

    submitted_survey(household, members=[member(income="1000")])
    household_set_poverty_override(
        actor=None, household=household, poor=False, reason="รายได้จริงสูงกว่าที่ตอบ มีหลักฐาน"
    )
    household.refresh_from_db()
    assert household.survey_poor is True
    assert household.is_poor is False
    assert not Household.objects.poor().filter(pk=household.pk).exists()


def test_not_poor_household_above_the_line(household):
    survey = submitted_survey(household, members=[member(income="38000")])
    assert survey.is_poor is False
    assert survey.reasons == []
    household.refresh_from_db()
    assert household.survey_poor is False


def test_submitted_survey_cannot_be_saved_and_reopen_withdraws_the_classification(household):
    survey = submitted_survey(household, members=[member(income="1000")])
    with pytest.raises(ValidationError, match="reopen"):
        services.survey_save(actor=None, survey=survey, answers={"needs": "x"})
    with pytest.raises(ValidationError):
        services.survey_reopen(actor=None, survey=survey, reason="typo")
    services.survey_reopen(actor=None, survey=survey, reason="income typed in the wrong box")
    survey.refresh_from_db()
    household.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT and survey.is_poor is None
    assert household.survey_poor is None


def test_rules_are_data_a_new_rule_classifies_without_code(household):
    SurveyRule.objects.create(
        code="health_big_household",
        target="health",
        measure="members",
        operator="gte",
        value="2",
        reason_th="สมาชิก %(value)s คน",
        reason_en="%(value)s members",
        valid_from=TODAY() - timedelta(days=400),
    )
    survey = submitted_survey(household, members=[member("ก"), member("ข")])
    assert survey.deprived_health is True
    assert [r["en"] for r in survey.reasons] == ["2 members"]


def test_a_rule_that_ended_before_the_survey_date_does_not_apply(household):
    SurveyRule.objects.filter(code="poor_income").update(valid_to=TODAY() - timedelta(days=400))
    survey = submitted_survey(household, members=[member(income="1000")])
    assert survey.is_poor is False
    assert survey.deprived_income is True


def test_reclassify_after_a_new_poverty_line_changes_only_what_the_new_line_changes(household):
    other = make_household(household.community, house_no="99")
    a = submitted_survey(household, members=[member(income="39000")])
    b = submitted_survey(other, members=[member(income="90000")])
    assert a.is_poor is False
    parameter_start_period(
        actor=None,
        key="survey.poverty_line",
        value="40000",
        valid_from=a.round.opens_on,
        retroactive_reason="new criterion announced for this fiscal year",
    )
    changed = services.survey_round_reclassify(actor=None, survey_round=a.round)
    assert changed == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_poor is True and b.is_poor is False
    household.refresh_from_db()
    assert household.survey_poor is True


def test_missing_parameter_gives_a_clear_message(household):
    from chumchon.core.models import DatedParameter

    DatedParameter.objects.filter(key="survey.poverty_line").delete()
    with pytest.raises(ValidationError, match="survey.poverty_line"):
        submitted_survey(household)


def test_dissolved_community_households_are_not_surveyed(household):
    from chumchon.communities.services import community_dissolve

    open_round()
    community_dissolve(
        actor=None,
        community=household.community,
        dissolved_on=TODAY(),
        announcement_no="1/2569",
        reason="ย้ายออกทั้งชุมชน",
    )
    with pytest.raises(ValidationError, match="no longer active"):
        services.survey_start(actor=None, household=household)


def test_complete_answers_constant_is_complete(household):
    assert set(services.REQUIRED_ANSWERS) <= set(COMPLETE_ANSWERS)


def test_messages_are_in_thai_by_default(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    with override("th"), pytest.raises(ValidationError) as caught:
        services.survey_save(actor=None, survey=survey, members=[member("ก", income="abc")])
    assert "สมาชิกคนที่ 1" in " ".join(caught.value.message_dict["members.1"])


def test_reclassify_reads_rules_once_per_date_not_once_per_survey(household):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = submitted_survey(household, members=[member(income="90000")])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            services.survey_round_reclassify(actor=None, survey_round=first.round)
        return len(ctx.captured_queries)

    count()
    one = count()
    for i in range(8):
        submitted_survey(
            make_household(household.community, house_no=f"r{i}"), members=[member(income="90000")]
        )
    assert count() == one


def test_money_too_large_or_in_exponent_form_is_a_field_error_not_a_crash(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    with pytest.raises(ValidationError) as caught:
        services.survey_save(
            actor=None,
            survey=survey,
            answers={"savings": "1e30", "debt_formal": "NaN"},
            members=[member(income="9" * 40)],
        )
    assert {"savings", "debt_formal", "members.1"} <= set(caught.value.message_dict)


def test_welfare_received_must_be_a_list(household):
    open_round()
    survey = services.survey_start(actor=None, household=household)
    for bad in (5, "bma_aid"):
        with pytest.raises(ValidationError) as caught:
            services.survey_save(actor=None, survey=survey, answers={"welfare_received": bad})
        assert "welfare_received" in caught.value.message_dict
