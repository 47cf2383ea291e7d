"""Demo food bank for `make run` (`manage.py load_demo`), after the registry's demo (its people
and households of district 1001 become beneficiaries).

- District 1001 (the demo officer's): 15 donors of every kind, one of them a city-wide chain
  registered at BKK under an agreement (it also gives in 1004); about 60 surplus food
  donations over the last four months, weighed to the gram, some split into categories; 20
  distributions to communities, shelters and groups; a store with 20 items (rice, eggs, canned
  fish, milk, soap, diapers...), lots received from donors with expiry dates (some near expiry,
  one expired and still on hand); 25 beneficiaries (people and households of the registry, some
  with welfare flags), each assessed, with one-off awards (some lapsed: the expiry job expires
  them) and 5 monthly allowances; about 40 redemptions at the counter, one cancelled.
- District 1004: the chain and two local donors, 10 donations, 3 distributions, a small store.
- A counter clerk: user ``clerk`` (role foodbank_clerk at 1001), password as the other demo
  users.

What the services accept is made through them (donors, donations, distributions, items, lots,
beneficiaries, assessments, grants, allowances, today's redemptions and the cancellation);
history they refuse by design (redemptions on past days, awards that already lapsed, a lot
received already expired) is written through the two ledgers, as the services do, in date
order so stock and points never go below zero on any day. Dates are relative to the day the
demo is loaded; amounts are deterministic. Idempotent: when the chain donor exists nothing is
made.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from chumchon.accounts.models import Role, RoleAssignment, User
from chumchon.communities.models import Household, Person
from chumchon.organizations.models import Area
from chumchon.portal.demo import DEMO_PASSWORD, LOADERS

from . import domain, ledger
from .models import (
    Award,
    Beneficiary,
    Criterion,
    Donor,
    Item,
    Lot,
    PointEntry,
    Redemption,
    RedemptionLine,
    StockMovement,
    Store,
)

DISTRICT = "1001"
OTHER = "1004"
CHAIN = "ซีพี เฟรชมาร์ท (สาขาในกรุงเทพมหานคร)"
CLERK = ("clerk", "มานี ใจบุญ (เจ้าหน้าที่เคาน์เตอร์ธนาคารอาหาร เขตพระนคร)")
DAYS = 120  # about four months of history
#: (kind, name) of the district's own donors (the chain is the 15th)
DONORS = [
    ("market", "ตลาดมหานาค"),
    ("market", "ตลาดปากคลองตลาด"),
    ("hotel", "โรงแรมรอยัล ราชดำเนิน"),
    ("hotel", "โรงแรมริมน้ำเจ้าพระยา"),
    ("business", "ร้านเบเกอรี่บ้านขนมปัง"),
    ("business", "ห้างทองและค้าส่งเจริญผล"),
    ("business", "บริษัท อาหารดีทุกวัน จำกัด"),
    ("school", "โรงเรียนวัดราชบพิธ"),
    ("school", "โรงเรียนสตรีวิทยา"),
    ("temple", "วัดบวรนิเวศวิหาร"),
    ("temple", "วัดสุทัศนเทพวราราม"),
    ("individual", "สมพร ใจกว้าง"),
    ("individual", "อำไพ มีน้ำใจ"),
    ("other", "มูลนิธิเพื่อนช่วยเพื่อน"),
]
#: (name, unit, category, points)
ITEMS = [
    ("ข้าวสารหอมมะลิ 5 กก.", "ถุง", "rice", 60),
    ("ข้าวสาร 1 กก.", "ถุง", "rice", 15),
    ("ไข่ไก่", "แผง", "fresh", 30),
    ("ปลากระป๋อง", "กระป๋อง", "canned", 5),
    ("ผักกาดดองกระป๋อง", "กระป๋อง", "canned", 4),
    ("นมกล่อง UHT", "กล่อง", "drinks", 3),
    ("นมผงเด็ก", "กระป๋อง", "baby", 80),
    ("น้ำดื่ม 6 ขวด", "แพ็ค", "drinks", 8),
    ("บะหมี่กึ่งสำเร็จรูป", "ซอง", "dry", 2),
    ("โจ๊กกึ่งสำเร็จรูป", "ซอง", "dry", 2),
    ("น้ำมันพืช 1 ลิตร", "ขวด", "dry", 20),
    ("น้ำปลา", "ขวด", "dry", 8),
    ("น้ำตาลทราย 1 กก.", "ถุง", "dry", 12),
    ("สบู่ก้อน", "ก้อน", "hygiene", 5),
    ("ยาสีฟัน", "หลอด", "hygiene", 8),
    ("ผงซักฟอก", "ถุง", "hygiene", 15),
    ("ผ้าอ้อมเด็ก", "ห่อ", "baby", 40),
    ("ผ้าอ้อมผู้ใหญ่", "ห่อ", "baby", 50),
    ("ผ้าอนามัย", "ห่อ", "hygiene", 10),
    ("กล้วยหอม", "หวี", "fresh", 6),
]
CATEGORIES = ["cooked", "bakery", "fruit_veg", "meat_fish", "dairy", "dry", "canned", "drinks"]
BENEFICIARIES = 25
ALLOWANCES = 5


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["officer", "head", "admin"])}


def clerk_user() -> User:
    """The demo counter clerk of 1001 (role foodbank_clerk; OTP as the other demo users)."""
    username, name = CLERK
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, email=f"{username}@example.invalid")
        user.set_password(DEMO_PASSWORD)
        user.save()
    role = Role.objects.get(code="foodbank_clerk")
    area = Area.objects.get(code=DISTRICT)
    if not RoleAssignment.objects.filter(user=user, role=role, area=area).exists():
        from chumchon.accounts.services import role_assign

        role_assign(actor=None, user=user, role=role, area=area, valid_from=date(2024, 10, 1))
    return user


def _kg(rng: random.Random, low: int, high: int) -> str:
    """A weight in kg to the gram (3 decimals), deterministic."""
    grams = rng.randint(low * 1000, high * 1000)
    return f"{grams // 1000}.{grams % 1000:03d}"


def _split(rng: random.Random, weight: str) -> list[tuple[str, str]]:
    """Two categories whose weights sum exactly to ``weight``."""
    grams = int(weight.replace(".", ""))
    first = grams * rng.randint(30, 70) // 100
    a, b = rng.sample(CATEGORIES, 2)
    return [(a, f"{first / 1000:.3f}"), (b, f"{(grams - first) / 1000:.3f}")]


def _donations(actor, district: Area, donors: list[Donor], count: int, rng, today) -> list:
    from . import services_surplus

    made = []
    for n in range(count):
        day = today - timedelta(days=DAYS - n * DAYS // count)
        weight = _kg(rng, 3, 180)
        made.append(
            services_surplus.donation_record(
                actor=actor,
                district=district,
                donor=donors[n % len(donors)],
                donated_on=day,
                weight_kg=weight,
                categories=_split(rng, weight) if n % 3 == 0 else (),
                picked_up_by="รถเขตพระนคร" if n % 2 else "",
                handed_over_to="ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม",
                reference=f"SF-{n + 1:03d}",
            )
        )
    return made


def _distributions(actor, district: Area, donations: list, count: int, rng, today) -> int:
    """Each hands on about a third of what came in during the days before it."""
    from chumchon.communities.models import Community

    from . import services_surplus

    communities = list(
        Community.objects.filter(area__path__startswith=district.path, status="active")
        .select_related("area")
        .order_by("area__code")[:8]
    )
    made = 0
    for n in range(count):
        day = today - timedelta(days=DAYS - 3 - n * (DAYS - 3) // count)
        window = [d.weight_g for d in donations if day - timedelta(days=6) <= d.donated_on <= day]
        grams = sum(window) // 3
        if grams < 1000:
            continue
        values: dict[str, Any] = {"recipient_kind": "group", "recipient_name": "กลุ่มผู้สูงอายุ"}
        if communities and n % 2 == 0:
            values = {"recipient_kind": "community", "community": communities[n % len(communities)]}
        elif n % 3 == 1:
            values = {"recipient_kind": "shelter", "recipient_name": "บ้านพักคนไร้บ้าน"}
        services_surplus.distribution_record(
            actor=actor,
            district=district,
            distributed_on=day,
            weight_kg=f"{grams / 1000:.3f}",
            headcount=rng.randint(15, 160),
            **values,
        )
        made += 1
    return made


def _stock(actor, store: Store, donors: list[Donor], rng, today, items_spec) -> list[Item]:
    """The catalogue and its lots: donated and bought, with expiry dates; one lot of milk
    expires in three days, one of bananas expired two days ago and is still on hand."""
    from . import services_stock

    items = []
    for name, unit, category, points in items_spec:
        item = services_stock.item_create(
            actor=actor, store=store, name=name, unit=unit, category=category, points=points
        )
        items.append(item)
        for batch in range(2):
            received = today - timedelta(days=DAYS - batch * 50 - rng.randint(0, 10))
            if category in ("fresh", "drinks"):
                expires = today + timedelta(days=rng.randint(12, 40) + batch * 20)
            elif category in ("hygiene",):
                expires = None
            else:
                expires = today + timedelta(days=rng.randint(60, 400))
            services_stock.receive(
                actor=actor,
                store=store,
                item=item,
                quantity=rng.randint(30, 120),
                received_on=received,
                expires_on=expires,
                donor=donors[rng.randrange(len(donors))] if batch == 0 else None,
                kind=StockMovement.Kind.DONATION_IN
                if batch == 0
                else StockMovement.Kind.PURCHASE_IN,
            )
    by_name = {i.name: i for i in items}
    milk = by_name.get("นมกล่อง UHT")
    if milk is not None:
        services_stock.receive(
            actor=actor,
            store=store,
            item=milk,
            quantity=48,
            received_on=today - timedelta(days=20),
            expires_on=today + timedelta(days=3),
            donor=donors[0],
        )
    bananas = by_name.get("กล้วยหอม")
    if bananas is not None:  # received fresh, expired two days ago: still on hand
        lot = Lot.objects.create(
            store=store,
            item=bananas,
            received_on=today - timedelta(days=9),
            expires_on=today - timedelta(days=2),
            donor=donors[1],
            note="รับบริจาคจากตลาด",
        )
        ledger.move(
            actor=actor,
            store=store,
            lot=lot,
            kind=StockMovement.Kind.DONATION_IN,
            quantity=12,
            on=lot.received_on,
        )
    return items


def _targets(district: Area, count: int) -> list[tuple[str, Any]]:
    """People (welfare flags first) and households of the district's registry, living."""
    people = list(
        Person.objects.filter(area__path__startswith=district.path, status=Person.Status.ALIVE)
        .filter(
            Q(bedridden=True)
            | Q(chronic_illness=True)
            | Q(child_in_need=True)
            | ~Q(disability_type="")
            | Q(birth_date__lte=date(1960, 1, 1))
        )
        .order_by("pk")[: count - count // 3]
    )
    households = list(
        Household.objects.filter(area__path__startswith=district.path)
        .filter(is_active=True, people__isnull=False)
        .exclude(pk__in=[p.household_id for p in people if p.household_id])
        .order_by("pk")
        .distinct()[: count - len(people)]
    )
    return [("person", p) for p in people] + [("household", h) for h in households]


def _collector(beneficiary: Beneficiary, on: date) -> Person | None:
    if beneficiary.person_id:
        return beneficiary.person
    for person in Person.objects.filter(
        household=beneficiary.household, status=Person.Status.ALIVE
    ).order_by("birth_date", "pk"):
        if domain.is_adult(person.birth_date, on):
            return person
    return None


def _beneficiaries(actor, store: Store, count: int, rng, today) -> list[Beneficiary]:
    from . import services_points

    criteria = list(Criterion.objects.filter(active=True))
    made = []
    for n, (kind, target) in enumerate(_targets(store.area, count)):
        registered = today - timedelta(days=DAYS - n)
        beneficiary = services_points.beneficiary_register(
            actor=actor,
            store=store,
            kind=kind,
            person=target if kind == "person" else None,
            household=target if kind == "household" else None,
            registered_on=registered,
        )
        services_points.assess(
            actor=actor,
            beneficiary=beneficiary,
            scores={c.code: rng.randint(0, c.max_score) for c in criteria},
            assessed_on=registered,
            note="ลงพื้นที่เยี่ยมบ้าน",
        )
        made.append(beneficiary)
    return made


def _award(actor, beneficiary: Beneficiary, points: int, on: date, expires: date) -> Award:
    """A one-off grant written through the ledger (for history the service refuses: a grant
    that has lapsed by now)."""
    award = Award.objects.create(
        beneficiary=beneficiary,
        kind=Award.Kind.ONE_OFF,
        points=points,
        awarded_on=on,
        expires_on=expires,
        reason="ช่วยเหลือผู้ได้รับผลกระทบ",
        awarded_by=actor,
    )
    ledger.post_points(actor=actor, award=award, kind=PointEntry.Kind.AWARD, points=points, on=on)
    return award


def _past_redemption(actor, store, beneficiary, day, items, rng) -> bool:
    """Goods for points on a past day, earliest-expiring lots and awards first, through the
    two ledgers (in date order: what is left now is what was left then)."""
    collector = _collector(beneficiary, day)
    if collector is None:
        return False
    awards = [
        (a, left) for a, left in ledger.usable_awards(beneficiary, day) if a.awarded_on <= day
    ]
    points_left = sum(left for _a, left in awards)
    lines = []
    for item in rng.sample(items, 3):
        lots = [
            lot
            for lot in Lot.objects.filter(
                pk__in=list(ledger.lot_left(store, item=item, on=day))
            ).order_by("expires_on", "id")
            if lot.expires_on is None or lot.expires_on >= day
        ]
        if not lots:
            continue
        left = ledger.lot_left(store, lots=[lots[0].pk], on=day).get(lots[0].pk, 0)
        quantity = min(left, rng.randint(1, 3), points_left // item.points)
        if quantity <= 0:
            continue
        points_left -= quantity * item.points
        lines.append((item, lots[0], quantity))
    if not lines:
        return False
    total = sum(q * item.points for item, _lot, q in lines)
    number = Redemption.objects.filter(store=store).order_by("-number").first()
    redemption = Redemption.objects.create(
        store=store,
        number=(number.number if number else 0) + 1,
        beneficiary=beneficiary,
        redeemed_by=collector,
        redeemed_on=day,
        points=total,
        clerk=actor,
    )
    for item, lot, quantity in lines:
        RedemptionLine.objects.create(
            redemption=redemption,
            item=item,
            lot=lot,
            quantity=quantity,
            points_each=item.points,
            points=quantity * item.points,
        )
        ledger.move(
            actor=actor,
            store=store,
            lot=lot,
            kind=StockMovement.Kind.REDEMPTION,
            quantity=-quantity,
            on=day,
            redemption=redemption,
        )
    need = total
    for award, left in awards:
        take = min(left, need)
        if take <= 0:
            break
        ledger.post_points(
            actor=actor,
            award=award,
            kind=PointEntry.Kind.REDEEM,
            points=-take,
            on=day,
            redemption=redemption,
        )
        need -= take
    return True


def _points_and_counter(actor, clerk, store, beneficiaries, items, rng, today) -> tuple[int, int]:
    from . import services_counter, services_points

    # one-off grants: at registration, valid 60 days (the early ones have lapsed by now)
    for n, beneficiary in enumerate(beneficiaries):
        awarded = beneficiary.registered_on
        expires = awarded + timedelta(days=60 if n % 2 else 150)
        if expires < today:
            _award(actor, beneficiary, 200 + 20 * (n % 5), awarded, expires)
        else:
            services_points.award_grant(
                actor=actor,
                store=store,
                beneficiary=beneficiary,
                points=200 + 20 * (n % 5),
                reason="ช่วยเหลือผู้ได้รับผลกระทบ",
                awarded_on=awarded,
                expires_on=expires,
            )
    # about 38 redemptions on past days, in date order
    redeemed = 0
    for n in range(38):
        day = today - timedelta(days=DAYS - 5 - n * (DAYS - 6) // 38)
        candidates = [b for b in beneficiaries if b.registered_on <= day]
        if candidates and _past_redemption(actor, store, rng.choice(candidates), day, items, rng):
            redeemed += 1
    # lapsed points expire (the daily job)
    services_points.points_expire(today)
    # five monthly allowances from this month (this month's points are awarded at once)
    for beneficiary in beneficiaries[:ALLOWANCES]:
        services_points.allowance_start(
            actor=actor,
            store=store,
            beneficiary=beneficiary,
            points=150,
            starts_on=today.replace(day=1),
            reason="ผู้สูงอายุที่อยู่ลำพัง ช่วยเหลือรายเดือน",
            valid_days=60,
        )
    # today at the counter: two redemptions by the clerk, one cancelled (wrong person)
    today_made = []
    for beneficiary in beneficiaries:
        if len(today_made) == 2:
            break
        collector = _collector(beneficiary, today)
        if collector is None or not domain.is_adult(collector.birth_date, today):
            continue
        stocked = ledger.item_stock(store)
        balance = ledger.points_balance(beneficiary, today)
        item = next((i for i in items if stocked.get(i.pk, 0) > 2 and i.points <= balance), None)
        if item is None:
            continue
        today_made.append(
            services_counter.redeem(
                actor=clerk,
                store=store,
                beneficiary=beneficiary,
                redeemed_by=collector,
                lines=[(item, 1)],
            )
        )
        redeemed += 1
    cancelled = 0
    if today_made:
        services_counter.redemption_cancel(
            actor=actor, redemption=today_made[-1], reason="บันทึกผิดคน: ยกเลิกและบันทึกใหม่"
        )
        cancelled = 1
    return redeemed, cancelled


def load(stdout: Any) -> None:
    from . import services_surplus

    started = time.monotonic()
    if Donor.objects.filter(name=CHAIN).exists():
        stdout.write("Food bank: demo already loaded, nothing made")
        return
    users = _users()
    district = Area.objects.filter(code=DISTRICT).first()
    other = Area.objects.filter(code=OTHER).first()
    city = Area.objects.filter(code="BKK").first()
    if not users.get("officer") or district is None or city is None:
        stdout.write("Food bank: no demo users or areas, nothing made")
        return
    officer = users["officer"]
    admin = users.get("admin") or officer
    clerk = clerk_user()
    today = timezone.localdate()
    rng = random.Random(8)
    chain = services_surplus.donor_create(
        actor=users.get("central") or admin,
        area=city,
        kind="business",
        name=CHAIN,
        agreement_no="กทม. 12/2567",
        agreement_on=date(2024, 6, 1),
        contact_name="ฝ่ายความยั่งยืน",
    )
    donors = [chain] + [
        services_surplus.donor_create(
            actor=officer,
            area=district,
            kind=kind,
            name=name,
            contact_phone=f"08{n:01d}-555-01{n:02d}" if kind == "individual" else "",
        )
        for n, (kind, name) in enumerate(DONORS)
    ]
    donations = _donations(officer, district, donors, 60, rng, today)
    distributions = _distributions(officer, district, donations, 20, rng, today)
    store = ledger.store_for(district)
    Store.objects.filter(pk=store.pk).update(
        opening_hours="จันทร์-ศุกร์ 08.30-16.00 น.",
        phone="02-224-0000",
        opened_on=today - timedelta(days=DAYS + 10),
    )
    store.refresh_from_db()
    items = _stock(officer, store, donors, rng, today, ITEMS)
    beneficiaries = _beneficiaries(officer, store, BENEFICIARIES, rng, today)
    redeemed, cancelled = _points_and_counter(
        officer, clerk, store, beneficiaries, items, rng, today
    )
    other_made = 0
    if other is not None:
        local = [
            services_surplus.donor_create(actor=admin, area=other, kind=kind, name=name)
            for kind, name in (("hotel", "โรงแรมสีลมริเวอร์"), ("market", "ตลาดบางรัก"))
        ]
        other_donations = _donations(admin, other, [chain, *local], 10, rng, today)
        _distributions(admin, other, other_donations, 3, rng, today)
        _stock(admin, ledger.store_for(other), local, rng, today, ITEMS[:5])
        other_made = len(other_donations)
    stdout.write(
        f"Food bank: {len(donors)} donors, {len(donations)} + {other_made} surplus donations, "
        f"{distributions} distributions, {len(items)} items, {len(beneficiaries)} beneficiaries, "
        f"{redeemed} redemptions ({cancelled} cancelled); counter clerk login: {CLERK[0]} "
        f"in {time.monotonic() - started:.1f} s"
    )


LOADERS.append(load)
