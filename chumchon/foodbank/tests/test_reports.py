"""The report figures against hand-computed fixtures: cancelled donations, distributions and
redemptions count nowhere, beneficiaries helped are DISTINCT, expired points are counted, a
city-wide donor counts once in the total, and the queries do not grow with the data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.organizations.models import Area

from .. import ledger
from .. import selectors_reports as selectors
from ..models import (
    Beneficiary,
    Distribution,
    PointEntry,
    Redemption,
    RedemptionLine,
    Status,
    StockMovement,
    SurplusDonation,
)
from .factories import (
    make_award,
    make_beneficiary,
    make_donation,
    make_donor,
    make_item,
    make_lot,
    make_store,
    robot,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)


def distribute(district: str, kg_grams: int, headcount: int, on, *, cancelled=False):
    area = Area.objects.get(code=district)
    number = Distribution.objects.filter(district=area).count() + 1
    return Distribution.objects.create(
        district=area,
        number=number,
        distributed_on=on,
        recipient_kind=Distribution.Recipient.SHELTER,
        recipient_name="บ้านพักทดสอบ",
        weight_g=kg_grams,
        headcount=headcount,
        status=Status.CANCELLED if cancelled else Status.RECORDED,
        recorded_by=robot(),
    )


def cancel_donation(donation: SurplusDonation) -> None:
    SurplusDonation.objects.filter(pk=donation.pk).update(
        status=Status.CANCELLED, cancel_reason="บันทึกซ้ำ"
    )


def redeem(beneficiary, lot, quantity, award, on, *, cancelled=False) -> Redemption:
    """A redemption through the two ledgers (as the counter does); cancelled: goods back and
    points reversed, status cancelled."""
    store = beneficiary.store
    points = quantity * lot.item.points
    redemption = Redemption.objects.create(
        store=store,
        number=Redemption.objects.filter(store=store).count() + 1,
        beneficiary=beneficiary,
        redeemed_by=beneficiary.person,
        redeemed_on=on,
        points=points,
        clerk=robot(),
    )
    RedemptionLine.objects.create(
        redemption=redemption,
        item=lot.item,
        lot=lot,
        quantity=quantity,
        points_each=lot.item.points,
        points=points,
    )
    ledger.move(
        actor=robot(),
        store=store,
        lot=lot,
        kind=StockMovement.Kind.REDEMPTION,
        quantity=-quantity,
        on=on,
        redemption=redemption,
    )
    entry = ledger.post_points(
        actor=robot(),
        award=award,
        kind=PointEntry.Kind.REDEEM,
        points=-points,
        on=on,
        redemption=redemption,
    )
    if cancelled:
        ledger.move(
            actor=robot(),
            store=store,
            lot=lot,
            kind=StockMovement.Kind.RETURN,
            quantity=quantity,
            on=on,
            redemption=redemption,
        )
        ledger.post_points(
            actor=robot(),
            award=award,
            kind=PointEntry.Kind.REVERSE,
            points=points,
            on=on,
            redemption=redemption,
            reverses=entry,
        )
        Redemption.objects.filter(pk=redemption.pk).update(status=Status.CANCELLED)
    return redemption


@pytest.fixture
def district(communities):
    """District 1001 with a hand-counted history (see each figure's comment in the tests)."""
    store = make_store("1001")
    chain = make_donor("BKK", kind="business", name="ห้างค้าปลีกทั่วเมือง")
    market = make_donor("1001", kind="market", name="ตลาดทดสอบ")
    hotel = make_donor("1001", kind="hotel", name="โรงแรมทดสอบ")
    temple = make_donor("1001", kind="temple", name="วัดทดสอบ")
    old = make_donor("1001", kind="school", name="โรงเรียนเก่า")
    # surplus food in the period: 10.5 + 2.25 (market) + 7 (chain) = 19.750 kg
    make_donation("1001", donor=market, kg="10.5", on=START)
    make_donation("1001", donor=market, kg="2.25", on=TODAY - timedelta(days=10))
    make_donation("1001", donor=chain, kg="7", on=TODAY)
    cancel_donation(make_donation("1001", donor=hotel, kg="100", on=TODAY - timedelta(days=5)))
    # before the period: counts since the start only
    make_donation("1001", donor=old, kg="1", on=START - timedelta(days=1))
    # handed on: 5 kg to 20 people; the cancelled 3 kg counts nowhere
    distribute("1001", 5_000, 20, TODAY - timedelta(days=3))
    distribute("1001", 3_000, 9, TODAY - timedelta(days=2), cancelled=True)
    # goods: a lot from the temple (a donor of goods only), an item near expiry, one expired
    rice = make_item(store, name="ข้าวสาร", points=10)
    milk = make_item(store, name="นม", points=5)
    fish = make_item(store, name="ปลากระป๋อง", points=3)
    rice_lot = make_lot(rice, 20, donor=temple, received_on=TODAY - timedelta(days=20))
    old_rice = make_lot(rice, 10, received_on=START - timedelta(days=30))
    make_lot(milk, 10, expires_on=TODAY + timedelta(days=3))  # near expiry (7 days)
    make_lot(fish, 5, expires_on=TODAY - timedelta(days=1))  # expired on hand
    make_lot(fish, 8, expires_on=TODAY + timedelta(days=100))  # far from expiry
    # beneficiaries: two active, one closed before today
    first = make_beneficiary(store, first_name="หนึ่ง")
    second = make_beneficiary(store, first_name="สอง")
    closed = make_beneficiary(store, first_name="สาม")
    Beneficiary.objects.filter(pk=closed.pk).update(
        state=Beneficiary.State.CLOSED, closed_on=TODAY - timedelta(days=1)
    )
    award_first = make_award(first, 100, awarded_on=TODAY - timedelta(days=30))
    # second: an award redeemed long ago (helped since the start), then one that expired
    award_old = make_award(
        second, 40, awarded_on=START - timedelta(days=40), expires_on=START - timedelta(days=5)
    )
    award_lapsed = make_award(
        second, 50, awarded_on=START + timedelta(days=1), expires_on=TODAY - timedelta(days=2)
    )
    ledger.post_points(
        actor=robot(),
        award=award_lapsed,
        kind=PointEntry.Kind.EXPIRE,
        points=-50,
        on=TODAY - timedelta(days=1),
    )
    redeem(second, old_rice, 2, award_old, START - timedelta(days=20))  # before the period
    # in the period: the first beneficiary redeems twice (3 + 2 units of rice: 50 points)
    redeem(first, rice_lot, 3, award_first, TODAY - timedelta(days=7))
    redeem(first, rice_lot, 2, award_first, TODAY - timedelta(days=1))
    # the second's redemption in the period is cancelled: counts nowhere
    award_second = make_award(second, 30, awarded_on=TODAY - timedelta(days=4))
    redeem(second, rice_lot, 3, award_second, TODAY - timedelta(days=2), cancelled=True)
    return Area.objects.get(code="1001")


def test_district_summary_matches_the_hand_computed_figures(district):
    f = selectors.district_summary(district, START, TODAY, TODAY)
    # market, chain (food) and temple (goods); the hotel's only donation was cancelled
    assert f.donors == 3
    assert f.surplus_donors == 2
    assert f.donations == 3
    assert f.received_g == 19_750
    assert f.received_kg == Decimal("19.75")
    assert f.meals == Decimal("82.95")  # 19.75 x 4.2
    assert f.kgco2e == Decimal("49.97")  # 19.75 x 2.53 = 49.9675, rounded once
    assert f.distributions == 1
    assert f.distributed_g == 5_000
    assert f.people_served == 20
    assert f.on_hand_g == 20_750 - 5_000  # everything received to date less handed on
    assert f.beneficiaries_active == 2
    assert f.redemptions == 2
    assert f.beneficiaries_helped == 1  # DISTINCT: one beneficiary, two redemptions
    # awards in the period: 100 + 50 + 30; redeemed 50 (the cancelled 30 counts nowhere)
    assert f.points_awarded == 180
    assert f.points_redeemed == 50
    assert f.points_expired == 50
    assert f.points_reversed == 0
    # rice 10 - 2 (old lot) + 20 - 3 - 2 (- 3 + 3) = 8 + 15, milk 10, fish 5 + 8
    assert f.stock_units == 8 + 15 + 10 + 13
    assert f.stock_items == 3
    assert (f.lots_near_expiry, f.units_near_expiry) == (1, 10)
    assert (f.lots_expired, f.units_expired) == (1, 5)
    # since the start: the old school too; the second beneficiary redeemed before the period
    assert f.donors_since_start == 4
    assert f.helped_since_start == 2


def test_since_the_start_when_the_period_has_no_start(district):
    f = selectors.district_summary(district, None, TODAY, TODAY)
    assert f.donations == 4
    assert f.donors == 4
    assert f.redemptions == 3
    assert f.beneficiaries_helped == 2
    assert f.points_awarded == 220
    assert f.points_redeemed == 70


def test_stock_is_counted_at_the_end_of_the_day_asked(district):
    earlier = TODAY - timedelta(days=5)
    f = selectors.district_summary(district, START, TODAY, earlier)
    # rice: 8 + 20 - 3 by then; milk 10; fish 13
    assert f.stock_units == 8 + 17 + 10 + 13
    assert f.beneficiaries_active == 3  # the third was still registered
    # five days ago the fish lot that expired yesterday was near expiry (within 7 days) and
    # the milk expiring in 3 days (8 days later) was not yet
    assert (f.lots_near_expiry, f.units_near_expiry, f.lots_expired) == (1, 5, 0)


def test_city_wide_donor_counts_once_in_the_city_total(district):
    chain = SurplusDonation.objects.get(district=district, weight_g=7_000).donor
    make_store("1004")
    make_donation("1004", donor=chain, kg="1.005", on=TODAY)
    report = selectors.city_rows(Area.objects.get(code="BKK"), START, TODAY, TODAY)
    rows = {row.district.code: row.figures for row in report.rows}
    assert len(rows) == 50
    assert rows["1004"].donors == 1
    assert rows["1001"].donors == 3
    assert report.total.donors == 3  # the chain gave in both: one donor of the city
    assert report.total.received_g == 19_750 + 1_005
    assert report.total.meals == Decimal("87.17")  # 20.755 x 4.2 = 87.171
    assert report.total.beneficiaries_helped == 1
    zone = selectors.city_rows(Area.objects.get(code="BKK-01"), START, TODAY, TODAY)
    assert "1004" not in {row.district.code for row in zone.rows}
    assert zone.total.received_g == 19_750


def test_item_rows_count_recorded_redemptions_only(district):
    store = ledger.store_for(district)
    rows = {r.item.name: r for r in selectors.item_rows(store, START, TODAY, TODAY)}
    rice = rows["ข้าวสาร"]
    assert (rice.on_hand, rice.received, rice.redeemed) == (23, 20, 5)
    assert (rows["นม"].near_expiry, rows["ปลากระป๋อง"].expired) == (10, 5)


def _queries(area) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.city_rows(area, START, TODAY, TODAY)
    return len(ctx.captured_queries)


def test_city_rows_queries_do_not_grow_with_districts_or_rows(communities):
    city = Area.objects.get(code="BKK")
    store = make_store("1001")
    make_donation("1001", kg="1")
    first = _queries(city)
    for code in ("1001", "1004", "1005", "1006"):
        other = make_store(code)
        for n in range(3):
            make_donation(code, kg=f"{n + 1}.5")
        item = make_item(other, name=f"ข้าว {code}")
        lot = make_lot(item, 30, expires_on=TODAY + timedelta(days=2))
        person = make_beneficiary(other)
        award = make_award(person, 500)
        redeem(person, lot, 2, award, TODAY)
        distribute(code, 500, 3, TODAY)
    make_beneficiary(store)
    assert _queries(city) == first
