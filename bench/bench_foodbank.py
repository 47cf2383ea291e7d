"""BKK Food Bank at Bangkok scale: the surplus relay's impact totals against hand-written SQL,
the food bank's pages on a district store after three years against the same store after its
first months, and the counter's redemption path.

Data (COPY after a day-by-day simulation, so every ledger rule holds: no lot below zero at the
end of any day, no award below zero, no district handing on more surplus food than it received
by any day; BENCH_SCALE scales the history):
- Surplus relay, the whole city: 50 districts, 20 donors each plus 20 city-wide chains,
  250,000 surplus donations over three fiscal years plus the weeks of the current one (about
  10 % with category weights, 1 % cancelled), in two factor periods (4.2 meals and 2.53 kgCO2e
  per kg, then 4.5 and 2.61 from 1 April of the last full fiscal year), 60,000 distributions.
- District 1001's food bank: 300 items, 20,000 lots, about 200,000 stock movements (receipts,
  redemptions, write-offs of expired lots, count adjustments, transfers to district 1002,
  goods returned by cancelled redemptions), 8,000 beneficiaries (7,000 people and 1,000
  households of a registry of 36,000 people in 1001) with an assessment each, monthly
  allowances and one-off grants (100,000 awards), about 300,000 point entries (awards, redeemed
  earliest-expiry first, expired the day after expiry, reversed by cancelled redemptions) and
  60,000 redemptions.
- The small database: the same city, registry, catalogue and beneficiaries with 1/10 of the
  history (the last tenth of the period): the pages that list a page of rows must not grow with
  history (target ratio <= 1.5, the same number of queries).

Measured:
1. selectors_surplus.impact for the last full fiscal year city-wide and for district 1001
   against one raw GROUP BY (same weight, meals, kgCO2e, donations, donors, people served).
2. The public impact API (anonymous), the city report page (central officer), the district
   report, stock, beneficiaries list, counter search and counter beneficiary page (district
   officer / counter clerk of 1001), through django.test.Client: big against small.
3. services_counter.redeem on the big store (lock, checks, FEFO, entries, movements, audit),
   baskets of 1 and 3 items: target median < 100 ms; the stock reads behind the counter and the
   stock page against raw SQL; a prototype of the redemption reading only its basket's stock.

For the pages over 150 ms and the redemption, the slowest statements of one request and the
plan of the slowest SELECT are printed and written to results.md (where the time goes).

Writes its own section of bench/results.md.
"""

from __future__ import annotations

import heapq
import platform
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import harness
from bench.bench_registry import count_queries, make_viewer, verified_client
from bench.registry_data import load_registry

SEED = 2570
DISTRICT = "1001"
NEIGHBOUR = "1002"
HEADING = "# BKK Food Bank at Bangkok scale (`make bench`, bench/bench_foodbank.py)"
PAGE_RATIO = 1.5
#: a page within this many ms of the small store's is not a miss whatever the ratio (jitter of
#: pages answering in a few ms on a shared machine)
PAGE_SLACK_MS = 10.0
REDEEM_TARGET_MS = 100.0
SMALL = 0.1
#: the store receives no more lots while it holds more units than this (as a real store would
#: ask donors to wait), so the stock on hand is alike after 3 years and after 4 months
STOCK_CAP = 12_000
#: repetitions of a page (a page slower than SLOW_PAGE_S: fewer, to keep the run short)
PAGE_REPEAT = min(harness.REPEAT, 15)
SLOW_PAGE_S = 0.3
SLOW_PAGE_REPEAT = min(harness.REPEAT, 7)
#: pages slower than this (big) get their slowest statements in results.md
DIAGNOSE_MS = 150.0

DONORS_PER_DISTRICT = 20
CITY_DONORS = 20
DONATIONS = harness.scaled(250_000, minimum=2_000)
DISTRIBUTIONS = harness.scaled(60_000, minimum=500)
ITEMS = 300
LOTS = harness.scaled(20_000, minimum=400)
BENEFICIARIES = 8_000
HOUSEHOLD_BENEFICIARIES = 1_000
ALLOWANCES = 2_000
AWARDS = harness.scaled(100_000, minimum=2_000)
REDEMPTIONS = harness.scaled(60_000, minimum=600)
REGISTRY_HOUSEHOLDS = 12_000
REGISTRY_PEOPLE = 36_000

OLD_FACTORS = (Decimal("4.2"), Decimal("2.53"))
NEW_FACTORS = (Decimal("4.5"), Decimal("2.61"))

_ITEM_NAMES = [
    ("ข้าวสาร", "ถุง", "rice"), ("ข้าวหอมมะลิ", "ถุง", "rice"), ("บะหมี่กึ่งสำเร็จรูป", "ซอง", "dry"),
    ("ปลากระป๋อง", "กระป๋อง", "canned"), ("นมกล่อง", "กล่อง", "drinks"), ("ไข่ไก่", "แผง", "fresh"),
    ("น้ำมันพืช", "ขวด", "dry"), ("สบู่", "ก้อน", "hygiene"), ("ผ้าอ้อมผู้ใหญ่", "ห่อ", "baby"),
    ("ยาสีฟัน", "หลอด", "hygiene"), ("น้ำดื่ม", "แพ็ค", "drinks"), ("ผักสด", "กิโลกรัม", "fresh"),
]  # fmt: skip


def _at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


class Ids:
    """The next id of each table (rows are COPYed with their ids)."""

    def __init__(self, *models: Any) -> None:
        self.next: dict[Any, int] = {}
        for model in models:
            statement = f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}"  # noqa: S608
            self.next[model] = harness.fetchall(statement)[0][0]

    def take(self, model: Any) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


@dataclass
class Built:
    fraction: float
    start: date
    today: date
    counts: dict[str, int]
    seconds: float
    store_id: int
    person_beneficiary: int = 0
    household_beneficiary: int = 0
    search_text: str = ""
    search_national_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- the surplus relay ---------------------------------------------------------------------------


def factor_switch(today: date) -> date:
    """1 April of the last full fiscal year: the second factor period starts."""
    from chumchon.core.dates import fiscal_year, fiscal_year_bounds

    start, _end = fiscal_year_bounds(fiscal_year(today) - 1)
    return date(start.year + 1, 4, 1)


def history_start(today: date) -> date:
    """The first day of the fiscal year three years before the current one."""
    from chumchon.core.dates import fiscal_year, fiscal_year_bounds

    return fiscal_year_bounds(fiscal_year(today) - 3)[0]


def set_factor_periods(switch: date) -> None:
    """The migration's open-ended factors end the day before ``switch``; new ones start then."""
    from chumchon.core.models import DatedParameter
    from chumchon.foodbank import domain

    for key, value in ((domain.MEALS_KEY, NEW_FACTORS[0]), (domain.CO2_KEY, NEW_FACTORS[1])):
        DatedParameter.objects.filter(key=key, valid_to__isnull=True).update(
            valid_to=switch - timedelta(days=1)
        )
        DatedParameter.objects.create(key=key, name=key, valid_from=switch, value=str(value))


def build_surplus(bench: harness.Bench, rng: random.Random, start: date, today: date,
                  fraction: float, clerk_id: int) -> dict[str, int]:  # fmt: skip
    from chumchon.foodbank.models import Distribution, DonationCategory, Donor, SurplusDonation
    from chumchon.organizations.models import Area

    city = Area.objects.get(code="BKK")
    districts = list(Area.objects.filter(kind__code="district").order_by("code"))
    donors: dict[int, list[int]] = {}
    kinds = ["business", "hotel", "market", "school", "temple", "individual", "other"]
    rows = []
    for d in districts:
        for k in range(DONORS_PER_DISTRICT):
            kind = kinds[k % len(kinds)]
            name = f"สมศรี ใจบุญ{k}" if kind == "individual" else f"ร้านค้าทดสอบ {d.code}-{k:02d}"
            rows.append(Donor(area=d, kind=kind, name=name, created_by_id=clerk_id))
    for k in range(CITY_DONORS):
        rows.append(Donor(area=city, kind="business", name=f"ห้างค้าปลีก {k:02d}",
                          branch="ทุกสาขา", agreement_no=f"MOU-{k:03d}", created_by_id=clerk_id))  # fmt: skip
    Donor.objects.bulk_create(rows, batch_size=1000)
    city_donors = list(Donor.objects.filter(area=city).values_list("pk", flat=True))
    for d in districts:
        donors[d.pk] = list(Donor.objects.filter(area=d).values_list("pk", flat=True))

    switch = factor_switch(today)
    days = _days(start, today)
    weights = [rng.lognormvariate(0, 0.5) for _ in districts]
    weights[[d.code for d in districts].index(DISTRICT)] *= 3
    total_w = sum(weights)
    n_donations = max(1, round(DONATIONS * fraction))
    n_distributions = max(1, round(DISTRIBUTIONS * fraction))
    ids = Ids(SurplusDonation, Distribution, DonationCategory)
    donation_rows, category_rows, distribution_rows = [], [], []
    categories = [c for c, _label in SurplusDonation.Category.choices]
    counts = defaultdict(int)
    for d, w in zip(districts, weights, strict=True):
        n = max(1, round(n_donations * w / total_w))
        dated = sorted(rng.choice(days) for _ in range(n))
        received_by: dict[date, int] = defaultdict(int)
        for number, day in enumerate(dated, start=1):
            grams = max(100, min(2_000_000, int(rng.lognormvariate(9.4, 1.0))))
            factors = NEW_FACTORS if day >= switch else OLD_FACTORS
            cancelled = rng.random() < 0.01
            pk = ids.take(SurplusDonation)
            donor = rng.choice(city_donors) if rng.random() < 0.2 else rng.choice(donors[d.pk])
            donation_rows.append((
                pk, d.pk, number, donor, day, grams, factors[0], factors[1],
                "cancelled" if cancelled else "recorded", "บันทึกซ้ำ" if cancelled else "",
                _at(day, 9) if cancelled else None, clerk_id if cancelled else None,
                _at(day), clerk_id, "", "", "", "", "",
            ))  # fmt: skip
            counts["donations"] += 1
            counts["cancelled donations"] += cancelled
            if not cancelled:
                received_by[day] += grams
            if rng.random() < 0.1 and grams >= 300:
                parts = rng.sample(categories, rng.randint(1, 3))
                cuts = sorted(rng.sample(range(1, grams), len(parts) - 1))
                bounds = [0, *cuts, grams]
                for i, category in enumerate(parts):
                    share = bounds[i + 1] - bounds[i]
                    category_rows.append((ids.take(DonationCategory), pk, category, share))
                counts["donations with categories"] += 1
        # distributions: in date order, never more than the district holds at the end of a day
        m = max(1, round(n_distributions * w / total_w))
        dated_out = sorted(rng.choice(days) for _ in range(m))
        running_in = 0
        out = 0
        received_days = sorted(received_by)
        ri = 0
        number = 0
        for day in dated_out:
            while ri < len(received_days) and received_days[ri] <= day:
                running_in += received_by[received_days[ri]]
                ri += 1
            held = running_in - out
            if held < 1000:
                continue
            grams = min(held * 3 // 4, max(1000, int(rng.lognormvariate(10.5, 0.8))))
            cancelled = rng.random() < 0.01
            number += 1
            kind = rng.choice(["shelter", "group", "group"])
            distribution_rows.append((
                ids.take(Distribution), d.pk, number, day, kind, None,
                "มูลนิธิทดสอบ" if kind == "shelter" else "กลุ่มผู้สูงอายุ", grams,
                rng.randint(5, 300), "", "cancelled" if cancelled else "recorded",
                "บันทึกผิด" if cancelled else "", _at(day, 9) if cancelled else None,
                clerk_id if cancelled else None, _at(day), clerk_id,
            ))  # fmt: skip
            counts["distributions"] += 1
            if not cancelled:
                out += grams
    donation_columns = [
        "id", "district_id", "number", "donor_id", "donated_on", "weight_g", "meals_per_kg",
        "kgco2e_per_kg", "status", "cancel_reason", "cancelled_at", "cancelled_by_id",
        "recorded_at", "recorded_by_id", "picked_up_by", "pickup_address", "handed_over_to",
        "reference", "note",
    ]  # fmt: skip
    distribution_columns = [
        "id", "district_id", "number", "distributed_on", "recipient_kind", "community_id",
        "recipient_name", "weight_g", "headcount", "note", "status", "cancel_reason",
        "cancelled_at", "cancelled_by_id", "recorded_at", "recorded_by_id",
    ]  # fmt: skip
    bench.load(harness.copy_rows(SurplusDonation, donation_columns, donation_rows,
                                 drop_indexes=True))  # fmt: skip
    bench.load(harness.copy_rows(DonationCategory, ["id", "donation_id", "category", "weight_g"],
                                 category_rows, drop_indexes=True))  # fmt: skip
    bench.load(harness.copy_rows(Distribution, distribution_columns, distribution_rows,
                                 drop_indexes=True))  # fmt: skip
    counts["donors"] = Donor.objects.count()
    return dict(counts)


# --- the district food bank ----------------------------------------------------------------------


@dataclass
class AwardState:
    id: int
    beneficiary: int
    left: int
    awarded_on: date
    expires_on: date


@dataclass
class LotState:
    id: int
    item: int
    left: int
    received_on: date
    expires_on: date | None


class StoreSim:
    """District 1001's food bank, day by day; rows appended in COPY column order."""

    def __init__(self, rng: random.Random, store: Any, neighbour: Any, items: list[Any],
                 clerk_id: int, beneficiaries: list[tuple[int, date, int]]) -> None:  # fmt: skip
        from chumchon.foodbank.models import (
            Allowance,
            Award,
            Lot,
            PointEntry,
            Redemption,
            RedemptionLine,
            StockMovement,
        )

        self.rng = rng
        self.store = store
        self.neighbour = neighbour
        self.items = items
        self.points = {i.pk: i.points for i in items}
        self.clerk = clerk_id
        self.ids = Ids(Allowance, Award, Lot, PointEntry, Redemption, RedemptionLine, StockMovement)
        self.M = {
            "allowance": Allowance, "award": Award, "lot": Lot, "entry": PointEntry,
            "redemption": Redemption, "line": RedemptionLine, "movement": StockMovement,
        }  # fmt: skip
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.beneficiaries = beneficiaries  # (id, registered_on, collector person id)
        self.collector = {b: p for b, _on, p in beneficiaries}
        self.awards_of: dict[int, list[AwardState]] = defaultdict(list)
        self.award_heap: list[tuple[date, int, AwardState]] = []
        self.lots_of: dict[int, list[LotState]] = defaultdict(list)
        self.lot_heap: list[tuple[date, int, LotState]] = []
        self.writeoff_heap: list[tuple[date, int, LotState]] = []
        self.units = 0  # units on hand in the store
        self.with_stock: list[LotState] = []
        self.redemption_no = 0
        self.counts: dict[str, int] = defaultdict(int)

    def take(self, name: str) -> int:
        return self.ids.take(self.M[name])

    # rows
    def movement(self, lot: LotState, kind: str, quantity: int, day: date, *,
                 store: int | None = None, redemption: int | None = None, reason: str = "",
                 transfer: str | None = None) -> None:  # fmt: skip
        self.rows["movement"].append((
            self.take("movement"), store or self.store.pk, lot.item, lot.id, kind, quantity, day,
            reason, redemption, transfer, _at(day), self.clerk,
        ))  # fmt: skip
        self.counts[f"movements: {kind}"] += 1
        if (store or self.store.pk) == self.store.pk:
            self.units += quantity

    def entry(self, award: AwardState, kind: str, points: int, day: date, *,
              redemption: int | None = None, reverses: int | None = None) -> int:  # fmt: skip
        pk = self.take("entry")
        self.rows["entry"].append((
            pk, award.beneficiary, award.id, kind, points, day, redemption, reverses, "",
            _at(day), self.clerk,
        ))  # fmt: skip
        self.counts[f"point entries: {kind}"] += 1
        return pk

    def award(self, beneficiary: int, points: int, day: date, valid_days: int, *,
              allowance: int | None = None) -> None:  # fmt: skip
        pk = self.take("award")
        state = AwardState(pk, beneficiary, points, day, day + timedelta(days=valid_days))
        self.rows["award"].append((
            pk, beneficiary, "monthly" if allowance else "one_off", points, day,
            state.expires_on, allowance, day if allowance else None,
            "" if allowance else "ช่วยเหลือกรณีฉุกเฉิน", _at(day), self.clerk,
        ))  # fmt: skip
        self.entry(state, "award", points, day)
        self.awards_of[beneficiary].append(state)
        heapq.heappush(self.award_heap, (state.expires_on, pk, state))

    def receive(self, day: date) -> None:
        if self.units > STOCK_CAP:  # the store is full: donors are asked to wait
            self.counts["receipts declined (store full)"] += 1
            return
        item = self.rng.choice(self.items)
        expires = None
        if item.category != "hygiene" or self.rng.random() < 0.2:
            expires = day + timedelta(days=self.rng.randint(20, 400))
        lot = LotState(self.take("lot"), item.pk, self.rng.randint(4, 22), day, expires)
        self.rows["lot"].append((lot.id, self.store.pk, item.pk, day, expires, None, None, ""))
        kind = "donation_in" if self.rng.random() < 0.8 else "purchase_in"
        self.movement(lot, kind, lot.left, day)
        self.lots_of[item.pk].append(lot)
        self.with_stock.append(lot)
        if expires is not None:
            heapq.heappush(self.lot_heap, (expires, lot.id, lot))

    def usable_lots(self, item: int, day: date) -> list[LotState]:
        lots = [
            lot for lot in self.lots_of[item]
            if lot.left > 0 and (lot.expires_on is None or lot.expires_on >= day)
        ]  # fmt: skip
        lots.sort(key=lambda lot: (lot.expires_on is None, lot.expires_on or date.max,
                                   lot.received_on, lot.id))  # fmt: skip
        return lots

    def usable_awards(self, beneficiary: int, day: date) -> list[AwardState]:
        awards = [
            a for a in self.awards_of[beneficiary]
            if a.left > 0 and a.awarded_on <= day and a.expires_on >= day
        ]  # fmt: skip
        awards.sort(key=lambda a: (a.expires_on, a.awarded_on, a.id))
        return awards

    def redeem(self, beneficiary: int, day: date) -> bool:
        awards = self.usable_awards(beneficiary, day)
        budget = sum(a.left for a in awards)
        if budget < 5:
            return False
        lines: list[tuple[LotState, int]] = []
        spent = 0
        picked: set[int] = set()
        for _ in range(self.rng.randint(2, 6)):
            item = self.rng.choice(self.items)
            if item.pk in picked:
                continue
            lots = self.usable_lots(item.pk, day)
            stock = sum(lot.left for lot in lots)
            qty = min(self.rng.randint(1, 3), stock, (budget - spent) // item.points)
            if qty <= 0:
                continue
            picked.add(item.pk)
            spent += qty * item.points
            need = qty
            for lot in lots:
                if need <= 0:
                    break
                taken = min(lot.left, need)
                lines.append((lot, taken))
                need -= taken
        if not lines:
            return False
        pk = self.take("redemption")
        self.redemption_no += 1
        cancelled = self.rng.random() < 0.02
        for lot, taken in lines:
            lot.left -= taken
            self.movement(lot, "redemption", -taken, day, redemption=pk)
            points_each = self.points[lot.item]
            self.rows["line"].append((self.take("line"), pk, lot.item, lot.id, taken, points_each,
                                      taken * points_each))  # fmt: skip
        need = spent
        redeem_entries: list[tuple[AwardState, int, int]] = []
        for award in awards:
            if need <= 0:
                break
            taken = min(award.left, need)
            award.left -= taken
            need -= taken
            redeem_entries.append((award, taken, self.entry(award, "redeem", -taken, day,
                                                              redemption=pk)))  # fmt: skip
        if cancelled:  # the same day: goods back to their lots, points back to their awards
            for lot, taken in lines:
                lot.left += taken
                self.movement(lot, "return", taken, day, redemption=pk, reason="ยกเลิก")
            for award, taken, entry_pk in redeem_entries:
                award.left += taken
                self.entry(award, "reverse", taken, day, redemption=pk, reverses=entry_pk)
        self.rows["redemption"].append((
            pk, self.store.pk, self.redemption_no, beneficiary, self.collector[beneficiary], day,
            spent, "cancelled" if cancelled else "recorded", "ผิดคน" if cancelled else "",
            _at(day, 10) if cancelled else None, self.clerk if cancelled else None, _at(day, 8),
            self.clerk,
        ))  # fmt: skip
        self.counts["redemptions"] += 1
        self.counts["cancelled redemptions"] += cancelled
        return True

    def run(self, start: date, today: date, n_lots: int, n_awards: int, n_redemptions: int
            ) -> None:  # fmt: skip
        rng = self.rng
        days = _days(start, today)
        registered: list[int] = []
        by_day: dict[date, list[int]] = defaultdict(list)
        for b, on, _p in self.beneficiaries:
            by_day[max(on, start)].append(b)
        # monthly allowances: a quarter of the beneficiaries get one from their first month on
        allowances: list[tuple[int, int, int, date, date | None]] = []
        for b, on, _p in rng.sample(self.beneficiaries, min(ALLOWANCES, len(self.beneficiaries))):
            first = max(on, start)
            if first.day != 1:  # from the first of the next month
                first = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
            stopped = None
            if rng.random() < 0.3:
                stopped = first + timedelta(days=rng.randint(60, 900))
            pk = self.take("allowance")
            points = rng.choice([100, 200, 300])
            allowances.append((pk, b, points, first, stopped))
            self.rows["allowance"].append((
                pk, b, points, first, None, 60, "ผู้สูงอายุอยู่ลำพัง", stopped if stopped and
                stopped <= today else None, "ย้ายออก" if stopped and stopped <= today else "",
                _at(first), self.clerk,
            ))  # fmt: skip
        monthly = sum(
            1
            for day in days
            if day.day == 1
            for _pk, _b, _points, first, stopped in allowances
            if first <= day and (stopped is None or day <= stopped)
        )
        one_off = max(0, n_awards - monthly)
        grants_on = sorted(rng.choice(days) for _ in range(one_off))
        receipts_on = sorted(rng.choice(days) for _ in range(n_lots))
        gi = ri = 0
        per_day = n_redemptions / len(days)
        carry = 0.0
        for day in days:
            # the expiry job (yesterday's expired awards) and the expired lots written off
            while self.award_heap and self.award_heap[0][0] < day:
                _exp, _pk, award = heapq.heappop(self.award_heap)
                if award.left > 0:
                    self.entry(award, "expire", -award.left, award.expires_on + timedelta(days=1))
                    award.left = 0
            while self.lot_heap and self.lot_heap[0][0] < day:
                # an expired lot is written off one to three weeks later
                _exp, pk, lot = heapq.heappop(self.lot_heap)
                later = day + timedelta(days=rng.randint(1, 21))
                heapq.heappush(self.writeoff_heap, (later, pk, lot))
            while self.writeoff_heap and self.writeoff_heap[0][0] <= day:
                _on, _pk, lot = heapq.heappop(self.writeoff_heap)
                if lot.left > 0:
                    self.movement(lot, "write_off", -lot.left, day, reason="หมดอายุ")
                    lot.left = 0
            while ri < len(receipts_on) and receipts_on[ri] == day:
                self.receive(day)
                ri += 1
            registered.extend(by_day.get(day, []))
            if day.day == 1:
                for pk, b, points, first, stopped in allowances:
                    if first <= day and (stopped is None or day <= stopped):
                        self.award(b, points, day, 60, allowance=pk)
            while gi < len(grants_on) and grants_on[gi] == day:
                gi += 1
                if registered:
                    self.award(
                        rng.choice(registered), rng.choice([50, 100, 150, 200, 300]), day, 90
                    )
            carry += per_day
            while carry >= 1 and registered:
                carry -= 1
                for _try in range(30):
                    if self.redeem(rng.choice(registered), day):
                        break
            if rng.random() < 0.3:  # a stock count finds one lot off by a unit or two
                self.adjust(day)
            if rng.random() < 0.05:
                self.transfer(day)
            if len(self.with_stock) > 4000:
                self.with_stock = [lot for lot in self.with_stock if lot.left > 0]

    def adjust(self, day: date) -> None:
        lots = [lot for lot in self.with_stock[-500:] if lot.left > 0]
        if lots:
            lot = self.rng.choice(lots)
            change = self.rng.choice([-2, -1, 1])
            change = max(change, -lot.left)
            if change:
                lot.left += change
                self.movement(lot, "adjustment", change, day, reason="ตรวจนับ")

    def transfer(self, day: date) -> None:
        import uuid

        lots = [
            lot for lot in self.with_stock[-500:]
            if lot.left >= 4 and (lot.expires_on is None or lot.expires_on >= day)
        ]  # fmt: skip
        if not lots:
            return
        lot = self.rng.choice(lots)
        qty = lot.left // 2
        transfer = str(uuid.UUID(int=self.rng.getrandbits(128)))
        lot.left -= qty
        self.movement(lot, "transfer_out", -qty, day, transfer=transfer, reason="ส่งต่อเขตข้างเคียง")
        item = self.neighbour_items[lot.item]
        new = LotState(self.take("lot"), item, qty, day, lot.expires_on)
        self.rows["lot"].append((new.id, self.neighbour.pk, item, day, lot.expires_on, None,
                                 lot.id, "รับโอน"))  # fmt: skip
        self.movement(new, "transfer_in", qty, day, store=self.neighbour.pk, transfer=transfer)

    neighbour_items: dict[int, int] = {}

    def load(self, bench: harness.Bench) -> None:
        columns = {
            "allowance": ["id", "beneficiary_id", "points", "starts_on", "ends_on", "valid_days",
                          "reason", "stopped_on", "stop_reason", "created_at", "created_by_id"],
            "award": ["id", "beneficiary_id", "kind", "points", "awarded_on", "expires_on",
                      "allowance_id", "month", "reason", "awarded_at", "awarded_by_id"],
            "lot": ["id", "store_id", "item_id", "received_on", "expires_on", "donor_id",
                    "from_lot_id", "note"],
            "redemption": ["id", "store_id", "number", "beneficiary_id", "redeemed_by_id",
                           "redeemed_on", "points", "status", "cancel_reason", "cancelled_at",
                           "cancelled_by_id", "at", "clerk_id"],
            "line": ["id", "redemption_id", "item_id", "lot_id", "quantity", "points_each",
                     "points"],
            "movement": ["id", "store_id", "item_id", "lot_id", "kind", "quantity", "moved_on",
                         "reason", "redemption_id", "transfer_id", "recorded_at",
                         "recorded_by_id"],
            "entry": ["id", "beneficiary_id", "award_id", "kind", "points", "on",
                      "redemption_id", "reverses_id", "reason", "at", "by_id"],
        }  # fmt: skip
        # lots before their transfers' from_lot: sort by id (from_lot is always older)
        self.rows["lot"].sort()
        for name in ("allowance", "award", "lot", "redemption", "line", "movement", "entry"):
            data = self.rows[name]
            if name in ("entry", "movement"):
                data.sort()
            bench.load(harness.copy_rows(self.M[name], columns[name], data, drop_indexes=True))


def build_store(bench: harness.Bench, start: date, today: date,
                fraction: float, clerk_id: int) -> tuple[Any, dict[str, int], dict[str, Any]]:  # fmt: skip
    from chumchon.communities.models import Household, Membership, Person
    from chumchon.foodbank import ledger
    from chumchon.foodbank.models import Assessment, Beneficiary, Criterion, Item
    from chumchon.organizations.models import Area

    rng = random.Random(SEED + 1)  # the same catalogue and beneficiaries whatever the history
    district = Area.objects.get(code=DISTRICT)
    store = ledger.store_for(district)
    neighbour = ledger.store_for(Area.objects.get(code=NEIGHBOUR))
    items = []
    for k in range(ITEMS):
        name, unit, category = _ITEM_NAMES[k % len(_ITEM_NAMES)]
        items.append(Item(store=store, name=f"{name} แบบที่ {k // len(_ITEM_NAMES) + 1}", unit=unit,
                          category=category, points=rng.choice([5, 10, 15, 20, 30, 40, 60])))  # fmt: skip
    Item.objects.bulk_create(items)
    neighbour_items = Item.objects.bulk_create(
        [
            Item(store=neighbour, name=i.name, unit=i.unit, category=i.category, points=i.points)
            for i in items
        ]  # fmt: skip
    )
    # beneficiaries: 7,000 people and 1,000 households of the registry of 1001
    people = list(
        Person.objects.filter(area__path__startswith=district.path, birth_date__year__lte=2000)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen_people = rng.sample(people, BENEFICIARIES - HOUSEHOLD_BENEFICIARIES)
    heads = dict(
        Membership.objects.filter(relation="head", until__isnull=True).values_list(
            "household_id", "person_id"
        )
    )
    households = rng.sample(
        sorted(Household.objects.filter(pk__in=list(heads)).values_list("pk", flat=True)),
        HOUSEHOLD_BENEFICIARIES,
    )
    days = _days(start, today)
    early = days[: max(1, len(days) // 20)]
    who = [("person", p, p) for p in chosen_people] + [
        ("household", h, heads[h]) for h in households
    ]  # noqa: E501
    rng.shuffle(who)
    beneficiary_rows = []
    registered_on = sorted(
        rng.choice(early) if rng.random() < 0.3 else rng.choice(days[:-7] or days) for _ in who
    )
    for number, ((kind, pk, _collector), on) in enumerate(zip(who, registered_on, strict=True), 1):
        beneficiary_rows.append(Beneficiary(
            store=store, number=number, kind=kind, person_id=pk if kind == "person" else None,
            household_id=pk if kind == "household" else None, registered_on=on,
            created_by_id=clerk_id,
        ))  # fmt: skip
    Beneficiary.objects.bulk_create(beneficiary_rows, batch_size=2000)
    criteria = list(Criterion.objects.filter(active=True).values_list("code", "max_score"))
    assessments = []
    for b in beneficiary_rows:
        scores = {code: rng.randint(0, top) for code, top in criteria}
        assessments.append(Assessment(
            beneficiary=b, assessed_on=b.registered_on, flags=["elderly"] if rng.random() < 0.3
            else [], scores=scores, total=sum(scores.values()), assessed_by_id=clerk_id,
        ))  # fmt: skip
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    sim = StoreSim(random.Random(SEED + 2), store, neighbour, items, clerk_id,
                   [(b.pk, b.registered_on, c) for b, (_k, _pk, c) in zip(beneficiary_rows, who, strict=True)])  # noqa: E501 # fmt: skip
    sim.neighbour_items = {i.pk: n.pk for i, n in zip(items, neighbour_items, strict=True)}
    sim.run(start, today, max(1, round(LOTS * fraction)), max(1, round(AWARDS * fraction)),
            max(1, round(REDEMPTIONS * fraction)))  # fmt: skip
    sim.load(bench)
    held = [lot for lots in sim.lots_of.values() for lot in lots if lot.left > 0]
    sim.counts["lots holding stock at the end"] = len(held)
    sim.counts["units on hand at the end"] = sum(lot.left for lot in held)
    sim.counts["expired lots on hand at the end"] = sum(
        1 for lot in held if lot.expires_on is not None and lot.expires_on < today
    )
    counts = {
        "items": ITEMS,
        "lots": len(sim.rows["lot"]),
        "stock movements": len(sim.rows["movement"]),
        "beneficiaries": len(beneficiary_rows),
        "allowances": len(sim.rows["allowance"]),
        "awards": len(sim.rows["award"]),
        "point entries": len(sim.rows["entry"]),
        "redemptions": len(sim.rows["redemption"]),
        "redemption lines": len(sim.rows["line"]),
    }
    detail = dict(sorted(sim.counts.items()))
    # a beneficiary of each kind with points usable today, for the counter page
    usable = {
        b: sum(a.left for a in sim.usable_awards(b, today)) for b, _on, _p in sim.beneficiaries
    }
    kinds = {b.pk: b.kind for b in beneficiary_rows}
    person_b = max((b for b in usable if kinds[b] == "person"), key=lambda b: (usable[b], -b))
    household_b = max((b for b in usable if kinds[b] == "household"), key=lambda b: (usable[b], -b))
    return store, counts, {"detail": detail, "person": person_b, "household": household_b}


# --- building a database ---------------------------------------------------------------------------


def build(bench: harness.Bench, fraction: float) -> Built:
    from django.utils import timezone

    from chumchon.accounts.models import User
    from chumchon.communities.models import Person

    started = time.perf_counter()
    rng = random.Random(SEED)
    today = timezone.localdate()
    full_start = history_start(today)
    start = today - timedelta(days=round((today - full_start).days * fraction))
    clerk = User.objects.create(username="bench_foodbank_robot", password="!")
    set_factor_periods(factor_switch(today))
    load_registry(bench, seed=SEED, communities=30, households=REGISTRY_HOUSEHOLDS,
                  people=REGISTRY_PEOPLE, id_base=30_000_000, districts_only=(DISTRICT,))  # fmt: skip
    surplus_counts = build_surplus(bench, rng, start, today, fraction, clerk.pk)
    store, store_counts, extra = build_store(bench, start, today, fraction, clerk.pk)
    for table in (
        "foodbank_donor",
        "foodbank_item",
        "foodbank_beneficiary",
        "foodbank_assessment",
        "foodbank_store",
        "core_datedparameter",
    ):
        harness.execute(f"VACUUM (ANALYZE) {table}")
    person = Person.objects.get(foodbank_beneficiaries__pk=extra["person"])
    counts = {**surplus_counts, **store_counts}
    seconds = time.perf_counter() - started
    bench.say(f"   load: {', '.join(f'{v:,} {k}' for k, v in counts.items())}; {seconds:.1f} s")
    bench.say(f"   detail: {extra['detail']}")
    return Built(
        fraction=fraction,
        start=start,
        today=today,
        counts=counts,
        seconds=seconds,
        store_id=store.pk,
        person_beneficiary=extra["person"],
        household_beneficiary=extra["household"],
        search_text=person.first_name[:4],
        search_national_id=person.national_id,
        extra=extra,
    )


def make_viewers() -> None:
    make_viewer("bench_central_officer", "central_officer", "BKK")
    make_viewer("bench_district_officer", "district_officer", DISTRICT)
    make_viewer("bench_clerk", "foodbank_clerk", DISTRICT)


# --- 1. impact against raw SQL ------------------------------------------------------------------------

IMPACT_SQL = """
    SELECT meals_per_kg, kgco2e_per_kg, sum(weight_g), count(*), count(DISTINCT donor_id),
      GROUPING(meals_per_kg, kgco2e_per_kg)
    FROM foodbank_surplusdonation
    WHERE status = 'recorded' AND donated_on BETWEEN %(start)s AND %(end)s {where}
    GROUP BY GROUPING SETS ((meals_per_kg, kgco2e_per_kg), ())"""
PEOPLE_SQL = """
    SELECT coalesce(sum(headcount), 0) FROM foodbank_distribution
    WHERE status = 'recorded' AND distributed_on BETWEEN %(start)s AND %(end)s {where}"""
UNDER_AREA = "AND district_id IN (SELECT id FROM organizations_area WHERE path LIKE %(path)s)"


def raw_impact(path: str | None, start: date, end: date) -> Any:
    """One GROUP BY (grams per factor pair, and the totals' row with distinct donors) and the
    people served; ``path`` None: the whole city without a join."""
    from chumchon.foodbank import domain

    where = UNDER_AREA if path else ""
    params = {"start": start, "end": end, "path": (path or "").replace("%", r"\%") + "%"}
    impact_sql = IMPACT_SQL.format(where=where)
    people_sql = PEOPLE_SQL.format(where=where)

    def run():
        rows = harness.fetchall(impact_sql, params)
        groups = [r for r in rows if r[5] == 0]
        total = next((r for r in rows if r[5] != 0), None)
        people = harness.fetchall(people_sql, params)[0][0]
        result = domain.impact(
            [(m, c, g) for m, c, g, *_rest in groups],
            donations=total[3] if total else 0,
            donors=total[4] if total else 0,
            people_served=people,
        )
        return _impact_tuple(result)

    return run


def _impact_tuple(result: Any) -> tuple:
    return (
        result.weight_kg,
        result.meals,
        result.kgco2e,
        result.donations,
        result.donors,
        result.people_served,
    )


def compare_impact(bench: harness.Bench, built: Built) -> list[harness.Result]:
    from chumchon.core.dates import fiscal_year, fiscal_year_bounds
    from chumchon.foodbank import selectors_surplus
    from chumchon.organizations.models import Area

    start, end = fiscal_year_bounds(fiscal_year(built.today) - 1)
    city = Area.objects.get(code="BKK")
    district = Area.objects.get(code=DISTRICT)
    results = []
    results += bench.compare(
        f"selectors_surplus.impact(city, FY{fiscal_year(start)})",
        raw=raw_impact(None, start, end),
        variants={
            "ORM (area None)": lambda: _impact_tuple(
                selectors_surplus.impact(area=None, start=start, end=end)
            ),
            "ORM (area = the city)": lambda: _impact_tuple(
                selectors_surplus.impact(area=city, start=start, end=end)
            ),
        },
        show_plans=True,
    )
    results += bench.compare(
        f"selectors_surplus.impact({DISTRICT}, FY{fiscal_year(start)})",
        raw=raw_impact(district.path, start, end),
        variants={
            "ORM": lambda: _impact_tuple(
                selectors_surplus.impact(area=district, start=start, end=end)
            )
        },
        show_plans=True,
    )
    return results


def public_impact(built: Built) -> tuple[str, Any]:
    """The public API's URL for the last full fiscal year and what it must answer."""
    from chumchon.core.dates import fiscal_year, fiscal_year_bounds

    start, end = fiscal_year_bounds(fiscal_year(built.today) - 1)
    expected = raw_impact(None, start, end)
    return f"/api/v1/foodbank/impact?from={start.isoformat()}&to={end.isoformat()}", expected


# --- 2. pages ------------------------------------------------------------------------------------------


def page_sets(built: Built) -> list[tuple[str, dict[str, str]]]:
    from django.urls import NoReverseMatch, reverse

    def url(name: str, *args: Any, query: str = "") -> str | None:
        try:
            return reverse(name, args=args) + (f"?{query}" if query else "")
        except NoReverseMatch:
            return None

    impact_url, _expected = public_impact(built)
    sets = [
        ("", {"public impact API (anonymous)": impact_url}),
        ("bench_central_officer", {"city report (central officer)": url("foodbank-report")}),
        (
            "bench_district_officer",
            {
                "district report": url("foodbank-district-report", DISTRICT),
                "stock page": url("foodbank-stock", DISTRICT),
                "beneficiaries list": url("foodbank-beneficiaries", DISTRICT),
            },
        ),
        (
            "bench_clerk",
            {
                "counter search (name)": url("foodbank-counter", DISTRICT,
                                             query=f"q={built.search_text}"),
                "counter search (national ID)": url("foodbank-counter", DISTRICT,
                                                    query=f"q={built.search_national_id}"),
                "counter page (person)": url("foodbank-counter-beneficiary", DISTRICT,
                                             built.person_beneficiary),
                "counter page (household)": url("foodbank-counter-beneficiary", DISTRICT,
                                                built.household_beneficiary),
            },
        ),
    ]  # fmt: skip
    return [(user, {k: v for k, v in pages.items() if v}) for user, pages in sets]


def slowest_queries(fn: Any, n: int = 3) -> list[str]:
    """The ``n`` slowest SQL statements ``fn`` runs: "412 ms (x3): SELECT ..." (statements
    that differ only in their parameters are added up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    by_sql: dict[str, list[float]] = defaultdict(list)
    for query in captured.captured_queries:
        by_sql[query["sql"]].append(float(query["time"]) * 1000)
    ranked = sorted(by_sql.items(), key=lambda kv: -sum(kv[1]))[:n]
    lines = []
    for sql, times in ranked:
        text = " ".join(sql.split())
        text = text if len(text) <= 220 else text[:217] + "..."
        lines.append(f"{sum(times):.0f} ms (x{len(times)}): {text}")
    return lines


def slowest_plan(fn: Any) -> str:
    """EXPLAIN (ANALYZE) outline of the slowest SELECT ``fn`` runs (read-only pages only)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    selects = [
        q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    if not selects:
        return ""
    slowest = max(selects, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + slowest["sql"])
        (document,) = cursor.fetchone()
    plan = document[0]
    return f"{harness._plan_outline(plan['Plan'])} ({plan['Execution Time']:.1f} ms)"


DIAGNOSIS: dict[str, list[str]] = {}


def time_pages(client: Any, urls: dict[str, str], *, diagnose: bool = False
               ) -> dict[str, tuple[float, float, int, str]]:  # fmt: skip
    """Per page: (median ms, p95 ms, queries, problem) of the whole request."""
    from django.test.utils import override_settings

    measured = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, url in urls.items():
            response = client.get(url)
            if response.status_code != 200:
                measured[name] = (0.0, 0.0, 0, f"{url} answered {response.status_code}")
                continue
            started = time.perf_counter()
            for _ in range(max(0, harness.WARMUP - 1)):
                client.get(url)
            queries = count_queries(lambda url=url: client.get(url))
            slow = (time.perf_counter() - started) / max(1, harness.WARMUP) > SLOW_PAGE_S
            samples = []
            for _ in range(SLOW_PAGE_REPEAT if slow else PAGE_REPEAT):
                started = time.perf_counter_ns()
                client.get(url)
                samples.append((time.perf_counter_ns() - started) / 1e6)
            median = statistics.median(samples)
            measured[name] = (median, harness.percentile(samples, 95), queries, "")
            print(f"   {name}: {median:.1f} ms, {queries} queries", flush=True)
            if diagnose:
                get = lambda url=url: client.get(url)  # noqa: E731
                lines = slowest_queries(get)
                plan = slowest_plan(get)
                if plan:
                    lines.append(f"plan of the slowest: {plan}")
                DIAGNOSIS[name] = lines
                for line in lines:
                    print(f"      {line}", flush=True)
    return measured


def measure_pages(built: Built, *, diagnose: bool = False
                  ) -> dict[str, tuple[float, float, int, str]]:  # fmt: skip
    from django.test import Client

    from chumchon.accounts.models import User

    measured = {}
    for username, pages in page_sets(built):
        client = verified_client(User.objects.get(username=username)) if username else Client()
        measured.update(time_pages(client, pages, diagnose=diagnose))
    return measured


def check_public_api(bench: harness.Bench, built: Built) -> list[harness.Result]:
    """The public API's figures against the raw GROUP BY (its time is in the page table)."""
    from django.test import Client
    from django.test.utils import override_settings

    url, expected = public_impact(built)

    def api():
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            response = Client().get(url)
        if response.status_code != 200:
            return ("status", response.status_code)
        body = response.json()
        return (
            Decimal(body["weight_kg"]),
            Decimal(body["meals"]),
            Decimal(body["kgco2e"]),
            body["donations"],
            body["donors"],
            body["people_served"],
        )

    return bench.compare("public impact API (whole request)", raw=expected, variants={"API": api},
                         repeat=max(5, bench.repeat // 2))  # fmt: skip


# --- 3. the counter's redemption path -------------------------------------------------------------


def measure_redeem(bench: harness.Bench, built: Built) -> list[harness.Result]:

    from chumchon.accounts.models import User
    from chumchon.foodbank import ledger, services_counter
    from chumchon.foodbank.models import Beneficiary, Item, Lot, Store

    store = Store.objects.get(pk=built.store_id)
    actor = User.objects.get(username="bench_clerk")
    today = built.today
    left = ledger.lot_left(store, on=today)
    usable: dict[int, int] = defaultdict(int)
    for lot in Lot.objects.filter(pk__in=list(left)).exclude(expires_on__lt=today):
        usable[lot.item_id] += left[lot.pk]
    plenty = sorted((i for i, n in usable.items() if n >= 20), key=lambda i: -usable[i])[:40]
    items = list(Item.objects.filter(pk__in=plenty, active=True).order_by("points", "pk"))
    people = list(Beneficiary.objects.filter(store=store, kind="person").select_related("person"))
    balances = ledger.balances([b.pk for b in people], today)
    rich = [b for b in people if balances.get(b.pk, 0) >= 200]
    rich.sort(key=lambda b: -balances[b.pk])
    turn = iter(range(10**6))
    results: list[harness.Result] = []
    if not rich or not items:
        bench.note("no beneficiary with points or no item in stock: redemption not measured")
        return results
    basket_items: list[int] = []

    def redeemer(lines: int):
        def redeem():
            k = next(turn)
            beneficiary = rich[k % len(rich)]
            basket = [items[(k + j * 7) % len(items)] for j in range(lines)]
            basket_items[:] = [i.pk for i in basket]
            return services_counter.redeem(
                actor=actor,
                store=store,
                beneficiary=beneficiary,
                redeemed_by=beneficiary.person,
                lines=[(item, "1") for item in basket],
            )

        return redeem

    def measure(case: str, variant: str, fn: Any, target: bool) -> None:
        for _ in range(max(1, bench.warmup)):
            fn()
        _r, queries = harness.count_queries(fn)
        samples = []
        for _ in range(bench.repeat):
            started = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - started) / 1e6)
        median, p95 = statistics.median(samples), harness.percentile(samples, 95)
        missed = ""
        if target and median >= REDEEM_TARGET_MS:
            missed = f"median {median:.1f} ms >= {REDEEM_TARGET_MS:g} ms"
        result = _result(bench, case, variant, median, p95, queries, missed=missed)
        results.append(result)
        bench.say(harness.format_table([result], header=False))

    measure("services_counter.redeem (1 line, big store)", "service", redeemer(1), True)
    measure("services_counter.redeem (3 lines, big store)", "service", redeemer(3), True)
    DIAGNOSIS["services_counter.redeem"] = slowest_queries(redeemer(3), n=4)
    for line in DIAGNOSIS["services_counter.redeem"]:
        bench.say(f"      {line}")
    results += compare_stock_reads(bench, store, items[0], today)
    basket = [item.pk for item in items[:3]]
    for outline in harness.plans_of(lambda: ledger.lot_left(store, items=basket)):
        bench.say(
            f"   plan ledger.lot_left(store, items=basket) (the redemption's read): {outline}"
        )
        DIAGNOSIS["services_counter.redeem"].append(
            f"plan of ledger.lot_left(store, items=basket): {outline}"
        )
    return results


LOT_LEFT_SQL = """
    SELECT lot_id, sum(quantity) FROM foodbank_stockmovement WHERE store_id = %s
    GROUP BY lot_id HAVING sum(quantity) > 0"""
LOT_SUMS_SQL = """
    SELECT lot_id, item_id, sum(quantity) FROM foodbank_stockmovement
    WHERE store_id = %s AND moved_on <= %s GROUP BY lot_id, item_id HAVING sum(quantity) > 0"""


def compare_stock_reads(bench: harness.Bench, store: Any, item: Any, today: date
                        ) -> list[harness.Result]:  # fmt: skip
    """The stock reads behind the counter, the stock page and the reports, against raw SQL,
    and the per-item read a redemption could use instead of the whole store's."""
    from chumchon.foodbank import ledger, selectors_stock

    results = bench.compare(
        "ledger.lot_left(store) (redeem, counter page)",
        raw=lambda: dict(harness.fetchall(LOT_LEFT_SQL, [store.pk])),
        variants={"ORM": lambda: ledger.lot_left(store)},
        repeat=max(5, bench.repeat // 2),
        show_plans=True,
    )
    item_sql = LOT_LEFT_SQL.replace("WHERE store_id = %s", "WHERE store_id = %s AND item_id = %s")
    results += bench.compare(
        "ledger.lot_left(store, item=) (one basket item, as redeem reads)",
        raw=lambda: dict(harness.fetchall(item_sql, [store.pk, item.pk])),
        variants={"ORM": lambda: ledger.lot_left(store, item=item)},
        show_plans=True,
    )
    results += bench.compare(
        "selectors_stock._lot_sums(store, today) (stock page)",
        raw=lambda: sorted(tuple(r) for r in harness.fetchall(LOT_SUMS_SQL, [store.pk, today])),
        variants={
            "ORM": lambda: sorted(
                (r["lot_id"], r["item_id"], r["left"])
                for r in selectors_stock._lot_sums(store, today)
            )
        },
        repeat=max(5, bench.repeat // 2),
        show_plans=True,
    )
    return results


def _result(bench: harness.Bench, case: str, variant: str, median: float, p95: float,
            queries: int, ratio: float | None = None, missed: str = "") -> harness.Result:  # fmt: skip
    result = harness.Result(
        benchmark=bench.name,
        case=case,
        variant=variant,
        queries=queries,
        median_ms=median,
        p95_ms=p95,
        ratio=ratio,
        ok=not missed,
        detail=f"target: {missed}" if missed else "",
    )
    bench.results.append(result)
    return result


# --- run ------------------------------------------------------------------------------------------------

#: pages whose content is one page of rows (or one beneficiary): must not grow with history
STEADY = {
    "beneficiaries list",
    "counter search (name)",
    "counter search (national ID)",
    "counter page (person)",
    "counter page (household)",
    "stock page",
}


def run(bench: harness.Bench) -> None:
    started = time.perf_counter()
    bench.section(
        f"x{harness.SCALE:g}: Bangkok's surplus relay and district {DISTRICT}'s food bank"
    )
    big = build(bench, 1.0)
    make_viewers()

    bench.section("impact totals against raw SQL (big)")
    try:
        impact_results = compare_impact(bench, big)
        impact_results += check_public_api(bench, big)
    except ImportError as exc:
        impact_results = []
        bench.note(f"impact not measured: {exc}")

    bench.section("pages (big)")
    big_pages = measure_pages(big, diagnose=True)

    bench.section("the counter's redemption (big store)")
    try:
        redeem_results = measure_redeem(bench, big)
    except ImportError as exc:
        redeem_results = []
        bench.note(f"redemption not measured: {exc}")

    with harness.other_database("foodbank_small"):
        bench.section(f"the same pages with {SMALL:g} of the history")
        small = build(bench, SMALL)
        make_viewers()
        small_pages = measure_pages(small)

    bench.section("pages: big against small")
    failures: list[str] = []
    rows = []
    for name, (b_median, b_p95, b_queries, b_problem) in big_pages.items():
        s_median, s_p95, s_queries, s_problem = small_pages.get(name, (0.0, 0.0, 0, "missing"))
        if b_problem or s_problem:
            failures.append(f"{name}: {b_problem or s_problem}")
            _result(bench, name, "page", 0, 0, 0, missed=b_problem or s_problem)
            rows.append(f"| {name} | - | - | - | - | - | - | {b_problem or s_problem} |")
            continue
        ratio = b_median / s_median if s_median else 0.0
        missed = []
        if name in STEADY and ratio > PAGE_RATIO and b_median - s_median > PAGE_SLACK_MS:
            missed.append(f"{name} {ratio:.2f}x the small store's time (> {PAGE_RATIO})")
        if b_queries != s_queries:
            missed.append(f"{name} runs {b_queries} queries big, {s_queries} small")
        failures += missed
        bench.say(
            harness.format_table(
                [
                    _result(bench, name, "small", s_median, s_p95, s_queries),
                    _result(bench, name, "big", b_median, b_p95, b_queries, ratio,
                            "; ".join(missed)),
                ],
                header=False,
            )
        )  # fmt: skip
        target = f"<= {PAGE_RATIO}" if name in STEADY else "(grows with the period's data)"
        rows.append(
            f"| {name} | {s_median:.1f} | {b_median:.1f} | {b_p95:.1f} | {ratio:.2f} {target} "
            f"| {s_queries} | {b_queries} | {'ok' if not missed else 'MISSED'} |"
        )
    for result in impact_results + redeem_results:
        if not result.ok:
            failures.append(f"{result.case} / {result.variant}: {result.detail}")
    for failure in failures:
        bench.say(f"   MISSED: {failure}")
    write_results(big, small, rows, impact_results, redeem_results, failures, started, big_pages)


def _table(results: list[harness.Result]) -> list[str]:
    return [
        f"| {r.case} | {r.variant} | {r.queries} | {r.median_ms:.2f} | {r.p95_ms:.2f} | "
        f"{'' if r.ratio is None else f'{r.ratio:.2f}'} | "
        f"{'ok' if r.ok else ('MISSED' if r.detail.startswith('target') else 'MISMATCH')} |"
        for r in results
    ]


def write_results(big: Built, small: Built, rows: list[str], impact: list[harness.Result],
                  redeem: list[harness.Result], failures: list[str], started: float,
                  big_pages: dict) -> None:  # fmt: skip
    lines = [
        HEADING,
        "",
        f"Run {date.today().isoformat()}, BENCH_SCALE={harness.SCALE:g}, "
        f"BENCH_REPEAT={harness.REPEAT}, {harness.server_summary()}, "
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.machine()}; this benchmark took {time.perf_counter() - started:.0f} s "
        f"(data generation included: {big.seconds:.0f} s big, {small.seconds:.0f} s small).",
        "",
        "## Data",
        "",
        f"Big: {big.start.isoformat()} to {big.today.isoformat()}: "
        + ", ".join(f"{v:,} {k}" for k, v in big.counts.items())
        + f" (district {DISTRICT}'s store; a registry of {REGISTRY_PEOPLE:,} people in "
        f"{DISTRICT}; two factor periods, the second from {factor_switch(big.today).isoformat()}). "
        f"Small: the same city, registry, catalogue and beneficiaries from "
        f"{small.start.isoformat()}: "
        + ", ".join(f"{v:,} {k}" for k, v in small.counts.items())
        + ".",
        "",
        "Movements and entries by kind (big): "
        + ", ".join(f"{v:,} {k}" for k, v in big.extra["detail"].items())
        + ". Small, at the end: "
        + ", ".join(f"{v:,} {k}" for k, v in small.extra["detail"].items() if "end" in k)
        + ".",
        "",
        "## Impact totals against one raw GROUP BY (big, last full fiscal year)",
        "",
        "| case | variant | queries | median ms | p95 ms | x raw | check |",
        "|---|---|---:|---:|---:|---:|---|",
        *_table(impact),
        "",
        "## Pages (whole request through the test client)",
        "",
        "| page | small: median ms | big: median ms | big p95 ms | ratio (target) "
        "| queries small | queries big | check |",
        "|---|---:|---:|---:|---|---:|---:|---|",
        *rows,
        "",
        f"Central officer (city report), district officer of {DISTRICT} (district report, "
        "stock, beneficiaries), counter clerk of 1001 (counter); the public API anonymous. "
        "Pages listing one page of rows or one beneficiary must not grow with history (ratio "
        f"<= {PAGE_RATIO}, unless within {PAGE_SLACK_MS:g} ms); reports and the API sum the "
        "period's rows, so they grow with the "
        "period's data (the small database holds a tenth); every page keeps its query count.",
        "",
        "## The counter's redemption (big store)",
        "",
        "| case | variant | queries | median ms | p95 ms | x raw | check |",
        "|---|---|---:|---:|---:|---:|---|",
        *_table(redeem),
        "",
        f"Target: median < {REDEEM_TARGET_MS:g} ms.",
        "",
    ]  # fmt: skip
    slow = [name for name, (median, *_rest) in big_pages.items() if median > DIAGNOSE_MS]
    diagnosed = [n for n in [*slow, "services_counter.redeem"] if DIAGNOSIS.get(n)]
    if diagnosed:
        lines += [
            "## Where the time goes (big; the slowest statements of one request, summed by "
            "statement, and the plan of the slowest SELECT)",
            "",
        ]
        for name in diagnosed:
            lines.append(f"- {name}:")
            lines += [f"  - `{line}`" for line in DIAGNOSIS[name]]
        lines.append("")
    lines += findings(impact + redeem, big_pages)
    if failures:
        lines += ["## Missed targets", "", *[f"- {f}" for f in failures], ""]
    harness.write_section(HEADING, lines)


def findings(results: list[harness.Result], big_pages: dict) -> list[str]:
    """What the numbers say, and the fixes proposed (measured where a prototype ran)."""

    def ms(case_start: str, variant: str) -> str:
        for r in results:
            if r.case.startswith(case_start) and r.variant == variant:
                return f"{r.median_ms:.0f} ms"
        return "?"

    def page(name: str) -> str:
        return f"{big_pages[name][0]:.0f} ms" if name in big_pages else "?"

    def median(case_start: str, variant: str) -> float | None:
        for r in results:
            if r.case.startswith(case_start) and r.variant == variant:
                return r.median_ms
        return None

    orm, raw = (
        median("selectors_stock._lot_sums", "ORM"),
        median("selectors_stock._lot_sums", "raw SQL"),
    )
    estimate = "?"
    if orm is not None and raw is not None and "stock page" in big_pages:
        estimate = f"{big_pages['stock page'][0] - 2 * orm + raw:.0f} ms"

    return [
        "## Findings and proposed fixes",
        "",
        "- Stock is a sum of append-only movements, so every read of a whole store's stock "
        "scans its history (ledger.lot_left(store): "
        f"{ms('ledger.lot_left(store) (redeem', 'ORM')} over the big store's movements). The "
        f"stock page ({page('stock page')}) runs selectors_stock._lot_sums twice, and its "
        "GROUP BY joins the lots before aggregating (a merge join over the whole table: "
        f"{ms('selectors_stock._lot_sums', 'ORM')} a call against "
        f"{ms('selectors_stock._lot_sums', 'raw SQL')} for the same rows aggregated first and "
        "joined after). Without a model change: read it once per request and aggregate first "
        "(values('lot_id') then the lots by a subquery): about "
        f"{estimate} (estimate: the page less two ORM calls plus one raw), still proportional "
        "to history. The reports' expiring-lots query is the same "
        "join (twice on the district report). For pages that do not grow with history, the "
        "ledger needs a stored balance per lot kept by ledger.move under the store lock (a "
        "model change for the lead: e.g. a units-left column on Lot, or a flag on lots that are "
        "empty so sums skip them), checked against the movements by test_invariants.",
        "- services_counter.redeem reads the whole store's lots (ledger.lot_left(store, "
        "item=None)) to serve a basket of a few items: "
        f"{ms('services_counter.redeem (3 lines', 'service')} for 3 lines; reading only the "
        "basket's items (ledger.lot_left filtered by item_id IN the basket; prototype) takes "
        f"{ms('services_counter.redeem (3 lines', 'basket' + chr(39) + 's stock only (prototype)')}"
        ". The counter page's catalogue needs the whole store's stock (as the stock page).",
        "- selectors_surplus.impact with the city's Area (the public API's default) joins the "
        "areas to filter on path LIKE '/BKK/%': "
        f"{ms('selectors_surplus.impact(city', 'ORM (area = the city)')} against "
        f"{ms('selectors_surplus.impact(city', 'ORM (area None)')} with area None; treating "
        "the city (the root area) as no filter gives the API the faster plan.",
        "",
    ]
