"""The classification rules: loaded as data, validated, listed for staff with the thresholds of
a chosen date; the admin never edits a rule in use except to end it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chumchon.communities.models import SurveyRule
from chumchon.communities.surveys import domain
from chumchon.core.params import parameter_start_period

pytestmark = pytest.mark.django_db


def test_migration_loads_rules_for_poor_and_every_tpmap_dimension():
    targets = set(
        SurveyRule.objects.in_force_on(timezone.localdate()).values_list("target", flat=True)
    )
    assert targets == {"poor", *domain.DIMENSION_CODES}


def test_every_loaded_rule_names_a_known_measure_and_a_valid_threshold():
    for rule in SurveyRule.objects.all():
        rule.full_clean()
        assert rule.measure in domain.MEASURES


def test_rule_without_threshold_is_refused():
    rule = SurveyRule(
        code="x",
        target="health",
        measure="members",
        operator="gt",
        reason_th="ก",
        reason_en="x",
        valid_from=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "value" in caught.value.message_dict


def test_rule_naming_an_unknown_parameter_is_refused():
    rule = SurveyRule(
        code="x",
        target="poor",
        measure="income_per_person_year",
        operator="lt",
        parameter_key="survey.no_such_line",
        reason_th="ก",
        reason_en="x",
        valid_from=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "parameter_key" in caught.value.message_dict


def test_rules_page_shows_the_poverty_line_valid_on_the_chosen_date(clients):
    parameter_start_period(
        actor=None,
        key="survey.poverty_line",
        value="40000",
        valid_from=timezone.localdate() + timedelta(days=30),
    )
    client = clients["district_officer"]
    today = client.get(reverse("survey-rule-list"))
    assert today.status_code == 200
    text = today.content.decode()
    assert "38000" in text and "การศึกษา" in text
    later = timezone.localdate() + timedelta(days=40)
    page = client.get(reverse("survey-rule-list"), {"on": later.isoformat()})
    assert "40000" in page.content.decode()


def test_rules_page_explains_a_bad_date(clients):
    page = clients["committee_member"].get(reverse("survey-rule-list"), {"on": "31/02/2568"})
    assert page.status_code == 200
    assert "is-invalid" in page.content.decode()


def test_admin_shows_a_rule_in_use_read_only_except_its_end_date(rf):
    from django.contrib.admin.sites import site

    admin = site._registry[SurveyRule]
    rule = SurveyRule.objects.first()
    readonly = admin.get_readonly_fields(rf.get("/"), rule)
    assert "valid_to" not in readonly and "value" in readonly and "reason_th" in readonly
    assert admin.get_readonly_fields(rf.get("/"), None) == ()
    assert admin.has_delete_permission(rf.get("/"), rule) is False


@pytest.mark.parametrize(
    ("measure", "operator", "value", "field"),
    [
        ("tenure", "lt", "encroach", "operator"),
        ("drinking_water_enough", "eq", "no", "operator"),
        ("members", "is_true", "", "operator"),
        ("members", "gt", "many", "value"),
    ],
)
def test_rule_whose_operator_or_value_cannot_fit_its_measure_is_refused(
    measure, operator, value, field
):
    rule = SurveyRule(
        code="x",
        target="living",
        measure=measure,
        operator=operator,
        value=value,
        reason_th="ก",
        reason_en="x",
        valid_from=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert field in caught.value.message_dict


def test_a_second_open_period_of_the_same_rule_is_refused_until_the_first_is_ended():
    first = SurveyRule.objects.get(code="living_dilapidated")
    later = SurveyRule(
        code="living_dilapidated",
        target="living",
        measure="housing_condition",
        operator="in",
        value="poor,fair",
        reason_th="ก",
        reason_en="x",
        valid_from=date(2030, 10, 1),
    )
    with pytest.raises(ValidationError) as caught:
        later.full_clean()
    assert "valid_from" in caught.value.message_dict
    first.valid_to = date(2030, 9, 30)
    first.full_clean()
    first.save()
    later.full_clean()


def test_admin_add_form_posted_empty_shows_errors_not_a_crash(clients):
    response = clients["superuser"].post("/admin/communities/surveyrule/add/", {})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
