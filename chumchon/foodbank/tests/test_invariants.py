"""The food bank's ledgers under random sequences of operations (hypothesis state machine).

Two districts' food banks (1001 and 1002) with their catalogues (an inactive item too), donors
(of each district and a city-wide chain) and beneficiaries (two people and a household with two
adults and a child in 1001, a closed beneficiary, a person in 1002); the meals and CO2 factors
change twelve days into the run. Each example opens the books through the services (lots, one
expiring tomorrow; points, some expiring in two days; surplus food received and handed on).
A simulated "today" (``timezone.localdate`` patched) walks forward while, through the SERVICES
and with valid and invalid inputs, lots are received (some expiring soon), written off, counted
and transferred between the two stores; points are granted, taken back, given monthly and expired by the jobs;
random baskets are redeemed (random collectors, explicit lots, expired ones too) and
redemptions cancelled; surplus food is received (random gram weights, category splits) and
handed on (above what is held, backdated), and both are cancelled.

After every step, recomputed here from the rows (never through the ledger's own sums):

- stock: no lot is below zero at the end of any day; a movement is of its lot's item and store
  and not dated before the lot was received; ``ledger.item_stock``, ``ledger.lot_left`` and
  ``selectors_stock.stock_rows`` (on hand, expired) equal the sums of the lots;
- points: every award has exactly one "award" entry of its points on its date, and is never
  below zero at the end of any day; expiry entries come after the expiry; a beneficiary's
  balance (``ledger.points_balance``) is the sum over their awards, the points usable today
  (``points_balance(on=)``, ``ledger.balances``) the sum over awards valid today;
- redemptions: points = sum of the lines = -(its redeem entries), each line = quantity x points
  each; its movements match its lines lot by lot; lots and awards used were not expired on the
  day; the collector was the person or an adult member of the household; a cancelled one has
  reverse entries and return movements mirroring them (and expire entries for awards expired
  meanwhile), a recorded one none; receipt numbers run 1..n per store (also donations and
  distributions per district);
- surplus: every district's received - handed on (recorded rows) is >= 0 at the end of every
  day and equals ``selectors_surplus.on_hand_g``; the factors on a donation are those valid on
  its day; category weights add up to the donation; ``selectors_surplus.impact`` (city and each
  district, two periods) equals the recomputation (exact sums, rounded once, half up).

A refused operation raises ValidationError and changes nothing (every table's rows, statuses
and the audit log compared); what the rules must refuse (above the stock or the points at any
day, an expired lot, a non-adult collector, another district's beneficiary, a backdated
distribution above what was held, ...) is refused, and what they allow is accepted.

Each example runs in a savepoint rolled back at its end. SQLite by default (modest size); the
same machine runs longer on PostgreSQL (``postgres`` marker). The run prints how many calls of
each operation were accepted and refused, and fails if no receipt, redemption, award, donation
or distribution was accepted (a run that only refuses proves little).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chumchon.communities.models import Membership
from chumchon.communities.tests.factories import community_for_area, make_household, make_person
from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent, DatedParameter
from chumchon.core.params import parameter_decimal
from chumchon.foodbank import (
    domain,
    ledger,
    selectors_stock,
    selectors_surplus,
    services_counter,
    services_points,
    services_stock,
    services_surplus,
)
from chumchon.foodbank.models import (
    Allowance,
    Award,
    Beneficiary,
    Distribution,
    DonationCategory,
    Item,
    Lot,
    PointEntry,
    Redemption,
    RedemptionLine,
    Status,
    StockMovement,
    Store,
    SurplusDonation,
)
from chumchon.organizations.models import Area

from .factories import make_beneficiary, make_donor, make_item, make_store

REFUSED = object()
#: accepted / refused calls per operation over a run (printed; a few must have been accepted)
OUTCOMES: Counter[str] = Counter()
CENT = Decimal("0.01")

picks = st.integers(min_value=0, max_value=10_000)
sides = st.sampled_from(["A", "A", "B"])
BAD_COUNTS = ["0", "-2", "1.5", "abc", "", True, 0, -1, 100_001]
quantities = st.one_of(
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=12).map(str),
    st.sampled_from(BAD_COUNTS),
)
basket_quantities = st.one_of(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=1, max_value=4).map(str),
    st.sampled_from(BAD_COUNTS),
)
points_values = st.one_of(
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=20, max_value=200),
    st.integers(min_value=20, max_value=200).map(str),
    st.sampled_from(["50", "0", "-5", "2.5", "x", "", True, 1_000_001]),
)
BAD_WEIGHTS = ["0", "-5", "12.3456", "abc", "", True, "0.0001", None]
weights = st.one_of(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("800"), places=3).map(str),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("80"), places=3).map(str),
    st.integers(min_value=1, max_value=300),
    st.sampled_from(BAD_WEIGHTS),
)


# --- independent parsing of the raw values the strategies produce -------------------------------


def whole(value: object, maximum: int = domain.MAX_QUANTITY) -> int | None:
    """The whole number 1..maximum a raw value means, or None (refused)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= maximum else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) if 1 <= int(value) <= maximum else None
    return None


def grams_of(value: object) -> int | None:
    """Grams of a raw weight in kg (> 0, at most 3 decimals), or None (refused)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        kg = Decimal(str(value))
    except ArithmeticError:
        return None
    if not kg.is_finite() or kg <= 0 or (kg * 1000) != (kg * 1000).to_integral_value():
        return None
    return int(kg * 1000)


def kg_text(grams: int) -> str:
    return str(Decimal(grams) / 1000)


def lowest_from(days: dict[date, int], since: date) -> int:
    """The lowest end-of-day running total from ``since`` on (``since`` included)."""
    running = 0
    lowest: int | None = None
    for day in sorted(set(days) | {since}):
        running += days.get(day, 0)
        if day >= since:
            lowest = running if lowest is None else min(lowest, running)
    return running if lowest is None else lowest


def running_by_day(days: dict[date, int]) -> list[tuple[date, int]]:
    running = 0
    out = []
    for day in sorted(days):
        running += days[day]
        out.append((day, running))
    return out


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class FoodBanks(RuleBasedStateMachine):
    """Set ``actor`` and ``world`` (the objects made once by ``_world``) on a subclass."""

    actor = None
    world: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.today = self.world["start"]
        real = timezone.localdate

        def localdate(value=None, timezone=None):  # the simulated clock
            return self.today if value is None else real(value, timezone)

        self._clock = mock.patch.object(timezone, "localdate", localdate)
        self._clock.start()
        try:
            self.open_books()
        except BaseException:
            self.teardown()
            raise

    def open_books(self) -> None:
        """A food bank already in use, through the services: lots (rice in a lot expiring
        tomorrow and one that does not expire), points (some expiring in two days), surplus food
        received in both districts and some handed on today in 1001."""
        day = self.today
        lots_a = ((0, 8, 1), (0, 6, None), (1, 10, None), (2, 6, 20))
        for side, lots in (("A", lots_a), ("B", ((0, 5, None),))):
            store = self.store(side)
            items = list(Item.objects.filter(store=store, active=True).order_by("pk"))
            for index, quantity, days in lots:
                services_stock.receive(
                    actor=self.actor,
                    store=store,
                    item=items[index],
                    quantity=quantity,
                    received_on=day - timedelta(days=3),
                    expires_on=None if days is None else day + timedelta(days=days),
                )
            for n, beneficiary in enumerate(
                Beneficiary.objects.filter(store=store, state=Beneficiary.State.ACTIVE)
            ):
                services_points.award_grant(
                    actor=self.actor,
                    store=store,
                    beneficiary=beneficiary,
                    points=120,
                    reason="ตั้งต้น",
                    awarded_on=day - timedelta(days=2),
                    expires_on=day + timedelta(days=2 if n == 0 else 30),
                )
            services_surplus.donation_record(
                actor=self.actor,
                district=self.district(side),
                donor=self.world["donors"][side],
                donated_on=day - timedelta(days=5),
                weight_kg="50.125",
            )
        services_surplus.distribution_record(
            actor=self.actor,
            district=self.district("A"),
            distributed_on=day,
            recipient_kind="group",
            recipient_name="กลุ่มผู้สูงอายุ",
            weight_kg="30",
            headcount=40,
        )

    def teardown(self) -> None:
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    def store(self, side: str) -> Store:
        return Store.objects.select_related("area").get(pk=self.world["stores"][side])

    def district(self, side: str) -> Area:
        return Area.objects.get(pk=self.world["districts"][side])

    def other(self, side: str) -> str:
        return "B" if side == "A" else "A"

    def pick(self, items, index):
        return items[index % len(items)]

    def fingerprint(self) -> tuple:
        return (
            tuple(SurplusDonation.objects.order_by("pk").values_list("pk", "status")),
            tuple(Distribution.objects.order_by("pk").values_list("pk", "status")),
            DonationCategory.objects.count(),
            Lot.objects.count(),
            StockMovement.objects.count(),
            Item.objects.count(),
            Store.objects.count(),
            Award.objects.count(),
            PointEntry.objects.count(),
            tuple(Allowance.objects.order_by("pk").values_list("pk", "stopped_on")),
            tuple(Redemption.objects.order_by("pk").values_list("pk", "status")),
            RedemptionLine.objects.count(),
            AuditEvent.objects.count(),
        )

    def attempt(self, name: str, call, **kwargs):
        """Run a service; a refusal must be a ValidationError that changed nothing."""
        before = self.fingerprint()
        try:
            result = call(actor=self.actor, **kwargs)
        except ValidationError:
            assert self.fingerprint() == before, f"a refused {name} changed the books"
            OUTCOMES[f"{name} refused"] += 1
            return REFUSED
        OUTCOMES[f"{name} accepted"] += 1
        return result

    def lot_days(self, lot_id: int) -> dict[date, int]:
        days: dict[date, int] = defaultdict(int)
        for day, quantity in StockMovement.objects.filter(lot_id=lot_id).values_list(
            "moved_on", "quantity"
        ):
            days[day] += quantity
        return days

    def lot_left(self) -> dict[int, int]:
        left: dict[int, int] = defaultdict(int)
        for lot_id, quantity in StockMovement.objects.values_list("lot_id", "quantity"):
            left[lot_id] += quantity
        return left

    def award_left(self) -> dict[int, int]:
        left: dict[int, int] = defaultdict(int)
        for award_id, points in PointEntry.objects.values_list("award_id", "points"):
            left[award_id] += points
        return left

    def usable_points(self, beneficiary_id: int, on: date) -> int:
        left = self.award_left()
        return sum(
            left[a.pk]
            for a in Award.objects.filter(beneficiary_id=beneficiary_id)
            if a.awarded_on <= on <= a.expires_on
        )

    def surplus_days(self, district_id: int, without: SurplusDonation | None = None) -> dict:
        days: dict[date, int] = defaultdict(int)
        for pk, day, grams in SurplusDonation.objects.filter(
            district_id=district_id, status=Status.RECORDED
        ).values_list("pk", "donated_on", "weight_g"):
            if without is None or pk != without.pk:
                days[day] += grams
        for day, grams in Distribution.objects.filter(
            district_id=district_id, status=Status.RECORDED
        ).values_list("distributed_on", "weight_g"):
            days[day] -= grams
        return days

    # --- the clock and the jobs -------------------------------------------------------------

    @rule(days=st.integers(min_value=0, max_value=6))
    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule()
    def expiry_job(self) -> None:
        services_points.points_expire(self.today)
        left = self.award_left()
        for award in Award.objects.filter(expires_on__lt=self.today):
            assert left[award.pk] == 0, f"award {award.pk} expired with {left[award.pk]} left"
        services_points.points_expire(self.today)  # idempotent
        assert self.award_left() == left

    @rule()
    def monthly_job(self) -> None:
        services_points.points_monthly(self.today)
        awards = Award.objects.count()
        services_points.points_monthly(self.today)  # idempotent
        assert Award.objects.count() == awards

    # --- stock ------------------------------------------------------------------------------

    @rule(
        side=sides,
        which=picks,
        quantity=quantities,
        back=st.integers(min_value=0, max_value=6),
        expires=st.one_of(st.none(), st.integers(min_value=-4, max_value=45)),
    )
    def receive(self, side, which, quantity, back, expires) -> None:
        store = self.store(side)
        items = list(Item.objects.filter(store=store).order_by("pk"))
        items.append(Item.objects.filter(store_id=self.world["stores"][self.other(side)]).first())
        item = self.pick(items, which)
        received_on = self.today - timedelta(days=back)
        expires_on = None if expires is None else self.today + timedelta(days=expires)
        lot = self.attempt(
            "receive",
            services_stock.receive,
            store=store,
            item=item,
            quantity=quantity,
            received_on=received_on,
            expires_on=expires_on,
        )
        must_refuse = (
            whole(quantity) is None
            or item.store_id != store.pk
            or not item.active
            or (expires_on is not None and expires_on < self.today)
        )
        assert (lot is REFUSED) == must_refuse, (quantity, item, expires_on)
        if lot is not REFUSED:
            assert self.lot_days(lot.pk) == {received_on: whole(quantity)}

    def _lot_and_store(self, which: int, wrong_store: bool) -> tuple[Lot, Store] | None:
        lots = list(Lot.objects.select_related("item", "store").order_by("pk"))
        if not lots:
            return None
        lot = self.pick(lots, which)
        side = "A" if lot.store_id == self.world["stores"]["A"] else "B"
        return lot, self.store(self.other(side) if wrong_store else side)

    @precondition(lambda self: Lot.objects.exists())
    @rule(
        which=picks,
        quantity=st.one_of(st.integers(min_value=1, max_value=3), quantities),
        back=st.integers(min_value=0, max_value=4),
        reason=st.sampled_from(["หมดอายุ", "เสียหาย", "แตก", ""]),
        wrong_store=st.sampled_from([False, False, False, True]),
    )
    def write_off(self, which, quantity, back, reason, wrong_store) -> None:
        lot, store = self._lot_and_store(which, wrong_store)
        on = self.today - timedelta(days=back)
        n = whole(quantity)
        lowest = lowest_from(self.lot_days(lot.pk), on)
        result = self.attempt(
            "write_off",
            services_stock.write_off,
            store=store,
            lot=lot,
            quantity=quantity,
            on=on,
            reason=reason,
        )
        must_refuse = (
            n is None
            or lot.store_id != store.pk
            or on < lot.received_on
            or not reason
            or n > lowest
        )
        assert (result is REFUSED) == must_refuse, (n, on, reason, lowest)

    @precondition(lambda self: Lot.objects.exists())
    @rule(
        which=picks,
        counted=st.one_of(
            st.integers(min_value=0, max_value=15), st.sampled_from(["-1", "x", "2.5", ""])
        ),
        back=st.integers(min_value=0, max_value=4),
        reason=st.sampled_from(["ตรวจนับ", ""]),
    )
    def count(self, which, counted, back, reason) -> None:
        lot, store = self._lot_and_store(which, False)
        on = self.today - timedelta(days=back)
        days = self.lot_days(lot.pk)
        result = self.attempt(
            "count",
            services_stock.count,
            store=store,
            lot=lot,
            counted=counted,
            on=on,
            reason=reason,
        )
        if not isinstance(counted, int) or on < lot.received_on:
            assert result is REFUSED
            return
        at_end_of_day = sum(q for day, q in days.items() if day <= on)
        change = counted - at_end_of_day
        must_refuse = (change != 0 and not reason) or lowest_from(days, on) + min(change, 0) < 0
        assert (result is REFUSED) == must_refuse, (counted, at_end_of_day, reason)
        if not must_refuse:
            assert (result is None) == (change == 0)
            assert sum(q for day, q in self.lot_days(lot.pk).items() if day <= on) == counted

    @precondition(lambda self: Lot.objects.exists())
    @rule(
        which=picks,
        quantity=quantities,
        back=st.integers(min_value=0, max_value=6),
        to=st.sampled_from(["other", "other", "same"]),
    )
    def transfer(self, which, quantity, back, to) -> None:
        lot, store = self._lot_and_store(which, False)
        side = "A" if store.pk == self.world["stores"]["A"] else "B"
        to_district = self.district(self.other(side) if to == "other" else side)
        on = self.today - timedelta(days=back)
        n = whole(quantity)
        before = self.lot_left()
        lowest = lowest_from(self.lot_days(lot.pk), on)
        result = self.attempt(
            "transfer",
            services_stock.transfer,
            store=store,
            to_district=to_district,
            lot=lot,
            quantity=quantity,
            on=on,
            reason="ส่งต่อ",
        )
        must_refuse = (
            n is None
            or to == "same"
            or on < lot.received_on
            or (lot.expires_on is not None and lot.expires_on < on)
            or n > lowest
        )
        assert (result is REFUSED) == must_refuse, (n, on, to, lot.expires_on, lowest)
        if result is not REFUSED:
            out, into = result
            assert out.transfer_id == into.transfer_id and out.quantity == -n == -into.quantity
            assert into.store.area_id == to_district.pk and into.lot.from_lot_id == lot.pk
            assert into.lot.expires_on == lot.expires_on and into.item.name == lot.item.name
            after = self.lot_left()
            assert sum(after.values()) == sum(before.values())  # nothing lost, nothing made

    # --- points -----------------------------------------------------------------------------

    def beneficiaries(self) -> list[Beneficiary]:
        return list(Beneficiary.objects.select_related("store__area").order_by("pk"))

    @rule(
        side=sides,
        who=picks,
        points=points_values,
        back=st.integers(min_value=0, max_value=3),
        expires=st.one_of(st.none(), st.integers(min_value=-3, max_value=60)),
        reason=st.sampled_from(["ช่วยเหลือฉุกเฉิน", "ไฟไหม้บ้าน", ""]),
    )
    def award(self, side, who, points, back, expires, reason) -> None:
        store = self.store(side)
        beneficiary = self.pick(self.beneficiaries(), who)
        awarded_on = self.today - timedelta(days=back)
        expires_on = None if expires is None else self.today + timedelta(days=expires)
        award = self.attempt(
            "award",
            services_points.award_grant,
            store=store,
            beneficiary=beneficiary,
            points=points,
            reason=reason,
            awarded_on=awarded_on,
            expires_on=expires_on,
        )
        effective = expires_on or awarded_on + timedelta(days=store.award_valid_days)
        must_refuse = (
            beneficiary.store_id != store.pk
            or beneficiary.state != Beneficiary.State.ACTIVE
            or whole(points, domain.MAX_POINTS) is None
            or not reason
            or effective < awarded_on
            or effective < self.today
        )
        assert (award is REFUSED) == must_refuse, (beneficiary, points, expires_on, reason)
        if award is not REFUSED:
            assert award.points == whole(points, domain.MAX_POINTS)
            assert award.expires_on == effective

    @precondition(lambda self: Award.objects.exists())
    @rule(which=picks, reason=st.sampled_from(["ให้ผิดคน", ""]))
    def award_reverse(self, which, reason) -> None:
        award = self.pick(
            list(Award.objects.select_related("beneficiary__store").order_by("pk")), which
        )
        left = self.award_left()[award.pk]
        result = self.attempt(
            "award_reverse", services_points.award_reverse, award=award, reason=reason
        )
        assert (result is REFUSED) == (left <= 0 or not reason), (left, reason)
        if result is not REFUSED:
            assert result.points == -left and self.award_left()[award.pk] == 0

    @rule(who=picks, points=st.integers(min_value=20, max_value=300))
    def allowance(self, who, points) -> None:
        beneficiary = self.pick(self.beneficiaries(), who)
        self.attempt(
            "allowance",
            services_points.allowance_start,
            store=beneficiary.store,
            beneficiary=beneficiary,
            points=points,
            starts_on=self.today,
            reason="ผู้สูงอายุอยู่ลำพัง",
            valid_days=30,
        )

    # --- the counter ------------------------------------------------------------------------

    @rule(
        side=sides,
        who=picks,
        collector=st.sampled_from(["self", "adult", "child", "stranger"]),
        lines=st.lists(
            st.tuples(picks, basket_quantities, st.one_of(st.none(), st.none(), picks)),
            max_size=3,
        ),
    )
    def redeem(self, side, who, collector, lines) -> None:
        world = self.world
        store = self.store(side)
        beneficiary = self.pick(self.beneficiaries(), who)
        if beneficiary.kind == Beneficiary.Kind.PERSON:
            person = {
                "self": beneficiary.person_id,
                "adult": world["stranger"],
                "child": world["child"],
                "stranger": world["stranger"],
            }[collector]
        else:
            person = {
                "self": world["head"],
                "adult": world["spouse"],
                "child": world["child"],
                "stranger": world["stranger"],
            }[collector]
        redeemed_by = world["people"][person]
        items = list(Item.objects.filter(store=store).order_by("pk"))
        items.append(Item.objects.filter(store_id=world["stores"][self.other(side)]).first())
        lots = list(Lot.objects.order_by("pk"))
        basket = []
        for item_pick, quantity, lot_pick in lines:
            item = self.pick(items, item_pick)
            if lot_pick is None or not lots:
                basket.append((item, quantity))
                continue
            of_item = [lot for lot in lots if lot.item_id == item.pk]
            lot = self.pick(of_item or lots, lot_pick)  # mostly a lot of the item (expired too)
            basket.append((item, quantity, lot))
        self.try_redeem(store, beneficiary, redeemed_by, basket)

    def try_redeem(self, store, beneficiary, redeemed_by, basket):
        expected = self.expect_redemption(store, beneficiary, redeemed_by.pk, basket)
        before_left = self.usable_points(beneficiary.pk, self.today)
        result = self.attempt(
            "redeem",
            services_counter.redeem,
            store=store,
            beneficiary=beneficiary,
            redeemed_by=redeemed_by,
            lines=basket,
        )
        assert (result is REFUSED) == (expected is None), (basket, redeemed_by, expected)
        if result is not REFUSED:
            assert result.points == expected
            assert self.usable_points(beneficiary.pk, self.today) == before_left - expected
        return result

    @rule(
        side=sides,
        who=picks,
        picked=st.lists(
            st.tuples(picks, st.integers(min_value=1, max_value=3)), min_size=1, max_size=3
        ),
    )
    def redeem_what_is_on_the_shelf(self, side, who, picked) -> None:
        """A basket of items in stock for an active beneficiary collecting themselves (or the
        household's head): mostly accepted, refused only for too few points."""
        store = self.store(side)
        people = list(
            Beneficiary.objects.filter(store=store, state=Beneficiary.State.ACTIVE).order_by("pk")
        )
        left = self.lot_left()
        on_shelf = sorted(
            {
                lot.item_id
                for lot in Lot.objects.filter(store=store, item__active=True)
                if left[lot.pk] > 0 and (lot.expires_on is None or lot.expires_on >= self.today)
            }
        )
        if not people or not on_shelf:
            return
        beneficiary = self.pick(people, who)
        collector = beneficiary.person_id or self.world["head"]
        items = Item.objects.in_bulk(on_shelf)
        basket = [(items[self.pick(on_shelf, i)], quantity) for i, quantity in picked]
        self.try_redeem(store, beneficiary, self.world["people"][collector], basket)

    def expect_redemption(self, store, beneficiary, person_id, basket) -> int | None:
        """The points the basket costs when the rules allow it, else None (refused)."""
        today = self.today
        world = self.world
        if beneficiary.store_id != store.pk or beneficiary.state != Beneficiary.State.ACTIVE:
            return None
        if beneficiary.kind == Beneficiary.Kind.PERSON:
            if person_id != beneficiary.person_id:
                return None
        elif person_id not in (world["head"], world["spouse"]):  # adults of the household
            return None
        if not basket:
            return None
        left = {k: v for k, v in self.lot_left().items() if v > 0}
        lots = {lot.pk: lot for lot in Lot.objects.all()}
        explicit: dict[int, int] = defaultdict(int)
        fefo: dict[int, int] = defaultdict(int)
        cost = 0
        for line in basket:
            item, quantity = line[0], line[1]
            n = whole(quantity)
            if item.store_id != store.pk or not item.active or n is None:
                return None
            if len(line) == 3:
                lot = line[2]
                if lot.item_id != item.pk:
                    return None
                if lot.expires_on is not None and lot.expires_on < today:
                    return None
                explicit[lot.pk] += n
            else:
                fefo[item.pk] += n
            cost += n * item.points
        for lot_id, n in explicit.items():
            if left.get(lot_id, 0) < n:
                return None
            left[lot_id] -= n
        for item_id, n in fefo.items():
            usable = sum(
                units
                for lot_id, units in left.items()
                if lots[lot_id].item_id == item_id
                and (lots[lot_id].expires_on is None or lots[lot_id].expires_on >= today)
            )
            if usable < n:
                return None
        if cost > self.usable_points(beneficiary.pk, today):
            return None
        return cost

    @precondition(lambda self: Redemption.objects.exists())
    @rule(which=picks, reason=st.sampled_from(["ผิดคน", ""]))
    def cancel_redemption(self, which, reason) -> None:
        redemption = self.pick(
            list(Redemption.objects.select_related("store").order_by("pk")), which
        )
        result = self.attempt(
            "cancel_redemption",
            services_counter.redemption_cancel,
            redemption=redemption,
            reason=reason,
        )
        must_refuse = redemption.status == Status.CANCELLED or not reason
        assert (result is REFUSED) == must_refuse

    # --- surplus food -------------------------------------------------------------------------

    @rule(
        side=sides,
        donor=st.sampled_from(["own", "own", "city", "other"]),
        back=st.integers(min_value=0, max_value=12),
        weight=weights,
        split=st.sampled_from(["none", "none", "exact", "off"]),
    )
    def donation(self, side, donor, back, weight, split) -> None:
        district = self.district(side)
        giver = {
            "own": self.world["donors"][side],
            "city": self.world["donors"]["city"],
            "other": self.world["donors"][self.other(side)],
        }[donor]
        on = self.today - timedelta(days=back)
        grams = grams_of(weight)
        categories = []
        if split == "exact" and grams and grams >= 2:
            categories = [
                ("bakery", kg_text(grams // 2)),
                ("fruit_veg", kg_text(grams - grams // 2)),
            ]
        elif split == "off":
            categories = [("bakery", kg_text((grams or 1000) + 1))]
        result = self.attempt(
            "donation",
            services_surplus.donation_record,
            district=district,
            donor=giver,
            donated_on=on,
            weight_kg=weight,
            categories=categories,
        )
        must_refuse = (
            grams is None or grams > domain.MAX_WEIGHT_G or donor == "other" or split == "off"
        )
        assert (result is REFUSED) == must_refuse, (weight, donor, split)
        if result is not REFUSED:
            assert result.weight_g == grams
            assert len(result.categories.all()) == len(categories)

    @rule(
        side=sides,
        back=st.integers(min_value=0, max_value=8),
        share=st.sampled_from(["0.1", "0.3", "0.5", "1", "above", "bad"]),
        headcount=st.one_of(
            st.integers(min_value=1, max_value=80),
            st.integers(min_value=1, max_value=80),
            st.sampled_from(["0", "x", -3]),
        ),
    )
    def distribution(self, side, back, share, headcount) -> None:
        district = self.district(side)
        on = self.today - timedelta(days=back)
        can = lowest_from(self.surplus_days(district.pk), on)
        if share == "bad":
            weight = "-1"
        elif share == "above":
            weight = kg_text(max(can, 0) + 1)
        else:
            weight = kg_text(max(1, int(max(can, 0) * Decimal(share))))
        result = self.attempt(
            "distribution",
            services_surplus.distribution_record,
            district=district,
            distributed_on=on,
            recipient_kind="shelter",
            recipient_name="มูลนิธิทดสอบ",
            weight_kg=weight,
            headcount=headcount,
        )
        grams = grams_of(weight)
        must_refuse = grams is None or whole(headcount, 1_000_000) is None or grams > can
        assert (result is REFUSED) == must_refuse, (weight, can, headcount, on)

    @precondition(lambda self: SurplusDonation.objects.exists())
    @rule(which=picks, reason=st.sampled_from(["บันทึกซ้ำ", ""]))
    def cancel_donation(self, which, reason) -> None:
        donation = self.pick(list(SurplusDonation.objects.order_by("pk")), which)
        short = (
            donation.status == Status.RECORDED
            and lowest_from(
                self.surplus_days(donation.district_id, without=donation), donation.donated_on
            )
            < 0
        )
        result = self.attempt(
            "cancel_donation",
            services_surplus.donation_cancel,
            donation=donation,
            reason=reason,
        )
        must_refuse = donation.status == Status.CANCELLED or not reason or short
        assert (result is REFUSED) == must_refuse, (donation.status, reason, short)

    @precondition(lambda self: Distribution.objects.exists())
    @rule(which=picks, reason=st.sampled_from(["บันทึกผิด", ""]))
    def cancel_distribution(self, which, reason) -> None:
        distribution = self.pick(list(Distribution.objects.order_by("pk")), which)
        result = self.attempt(
            "cancel_distribution",
            services_surplus.distribution_cancel,
            distribution=distribution,
            reason=reason,
        )
        assert (result is REFUSED) == (distribution.status == Status.CANCELLED or not reason)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def stock_holds(self) -> None:
        lots = {lot.pk: lot for lot in Lot.objects.all()}
        by_lot: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for lot_id, item_id, store_id, day, quantity in StockMovement.objects.values_list(
            "lot_id", "item_id", "store_id", "moved_on", "quantity"
        ):
            lot = lots[lot_id]
            assert item_id == lot.item_id and store_id == lot.store_id, f"movement of lot {lot_id}"
            assert day >= lot.received_on, f"lot {lot_id} moved before it was received"
            by_lot[lot_id][day] += quantity
        left: dict[int, int] = {}
        for lot_id, days in by_lot.items():
            for day, running in running_by_day(days):
                assert running >= 0, f"lot {lot_id} is below zero at the end of {day}"
            left[lot_id] = sum(days.values())
        for side in ("A", "B"):
            store = self.store(side)
            mine = {pk: n for pk, n in left.items() if lots[pk].store_id == store.pk}
            per_item: dict[int, int] = defaultdict(int)
            expired: dict[int, int] = defaultdict(int)
            for pk, n in mine.items():
                per_item[lots[pk].item_id] += n
                if lots[pk].expires_on is not None and lots[pk].expires_on < self.today:
                    expired[lots[pk].item_id] += n
            assert ledger.item_stock(store) == {i: n for i, n in per_item.items() if n}
            assert ledger.lot_left(store) == {pk: n for pk, n in mine.items() if n > 0}
            for row in selectors_stock.stock_rows(store, self.today, include_inactive=True):
                assert row.on_hand == per_item.get(row.item.pk, 0), row.item
                assert row.expired == expired.get(row.item.pk, 0), row.item

    @invariant()
    def points_hold(self) -> None:
        awards = {a.pk: a for a in Award.objects.all()}
        entries = {e.pk: e for e in PointEntry.objects.all()}
        by_award: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        award_entries: dict[int, list[PointEntry]] = defaultdict(list)
        for entry in entries.values():
            award = awards[entry.award_id]
            assert entry.beneficiary_id == award.beneficiary_id
            by_award[award.pk][entry.on] += entry.points
            if entry.kind == PointEntry.Kind.AWARD:
                award_entries[award.pk].append(entry)
            elif entry.kind in (PointEntry.Kind.REDEEM, PointEntry.Kind.EXPIRE):
                assert entry.points < 0, entry.kind
            if entry.kind == PointEntry.Kind.EXPIRE and entry.redemption_id is None:
                assert entry.on > award.expires_on, "points expired before their expiry date"
            if entry.reverses_id is not None:
                reversed_ = entries[entry.reverses_id]
                assert entry.kind == PointEntry.Kind.REVERSE
                if reversed_.kind == PointEntry.Kind.REDEEM:
                    assert entry.points == -reversed_.points
                    assert entry.redemption_id == reversed_.redemption_id
        left: dict[int, int] = {}
        for award in awards.values():
            (first,) = award_entries[award.pk]
            assert first.points == award.points and first.on == award.awarded_on
            for day, running in running_by_day(by_award[award.pk]):
                assert running >= 0, f"award {award.pk} is below zero at the end of {day}"
            left[award.pk] = sum(by_award[award.pk].values())
        people = self.beneficiaries()
        usable_today = ledger.balances([b.pk for b in people], self.today)
        for beneficiary in people:
            mine = [a for a in awards.values() if a.beneficiary_id == beneficiary.pk]
            assert ledger.points_balance(beneficiary) == sum(left[a.pk] for a in mine)
            usable = sum(left[a.pk] for a in mine if a.awarded_on <= self.today <= a.expires_on)
            assert ledger.points_balance(beneficiary, on=self.today) == usable
            assert usable_today.get(beneficiary.pk, 0) == usable

    @invariant()
    def redemptions_hold(self) -> None:
        world = self.world
        lots = {lot.pk: lot for lot in Lot.objects.all()}
        awards = {a.pk: a for a in Award.objects.all()}
        by_store: dict[int, list[int]] = defaultdict(list)
        for redemption in Redemption.objects.select_related("beneficiary").prefetch_related(
            "lines", "movements", "point_entries"
        ):
            beneficiary = redemption.beneficiary
            by_store[redemption.store_id].append(redemption.number)
            assert beneficiary.store_id == redemption.store_id
            lines = list(redemption.lines.all())
            assert lines, f"redemption {redemption.pk} has no lines"
            for line in lines:
                assert line.points == line.quantity * line.points_each
                assert line.points_each == Item.objects.get(pk=line.item_id).points
                lot = lots[line.lot_id]
                assert lot.item_id == line.item_id and lot.store_id == redemption.store_id
                assert lot.expires_on is None or lot.expires_on >= redemption.redeemed_on
            assert redemption.points == sum(line.points for line in lines)
            per_lot: dict[int, int] = defaultdict(int)
            for line in lines:
                per_lot[line.lot_id] += line.quantity
            moved: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
            for movement in redemption.movements.all():
                moved[movement.kind][movement.lot_id] += movement.quantity
                if movement.kind == StockMovement.Kind.REDEMPTION:
                    assert movement.moved_on == redemption.redeemed_on
            assert {k: -v for k, v in moved[StockMovement.Kind.REDEMPTION].items()} == per_lot
            entries = list(redemption.point_entries.all())
            redeemed = [e for e in entries if e.kind == PointEntry.Kind.REDEEM]
            assert -sum(e.points for e in redeemed) == redemption.points
            for entry in redeemed:
                award = awards[entry.award_id]
                assert entry.on == redemption.redeemed_on
                assert award.awarded_on <= entry.on <= award.expires_on, "an expired award used"
                assert award.beneficiary_id == beneficiary.pk
            reversed_ = [e for e in entries if e.kind == PointEntry.Kind.REVERSE]
            expired = [e for e in entries if e.kind == PointEntry.Kind.EXPIRE]
            if redemption.status == Status.CANCELLED:
                assert dict(moved[StockMovement.Kind.RETURN]) == per_lot
                assert sum(e.points for e in reversed_) == redemption.points
                assert sorted(e.reverses_id for e in reversed_) == sorted(e.pk for e in redeemed)
                should_expire = sum(
                    e.points for e in reversed_ if awards[e.award_id].expires_on < e.on
                )
                assert -sum(e.points for e in expired) == should_expire
            else:
                assert not moved[StockMovement.Kind.RETURN] and not reversed_ and not expired
            if beneficiary.kind == Beneficiary.Kind.PERSON:
                assert redemption.redeemed_by_id == beneficiary.person_id
            else:
                member = Membership.objects.open_on(redemption.redeemed_on).filter(
                    household_id=beneficiary.household_id, person_id=redemption.redeemed_by_id
                )
                assert member.exists()
                birth = world["people"][redemption.redeemed_by_id].birth_date
                assert domain.is_adult(birth, redemption.redeemed_on)
        for numbers in by_store.values():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))

    @invariant()
    def surplus_holds(self) -> None:
        for side in ("A", "B"):
            district = self.district(side)
            days = self.surplus_days(district.pk)
            for day, running in running_by_day(days):
                assert running >= 0, f"{district.code} handed on more than it held on {day}"
            assert selectors_surplus.on_hand_g(district) == sum(days.values())
            for day, running in running_by_day(days)[-2:]:
                assert selectors_surplus.on_hand_g(district, on=day) == running
            for model in (SurplusDonation, Distribution):
                numbers = sorted(
                    model.objects.filter(district=district).values_list("number", flat=True)
                )
                assert numbers == list(range(1, len(numbers) + 1))
        donations = list(SurplusDonation.objects.prefetch_related("categories"))
        for donation in donations:
            assert donation.meals_per_kg == parameter_decimal(domain.MEALS_KEY, donation.donated_on)
            assert donation.kgco2e_per_kg == parameter_decimal(domain.CO2_KEY, donation.donated_on)
            parts = [c.weight_g for c in donation.categories.all()]
            assert not parts or sum(parts) == donation.weight_g
        people = list(
            Distribution.objects.values_list("district_id", "distributed_on", "headcount", "status")
        )
        month = (self.today - timedelta(days=40), self.today)
        days = (self.today - timedelta(days=6), self.today - timedelta(days=2))
        for area, (start, end) in (
            (None, month),
            (None, days),
            (self.district("A"), month),
            (self.district("B"), days),
        ):
            mine = [
                d
                for d in donations
                if d.status == Status.RECORDED
                and start <= d.donated_on <= end
                and (area is None or d.district_id == area.pk)
            ]
            grams = sum(d.weight_g for d in mine)
            meals = sum((Decimal(d.weight_g) * d.meals_per_kg / 1000 for d in mine), Decimal(0))
            co2 = sum((Decimal(d.weight_g) * d.kgco2e_per_kg / 1000 for d in mine), Decimal(0))
            served = sum(
                n
                for district_id, day, n, status in people
                if status == Status.RECORDED
                and start <= day <= end
                and (area is None or district_id == area.pk)
            )
            result = selectors_surplus.impact(area=area, start=start, end=end)
            assert result.grams == grams
            assert result.weight_kg == rounded(Decimal(grams) / 1000)
            assert result.meals == rounded(meals), (result.meals, meals)
            assert result.kgco2e == rounded(co2), (result.kgco2e, co2)
            assert result.donations == len(mine)
            assert result.donors == len({d.donor_id for d in mine})
            assert result.people_served == served


#: the second factor period starts this many days after the machine's first day
SWITCH_DAYS = 12


def _world(start: date) -> dict:
    """Stores, catalogues, donors and beneficiaries made once for every example, and a second
    period of the meals and CO2 factors starting ``SWITCH_DAYS`` into the run."""
    switch = start + timedelta(days=SWITCH_DAYS)
    for key, value in ((domain.MEALS_KEY, "4.5"), (domain.CO2_KEY, "2.61")):
        DatedParameter.objects.filter(key=key, valid_to__isnull=True).update(
            valid_to=switch - timedelta(days=1)
        )
        DatedParameter.objects.create(key=key, valid_from=switch, value=value)
    a, b = Area.objects.get(code="1001"), Area.objects.get(code="1002")
    store_a, store_b = make_store(a), make_store(b)
    for store in (store_a, store_b):
        make_item(store, name="ข้าวสาร", unit="ถุง", points=10)
        make_item(store, name="ปลากระป๋อง", unit="กระป๋อง", points=5)
    make_item(store_a, name="นมกล่อง", unit="กล่อง", points=25)
    make_item(store_a, name="สบู่เลิกแจก", unit="ก้อน", points=3, active=False)
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    household = make_household(community)
    head = make_person(household, relation="head", birth_date=date(1975, 3, 1), first_name="สมศักดิ์")
    spouse = make_person(
        household, relation="spouse", birth_date=date(1980, 5, 1), first_name="สมศรี"
    )
    child = make_person(
        household, relation="child", birth_date=start - timedelta(days=3650), first_name="เด็กชาย"
    )
    stranger = make_person(area=a, birth_date=date(1970, 1, 1), first_name="คนอื่น")
    person_1 = make_person(area=a, birth_date=date(1950, 1, 1), first_name="ยายมี")
    person_2 = make_person(area=a, birth_date=date(1990, 1, 1), first_name="นายดี")
    person_b = make_person(area=b, birth_date=date(1960, 1, 1), first_name="ตาสี")
    closed_person = make_person(area=a, birth_date=date(1965, 1, 1), first_name="ปิดแล้ว")
    make_beneficiary(store_a, person=person_1)
    make_beneficiary(store_a, person=person_2)
    make_beneficiary(store_a, household=household)
    closed = make_beneficiary(store_a, person=closed_person)
    Beneficiary.objects.filter(pk=closed.pk).update(
        state=Beneficiary.State.CLOSED, closed_on=start - timedelta(days=5), close_reason="ย้าย"
    )
    make_beneficiary(store_b, person=person_b)
    people = {
        p.pk: p
        for p in (head, spouse, child, stranger, person_1, person_2, person_b, closed_person)
    }
    return {
        "start": start,
        "stores": {"A": store_a.pk, "B": store_b.pk},
        "districts": {"A": a.pk, "B": b.pk},
        "donors": {
            "A": make_donor(a, name="ตลาดทดสอบ"),
            "B": make_donor(b, name="โรงแรมทดสอบ"),
            "city": make_donor("BKK", name="ห้างค้าปลีกทดสอบ"),
        },
        "people": people,
        "head": head.pk,
        "spouse": spouse.pk,
        "child": child.pk,
        "stranger": stranger.pk,
    }


def _run(max_examples: int, steps: int) -> None:
    OUTCOMES.clear()
    actor = make_user("fb-inv-officer", "district_officer", "1001")
    world = _world(timezone.localdate() - timedelta(days=30))
    machine = type("Books", (FoodBanks,), {"actor": actor, "world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print("food bank invariants:", ", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES.items())))
    for operation in ("receive", "redeem", "award", "donation", "distribution"):
        assert OUTCOMES[f"{operation} accepted"], (
            f"no {operation} was accepted: the run proves little"
        )


@pytest.mark.django_db
def test_food_bank_ledgers_hold_under_random_operations(communities):
    _run(max_examples=12, steps=40)


@pytest.mark.postgres
@pytest.mark.django_db
def test_food_bank_ledgers_hold_under_random_operations_on_postgresql(communities):
    _run(max_examples=30, steps=40)
