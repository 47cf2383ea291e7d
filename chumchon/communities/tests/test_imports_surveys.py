"""Import of household surveys (`import_registry --kind surveys`): one row per member, every
row checked, every error on its row and column in English and Thai, all or nothing, submitted
and classified exactly as the survey services do (or drafts), only where the importer records
surveys.

Helpers here (survey_row, survey_file, run_surveys) are shared by test_survey_exports.py.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from chumchon.core.audit import AuditEvent
from chumchon.core.dates import fiscal_year
from chumchon.core.models import Job

from ..imports import run_import
from ..imports.columns import SURVEY_COLUMNS
from ..imports.run import error_workbook
from ..imports.surveys import SurveyImport, choice_table
from ..models import Household, Survey, SurveyMember
from ..surveys import services
from .factories import make_community, make_household, make_person, valid_national_id
from .survey_factories import COMPLETE_ANSWERS, member, open_round, submitted_survey
from .test_imports import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

KEYS = [c.key for c in SURVEY_COLUMNS]
THAI = {c.key: c.thai for c in SURVEY_COLUMNS}
TODAY = timezone.localdate
YEAR = fiscal_year(timezone.localdate())

HOUSE_ANSWERS = {
    "fiscal_year": YEAR,
    "surveyor_name": "นางสาวสมใจ ขยัน",
    "respondent_name": "นายสมชาย ใจดี",
    "other_income_year": "0",
    "expenses_month": "9,000",
    "debt_formal": "",
    "debt_informal": "",
    "savings": "",
    "tenure": "เช่า",
    "housing_condition": "ดี",
    "drinking_water_enough": "ใช่",
    "water_source": "น้ำประปานครหลวง",
    "electricity": "มีมิเตอร์ไฟฟ้าของตนเอง",
    "waste": "เขตเก็บขน",
    "welfare_received": "",
    "needs": "",
}
MEMBER_ANSWERS = {
    "national_id": "",
    "name": "นายสมชาย ใจดี",
    "age": 40,
    "occupation": "รับจ้างรายวัน",
    "income_year": "100000",
    "education": "ประถมศึกษา",
    "in_school": "",
    "reads_thai": "ใช่",
    "health_insurance": "บัตรทอง",
    "has_disability": "ไม่ใช่",
}


def survey_row(community="HC001", house_no="12/3", **values) -> dict:
    return {
        "community_code": community,
        "house_no": house_no,
        "house_code": "",
        **HOUSE_ANSWERS,
        **MEMBER_ANSWERS,
        **values,
    }


def continuation(**values) -> dict:
    """A further member of the house above: no house key, no house answers."""
    return {**dict.fromkeys(KEYS, ""), **MEMBER_ANSWERS, **values}


def survey_file(rows, *, fmt="csv", keys=None, encoding="utf-8", headers=None):
    keys = keys or KEYS
    header = headers or [THAI[k] for k in keys]
    table = [[r.get(k, "") for k in keys] for r in rows]
    if fmt == "xlsx":
        return xlsx_bytes(header, table), "surveys.xlsx"
    return csv_bytes(header, table, encoding=encoding), "surveys.csv"


def run_surveys(data_name, actor=None, **options):
    data, name = data_name
    dry_run = options.pop("dry_run", False)
    return run_import(
        kind="surveys",
        data=data,
        filename=name,
        actor=actor,
        system=actor is None,
        dry_run=dry_run,
        options=options,
    )


def line_for(result, row: int, key: str) -> str:
    """The error line of a row and column (by the column's Thai header)."""
    prefix = f"row {row}, column {THAI.get(key, key)}: "
    found = [line for line in result.error_lines if line.startswith(prefix)]
    assert found, f"no error on {prefix!r}: {result.error_lines}"
    return found[0]


def th(msgid: str) -> str:
    with translation.override("th"):
        return translation.gettext(msgid)


@pytest.fixture
def community(db):
    return make_community("HC001", district="1001")


@pytest.fixture
def household(community):
    return make_household(community, house_no="12/3")


@pytest.fixture
def survey_round(db):
    return open_round("1001")


def nothing_saved():
    assert not Survey.objects.exists()
    assert not SurveyMember.objects.exists()


# --- happy paths -------------------------------------------------------------------------------


def test_a_csv_file_submits_each_house_as_a_classified_survey(community, survey_round):
    first = make_household(community, house_no="12/3")
    second = make_household(community, house_no="14")
    rows = [
        survey_row(),
        survey_row(name="นางสมศรี ใจดี", age=38, occupation="แม่บ้าน/พ่อบ้าน", income_year=""),
        survey_row(house_no="14", income_year="20000", tenure="บุกรุก", housing_condition="ทรุดโทรม"),
    ]
    result = run_surveys(survey_file(rows))
    assert result.ok, result.error_lines
    assert result.committed
    assert result.summary_lines() == [
        "surveys submitted 2, drafts 0, members 3, poor households 1",
        "created 2, updated 0, unchanged 0",
    ]
    survey = Survey.objects.get(household=first)
    assert survey.round == survey_round and survey.status == Survey.Status.SUBMITTED
    assert survey.area == community.area and survey.surveyed_on == TODAY()
    assert survey.tenure == "rent" and survey.housing_condition == "good"
    assert survey.expenses_month == Decimal("9000")
    assert survey.drinking_water_enough is True and survey.water_source == "tap"
    assert survey.surveyor_name == "นางสาวสมใจ ขยัน"
    assert survey.respondent_name == "นายสมชาย ใจดี"
    assert survey.submitted_at is not None and survey.classified_at is not None
    members = list(survey.members.order_by("position"))
    assert [(m.name, m.age, m.occupation, m.position) for m in members] == [
        ("นายสมชาย ใจดี", 40, "daily_wage", 1),
        ("นางสมศรี ใจดี", 38, "homemaker", 2),
    ]
    assert survey.is_poor is False and survey.income_per_person_year == Decimal("50000.00")
    poor = Survey.objects.get(household=second)
    assert poor.is_poor is True and poor.deprived_living
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.survey_poor is False and second.survey_poor is True
    assert second.survey_poor_on == TODAY()
    assert Household.objects.poor().get() == second
    event = AuditEvent.objects.get(action="registry.import")
    assert event.changes["kind"] == "surveys" and event.changes["created"] == 2
    assert event.area_path == community.area.path


def test_an_xlsx_file_with_the_house_answers_on_its_first_row_only(household, survey_round):
    rows = [
        survey_row(),
        continuation(
            name="ด.ญ.ใจดี ใจดี",
            age=9,
            occupation="นักเรียน",
            income_year="",
            in_school="ใช่",
            reads_thai="",
        ),
    ]
    result = run_surveys(survey_file(rows, fmt="xlsx"))
    assert result.ok, result.error_lines
    survey = Survey.objects.get()
    assert [m.name for m in survey.members.order_by("position")] == ["นายสมชาย ใจดี", "ด.ญ.ใจดี ใจดี"]
    child = survey.members.get(position=2)
    assert child.occupation == "student" and child.in_school is True and child.reads_thai is None


def test_a_thai_windows_cp874_csv_is_read(household, survey_round):
    result = run_surveys(survey_file([survey_row()], encoding="cp874"))
    assert result.ok, result.error_lines
    assert Survey.objects.get().members.get().name == "นายสมชาย ใจดี"


def test_dates_may_be_buddhist_or_common_era_and_the_year_follows_the_date(household, survey_round):
    day = max(survey_round.opens_on, TODAY() - timedelta(days=3))
    written = f"{day.day:02d}/{day.month:02d}/{day.year + 543}"
    result = run_surveys(survey_file([survey_row(fiscal_year="", surveyed_on=written)]))
    assert result.ok, result.error_lines
    assert Survey.objects.get().surveyed_on == day


@pytest.mark.parametrize(
    ("key", "written", "field", "code"),
    [
        ("tenure", "rent", "tenure", "rent"),
        ("tenure", "Rents", "tenure", "rent"),
        ("tenure", "บุกรุก", "tenure", "encroach"),
        ("tenure", "อื่นๆ", "tenure", "other"),
        ("housing_condition", "ต้องซ่อมแซม", "housing_condition", "fair"),
        ("water_source", "ซื้อน้ำ", "water_source", "bought"),
        ("electricity", "พ่วงไฟจากบ้านอื่น", "electricity", "shared"),
        ("waste", "ทิ้ง", "waste", "dumped"),
        ("drinking_water_enough", "ไม่ใช่", "drinking_water_enough", False),
        ("drinking_water_enough", "N", "drinking_water_enough", False),
    ],
)
def test_household_choices_take_thai_words_english_labels_or_codes(
    household, survey_round, key, written, field, code
):
    result = run_surveys(survey_file([survey_row(**{key: written})]))
    assert result.ok, result.error_lines
    assert getattr(Survey.objects.get(), field) == code


@pytest.mark.parametrize(
    ("key", "written", "code"),
    [
        ("health_insurance", "บัตรทอง", "uc"),
        ("health_insurance", "ประกันสังคม", "social_security"),
        ("health_insurance", "social_security", "social_security"),
        ("occupation", "ค้าขาย", "trader"),
        ("occupation", "นักศึกษา", "student"),
        ("education", "ม.1-3", "lower_secondary"),
        ("education", "ปริญญาตรีขึ้นไป", "bachelor"),
    ],
)
def test_member_choices_take_thai_words_or_codes(household, survey_round, key, written, code):
    result = run_surveys(survey_file([survey_row(**{key: written})]))
    assert result.ok, result.error_lines
    assert getattr(Survey.objects.get().members.get(), key) == code


def test_welfare_received_is_a_list_of_words_or_codes_separated_by_commas(household, survey_round):
    written = "เบี้ยยังชีพผู้สูงอายุ, welfare_card , บัตรสวัสดิการแห่งรัฐ"
    result = run_surveys(survey_file([survey_row(welfare_received=written)]))
    assert result.ok, result.error_lines
    assert Survey.objects.get().welfare_received == ["elderly_allowance", "welfare_card"]


def test_every_thai_label_of_every_vocabulary_is_read_back_to_its_code():
    from ..imports.surveys import VOCABULARIES, _word_key

    for vocabulary, choices in VOCABULARIES.items():
        table = choice_table(vocabulary)
        for code, label in choices:
            for language in ("th", "en"):
                with translation.override(language):
                    assert table[_word_key(str(label))] == code, (vocabulary, code, language)
            assert table[_word_key(code)] == code


def test_a_national_id_links_the_member_to_the_registry_person(household, survey_round):
    nid = valid_national_id()
    person = make_person(household, national_id=nid, birth_date=date(1970, 5, 1))
    result = run_surveys(survey_file([survey_row(national_id=nid, name="", age="")]))
    assert result.ok, result.error_lines
    linked = Survey.objects.get().members.get()
    assert linked.person == person and linked.name == person.full_name
    assert services.member_age(linked, TODAY()) == person.age_on(TODAY())


def test_a_person_with_a_disability_in_the_registry_counts_as_disabled(household, survey_round):
    nid = valid_national_id()
    make_person(
        household,
        national_id=nid,
        birth_date=date(1970, 5, 1),
        disability_card="1234",
        sensitive_legal_basis="consent",
    )
    result = run_surveys(survey_file([survey_row(national_id=nid, has_disability="")]))
    assert result.ok, result.error_lines
    assert Survey.objects.get().members.get().has_disability is True


# --- classification: the same as the services -------------------------------------------------


CASES = [
    # (house answers, members) in the services' vocabulary and the file's words
    (
        {
            "tenure": "owner",
            "other_income_year": "12000",
            "welfare_received": ["elderly_allowance"],
        },
        {"tenure": "owner", "other_income_year": "12000", "welfare_received": "เบี้ยยังชีพผู้สูงอายุ"},
        [
            member("ยาย", age=72, income="0", occupation="none", reads_thai=False),
            member("หลาน", age=10, income="0", occupation="student", in_school=False),
        ],
    ),
    (
        {"housing_condition": "poor", "water_source": "well", "drinking_water_enough": False},
        {
            "housing_condition": "ทรุดโทรม",
            "water_source": "บ่อหรือน้ำบาดาล",
            "drinking_water_enough": "ไม่",
        },
        [member("พ่อ", age=45, income="30000", health_insurance="none")],
    ),
    (
        {},
        {},
        [member("แม่", age=35, income="250000"), member("ลูก", age=5, income="0", occupation="none")],
    ),
]
WORDS = {
    "occupation": {"none": "ไม่มีอาชีพ", "student": "นักเรียน", "employee": "พนักงานบริษัทเอกชน"},
    "education": {"upper_secondary": "มัธยมศึกษาตอนปลายหรือ ปวช."},
    "health_insurance": {"none": "ไม่มีหลักประกันสุขภาพ", "social_security": "ประกันสังคม"},
}


def _file_member(m: dict) -> dict:
    def word(value):
        return "" if value is None else ("ใช่" if value else "ไม่ใช่")

    return {
        "name": m["name"],
        "age": m["age"],
        "income_year": m["income_year"],
        "occupation": WORDS["occupation"][m["occupation"]],
        "education": WORDS["education"][m["education"]],
        "health_insurance": WORDS["health_insurance"][m["health_insurance"]],
        "in_school": word(m.get("in_school")),
        "reads_thai": word(m.get("reads_thai")),
        "has_disability": "",
    }


@pytest.mark.parametrize("case", range(len(CASES)))
def test_imported_surveys_are_classified_exactly_as_the_services_classify(
    community, survey_round, case
):
    answers, words, members = CASES[case]
    by_service = submitted_survey(
        make_household(community, house_no="1"),
        members=members,
        answers={**answers, "tenure": answers.get("tenure", "owner")},
    )
    words = {"tenure": "เป็นเจ้าของบ้านและที่ดิน", **words}
    make_household(community, house_no="2")
    rows = [
        survey_row(
            house_no="2" if i == 0 else "",
            community="HC001" if i == 0 else "",
            **words,
            **_file_member(m),
        )
        if i == 0
        else continuation(**_file_member(m))
        for i, m in enumerate(members)
    ]
    result = run_surveys(survey_file(rows))
    assert result.ok, result.error_lines
    imported = Survey.objects.exclude(pk=by_service.pk).get()
    fields = [
        "is_poor",
        "income_per_person_year",
        "deprived_health",
        "deprived_living",
        "deprived_education",
        "deprived_income",
        "deprived_services",
        "deprivation_count",
        "reasons",
        "tenure",
        "housing_condition",
        "drinking_water_enough",
        "water_source",
        "welfare_received",
    ]
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(by_service, f) for f in fields}
    assert imported.reasons or case == 2  # the cases do hold some rules
    by_service.household.refresh_from_db()
    assert imported.household.survey_poor == by_service.household.survey_poor == imported.is_poor


def test_completeness_is_checked_as_the_services_check_it(household, survey_round):
    """The same incomplete survey: the service refuses it naming the questions, the import on
    each unanswered cell."""
    survey = services.survey_start(actor=None, household=household, survey_round=survey_round)
    services.survey_save(
        actor=None,
        survey=survey,
        answers={**COMPLETE_ANSWERS, "tenure": ""},
        members=[member("เด็ก", age=8, in_school=None, occupation="", income="0")],
    )
    with pytest.raises(ValidationError) as refused:
        services.survey_submit(actor=None, survey=survey)
    service_keys = set(refused.value.message_dict)
    other = make_household(household.community, house_no="99")
    row = survey_row(
        house_no=other.house_no,
        tenure="",
        name="เด็ก",
        age=8,
        in_school="",
        occupation="",
        income_year="0",
        reads_thai="",
    )
    result = run_surveys(survey_file([row]))
    assert not result.ok
    assert service_keys == {"tenure", "members.1"}
    assert line_for(result, 2, "tenure")
    assert line_for(result, 2, "occupation")
    assert line_for(result, 2, "in_school")
    assert len(result.error_lines) == 3
    nothing_saved_here = not Survey.objects.filter(household=other).exists()
    assert nothing_saved_here


# --- errors, each on its row and column, in both languages ------------------------------------


def test_an_incomplete_survey_is_refused_naming_each_missing_answer(household, survey_round):
    result = run_surveys(
        survey_file([survey_row(waste="", electricity=""), continuation(occupation="", age="")])
    )
    assert not result.ok
    waste = line_for(result, 2, "waste")
    assert "must be answered before the survey is submitted" in waste
    assert (
        th(
            "This question must be answered before the survey is submitted: answer it, or import the file as drafts."
        )
        in waste
    )
    line_for(result, 2, "electricity")
    line_for(result, 3, "occupation")
    line_for(result, 3, "age")
    nothing_saved()


def test_a_survey_without_members_is_refused_unless_drafted(household, survey_round):
    row = {
        **survey_row(),
        **dict.fromkeys(
            [
                "name",
                "age",
                "occupation",
                "income_year",
                "education",
                "reads_thai",
                "health_insurance",
                "has_disability",
            ],
            "",
        ),
    }
    result = run_surveys(survey_file([row]))
    assert "List at least one member" in line_for(result, 2, "name")
    result = run_surveys(survey_file([row]), draft=True)
    assert result.ok, result.error_lines
    assert Survey.objects.get().status == Survey.Status.DRAFT


@pytest.mark.parametrize(
    ("values", "key", "text"),
    [
        ({"tenure": "คอนโด"}, "tenure", "“คอนโด” is not an answer to this question"),
        ({"occupation": "หมอดู"}, "occupation", "เกษตรกรหรือประมง"),
        (
            {"welfare_received": "เบี้ยยังชีพผู้สูงอายุ, หวย"},
            "welfare_received",
            "“หวย” is not a kind of welfare",
        ),
        ({"drinking_water_enough": "บางที"}, "drinking_water_enough", "is not yes or no"),
        ({"in_school": "maybe"}, "in_school", "is not yes or no"),
        ({"expenses_month": "-50"}, "expenses_month", "cannot be negative"),
        ({"savings": "10.555"}, "savings", "at most 2 decimals"),
        ({"income_year": "หนึ่งหมื่น"}, "income_year", "is not a number"),
        ({"age": 150}, "age", "from 0 to 130"),
        ({"age": "สี่สิบ"}, "age", "is not a whole number"),
        ({"fiscal_year": "25"}, "fiscal_year", "is not a fiscal year"),
        ({"surveyed_on": "31/02/2569"}, "surveyed_on", ""),
        ({"national_id": "1-1017-xxxxx-xx-8"}, "national_id", "This national ID is masked"),
        ({"national_id": "1101700230709"}, "national_id", "check digit"),
        ({"name": "", "national_id": ""}, "name", "Give the member's name"),
        ({"surveyor_name": "ก" * 201}, "surveyor_name", "at most 200 characters"),
    ],
)
def test_a_bad_cell_is_reported_on_its_row_and_column(household, survey_round, values, key, text):
    rows = [survey_row(), continuation(), continuation()]
    member_keys = {"national_id", "name", "age", "occupation", "income_year", "in_school"}
    if set(values) & member_keys:
        rows[2] = continuation(**values)
    else:
        rows[0] = survey_row(**values)
    result = run_surveys(survey_file(rows))
    assert not result.ok
    line = line_for(result, 4 if set(values) & member_keys else 2, key)
    assert text in line
    nothing_saved()


def test_errors_are_written_in_english_and_in_thai(household, survey_round):
    result = run_surveys(survey_file([survey_row(house_no="404")]))
    line = line_for(result, 2, "house_no")
    english, thai = line.split(": ", 1)[1].split(" / ", 1)
    assert english.startswith("House 404 is not in the registry of community HC001")
    assert thai != english and "404" in thai and "HC001" in thai


def test_a_community_outside_the_importers_reach_is_unknown(household, survey_round, role_users):
    far = make_community("HX001", district="1004")
    make_household(far, house_no="5")
    open_round("1004")
    officer = role_users["district_officer"]  # records surveys in 1001 only
    rows = [survey_row(), survey_row(community="HX001", house_no="5")]
    result = run_surveys(survey_file(rows), actor=officer)
    assert "Unknown community: there is no community with the code HX001" in line_for(
        result, 3, "community_code"
    )
    nothing_saved()
    assert run_surveys(survey_file([survey_row()]), actor=officer).ok


def test_a_committee_member_imports_into_their_own_community_only(
    household, survey_round, role_users
):
    from chumchon.organizations.models import Area

    from .factories import community_for_area

    own = community_for_area(Area.objects.get(code="T-1001-01"))
    make_household(own, house_no="7")
    committee = role_users["committee_member"]
    result = run_surveys(survey_file([survey_row()]), actor=committee)
    assert "Unknown community" in line_for(result, 2, "community_code")  # HC001: same district
    result = run_surveys(
        survey_file([survey_row(community="T-1001-01", house_no="7")]), actor=committee
    )
    assert result.ok, result.error_lines


def test_a_user_who_records_no_surveys_cannot_import_any(household, survey_round, role_users):
    result = run_surveys(survey_file([survey_row()]), actor=role_users["central_officer"])
    assert result.error_lines == [
        "file: You may not import surveys: you record surveys in no area. / "
        + th("You may not import surveys: you record surveys in no area.")
    ]


def test_a_house_missing_from_the_registry_or_ambiguous_is_refused(community, survey_round):
    make_household(community, house_no="3", house_code="10010000001")
    make_household(community, house_no="3", house_code="10010000002")
    result = run_surveys(survey_file([survey_row(house_no="3"), survey_row(house_no="8")]))
    assert "give the house registration code" in line_for(result, 2, "house_no")
    assert "House 8 is not in the registry" in line_for(result, 3, "house_no")
    result = run_surveys(survey_file([survey_row(house_no="3", house_code="1001-00000-02")]))
    assert result.ok, result.error_lines
    assert Survey.objects.get().household.house_code == "10010000002"


def test_a_missing_or_closed_round_is_named_on_the_row(household):
    result = run_surveys(survey_file([survey_row()]))
    line = line_for(result, 2, "fiscal_year")
    assert f"There is no survey round for fiscal year {YEAR} in" in line
    survey_round = open_round("1001")
    services.survey_round_close(actor=None, survey_round=survey_round)
    result = run_surveys(survey_file([survey_row()]))
    assert "is closed: ask the district office to reopen it" in line_for(result, 2, "fiscal_year")
    nothing_saved()


def test_a_survey_date_outside_the_round_or_of_another_year_is_refused(household, survey_round):
    before = survey_round.opens_on - timedelta(days=1)
    written = before.strftime("%d/%m/") + str(before.year + 543)
    result = run_surveys(survey_file([survey_row(fiscal_year="", surveyed_on=written)]))
    assert f"There is no survey round for fiscal year {YEAR - 1}" in line_for(
        result, 2, "surveyed_on"
    )
    result = run_surveys(survey_file([survey_row(surveyed_on=written)]))
    assert f"is in fiscal year {YEAR - 1}, not in fiscal year {YEAR}" in line_for(
        result, 2, "surveyed_on"
    )
    tomorrow = TODAY() + timedelta(days=1)
    result = run_surveys(survey_file([survey_row(surveyed_on=tomorrow.isoformat())]))
    assert "is in the future" in line_for(result, 2, "surveyed_on")


def test_the_rows_of_a_house_must_be_together(community, survey_round):
    make_household(community, house_no="1")
    make_household(community, house_no="2")
    rows = [
        survey_row(house_no="1"),
        survey_row(house_no="2"),
        survey_row(house_no="1", name="คนที่สอง"),
    ]
    result = run_surveys(survey_file(rows))
    line = line_for(result, 4, "house_no")
    assert "is already in rows above (from row 2)" in line
    assert "keep the rows of a house together" in line
    nothing_saved()


def test_a_row_without_a_house_at_the_top_is_refused(household, survey_round):
    result = run_surveys(survey_file([continuation(), survey_row()]))
    assert "no house starts above this row" in line_for(result, 2, "community_code")


def test_a_house_answer_contradicted_on_a_later_row_is_refused(household, survey_round):
    rows = [survey_row(), survey_row(name="คนที่สอง", tenure="เป็นเจ้าของบ้านและที่ดิน")]
    result = run_surveys(survey_file(rows))
    assert "This differs from row 2 of the same house" in line_for(result, 3, "tenure")


def test_a_national_id_of_someone_else_or_twice_is_refused(household, survey_round, community):
    elsewhere = make_person(make_household(community, house_no="77"))
    mine = make_person(household)
    rows = [
        survey_row(national_id=elsewhere.national_id),
        continuation(national_id=mine.national_id),
        continuation(national_id=mine.national_id),
    ]
    result = run_surveys(survey_file(rows))
    assert "No one with this national ID lives in house 12/3" in line_for(result, 2, "national_id")
    assert "duplicate of row 3" in line_for(result, 4, "national_id")
    assert elsewhere.national_id not in " ".join(result.error_lines)


@pytest.mark.parametrize(
    ("data", "name", "text"),
    [
        (b"PK\x03\x04 not a workbook", "surveys.xlsx", "is not really an Excel (.xlsx) workbook"),
        (b"whatever", "surveys.xls", "Only .xlsx workbooks and .csv files can be imported"),
        (b"", "surveys.csv", "The file is empty."),
    ],
)
def test_the_registry_file_checks_apply_to_survey_files(survey_round, data, name, text):
    result = run_surveys((data, name))
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith("file: ") and text in result.error_lines[0]


def test_a_zip_bomb_is_refused_before_it_is_read(survey_round, monkeypatch):
    from ..imports import files

    monkeypatch.setattr(files, "MAX_RATIO", 2)
    rows = [survey_row(house_no=str(n)) for n in range(200)]
    result = run_surveys(survey_file(rows, fmt="xlsx"))
    assert "unpacks to an unreasonable size" in result.error_lines[0]
    nothing_saved()


def test_the_header_must_name_the_house(household, survey_round):
    keys = [k for k in KEYS if k not in ("house_no", "house_code")]
    result = run_surveys(survey_file([survey_row()], keys=keys))
    assert result.error_lines[0].startswith("file: The file needs the column house_no")


# --- all or nothing, existing surveys, drafts ---------------------------------------------------


def test_one_bad_last_row_saves_nothing_at_all(community, survey_round):
    households = [make_household(community, house_no=str(n)) for n in range(1, 6)]
    rows = [survey_row(house_no=h.house_no) for h in households]
    rows.append(continuation(occupation="นักบินอวกาศ"))
    result = run_surveys(survey_file(rows, fmt="xlsx"))
    assert not result.ok and not result.committed
    assert len(result.error_lines) == 1 and result.error_lines[0].startswith("row 7, column อาชีพ")
    nothing_saved()
    assert not Household.objects.filter(survey_poor__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_a_dry_run_checks_and_saves_nothing(household, survey_round):
    result = run_surveys(survey_file([survey_row()]), dry_run=True)
    assert result.ok and not result.committed
    assert result.summary_lines()[0] == "dry run: the file is valid; nothing was saved"
    nothing_saved()


def test_a_house_with_a_survey_in_the_round_is_refused(household, survey_round):
    submitted_survey(household)
    result = run_surveys(survey_file([survey_row()]), replace_drafts=True)
    assert "already has a submitted survey in this round" in line_for(result, 2, "house_no")
    assert Survey.objects.count() == 1


def test_a_draft_is_refused_unless_replacing_drafts_is_asked(household, survey_round):
    draft = services.survey_start(actor=None, household=household, survey_round=survey_round)
    services.survey_save(
        actor=None, survey=draft, answers={"needs": "หลังคารั่ว"}, members=[member("เก่า")]
    )
    result = run_surveys(survey_file([survey_row()]))
    assert "already has a draft survey in this round" in line_for(result, 2, "house_no")
    assert "--replace-drafts" in line_for(result, 2, "house_no")
    keys = [k for k in KEYS if k != "needs"]
    result = run_surveys(survey_file([survey_row()], keys=keys), replace_drafts=True)
    assert result.ok, result.error_lines
    assert result.summary_lines()[-1] == "created 0, updated 1, unchanged 0"
    draft.refresh_from_db()
    assert draft.status == Survey.Status.SUBMITTED and draft.tenure == "rent"
    assert draft.needs == "หลังคารั่ว"  # a column the file lacks keeps the draft's answer
    assert [m.name for m in draft.members.all()] == ["นายสมชาย ใจดี"]
    assert draft.history.count() >= 3


def test_drafts_are_saved_unclassified_and_may_be_incomplete(household, survey_round):
    result = run_surveys(survey_file([survey_row(tenure="", occupation="")]), draft=True)
    assert result.ok, result.error_lines
    assert (
        result.summary_lines()[0] == "surveys submitted 0, drafts 1, members 1, poor households 0"
    )
    survey = Survey.objects.get()
    assert survey.status == Survey.Status.DRAFT and survey.is_poor is None
    assert survey.reasons == [] and survey.submitted_at is None
    household.refresh_from_db()
    assert household.survey_poor is None
    services.survey_save(actor=None, survey=survey, answers={"tenure": "rent"}, members=[member()])
    assert services.survey_submit(actor=None, survey=survey).is_submitted


def test_absent_columns_are_prefilled_as_survey_start_does(community, survey_round):
    household = make_household(community, house_no="12/3", tenure="owner", condition="fair")
    keys = [k for k in KEYS if k not in ("tenure", "housing_condition", "surveyor_name")]
    result = run_surveys(survey_file([survey_row()], keys=keys), actor=None)
    assert result.ok, result.error_lines
    survey = Survey.objects.get(household=household)
    assert survey.tenure == "owner" and survey.housing_condition == "fair"


def test_the_importer_is_the_surveyor_when_none_is_named(household, survey_round, role_users):
    officer = role_users["district_officer"]
    officer.first_name, officer.last_name = "สมหญิง", "ทำงาน"
    officer.save()
    result = run_surveys(survey_file([survey_row(surveyor_name="")]), actor=officer)
    assert result.ok, result.error_lines
    survey = Survey.objects.get()
    assert survey.surveyor == officer and survey.surveyor_name == "สมหญิง ทำงาน"
    assert survey.submitted_by == officer and survey.created_by == officer


def test_the_error_workbook_marks_the_rows_of_a_survey_file(household, survey_round):
    data, name = survey_file([survey_row(), continuation(age=999)], fmt="xlsx")
    result = run_surveys((data, name))
    book = CalamineWorkbook.from_filelike(io.BytesIO(error_workbook(data, name, result)))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[0][-1] == "ข้อผิดพลาด (errors)"
    assert rows[1][-1] == "" and "from 0 to 130" in rows[2][-1]


# --- the command, the upload page, the API, the template ----------------------------------------


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_registry", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_imports_surveys_and_drafts(household, survey_round, tmp_path):
    data, name = survey_file([survey_row(tenure="")])
    path = tmp_path / name
    path.write_bytes(data)
    code, _out, err = command("--kind", "surveys", str(path))
    assert code == 1
    assert err.splitlines()[0].startswith("row 2, column การถือครองที่อยู่อาศัย: This question")
    code, out, err = command("--kind", "surveys", "--draft", str(path))
    assert code == 0, err
    assert out.splitlines()[-1] == "created 1, updated 0, unchanged 0"
    data, name = survey_file([survey_row()])
    path.write_bytes(data)
    code, out, err = command("--kind", "surveys", "--replace-drafts", str(path))
    assert code == 0, err
    assert out.splitlines() == [
        "surveys submitted 1, drafts 0, members 1, poor households 0",
        "created 0, updated 1, unchanged 0",
    ]
    assert Survey.objects.get().is_submitted


def test_the_command_as_an_actor_imports_only_in_their_reach(
    household, survey_round, tmp_path, role_users
):
    data, name = survey_file([survey_row()])
    path = tmp_path / name
    path.write_bytes(data)
    code, _out, err = command("--kind", "surveys", "--actor", "zone_officer", str(path))
    assert code == 1 and "you record surveys in no area" in err
    code, _out, err = command("--kind", "surveys", "--actor", "district_officer", str(path))
    assert code == 0, err


def test_uploading_a_survey_file_as_drafts_runs_the_job(
    clients, household, survey_round, django_capture_on_commit_callbacks
):
    data, name = survey_file([survey_row(occupation="")])
    payload = {"kind": "surveys", "file": SimpleUploadedFile(name, data), "draft": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["district_officer"].post(reverse("registry-import"), payload)
    assert response.status_code == 302
    job = Job.objects.get(kind="registry.import")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.params.get("errors")
    assert job.params["options"] == {"draft": True, "replace_drafts": False}
    assert Survey.objects.get().status == Survey.Status.DRAFT


def test_the_api_starts_a_survey_import_and_reports_its_errors(
    clients, household, survey_round, django_capture_on_commit_callbacks
):
    data, name = survey_file([survey_row(tenure="")])
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["district_officer"].post(
            "/api/v1/imports/", {"kind": "surveys", "file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 202, response.content
    body = clients["district_officer"].get(response.json()["url"]).json()
    assert body["status"] == "failed" and body["kind"] == "surveys"
    assert body["errors"][0].startswith("row 2, column การถือครองที่อยู่อาศัย")
    assert body["error_sheet_url"]
    nothing_saved()


def test_the_import_page_offers_the_survey_kind_template_and_options(clients):
    html = clients["district_officer"].get(reverse("registry-import")).content.decode()
    assert 'value="surveys"' in html
    assert reverse("registry-template", args=["surveys"]) in html
    assert 'name="draft"' in html and 'name="replace_drafts"' in html
    assert "สิทธิการรักษาพยาบาล" in html


def test_the_survey_template_has_thai_headers_help_and_the_accepted_words(clients):
    response = clients["committee_member"].get(reverse("registry-template", args=["surveys"]))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["แบบสำรวจ", "คำอธิบาย", "ค่าที่ใช้ได้"]
    header = book.get_sheet_by_name("แบบสำรวจ").to_python()[0]
    assert header == [THAI[k] for k in KEYS]
    values = book.get_sheet_by_name("ค่าที่ใช้ได้").to_python()
    flat = {cell for row in values for cell in row}
    assert {"หลักประกันสุขภาพถ้วนหน้า (บัตรทอง)", "uc", "เช่า", "rent"} <= flat


def test_importing_into_many_houses_uses_a_bounded_number_of_queries(community, survey_round):
    """Queries grow with the houses only by the per-house member check of the services (one
    query each), never per member or per rule."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int) -> int:
        Survey.objects.all().delete()
        rows = []
        for i in range(n):
            make_household(community, house_no=f"q{n}-{i}")
            rows += [survey_row(house_no=f"q{n}-{i}"), continuation(), continuation()]
        with CaptureQueriesContext(connection) as captured:
            assert run_surveys(survey_file(rows)).ok
        return len(captured)

    small, large = queries(3), queries(13)
    assert large - small <= 10 * 1 + 10  # one per house, plus batching slack


def test_the_importer_class_is_registered_for_the_kind():
    from ..imports.run import IMPORTERS

    assert IMPORTERS["surveys"] is SurveyImport
