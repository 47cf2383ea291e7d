"""The counter's services: redeeming goods for points (every refusal saves nothing; lots and
awards are taken earliest-expiry first) and cancelling a redemption (everything goes back to
where it came from)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chumchon.communities.tests.factories import make_community, make_household, make_person
from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent

from .. import ledger, services_counter
from ..models import (
    Beneficiary,
    PointEntry,
    Redemption,
    RedemptionLine,
    StockMovement,
)
from .factories import make_award, make_beneficiary, make_item, make_lot, make_store

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def counts() -> tuple[int, ...]:
    return (
        Redemption.objects.count(),
        RedemptionLine.objects.count(),
        StockMovement.objects.count(),
        PointEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="foodbank.redeem").count(),
    )


@pytest.fixture
def clerk(communities):
    return make_user("clerk", "foodbank_clerk", "1001")


@pytest.fixture
def shop(communities):
    store = make_store("1001")
    rice = make_item(store, name="ข้าวสาร", points=50, unit="ถุง")
    oil = make_item(store, name="น้ำมันพืช", points=30, unit="ขวด")
    make_lot(rice, 10, expires_on=TODAY() + timedelta(days=100))
    make_lot(oil, 5, expires_on=TODAY() + timedelta(days=100))
    who = make_beneficiary(store, birth_date=date(1950, 1, 1))
    make_award(who, 200)
    return store, rice, oil, who


def refused(clerk, store, who, lines, *, by="self", **kwargs) -> dict:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services_counter.redeem(
            actor=clerk,
            store=store,
            beneficiary=who,
            redeemed_by=who.person if by == "self" else by,
            lines=lines,
            **kwargs,
        )
    assert counts() == before, "a refused redemption saved something"
    return caught.value.message_dict


def test_redeem_takes_points_and_stock_in_one_go(clerk, shop):
    store, rice, oil, who = shop
    made = services_counter.redeem(
        actor=clerk,
        store=store,
        beneficiary=who,
        redeemed_by=who.person,
        lines=[(rice, "2"), (oil, 1)],
    )
    assert made.points == 130 and made.number == 1 and made.redeemed_on == TODAY()
    assert ledger.points_balance(who, TODAY()) == 70
    assert ledger.item_stock(store) == {rice.pk: 8, oil.pk: 4}
    lines = {
        (line.item_id, line.quantity, line.points_each, line.points) for line in made.lines.all()
    }
    assert lines == {(rice.pk, 2, 50, 100), (oil.pk, 1, 30, 30)}
    assert AuditEvent.objects.filter(action="foodbank.redeem", object_id=str(made.pk)).exists()
    second = services_counter.redeem(
        actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(oil, 1)]
    )
    assert second.number == 2


def test_the_same_item_twice_is_summed(clerk, shop):
    store, rice, _oil, who = shop
    made = services_counter.redeem(
        actor=clerk,
        store=store,
        beneficiary=who,
        redeemed_by=who.person,
        lines=[(rice, 1), (rice, "2")],
    )
    assert [(line.quantity, line.points) for line in made.lines.all()] == [(3, 150)]


def test_above_the_points_is_refused_naming_need_and_balance(clerk, shop):
    store, rice, _oil, who = shop
    problems = refused(clerk, store, who, [(rice, 5)])
    assert "250" in problems["points"][0] and "200" in problems["points"][0]


def test_above_the_stock_is_refused_on_the_line(clerk, shop):
    store, rice, oil, who = shop
    problems = refused(clerk, store, who, [(oil, 6)])
    assert set(problems) == {"lines.0.quantity"}
    assert "5" in problems["lines.0.quantity"][0] and "น้ำมันพืช" in problems["lines.0.quantity"][0]


def test_short_stock_and_too_few_points_are_both_named(clerk, shop):
    store, rice, oil, who = shop
    problems = refused(clerk, store, who, [(rice, 4), (oil, 6)])
    assert {"lines.1.quantity", "points"} <= set(problems)


def test_an_expired_lot_is_refused_and_never_used(clerk, shop):
    store, rice, _oil, who = shop
    soap = make_item(store, name="สบู่", points=5)
    old = make_lot(soap, 10, expires_on=TODAY() - timedelta(days=1))
    problems = refused(clerk, store, who, [(soap, 1, old)])
    assert "expired" in problems["lines.0.lot"][0] or "หมดอายุ" in problems["lines.0.lot"][0]
    problems = refused(clerk, store, who, [(soap, 1)])  # only expired units: none in stock
    assert "lines.0.quantity" in problems


def test_a_lot_of_another_item_is_refused(clerk, shop):
    store, rice, oil, who = shop
    oil_lot = oil.lots.first()
    problems = refused(clerk, store, who, [(rice, 1, oil_lot)])
    assert "lines.0.lot" in problems


def test_a_beneficiary_of_another_district_is_refused(clerk, shop):
    store, rice, _oil, _who = shop
    other_store = make_store("1004")
    stranger = make_beneficiary(other_store)
    make_award(stranger, 500)
    problems = refused(clerk, store, stranger, [(rice, 1)])
    assert "beneficiary" in problems


def test_a_closed_beneficiary_is_refused(clerk, shop):
    store, rice, _oil, who = shop
    Beneficiary.objects.filter(pk=who.pk).update(state="closed", closed_on=TODAY())
    problems = refused(clerk, store, who, [(rice, 1)])
    assert "beneficiary" in problems


def test_an_inactive_item_and_another_store_item_are_refused(clerk, shop):
    store, rice, _oil, who = shop
    rice.active = False
    rice.save()
    other_item = make_item(make_store("1004"), name="นม")
    make_lot(other_item, 5)
    problems = refused(clerk, store, who, [(rice, 1), (other_item, 1)])
    assert {"lines.0.item", "lines.1.item"} <= set(problems)


@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "abc", True, "", 100_001])
def test_bad_quantities_are_refused_on_the_line(clerk, shop, quantity):
    store, rice, _oil, who = shop
    problems = refused(clerk, store, who, [(rice, quantity)])
    assert "lines.0.quantity" in problems


def test_no_lines_and_another_day_are_refused(clerk, shop):
    store, _rice, _oil, who = shop
    problems = refused(clerk, store, who, [])
    assert "lines" in problems
    problems = refused(clerk, store, who, [(shop[1], 1)], on=TODAY() - timedelta(days=1))
    assert "redeemed_on" in problems


def test_only_the_person_collects_for_a_person(clerk, shop):
    store, rice, _oil, who = shop
    someone = make_person(area=store.area, first_name="คนอื่น", birth_date=date(1970, 1, 1))
    problems = refused(clerk, store, who, [(rice, 1)], by=someone)
    assert "redeemed_by" in problems
    problems = refused(clerk, store, who, [(rice, 1)], by=None)
    assert "redeemed_by" in problems


def test_a_household_redeems_through_an_adult_member_only(clerk, shop):
    store, rice, _oil, _who = shop
    community = make_community(district="1001")
    house = make_household(community, house_no="99/1")
    adult = make_person(house, first_name="แม่", relation="head", birth_date=date(1980, 1, 1))
    child = make_person(
        house, first_name="ลูก", relation="child", birth_date=TODAY() - timedelta(days=365 * 12)
    )
    outsider = make_person(area=community.area, first_name="เพื่อนบ้าน", birth_date=date(1970, 1, 1))
    family = make_beneficiary(store, household=house)
    make_award(family, 100)
    problems = refused(clerk, store, family, [(rice, 1)], by=child)
    assert "adult" in problems["redeemed_by"][0] or "ผู้ใหญ่" in problems["redeemed_by"][0]
    refused(clerk, store, family, [(rice, 1)], by=outsider)
    made = services_counter.redeem(
        actor=clerk, store=store, beneficiary=family, redeemed_by=adult, lines=[(rice, 1)]
    )
    assert made.redeemed_by == adult


def test_lots_are_taken_earliest_expiry_first_never_expired(clerk, shop):
    store, _rice, _oil, who = shop
    milk = make_item(store, name="นมกล่อง", points=1)
    expired = make_lot(milk, 10, expires_on=TODAY() - timedelta(days=2))
    late = make_lot(milk, 10, expires_on=TODAY() + timedelta(days=60))
    never = make_lot(milk, 10, expires_on=None)
    soon = make_lot(milk, 3, expires_on=TODAY() + timedelta(days=5))
    made = services_counter.redeem(
        actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(milk, 15)]
    )
    taken = {line.lot_id: line.quantity for line in made.lines.all()}
    assert taken == {soon.pk: 3, late.pk: 10, never.pk: 2}
    assert expired.pk not in taken
    moves = StockMovement.objects.filter(redemption=made).values_list("lot_id", "quantity")
    assert sorted(moves) == sorted([(soon.pk, -3), (late.pk, -10), (never.pk, -2)])


def test_awards_are_consumed_earliest_expiry_first(clerk, shop):
    store, rice, _oil, who = shop
    first = who.awards.get()  # 200 points, 89 days left
    soon = make_award(who, 30, expires_on=TODAY() + timedelta(days=3))
    later = make_award(who, 500, expires_on=TODAY() + timedelta(days=300))
    make_award(
        who, 1000, awarded_on=TODAY() - timedelta(days=100), expires_on=TODAY() - timedelta(days=1)
    )
    made = services_counter.redeem(
        actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(rice, 5)]
    )
    used = dict(
        PointEntry.objects.filter(redemption=made, kind="redeem").values_list("award_id", "points")
    )
    assert used == {soon.pk: -30, first.pk: -200, later.pk: -20}
    assert ledger.points_balance(who, TODAY()) == 480


def test_expired_points_never_pay(clerk, shop):
    store, rice, _oil, who = shop
    old = make_award(
        who, 1000, awarded_on=TODAY() - timedelta(days=100), expires_on=TODAY() - timedelta(days=1)
    )
    problems = refused(clerk, store, who, [(rice, 5)])
    assert "points" in problems
    assert ledger.award_left(who)[old.pk] == 1000


def test_cancel_returns_goods_and_points_exactly(clerk, shop):
    store, rice, oil, who = shop
    stock_before = ledger.item_stock(store)
    made = services_counter.redeem(
        actor=clerk,
        store=store,
        beneficiary=who,
        redeemed_by=who.person,
        lines=[(rice, 2), (oil, 2)],
    )
    assert ledger.points_balance(who, TODAY()) == 40
    head = make_user("head", "district_head", "1001")
    services_counter.redemption_cancel(actor=head, redemption=made, reason="ผิดคน")
    made.refresh_from_db()
    assert made.status == "cancelled" and made.cancel_reason == "ผิดคน" and made.cancelled_by == head
    assert ledger.item_stock(store) == stock_before
    assert ledger.points_balance(who, TODAY()) == 200
    returns = StockMovement.objects.filter(redemption=made, kind="return")
    assert sorted(m.quantity for m in returns) == [2, 2]
    for entry in PointEntry.objects.filter(redemption=made, kind="reverse"):
        assert entry.reverses.kind == "redeem" and entry.points == -entry.reverses.points
    with pytest.raises(ValidationError) as caught:
        services_counter.redemption_cancel(actor=head, redemption=made, reason="อีกครั้ง")
    assert "status" in caught.value.message_dict
    assert PointEntry.objects.filter(redemption=made, kind="reverse").count() == 1


def test_cancel_needs_a_reason(clerk, shop):
    store, rice, _oil, who = shop
    made = services_counter.redeem(
        actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(rice, 1)]
    )
    with pytest.raises(ValidationError) as caught:
        services_counter.redemption_cancel(actor=clerk, redemption=made, reason="  ")
    assert "reason" in caught.value.message_dict
    made.refresh_from_db()
    assert made.status == "recorded"


def test_cancelled_points_of_an_expired_award_expire_again_at_once(clerk, shop, monkeypatch):
    store, rice, _oil, who = shop
    short = make_award(who, 60, expires_on=TODAY())  # the earliest: used first, ends today
    made = services_counter.redeem(
        actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(rice, 1)]
    )
    tomorrow = TODAY() + timedelta(days=1)
    monkeypatch.setattr(services_counter.timezone, "localdate", lambda *a: tomorrow)
    services_counter.redemption_cancel(actor=clerk, redemption=made, reason="คืนของ")
    monkeypatch.undo()
    rows = list(
        PointEntry.objects.filter(redemption=made)
        .order_by("pk")
        .values_list("award_id", "kind", "points")
    )
    first = who.awards.exclude(pk=short.pk).get()
    assert rows == [
        (short.pk, "redeem", -50),
        (short.pk, "reverse", 50),
        (short.pk, "expire", -50),
    ]
    assert first.pk not in [r[0] for r in rows]
    assert ledger.award_left(who).get(short.pk, 0) == 10


def test_cancel_after_the_award_was_taken_back_does_not_bring_its_points_back(clerk, shop):
    """Review: an award taken back (award_reverse) got the points of a redemption cancelled
    later back, usable again."""
    from .. import services_points

    store, rice, _oil, who = shop
    (award,) = who.awards.all()
    made = services_counter.redeem(
        actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(rice, 1)]
    )
    head = make_user("head", "district_head", "1001")
    services_points.award_reverse(actor=head, award=award, reason="ให้ผิดคน")
    assert ledger.points_balance(who, TODAY()) == 0
    services_counter.redemption_cancel(actor=head, redemption=made, reason="คืนของ")
    assert ledger.award_left(who).get(award.pk, 0) == 0
    assert ledger.points_balance(who, TODAY()) == 0
    assert ledger.points_balance(who) == 0
    rows = list(PointEntry.objects.filter(award=award).order_by("pk").values_list("kind", "points"))
    assert rows == [
        ("award", 200),
        ("redeem", -50),
        ("reverse", -150),
        ("reverse", 50),
        ("reverse", -50),
    ]
