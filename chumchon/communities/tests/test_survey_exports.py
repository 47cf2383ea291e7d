"""Export of a survey round (page and API): the import's columns, so that an export imported
into another round gives the same answers; national IDs in full only with personal.export;
logged; only for those who record surveys (or see welfare flags) there."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from chumchon.conftest import make_user
from chumchon.core.audit import AuditEvent
from chumchon.core.dates import fiscal_year
from chumchon.core.national_id import mask_national_id
from chumchon.organizations.models import Area

from ..imports.columns import SURVEY_COLUMNS
from ..models import Survey
from ..surveys import services
from .factories import community_for_area, make_community, make_household, make_person
from .survey_factories import COMPLETE_ANSWERS, member
from .test_imports import csv_bytes, xlsx_bytes
from .test_imports_surveys import run_surveys

pytestmark = pytest.mark.django_db

YEAR = fiscal_year(timezone.localdate())
THAI = {c.key: c.thai for c in SURVEY_COLUMNS}
ANSWER_FIELDS = [*services.HOUSEHOLD_ANSWERS]
MEMBER_FIELDS = [
    "person_id",
    "name",
    "occupation",
    "income_year",
    "education",
    "in_school",
    "reads_thai",
    "health_insurance",
    "has_disability",
]
CLASSIFICATION = [
    "is_poor",
    "income_per_person_year",
    "deprived_health",
    "deprived_living",
    "deprived_education",
    "deprived_income",
    "deprived_services",
    "deprivation_count",
]


def rows_of(response) -> list[list]:
    if response["Content-Type"].startswith("text/csv"):
        assert response.content.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def export_url(survey_round, fmt="xlsx") -> str:
    return reverse("survey-round-export", args=[survey_round.pk]) + f"?format={fmt}"


def _survey(household, survey_round, day, answers, members):
    survey = services.survey_start(
        actor=None, household=household, survey_round=survey_round, surveyed_on=day
    )
    services.survey_save(
        actor=None,
        survey=survey,
        answers={**COMPLETE_ANSWERS, "surveyor_name": "อาสา ขยัน", **answers},
        members=members,
    )
    return services.survey_submit(actor=None, survey=survey)


@pytest.fixture
def last_year(communities):
    """Submitted surveys of last fiscal year's round in district 1001: community HC001 (two
    houses, registry people among the members) and the committee's community T-1001-01."""
    district = Area.objects.get(code="1001")
    old_round = services.survey_round_open(actor=None, district=district, fiscal_year_be=YEAR - 1)
    day = old_round.opens_on + timedelta(days=40)
    community = make_community("HC001", district="1001")
    first = make_household(community, house_no="12/3", house_code="10010000011")
    head = make_person(first, relation="head", birth_date=date(1975, 2, 1), first_name="สมชาย")
    elder = make_person(first, birth_date=date(1940, 6, 1), first_name="ทองดี")
    second = make_household(community, house_no="14")
    own = community_for_area(Area.objects.get(code="T-1001-01"))
    third = make_household(own, house_no="7")
    surveys = [
        _survey(
            first,
            old_round,
            day,
            {
                "tenure": "rent",
                "expenses_month": "8500.50",
                "debt_informal": "20000",
                "welfare_received": ["elderly_allowance", "welfare_card"],
                "needs": "=หลังคารั่ว ต้องการซ่อมบ้าน",
                "respondent_name": "นายสมชาย ใจดี",
                "surveyor_name": "อาสา ขยัน",
            },
            [
                {**member("", age=None, income="120000.25"), "person": head.pk},
                {
                    **member("", age=None, income="0", occupation="none", reads_thai=False),
                    "person": elder.pk,
                },
                member("หลานสาว", age=9, income="0", occupation="student", in_school=True),
            ],
        ),
        _survey(
            second,
            old_round,
            day,
            {"housing_condition": "poor", "drinking_water_enough": False, "water_source": "well"},
            [member("ผู้เช่า", age=30, income="30000", health_insurance="none")],
        ),
        _survey(third, old_round, day, {}, [member("กรรมการ", age=50, income="200000")]),
    ]
    return {"round": old_round, "surveys": surveys, "head": head, "own": own, "hc001": community}


def _with_new_year(rows: list[list]) -> list[list]:
    """The exported rows with this year's fiscal year and a blank survey date (today)."""
    header = rows[0]
    year, day = header.index(THAI["fiscal_year"]), header.index(THAI["surveyed_on"])
    out = [header]
    for row in rows[1:]:
        row = list(row)
        row[year], row[day] = YEAR, ""
        out.append(row)
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imported_into_another_round_gives_the_same_answers(
    clients, role_users, last_year, fmt
):
    from .survey_factories import open_round

    response = clients["district_officer"].get(export_url(last_year["round"], fmt))
    assert response.status_code == 200
    rows = _with_new_year(rows_of(response))
    header, body = rows[0], rows[1:]
    data = (
        (xlsx_bytes(header, body), "again.xlsx")
        if fmt == "xlsx"
        else (csv_bytes(header, body), "again.csv")
    )
    new_round = open_round("1001")
    result = run_surveys(data, actor=role_users["district_officer"])
    assert result.ok, result.error_lines
    assert result.counts["created"] == 3
    for old in last_year["surveys"]:
        new = Survey.objects.get(round=new_round, household=old.household)
        assert {f: getattr(new, f) for f in ANSWER_FIELDS} == {
            f: getattr(old, f) for f in ANSWER_FIELDS
        }
        assert {f: getattr(new, f) for f in CLASSIFICATION} == {
            f: getattr(old, f) for f in CLASSIFICATION
        }
        old_members = list(old.members.order_by("position"))
        new_members = list(new.members.order_by("position"))
        assert [{f: getattr(m, f) for f in MEMBER_FIELDS} for m in new_members] == [
            {f: getattr(m, f) for f in MEMBER_FIELDS} for m in old_members
        ]
        assert [services.member_age(m, old.surveyed_on) for m in new_members] == [
            services.member_age(m, old.surveyed_on) for m in old_members
        ]
    linked = Survey.objects.get(round=new_round, household=last_year["head"].household)
    assert linked.members.filter(person=last_year["head"]).exists()


def test_the_export_has_the_import_columns_in_thai_and_readable_words(clients, last_year):
    rows = rows_of(clients["district_officer"].get(export_url(last_year["round"], "csv")))
    header = rows[0]
    assert header[: len(SURVEY_COLUMNS)] == [c.thai for c in SURVEY_COLUMNS]
    assert header[len(SURVEY_COLUMNS) :] == [
        "สถานะแบบสำรวจ",
        "ครัวเรือนยากจน",
        "รายได้ต่อคนต่อปี (บาท)",
        "มิติที่ขาดแคลน",
        "ชื่อชุมชน",
    ]
    assert len(rows) == 1 + 5  # one row per member
    first = dict(zip(header, rows[1], strict=True))
    assert first[THAI["community_code"]] == "HC001" and first[THAI["house_code"]] == "10010000011"
    assert first[THAI["tenure"]] == "เช่า"
    assert first[THAI["welfare_received"]] == "เบี้ยยังชีพผู้สูงอายุ, บัตรสวัสดิการแห่งรัฐ"
    assert first[THAI["expenses_month"]] == "8500.50"
    assert first[THAI["needs"]] == "'=หลังคารั่ว ต้องการซ่อมบ้าน"  # never a live formula
    assert first[THAI["drinking_water_enough"]] == "ใช่"
    assert first[THAI["health_insurance"]] == "ประกันสังคม"
    assert first["สถานะแบบสำรวจ"] == "ส่งแล้ว"


def test_national_ids_are_in_full_only_for_those_who_may_export_personal_data(clients, last_year):
    head = last_year["head"]
    rows = rows_of(clients["district_officer"].get(export_url(last_year["round"])))
    assert THAI["national_id"] in rows[0]
    ids = [r[rows[0].index(THAI["national_id"])] for r in rows[1:]]
    assert head.national_id in ids


def test_national_ids_are_masked_without_personal_export(last_year):
    from chumchon.accounts.models import Permission, Role, RoleAssignment
    from chumchon.conftest import verified_client

    role = Role.objects.create(code="surveyor", name_th="ผู้สำรวจ", name_en="Surveyor")
    role.permissions.add(
        *Permission.objects.filter(code__in=["areas.view", "records.view", "personal.view_flags"])
    )
    user = make_user("surveyor")
    RoleAssignment.objects.create(user=user, role=role, area=Area.objects.get(code="1001"))
    response = verified_client(user).get(export_url(last_year["round"], "csv"))
    assert response.status_code == 200
    rows = rows_of(response)
    column = rows[0].index(THAI["national_id"] + " (ปิดบางส่วน)")
    ids = [r[column] for r in rows[1:]]
    head = last_year["head"]
    assert mask_national_id(head.national_id) in ids
    assert head.national_id not in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action="survey.export")
    assert event.changes["national_ids"] == "masked"


def test_a_masked_export_imports_its_members_by_name(role_users, last_year):
    """The masked column's header is not the import's: the members come in unlinked."""
    from chumchon.accounts.models import Permission, Role, RoleAssignment
    from chumchon.conftest import verified_client

    from .survey_factories import open_round

    role = Role.objects.create(code="surveyor", name_th="ผู้สำรวจ", name_en="Surveyor")
    role.permissions.add(
        *Permission.objects.filter(
            code__in=["records.view", "surveys.record", "personal.view_flags"]
        )
    )
    user = make_user("surveyor")
    RoleAssignment.objects.create(user=user, role=role, area=Area.objects.get(code="1001"))
    rows = _with_new_year(rows_of(verified_client(user).get(export_url(last_year["round"]))))
    new_round = open_round("1001")
    result = run_surveys((xlsx_bytes(rows[0], rows[1:]), "masked.xlsx"), actor=user)
    assert result.ok, result.error_lines
    new = Survey.objects.get(round=new_round, household=last_year["head"].household)
    assert [m.person_id for m in new.members.all()] == [None, None, None]
    assert new.members.get(position=1).name == last_year["head"].full_name


def test_a_committee_member_who_records_surveys_may_not_export_them(clients, last_year):
    """Surveys hold incomes, debts and disability: a bulk export of them is personal data,
    which committee members (no personal.view_flags, no second factor) do not take away."""
    response = clients["committee_member"].get(export_url(last_year["round"], "csv"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="survey.export").exists()


def test_every_export_is_logged_with_its_round_format_and_rows(clients, role_users, last_year):
    clients["district_officer"].get(export_url(last_year["round"], "xlsx"))
    event = AuditEvent.objects.get(action="survey.export")
    assert event.actor == role_users["district_officer"]
    assert event.object_id == str(last_year["round"].pk)
    assert event.changes["format"] == "xlsx" and event.changes["rows"] == 5
    assert event.changes["surveys"] == 3 and event.changes["national_ids"] == "full"
    assert event.area_path == last_year["round"].area.path


def test_the_export_is_refused_outside_the_district_and_without_the_permission(clients, last_year):
    other = services.survey_round_open(
        actor=None, district=Area.objects.get(code="1004"), fiscal_year_be=YEAR - 1
    )
    assert clients["district_officer"].get(export_url(other)).status_code == 404
    assert clients["zone_officer"].get(export_url(other)).status_code == 404
    assert clients["central_officer"].get(export_url(last_year["round"])).status_code == 403
    assert clients["auditor"].get(export_url(last_year["round"])).status_code == 403
    response = clients["anonymous"].get(export_url(last_year["round"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert clients["district_officer"].get(export_url(last_year["round"], "pdf")).status_code == 404
    assert not AuditEvent.objects.filter(action="survey.export").exists()


def test_the_api_gives_the_same_file(clients, last_year):
    url = f"/api/v1/survey-rounds/{last_year['round'].pk}/export?format=csv"
    response = clients["district_officer"].get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    page = clients["district_officer"].get(export_url(last_year["round"], "csv"))
    assert rows_of(response) == rows_of(page)
    response = clients["district_officer"].get(url.replace("csv", "pdf"))
    assert response.status_code == 422
    assert clients["central_officer"].get(url).status_code == 403
    assert clients["anonymous"].get(url).status_code == 401


def test_the_api_answers_404_for_another_districts_round(clients, last_year):
    other = services.survey_round_open(
        actor=None, district=Area.objects.get(code="1004"), fiscal_year_be=YEAR - 1
    )
    response = clients["district_officer"].get(f"/api/v1/survey-rounds/{other.pk}/export")
    assert response.status_code == 404
    assert response.json()["message"]


def test_a_survey_without_members_is_one_row_and_drafts_are_exported_too(clients, last_year):
    household = make_household(last_year["hc001"], house_no="99")
    draft = services.survey_start(
        actor=None,
        household=household,
        survey_round=last_year["round"],
        surveyed_on=last_year["round"].opens_on + timedelta(days=5),
    )
    rows = rows_of(clients["district_officer"].get(export_url(last_year["round"], "csv")))
    header = rows[0]
    mine = [r for r in rows[1:] if r[header.index(THAI["house_no"])] == "99"]
    assert len(mine) == 1
    assert mine[0][header.index("สถานะแบบสำรวจ")] == "ฉบับร่าง"
    assert mine[0][header.index(THAI["name"])] == ""
    assert draft.members.count() == 0
    assert Decimal(rows[1][header.index(THAI["income_year"])]) == Decimal("120000.25")


def test_the_api_export_is_described_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/survey-rounds/{round_id}/export"]["get"]
    assert operation["description"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert {p["name"] for p in operation["parameters"]} == {"round_id", "format"}
