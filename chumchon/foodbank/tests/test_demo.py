"""The food bank demo (`manage.py load_demo`): made on registry people of 1001, fast, its
figures consistent (impact equals the recomputation from every donation, no lot or award below
zero, redemptions match their lines and points), the clerk logs in to the counter, and a second
run makes nothing."""

from __future__ import annotations

import io
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from chumchon.accounts.models import RoleAssignment
from chumchon.communities.tests.factories import (
    community_for_area,
    make_community,
    make_household,
    make_person,
)
from chumchon.conftest import verified_client
from chumchon.core.money import round_half_up
from chumchon.organizations.models import Area
from chumchon.portal import demo as portal_demo

from .. import demo
from .. import selectors_reports as selectors
from ..models import (
    Beneficiary,
    Distribution,
    Donor,
    Item,
    PointEntry,
    Redemption,
    Status,
    StockMovement,
    SurplusDonation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """The demo users and registry people of 1001 (the registry's own demo takes most of a
    minute): 18 people with welfare flags or over 65 and 8 households with two adults."""
    portal_demo.load_users()
    area = Area.objects.filter(code="1001-001").first() or make_community("1001-001").area
    community = community_for_area(area)
    for n in range(18):
        make_person(
            area=area,
            first_name=f"ผู้รับ{n}",
            birth_date=date(1940 + n, 3, 1),
            sex="F" if n % 2 else "M",
            bedridden=n % 4 == 0,
            sensitive_legal_basis="social_protection" if n % 4 == 0 else "",
        )
    for n in range(8):
        household = make_household(community)
        for m in range(2):
            make_person(
                area=area,
                household=household,
                first_name=f"สมาชิก{n}-{m}",
                birth_date=date(1970 + m, 1, 1),
            )


def _sizes() -> tuple[int, ...]:
    return (
        Donor.objects.count(),
        SurplusDonation.objects.count(),
        Distribution.objects.count(),
        Item.objects.count(),
        StockMovement.objects.count(),
        Beneficiary.objects.count(),
        PointEntry.objects.count(),
        Redemption.objects.count(),
    )


def test_demo_is_fast_consistent_and_runs_once(registry):
    out = io.StringIO()
    started = time.monotonic()
    demo.load(out)
    assert time.monotonic() - started < 10
    assert "Food bank: 15 donors" in out.getvalue()
    today = timezone.localdate()
    district = Area.objects.get(code="1001")

    assert Donor.objects.filter(area__code="BKK").count() == 1
    assert SurplusDonation.objects.filter(district=district).count() == 60
    assert Distribution.objects.filter(district=district).count() >= 15
    assert Item.objects.filter(store__area=district).count() == 20
    assert Beneficiary.objects.filter(store__area=district).count() == 25
    assert Redemption.objects.filter(store__area=district).count() >= 30
    assert Redemption.objects.filter(status=Status.CANCELLED).count() == 1
    assert district.foodbank_store.beneficiaries.filter(allowances__isnull=False).count() == 5

    # impact: the report equals the recomputation from every recorded donation
    figures = selectors.district_summary(district, None, today, today)
    meals = co2 = Decimal(0)
    grams = 0
    for d in SurplusDonation.objects.filter(district=district, status=Status.RECORDED):
        grams += d.weight_g
        meals += Decimal(d.weight_g) * d.meals_per_kg / 1000
        co2 += Decimal(d.weight_g) * d.kgco2e_per_kg / 1000
    assert figures.received_g == grams
    assert figures.meals == round_half_up(meals, 2)
    assert figures.kgco2e == round_half_up(co2, 2)
    assert figures.on_hand_g >= 0
    assert figures.lots_near_expiry >= 1 and figures.lots_expired >= 1
    assert figures.points_expired > 0
    assert figures.beneficiaries_helped >= 10
    assert figures.donors_since_start == 15

    # no lot and no award below zero; redemptions match their lines and points
    lots = StockMovement.objects.values("lot_id").annotate(left=Sum("quantity"))
    assert all(row["left"] >= 0 for row in lots)
    awards = PointEntry.objects.values("award_id").annotate(left=Sum("points"))
    assert all(row["left"] >= 0 for row in awards)
    for redemption in Redemption.objects.filter(status=Status.RECORDED).prefetch_related(
        "lines", "point_entries", "movements"
    ):
        assert sum(line.points for line in redemption.lines.all()) == redemption.points
        assert -sum(e.points for e in redemption.point_entries.all()) == redemption.points
        assert -sum(m.quantity for m in redemption.movements.all()) == sum(
            line.quantity for line in redemption.lines.all()
        )

    # the clerk logs in to the counter of 1001
    clerk = demo.clerk_user()
    assert RoleAssignment.objects.filter(user=clerk, role__code="foodbank_clerk").count() == 1
    response = verified_client(clerk).get("/foodbank/")
    assert response.status_code == 302 and "/foodbank/1001/counter/" in response["Location"]

    before = _sizes()
    again = io.StringIO()
    demo.load(again)
    assert _sizes() == before
    assert "nothing made" in again.getvalue()
