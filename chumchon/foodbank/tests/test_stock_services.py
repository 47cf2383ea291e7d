"""The store's services and selectors: the catalogue, receiving, write-offs, counts, transfers,
FEFO suggestions and the near-expiry / expired words across day boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area

from .. import ledger
from .. import selectors_stock as selectors
from .. import services_stock as services
from ..models import Item, Lot, StockMovement
from .factories import make_donor, make_item, make_lot, make_store, robot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here; test_receive_names_the_expiry_in_thai in Thai."""
    with translation.override("en"):
        yield


@pytest.fixture
def store(communities):
    return make_store("1001")


@pytest.fixture
def today():
    return timezone.localdate()


def errors(caught) -> dict[str, list[str]]:
    return caught.value.message_dict


def total_units(store) -> int:
    return StockMovement.objects.filter(store=store).aggregate(s=Sum("quantity"))["s"] or 0


# --- the store and the catalogue ---------------------------------------------------------------


def test_store_update_parses_raw_day_counts_and_audits(store):
    services.store_update(
        actor=robot(),
        store=store,
        name="คลังอาหารพระนคร",
        near_expiry_days="0",
        award_valid_days="60",
    )
    store.refresh_from_db()
    assert (store.name, store.near_expiry_days, store.award_valid_days) == ("คลังอาหารพระนคร", 0, 60)
    assert AuditEvent.objects.filter(action="foodbank.store_update").count() == 1


def test_store_update_refuses_bad_values_and_saves_nothing(store):
    with pytest.raises(ValidationError) as caught:
        services.store_update(
            actor=robot(), store=store, name=" ", near_expiry_days="-1", award_valid_days="0"
        )
    assert set(errors(caught)) == {"name", "near_expiry_days", "award_valid_days"}
    store.refresh_from_db()
    assert store.near_expiry_days == 7


def test_item_create_parses_points_and_refuses_a_twin_name_and_unit(store):
    item = services.item_create(
        actor=robot(), store=store, name="ข้าวสาร", unit="ถุง", category="rice", points="12"
    )
    assert item.points == 12
    with pytest.raises(ValidationError) as caught:
        services.item_create(
            actor=robot(), store=store, name="ข้าวสาร", unit="ถุง", category="rice", points=5
        )
    assert "already has" in errors(caught)["name"][0]
    # the same name in another unit is another item
    services.item_create(
        actor=robot(), store=store, name="ข้าวสาร", unit="กระสอบ", category="rice", points=50
    )
    assert Item.objects.filter(store=store).count() == 2


@pytest.mark.parametrize("points", ["0", "-3", "1.5", "abc", True, "", "100001"])
def test_item_create_refuses_bad_points(store, points):
    with pytest.raises(ValidationError) as caught:
        services.item_create(
            actor=robot(), store=store, name="น้ำปลา", unit="ขวด", category="dry", points=points
        )
    assert list(errors(caught)) == ["points"]
    assert not Item.objects.filter(store=store).exists()


def test_item_create_names_every_problem_at_once(store):
    with pytest.raises(ValidationError) as caught:
        services.item_create(actor=robot(), store=store, name="", unit="", category="x", points=0)
    assert set(errors(caught)) == {"name", "unit", "category", "points"}


def test_item_update_changes_points_and_may_deactivate_with_stock(store):
    item = make_item(store, points=10)
    make_lot(item, 5)
    services.item_update(actor=robot(), item=item, points="15", active=False)
    item.refresh_from_db()
    assert (item.points, item.active) == (15, False)
    assert ledger.item_stock(store) == {item.pk: 5}


def test_item_update_refuses_a_twin_of_another_item(store):
    make_item(store, name="นม", unit="กล่อง")
    other = make_item(store, name="นมถั่วเหลือง", unit="กล่อง")
    with pytest.raises(ValidationError) as caught:
        services.item_update(actor=robot(), item=other, name="นม")
    assert "name" in errors(caught)


# --- receiving ---------------------------------------------------------------------------------


def test_receive_makes_a_lot_with_a_donation_movement(store, today):
    item = make_item(store)
    donor = make_donor("1001")
    lot = services.receive(
        actor=robot(),
        store=store,
        item=item,
        quantity="24",
        received_on=today,
        expires_on=today + timedelta(days=30),
        donor=donor,
    )
    assert ledger.lot_left(store) == {lot.pk: 24}
    movement = StockMovement.objects.get(lot=lot)
    assert (movement.kind, movement.quantity, movement.moved_on) == ("donation_in", 24, today)
    assert AuditEvent.objects.filter(action="foodbank.stock_receive").exists()


def test_receive_accepts_a_city_wide_donor_and_a_purchase(store, today):
    item = make_item(store)
    city_donor = make_donor("BKK")
    lot = services.receive(
        actor=robot(),
        store=store,
        item=item,
        quantity=3,
        received_on=today,
        donor=city_donor,
        kind="purchase_in",
    )
    assert lot.donor == city_donor
    assert StockMovement.objects.get(lot=lot).kind == "purchase_in"


@pytest.mark.parametrize("quantity", ["0", "-2", "2.5", "abc", True, None, "100001"])
def test_receive_refuses_a_quantity_that_is_not_a_whole_number_above_zero(store, today, quantity):
    with pytest.raises(ValidationError) as caught:
        services.receive(
            actor=robot(), store=store, item=make_item(store), quantity=quantity, received_on=today
        )
    assert list(errors(caught)) == ["quantity"]
    assert not Lot.objects.exists()


def test_receive_refuses_an_expired_lot_naming_its_date(store, today):
    yesterday = today - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.receive(
            actor=robot(),
            store=store,
            item=make_item(store),
            quantity=5,
            received_on=today,
            expires_on=yesterday,
        )
    assert "expired" in errors(caught)["expires_on"][0]
    assert not Lot.objects.exists()


def test_receive_names_the_expiry_in_thai(store, today):
    with translation.override("th"), pytest.raises(ValidationError) as caught:
        services.receive(
            actor=robot(),
            store=store,
            item=make_item(store),
            quantity=5,
            received_on=today,
            expires_on=today - timedelta(days=1),
        )
    message = errors(caught)["expires_on"][0]
    assert "หมดอายุแล้ว" in message and str((today - timedelta(days=1)).year + 543) in message


def test_receive_accepts_a_lot_expiring_today(store, today):
    lot = services.receive(
        actor=robot(),
        store=store,
        item=make_item(store),
        quantity=5,
        received_on=today,
        expires_on=today,
    )
    assert lot.expires_on == today


def test_receive_refuses_a_future_date_and_every_other_problem_at_once(store, today, communities):
    other_item = make_item(make_store("1004"))
    far_donor = make_donor("1004")
    with pytest.raises(ValidationError) as caught:
        services.receive(
            actor=robot(),
            store=store,
            item=other_item,
            quantity=0,
            received_on=today + timedelta(days=1),
            donor=far_donor,
            kind="gift",
        )
    assert set(errors(caught)) == {"item", "quantity", "received_on", "donor", "kind"}
    assert not Lot.objects.exists()


def test_receive_refuses_an_inactive_item_and_an_expiry_before_receipt(store, today):
    item = make_item(store, active=False)
    with pytest.raises(ValidationError) as caught:
        services.receive(
            actor=robot(),
            store=store,
            item=item,
            quantity=1,
            received_on=today - timedelta(days=10),
            expires_on=today,
        )
    assert set(errors(caught)) == {"item"}
    item2 = make_item(store)
    # an expiry before the date received (both in the future relative to each other)
    with pytest.raises(ValidationError) as caught:
        services.receive(
            actor=robot(),
            store=store,
            item=item2,
            quantity=1,
            received_on=today + timedelta(days=5),
            expires_on=today + timedelta(days=2),
        )
    assert set(errors(caught)) == {"received_on", "expires_on"}


# --- write-off and count -----------------------------------------------------------------------


def test_write_off_takes_units_out_with_the_reason(store, today):
    lot = make_lot(make_item(store), 10)
    movement = services.write_off(
        actor=robot(), store=store, lot=lot, quantity="4", on=today, reason="ถุงขาด"
    )
    assert (movement.kind, movement.quantity, movement.reason) == ("write_off", -4, "ถุงขาด")
    assert ledger.lot_left(store) == {lot.pk: 6}


def test_write_off_above_what_is_left_is_refused_and_nothing_moves(store, today):
    lot = make_lot(make_item(store), 3)
    with pytest.raises(ValidationError) as caught:
        services.write_off(actor=robot(), store=store, lot=lot, quantity=4, on=today, reason="x")
    assert "Only 3" in errors(caught)["quantity"][0]
    assert ledger.lot_left(store) == {lot.pk: 3}


def test_write_off_needs_a_reason_a_past_date_and_this_stores_lot(store, today, communities):
    lot = make_lot(make_item(store), 3)
    with pytest.raises(ValidationError) as caught:
        services.write_off(
            actor=robot(), store=store, lot=lot, quantity=1, on=today + timedelta(days=1), reason=""
        )
    assert set(errors(caught)) == {"on", "reason"}
    other_lot = make_lot(make_item(make_store("1004")), 3)
    with pytest.raises(ValidationError) as caught:
        services.write_off(
            actor=robot(), store=store, lot=other_lot, quantity=1, on=today, reason="x"
        )
    assert "lot" in errors(caught)
    assert ledger.lot_left(other_lot.store) == {other_lot.pk: 3}


def test_write_off_before_the_lot_was_received_is_refused(store, today):
    lot = make_lot(make_item(store), 3, received_on=today)
    with pytest.raises(ValidationError) as caught:
        services.write_off(
            actor=robot(),
            store=store,
            lot=lot,
            quantity=1,
            on=today - timedelta(days=1),
            reason="x",
        )
    assert "on" in errors(caught)


def test_an_expired_lot_can_be_written_off(store, today):
    lot = make_lot(make_item(store), 3, expires_on=today - timedelta(days=2))
    services.write_off(actor=robot(), store=store, lot=lot, quantity=3, on=today, reason="หมดอายุ")
    assert ledger.lot_left(store) == {}


def test_count_records_the_difference_with_a_reason(store, today):
    lot = make_lot(make_item(store), 10)
    movement = services.count(
        actor=robot(), store=store, lot=lot, counted="7", on=today, reason="นับได้ 7"
    )
    assert (movement.kind, movement.quantity) == ("adjustment", -3)
    assert services.count(actor=robot(), store=store, lot=lot, counted=7, on=today) is None
    up = services.count(actor=robot(), store=store, lot=lot, counted=9, on=today, reason="พบเพิ่ม")
    assert up.quantity == 2
    assert ledger.lot_left(store) == {lot.pk: 9}


def test_count_of_zero_empties_the_lot(store, today):
    lot = make_lot(make_item(store), 4)
    services.count(actor=robot(), store=store, lot=lot, counted="0", on=today, reason="หาย")
    assert ledger.lot_left(store) == {}


def test_count_with_a_difference_needs_a_reason(store, today):
    lot = make_lot(make_item(store), 10)
    with pytest.raises(ValidationError) as caught:
        services.count(actor=robot(), store=store, lot=lot, counted=8, on=today, reason=" ")
    assert "reason" in errors(caught)
    assert ledger.lot_left(store) == {lot.pk: 10}


@pytest.mark.parametrize("counted", ["-1", "1.5", "abc", None, True])
def test_count_refuses_a_count_that_is_not_a_whole_number_of_zero_or_more(store, today, counted):
    lot = make_lot(make_item(store), 10)
    with pytest.raises(ValidationError) as caught:
        services.count(actor=robot(), store=store, lot=lot, counted=counted, on=today, reason="x")
    assert list(errors(caught)) == ["counted"]


def test_a_back_dated_count_that_would_leave_later_days_below_zero_is_refused(store, today):
    lot = make_lot(make_item(store), 10, received_on=today - timedelta(days=5))
    services.write_off(actor=robot(), store=store, lot=lot, quantity=8, on=today, reason="x")
    with pytest.raises(ValidationError) as caught:
        services.count(
            actor=robot(), store=store, lot=lot, counted=5, on=today - timedelta(days=2), reason="x"
        )
    assert "on" in errors(caught)
    assert ledger.lot_left(store) == {lot.pk: 2}


# --- transfers ---------------------------------------------------------------------------------


def test_transfer_moves_exactly_and_both_stores_add_up(store, today, communities):
    expiry = today + timedelta(days=40)
    item = make_item(store, name="ปลากระป๋อง", unit="กระป๋อง", points=7, category="canned")
    lot = make_lot(item, 50, expires_on=expiry)
    other = make_store("1004")
    before = total_units(store) + total_units(other)
    out, into = services.transfer(
        actor=robot(), store=store, to_district=other.area, lot=lot, quantity="20", on=today
    )
    assert (out.quantity, into.quantity) == (-20, 20)
    assert out.transfer_id == into.transfer_id is not None
    assert (out.kind, into.kind) == ("transfer_out", "transfer_in")
    assert ledger.lot_left(store) == {lot.pk: 30}
    new_lot = into.lot
    assert (new_lot.store, new_lot.from_lot, new_lot.expires_on) == (other, lot, expiry)
    assert ledger.lot_left(other) == {new_lot.pk: 20}
    assert total_units(store) + total_units(other) == before
    target = new_lot.item
    assert (target.name, target.unit, target.points, target.category) == (
        "ปลากระป๋อง",
        "กระป๋อง",
        7,
        "canned",
    )
    # a second transfer uses the same catalogue item there
    _out, again = services.transfer(
        actor=robot(), store=store, to_district=other.area, lot=lot, quantity=5, on=today
    )
    assert again.item_id == target.pk
    assert Item.objects.filter(store=other).count() == 1


def test_transfer_uses_the_destinations_own_points(store, today, communities):
    other = make_store("1004")
    theirs = make_item(other, name="ข้าว", unit="ถุง", points=99)
    lot = make_lot(make_item(store, name="ข้าว", unit="ถุง", points=10), 5)
    _out, into = services.transfer(
        actor=robot(), store=store, to_district=other.area, lot=lot, quantity=5, on=today
    )
    assert into.item_id == theirs.pk
    theirs.refresh_from_db()
    assert theirs.points == 99


def test_transfer_of_an_expired_lot_is_refused(store, today, communities):
    lot = make_lot(make_item(store), 5, expires_on=today - timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        services.transfer(
            actor=robot(),
            store=store,
            to_district=Area.objects.get(code="1004"),
            lot=lot,
            quantity=1,
            on=today,
        )
    assert "expired" in errors(caught)["lot"][0]
    assert ledger.lot_left(store) == {lot.pk: 5}
    assert not Lot.objects.filter(from_lot=lot).exists()


def test_transfer_to_the_same_district_or_not_a_district_is_refused(store, today):
    lot = make_lot(make_item(store), 5)
    for target in (store.area, Area.objects.get(code="BKK-01"), None):
        with pytest.raises(ValidationError) as caught:
            services.transfer(
                actor=robot(), store=store, to_district=target, lot=lot, quantity=1, on=today
            )
        assert "to_district" in errors(caught)
    assert ledger.lot_left(store) == {lot.pk: 5}


def test_transfer_above_what_is_left_is_refused_and_nothing_is_made(store, today, communities):
    lot = make_lot(make_item(store), 5)
    with pytest.raises(ValidationError) as caught:
        services.transfer(
            actor=robot(),
            store=store,
            to_district=Area.objects.get(code="1004"),
            lot=lot,
            quantity=6,
            on=today,
        )
    assert "quantity" in errors(caught)
    assert not Item.objects.filter(store__area__code="1004").exists()
    assert not Lot.objects.filter(from_lot=lot).exists()


def test_transfer_into_an_inactive_item_there_is_refused(store, today, communities):
    other = make_store("1004")
    make_item(other, name="ข้าว", unit="ถุง", active=False)
    lot = make_lot(make_item(store, name="ข้าว", unit="ถุง"), 5)
    with pytest.raises(ValidationError) as caught:
        services.transfer(
            actor=robot(), store=store, to_district=other.area, lot=lot, quantity=1, on=today
        )
    assert "to_district" in errors(caught)


# --- selectors ---------------------------------------------------------------------------------


def test_stock_rows_classify_near_expiry_and_expired_across_day_boundaries(store, today):
    store.near_expiry_days = 7
    store.save()
    item = make_item(store)
    expired = make_lot(item, 1, expires_on=today - timedelta(days=1))
    on_the_day = make_lot(item, 2, expires_on=today)
    last_warning_day = make_lot(item, 4, expires_on=today + timedelta(days=7))
    make_lot(item, 8, expires_on=today + timedelta(days=8))
    make_lot(item, 16)  # never expires
    [row] = selectors.stock_rows(store, today)
    assert (row.on_hand, row.expired, row.near_expiry, row.usable) == (31, 1, 6, 30)
    assert row.next_expiry == today
    assert row.warning == "expired"
    # one day later the lot of today has expired and the 8-day lot is near
    [row] = selectors.stock_rows(store, today + timedelta(days=1))
    assert (row.expired, row.near_expiry) == (3, 12)
    assert row.next_expiry == last_warning_day.expires_on
    assert [lot.pk for lot in selectors.expired_on_hand(store, today)] == [expired.pk]
    assert {lot.pk for lot in selectors.near_expiry(store, today)} == {
        on_the_day.pk,
        last_warning_day.pk,
    }


def test_stock_rows_list_items_without_stock_and_inactive_items_with_stock(store, today):
    empty = make_item(store, name="ก")
    gone = make_item(store, name="ข", active=False)
    make_lot(gone, 2)
    make_item(store, name="ค", active=False)  # inactive and empty: left out
    rows = selectors.stock_rows(store, today)
    assert [(r.item, r.on_hand) for r in rows] == [(empty, 0), (gone, 2)]


def test_stock_rows_filter_by_category(store, today):
    rice = make_item(store, category="rice")
    make_item(store, category="drinks")
    assert [r.item for r in selectors.stock_rows(store, today, category="rice")] == [rice]


def test_stock_rows_read_a_constant_number_of_queries(store, today, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            item = make_item(store)
            make_lot(item, 3, expires_on=today + timedelta(days=i))
            make_lot(item, 2)

    grow(2)
    # the movements summed per lot, the lots holding stock, the catalogue
    with django_assert_num_queries(3):
        selectors.stock_rows(store, today)
    grow(10)
    with django_assert_num_queries(3):
        selectors.stock_rows(store, today)
    with django_assert_num_queries(3):
        rows, lots = selectors.stock_overview(store, today)
    assert sum(r.on_hand for r in rows) == sum(lot.left for lot in lots) == 12 * 5
    with django_assert_num_queries(2):
        selectors.lots_of(store, on=today)


def test_lots_of_are_in_fefo_order_with_units_left(store, today):
    item = make_item(store)
    never = make_lot(item, 1)
    late = make_lot(item, 2, expires_on=today + timedelta(days=20))
    early_new = make_lot(item, 3, expires_on=today + timedelta(days=5), received_on=today)
    early_old = make_lot(
        item, 4, expires_on=today + timedelta(days=5), received_on=today - timedelta(days=9)
    )
    empty = make_lot(item, 1, expires_on=today + timedelta(days=1))
    services.write_off(actor=robot(), store=store, lot=empty, quantity=1, on=today, reason="x")
    lots = selectors.lots_of(store, item, on=today)
    assert [lot.pk for lot in lots] == [early_old.pk, early_new.pk, late.pk, never.pk]
    assert [lot.left for lot in lots] == [4, 3, 2, 1]


def test_fefo_suggestion_takes_the_earliest_expiry_first_and_never_an_expired_lot(store, today):
    item = make_item(store)
    make_lot(item, 50, expires_on=today - timedelta(days=1))  # expired: never suggested
    soon = make_lot(item, 3, expires_on=today + timedelta(days=2))
    later = make_lot(item, 5, expires_on=today + timedelta(days=30))
    taken, short = selectors.fefo_suggestion(store, item, 6, today)
    assert [(lot.pk, qty) for lot, qty in taken] == [(soon.pk, 3), (later.pk, 3)]
    assert short == 0
    taken, short = selectors.fefo_suggestion(store, item, 10, today)
    assert short == 2


def test_movements_filter_by_kind_item_and_dates(store, today):
    item = make_item(store)
    other_item = make_item(store)
    lot = make_lot(item, 5, received_on=today - timedelta(days=10))
    make_lot(other_item, 5, received_on=today - timedelta(days=3))
    services.write_off(actor=robot(), store=store, lot=lot, quantity=1, on=today, reason="x")
    assert selectors.movements(store).count() == 3
    assert selectors.movements(store, {"kind": "write_off"}).count() == 1
    assert selectors.movements(store, {"item": other_item}).count() == 1
    assert selectors.movements(store, {"date_from": today - timedelta(days=5)}).count() == 2
    assert selectors.movements(store, {"date_to": today - timedelta(days=5)}).count() == 1
