"""Access-matrix rules: the district store (stock, movements, catalogue, receiving, lots, the
store's settings) pages and API. Objects from access_objects.py: the store of 1001 ("own") and
1004 ("other") with an item and a lot of 1,000 units.

Reads need ``foodbank.view`` in the district (the community committee member, whose community
lies in the own district, gets 403 there and 404 for the other district), every form and write
``foodbank.record`` (district officer and head). Empty POSTs re-render the form with its errors
(200) or answer 422 (API). One API path with GET and POST gives two route names: both carry both
methods.
"""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, scoped

from .access_objects import _code, district_kwargs, item, item_kwargs, lot, lot_kwargs

VIEW, RECORD = scoped("foodbank.view"), scoped("foodbank.record")
INVALID_OK = {"invalid_ok": True}
READ_WRITE = {"GET": RECORD, "POST": RECORD}


def api_district(objects, actor, which):
    return district_kwargs(objects, actor, which)


def api_item(objects, actor, which):
    return {"district": _code(which), "item_id": item(objects, which).pk}


def api_lot(objects, actor, which):
    return {"district": _code(which), "lot_id": lot(objects, which).pk}


def _page_form(kwargs) -> Rule:
    return Rule(READ_WRITE, kwargs, extra=INVALID_OK)


def _api_write(kwargs) -> Rule:
    return Rule({"POST": RECORD}, kwargs, api=True, extra=INVALID_OK)


ITEMS = {"GET": VIEW, "POST": RECORD}

ACCESS = {
    "foodbank-stock": Rule({"GET": VIEW}, district_kwargs),
    "foodbank-movements": Rule({"GET": VIEW}, district_kwargs),
    "foodbank-items": Rule({"GET": VIEW}, district_kwargs),
    "foodbank-item-new": _page_form(district_kwargs),
    "foodbank-item": Rule({"GET": VIEW}, item_kwargs),
    "foodbank-item-edit": _page_form(item_kwargs),
    "foodbank-receive": _page_form(district_kwargs),
    "foodbank-lot": Rule({"GET": VIEW}, lot_kwargs),
    "foodbank-lot-writeoff": _page_form(lot_kwargs),
    "foodbank-lot-count": _page_form(lot_kwargs),
    "foodbank-lot-transfer": _page_form(lot_kwargs),
    "foodbank-store-edit": _page_form(district_kwargs),
    "api:list_store_items": Rule(ITEMS, api_district, api=True, extra=INVALID_OK),
    "api:create_store_item": Rule(ITEMS, api_district, api=True, extra=INVALID_OK),
    "api:update_store_item": Rule({"PATCH": RECORD}, api_item, api=True, extra=INVALID_OK),
    "api:store_stock": Rule({"GET": VIEW}, api_district, api=True),
    "api:store_lots": Rule({"GET": VIEW}, api_district, api=True),
    "api:receive_stock": _api_write(api_district),
    "api:write_off_lot": _api_write(api_lot),
    "api:count_lot": _api_write(api_lot),
    "api:transfer_lot": _api_write(api_lot),
}
