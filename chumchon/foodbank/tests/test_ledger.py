"""The two ledgers under the services: stock per lot and points per award never below zero,
and the impact arithmetic of source 001."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from .. import domain, ledger
from ..models import PointEntry, StockMovement
from .factories import make_award, make_beneficiary, make_item, make_lot, make_store, robot

pytestmark = pytest.mark.django_db


def test_source_figures_round_once_from_the_exact_gram_sum():
    result = domain.impact([(Decimal("4.2"), Decimal("2.53"), 295_043_307)], donations=3)
    assert result.weight_kg == Decimal("295043.31")
    assert result.meals == Decimal("1239181.89")
    assert result.kgco2e == Decimal("746459.57")


def test_store_is_made_once_per_district(communities):
    assert make_store("1001") == make_store("1001")


def test_stock_out_below_zero_is_refused_and_nothing_is_written(communities):
    store = make_store("1001")
    lot = make_lot(make_item(store), 3)
    with pytest.raises(ValidationError) as caught:
        ledger.move(
            actor=robot(),
            store=store,
            lot=lot,
            kind=StockMovement.Kind.REDEMPTION,
            quantity=-4,
            on=timezone.localdate(),
        )
    assert "quantity" in caught.value.message_dict
    assert ledger.lot_left(store) == {lot.pk: 3}


def test_stock_out_dated_before_the_lot_arrived_is_refused(communities):
    store = make_store("1001")
    today = timezone.localdate()
    lot = make_lot(make_item(store), 3, received_on=today)
    with pytest.raises(ValidationError):
        ledger.move(
            actor=robot(),
            store=store,
            lot=lot,
            kind=StockMovement.Kind.WRITE_OFF,
            quantity=-1,
            on=today - timedelta(days=1),
        )


def test_points_of_an_award_never_go_below_zero(communities):
    store = make_store("1001")
    award = make_award(make_beneficiary(store), 50)
    with pytest.raises(ValidationError):
        ledger.post_points(
            actor=robot(), award=award, kind=PointEntry.Kind.REDEEM, points=-51, on=date.today()
        )
    assert ledger.points_balance(award.beneficiary) == 50


def test_usable_points_leave_out_expired_awards(communities):
    store = make_store("1001")
    who = make_beneficiary(store)
    today = timezone.localdate()
    make_award(who, 30, awarded_on=today - timedelta(days=10), expires_on=today - timedelta(days=1))
    make_award(who, 20, awarded_on=today - timedelta(days=10), expires_on=today + timedelta(days=5))
    assert ledger.points_balance(who, on=today) == 20
    assert ledger.balances([who.pk], today) == {who.pk: 20}
