"""Food bank test data, written straight through the models and the two ledgers (``ledger.move``
for stock, ``ledger.post_points`` for points), so fixtures never depend on the services under
test. Impact factors come from the dated parameters (migration 0002: 4.2 and 2.53)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chumchon.accounts.models import User
from chumchon.communities.models import Household, Person
from chumchon.communities.tests.factories import make_person
from chumchon.core.params import parameter_decimal
from chumchon.organizations.models import Area

from .. import domain, ledger
from ..models import (
    Award,
    Beneficiary,
    Donor,
    Item,
    Lot,
    PointEntry,
    StockMovement,
    Store,
    SurplusDonation,
)

_serial = count(1)


def robot() -> User:
    """The user factories record as (services need a person to blame)."""
    user, _created = User.objects.get_or_create(username="foodbank-factory")
    return user


def area(code: Area | str) -> Area:
    return code if isinstance(code, Area) else Area.objects.get(code=code)


def make_store(district: Area | str = "1001", **values) -> Store:
    store = ledger.store_for(area(district))
    if values:
        Store.objects.filter(pk=store.pk).update(**values)
        store.refresh_from_db()
    return store


def make_donor(area_code: Area | str = "1001", *, kind: str = "business", **values) -> Donor:
    values.setdefault("name", f"ผู้บริจาคทดสอบ {next(_serial)}")
    return Donor.objects.create(area=area(area_code), kind=kind, created_by=robot(), **values)


def _next_number(model, **where) -> int:
    return (model.objects.filter(**where).aggregate(n=Max("number"))["n"] or 0) + 1


def make_donation(
    district: Area | str = "1001",
    *,
    donor: Donor | None = None,
    kg: str = "10",
    on: date | None = None,
) -> SurplusDonation:
    """A surplus donation of ``kg`` (a string, up to 3 decimals) with the factors of its day."""
    district = area(district)
    on = on or timezone.localdate()
    grams, problem = domain.weight_problem(kg, label="kg")
    assert problem is None, problem
    return SurplusDonation.objects.create(
        district=district,
        number=_next_number(SurplusDonation, district=district),
        donor=donor or make_donor(district),
        donated_on=on,
        weight_g=grams,
        meals_per_kg=parameter_decimal(domain.MEALS_KEY, on),
        kgco2e_per_kg=parameter_decimal(domain.CO2_KEY, on),
        recorded_by=robot(),
    )


def make_item(store: Store, *, name: str | None = None, points: int = 10, **values) -> Item:
    values.setdefault("unit", "ถุง")
    values.setdefault("category", Item.Category.DRY)
    return Item.objects.create(
        store=store, name=name or f"สิ่งของ {next(_serial)}", points=points, **values
    )


@transaction.atomic
def make_lot(
    item: Item,
    quantity: int = 10,
    *,
    expires_on: date | None = None,
    received_on: date | None = None,
    donor: Donor | None = None,
) -> Lot:
    """A lot of ``quantity`` units received (a donation-in movement)."""
    received_on = received_on or timezone.localdate() - timedelta(days=30)
    lot = Lot.objects.create(
        store=item.store, item=item, received_on=received_on, expires_on=expires_on, donor=donor
    )
    ledger.move(
        actor=robot(),
        store=item.store,
        lot=lot,
        kind=StockMovement.Kind.DONATION_IN,
        quantity=quantity,
        on=received_on,
    )
    return lot


def make_beneficiary(
    store: Store,
    *,
    person: Person | None = None,
    household: Household | None = None,
    **person_values,
) -> Beneficiary:
    """A beneficiary of ``store``: the household if given, else the person (made in the
    registry under the store's district when not given)."""
    if household is None and person is None:
        person = make_person(area=store.area, **person_values)
    return Beneficiary.objects.create(
        store=store,
        number=_next_number(Beneficiary, store=store),
        kind=Beneficiary.Kind.HOUSEHOLD if household else Beneficiary.Kind.PERSON,
        person=person if household is None else None,
        household=household,
        registered_on=timezone.localdate() - timedelta(days=60),
        created_by=robot(),
    )


@transaction.atomic
def make_award(
    beneficiary: Beneficiary,
    points: int = 100,
    *,
    awarded_on: date | None = None,
    expires_on: date | None = None,
    kind: str = Award.Kind.ONE_OFF,
) -> Award:
    """An award with its ledger entry (valid 90 days unless ``expires_on`` is given)."""
    awarded_on = awarded_on or timezone.localdate() - timedelta(days=1)
    award = Award.objects.create(
        beneficiary=beneficiary,
        kind=kind,
        points=points,
        awarded_on=awarded_on,
        expires_on=expires_on or awarded_on + timedelta(days=90),
        awarded_by=robot(),
        reason="ทดสอบ",
    )
    ledger.post_points(
        actor=robot(), award=award, kind=PointEntry.Kind.AWARD, points=points, on=awarded_on
    )
    return award
