"""Scoping at Bangkok scale: the audit log page and a community listing, ORM against raw SQL.

Data: the Bangkok tree from the migrations (city, 6 zones, 50 districts) plus ~2,000 communities
(kind `community`, uneven over the districts, path = district path + code + "/"), 200 district
staff users (4 per district) and ~1,000,000 audit events by those staff, in time order over three
years: 97% on community paths (uneven activity), 2% on district paths (jobs, district records),
1% without an area (logins: only installation-wide auditors see those).

Users: an auditor at district 1001 and one at zone BKK-01 (the audit log needs `audit.view`,
which only the auditor role holds below the system administrator); a district officer at 1001
and a zone officer at BKK-01 for the community listing.

Cases (each against hand-written SQL returning the same rows, checked):
  0. reach_of(user) uncached (the role lookup every scoped request pays once);
  1. the district auditor's audit page: portal.selectors.audit_events_for(user), first page of
     50 (ORDER BY at DESC, id DESC) and its COUNT, as the ListView's paginator runs them;
  2. the same for the zone auditor (9 districts);
  3. scope_queryset(Area.objects.of_kind("community"), user, path_field="path"): first 50 and
     COUNT, for the zone officer and the district officer.
Cases 1 and 2 run again under other indexes on core_auditevent.area_path: without Django's
`varchar_pattern_ops` index (only the plain btree, which cannot serve LIKE 'prefix%' under the
cluster's ICU th-TH collation), and with an `area_path COLLATE "C"` index in its place.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from django.core.paginator import Paginator

from bench import harness
from chumchon.accounts.models import Role, RoleAssignment, User
from chumchon.accounts.scoping import clear_reach_cache, reach_of, scope_queryset
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area, AreaKind
from chumchon.portal.selectors import audit_events_for

SEED = 2567
N_COMMUNITIES = harness.scaled(2_000, minimum=50)
N_EVENTS = harness.scaled(1_000_000, minimum=1_000)
STAFF_PER_DISTRICT = 4
PAGE = 50

DISTRICT = "1001"
ZONE = "BKK-01"

# --- data ----------------------------------------------------------------------------------------

_BASES = ["วัด", "บ้าน", "ซอย", "ตลาด", "คลอง", "หมู่บ้าน", "แฟลต", "ริมทาง"]
_WORDS = ["ใหม่", "ทอง", "สามัคคี", "ร่วมใจ", "พัฒนา", "เจริญ", "สุข", "ศรี", "มั่นคง", "ประชา"]
_FIRST = ["สมชาย", "สมศรี", "วิไล", "ประยุทธ", "กาญจนา", "สุดา", "อนันต์", "ปราณี", "ชัยวัฒน์"]
_LAST = ["ใจดี", "รักชาติ", "ศรีสุข", "บุญมา", "แก้วมณี", "ทองดี", "มีสุข", "พรหมมา"]

AUDIT_COLUMNS = [
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "area_path",
    "changes",
    "reason",
    "ip_address",
]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _changes_pools(rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(action, object_type, JSON `changes` variants) of the events on community records."""
    names = [f"{f} {la}" for f in _FIRST for la in _LAST]
    return [
        (
            "person.update",
            "communities.person",
            [
                _json({"phone": ["***", "***"], "address": [f"{n} ซ.{n + 1}", f"{n + 2} ซ.{n}"]})
                for n in range(20)
            ],
        ),
        (
            "person.create",
            "communities.person",
            [
                _json({"national_id": [None, "***"], "name": [None, n]})
                for n in rng.sample(names, 30)
            ],
        ),
        (
            "household.update",
            "communities.household",
            [_json({"members": [a, a + 1]}) for a in range(1, 9)],
        ),
        (
            "fund.transaction.create",
            "funds.transaction",
            [
                _json({"amount": [None, f"{a * 250}.00"], "kind": [None, "ฝาก"]})
                for a in range(1, 40)
            ],
        ),
        (
            "committee.member.add",
            "committees.membership",
            [_json({"position": [None, p]}) for p in ["ประธาน", "รองประธาน", "เหรัญญิก", "เลขานุการ"]],
        ),
        (
            "project.submit",
            "projects.project",
            [_json({"status": ["draft", "submitted"]})],
        ),
        (
            "project.approve",
            "projects.project",
            [_json({"status": ["submitted", "approved"], "budget": [None, "45000.00"]})],
        ),
        (
            "foodbank.distribute",
            "foodbank.distribution",
            [_json({"kg": [None, f"{k}.50"]}) for k in range(1, 30)],
        ),
        (
            "attachment.upload",
            "core.attachment",
            [_json({"original_name": [None, f"ภาพกิจกรรม{k}.jpg"]}) for k in range(10)],
        ),
        (
            "area.update",
            "organizations.area",
            [_json({"name_th": ["ชุมชนเดิม", "ชุมชนใหม่"]}), _json({"is_active": [True, False]})],
        ),
    ]


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` proportionally to `weights` (largest remainder)."""
    quotas = [w / sum(weights) * total for w in weights]
    counts = [int(q) for q in quotas]
    by_fraction = sorted(range(len(quotas)), key=lambda i: quotas[i] - counts[i], reverse=True)
    for i in by_fraction[: total - sum(counts)]:
        counts[i] += 1
    return counts


def create_tree(bench: harness.Bench, rng: random.Random) -> tuple[list[Area], list[Area]]:
    districts = list(Area.objects.of_kind("district").order_by("code"))
    community_kind = AreaKind.objects.get(code="community")
    counts = _allocate(N_COMMUNITIES, [rng.uniform(0.3, 1.7) for _ in districts])
    communities = []
    for district, count in zip(districts, counts, strict=True):
        for n in range(1, count + 1):
            code = f"{district.code}-{n:03d}"
            path = Area.build_path(district, code)
            communities.append(
                Area(
                    code=code,
                    name_th=f"ชุมชน{rng.choice(_BASES)}{rng.choice(_WORDS)}{rng.choice(_WORDS)}",
                    name_en=f"Community {code}",
                    kind=community_kind,
                    parent=district,
                    path=path,
                    depth=path.count("/") - 2,
                )
            )
    started = datetime.now()
    Area.objects.bulk_create(communities, batch_size=1_000)
    harness.execute("VACUUM (ANALYZE) organizations_area")
    seconds = (datetime.now() - started).total_seconds()
    bench.say(
        f"   load: {len(communities):,} communities over {len(districts)} districts "
        f"(bulk_create {seconds:.2f} s, {len(communities) / seconds:,.0f} rows/s); "
        f"{DISTRICT} has {counts[[d.code for d in districts].index(DISTRICT)]}"
    )
    return districts, communities


def create_users(districts: list[Area]) -> dict[str, list[tuple[int, str]]]:
    """Four staff per district (the events' actors), by district code: [(id, username)]."""
    staff = [
        User(
            username=f"staff{d.code}{k}",
            display_name=f"เจ้าหน้าที่เขต{d.name_th} {k}",
            password="!",  # unusable
        )
        for d in districts
        for k in range(1, STAFF_PER_DISTRICT + 1)
    ]
    User.objects.bulk_create(staff)
    by_district: dict[str, list[tuple[int, str]]] = {}
    for user in User.objects.filter(username__startswith="staff").order_by("username"):
        by_district.setdefault(user.username[5:9], []).append((user.pk, user.username))
    return by_district


def create_viewers() -> dict[str, User]:
    """The users whose pages are measured, with role assignments from the data migrations."""
    areas = {a.code: a for a in Area.objects.filter(code__in=[DISTRICT, ZONE])}
    roles = {r.code: r for r in Role.objects.all()}
    viewers = {}
    for key, role, area in [
        ("district auditor", "auditor", DISTRICT),
        ("zone auditor", "auditor", ZONE),
        ("district officer", "district_officer", DISTRICT),
        ("zone officer", "zone_officer", ZONE),
    ]:
        user = User.objects.create(username=key.replace(" ", "_"), password="!")
        RoleAssignment.objects.create(user=user, role=roles[role], area=areas[area])
        viewers[key] = user
    return viewers


def audit_rows(
    rng: random.Random,
    communities: list[Area],
    districts: list[Area],
    staff: dict[str, list[tuple[int, str]]],
):
    """N_EVENTS audit rows in AUDIT_COLUMNS order, oldest first (ids follow time)."""
    pools = _changes_pools(rng)
    activity = [rng.lognormvariate(0, 0.8) for _ in communities]
    picks = rng.choices(range(len(communities)), weights=activity, k=N_EVENTS)
    district_index = {d.code: i for i, d in enumerate(districts)}
    end = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
    start = end - timedelta(days=3 * 365)
    step = (end - start).total_seconds() / N_EVENTS
    base = start.timestamp()
    random_ = rng.random
    for i in range(N_EVENTS):
        at = datetime.fromtimestamp(base + (i + random_()) * step, UTC)
        roll = random_()
        community = communities[picks[i]]
        district_code = community.parent.code
        actor_id, actor_label = rng.choice(staff[district_code])
        ip = f"10.{district_index[district_code]}.{i % 251}.{(i // 251) % 250 + 1}"
        if roll < 0.01:  # a login: no area, only installation-wide auditors see it
            yield (at, actor_id, actor_label, "auth.login", "accounts.user", str(actor_id),
                   actor_label, "", "{}", "", ip)  # fmt: skip
        elif roll < 0.03:  # a district-level record or job
            district = community.parent
            yield (at, actor_id, actor_label, "job.enqueue", "core.job", str(i),
                   f"ส่งออกข้อมูลเขต{district.name_th}", district.path,
                   '{"kind": [null, "export"]}', "", ip)  # fmt: skip
        else:
            action, object_type, changes = pools[int(roll * 1000) % len(pools)]
            reason = "แก้ไขตามคำร้องของประธานชุมชน" if roll > 0.995 else ""
            yield (at, actor_id, actor_label, action, object_type, str(rng.randrange(1, 400_000)),
                   f"{community.name_th} #{i % 997}", community.path,
                   changes[i % len(changes)], reason, ip if roll < 0.7 else None)  # fmt: skip


# --- the measured code and its raw-SQL baselines -------------------------------------------------

AUDIT_COUNT_SQL = "SELECT count(*) FROM core_auditevent WHERE area_path LIKE %s"
AUDIT_PAGE_SQL = """
    SELECT e.*, u.*
    FROM core_auditevent e LEFT JOIN accounts_user u ON u.id = e.actor_id
    WHERE e.area_path LIKE %s
    ORDER BY e.at DESC, e.id DESC
    LIMIT 50
"""
AREA_COUNT_SQL = """
    SELECT count(*) FROM organizations_area a JOIN organizations_areakind k ON k.id = a.kind_id
    WHERE k.code = 'community' AND a.path LIKE %s
"""
AREA_PAGE_SQL = """
    SELECT a.* FROM organizations_area a JOIN organizations_areakind k ON k.id = a.kind_id
    WHERE k.code = 'community' AND a.path LIKE %s
    ORDER BY a.path
    LIMIT 50
"""
REACH_SQL = """
    SELECT a.path, r.code, r.is_system, array_remove(array_agg(p.code), NULL)
    FROM accounts_roleassignment ra
    JOIN organizations_area a ON a.id = ra.area_id
    JOIN accounts_role r ON r.id = ra.role_id
    LEFT JOIN accounts_role_permissions rp ON rp.role_id = r.id
    LEFT JOIN accounts_permission p ON p.id = rp.permission_id
    WHERE ra.user_id = %s AND ra.valid_from <= CURRENT_DATE
      AND (ra.valid_to IS NULL OR ra.valid_to >= CURRENT_DATE)
    GROUP BY ra.id, a.path, r.code, r.is_system
"""


def raw_page(count_sql: str, page_sql: str, prefix: str):
    def run():
        pattern = prefix + "%"
        (count,) = harness.fetchall(count_sql, [pattern])[0]
        rows = harness.fetchall(page_sql, [pattern])
        return count, [row[0] for row in rows]

    return run


def orm_page(queryset_for, user: User, *, fresh_reach: bool = False):
    """What a ListView with paginate_by=50 runs: COUNT, then the first page. Unless
    `fresh_reach`, the user's reach is already cached (as after the first use in a request)."""
    if not fresh_reach:
        reach_of(user)

    def run():
        if fresh_reach:
            clear_reach_cache(user)
        page = Paginator(queryset_for(user), PAGE).page(1)
        return page.paginator.count, [obj.pk for obj in page.object_list]

    return run


def communities_for(user: User):
    return scope_queryset(Area.objects.of_kind("community"), user, path_field="path")


def reach_raw(user: User):
    def run():
        rows = harness.fetchall(REACH_SQL, [user.pk])
        return sorted(
            (path, role, system, tuple(sorted(perms))) for path, role, system, perms in rows
        )

    return run


def reach_orm(user: User):
    def run():
        clear_reach_cache(user)
        grants = reach_of(user).grants
        return sorted(
            (g.path, g.role_code, g.everything, tuple(sorted(g.permissions))) for g in grants
        )

    return run


def audit_cases(bench: harness.Bench, viewers: dict[str, User], label: str, *, full: bool) -> None:
    for key, prefix in [
        ("district auditor", f"/BKK/{ZONE}/{DISTRICT}/"),
        ("zone auditor", f"/BKK/{ZONE}/"),
    ]:
        user = viewers[key]
        variants = {"ORM": orm_page(audit_events_for, user)}
        if full:
            variants["ORM + reach_of"] = orm_page(audit_events_for, user, fresh_reach=True)
        bench.compare(
            f"audit page, {key} [{label}]",
            raw=raw_page(AUDIT_COUNT_SQL, AUDIT_PAGE_SQL, prefix),
            variants=variants,
            show_plans=True,
        )


def run(bench: harness.Bench) -> None:
    rng = random.Random(SEED)
    bench.section("data")
    if harness.SCALE != 1:
        bench.note(f"BENCH_SCALE={harness.SCALE}: {N_COMMUNITIES} communities, {N_EVENTS} events")
    districts, communities = create_tree(bench, rng)
    staff = create_users(districts)
    viewers = create_viewers()
    stats = harness.copy_rows(
        AuditEvent, AUDIT_COLUMNS, audit_rows(rng, communities, districts, staff), drop_indexes=True
    )
    bench.load(stats)
    for key, prefix in [("district", f"/BKK/{ZONE}/{DISTRICT}/"), ("zone", f"/BKK/{ZONE}/")]:
        (matching,) = harness.fetchall(AUDIT_COUNT_SQL, [prefix + "%"])[0]
        bench.say(f"   {matching:,} events under the {key} prefix {prefix}")
    (size,) = harness.fetchall("SELECT pg_size_pretty(pg_total_relation_size('core_auditevent'))")[
        0
    ]
    bench.say(f"   core_auditevent with its indexes: {size}")
    path_indexes = [
        (n, d) for n, d in harness.secondary_indexes("core_auditevent") if "area_path" in d
    ]
    for _name, ddl in path_indexes:
        bench.say(f"   index: {ddl}")

    bench.section("reach and community listing")
    for key in ["district auditor", "zone officer"]:
        bench.compare(
            f"reach_of, {key}",
            raw=reach_raw(viewers[key]),
            variants={"ORM": reach_orm(viewers[key])},
        )
    for key, prefix in [
        ("zone officer", f"/BKK/{ZONE}/"),
        ("district officer", f"/BKK/{ZONE}/{DISTRICT}/"),
    ]:
        bench.compare(
            f"communities, {key}",
            raw=raw_page(AREA_COUNT_SQL, AREA_PAGE_SQL, prefix),
            variants={"ORM": orm_page(communities_for, viewers[key])},
            show_plans=True,
        )

    bench.section("audit page, indexes as migrated (btree + varchar_pattern_ops)")
    audit_cases(bench, viewers, "migrated", full=True)

    bench.section("audit page, plain btree only (varchar_pattern_ops index dropped)")
    for name, ddl in path_indexes:
        if "pattern_ops" in ddl:
            harness.execute(f'DROP INDEX "{name}"')
    harness.execute("ANALYZE core_auditevent")
    audit_cases(bench, viewers, "btree only", full=False)

    bench.section('audit page, btree + (area_path COLLATE "C") instead')
    ddl = 'CREATE INDEX bench_auditevent_area_path_c ON core_auditevent (area_path COLLATE "C")'
    seconds = harness.execute(ddl)
    harness.execute("ANALYZE core_auditevent")
    bench.say(f"   {ddl}: built in {seconds:.1f} s")
    audit_cases(bench, viewers, "COLLATE C", full=False)
