"""Access-matrix rules for the budget module's programmes URLs.

Programmes are city-wide: the matrix's programme (the same for "own" and "other") budgets both
test communities, so every staff role and the own committee member read it (LOGIN); writes
need `programmes.manage` anywhere (central officer). Transfers reach their district: the
"other" transfer (district 1004) is 404 outside reach; the own committee member reads the
transfer that carried its community's money. Empty POSTs re-render or answer 422.
"""

from __future__ import annotations

from datetime import date

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped
from chumchon.communities.tests import access_objects

from ..models import Allocation, Transfer
from .factories import make_allocation, make_programme

INVALID_OK = {"invalid_ok": True}
MANAGE = anywhere("programmes.manage")


def programme(objects):
    key = ("budget-programme",)
    if key not in objects._cache:
        made = make_programme(name_th="โครงการทดสอบสิทธิ์")
        for which in ("own", "other"):
            make_allocation(made, access_objects.community(objects, which))
        objects._cache[key] = made
    return objects._cache[key]


def transfer(objects, which):
    key = ("budget-transfer", which)
    if key not in objects._cache:
        made = programme(objects)
        community = access_objects.community(objects, which)
        allocation = Allocation.objects.get(programme=made, community=community)
        if allocation.transfer_id is None:
            from chumchon.accounts.models import User

            user = User.objects.filter(is_superuser=True).first() or User.objects.first()
            t = Transfer.objects.create(
                programme=made,
                district=community.area.parent,
                transferred_on=date(2023, 12, 1),
                recorded_by=user,
            )
            allocation.status, allocation.transfer = "transferred", t
            allocation.save()
        objects._cache[key] = allocation.transfer
    return objects._cache[key]


def programme_pk(objects, actor, which):
    return {"pk": programme(objects).pk}


def programme_id(objects, actor, which):
    return {"programme_id": programme(objects).pk}


def transfer_pk(objects, actor, which):
    return {"pk": transfer(objects, which).pk}


def category_kwargs(objects, actor, which):
    made = programme(objects)
    return {"pk": made.pk, "item": made.categories.order_by("-pk").first().pk}


def refused_kwargs(objects, actor, which):
    made = programme(objects)
    item = made.refused.order_by("-pk").first()
    if item is None:
        item = made.refused.create(term="กล้องวงจรปิด")
    return {"pk": made.pk, "item": item.pk}


def _form(kwargs=programme_pk) -> Rule:
    return Rule(dict.fromkeys(("GET", "POST"), MANAGE), kwargs, extra=INVALID_OK)


def _api_write(kwargs=programme_id) -> Rule:
    return Rule({"POST": MANAGE}, kwargs, api=True, extra=INVALID_OK)


ACCESS = {
    "budget-programme-list": Rule({"GET": LOGIN}),
    "budget-programme-create": Rule(dict.fromkeys(("GET", "POST"), MANAGE), extra=INVALID_OK),
    "budget-programme-detail": Rule({"GET": LOGIN, "POST": MANAGE}, programme_pk, extra=INVALID_OK),
    "budget-programme-edit": _form(),
    "budget-programme-allocate": _form(),
    "budget-programme-drop": _form(),
    "budget-programme-close": _form(),
    "budget-allocation-list": Rule({"GET": LOGIN}, programme_pk),
    "budget-transfer-create": _form(),
    "budget-category-add": _form(),
    "budget-category-remove": Rule({"POST": MANAGE}, category_kwargs, extra=INVALID_OK),
    "budget-refused-add": _form(),
    "budget-refused-remove": Rule({"POST": MANAGE}, refused_kwargs, extra=INVALID_OK),
    "budget-transfer-detail": Rule(
        {"GET": scoped("areas.view"), "POST": scoped("programmes.manage")},
        transfer_pk,
        extra=INVALID_OK,
    ),
    "api:list_programmes": Rule({"GET": LOGIN, "POST": MANAGE}, api=True, extra=INVALID_OK),
    "api:create_programme": Rule({"GET": LOGIN, "POST": MANAGE}, api=True, extra=INVALID_OK),
    "api:get_programme": Rule({"GET": LOGIN}, programme_id, api=True),
    "api:allocate_programme": _api_write(),
    "api:record_transfer": Rule(
        {"GET": LOGIN, "POST": MANAGE}, programme_id, api=True, extra=INVALID_OK
    ),
    "api:list_transfers": Rule(
        {"GET": LOGIN, "POST": MANAGE}, programme_id, api=True, extra=INVALID_OK
    ),
    "api:list_allocations": Rule({"GET": LOGIN}, programme_id, api=True),
    "api:drop_allocations": _api_write(),
    "api:drop_dissolved": _api_write(),
    "api:close_programme": _api_write(),
}
