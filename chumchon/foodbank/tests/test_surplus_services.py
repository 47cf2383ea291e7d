"""The surplus relay's services: donors, donations (weights, categories, dated factors),
distributions never above what the district holds on any day, cancellations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chumchon.communities.tests.factories import community_for_area, make_person
from chumchon.core.audit import AuditEvent
from chumchon.core.params import parameter_start_period
from chumchon.organizations.models import Area

from .. import selectors_surplus as selectors
from .. import services_surplus as services
from ..models import Distribution, DonationCategory, Donor, Status, SurplusDonation
from .factories import make_donation, make_donor, robot

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def district(code="1001") -> Area:
    return Area.objects.get(code=code)


def record(kg="10", on=None, donor=None, code="1001", **extra):
    return services.donation_record(
        actor=robot(),
        district=district(code),
        donor=donor or make_donor(code),
        donated_on=on or TODAY(),
        weight_kg=kg,
        **extra,
    )


def hand_on(kg="1", on=None, code="1001", **extra):
    extra.setdefault("recipient_kind", "shelter")
    extra.setdefault("recipient_name", "บ้านพักทดสอบ")
    extra.setdefault("headcount", 5)
    return services.distribution_record(
        actor=robot(), district=district(code), distributed_on=on or TODAY(), weight_kg=kg, **extra
    )


def errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- donors ------------------------------------------------------------------------------------


def test_donor_create_at_district_and_city_and_audited():
    d = services.donor_create(
        actor=robot(), area=district(), kind="hotel", name="  โรงแรม  ทดสอบ ", contact_phone="021"
    )
    assert d.name == "โรงแรม ทดสอบ"
    city = services.donor_create(
        actor=robot(), area=Area.objects.get(code="BKK"), kind="business", name="เชนร้าน"
    )
    assert city.area.code == "BKK"
    event = AuditEvent.objects.get(action="foodbank.donor_create", object_id=str(d.pk))
    assert event.changes["contact_phone"] != [None, "021"]  # personal: masked


def test_donor_create_refuses_missing_name_bad_kind_and_zone_area():
    with pytest.raises(ValidationError) as exc:
        services.donor_create(
            actor=robot(), area=Area.objects.get(code="BKK-01"), kind="pirate", name=" "
        )
    assert set(errors(exc)) == {"name", "kind", "area"}
    assert not Donor.objects.exists()


def test_donor_update_audits_before_after_with_phone_masked():
    d = make_donor(contact_phone="0811111111")
    services.donor_update(actor=robot(), donor=d, name="ชื่อใหม่", contact_phone="0822222222")
    d.refresh_from_db()
    assert d.name == "ชื่อใหม่"
    event = AuditEvent.objects.get(action="foodbank.donor_update", object_id=str(d.pk))
    assert event.changes["name"][1] == "ชื่อใหม่"
    assert "0822222222" not in str(event.changes)


# --- donations ---------------------------------------------------------------------------------


def test_donation_copies_the_factors_of_its_day_and_numbers_per_district():
    a = record("12.345")
    b = record("1")
    other = record("2", code="1004")
    assert (a.number, b.number, other.number) == (1, 2, 1)
    assert a.weight_g == 12_345
    assert a.meals_per_kg == Decimal("4.2") and a.kgco2e_per_kg == Decimal("2.53")
    meals, co2 = selectors.donation_meals(a)
    assert meals == Decimal("51.85") and co2 == Decimal("31.23")


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.2345", True, 0, -3.5, 12.3456, "", None])
def test_donation_bad_weight_refused_and_nothing_saved(bad):
    with pytest.raises(ValidationError) as exc:
        record(bad)
    assert "weight_kg" in errors(exc)
    assert not SurplusDonation.objects.exists()


def test_donation_weight_as_float_read_as_typed():
    assert record(12.5).weight_g == 12_500


def test_donation_categories_must_sum_to_the_total():
    with pytest.raises(ValidationError) as exc:
        record("10", categories=[("bakery", "4"), ("cooked", "5.999")])
    assert "categories" in errors(exc)
    assert "9.999" in errors(exc)["categories"][0]
    assert not SurplusDonation.objects.exists() and not DonationCategory.objects.exists()
    made = record("10", categories=[("bakery", "4"), ("cooked", "6")])
    assert sorted(made.categories.values_list("category", "weight_g")) == [
        ("bakery", 4000),
        ("cooked", 6000),
    ]


def test_donation_category_problems_name_the_row():
    with pytest.raises(ValidationError) as exc:
        record("10", categories=[("nope", "4"), ("cooked", "0")])
    assert {"categories.0.category", "categories.1.weight_kg"} <= set(errors(exc))


def test_donation_in_the_future_refused():
    with pytest.raises(ValidationError) as exc:
        record("1", on=TODAY() + timedelta(days=1))
    assert "donated_on" in errors(exc)


def test_donation_before_any_factor_refused_with_the_clear_message():
    with pytest.raises(ValidationError) as exc:
        record("1", on=date(1999, 12, 31))
    message = errors(exc)["donated_on"][0]
    assert "31" in message and "2542" in message  # the date in the Buddhist era
    assert "central staff" in message or "ส่วนกลาง" in message
    assert not SurplusDonation.objects.exists()


def test_donor_of_another_district_refused_city_donor_accepted():
    with pytest.raises(ValidationError) as exc:
        record("1", donor=make_donor("1004"))
    assert "donor" in errors(exc)
    city_donor = make_donor("BKK")
    assert record("1", donor=city_donor).donor == city_donor


def test_new_factor_period_applies_to_later_donations_only():
    today = TODAY()
    old = record("10", on=today - timedelta(days=3))
    for key, value in (("foodbank.meals_per_kg", "5"), ("foodbank.kgco2e_per_kg", "3")):
        parameter_start_period(
            actor=robot(),
            key=key,
            value=value,
            valid_from=today - timedelta(days=1),
            retroactive_reason="ทดสอบ",
        )
    new = record("10", on=today)
    old.refresh_from_db()
    assert old.meals_per_kg == Decimal("4.2") and new.meals_per_kg == Decimal("5")
    totals = selectors.impact(start=today - timedelta(days=5), end=today)
    assert totals.meals == Decimal("92.00")  # 10 x 4.2 + 10 x 5
    assert totals.kgco2e == Decimal("55.30")  # 10 x 2.53 + 10 x 3


def test_donation_cancel_needs_reason_and_keeps_the_row():
    d = record("5")
    with pytest.raises(ValidationError) as exc:
        services.donation_cancel(actor=robot(), donation=d, reason=" ")
    assert "reason" in errors(exc)
    services.donation_cancel(actor=robot(), donation=d, reason="บันทึกซ้ำ")
    d.refresh_from_db()
    assert d.status == Status.CANCELLED
    assert selectors.impact(start=TODAY(), end=TODAY()).grams == 0


def test_donation_cancel_refused_when_the_food_was_handed_on():
    d = record("5")
    hand_on("3")
    with pytest.raises(ValidationError) as exc:
        services.donation_cancel(actor=robot(), donation=d, reason="ผิด")
    message = str(exc.value)
    assert "3.000" in message  # by how much it would be short
    d.refresh_from_db()
    assert d.status == Status.RECORDED


# --- distributions -----------------------------------------------------------------------------


def test_distribution_above_what_the_district_holds_refused():
    record("10")
    with pytest.raises(ValidationError) as exc:
        hand_on("10.001")
    message = errors(exc)["weight_kg"][0]
    assert "10.000" in message and "0.000" in message
    assert not Distribution.objects.exists()
    hand_on("10")
    assert selectors.on_hand_g(district()) == 0


def test_backdated_distribution_cannot_take_food_later_days_used():
    today = TODAY()
    record("10", on=today - timedelta(days=5))
    record("10", on=today - timedelta(days=1))
    hand_on("12", on=today - timedelta(days=1))  # 20 received by then
    # 5 days ago the district held 10, but only 8 are free without breaking yesterday
    with pytest.raises(ValidationError) as exc:
        hand_on("9", on=today - timedelta(days=4))
    assert "8.000" in errors(exc)["weight_kg"][0]
    hand_on("8", on=today - timedelta(days=4))
    assert selectors.on_hand_g(district()) == 0


def test_distribution_before_any_donation_refused():
    record("10")
    with pytest.raises(ValidationError):
        hand_on("1", on=TODAY() - timedelta(days=1))


def test_distribution_rules_of_recipients():
    record("100")
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="community")
    assert "community" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="group", recipient_name="")
    assert "recipient_name" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="persons", recipient_name="")
    assert "persons" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="aliens")
    assert "recipient_kind" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        hand_on("1", headcount=0)
    assert "headcount" in errors(exc)
    assert not Distribution.objects.exists()


def test_distribution_to_a_community_of_the_district_only(communities):
    record("100")
    own = community_for_area(communities["T-1001-01"])
    other = community_for_area(communities["T-1004-01"])
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="community", community=other)
    assert "community" in errors(exc)
    made = hand_on("1", recipient_kind="community", community=own)
    assert made.community == own and made.recipient_name == ""


def test_distribution_to_persons_headcount_at_least_the_persons(communities):
    record("100")
    a = make_person(area=communities["T-1001-01"])
    b = make_person(area=communities["T-1001-01"])
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="persons", persons=[a, b], headcount=1)
    assert "headcount" in errors(exc)
    outsider = make_person(area=communities["T-1004-01"])
    with pytest.raises(ValidationError) as exc:
        hand_on("1", recipient_kind="persons", persons=[outsider], headcount=1)
    assert "persons" in errors(exc)
    made = hand_on("1", recipient_kind="persons", persons=[a, b], headcount=2)
    assert set(made.persons.all()) == {a, b}


def test_distribution_cancel_frees_the_food():
    record("10")
    made = hand_on("10")
    services.distribution_cancel(actor=robot(), distribution=made, reason="ผิด")
    assert selectors.on_hand_g(district()) == 10_000
    with pytest.raises(ValidationError):
        services.distribution_cancel(actor=robot(), distribution=made, reason="อีกครั้ง")


def test_factory_donations_count_in_on_hand():
    make_donation("1001", kg="3")
    assert selectors.on_hand_g(district()) == 3000
