"""Registry forms: Thai dates both ways, fields set up before the data is checked, service errors
mapped onto fields, the move form's household rules."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.organizations.models import Area

from ..forms import (
    CommunityFilterForm,
    CommunityForm,
    HouseholdForm,
    PersonForm,
    PersonMoveForm,
    PersonStatusForm,
    ThaiDateInput,
    apply_service_errors,
    edit_districts,
)
from ..models import CommunityType
from .factories import community_for_area, make_household, make_person


def test_date_input_shows_the_buddhist_era():
    assert ThaiDateInput().format_value(date(2024, 3, 12)) == "12/03/2567"
    assert ThaiDateInput().format_value("12/03/67") == "12/03/67"  # as typed, on errors


def test_apply_service_errors_puts_each_error_on_its_field_or_on_top():
    form = HouseholdForm({"house_no": "1"})
    assert form.is_valid()
    apply_service_errors(
        form,
        ValidationError({"house_code": "bad code", "community": "dissolved"}),
    )
    assert form.errors["house_code"] == ["bad code"]
    assert form.non_field_errors() == ["dissolved"]
    assert "is-invalid" in form.fields["house_code"].widget.attrs["class"]


def test_apply_service_errors_uses_aliases_and_codes():
    form = HouseholdForm({"house_no": "1"})
    form.is_valid()
    apply_service_errors(
        form,
        ValidationError({"number": "taken"}),
        aliases={"number": "house_no"},
    )
    apply_service_errors(
        form,
        ValidationError("not 11 digits", code="invalid_code"),
        codes={"invalid_code": "house_code"},
    )
    assert form.errors["house_no"] == ["taken"]
    assert form.errors["house_code"] == ["not 11 digits"]


@pytest.mark.django_db
def test_choices_are_set_before_the_data_is_checked(role_users):
    """StyledForm validates while it is built: the registry's forms set their choices first."""
    district = Area.objects.get(code="1001")
    slum = CommunityType.objects.get(code="slum")
    form = CommunityForm(
        {
            "district": district.pk,
            "code": "X-1",
            "name_th": "ชุมชน",
            "type": slum.pk,
            "declared_families": "1",
        },
        user=role_users["district_officer"],
    )
    assert form.is_valid(), form.errors
    assert "is-invalid" not in form.fields["district"].widget.attrs["class"]
    status = PersonStatusForm(
        {"status": "deceased", "status_on": "01/01/2567"}, allowed=[("deceased", "Deceased")]
    )
    assert status.is_valid(), status.errors
    assert status.cleaned_data["status_on"] == date(2024, 1, 1)


@pytest.mark.django_db
def test_districts_offered_are_those_where_the_user_edits(role_users):
    assert [a.code for a in edit_districts(role_users["district_officer"])] == ["1001"]
    assert not edit_districts(role_users["zone_officer"]).exists()
    assert not edit_districts(role_users["committee_member"]).exists()
    assert edit_districts(role_users["superuser"]).count() == 50


def test_filter_form_hides_zone_and_district_without_choices():
    form = CommunityFilterForm({})
    assert "zone" not in form.fields and "district" not in form.fields
    assert set(form.fields) == {"q", "type", "status", "on"}


def test_filter_form_reads_the_as_of_date_in_the_buddhist_era():
    form = CommunityFilterForm({"on": "01/03/2567"})
    assert form.is_valid() and form.cleaned_data["on"] == date(2024, 3, 1)


@pytest.mark.django_db
def test_filter_form_reports_an_unknown_choice_and_keeps_the_rest():
    form = CommunityFilterForm({"status": "gone", "q": "ชุมชน"})
    assert not form.is_valid()
    assert "status" in form.errors and form.cleaned_data["q"] == "ชุมชน"


@pytest.mark.django_db
def test_person_form_without_welfare_drops_those_fields():
    form = PersonForm({"first_name": "ก"}, with_welfare=False, with_membership=False)
    assert "bedridden" not in form.fields and "sensitive_legal_basis" not in form.fields
    assert "relation" not in form.fields
    assert form.is_valid(), form.errors
    assert "bedridden" not in form.person_values()


@pytest.mark.django_db
def test_person_edit_form_never_carries_the_id(communities):
    household = make_household(community_for_area(communities[OWN_COMMUNITY]))
    person = make_person(household, national_id="1101700230708")
    form = PersonForm(person=person)
    assert "national_id" not in form.initial
    assert "1-1017-xxxxx-xx-8" in str(form.fields["national_id"].help_text)
    assert "1101700230708" not in str(form)


@pytest.mark.django_db
def test_move_form_needs_exactly_one_of_household_or_new_house_number(communities):
    own = community_for_area(communities[OWN_COMMUNITY])
    other = community_for_area(communities[OTHER_COMMUNITY])
    there = make_household(other, house_no="7")
    here = make_household(own, house_no="8")
    base = {"to_community": other.pk, "moved_on": "01/04/2567"}
    assert PersonMoveForm({**base, "to_household": there.pk}, community=other).is_valid()
    assert PersonMoveForm({**base, "new_house_no": "9"}, community=other).is_valid()
    neither = PersonMoveForm(base, community=other)
    assert not neither.is_valid() and "new_house_no" in neither.errors
    both = PersonMoveForm({**base, "to_household": there.pk, "new_house_no": "9"}, community=other)
    assert not both.is_valid() and "new_house_no" in both.errors
    elsewhere = PersonMoveForm({**base, "to_household": here.pk}, community=other)
    assert not elsewhere.is_valid() and "to_household" in elsewhere.errors


@pytest.mark.django_db
def test_move_form_outside_reach_asks_for_a_house_number_only(communities):
    other = community_for_area(communities[OTHER_COMMUNITY])
    make_household(other, house_no="7", house_code="10040000077")
    form = PersonMoveForm(community=other, within_reach=False)
    assert "to_household" not in form.fields and form.fields["new_house_no"].required
    assert "10040000077" not in str(form)
    base = {"to_community": other.pk, "moved_on": "01/04/2567"}
    assert PersonMoveForm(
        {**base, "new_house_no": "7"}, community=other, within_reach=False
    ).is_valid()
    missing = PersonMoveForm(base, community=other, within_reach=False)
    assert not missing.is_valid() and list(missing.errors) == ["new_house_no"]


@pytest.mark.django_db
def test_person_form_offers_removing_the_id_only_when_there_is_one(communities):
    household = make_household(community_for_area(communities[OWN_COMMUNITY]))
    with_id = make_person(household, national_id="1101700230708")
    without = make_person(household, national_id="", missing_id_reason="not_issued")
    assert "remove_national_id" in PersonForm(person=with_id).fields
    assert "remove_national_id" not in PersonForm(person=without).fields
    assert "remove_national_id" not in PersonForm().fields
    data = {"first_name": "สมชาย", "remove_national_id": "on"}
    form = PersonForm(data, person=with_id, with_membership=False)
    # no reason: the service refuses it (test_views_people), not the form
    assert form.is_valid() and form.national_id_value() == ""
    form = PersonForm(
        {**data, "missing_id_reason": "unknown"}, person=with_id, with_membership=False
    )
    assert form.is_valid(), form.errors
    assert form.national_id_value() == "" and "remove_national_id" not in form.person_values()
    form = PersonForm({"first_name": "สมชาย"}, person=with_id, with_membership=False)
    assert form.is_valid() and form.national_id_value() is None
