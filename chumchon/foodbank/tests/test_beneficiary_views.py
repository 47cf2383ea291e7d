"""The beneficiary pages: the list (search, flag filter, constant queries), registering by
national ID or house code (refused outside the district, ID masked), the quick registration,
the beneficiary's page (actions only when allowed), and the forms (assess, award, allowance,
stop, take back, close) with their errors on the fields and nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.communities.models import Person
from chumchon.communities.tests.factories import (
    community_for_area,
    make_household,
    make_person,
    valid_national_id,
)

from .. import ledger
from ..models import Allowance, Assessment, Award, Beneficiary, PointEntry
from ..services_points import allowance_start, assess
from .factories import make_award, make_beneficiary, make_store, robot

pytestmark = pytest.mark.django_db

ALL_THREES = {
    f"score_{code}": "3" for code in ("income", "dependants", "health", "housing", "food", "crisis")
}


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


@pytest.fixture
def officer(clients):
    return clients["district_officer"]


def url(name: str, *args) -> str:
    return reverse(name, args=["1001", *args])


# --- the list ----------------------------------------------------------------------------------


def fill(store, own, n: int) -> None:
    start = Beneficiary.objects.count()
    for i in range(start, start + n):
        if i % 2:
            household = make_household(own, f"{i}/9")
            make_person(household, relation="head", birth_date=date(1950, 1, 1))
            beneficiary = make_beneficiary(store, household=household)
        else:
            beneficiary = make_beneficiary(store, birth_date=date(1990, 1, 1))
        make_award(beneficiary, 10 * (i + 1))
        assess(
            actor=robot(),
            beneficiary=beneficiary,
            scores={k.removeprefix("score_"): 1 for k in ALL_THREES},
        )


def test_list_keeps_a_constant_number_of_queries(store, own, officer):
    fill(store, own, 2)
    officer.get(url("foodbank-beneficiaries"))
    with CaptureQueriesContext(connection) as small:
        assert officer.get(url("foodbank-beneficiaries")).status_code == 200
    fill(store, own, 8)
    with CaptureQueriesContext(connection) as large:
        response = officer.get(url("foodbank-beneficiaries"))
    assert response.content.decode().count('href="/foodbank/1001/beneficiaries/') >= 10
    assert len(large) == len(small)


def test_list_shows_points_masked_ids_and_filters_by_flag(store, own, officer):
    national_id = valid_national_id()
    elder = make_beneficiary(
        store, first_name="ยายมา", birth_date=date(1940, 1, 1), national_id=national_id
    )
    young = make_beneficiary(store, first_name="หนุ่มแน่น", birth_date=date(1995, 1, 1))
    make_award(elder, 120)
    page = officer.get(url("foodbank-beneficiaries")).content.decode()
    assert "ยายมา" in page and "หนุ่มแน่น" in page
    assert national_id not in page and elder.person.masked_national_id in page
    assert "120" in page
    page = officer.get(url("foodbank-beneficiaries") + "?flag=elderly").content.decode()
    assert "ยายมา" in page and "หนุ่มแน่น" not in page
    page = officer.get(url("foodbank-beneficiaries") + "?q=แน่น").content.decode()
    assert "หนุ่มแน่น" in page and "ยายมา" not in page
    assert young.number


def test_list_of_another_district_is_404_and_committee_member_403(store, clients, communities):
    assert (
        clients["district_officer"]
        .get(reverse("foodbank-beneficiaries", args=["1004"]))
        .status_code
        == 404
    )
    assert clients["committee_member"].get(url("foodbank-beneficiaries")).status_code == 403
    assert clients["zone_officer"].get(url("foodbank-beneficiaries")).status_code == 200


# --- registering -------------------------------------------------------------------------------


def test_find_by_national_id_shows_the_masked_id_and_registers(store, own, officer):
    national_id = valid_national_id()
    person = make_person(area=own.area, first_name="ประยูร", national_id=national_id)
    page = officer.post(
        url("foodbank-beneficiary-new"), {"action": "find", "national_id": national_id}
    )
    text = page.content.decode()
    assert "ประยูร" in text and person.masked_national_id in text
    assert national_id not in text
    response = officer.post(
        url("foodbank-beneficiary-new"), {"kind": "person", "person": person.pk, "note": "x"}
    )
    beneficiary = Beneficiary.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == url("foodbank-beneficiary", beneficiary.pk)


def test_find_a_person_of_another_district_shows_the_refusal_and_no_form(store, other, officer):
    national_id = valid_national_id()
    make_person(area=other.area, first_name="ลับเฉพาะ", national_id=national_id)
    text = officer.post(
        url("foodbank-beneficiary-new"), {"action": "find", "national_id": national_id}
    ).content.decode()
    assert "เขตบางรัก" in text
    assert "ลับเฉพาะ" not in text
    assert 'name="kind"' not in text


def test_posting_a_person_of_another_district_is_refused_and_nothing_saved(store, other, officer):
    person = make_person(area=other.area)
    response = officer.post(
        url("foodbank-beneficiary-new"), {"kind": "person", "person": person.pk}
    )
    assert response.status_code == 200
    assert "เขตบางรัก" in response.content.decode()
    assert not Beneficiary.objects.exists()


def test_find_a_household_by_house_code_and_register_it(store, own, officer):
    household = make_household(own, "12/3", house_code="10010000123")
    make_person(household, relation="head", first_name="หัวหน้าบ้าน")
    text = officer.post(
        url("foodbank-beneficiary-new"), {"action": "find", "house_code": "1001-0000-123"}
    ).content.decode()
    assert "หัวหน้าบ้าน" in text
    response = officer.post(
        url("foodbank-beneficiary-new"), {"kind": "household", "household": household.pk}
    )
    assert response.status_code == 302
    assert Beneficiary.objects.get().household == household


def test_find_a_household_by_community_and_house_number(store, own, officer):
    make_household(own, "77/1")
    text = officer.post(
        url("foodbank-beneficiary-new"), {"action": "find", "community": own.pk, "house_no": "77/1"}
    ).content.decode()
    assert 'name="household"' in text


def test_quick_registration_page_registers_a_person_without_id(store, officer):
    response = officer.post(
        url("foodbank-beneficiary-quick"),
        {"first_name": "คนไร้บ้าน", "approximate_age": "55", "missing_id_reason": "unknown"},
    )
    assert response.status_code == 302
    person = Person.objects.get(first_name="คนไร้บ้าน")
    assert person.quick_registered and Beneficiary.objects.get().person == person


def test_quick_registration_errors_stay_on_the_form(store, officer):
    response = officer.post(url("foodbank-beneficiary-quick"), {"approximate_age": "300"})
    assert response.status_code == 200
    assert 'id="id_first_name_error"' in response.content.decode() or "is-invalid" in (
        response.content.decode()
    )
    assert not Person.objects.filter(quick_registered=True).exists()


# --- one beneficiary ---------------------------------------------------------------------------


def test_beneficiary_page_shows_awards_history_and_actions_only_when_allowed(store, clients):
    beneficiary = make_beneficiary(store)
    award = make_award(beneficiary, 90, expires_on=today() + timedelta(days=3))
    ledger.post_points(actor=robot(), award=award, kind="redeem", points=-15, on=today())
    page = clients["district_officer"].get(url("foodbank-beneficiary", beneficiary.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert url("foodbank-beneficiary-award", beneficiary.pk) in text
    assert 'data-testid="balance">75<' in text
    seen = clients["zone_officer"].get(url("foodbank-beneficiary", beneficiary.pk)).content.decode()
    assert url("foodbank-beneficiary-award", beneficiary.pk) not in seen
    assert 'data-testid="flags"' not in seen  # no personal.view_flags at the zone


def test_a_beneficiary_of_another_district_is_404_under_this_one(store, officer, communities):
    elsewhere = make_beneficiary(make_store("1004"))
    assert officer.get(url("foodbank-beneficiary", elsewhere.pk)).status_code == 404
    assert (
        officer.post(
            url("foodbank-beneficiary-award", elsewhere.pk), {"points": "5", "reason": "x"}
        ).status_code
        == 404
    )
    assert not Award.objects.exists()


def test_assess_form_saves_the_scores_and_shows_errors_on_their_fields(store, officer):
    beneficiary = make_beneficiary(store, birth_date=date(1940, 1, 1))
    page = officer.get(url("foodbank-beneficiary-assess", beneficiary.pk)).content.decode()
    assert 'name="score_income"' in page and 'data-testid="registry-flags"' in page
    bad = officer.post(
        url("foodbank-beneficiary-assess", beneficiary.pk), {**ALL_THREES, "score_food": "9"}
    )
    assert bad.status_code == 200 and 'id="id_score_food_error"' in bad.content.decode()
    assert not Assessment.objects.exists()
    good = officer.post(url("foodbank-beneficiary-assess", beneficiary.pk), ALL_THREES)
    assert good.status_code == 302
    made = Assessment.objects.get()
    assert made.total == 18 and made.flags == ["elderly"]


def test_award_form_awards_and_refuses_zero_points(store, officer):
    beneficiary = make_beneficiary(store)
    bad = officer.post(
        url("foodbank-beneficiary-award", beneficiary.pk), {"points": "0", "reason": "x"}
    )
    assert bad.status_code == 200 and 'id="id_points_error"' in bad.content.decode()
    assert not Award.objects.exists()
    good = officer.post(
        url("foodbank-beneficiary-award", beneficiary.pk), {"points": "150", "reason": "น้ำท่วม"}
    )
    assert good.status_code == 302
    assert ledger.points_balance(beneficiary, today()) == 150


def test_allowance_form_starts_and_stop_form_stops(store, officer):
    beneficiary = make_beneficiary(store)
    response = officer.post(
        url("foodbank-beneficiary-allowance", beneficiary.pk),
        {
            "points": "200",
            "starts_on": today().strftime("%d/%m/") + str(today().year + 543),
            "reason": "ติดเตียง",
        },
    )
    assert response.status_code == 302
    allowance = Allowance.objects.get()
    assert allowance.awards.count() == 1
    stop_url = url("foodbank-allowance-stop", beneficiary.pk, allowance.pk)
    bad = officer.post(stop_url, {"reason": ""})
    assert bad.status_code == 200 and 'id="id_reason_error"' in bad.content.decode()
    if today().day > 1:
        assert officer.post(stop_url, {"reason": "ดีขึ้นแล้ว"}).status_code == 302
        allowance.refresh_from_db()
        assert allowance.stopped_on == today()


def test_take_back_an_award_and_close_the_registration(store, officer):
    beneficiary = make_beneficiary(store)
    award = make_award(beneficiary, 40)
    allowance_start(
        actor=robot(),
        store=store,
        beneficiary=beneficiary,
        points=10,
        starts_on=today(),
        reason="x",
    )
    reverse_url = url("foodbank-award-reverse", beneficiary.pk, award.pk)
    assert officer.post(reverse_url, {"reason": "ผิดคน"}).status_code == 302
    assert PointEntry.objects.get(kind="reverse").points == -40
    again = officer.post(reverse_url, {"reason": "อีกครั้ง"})
    assert again.status_code == 200 and PointEntry.objects.filter(kind="reverse").count() == 1
    assert (
        officer.post(
            url("foodbank-beneficiary-close", beneficiary.pk), {"reason": "ย้ายออก"}
        ).status_code
        == 302
    )
    beneficiary.refresh_from_db()
    assert beneficiary.state == "closed"
    assert Allowance.objects.get().stopped_on == today()
    page = officer.get(url("foodbank-beneficiary", beneficiary.pk)).content.decode()
    assert url("foodbank-beneficiary-award", beneficiary.pk) not in page
