"""Beneficiaries and points services: registering (in the district only, once), quick
registration, closing, assessments (flags snapshot, totals), awards and allowances (every
refusal, nothing saved), taking an award back, who may redeem, the search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chumchon.communities.models import Membership, Person
from chumchon.communities.tests.factories import (
    community_for_area,
    make_household,
    make_person,
    valid_national_id,
)
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area

from .. import domain, ledger, selectors_points
from ..models import Allowance, Assessment, Award, Beneficiary, Criterion, PointEntry
from ..services_points import (
    allowance_start,
    allowance_stop,
    assess,
    award_grant,
    award_reverse,
    beneficiary_close,
    beneficiary_quick_register,
    beneficiary_register,
)
from .factories import make_award, make_beneficiary, make_store, robot

pytestmark = pytest.mark.django_db

ALL_FIVES = {"income": 5, "dependants": 5, "health": 5, "housing": 5, "food": 5, "crisis": 5}


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def own(communities):
    return community_for_area(communities["T-1001-01"])


@pytest.fixture
def other(communities):
    return community_for_area(communities["T-1004-01"])


@pytest.fixture
def store(communities):
    return make_store("1001")


def counts() -> tuple[int, ...]:
    return (
        Beneficiary.objects.count(),
        Award.objects.count(),
        PointEntry.objects.count(),
        Allowance.objects.count(),
        Assessment.objects.count(),
        Person.objects.count(),
    )


def problems_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- registering -------------------------------------------------------------------------------


def test_register_a_person_of_the_district_numbers_them_and_audits(store, own):
    person = make_person(area=own.area)
    first = beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    second = beneficiary_register(
        actor=robot(), store=store, kind="person", person=make_person(area=own.area)
    )
    assert (first.number, second.number) == (1, 2)
    assert first.registered_on == today()
    assert AuditEvent.objects.filter(action="foodbank.beneficiary_register").count() == 2


def test_register_a_person_living_in_another_district_is_refused_naming_it(store, other):
    person = make_person(area=other.area)
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    message = problems_of(excinfo)["person"][0]
    assert "เขตบางรัก" in message and "เขตพระนคร" in message
    assert person.first_name not in message  # masked: the person is outside this district
    assert counts() == before


def test_register_a_household_of_another_district_is_refused(store, other):
    household = make_household(other, "9/9")
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_register(actor=robot(), store=store, kind="household", household=household)
    assert "เขตบางรัก" in problems_of(excinfo)["household"][0]
    assert not Beneficiary.objects.exists()


def test_register_the_same_person_twice_names_the_existing_number(store, own):
    person = make_person(area=own.area)
    first = beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    assert f"B{first.number}" in problems_of(excinfo)["person"][0]
    assert Beneficiary.objects.count() == 1


def test_a_closed_registration_allows_registering_again(store, own):
    person = make_person(area=own.area)
    first = beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    beneficiary_close(actor=robot(), beneficiary=first, reason="ย้ายออก")
    again = beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    assert again.number == 2


def test_register_a_deceased_person_is_refused(store, own):
    person = make_person(area=own.area)
    Person.objects.filter(pk=person.pk).update(status=Person.Status.DECEASED)
    person.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_register(actor=robot(), store=store, kind="person", person=person)
    assert "person" in problems_of(excinfo)
    assert not Beneficiary.objects.exists()


def test_register_in_the_future_or_without_a_person_is_refused(store, own):
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_register(
            actor=robot(),
            store=store,
            kind="person",
            person=None,
            registered_on=today() + timedelta(days=1),
        )
    assert set(problems_of(excinfo)) == {"person", "registered_on"}
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_register(actor=robot(), store=store, kind="pet")
    assert "kind" in problems_of(excinfo)


def test_member_of_a_household_beneficiary_may_be_registered_too(store, own):
    household = make_household(own, "1/1")
    member = make_person(household, relation="head")
    beneficiary_register(actor=robot(), store=store, kind="household", household=household)
    made = beneficiary_register(actor=robot(), store=store, kind="person", person=member)
    assert selectors_points.household_beneficiary_of(store, member).kind == "household"
    assert made.kind == "person"


def test_quick_registration_makes_the_minimal_person_at_the_district(store):
    made = beneficiary_quick_register(
        actor=robot(), store=store, first_name="สมหญิง", approximate_age=70, sex="F"
    )
    person = made.person
    assert person.quick_registered and person.area == store.area
    assert person.household_id is None and person.national_id == ""
    assert person.age >= 69


def test_quick_registration_without_a_name_saves_nothing(store):
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_quick_register(actor=robot(), store=store, first_name="  ")
    assert "first_name" in problems_of(excinfo)
    assert counts() == before


def test_close_stops_the_running_allowance_and_needs_a_reason(store, own):
    beneficiary = make_beneficiary(store)
    allowance = allowance_start(
        actor=robot(),
        store=store,
        beneficiary=beneficiary,
        points="100",
        starts_on=today(),
        reason="ผู้สูงอายุ",
    )
    with pytest.raises(ValidationError) as excinfo:
        beneficiary_close(actor=robot(), beneficiary=beneficiary, reason="")
    assert "reason" in problems_of(excinfo)
    beneficiary_close(actor=robot(), beneficiary=beneficiary, reason="เสียชีวิต")
    allowance.refresh_from_db()
    beneficiary.refresh_from_db()
    assert beneficiary.state == "closed" and allowance.stopped_on == today()
    with pytest.raises(ValidationError):
        beneficiary_close(actor=robot(), beneficiary=beneficiary, reason="อีกครั้ง")


# --- assessing ---------------------------------------------------------------------------------


def test_assessment_total_is_the_sum_and_flags_are_the_persons(store, own):
    person = make_person(
        area=own.area,
        birth_date=date(1940, 5, 5),
        bedridden=True,
        sensitive_legal_basis="social_protection",
    )
    beneficiary = make_beneficiary(store, person=person)
    scores = {"income": "3", "dependants": 0, "health": 5, "housing": "2", "food": 4, "crisis": 1}
    made = assess(actor=robot(), beneficiary=beneficiary, scores=scores)
    assert made.total == 15
    assert made.scores["income"] == 3
    assert made.flags == ["elderly", "bedridden"]


def test_household_flags_are_the_members_union_plus_poor_household(store, own):
    household = make_household(own, "5/5")
    make_person(household, relation="head", birth_date=date(1950, 1, 1))
    make_person(household, relation="child", child_in_need=True, birth_date=date(2015, 1, 1))
    gone = make_person(household, relation="relative", disaster_victim=True)
    Membership.objects.filter(person=gone).update(until=today() - timedelta(days=3))
    household.poor_override = True
    household.save()
    beneficiary = make_beneficiary(store, household=household)
    made = assess(actor=robot(), beneficiary=beneficiary, scores=ALL_FIVES)
    assert made.flags == ["elderly", "child_in_need", "poor_household"]
    assert made.total == 30


def test_assessment_refuses_missing_out_of_range_and_fractional_scores(store):
    beneficiary = make_beneficiary(store)
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        assess(
            actor=robot(),
            beneficiary=beneficiary,
            scores={"income": 6, "dependants": -1, "health": "2.5", "housing": True, "x": 1},
            assessed_on=today() + timedelta(days=2),
        )
    problems = problems_of(excinfo)
    assert {
        "scores.income",
        "scores.dependants",
        "scores.health",
        "scores.housing",
        "scores.food",
        "scores.crisis",
        "scores",
        "assessed_on",
    } <= set(problems)
    assert "0 ถึง 5" in problems["scores.income"][0] or "0 to 5" in problems["scores.income"][0]
    assert counts() == before


def test_inactive_criteria_are_not_asked(store):
    Criterion.objects.filter(code="crisis").update(active=False)
    beneficiary = make_beneficiary(store)
    scores = {k: v for k, v in ALL_FIVES.items() if k != "crisis"}
    assert assess(actor=robot(), beneficiary=beneficiary, scores=scores).total == 25


# --- awards ------------------------------------------------------------------------------------


def test_award_grant_writes_the_award_and_its_entry_valid_for_the_stores_days(store):
    beneficiary = make_beneficiary(store)
    award = award_grant(
        actor=robot(), store=store, beneficiary=beneficiary, points="250", reason="น้ำท่วม"
    )
    assert award.points == 250 and award.kind == "one_off"
    assert award.expires_on == today() + timedelta(days=store.award_valid_days)
    assert ledger.points_balance(beneficiary, today()) == 250
    assert award.entries.get().kind == "award"


def test_an_award_to_a_beneficiary_outside_the_district_is_refused(store, communities):
    elsewhere = make_beneficiary(make_store("1004"))
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        award_grant(actor=robot(), store=store, beneficiary=elsewhere, points=10, reason="x")
    message = problems_of(excinfo)["beneficiary"][0]
    assert "เขตบางรัก" in message and "เขตพระนคร" in message
    assert counts() == before


def test_an_award_to_a_closed_beneficiary_is_refused(store):
    beneficiary = make_beneficiary(store)
    beneficiary_close(actor=robot(), beneficiary=beneficiary, reason="ย้าย")
    with pytest.raises(ValidationError) as excinfo:
        award_grant(actor=robot(), store=store, beneficiary=beneficiary, points=10, reason="x")
    assert "beneficiary" in problems_of(excinfo)
    assert not Award.objects.exists()


@pytest.mark.parametrize(
    "points", [0, -5, "1.5", 1.5, "abc", True, None, "", domain.MAX_POINTS + 1]
)
def test_award_points_must_be_a_whole_number_within_the_limit(store, points):
    beneficiary = make_beneficiary(store)
    with pytest.raises(ValidationError) as excinfo:
        award_grant(actor=robot(), store=store, beneficiary=beneficiary, points=points, reason="x")
    assert list(problems_of(excinfo)) == ["points"]
    assert not Award.objects.exists() and not PointEntry.objects.exists()


def test_award_dates_and_reason_are_checked_together(store):
    beneficiary = make_beneficiary(store)
    with pytest.raises(ValidationError) as excinfo:
        award_grant(
            actor=robot(),
            store=store,
            beneficiary=beneficiary,
            points=10,
            reason=" ",
            awarded_on=today() - timedelta(days=10),
            expires_on=today() - timedelta(days=20),
        )
    assert set(problems_of(excinfo)) == {"reason", "expires_on"}
    with pytest.raises(ValidationError) as excinfo:
        award_grant(
            actor=robot(),
            store=store,
            beneficiary=beneficiary,
            points=10,
            reason="x",
            awarded_on=today() - timedelta(days=10),
            expires_on=today() - timedelta(days=1),
        )
    assert (
        "already past" in problems_of(excinfo)["expires_on"][0]
        or "ผ่าน" in (problems_of(excinfo)["expires_on"][0])
    )
    with pytest.raises(ValidationError) as excinfo:
        award_grant(
            actor=robot(),
            store=store,
            beneficiary=beneficiary,
            points=10,
            reason="x",
            awarded_on=today() + timedelta(days=1),
        )
    assert "awarded_on" in problems_of(excinfo)
    assert not Award.objects.exists()


def test_award_reverse_takes_back_only_what_is_left(store):
    beneficiary = make_beneficiary(store)
    award = make_award(beneficiary, 100)
    ledger.post_points(actor=robot(), award=award, kind="redeem", points=-30, on=today())
    entry = award_reverse(actor=robot(), award=award, reason="ให้ผิดคน")
    assert entry.points == -70 and entry.kind == "reverse"
    assert ledger.points_balance(beneficiary) == 0
    with pytest.raises(ValidationError) as excinfo:
        award_reverse(actor=robot(), award=award, reason="อีกครั้ง")
    assert "award" in problems_of(excinfo)
    assert PointEntry.objects.filter(kind="reverse").count() == 1


# --- allowances --------------------------------------------------------------------------------


def test_allowance_starting_this_month_awards_this_month_at_once(store):
    beneficiary = make_beneficiary(store)
    allowance = allowance_start(
        actor=robot(),
        store=store,
        beneficiary=beneficiary,
        points=300,
        starts_on=today(),
        valid_days="45",
        reason="ผู้สูงอายุติดเตียง",
    )
    month = today().replace(day=1)
    assert allowance.starts_on == month and allowance.valid_days == 45
    award = allowance.awards.get()
    # given today (not back on the 1st), so its 45 days run from today
    assert (award.kind, award.month, award.awarded_on) == ("monthly", month, today())
    assert award.expires_on == today() + timedelta(days=45)


def test_allowance_next_month_awards_nothing_yet_and_defaults_validity(store):
    beneficiary = make_beneficiary(store)
    next_month = (today().replace(day=1) + timedelta(days=40)).replace(day=15)
    allowance = allowance_start(
        actor=robot(),
        store=store,
        beneficiary=beneficiary,
        points=300,
        starts_on=next_month,
        reason="x",
    )
    assert allowance.valid_days == store.award_valid_days
    assert not allowance.awards.exists()


def test_a_second_running_allowance_is_refused_naming_the_first(store):
    beneficiary = make_beneficiary(store)
    allowance_start(
        actor=robot(),
        store=store,
        beneficiary=beneficiary,
        points=300,
        starts_on=today(),
        reason="x",
    )
    with pytest.raises(ValidationError) as excinfo:
        allowance_start(
            actor=robot(),
            store=store,
            beneficiary=beneficiary,
            points=50,
            starts_on=today(),
            reason="y",
        )
    assert "300" in problems_of(excinfo)["beneficiary"][0]
    assert Allowance.objects.count() == 1


def test_allowance_refusals_are_named_together_and_nothing_saved(store, communities):
    elsewhere = make_beneficiary(make_store("1004"))
    last_month = today().replace(day=1) - timedelta(days=1)
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        allowance_start(
            actor=robot(),
            store=store,
            beneficiary=elsewhere,
            points="0",
            starts_on=last_month,
            ends_on=last_month - timedelta(days=40),
            valid_days="1.5",
            reason="",
        )
    assert set(problems_of(excinfo)) == {
        "beneficiary",
        "points",
        "starts_on",
        "ends_on",
        "valid_days",
        "reason",
    }
    assert counts() == before


def test_stop_an_allowance_not_before_a_month_already_awarded(store):
    beneficiary = make_beneficiary(store)
    allowance = allowance_start(
        actor=robot(),
        store=store,
        beneficiary=beneficiary,
        points=100,
        starts_on=today(),
        reason="x",
    )
    month = today().replace(day=1)
    with pytest.raises(ValidationError) as excinfo:
        allowance_stop(actor=robot(), allowance=allowance, stopped_on=month, reason="หาย")
    assert "stopped_on" in problems_of(excinfo)
    if today().day > 1:
        allowance_stop(actor=robot(), allowance=allowance, stopped_on=today(), reason="หาย")
    else:
        Allowance.objects.filter(pk=allowance.pk).update(stopped_on=today())
    allowance.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        allowance_stop(actor=robot(), allowance=allowance, stopped_on=today(), reason="อีก")
    assert "__all__" in problems_of(excinfo)


# --- selectors ---------------------------------------------------------------------------------


def test_adults_of_a_household_who_may_redeem(store, own):
    household = make_household(own, "8/8")
    adult = make_person(household, relation="head", first_name="ผู้ใหญ่", birth_date=date(1980, 1, 1))
    make_person(
        household, relation="child", first_name="เด็ก", birth_date=today() - timedelta(days=3650)
    )
    dead = make_person(
        household, relation="spouse", first_name="ล่วงลับ", birth_date=date(1970, 1, 1)
    )
    Person.objects.filter(pk=dead.pk).update(status=Person.Status.DECEASED)
    left = make_person(
        household, relation="relative", first_name="ย้ายออก", birth_date=date(1975, 1, 1)
    )
    Membership.objects.filter(person=left).update(until=today() - timedelta(days=1))
    beneficiary = make_beneficiary(store, household=household)
    assert selectors_points.adults_who_may_redeem(beneficiary, today()) == [adult]
    single = make_beneficiary(store)
    assert selectors_points.adults_who_may_redeem(single) == [single.person]


def test_find_by_name_fragment_member_name_and_national_id(store, own, communities):
    household = make_household(own, "3/3")
    member_id = valid_national_id()
    make_person(household, relation="head", first_name="มาลัย", national_id=member_id)
    home = make_beneficiary(store, household=household)
    someone = make_beneficiary(store, first_name="บุญมี")
    make_beneficiary(
        make_store("1004"), person=make_person(area=Area.objects.get(code="1004"), first_name="บุญมี")
    )
    assert list(selectors_points.find_beneficiaries(store, text="บุญ")) == [someone]
    assert list(selectors_points.find_beneficiaries(store, text="ลัย")) == [home]
    assert list(selectors_points.find_beneficiaries(store, national_id=member_id)) == [home]
    assert list(selectors_points.find_beneficiaries(store, text=member_id)) == [home]
    assert list(selectors_points.find_beneficiaries(store, national_id="123")) == []
    assert list(selectors_points.find_beneficiaries(store, text=f"B{someone.number}")) == [someone]


def test_points_history_keeps_a_running_balance(store):
    beneficiary = make_beneficiary(store)
    award = make_award(beneficiary, 100, awarded_on=today() - timedelta(days=5))
    ledger.post_points(actor=robot(), award=award, kind="redeem", points=-40, on=today())
    history = selectors_points.points_history(beneficiary)
    assert [(e.points, e.running) for e in history] == [(100, 100), (-40, 60)]


def test_award_and_allowance_check_the_beneficiary_under_the_lock_not_a_stale_copy(store):
    """Review: the state was read from the caller's copy before the store lock, so a
    registration closed by another request a moment earlier still got points."""
    beneficiary = make_beneficiary(store)
    stale = Beneficiary.objects.get(pk=beneficiary.pk)
    beneficiary_close(actor=robot(), beneficiary=beneficiary, reason="ย้าย")
    assert stale.state == Beneficiary.State.ACTIVE
    with pytest.raises(ValidationError) as excinfo:
        award_grant(actor=robot(), store=store, beneficiary=stale, points=10, reason="x")
    assert "beneficiary" in problems_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        allowance_start(
            actor=robot(),
            store=store,
            beneficiary=stale,
            points=100,
            starts_on=today(),
            reason="x",
        )
    assert "beneficiary" in problems_of(excinfo)
    assert not Award.objects.exists() and not Allowance.objects.exists()
