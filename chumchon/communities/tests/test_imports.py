"""Import of households and people: forgiving reading, strict rules, all or nothing, upsert.

Helpers here (people_file, csv_bytes, xlsx_bytes, run) are shared by the other import tests.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from chumchon.core.audit import AuditEvent
from chumchon.core.excel import write_xlsx
from chumchon.core.national_id import national_id_hash

from ..imports import run_import
from ..imports.columns import PEOPLE_COLUMNS
from ..imports.run import error_workbook
from ..models import Household, Membership, Move, Person
from .factories import make_community, make_household, make_person, valid_national_id

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = [c.thai for c in PEOPLE_COLUMNS]
KEYS = [c.key for c in PEOPLE_COLUMNS]


def csv_bytes(header, rows, *, encoding="utf-8", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(header, rows) -> bytes:
    return write_xlsx([("sheet", header, rows)])


def person_row(community="HC001", house_no="1", national_id=None, **values) -> dict:
    row = {
        "community_code": community,
        "house_no": house_no,
        "house_code": "",
        "national_id": valid_national_id() if national_id is None else national_id,
        "prefix": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "sex": "ชาย",
        "birth_date": "12/03/2510",
        "relation": "",
        "in_house_registration": "ใช่",
        "registered_since": "",
        "disability_card": "",
        "legal_basis": "",
        "phone": "",
    }
    row.update(values)
    return row


def people_file(rows, *, header=None, fmt="csv", **kw) -> tuple[bytes, str]:
    header = header or PEOPLE_HEADER
    table = [[r[k] for k in KEYS] for r in rows]
    if fmt == "xlsx":
        return xlsx_bytes(header, table), "people.xlsx"
    return csv_bytes(header, table, **kw), "people.csv"


def run(data_name, kind="people", actor=None, **kw):
    data, name = data_name
    return run_import(kind=kind, data=data, filename=name, actor=actor, system=actor is None, **kw)


def thai(msgid: str, **params) -> str:
    with translation.override("th"):
        text = translation.gettext(msgid)
    return text % params if params else text


@pytest.fixture
def community(db):
    return make_community("HC001", district="1001")


@pytest.fixture
def other_community(db):
    return make_community("HC002", district="1001")


@pytest.fixture
def far_community(db):
    return make_community("HX001", district="1004")


# --- creating, re-importing, updating -------------------------------------------------------


def test_people_import_creates_households_people_and_memberships(community):
    head, spouse, child = (valid_national_id() for _ in range(3))
    result = run(
        people_file(
            [
                person_row(house_no="10/1", national_id=head, relation="หัวหน้าครัวเรือน"),
                person_row(house_no="10/1", national_id=spouse, relation="ภรรยา", sex="หญิง"),
                person_row(house_no="12", national_id=child, relation="บุตร"),
            ]
        )
    )
    assert result.ok, result.error_lines
    assert result.committed
    assert result.summary_lines()[-1] == "created 3, updated 0, unchanged 0"
    assert "households created 2, updated 0" in result.summary_lines()
    assert Household.objects.filter(community=community).count() == 2
    person = Person.objects.get(national_id_hash=national_id_hash(spouse))
    assert person.area == community.area
    assert person.sex == "F" and person.birth_date == date(1967, 3, 12)
    membership = person.memberships.get()
    assert membership.relation == "spouse" and membership.in_house_registration
    assert membership.since == timezone.localdate() and membership.until is None
    assert person.household.house_no == "10/1"


def test_reimporting_the_same_file_changes_nothing_and_says_unchanged(community):
    data = people_file([person_row(relation="หัวหน้า"), person_row(house_no="2")])
    assert run(data).ok
    history = Person.history.count()
    result = run(data)
    assert result.summary_lines()[-1] == "created 0, updated 0, unchanged 2"
    assert Person.objects.count() == 2
    assert Membership.objects.count() == 2
    assert Household.objects.count() == 2
    assert Person.history.count() == history  # no history row for unchanged records


def test_changed_values_count_as_updated_with_history_only_for_changed_people(community):
    first, second = valid_national_id(), valid_national_id()
    run(people_file([person_row(national_id=first), person_row(national_id=second)]))
    history = Person.history.count()
    result = run(
        people_file(
            [
                person_row(national_id=first, phone="0812345678"),
                person_row(national_id=second),
            ]
        )
    )
    assert result.summary_lines()[-1] == "created 0, updated 1, unchanged 1"
    assert Person.history.count() == history + 1
    changed = Person.objects.get(national_id_hash=national_id_hash(first))
    assert changed.phone == "0812345678"
    assert changed.history.first().history_type == "~"


def test_membership_changes_count_as_updates(community):
    pid = valid_national_id()
    run(people_file([person_row(national_id=pid, in_house_registration="ไม่ใช่")]))
    result = run(people_file([person_row(national_id=pid, in_house_registration="Y")]))
    assert result.summary_lines()[-1] == "created 0, updated 1, unchanged 0"
    assert Membership.objects.get().in_house_registration is True


def test_blank_optional_cells_leave_the_registry_values(community):
    pid = valid_national_id()
    run(people_file([person_row(national_id=pid, phone="0811111111", sex="หญิง")]))
    result = run(people_file([person_row(national_id=pid, phone="", sex="", birth_date="")]))
    assert result.summary_lines()[-1] == "created 0, updated 0, unchanged 1"
    person = Person.objects.get()
    assert person.phone == "0811111111" and person.sex == "F"


def test_one_audit_event_per_import_with_file_hash_actor_and_counts(community, role_users):
    officer = role_users["district_officer"]
    data = people_file([person_row(), person_row(), person_row(house_no="2")])
    before = AuditEvent.objects.count()
    result = run(data, actor=officer)
    assert result.ok, result.error_lines
    events = AuditEvent.objects.all()[: AuditEvent.objects.count() - before]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "registry.import"
    assert event.actor == officer
    assert event.changes["file_sha256"] == result.sha256 and len(result.sha256) == 64
    assert event.changes["created"] == 3 and event.changes["households_created"] == 2
    assert event.area_path == community.area.path
    assert len(events) == 1


def test_history_rows_name_the_importing_user(community, role_users):
    officer = role_users["district_officer"]
    run(people_file([person_row()]), actor=officer)
    record = Person.history.get()
    assert record.history_user == officer
    assert Household.history.get().history_user == officer


def test_dry_run_saves_nothing_but_counts_what_it_would_do(community):
    before = AuditEvent.objects.count()
    result = run(people_file([person_row(), person_row(house_no="9")]), dry_run=True)
    assert result.ok and not result.committed
    assert result.summary_lines()[0] == "dry run: the file is valid; nothing was saved"
    assert result.summary_lines()[-1] == "created 2, updated 0, unchanged 0"
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_one_bad_row_saves_nothing_at_all(community):
    rows = [person_row() for _ in range(5)] + [person_row(national_id="1234567890123")]
    result = run(people_file(rows))
    assert not result.ok and not result.committed
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert [p.row for p in result.problems] == [7]


# --- headers ----------------------------------------------------------------------------------


def test_columns_are_found_by_key_or_thai_header_in_any_case_and_spacing(community):
    header = [
        " Community_Code ",
        "บ้าน เลขที่",
        "HOUSE CODE",
        "เลขบัตรประชาชน",
        "prefix",
        "ชื่อ",
        "LAST_name",
        "เพศ",
        "birth date",
        "ความสัมพันธ์",
        "มีชื่อในทะเบียนบ้าน *",
        "Registered Since",
        "disability_card",
        "Legal Basis",
        "Phone",
    ]
    result = run(people_file([person_row(phone="021234567")], header=header))
    assert result.ok, result.error_lines
    assert Person.objects.get().phone == "021234567"


def test_unknown_columns_are_ignored_and_optional_columns_may_be_missing(community):
    header = ["รหัสชุมชน", "บ้านเลขที่", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "หมายเหตุ"]
    pid = valid_national_id()
    data = csv_bytes(header, [["HC001", "5", pid, "มานี", "มีนา", "อะไรก็ได้"]])
    result = run((data, "p.csv"))
    assert result.ok, result.error_lines
    person = Person.objects.get()
    assert person.first_name == "มานี" and person.prefix == ""
    assert person.memberships.get().in_house_registration is False


def test_a_missing_required_column_is_a_file_error(community):
    header = ["รหัสชุมชน", "บ้านเลขที่", "ชื่อ", "นามสกุล"]
    result = run((csv_bytes(header, [["HC001", "1", "ก", "ข"]]), "p.csv"))
    assert result.error_lines == [
        "file: The required column national_id (เลขประจำตัวประชาชน) is missing. / "
        + thai(
            "The required column %(key)s (%(thai)s) is missing.",
            key="national_id",
            thai="เลขประจำตัวประชาชน",
        )
    ]


def test_a_column_given_twice_is_a_file_error(community):
    header = [*PEOPLE_HEADER, "national_id"]
    rows = [[*person_row().values(), valid_national_id()]]
    result = run((csv_bytes(header, rows), "p.csv"))
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith("file: The column “national_id” appears twice")


# --- forgiving reading -------------------------------------------------------------------------


def test_forgiving_values_spaces_thai_digits_id_separators_and_words(community):
    pid = valid_national_id()
    spaced = f" {pid[0]}-{pid[1:5]}-{pid[5:10]} {pid[10:12]}-{pid[12]} "
    other = valid_national_id()
    rows = [
        person_row(
            community=" HC001 ",
            house_no=" ๑๒/๓ ",
            national_id=spaced,
            first_name="  สมหญิง ",
            sex=" F ",
            birth_date="๑๒/๐๓/๒๕๑๐",
            relation="เจ้าบ้าน",
            in_house_registration="yes",
            house_code="๑๐๐๑-๐๑๒๓๔-๕๖",
        ),
        person_row(
            house_no="12/3",
            house_code="10010123456",
            national_id=other,
            sex="m",
            birth_date="1990-01-31",
            relation="ลูก",
            in_house_registration="0",
        ),
    ]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    first = Person.objects.get(national_id_hash=national_id_hash(pid))
    assert first.first_name == "สมหญิง" and first.sex == "F"
    assert first.birth_date == date(1967, 3, 12)
    assert first.household.house_no == "12/3"
    assert first.household.house_code == "10010123456"
    assert first.memberships.get().relation == "head"
    second = Person.objects.get(national_id_hash=national_id_hash(other))
    assert second.household == first.household
    assert second.birth_date == date(1990, 1, 31) and second.sex == "M"
    assert second.memberships.get().in_house_registration is False
    assert Household.objects.count() == 1


def test_thai_digit_national_ids_are_read(community):
    pid = valid_national_id()
    thai_id = pid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert run(people_file([person_row(national_id=thai_id)])).ok
    assert Person.objects.get().national_id == pid


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ใช่", True),
        ("ไม่ใช่", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("", False),
        ("Yes", True),
        ("no", False),
    ],
)
def test_booleans_in_thai_and_english(community, word, expected):
    assert run(people_file([person_row(in_house_registration=word)])).ok
    assert Membership.objects.get().in_house_registration is expected


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("หัวหน้าครัวเรือน", "head"),
        ("คู่สมรส", "spouse"),
        ("สามี", "spouse"),
        ("ภรรยา", "spouse"),
        ("บุตร", "child"),
        ("บิดา", "father"),
        ("มารดา", "mother"),
        ("หลาน", "grandchild"),
        ("ญาติ", "relative"),
        ("ผู้อาศัย", "resident"),
        ("child", "child"),
    ],
)
def test_relations_by_thai_word_alias_or_code(community, word, code):
    assert run(people_file([person_row(relation=word)])).ok
    assert Membership.objects.get().relation == code


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12/03/2510", date(1967, 3, 12)),
        ("12/03/1967", date(1967, 3, 12)),
        ("1967-03-12", date(1967, 3, 12)),
        ("12 มี.ค. 2510", date(1967, 3, 12)),
        ("12/3/10", date(1967, 3, 12)),
    ],
)
def test_birth_dates_in_buddhist_or_common_era(community, written, expected):
    assert run(people_file([person_row(birth_date=written)])).ok
    assert Person.objects.get().birth_date == expected


def test_xlsx_with_date_cells_and_numeric_national_ids(community):
    pid = valid_national_id()
    row = person_row(national_id=int(pid), birth_date=date(1980, 5, 17), house_no=7)
    result = run(people_file([row], fmt="xlsx"))
    assert result.ok, result.error_lines
    person = Person.objects.get()
    assert person.national_id == pid and person.birth_date == date(1980, 5, 17)
    assert person.household.house_no == "7"


def test_csv_in_cp874_as_thai_excel_saves_it(community):
    data = people_file([person_row(first_name="ประยุทธ", relation="หัวหน้าครัวเรือน")], encoding="cp874")
    data[0].decode("cp874")
    with pytest.raises(UnicodeDecodeError):
        data[0].decode("utf-8")
    result = run(data)
    assert result.ok, result.error_lines
    assert Person.objects.get().first_name == "ประยุทธ"


def test_csv_in_utf8_with_a_bom(community):
    data = people_file([person_row(first_name="วันดี")], bom=True)
    assert data[0].startswith(b"\xef\xbb\xbf")
    result = run(data)
    assert result.ok, result.error_lines
    assert Person.objects.get().first_name == "วันดี"


def test_semicolon_separated_csv_is_read(community):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(PEOPLE_HEADER)
    writer.writerow(list(person_row().values()))
    result = run((buffer.getvalue().encode(), "p.csv"))
    assert result.ok, result.error_lines


def test_blank_lines_are_skipped_but_row_numbers_stay_the_spreadsheets(community):
    rows = [
        [*person_row().values()],
        [""] * 13,
        [*person_row(national_id="1111111111112").values()],
    ]
    result = run((csv_bytes(PEOPLE_HEADER, rows), "p.csv"))
    assert [p.row for p in result.problems] == [4]


# --- strict rules ----------------------------------------------------------------------------


def _only_error(result) -> str:
    assert not result.committed
    assert len(result.error_lines) == 1, result.error_lines
    return result.error_lines[0]


@pytest.mark.parametrize(
    ("values", "column", "english"),
    [
        ({"national_id": "1101700230709"}, "เลขประจำตัวประชาชน", "the last digit (the check digit)"),
        ({"national_id": "110170023070"}, "เลขประจำตัวประชาชน", "has 12 digits instead of 13"),
        ({"national_id": ""}, "เลขประจำตัวประชาชน", "This value is required."),
        ({"first_name": " "}, "ชื่อ", "This value is required."),
        ({"last_name": ""}, "นามสกุล", "This value is required."),
        ({"house_no": ""}, "บ้านเลขที่", "This value is required."),
        ({"community_code": ""}, "รหัสชุมชน", "This value is required."),
        (
            {"community": "NOPE"},
            "รหัสชุมชน",
            "Unknown community: there is no community with the code NOPE.",
        ),
        ({"sex": "x"}, "เพศ", "is not a sex"),
        ({"relation": "เพื่อนบ้าน"}, "ความสัมพันธ์กับหัวหน้าครัวเรือน", "is not a relation"),
        ({"in_house_registration": "maybe"}, "มีชื่อในทะเบียนบ้าน", "is not yes or no"),
        ({"house_code": "123"}, "รหัสประจำบ้าน", "A house registration code has 11 digits"),
        ({"birth_date": "31/02/2510"}, "วันเกิด", "is not a date"),
        ({"first_name": "ก" * 101}, "ชื่อ", "Too long: at most 100 characters."),
    ],
)
def test_strict_rules_refuse_the_row(community, values, column, english):
    if "community" in values:
        values = {"community": values.pop("community"), **values}
    line = _only_error(run(people_file([person_row(), person_row(**values)])))
    assert line.startswith(f"row 3, column {column}: ")
    assert english in line
    assert Person.objects.count() == 0


def test_a_birth_date_in_the_future_is_refused(community):
    tomorrow = timezone.localdate() + timedelta(days=1)
    line = _only_error(run(people_file([person_row(birth_date=tomorrow.strftime("%d/%m/%Y"))])))
    assert line.startswith("row 2, column วันเกิด: The date ")
    assert "is in the future" in line


def test_a_duplicate_national_id_names_the_later_row_and_cites_the_first(community):
    pid = valid_national_id()
    rows = [person_row(house_no=str(n)) for n in range(1, 7)]
    rows.insert(6, person_row(national_id=pid, house_no="8"))
    rows += [person_row(house_no="9"), person_row(national_id=f" {pid} ", house_no="20")]
    result = run(people_file(rows))
    english = "This national ID appears twice in the file: duplicate of row 8"
    assert result.error_lines == [
        f"row 10, column เลขประจำตัวประชาชน: {english} / "
        + thai("This national ID appears twice in the file: duplicate of row %(first)s", first=8)
    ]


def test_error_lines_are_bilingual_in_the_exact_format(community):
    line = _only_error(run(people_file([person_row(community="ZZZ")])))
    english = "Unknown community: there is no community with the code ZZZ."
    thai_text = thai("Unknown community: there is no community with the code %(code)s.", code="ZZZ")
    assert line == f"row 2, column รหัสชุมชน: {english} / {thai_text}"


def test_the_column_is_named_as_written_in_the_file(community):
    header = list(PEOPLE_HEADER)
    header[3] = "National ID"
    line = _only_error(run(people_file([person_row(national_id="1")], header=header)))
    assert line.startswith("row 2, column National ID: ")


def test_a_second_head_in_one_household_within_the_file_is_a_duplicate_of_the_first(community):
    rows = [
        person_row(house_no="5", relation="หัวหน้าครัวเรือน"),
        person_row(house_no="6", relation="หัวหน้าครัวเรือน"),
        person_row(house_no="5", relation="บุตร"),
        person_row(house_no="5", relation="เจ้าบ้าน"),
    ]
    line = _only_error(run(people_file(rows)))
    english = "A second head for one household: duplicate of row 2"
    assert line == (
        f"row 5, column ความสัมพันธ์กับหัวหน้าครัวเรือน: {english} / "
        + thai("A second head for one household: duplicate of row %(first)s", first=2)
    )
    assert "ซ้ำกับแถวที่ 2" in line


def test_a_second_head_against_the_registry(community):
    household = make_household(community, house_no="5")
    make_person(household, relation="head")
    line = _only_error(run(people_file([person_row(house_no="5", relation="หัวหน้า")])))
    assert line.startswith(
        "row 2, column ความสัมพันธ์กับหัวหน้าครัวเรือน: This household already has a head in the registry"
    )


def test_the_head_can_be_replaced_in_the_same_file(community):
    household = make_household(community, house_no="5")
    old = make_person(household, relation="head")
    rows = [
        person_row(house_no="5", relation="หัวหน้า"),
        person_row(house_no="5", national_id=old.national_id, relation="สามี"),
    ]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    assert Membership.objects.get(person=old, until__isnull=True).relation == "spouse"
    assert (
        Membership.objects.filter(household=household, relation="head", until__isnull=True)
        .exclude(person=old)
        .count()
        == 1
    )


def test_a_person_registered_in_another_district_asks_for_a_transfer(community, far_community):
    elsewhere = make_person(make_household(far_community, house_no="1"))
    line = _only_error(run(people_file([person_row(national_id=elsewhere.national_id)])))
    english = "This person is registered in another district: request a transfer."
    assert line.startswith(f"row 2, column เลขประจำตัวประชาชน: {english} / ")
    assert "1004" not in line and "บางรัก" not in line and "HX001" not in line
    assert "ขอย้าย" in line or "transfer" in line


def test_communities_outside_the_importers_reach_look_unknown(community, far_community, role_users):
    officer = role_users["district_officer"]  # district 1001
    line = _only_error(run(people_file([person_row(community="HX001")]), actor=officer))
    assert "Unknown community: there is no community with the code HX001." in line


def test_a_user_without_records_edit_may_not_import(community, role_users):
    result = run(people_file([person_row()]), actor=role_users["central_officer"])
    assert result.error_lines[0].startswith("file: You may not import")


def test_a_deceased_person_is_refused(community):
    from ..services import person_set_status

    person = make_person(make_household(community, house_no="1"))
    person_set_status(actor=None, person=person, status="deceased", on=timezone.localdate())
    line = _only_error(run(people_file([person_row(national_id=person.national_id)])))
    assert "recorded as deceased" in line


def test_a_dissolved_community_takes_no_new_households(community):
    from ..services import community_dissolve

    community_dissolve(
        actor=None,
        community=community,
        dissolved_on=timezone.localdate(),
        announcement_no="1/2567",
        reason="ทดสอบ",
    )
    line = _only_error(run(people_file([person_row()])))
    assert "is dissolved" in line


# --- households and moves ------------------------------------------------------------------


def test_households_are_found_by_house_code_first(community):
    household = make_household(community, house_no="99", house_code="10010000001")
    result = run(people_file([person_row(house_no="100", house_code="1001-0000001")]))
    assert result.ok, result.error_lines
    household.refresh_from_db()
    assert household.house_no == "100"  # the code identifies it; the number is corrected
    assert Person.objects.get().household == household
    assert "households created 0, updated 1" in result.summary_lines()


def test_a_household_without_code_gets_the_code_given_in_the_file(community):
    household = make_household(community, house_no="7")
    result = run(people_file([person_row(house_no="7", house_code="10010000002")]))
    assert result.ok, result.error_lines
    household.refresh_from_db()
    assert household.house_code == "10010000002"
    assert Household.objects.count() == 1


def test_blank_house_codes_find_the_household_by_community_and_number(community):
    household = make_household(community, house_no="7")
    assert run(people_file([person_row(house_no="7")])).ok
    assert Person.objects.get().household == household


def test_a_house_code_of_another_community_is_refused(community, other_community):
    make_household(other_community, house_no="1", house_code="10010000003")
    line = _only_error(run(people_file([person_row(house_code="10010000003")])))
    assert line.startswith("row 2, column รหัสประจำบ้าน: This house registration code belongs")


def test_a_person_moves_to_the_household_the_file_gives(community, other_community):
    old_household = make_household(other_community, house_no="1")
    person = make_person(old_household, relation="head")
    result = run(people_file([person_row(national_id=person.national_id, house_no="3")]))
    assert result.ok, result.error_lines
    assert result.summary_lines()[-1] == "created 0, updated 1, unchanged 0"
    assert "moved to another household 1 (from another community 1)" in result.summary_lines()
    person.refresh_from_db()
    assert person.area == community.area
    assert person.household.community == community
    closed = Membership.objects.get(person=person, household=old_household)
    assert closed.until == timezone.localdate()
    move = Move.objects.get(person=person)
    assert move.from_area == other_community.area and move.to_area == community.area


def test_disability_card_records_the_legal_basis_given_in_the_file(community):
    row = person_row(disability_card="1234567890", legal_basis="consent")
    assert run(people_file([row])).ok
    person = Person.objects.get()
    assert person.disability_card == "1234567890"
    assert person.sensitive_legal_basis == Person.LegalBasis.CONSENT


# --- output ---------------------------------------------------------------------------------


def test_the_error_workbook_is_the_uploaded_sheet_with_an_errors_column(community):
    rows = [person_row(), person_row(national_id="1"), person_row(sex="?")]
    data = people_file(rows, fmt="xlsx")
    result = run(data)
    book = CalamineWorkbook.from_filelike(io.BytesIO(error_workbook(*data, result)))
    sheet = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert sheet[0][-1] == "ข้อผิดพลาด (errors)"
    assert sheet[0][:-1] == PEOPLE_HEADER
    assert sheet[1][-1] == ""
    assert sheet[2][-1].startswith("row 3, column เลขประจำตัวประชาชน: ")
    assert sheet[3][-1].startswith("row 4, column เพศ: ")
    listing = book.get_sheet_by_name(book.sheet_names[1]).to_python()
    assert [r[0] for r in listing[1:]] == result.error_lines


def test_no_output_but_error_lines_mentions_a_row_number(community):
    import re

    result = run(people_file([person_row(), person_row(house_no="2")]))
    assert not any(re.search(r"\brow \d", line) for line in result.summary_lines())


# --- households: one house, one household -----------------------------------------------------


def test_reimporting_without_house_codes_finds_the_household_that_now_has_a_code(community):
    pid = valid_national_id()
    first = run(
        people_file([person_row(house_no="12/3", house_code="10010000012", national_id=pid)])
    )
    assert first.ok, first.error_lines
    result = run(people_file([person_row(house_no="12/3", national_id=pid)]))
    assert result.ok, result.error_lines
    assert result.summary_lines()[-1] == "created 0, updated 0, unchanged 1"
    assert Household.objects.filter(community=community, house_no="12/3").count() == 1
    assert Person.objects.get().household.house_code == "10010000012"


def test_a_blank_house_code_joins_the_coded_household_of_that_number(community):
    household = make_household(community, house_no="12/3", house_code="10010000013")
    result = run(people_file([person_row(house_no="12/3")]))
    assert result.ok, result.error_lines
    assert Household.objects.count() == 1
    assert Person.objects.get().household == household


def test_a_blank_house_code_matching_two_households_is_refused(community):
    make_household(community, house_no="12/3", house_code="10010000014")
    make_household(community, house_no="12/3", house_code="10010000015")
    line = _only_error(run(people_file([person_row(house_no="12/3")])))
    assert line.startswith(
        "row 2, column บ้านเลขที่: Several households of this community have the house number "
        "12/3: give the house registration code to say which one. / "
    )
    assert Household.objects.count() == 2 and Person.objects.count() == 0


@pytest.mark.parametrize(
    ("first_code", "later_code"),
    [("", "10010000007"), ("10010000007", ""), ("10010000008", "10010000009")],
)
def test_one_house_number_with_different_codes_in_one_file_is_refused(
    community, first_code, later_code
):
    rows = [
        person_row(house_no="7", house_code=first_code),
        person_row(house_no="7", house_code=later_code),
    ]
    line = _only_error(run(people_file(rows)))
    english = "The house registration code differs from row 2, which has the same house number."
    assert line == f"row 3, column รหัสประจำบ้าน: {english} / " + thai(
        "The house registration code differs from row %(first)s, which has the same house number.",
        first=2,
    )
    assert Household.objects.count() == 0


def test_the_same_house_number_and_code_on_several_rows_is_one_household(community):
    rows = [person_row(house_no="7", house_code="10010000007") for _ in range(3)]
    rows += [person_row(house_no="8") for _ in range(2)]
    result = run(people_file(rows))
    assert result.ok, result.error_lines
    assert Household.objects.count() == 2


def test_a_house_code_held_outside_the_importers_reach_is_refused_without_saying_where(
    community, far_community, role_users
):
    make_household(far_community, house_no="1", house_code="10040000001")
    officer = role_users["district_officer"]  # district 1001
    line = _only_error(run(people_file([person_row(house_code="10040000001")]), actor=officer))
    english = "This house registration code is registered elsewhere: request a transfer."
    assert line.startswith(f"row 2, column รหัสประจำบ้าน: {english} / ")
    assert "another community" not in line
    assert "1004" not in line.replace("10040000001", "") and "HX001" not in line


def test_a_house_code_of_another_district_is_refused_like_a_national_id(community, far_community):
    make_household(far_community, house_no="1", house_code="10040000002")
    line = _only_error(run(people_file([person_row(house_code="10040000002")])))
    assert "is registered elsewhere: request a transfer." in line
    assert "HX001" not in line


# --- national IDs are not repeated in error lines ----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "english"),
    [
        ("1101700230709", "the last digit (the check digit) does not match"),
        ("110170023070", "it has 12 digits instead of 13"),
        ("11017002307X8", "it may contain only digits"),
        ("9101700230708", "no ID starts with 9"),
    ],
)
def test_national_id_errors_do_not_repeat_the_typed_number(community, typed, english):
    line = _only_error(run(people_file([person_row(national_id=typed)])))
    assert english in line
    assert typed not in line
    assert typed[:10] not in line.replace(" ", "")
    english_part, thai_part = line.split(" / ", 1)
    assert english_part.startswith("row 2, column เลขประจำตัวประชาชน: Not a national ID number")
    assert thai_part and thai_part != english_part.split(": ", 1)[1]


# --- welfare data: legal basis and permission ----------------------------------------------------


def test_a_disability_card_without_a_legal_basis_is_refused(community):
    line = _only_error(run(people_file([person_row(disability_card="1234567890")])))
    assert line.startswith(
        "row 2, column ฐานทางกฎหมาย (ข้อมูลสุขภาพ/ความพิการ): Disability data are sensitive: "
        "give the legal basis"
    )
    assert Person.objects.count() == 0


def test_a_disability_card_without_the_legal_basis_column_is_refused(community):
    header = ["รหัสชุมชน", "บ้านเลขที่", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "เลขบัตรคนพิการ"]
    data = csv_bytes(header, [["HC001", "5", valid_national_id(), "มานี", "มีนา", "123"]])
    line = _only_error(run((data, "p.csv")))
    assert line.startswith("row 2, column เลขบัตรคนพิการ: Disability data are sensitive")
    assert "ฐานทางกฎหมาย (ข้อมูลสุขภาพ/ความพิการ)" in line


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("consent", "consent"),
        (" Social_Protection ", "social_protection"),
        ("vital-interest", "vital_interest"),
        ("ความยินยอม", "consent"),
        ("การคุ้มครองทางสังคมและสวัสดิการตามกฎหมาย (ม.26(5))", "social_protection"),
        ("ป้องกันอันตรายต่อชีวิตหรือสุขภาพ", "vital_interest"),
        ("Explicit consent of the person (PDPA s.26)", "consent"),
    ],
)
def test_the_legal_basis_is_read_from_its_code_or_label(community, written, code):
    row = person_row(disability_card="99", legal_basis=written)
    result = run(people_file([row]))
    assert result.ok, result.error_lines
    assert Person.objects.get().sensitive_legal_basis == code


def test_an_unknown_legal_basis_is_refused(community):
    line = _only_error(run(people_file([person_row(disability_card="9", legal_basis="เพราะอยาก")])))
    assert line.startswith("row 2, column ฐานทางกฎหมาย (ข้อมูลสุขภาพ/ความพิการ): “เพราะอยาก” is not")


@pytest.fixture
def editor_without_flags(community):
    """A user who edits records in district 1001 but may not see welfare flags."""
    from chumchon.accounts.models import Permission, Role, RoleAssignment, User
    from chumchon.organizations.models import Area

    role = Role.objects.create(code="clerk", name_th="เสมียน", name_en="Clerk")
    role.permissions.add(
        *Permission.objects.filter(code__in=["areas.view", "people.view", "records.edit"])
    )
    user = User.objects.create_user(username="clerk", password="pw-test-123")
    RoleAssignment.objects.create(user=user, role=role, area=Area.objects.get(code="1001"))
    return user


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"disability_card": "123", "legal_basis": "consent"}, "เลขบัตรคนพิการ"),
        ({"legal_basis": "consent"}, "ฐานทางกฎหมาย (ข้อมูลสุขภาพ/ความพิการ)"),
    ],
)
def test_importers_without_view_flags_may_not_record_welfare_data(
    community, editor_without_flags, values, column
):
    line = _only_error(run(people_file([person_row(**values)]), actor=editor_without_flags))
    english = (
        "You may not record welfare data in this community: leave the disability card and "
        "legal basis columns blank."
    )
    assert line.startswith(f"row 2, column {column}: {english} / ")
    assert Person.objects.count() == 0
    assert run(people_file([person_row()]), actor=editor_without_flags).ok


def test_officers_with_view_flags_may_record_welfare_data(community, role_users):
    row = person_row(disability_card="123", legal_basis="consent")
    result = run(people_file([row]), actor=role_users["district_officer"])
    assert result.ok, result.error_lines


# --- headers as written ---------------------------------------------------------------------------


def test_the_column_is_named_exactly_as_written_inner_spaces_kept(community):
    header = list(PEOPLE_HEADER)
    header[3] = "  National   ID "
    line = _only_error(run(people_file([person_row(national_id="1")], header=header)))
    assert line.startswith("row 2, column National   ID: ")


# --- moves --------------------------------------------------------------------------------------


def test_a_move_without_the_in_house_registration_column_keeps_the_persons_answer(
    community, other_community
):
    person = make_person(make_household(other_community, house_no="1"), in_house_registration=True)
    header = ["รหัสชุมชน", "บ้านเลขที่", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล"]
    data = csv_bytes(header, [["HC001", "3", person.national_id, "ก", "ข"]])
    result = run((data, "p.csv"))
    assert result.ok, result.error_lines
    membership = Membership.objects.get(person=person, until__isnull=True)
    assert membership.household.community == community
    assert membership.in_house_registration is True


def test_a_move_with_a_blank_in_house_registration_means_no(community, other_community):
    person = make_person(make_household(other_community, house_no="1"), in_house_registration=True)
    row = person_row(national_id=person.national_id, house_no="3", in_house_registration="")
    assert run(people_file([row])).ok
    assert Membership.objects.get(person=person, until__isnull=True).in_house_registration is False


def test_moves_between_households_of_one_community_are_counted(community):
    person = make_person(make_household(community, house_no="1"))
    result = run(people_file([person_row(national_id=person.national_id, house_no="2")]))
    assert result.ok, result.error_lines
    assert result.counts["moved"] == 1
    assert "moved to another household 1 (from another community 0)" in result.summary_lines()
    assert person.memberships.filter(until__isnull=True).get().household.house_no == "2"


def test_the_import_event_covers_the_community_people_left(community, other_community, role_users):
    person = make_person(make_household(other_community, house_no="1"))
    result = run(
        people_file([person_row(national_id=person.national_id, house_no="3")]),
        actor=role_users["district_officer"],
    )
    assert result.ok, result.error_lines
    event = AuditEvent.objects.get(action="registry.import")
    district_path = community.area.parent.path
    assert event.area_path == district_path  # both communities, not only the one joined
    assert other_community.area.path.startswith(event.area_path)


# --- registered since (the start of the membership a row creates) ------------------------------

SINCE_HEADER = "วันที่ย้ายเข้า (มีชื่อในทะเบียนบ้านตั้งแต่)"


def test_registered_since_in_buddhist_era_dates_a_new_persons_membership(community):
    pid = valid_national_id()
    result = run(people_file([person_row(national_id=pid, registered_since="15/01/2563")]))
    assert result.ok, result.error_lines
    membership = Membership.objects.get(person__national_id_hash=national_id_hash(pid))
    assert membership.since == date(2020, 1, 15) and membership.until is None


def test_registered_since_is_read_by_its_alias_and_from_an_xlsx_date_cell(community):
    header = [("ย้ายเข้าเมื่อ" if k == "registered_since" else h) for k, h in zip(KEYS, PEOPLE_HEADER)]
    row = person_row(registered_since=date(2019, 6, 1))
    assert run(people_file([row], header=header, fmt="xlsx")).ok
    assert Membership.objects.get().since == date(2019, 6, 1)


def test_a_blank_or_missing_registered_since_dates_the_membership_on_the_import_day(community):
    assert run(people_file([person_row(house_no="1")])).ok
    header = [h for k, h in zip(KEYS, PEOPLE_HEADER) if k != "registered_since"]
    table = [[v for k, v in person_row(house_no="2").items() if k != "registered_since"]]
    assert run((csv_bytes(header, table), "p.csv")).ok
    assert [m.since for m in Membership.objects.all()] == [timezone.localdate()] * 2


def test_a_registered_since_in_the_future_is_a_row_error_in_the_exact_format(community):
    tomorrow = timezone.localdate() + timedelta(days=1)
    written = tomorrow.strftime("%d/%m/") + str(tomorrow.year + 543)
    result = run(people_file([person_row(), person_row(house_no="2", registered_since=written)]))
    english = f"The date {written} is in the future."
    assert result.error_lines == [
        f"row 3, column {SINCE_HEADER}: {english} / "
        + thai("The date %(date)s is in the future.", date=written)
    ]
    assert Person.objects.count() == 0


def test_a_registered_since_before_the_birth_date_is_a_row_error(community):
    row = person_row(birth_date="12/03/2530", registered_since="01/01/2529")
    result = run(people_file([row]))
    english = "The date 01/01/2529 is before the birth date (12/03/2530)."
    assert result.error_lines == [
        f"row 2, column {SINCE_HEADER}: {english} / "
        + thai(
            "The date %(date)s is before the birth date (%(birth)s).",
            date="01/01/2529",
            birth="12/03/2530",
        )
    ]
    assert Person.objects.count() == 0


def test_a_move_through_the_import_closes_the_old_membership_on_registered_since(
    community, other_community
):
    old_household = make_household(other_community, house_no="1")
    person = make_person(old_household, relation="head", since=date(2015, 5, 1))
    row = person_row(national_id=person.national_id, house_no="3", registered_since="2021-07-01")
    result = run(people_file([row]))
    assert result.ok, result.error_lines
    closed = Membership.objects.get(person=person, household=old_household)
    assert closed.since == date(2015, 5, 1) and closed.until == date(2021, 7, 1)
    current = Membership.objects.get(person=person, until__isnull=True)
    assert current.since == date(2021, 7, 1) and current.household.community == community
    assert Move.objects.get(person=person).moved_on == date(2021, 7, 1)


def test_a_move_dated_before_the_person_joined_their_household_is_refused_and_saves_nothing(
    community, other_community
):
    old_household = make_household(other_community, house_no="1")
    person = make_person(old_household, relation="head", since=date(2022, 3, 1))
    rows = [
        person_row(house_no="7"),
        person_row(national_id=person.national_id, house_no="3", registered_since="01/01/2564"),
    ]
    result = run(people_file(rows))
    english = (
        "The date 01/01/2564 is before the person joined their current household (01/03/2565)."
    )
    assert result.error_lines == [
        f"row 3, column {SINCE_HEADER}: {english} / "
        + thai(
            "The date %(date)s is before the person joined their current household (%(since)s).",
            date="01/01/2564",
            since="01/03/2565",
        )
    ]
    assert Person.objects.count() == 1
    assert Household.objects.filter(community=community).count() == 0
    membership = Membership.objects.get(person=person)
    assert membership.until is None and membership.household == old_household
    assert not Move.objects.exists()


def test_registered_since_does_not_rewrite_the_membership_of_a_person_who_stays(community):
    household = make_household(community, house_no="1")
    person = make_person(
        household, relation="head", since=date(2020, 1, 1), birth_date=date(1967, 3, 12), sex="M"
    )
    row = person_row(
        national_id=person.national_id,
        relation="หัวหน้าครัวเรือน",
        registered_since="15/01/2563",
    )
    result = run(people_file([row]))
    assert result.ok, result.error_lines
    assert result.summary_lines()[-1] == "created 0, updated 0, unchanged 1"
    membership = Membership.objects.get(person=person)
    assert membership.since == date(2020, 1, 1) and membership.until is None


def test_imported_households_get_the_house_number_sort_key(community):
    rows = [person_row(house_no="13"), person_row(house_no="4")]
    run(people_file(rows))
    keys = dict(Household.objects.values_list("house_no", "house_no_key"))
    assert keys == {"13": "00000013", "4": "00000004"}
