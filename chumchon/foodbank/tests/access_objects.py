"""Food bank objects for the access matrix, made lazily on the matrix's ``objects`` cache: the
store of the own district 1001 ("own") and of 1004 ("other"), each with a donor, a surplus
donation, a distribution, an item with a lot, a beneficiary (a person in the district's
community) with points, and a redemption.

kwargs functions: ``district_kwargs`` -> {"district": code}; ``donor_pk``, ``donation_kwargs``,
``distribution_kwargs``, ``item_kwargs``, ``lot_kwargs``, ``beneficiary_kwargs``,
``redemption_kwargs`` -> {"district": code, "pk": id} (donors: {"pk": id} only)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chumchon.communities.tests import access_objects as registry
from chumchon.communities.tests.factories import make_person
from chumchon.conftest import OTHER_DISTRICT, OWN_DISTRICT

from ..models import Distribution, Redemption, RedemptionLine, StockMovement
from . import factories as f
from .factories import robot


def _code(which: str) -> str:
    return OWN_DISTRICT if which == "own" else OTHER_DISTRICT


def _cached(objects, key, make):
    key = ("foodbank", *key)
    if key not in objects._cache:
        objects._cache[key] = make()
    return objects._cache[key]


def store(objects, which: str):
    return _cached(objects, ("store", which), lambda: f.make_store(_code(which)))


def donor(objects, which: str):
    return _cached(
        objects, ("donor", which), lambda: f.make_donor(_code(which), name=f"ผู้บริจาค {which}")
    )


def donation(objects, which: str):
    return _cached(
        objects,
        ("donation", which),
        lambda: f.make_donation(_code(which), donor=donor(objects, which), kg="500"),
    )


def distribution(objects, which: str):
    def make():
        made_donation = donation(objects, which)
        return Distribution.objects.create(
            district=made_donation.district,
            number=1,
            distributed_on=made_donation.donated_on,
            recipient_kind=Distribution.Recipient.SHELTER,
            recipient_name="บ้านพักทดสอบ",
            weight_g=100_000,
            headcount=50,
            recorded_by=robot(),
        )

    return _cached(objects, ("distribution", which), make)


def item(objects, which: str):
    return _cached(
        objects, ("item", which), lambda: f.make_item(store(objects, which), name="ข้าวสาร 5 กก.")
    )


def lot(objects, which: str):
    return _cached(
        objects,
        ("lot", which),
        lambda: f.make_lot(
            item(objects, which), 1000, expires_on=timezone.localdate() + timedelta(days=200)
        ),
    )


def beneficiary(objects, which: str):
    def make():
        community = registry.community(objects, which)
        person = make_person(
            area=community.area, birth_date=timezone.localdate().replace(year=1950)
        )
        made = f.make_beneficiary(store(objects, which), person=person)
        f.make_award(made, 100_000)
        return made

    return _cached(objects, ("beneficiary", which), make)


def redemption(objects, which: str):
    def make():
        from .. import ledger
        from ..models import PointEntry

        who = beneficiary(objects, which)
        the_lot = lot(objects, which)
        today = timezone.localdate()
        made = Redemption.objects.create(
            store=who.store,
            number=1,
            beneficiary=who,
            redeemed_by=who.person,
            redeemed_on=today,
            points=10,
            clerk=robot(),
        )
        RedemptionLine.objects.create(
            redemption=made, item=the_lot.item, lot=the_lot, quantity=1, points_each=10, points=10
        )
        ledger.move(
            actor=robot(),
            store=who.store,
            lot=the_lot,
            kind=StockMovement.Kind.REDEMPTION,
            quantity=-1,
            on=today,
            redemption=made,
        )
        ledger.post_points(
            actor=robot(),
            award=who.awards.first(),
            kind=PointEntry.Kind.REDEEM,
            points=-10,
            on=today,
            redemption=made,
        )
        return made

    return _cached(objects, ("redemption", which), make)


def district_kwargs(objects, actor, which):
    registry.community(objects, which)
    return {"district": _code(which)}


def donor_pk(objects, actor, which):
    return {"pk": donor(objects, which).pk}


def _in_district(obj_fn):
    def kwargs(objects, actor, which):
        return {"district": _code(which), "pk": obj_fn(objects, which).pk}

    return kwargs


donation_kwargs = _in_district(donation)
distribution_kwargs = _in_district(distribution)
item_kwargs = _in_district(item)
lot_kwargs = _in_district(lot)
beneficiary_kwargs = _in_district(beneficiary)
redemption_kwargs = _in_district(redemption)
