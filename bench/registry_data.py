"""The registry's data for the benchmarks, loaded with COPY: communities (the real names of
`chumchon/communities/data/communities_sample.csv`, then generated ones) over the 50 districts of
the migrations, households, people with valid national IDs (keyed hash as the application
computes it) and Thai names (bench.thai_names), one open membership each.

    registry = load_registry(bench, communities=2_000, households=500_000, people=2_000_000)
    plan = write_import_files(registry, rows=1_000_000, folder=tmp)  # CSV + COPY files

Everything is deterministic for a seed. National IDs come from a serial number through a
bijection of 11-digit numbers (serials of one load never collide with another's: `id_base`).
"""

from __future__ import annotations

import csv
import random
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from stdnum.th import pin

from bench import harness
from bench.thai_names import name_pools

SAMPLE = Path(__file__).resolve().parent.parent / "chumchon/communities/data/communities_sample.csv"
NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)

_WORDS = ["ร่วมใจ", "พัฒนา", "สามัคคี", "เจริญ", "มั่นคง", "ริมคลอง", "วัด", "ตลาด", "ซอย", "หมู่บ้าน"]
_WORDS2 = ["ใหม่", "ทอง", "สุข", "ศรี", "ประชา", "เคหะ", "ร่มเย็น", "บางซื่อ", "สะพาน", "ไทย"]
_PREFIX = {("M", True): "นาย", ("F", True): "นาง", ("M", False): "ด.ช.", ("F", False): "ด.ญ."}
# relation of the members after the head (and spouse), as the registry holds them
_MEMBER_RELATIONS = ["child"] * 6 + ["grandchild"] * 2 + ["father", "mother", "sibling"]
_MEMBER_RELATIONS += ["relative", "in_law", "resident"]
#: How offices write relations in the import file.
_RELATION_WORDS = {
    "head": "หัวหน้าครัวเรือน",
    "spouse": "คู่สมรส",
    "child": "บุตร",
    "grandchild": "หลาน",
    "father": "บิดา",
    "mother": "มารดา",
    "sibling": "พี่น้อง",
    "relative": "ญาติ",
    "in_law": "ลูกเขย",
    "resident": "ผู้อาศัย",
}
#: The import file is saved as Thai Excel saves CSV (cp874): 1,000,000 rows stay under the
#: 100 MB upload limit (in UTF-8 every Thai letter takes 3 bytes).
IMPORT_ENCODING = "cp874"


def national_id(serial: int) -> str:
    """A valid 13-digit ID, distinct for each serial below 10**11 (first digit 1 to 8)."""
    body = f"{1 + serial % 8}{(serial * 7_919 + 104_729) % 10**11:011d}"
    return body + pin.calc_check_digit(body)


def _default_row(model: Any) -> tuple[list[str], dict[str, Any]]:
    """The model's columns and a value for each (defaults; "" for text; None when nullable)."""
    from django.db import models

    columns, values = [], {}
    for f in model._meta.concrete_fields:
        columns.append(f.column)
        if f.attname in ("created_at", "updated_at"):
            values[f.column] = NOW
        elif f.has_default():
            values[f.column] = f.get_default()
        elif f.null:
            values[f.column] = None
        elif isinstance(f, models.CharField | models.TextField):
            values[f.column] = ""
        else:
            values[f.column] = None  # must be given
    return columns, values


class Rows:
    """Tuples of a model's columns: `Rows(Person).make(id=..., first_name=...)`."""

    def __init__(self, model: Any, skip: tuple[str, ...] = ()):
        columns, self.defaults = _default_row(model)
        self.columns = [c for c in columns if c not in skip]
        self.model = model

    def make(self, **values: Any) -> tuple:
        row = self.defaults | values
        return tuple(row[c] for c in self.columns)


@dataclass
class CommunityInfo:
    id: int
    area_id: int
    code: str
    path: str
    district: str
    households: int = 0


@dataclass
class Registry:
    """What was loaded (compact: arrays by household index)."""

    seed: int
    communities: list[CommunityInfo]
    given: list[str]
    surnames: list[str]
    id_base: int
    people: int = 0
    # by household index: community index, id, code serial (0: no code), size
    hh_community: array = field(default_factory=lambda: array("l"))
    hh_id: array = field(default_factory=lambda: array("q"))
    hh_code: array = field(default_factory=lambda: array("q"))
    hh_no: list[str] = field(default_factory=list)
    code_serial: int = 0

    def house_code(self, index: int) -> str:
        serial = self.hh_code[index]
        if not serial:
            return ""
        return self.code_for(self.communities[self.hh_community[index]].district, serial)

    @staticmethod
    def code_for(district: str, serial: int) -> str:
        return f"{district}{serial:07d}"


def _allocate(total: int, weights: list[float]) -> list[int]:
    quotas = [w / sum(weights) * total for w in weights]
    counts = [int(q) for q in quotas]
    by_fraction = sorted(range(len(quotas)), key=lambda i: quotas[i] - counts[i], reverse=True)
    for i in by_fraction[: total - sum(counts)]:
        counts[i] += 1
    return counts


def house_no(k: int) -> str:
    """The k-th house number of a community: "12", "3/4", ... (distinct for distinct k)."""
    return f"{k // 7 + 1}/{k % 7 + 1}" if k % 3 == 0 else str(k + 1)


def _sample_names() -> dict[str, list[str]]:
    by_district: dict[str, list[str]] = {}
    with SAMPLE.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            by_district.setdefault(row["district_code_derived"], []).append(row["name"])
    return by_district


def create_communities(
    rng: random.Random, count: int, *, districts_only: tuple[str, ...] = ()
) -> list[CommunityInfo]:
    """`count` community areas and records over the districts (or only `districts_only`)."""
    from chumchon.communities.models import Community, CommunityType
    from chumchon.organizations.models import Area, AreaKind

    districts = list(Area.objects.of_kind("district").order_by("code"))
    if districts_only:
        districts = [d for d in districts if d.code in districts_only]
    kind = AreaKind.objects.get(code="community")
    real = _sample_names()
    counts = _allocate(count, [rng.uniform(0.4, 1.6) for _ in districts])
    areas = []
    for district, n in zip(districts, counts, strict=True):
        names = list(dict.fromkeys(real.get(district.code, [])))
        used = set(names)
        while len(names) < n:
            name = f"ชุมชน{rng.choice(_WORDS)}{rng.choice(_WORDS2)} {len(names) + 1}"
            if name not in used:
                used.add(name)
                names.append(name)
        for k in range(1, n + 1):
            code = f"{district.code}-{k:03d}"
            path = Area.build_path(district, code)
            areas.append(
                Area(
                    code=code,
                    name_th=names[k - 1],
                    name_en=f"Community {code}",
                    kind=kind,
                    parent=district,
                    path=path,
                    depth=path.count("/") - 2,
                )
            )
    Area.objects.bulk_create(areas, batch_size=1_000)
    types = list(CommunityType.objects.values_list("pk", flat=True))
    rows = Rows(Community, skip=("id",))
    area_rows = []
    for area in areas:
        families = rng.randint(60, 400)
        area_rows.append(
            rows.make(
                area_id=area.pk,
                type_id=rng.choice(types),
                declared_families=families,
                declared_households=int(families * 0.9),
                declared_population=families * 4,
                status="active",
            )
        )
    harness.copy_rows(Community, rows.columns, area_rows)
    by_area = dict(Community.objects.values_list("area_id", "pk"))
    return [
        CommunityInfo(by_area[a.pk], a.pk, a.code, a.path, a.parent.code)
        for a in sorted(areas, key=lambda a: a.code)
    ]


def load_registry(
    bench: harness.Bench,
    *,
    seed: int,
    communities: int,
    households: int,
    people: int,
    id_base: int,
    districts_only: tuple[str, ...] = (),
    weights: list[float] | None = None,
) -> Registry:
    """Communities, households, people and memberships, by COPY (secondary indexes dropped and
    rebuilt; VACUUM ANALYZE after)."""
    from chumchon.communities import domain
    from chumchon.communities.models import Household, Membership, Person
    from chumchon.core.national_id import national_id_hash

    rng = random.Random(seed)
    infos = create_communities(rng, communities, districts_only=districts_only)
    given, surnames = name_pools(seed)
    registry = Registry(seed, infos, given, surnames, id_base)
    weights = weights or [rng.lognormvariate(0, 0.6) for _ in infos]
    per_community = _allocate(households, weights[: len(infos)])
    for ci, n in enumerate(per_community):
        infos[ci].households = n
    # households
    hh_rows = Rows(Household)
    serial = 0

    def household_rows() -> Iterator[tuple]:
        nonlocal serial
        hid = 0
        for ci, info in enumerate(infos):
            for k in range(info.households):
                hid += 1
                number = house_no(k)
                code = 0
                if rng.random() < 0.9:
                    serial += 1
                    code = serial
                registry.hh_community.append(ci)
                registry.hh_id.append(hid)
                registry.hh_code.append(code)
                registry.hh_no.append(number)
                yield hh_rows.make(
                    id=hid,
                    community_id=info.id,
                    area_id=info.area_id,
                    house_no=number,
                    house_no_key=domain.house_no_sort_key(number),
                    house_code=registry.code_for(info.district, code) if code else "",
                    tenure=rng.choice(["owner", "rent", "owner_house", "free", ""]),
                    is_active=True,
                )

    bench.load(harness.copy_rows(Household, hh_rows.columns, household_rows(), drop_indexes=True))
    registry.code_serial = serial
    n_households = len(registry.hh_id)
    sizes = [1] * n_households
    for _ in range(max(0, people - n_households)):
        sizes[rng.randrange(n_households)] += 1
    # people, remembering what the memberships need
    relations: list[str] = []
    since_days = array("l")
    person_rows = Rows(Person)
    today = date(2025, 6, 30)

    def people_rows() -> Iterator[tuple]:
        pid = 0
        for h in range(n_households):
            info = infos[registry.hh_community[h]]
            family = rng.choice(surnames)
            for m in range(sizes[h]):
                pid += 1
                sex = rng.choice("MF")
                if m == 0:
                    relation, born = domain.HEAD, rng.randint(1940, 1995)
                elif m == 1 and rng.random() < 0.8:
                    relation, born = "spouse", rng.randint(1940, 1998)
                else:
                    relation = rng.choice(_MEMBER_RELATIONS)
                    born = rng.randint(1970, 2023)
                birth = date(born, rng.randint(1, 12), rng.randint(1, 28))
                since = min(today, birth + timedelta(days=rng.randint(0, 9_000)))
                relations.append(relation)
                since_days.append(since.toordinal())
                adult = today.year - born >= 15
                last = (
                    family if relation != "spouse" or rng.random() < 0.5 else rng.choice(surnames)
                )
                pin_ = national_id(id_base + pid)
                yield person_rows.make(
                    id=pid,
                    area_id=info.area_id,
                    household_id=registry.hh_id[h],
                    national_id=pin_,
                    national_id_hash=national_id_hash(pin_),
                    prefix=_PREFIX[(sex, adult)],
                    first_name=given[int(len(given) * rng.random() ** 1.3)],
                    last_name=last,
                    sex=sex,
                    birth_date=birth,
                    phone=f"08{rng.randrange(10**8):08d}" if rng.random() < 0.4 else "",
                    status="alive",
                )

    bench.load(harness.copy_rows(Person, person_rows.columns, people_rows(), drop_indexes=True))
    registry.people = len(relations)
    m_rows = Rows(Membership, skip=("id",))

    def membership_rows() -> Iterator[tuple]:
        pid = 0
        for h in range(n_households):
            for _m in range(sizes[h]):
                pid += 1
                yield m_rows.make(
                    person_id=pid,
                    household_id=registry.hh_id[h],
                    relation=relations[pid - 1],
                    in_house_registration=rng.random() < 0.92,
                    since=date.fromordinal(since_days[pid - 1]),
                    until=None,
                    created_at=NOW,
                )

    bench.load(harness.copy_rows(Membership, m_rows.columns, membership_rows(), drop_indexes=True))
    refresh_counts(bench)
    return registry


def refresh_counts(bench: harness.Bench) -> None:
    """The stored registry counts of every community (COPY bypasses the services that keep
    them), then VACUUM ANALYZE of their table."""
    from django.db import transaction

    from chumchon.communities.models import CommunityCount
    from chumchon.communities.services import registry_counts_refresh

    started = time.perf_counter()
    with transaction.atomic():
        refreshed = registry_counts_refresh(None)
    seconds = time.perf_counter() - started
    harness.execute(f'VACUUM (ANALYZE) "{CommunityCount._meta.db_table}"')
    bench.say(f"   registry counts of {refreshed:,} communities refreshed in {seconds:.1f} s")


# --- the import file and its plain-COPY twin --------------------------------------------------


@dataclass
class ImportFiles:
    csv: Path
    households: Path  # COPY text files (the baseline)
    people: Path
    memberships: Path
    household_columns: list[str]
    person_columns: list[str]
    membership_columns: list[str]
    rows: int = 0
    new_households: int = 0
    joined_existing: int = 0
    csv_bytes: int = 0


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _line(row: tuple) -> str:
    return "\t".join(_copy_text(v) for v in row) + "\n"


IMPORT_HEADER_KEYS = (
    "community_code",
    "house_no",
    "house_code",
    "national_id",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "relation",
    "in_house_registration",
)


def write_import_files(
    registry: Registry,
    *,
    rows: int,
    folder: Path,
    id_serial: int,
    first_household_id: int,
    first_person_id: int,
    today: date,
) -> ImportFiles:
    """A people CSV of `rows` new people in the import's column format (40% join existing
    households, 60% in new households of existing communities, a head first), and the same
    rows as COPY files for the baseline (ids from `first_household_id`/`first_person_id`)."""
    from chumchon.communities import domain
    from chumchon.communities.imports.columns import PEOPLE_COLUMNS
    from chumchon.communities.models import Household, Membership, Person
    from chumchon.core.national_id import national_id_hash

    rng = random.Random(registry.seed + 1)
    hh_rows = Rows(Household)
    person_rows = Rows(Person)
    m_rows = Rows(Membership, skip=("id",))
    thai = {c.key: c.thai for c in PEOPLE_COLUMNS}
    files = ImportFiles(
        csv=folder / "people.csv",
        households=folder / "households.copy",
        people=folder / "people.copy",
        memberships=folder / "memberships.copy",
        household_columns=hh_rows.columns,
        person_columns=person_rows.columns,
        membership_columns=m_rows.columns,
    )
    infos = registry.communities
    n_households = len(registry.hh_id)
    new_per_community = [0] * len(infos)
    code_serial = registry.code_serial
    given, surnames = registry.given, registry.surnames
    next_household = first_household_id
    next_person = first_person_id
    written = 0
    with (
        files.csv.open("w", encoding=IMPORT_ENCODING, newline="") as out_csv,
        files.households.open("w", encoding="utf-8") as out_h,
        files.people.open("w", encoding="utf-8") as out_p,
        files.memberships.open("w", encoding="utf-8") as out_m,
    ):
        writer = csv.writer(out_csv, lineterminator="\r\n")
        writer.writerow([thai[k] for k in IMPORT_HEADER_KEYS])
        while written < rows:
            if rng.random() < 0.63:  # 1 or 2 new members of an existing household (40% of rows)
                h = rng.randrange(n_households)
                ci = registry.hh_community[h]
                household_id, number = registry.hh_id[h], registry.hh_no[h]
                code = registry.house_code(h)
                members = [rng.choice(["child", "grandchild", "relative", "resident"])]
                if rng.random() < 0.5:
                    members.append(rng.choice(["child", "grandchild", "in_law"]))
                family = rng.choice(surnames)
                files.joined_existing += len(members)
            else:  # a new household of 1 to 7
                ci = rng.randrange(len(infos))
                new_per_community[ci] += 1
                j = new_per_community[ci]
                number = f"{j // 20 + 1}/{j % 20 + 8}"  # existing numbers end in /1 to /7
                code = ""
                if rng.random() < 0.9:
                    code_serial += 1
                    code = registry.code_for(infos[ci].district, code_serial)
                household_id = next_household
                next_household += 1
                info = infos[ci]
                out_h.write(
                    _line(
                        hh_rows.make(
                            id=household_id,
                            community_id=info.id,
                            area_id=info.area_id,
                            house_no=number,
                            house_no_key=domain.house_no_sort_key(number),
                            house_code=code,
                            created_at=NOW,
                            updated_at=NOW,
                        )
                    )
                )
                files.new_households += 1
                size = min(7, max(1, int(rng.gauss(4, 1.5))))
                members = [domain.HEAD] + [
                    "spouse" if m == 1 else rng.choice(_MEMBER_RELATIONS) for m in range(1, size)
                ]
                family = rng.choice(surnames)
            info = infos[ci]
            for relation in members:
                if written >= rows:
                    break
                written += 1
                id_serial += 1
                pin_ = national_id(id_serial)
                sex = rng.choice("MF")
                born = rng.randint(1940, 1998) if relation in ("head", "spouse") else None
                born = born or rng.randint(1960, 2023)
                birth = date(born, rng.randint(1, 12), rng.randint(1, 28))
                first = given[int(len(given) * rng.random() ** 1.3)]
                last = family if relation != "spouse" else rng.choice(surnames)
                in_house = rng.random() < 0.9
                writer.writerow(
                    [
                        info.code,
                        number,
                        code,
                        pin_,
                        first,
                        last,
                        "ชาย" if sex == "M" else "หญิง",
                        f"{birth.day:02d}/{birth.month:02d}/{birth.year + 543}",
                        _RELATION_WORDS[relation],
                        "ใช่" if in_house else "ไม่ใช่",
                    ]
                )
                person_id = next_person
                next_person += 1
                out_p.write(
                    _line(
                        person_rows.make(
                            id=person_id,
                            area_id=info.area_id,
                            household_id=household_id,
                            national_id=pin_,
                            national_id_hash=national_id_hash(pin_),
                            first_name=first,
                            last_name=last,
                            sex=sex,
                            birth_date=birth,
                            created_at=NOW,
                            updated_at=NOW,
                        )
                    )
                )
                out_m.write(
                    _line(
                        m_rows.make(
                            person_id=person_id,
                            household_id=household_id,
                            relation=relation,
                            in_house_registration=in_house,
                            since=today,
                            until=None,
                            created_at=NOW,
                        )
                    )
                )
    files.rows = written
    files.csv_bytes = files.csv.stat().st_size
    return files
