"""The store API under /api/v1/foodbank/stores/{district}/: the catalogue, stock rows with
near-expiry and expired counts, lots in FEFO order, receipts, write-offs, counts and transfers;
refusals answer 422 naming the field and save nothing; another district's objects are 404 in
the path and 422 in the body; reads keep a constant number of queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.conftest import make_user, verified_client

from .. import ledger
from ..models import Item, Lot, StockMovement
from .factories import make_donor, make_item, make_lot, make_store

pytestmark = pytest.mark.django_db

BASE = "/api/v1/foodbank/stores/"


@pytest.fixture
def store(communities):
    return make_store("1001")


@pytest.fixture
def officer(clients):
    return clients["district_officer"]


@pytest.fixture
def today():
    return timezone.localdate()


def send(client, method, path, body=None):
    return client.generic(
        method, BASE + path, json.dumps(body or {}), content_type="application/json"
    )


def post(client, path, body=None):
    return send(client, "POST", path, body)


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# --- the catalogue -----------------------------------------------------------------------------


def test_create_list_and_patch_items(officer, store):
    made = post(
        officer,
        "1001/items",
        {"name": "ข้าวสาร", "unit": "ถุง", "category": "rice", "points": 12},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["points"], body["active"]) == ("ข้าวสาร", 12, True)
    listed = officer.get(BASE + "1001/items?category=rice").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    patched = send(officer, "PATCH", f"1001/items/{body['id']}", {"points": "15", "active": False})
    assert patched.status_code == 200
    assert (patched.json()["points"], patched.json()["active"]) == (15, False)


@pytest.mark.parametrize("points", [0, -1, 1.5, True, "abc", None])
def test_create_item_refuses_bad_points_with_422(officer, store, points):
    response = post(
        officer, "1001/items", {"name": "ไข่", "unit": "แผง", "category": "fresh", "points": points}
    )
    assert response.status_code == 422
    assert fields(response) == {"points"}
    assert not Item.objects.exists()


def test_create_item_refuses_a_twin(officer, store):
    make_item(store, name="นม", unit="กล่อง")
    response = post(
        officer, "1001/items", {"name": "นม", "unit": "กล่อง", "category": "drinks", "points": 3}
    )
    assert response.status_code == 422 and fields(response) == {"name"}


def test_patch_an_item_of_another_district_is_404(officer, store):
    theirs = make_item(make_store("1004"))
    assert send(officer, "PATCH", f"1001/items/{theirs.pk}", {"points": 3}).status_code == 404
    assert send(officer, "PATCH", f"1004/items/{theirs.pk}", {"points": 3}).status_code == 404


def test_reading_needs_view_and_writing_needs_record(clients, store):
    assert clients["zone_officer"].get(BASE + "1001/stock").status_code == 200
    assert post(clients["zone_officer"], "1001/items", {}).status_code == 403
    assert clients["committee_member"].get(BASE + "1001/stock").status_code == 403
    assert clients["district_officer"].get(BASE + "1004/stock").status_code == 404
    clerk = verified_client(make_user("clerk", "foodbank_clerk", "1001"))
    assert clerk.get(BASE + "1001/lots").status_code == 200
    assert post(clerk, "1001/receipts", {}).status_code == 403


# --- stock and lots ----------------------------------------------------------------------------


def test_stock_rows_count_near_expiry_and_expired(officer, store, today):
    item = make_item(store)
    make_lot(item, 2, expires_on=today - timedelta(days=1))
    make_lot(item, 3, expires_on=today + timedelta(days=2))
    make_lot(item, 5)
    body = officer.get(BASE + "1001/stock").json()
    [row] = body["items"]
    assert (row["on_hand"], row["near_expiry"], row["expired"], row["usable"]) == (10, 3, 2, 8)
    assert row["next_expiry"] == (today + timedelta(days=2)).isoformat()
    assert body["near_expiry_days"] == store.near_expiry_days


def test_lots_come_first_expiring_first_and_filter_by_item(officer, store, today):
    item = make_item(store)
    other = make_item(store)
    late = make_lot(item, 1, expires_on=today + timedelta(days=9))
    early = make_lot(item, 1, expires_on=today + timedelta(days=1))
    make_lot(other, 1)
    lots = officer.get(BASE + f"1001/lots?item={item.pk}").json()
    assert [lot["id"] for lot in lots] == [early.pk, late.pk]
    assert lots[0]["near_expiry"] is True
    theirs = make_item(make_store("1004"))
    assert officer.get(BASE + f"1001/lots?item={theirs.pk}").status_code == 422


def test_stock_and_lots_read_a_constant_number_of_queries(officer, store, today):
    def grow(n):
        for i in range(n):
            make_lot(make_item(store), 2, expires_on=today + timedelta(days=i))

    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(BASE + path).status_code == 200
        return len(ctx)

    grow(2)
    small = [queries("1001/stock"), queries("1001/lots"), queries("1001/items")]
    grow(10)
    assert [queries("1001/stock"), queries("1001/lots"), queries("1001/items")] == small


# --- receipts ----------------------------------------------------------------------------------


def test_receipt_answers_201_with_the_lot(officer, store, today):
    item = make_item(store)
    donor = make_donor("1001")
    response = post(
        officer,
        "1001/receipts",
        {
            "item_id": item.pk,
            "quantity": "12",
            "received_on": today.isoformat(),
            "expires_on": (today + timedelta(days=60)).isoformat(),
            "donor_id": donor.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["quantity"], body["kind"], body["donor_id"]) == (12, "donation_in", donor.pk)
    assert ledger.lot_left(store) == {body["lot_id"]: 12}


def test_receipt_refuses_an_expired_lot_and_bad_values(officer, store, today):
    item = make_item(store)
    response = post(
        officer,
        "1001/receipts",
        {
            "item_id": item.pk,
            "quantity": 2.5,
            "received_on": (today + timedelta(days=1)).isoformat(),
            "expires_on": (today - timedelta(days=1)).isoformat(),
            "kind": "gift",
        },
    )
    assert response.status_code == 422
    assert fields(response) == {"quantity", "received_on", "expires_on", "kind"}
    assert not Lot.objects.exists()


def test_receipt_of_another_districts_item_or_donor_is_422(officer, store, communities):
    other = make_store("1004")
    response = post(
        officer,
        "1001/receipts",
        {"item_id": make_item(other).pk, "quantity": 1, "donor_id": make_donor("1004").pk},
    )
    assert response.status_code == 422
    assert fields(response) == {"item_id", "donor_id"}
    assert not Lot.objects.exists()


def test_receipt_with_a_boolean_quantity_is_refused(officer, store):
    response = post(officer, "1001/receipts", {"item_id": make_item(store).pk, "quantity": True})
    assert response.status_code == 422 and fields(response) == {"quantity"}


# --- write-off, count, transfer ----------------------------------------------------------------


def test_write_off_answers_201_and_refuses_more_than_left(officer, store):
    lot = make_lot(make_item(store), 5)
    too_much = post(officer, f"1001/lots/{lot.pk}/write-off", {"quantity": 6, "reason": "เสีย"})
    assert too_much.status_code == 422 and fields(too_much) == {"quantity"}
    done = post(officer, f"1001/lots/{lot.pk}/write-off", {"quantity": 2, "reason": "เสีย"})
    assert done.status_code == 201
    assert (done.json()["kind"], done.json()["quantity"]) == ("write_off", -2)
    assert ledger.lot_left(store) == {lot.pk: 3}


def test_write_off_needs_a_reason(officer, store):
    lot = make_lot(make_item(store), 5)
    response = post(officer, f"1001/lots/{lot.pk}/write-off", {"quantity": 1})
    assert response.status_code == 422 and fields(response) == {"reason"}


def test_a_lot_of_another_district_is_404(officer, store):
    theirs = make_lot(make_item(make_store("1004")), 5)
    for action in ("write-off", "count", "transfer"):
        assert post(officer, f"1001/lots/{theirs.pk}/{action}", {}).status_code == 404
    assert ledger.lot_left(theirs.store) == {theirs.pk: 5}


def test_count_answers_201_with_the_adjustment_or_200_when_it_agrees(officer, store):
    lot = make_lot(make_item(store), 5)
    same = post(officer, f"1001/lots/{lot.pk}/count", {"counted": 5})
    assert same.status_code == 200 and same.json()["movement"] is None
    less = post(officer, f"1001/lots/{lot.pk}/count", {"counted": "0", "reason": "หาย"})
    assert less.status_code == 201
    assert less.json()["movement"]["quantity"] == -5 and less.json()["counted"] == 0


def test_count_refuses_a_negative_count(officer, store):
    lot = make_lot(make_item(store), 5)
    response = post(officer, f"1001/lots/{lot.pk}/count", {"counted": -1, "reason": "x"})
    assert response.status_code == 422 and fields(response) == {"counted"}


def test_transfer_answers_201_with_both_movements(officer, store, today, communities):
    lot = make_lot(make_item(store), 8, expires_on=today + timedelta(days=10))
    response = post(officer, f"1001/lots/{lot.pk}/transfer", {"to_district": "1004", "quantity": 3})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["out"]["quantity"] == -3 and body["into"]["quantity"] == 3
    assert body["out"]["transfer_id"] == body["into"]["transfer_id"] == body["transfer_id"]
    assert body["into"]["district"] == "1004"
    new_lot = Lot.objects.get(pk=body["to_lot_id"])
    assert new_lot.from_lot_id == lot.pk and new_lot.expires_on == lot.expires_on
    assert StockMovement.objects.filter(transfer_id=body["transfer_id"]).count() == 2


def test_transfer_refuses_an_expired_lot_and_unknown_districts(officer, store, today):
    expired = make_lot(make_item(store), 8, expires_on=today - timedelta(days=1))
    response = post(
        officer, f"1001/lots/{expired.pk}/transfer", {"to_district": "1004", "quantity": 1}
    )
    assert response.status_code == 422 and fields(response) == {"lot"}
    fine = make_lot(make_item(store), 8)
    unknown = post(officer, f"1001/lots/{fine.pk}/transfer", {"to_district": "9999", "quantity": 1})
    assert unknown.status_code == 422 and fields(unknown) == {"to_district"}
    itself = post(officer, f"1001/lots/{fine.pk}/transfer", {"to_district": "1001", "quantity": 1})
    assert itself.status_code == 422 and fields(itself) == {"to_district"}
    assert not Lot.objects.filter(from_lot__isnull=False).exists()
