"""The store's pages: who sees and does what (200/403/404), expired and near-expiry lots that
are hard to miss, Excel exports, forms that show each error on its field and save nothing, the
officer receiving, writing off, counting and transferring, and pages whose query counts stay
constant as items, lots and movements grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.conftest import make_user, verified_client
from chumchon.core.dates import format_date
from chumchon.core.excel import read_xlsx_rows

from .. import ledger
from ..models import Item, Lot, StockMovement
from .factories import make_donor, make_item, make_lot, make_store

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def store(communities):
    return make_store("1001")


@pytest.fixture
def today():
    return timezone.localdate()


def url(name, *args):
    return reverse(name, args=args)


def text(response) -> str:
    return response.content.decode()


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
        assert response.status_code == 200
    return len(ctx)


def thai_date(day) -> str:
    return format_date(day, "numeric")


# --- who sees what -----------------------------------------------------------------------------


def test_staff_read_the_stock_and_only_the_district_records(clients, store):
    for actor in (
        "district_officer",
        "district_head",
        "zone_officer",
        "central_officer",
        "auditor",
    ):
        assert clients[actor].get(url("foodbank-stock", "1001")).status_code == 200, actor
    officer = text(clients["district_officer"].get(url("foodbank-stock", "1001")))
    zone = text(clients["zone_officer"].get(url("foodbank-stock", "1001")))
    receive = url("foodbank-receive", "1001")
    assert receive in officer and receive not in zone


def test_committee_member_gets_403_and_other_district_is_404(clients, store):
    assert clients["committee_member"].get(url("foodbank-stock", "1001")).status_code == 403
    assert clients["district_officer"].get(url("foodbank-stock", "1004")).status_code == 404
    assert clients["zone_officer"].get(url("foodbank-receive", "1001")).status_code == 403


def test_the_clerk_reads_the_stock_but_records_nothing(store):
    clerk = verified_client(make_user("clerk", "foodbank_clerk", "1001"))
    assert clerk.get(url("foodbank-stock", "1001")).status_code == 200
    assert clerk.get(url("foodbank-receive", "1001")).status_code == 403


def test_an_item_or_lot_of_another_district_is_404_under_the_own_district(clients, store):
    other_item = make_item(make_store("1004"))
    other_lot = make_lot(other_item, 5)
    officer = clients["district_officer"]
    assert officer.get(url("foodbank-item", "1001", other_item.pk)).status_code == 404
    assert officer.get(url("foodbank-lot", "1001", other_lot.pk)).status_code == 404
    response = officer.post(
        url("foodbank-lot-writeoff", "1001", other_lot.pk),
        {"quantity": "1", "on": thai_date(timezone.localdate()), "reason": "x"},
    )
    assert response.status_code == 404
    assert ledger.lot_left(other_lot.store) == {other_lot.pk: 5}


# --- the stock page ----------------------------------------------------------------------------


def test_stock_page_flags_expired_and_near_expiry_lots(clients, store, today):
    rice = make_item(store, name="ข้าวหอมมะลิ")
    milk = make_item(store, name="นมกล่อง")
    calm = make_item(store, name="สบู่ก้อน")
    old = make_lot(rice, 4, expires_on=today - timedelta(days=1))
    soon = make_lot(milk, 6, expires_on=today + timedelta(days=3))
    make_lot(calm, 9)
    page = text(clients["district_officer"].get(url("foodbank-stock", "1001")))
    assert 'data-testid="expired-alert"' in page and 'data-testid="near-alert"' in page
    assert url("foodbank-lot-writeoff", "1001", old.pk) in page
    assert url("foodbank-lot", "1001", soon.pk) in page
    assert "table-danger" in page and "table-warning" in page
    assert "หมดอายุ" in page  # Thai first


def test_stock_page_without_warnings_shows_no_alert(clients, store, today):
    make_lot(make_item(store), 3, expires_on=today + timedelta(days=60))
    page = text(clients["district_officer"].get(url("foodbank-stock", "1001")))
    assert "expired-alert" not in page and "near-alert" not in page


def test_stock_page_filters_by_category(clients, store):
    make_item(store, name="ข้าวกล้อง", category="rice")
    make_item(store, name="น้ำดื่ม", category="drinks")
    page = text(clients["district_officer"].get(url("foodbank-stock", "1001") + "?category=rice"))
    assert "ข้าวกล้อง" in page and "น้ำดื่ม" not in page


def test_stock_export_is_an_excel_file_with_the_rows(clients, store, today):
    item = make_item(store, name="ปลากระป๋อง")
    make_lot(item, 5, expires_on=today - timedelta(days=1))
    make_lot(item, 7, expires_on=today + timedelta(days=2))
    response = clients["district_officer"].get(url("foodbank-stock", "1001") + "?format=xlsx")
    assert response["Content-Type"] == XLSX
    rows = read_xlsx_rows(response.content)
    assert rows[1][1] == "ปลากระป๋อง"
    assert rows[1][4:7] == [12, 7, 5]


def test_stock_page_reads_a_constant_number_of_queries(clients, store, today):
    def grow(n):
        for i in range(n):
            item = make_item(store)
            make_lot(item, 3, expires_on=today + timedelta(days=i - 1))
            make_lot(item, 2)

    client = clients["district_officer"]
    grow(2)
    small = count_queries(client, url("foodbank-stock", "1001"))
    grow(12)
    assert count_queries(client, url("foodbank-stock", "1001")) == small


# --- movements ---------------------------------------------------------------------------------


def test_movements_page_filters_and_exports(clients, store, today):
    item = make_item(store, name="บะหมี่")
    lot = make_lot(item, 10)
    client = clients["district_officer"]
    client.post(
        url("foodbank-lot-writeoff", "1001", lot.pk),
        {"quantity": "2", "on": thai_date(today), "reason": "ซองแตก"},
    )
    page = text(client.get(url("foodbank-movements", "1001") + "?kind=write_off"))
    assert "ซองแตก" in page
    response = client.get(url("foodbank-movements", "1001") + "?format=xlsx&kind=write_off")
    assert response["Content-Type"] == XLSX
    rows = read_xlsx_rows(response.content)
    assert len(rows) == 2 and rows[1][5] == -2


def test_movements_and_items_pages_read_a_constant_number_of_queries(clients, store, today):
    def grow(n):
        for _i in range(n):
            make_lot(make_item(store), 3)

    client = clients["district_officer"]
    grow(2)
    small = [
        count_queries(client, url(n, "1001")) for n in ("foodbank-movements", "foodbank-items")
    ]
    grow(12)
    big = [count_queries(client, url(n, "1001")) for n in ("foodbank-movements", "foodbank-items")]
    assert big == small


# --- the catalogue -----------------------------------------------------------------------------


def test_officer_adds_an_item_and_a_twin_is_refused_on_its_field(clients, store):
    client = clients["district_officer"]
    data = {"name": "น้ำมันพืช", "unit": "ขวด", "category": "dry", "points": "25"}
    response = client.post(url("foodbank-item-new", "1001"), data)
    item = Item.objects.get(store=store, name="น้ำมันพืช")
    assert response.status_code == 302 and item.points == 25
    again = client.post(url("foodbank-item-new", "1001"), data)
    assert again.status_code == 200
    assert 'id="id_name_error"' in text(again)
    assert Item.objects.filter(store=store).count() == 1


def test_item_form_shows_bad_points_on_the_field(clients, store):
    response = clients["district_officer"].post(
        url("foodbank-item-new", "1001"),
        {"name": "ไข่", "unit": "แผง", "category": "fresh", "points": "1.5"},
    )
    assert response.status_code == 200
    assert 'id="id_points_error"' in text(response)
    assert not Item.objects.exists()


def test_item_edit_changes_points_and_deactivates(clients, store):
    item = make_item(store, name="ซีอิ๊ว", points=5)
    response = clients["district_officer"].post(
        url("foodbank-item-edit", "1001", item.pk),
        {"name": "ซีอิ๊ว", "unit": item.unit, "category": item.category, "points": "8"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.points, item.active) == (8, False)


def test_item_page_lists_lots_first_expiring_first(clients, store, today):
    item = make_item(store)
    late = make_lot(item, 1, expires_on=today + timedelta(days=50))
    early = make_lot(item, 1, expires_on=today + timedelta(days=5))
    never = make_lot(item, 1)
    page = text(clients["zone_officer"].get(url("foodbank-item", "1001", item.pk)))
    positions = [page.index(url("foodbank-lot", "1001", lot.pk)) for lot in (early, late, never)]
    assert positions == sorted(positions)


# --- receiving ---------------------------------------------------------------------------------


def test_officer_receives_a_lot_with_a_donor(clients, store, today):
    item = make_item(store, name="ข้าวสาร")
    donor = make_donor("1001", name="ร้านค้าใจดี")
    client = clients["district_officer"]
    form = text(client.get(url("foodbank-receive", "1001") + f"?item={item.pk}"))
    assert "ร้านค้าใจดี" in form
    response = client.post(
        url("foodbank-receive", "1001"),
        {
            "kind": "donation_in",
            "item": item.pk,
            "quantity": "30",
            "received_on": thai_date(today),
            "expires_on": thai_date(today + timedelta(days=90)),
            "donor": donor.pk,
        },
    )
    lot = Lot.objects.get(item=item)
    assert response.status_code == 302 and response["Location"].endswith(
        url("foodbank-lot", "1001", lot.pk)
    )
    assert ledger.lot_left(store) == {lot.pk: 30} and lot.donor == donor


def test_receive_offers_district_and_city_donors_only(clients, store, communities):
    make_donor("1001", name="ร้านในเขต")
    make_donor("BKK", name="ห้างทั่วเมือง")
    make_donor("1004", name="ร้านเขตอื่น")
    form = text(clients["district_officer"].get(url("foodbank-receive", "1001")))
    assert "ร้านในเขต" in form and "ห้างทั่วเมือง" in form and "ร้านเขตอื่น" not in form


def test_receiving_an_expired_lot_shows_the_error_and_saves_nothing(clients, store, today):
    item = make_item(store)
    response = clients["district_officer"].post(
        url("foodbank-receive", "1001"),
        {
            "kind": "donation_in",
            "item": item.pk,
            "quantity": "0",
            "received_on": thai_date(today),
            "expires_on": thai_date(today - timedelta(days=2)),
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert 'id="id_expires_on_error"' in page and 'id="id_quantity_error"' in page
    assert 'data-testid="form-summary"' in page
    assert not Lot.objects.exists()


# --- a lot and its forms -----------------------------------------------------------------------


def test_lot_page_shows_its_movements_and_the_buttons_to_the_officer(clients, store, today):
    lot = make_lot(make_item(store), 10)
    officer = text(clients["district_officer"].get(url("foodbank-lot", "1001", lot.pk)))
    assert url("foodbank-lot-writeoff", "1001", lot.pk) in officer
    assert url("foodbank-lot-transfer", "1001", lot.pk) in officer
    auditor = text(clients["auditor"].get(url("foodbank-lot", "1001", lot.pk)))
    assert url("foodbank-lot-writeoff", "1001", lot.pk) not in auditor


def test_an_expired_lot_offers_no_transfer(clients, store, today):
    lot = make_lot(make_item(store), 10, expires_on=today - timedelta(days=1))
    page = text(clients["district_officer"].get(url("foodbank-lot", "1001", lot.pk)))
    assert url("foodbank-lot-transfer", "1001", lot.pk) not in page
    assert "alert-danger" in page


def test_write_off_above_what_is_left_shows_the_error(clients, store, today):
    lot = make_lot(make_item(store), 3)
    response = clients["district_officer"].post(
        url("foodbank-lot-writeoff", "1001", lot.pk),
        {"quantity": "4", "on": thai_date(today), "reason": "เสีย"},
    )
    assert response.status_code == 200 and 'id="id_quantity_error"' in text(response)
    assert ledger.lot_left(store) == {lot.pk: 3}


def test_count_form_records_an_adjustment(clients, store, today):
    lot = make_lot(make_item(store), 10)
    client = clients["district_head"]
    missing_reason = client.post(
        url("foodbank-lot-count", "1001", lot.pk), {"counted": "8", "on": thai_date(today)}
    )
    assert 'id="id_reason_error"' in text(missing_reason)
    response = client.post(
        url("foodbank-lot-count", "1001", lot.pk),
        {"counted": "8", "on": thai_date(today), "reason": "นับจริง"},
    )
    assert response.status_code == 302
    assert StockMovement.objects.get(lot=lot, kind="adjustment").quantity == -2


def test_transfer_form_sends_units_to_another_district(clients, store, today, communities):
    lot = make_lot(make_item(store, name="นมผง"), 10, expires_on=today + timedelta(days=30))
    response = clients["district_officer"].post(
        url("foodbank-lot-transfer", "1001", lot.pk),
        {"to_district": "1004", "quantity": "4", "on": thai_date(today)},
    )
    assert response.status_code == 302
    new_lot = Lot.objects.get(from_lot=lot)
    assert new_lot.store.area.code == "1004" and ledger.lot_left(new_lot.store) == {new_lot.pk: 4}
    page = text(clients["central_officer"].get(url("foodbank-lot", "1004", new_lot.pk)))
    assert url("foodbank-lot", "1001", lot.pk) in page


def test_transfer_form_does_not_offer_the_own_district(clients, store):
    lot = make_lot(make_item(store), 10)
    page = text(clients["district_officer"].get(url("foodbank-lot-transfer", "1001", lot.pk)))
    assert 'value="1004"' in page and 'value="1001"' not in page


# --- settings ----------------------------------------------------------------------------------


def test_store_settings_are_saved_and_errors_shown(clients, store):
    client = clients["district_officer"]
    bad = client.post(
        url("foodbank-store-edit", "1001"),
        {"name": "คลัง", "near_expiry_days": "-1", "award_valid_days": "90"},
    )
    assert 'id="id_near_expiry_days_error"' in text(bad)
    good = client.post(
        url("foodbank-store-edit", "1001"),
        {"name": "คลังอาหารเขตพระนคร", "near_expiry_days": "10", "award_valid_days": "60"},
    )
    assert good.status_code == 302
    store.refresh_from_db()
    assert (store.name, store.near_expiry_days, store.award_valid_days) == (
        "คลังอาหารเขตพระนคร",
        10,
        60,
    )
