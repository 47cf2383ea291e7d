"""Demo registry for `make run` (`manage.py load_demo`), made through the services.

- All 644 communities of `data/communities_sample.csv` (real names, types and locations; a
  public 2023 sample, not an official register), coded `<district>-<nnn>` in file order
  (1001-001 is ชุมชนท่าวัง, the demo committee member's community), with plausible synthetic
  declared counts.
- Synthetic households and people (valid national IDs from a deterministic generator, Thai
  names, prefixes matching sex and age, exactly one head per household, dated memberships)
  in the communities of district 1001 (where the demo officer and head work) and two of 1004.
- Something for every screen: welfare flags (elderly, disability with its legal basis,
  bedridden, chronic illness, child in need), a dissolved community, quick-registered people
  and one move to another district.
- A household survey round of the current fiscal year in each district with households (1001,
  1004), with surveys made through the survey services: most households submitted (a few
  poor, some deprived), some drafts, by the demo officer, the committee member and volunteers.

Idempotent: every step first looks for what it would make, so a second run creates nothing
and changes nothing. Deterministic: the same data on every machine.
"""

from __future__ import annotations

import csv
import random
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from stdnum.th import pin

from chumchon.core.dates import be_year
from chumchon.organizations.models import Area
from chumchon.portal.demo import LOADERS

from . import domain, services
from .models import Community, CommunityType, Household, Move, Person

SAMPLE = Path(__file__).parent / "data" / "communities_sample.csv"
#: communities that get households and people: all of these districts ...
PEOPLE_DISTRICTS = ("1001",)
#: ... and these communities
PEOPLE_COMMUNITIES = ("1004-001", "1004-002")
HOUSEHOLDS_PER_COMMUNITY = (14, 22)
DISSOLVED = ("1001-004", date(2024, 3, 31), "ยบ. 1/2567", "รวมกับชุมชนข้างเคียงตามประกาศกรุงเทพมหานคร")
MOVE = ("1001-002", "1004-001", date(2024, 8, 15), "แต่งงานและย้ายไปอยู่กับคู่สมรส")
QUICK = [
    ("1001", "ดำ", "", 58, "M", "unknown"),
    ("1001", "มะลิ", "", 34, "F", "foreign"),
]
TODAY_ANCHOR = date(2025, 1, 1)  # synthetic dates are drawn before this day

MALE = [
    "สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุชาติ", "บุญมี", "ณรงค์", "สมพงษ์", "อนุชา",
    "ธนพล", "ปิยะ", "กิตติ", "ชัยวัฒน์", "ศักดิ์ชัย", "มานพ", "ธีรวัฒน์", "ภานุวัฒน์", "วีระ",
]  # fmt: skip
FEMALE = [
    "สมหญิง", "มาลี", "วิภา", "สุดา", "บุญเรือน", "จันทร์เพ็ญ", "นงลักษณ์", "ประภา", "อรุณี",
    "ศิริพร", "กัญญา", "พรทิพย์", "สุภาพร", "วันเพ็ญ", "ละออ", "ปราณี", "ณัฐธิดา", "ชุติมา",
]  # fmt: skip
SURNAMES = [
    "ใจดี", "รักษ์ไทย", "มั่นคง", "ศรีสุข", "แก้วมณี", "ทองดี", "บุญมา", "สุขสวัสดิ์", "พึ่งบุญ",
    "เจริญผล", "วงศ์ใหญ่", "ชื่นชม", "อินทร์แก้ว", "พรหมมา", "สายทอง", "ปานดี", "นาคสวัสดิ์",
    "ศรีวงศ์", "จันทร์หอม", "บุญเกิด",
]  # fmt: skip


@dataclass
class Counts:
    communities: int = 0
    households: int = 0
    people: int = 0


def load_registry(stdout: Any) -> Counts:
    started = time.monotonic()
    counts = Counts()
    communities = _load_communities(counts)
    for code, community in communities.items():
        if code.split("-")[0] in PEOPLE_DISTRICTS or code in PEOPLE_COMMUNITIES:
            _populate(community, counts)
    _quick_registrations(counts)
    _move(communities)
    _dissolve(communities)
    stdout.write(
        f"Registry: {len(communities)} communities ({counts.communities} new), "
        f"{counts.households} new households, {counts.people} new people "
        f"in {time.monotonic() - started:.1f} s"
    )
    return counts


LOADERS.append(load_registry)


def load_surveys(stdout: Any) -> None:
    """After the registry: the demo survey rounds (see `_survey_round`)."""
    started = time.monotonic()
    made = sum(_survey_round(code) for code in SURVEY_DISTRICTS)
    stdout.write(f"Surveys: {made} new household surveys in {time.monotonic() - started:.1f} s")


LOADERS.append(load_surveys)


# --- communities -------------------------------------------------------------------------


def sample_rows() -> list[dict[str, str]]:
    """The sample's rows with their demo codes (`<district>-<nnn>` in file order)."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    serial: dict[str, int] = defaultdict(int)
    for row in rows:
        district = row["district_code_derived"].strip()
        serial[district] += 1
        row["code"] = f"{district}-{serial[district]:03d}"
    return rows


def _type_for(label: str, types: dict[str, CommunityType]) -> CommunityType:
    label = label.strip()
    # the sample writes "ชุมชนหมู่บ้านจัดสรร" for the type หมู่บ้านจัดสรร
    return types.get(label) or types[label.removeprefix("ชุมชน")]


def _profile(row: dict[str, str]) -> dict[str, Any]:
    rng = random.Random(zlib.crc32(row["code"].encode()))
    families = rng.randrange(40, 420)
    year = rng.randrange(1985, 2016)
    return {
        "declared_families": families,
        "declared_households": round(families * rng.uniform(0.8, 1.0)),
        "declared_population": round(families * rng.uniform(2.6, 3.8)),
        "announcement_no": f"{rng.randrange(1, 60)}/{be_year(year)}",
        "announced_on": date(year, rng.randrange(1, 13), rng.randrange(1, 29)),
        "address": f"เขต{row['district_th_derived'].strip()} กรุงเทพมหานคร",
        "lat": services.to_coordinate(row["lat"]),
        "lng": services.to_coordinate(row["lng"]),
    }


def _load_communities(counts: Counts) -> dict[str, Community]:
    rows = sample_rows()
    codes = [row["code"] for row in rows]
    existing = {
        c.area.code: c
        for c in Community.objects.select_related("area").filter(area__code__in=codes)
    }
    bare_areas = {
        a.code: a
        for a in Area.objects.filter(code__in=codes, kind__code="community").exclude(
            code__in=existing
        )
    }
    districts = {a.code: a for a in Area.objects.filter(kind__code="district")}
    types = {t.name_th: t for t in CommunityType.objects.all()}
    result: dict[str, Community] = {}
    for row in rows:
        code = row["code"]
        if code in existing:
            result[code] = existing[code]
            continue
        kind = _type_for(row["type"], types)
        profile = _profile(row)
        if code in bare_areas:  # the demo committee's community, made by the portal's loader
            result[code] = services.community_register_area(
                actor=None, area=bare_areas[code], type=kind, **profile
            )
        else:
            result[code] = services.community_create(
                actor=None,
                parent=districts[row["district_code_derived"].strip()],
                code=code,
                name_th=row["name"].strip(),
                type=kind,
                **profile,
            )
        counts.communities += 1
    return result


# --- households and people ---------------------------------------------------------------


def demo_national_id(
    district: str, community_no: int, household_no: int, member_no: int, born: date
) -> str:
    """A unique 13-digit ID with a correct check digit: 3 for people born before 1984
    (registered in the first census of IDs), 1 after."""
    first = "3" if born.year < 1984 else "1"
    body = f"{first}{district}{community_no % 100:02d}{household_no:03d}{member_no:02d}"
    return body + pin.calc_check_digit(body)


def _birth(rng: random.Random, age: int) -> date:
    return date(TODAY_ANCHOR.year - age - 1, rng.randrange(1, 13), rng.randrange(1, 29))


def _prefix(sex: str, age: int, married: bool) -> str:
    if age < 15:
        return "เด็กชาย" if sex == "M" else "เด็กหญิง"
    if sex == "M":
        return "นาย"
    return "นาง" if married else "นางสาว"


def _plan(rng: random.Random) -> list[dict[str, Any]]:
    """A household: the head, maybe a spouse, children, a parent, a grandchild, a lodger."""
    head_sex = rng.choice("MF")
    head_age = rng.randrange(28, 82)
    surname = rng.choice(SURNAMES)
    spouse = rng.random() < 0.7 and head_age < 78
    members = [{"relation": "head", "sex": head_sex, "age": head_age, "married": spouse}]
    if spouse:
        members.append(
            {
                "relation": "spouse",
                "sex": "F" if head_sex == "M" else "M",
                "age": max(20, head_age + rng.randrange(-6, 5)),
                "married": True,
            }
        )
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        age = max(0, head_age - rng.randrange(20, 36))
        members.append({"relation": "child", "sex": rng.choice("MF"), "age": age})
    if head_age < 55 and rng.random() < 0.25:
        members.append(
            {
                "relation": rng.choice(("father", "mother")),
                "sex": "x",
                "age": head_age + rng.randrange(22, 32),
            }
        )
    if head_age > 55 and rng.random() < 0.3:
        members.append(
            {"relation": "grandchild", "sex": rng.choice("MF"), "age": rng.randrange(2, 14)}
        )
    if rng.random() < 0.08:
        members.append(
            {"relation": "resident", "sex": rng.choice("MF"), "age": rng.randrange(18, 60)}
        )
    for member in members:
        if member["relation"] == "father":
            member["sex"] = "M"
        elif member["relation"] == "mother":
            member["sex"] = "F"
        member.setdefault("married", member["relation"] in ("father", "mother"))
        member["surname"] = surname if member["relation"] != "resident" else rng.choice(SURNAMES)
    return members


def _flags(rng: random.Random, age: int) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    if rng.random() < 0.05:
        flags["disability_type"] = rng.choice(("physical", "visual", "hearing", "intellectual"))
        flags["disability_card"] = f"พก. {rng.randrange(10000, 99999)}/{rng.randrange(2555, 2568)}"
    if age >= 70 and rng.random() < 0.12:
        flags["bedridden"] = True
    if age >= 45 and rng.random() < 0.15:
        flags["chronic_illness"] = True
    if age < 15 and rng.random() < 0.08:
        flags["child_in_need"] = True
    if flags.keys() & set(services.SENSITIVE_FIELDS):
        flags["sensitive_legal_basis"] = "social_protection"
    return flags


#: flags given outright in the first households of 1001-001, so every screen shows them
GUARANTEED_FLAGS = {
    (1, "head"): {
        "disability_type": "physical",
        "disability_card": "พก. 01234/2560",
        "sensitive_legal_basis": "social_protection",
    },
    (2, "head"): {"bedridden": True, "sensitive_legal_basis": "consent"},
    (3, "child"): {"child_in_need": True},
}


def _populate(community: Community, counts: Counts) -> None:
    if Household.objects.filter(community=community).exists():
        return
    code = community.code
    district, number = code.split("-")
    rng = random.Random(zlib.crc32(f"people:{code}".encode()))
    today = timezone.localdate()
    for h in range(1, rng.randrange(*HOUSEHOLDS_PER_COMMUNITY) + 1):
        house_code = "" if rng.random() < 0.1 else f"{district}{int(number) % 100:02d}{h:05d}"
        household = services.household_create(
            actor=None,
            community=community,
            house_no=f"{rng.randrange(1, 400)}/{h}" if rng.random() < 0.5 else str(h * 3 + 1),
            house_code=house_code,
            tenure=rng.choice(("owner", "owner_house", "rent", "rent", "encroach", "free")),
            condition=rng.choice(("good", "good", "fair", "poor")),
        )
        counts.households += 1
        registered_since = date(rng.randrange(1990, 2021), rng.randrange(1, 13), 1)
        for m, member in enumerate(_plan(rng), start=1):
            born = _birth(rng, member["age"])
            names = MALE if member["sex"] == "M" else FEMALE
            flags = _flags(rng, member["age"])
            if code == "1001-001":
                flags.update(GUARANTEED_FLAGS.get((h, member["relation"]), {}))
            in_registration = member["relation"] != "resident" and rng.random() < 0.93
            since = max(registered_since, born)
            services.person_create(
                actor=None,
                household=household,
                national_id=demo_national_id(district, int(number), h, m, born),
                relation=member["relation"],
                in_house_registration=in_registration,
                since=since,
                prefix=_prefix(member["sex"], domain.age_on(born, today), member["married"]),
                first_name=rng.choice(names),
                last_name=member["surname"],
                sex=member["sex"],
                birth_date=born,
                phone=f"08{rng.randrange(10**7, 10**8)}" if member["age"] >= 18 else "",
                **flags,
            )
            counts.people += 1


def _quick_registrations(counts: Counts) -> None:
    for area_code, first_name, last_name, age, sex, reason in QUICK:
        area = Area.objects.get(code=area_code)
        if Person.objects.filter(area=area, quick_registered=True, first_name=first_name).exists():
            continue
        services.person_quick_register(
            actor=None,
            area=area,
            first_name=first_name,
            last_name=last_name,
            approximate_age=age,
            sex=sex,
            missing_id_reason=reason,
        )
        counts.people += 1


def _move(communities: dict[str, Community]) -> None:
    """A grown-up member (not the head) of a 1001 household moves to a household in 1004: the
    demo officer's district keeps the masked history line."""
    source_code, target_code, on, reason = MOVE
    if source_code not in communities or target_code not in communities:
        return
    if Move.objects.filter(from_area=communities[source_code].area).exists():
        return
    person = (
        Person.objects.filter(
            household__community=communities[source_code],
            memberships__until__isnull=True,
            birth_date__lte=date(on.year - 20, 1, 1),
        )
        .exclude(
            memberships__until__isnull=True,
            memberships__relation="head",
        )
        .order_by("pk")
        .first()
    )
    target = Household.objects.filter(community=communities[target_code]).order_by("pk").first()
    if person is None or target is None:
        return
    services.person_move(
        actor=None,
        person=person,
        to_household=target,
        on=on,
        relation="in_law",
        in_house_registration=True,
        reason=reason,
    )


def _dissolve(communities: dict[str, Community]) -> None:
    code, on, announcement, reason = DISSOLVED
    community = communities.get(code)
    if community is None or community.is_dissolved:
        return
    services.community_dissolve(
        actor=None,
        community=community,
        dissolved_on=on,
        announcement_no=announcement,
        reason=reason,
    )


# --- household surveys -------------------------------------------------------------------

#: districts with a demo round of the current fiscal year, and the share of their households
#: surveyed (submitted) and left as drafts
SURVEY_DISTRICTS = {"1001": (0.6, 0.1), "1004": (0.45, 0.1)}
VOLUNTEERS = ["นางสมศรี อาสาดี (อสส.)", "นายบุญส่ง ช่วยชุมชน (อสส.)"]


def _survey_round(district_code: str) -> int:
    """Open the district's round of the current fiscal year and survey part of its households
    (through the services); nothing if the round already has surveys. Returns surveys made."""
    from chumchon.accounts.models import User
    from chumchon.core.dates import fiscal_year

    from .surveys import services as survey_services
    from .surveys.models import Survey, SurveyRound

    today = timezone.localdate()
    district = Area.objects.get(code=district_code)
    survey_round = SurveyRound.objects.filter(area=district, fiscal_year=fiscal_year(today)).first()
    if survey_round is None:
        survey_round = survey_services.survey_round_open(
            actor=None,
            district=district,
            fiscal_year_be=fiscal_year(today),
            note="รอบสำรวจตัวอย่าง (ข้อมูลสาธิต)",
        )
    if Survey.objects.filter(round=survey_round).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=("officer", "committee"))}
    households = list(
        Household.objects.filter(
            community__area__parent=district,
            community__status=Community.Status.ACTIVE,
            is_active=True,
        )
        .select_related("community__area")
        .order_by("community__area__code", "pk")
    )
    share, drafts = SURVEY_DISTRICTS[district_code]
    rng = random.Random(zlib.crc32(f"survey:{district_code}".encode()))
    days = max((today - survey_round.opens_on).days, 0)
    made = 0
    for household in households:
        draw = rng.random()
        if draw >= share + drafts:
            continue
        if household.community.area.code == "1001-001" and rng.random() < 0.6:
            actor = users.get("committee")
        else:
            actor = users.get("officer") if district_code == "1001" else None
        surveyed_on = survey_round.opens_on + timedelta(days=rng.randrange(days + 1))
        survey = survey_services.survey_start(
            actor=actor, household=household, surveyed_on=surveyed_on, survey_round=survey_round
        )
        answers, members = _survey_answers(rng, survey, actor)
        survey_services.survey_save(actor=actor, survey=survey, answers=answers, members=members)
        if draw < share and members:
            survey_services.survey_submit(actor=actor, survey=survey)
        made += 1
    return made


def _survey_answers(rng: random.Random, survey: Any, actor: Any) -> tuple[dict, list[dict]]:
    """Plausible answers: most households above the poverty line, a few below it; some
    uninsured members, children out of school, insecure or dilapidated housing, uncollected
    waste, elderly or disabled members without their allowance."""
    from .surveys.services import member_age

    poor = rng.random() < 0.18
    members = []
    welfare = set()
    elderly = disabled = False
    for m in survey.members.select_related("person").order_by("position"):
        age = member_age(m, survey.surveyed_on) or 30
        answer: dict[str, Any] = {
            "person": m.person_id,
            "name": m.name,
            "health_insurance": "none"
            if rng.random() < 0.04
            else rng.choice(("uc", "uc", "uc", "social_security", "civil_servant")),
            "has_disability": m.has_disability,
        }
        if age < 6:
            answer.update(occupation="none", education="pre_primary" if age >= 3 else "none")
        elif age <= 14:
            in_school = rng.random() > 0.04
            answer.update(
                occupation="student" if in_school else "none",
                education="primary" if age <= 12 else "lower_secondary",
                in_school=in_school,
            )
        elif age >= 60:
            elderly = True
            answer.update(
                occupation=rng.choice(("retired", "retired", "trader", "homemaker")),
                education=rng.choice(("primary", "primary", "lower_secondary", "none")),
                reads_thai=rng.random() > 0.08,
                income_year=str(rng.randrange(0, 4) * 6000),
            )
        else:
            job = rng.choice(("employee", "daily_wage", "trader", "rider", "own_business"))
            low = (12000, 40000) if poor else (90000, 260000)
            answer.update(
                occupation=job,
                education=rng.choice(
                    ("primary", "lower_secondary", "upper_secondary", "diploma", "bachelor")
                ),
                reads_thai=rng.random() > 0.03,
                income_year=str(rng.randrange(*low) // 100 * 100),
            )
            if age <= 22 and rng.random() < 0.4:
                answer.update(occupation="student", income_year="0", in_school=True)
        disabled = disabled or m.has_disability
        members.append(answer)
    if elderly and rng.random() < 0.85:
        welfare.add("elderly_allowance")
    if disabled and rng.random() < 0.7:
        welfare.add("disability_allowance")
    if poor and rng.random() < 0.6:
        welfare.add("welfare_card")
    answers = {
        "respondent_name": members[0]["name"] if members else "",
        "other_income_year": "0" if poor else str(rng.randrange(0, 5) * 12000),
        "expenses_month": str(rng.randrange(4, 25) * 1000),
        "debt_informal": str(rng.randrange(0, 6) * 10000) if poor else "0",
        "savings": "0" if poor else str(rng.randrange(0, 20) * 5000),
        "tenure": survey.tenure or "owner",
        "housing_condition": survey.housing_condition or "fair",
        "drinking_water_enough": rng.random() > 0.05,
        "water_source": rng.choices(("tap", "shared_tap", "bought"), (85, 8, 7))[0],
        "electricity": rng.choices(("own_meter", "shared", "none"), (85, 14, 1))[0],
        "waste": rng.choices(("collected", "sorted", "burned", "dumped"), (85, 10, 3, 2))[0],
        "welfare_received": sorted(welfare),
        "needs": rng.choice(("", "", "ต้องการอาชีพเสริม", "ต้องการซ่อมแซมบ้าน", "ต้องการทุนการศึกษาบุตร")),
    }
    if actor is None or rng.random() < 0.3:
        answers["surveyor_name"] = rng.choice(VOLUNTEERS)
    return answers, members
