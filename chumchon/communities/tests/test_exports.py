"""List exports to xlsx and CSV: Thai headers, scope, filters, no formulas, personal data
logged and permitted."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from chumchon.core.audit import AuditEvent

from ..imports import run_import
from ..imports.columns import COMMUNITY_COLUMNS
from ..models import Community
from .factories import community_for_area, make_community, make_household, make_person

pytestmark = pytest.mark.django_db


def xlsx_rows(content: bytes):
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def csv_rows(content: bytes):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def registry(communities):
    own = make_community("HC001", district="1001", name_th="ชุมชนริมคลอง")
    other = make_community("HX001", district="1004", name_th="ชุมชนบางรัก")
    household = make_household(own, house_no="5/1")
    head = make_person(household, relation="head", first_name="สมชาย", phone="0812345678")
    make_person(
        household,
        relation="child",
        first_name="สมศรี",
        bedridden=True,
        sensitive_legal_basis="consent",
    )
    make_person(make_household(other, house_no="9"), relation="head", first_name="ไกล")
    return {"own": own, "other": other, "household": household, "head": head}


# --- communities -----------------------------------------------------------------------------


def test_community_export_xlsx_has_the_template_columns_in_thai_and_counts(clients, registry):
    response = clients["district_officer"].get(reverse("community-list-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    rows = xlsx_rows(response.content)
    header = rows[0]
    assert header[: len(COMMUNITY_COLUMNS)] == [c.thai for c in COMMUNITY_COLUMNS]
    assert "ครัวเรือนในทะเบียน" in header and "ประชากรในทะเบียน" in header
    codes = [r[1] for r in rows[1:]]
    assert "HC001" in codes and "HX001" not in codes  # the officer's district only
    line = next(r for r in rows[1:] if r[1] == "HC001")
    assert line[0] == "1001" and line[3] == "ชุมชนแออัด"
    assert line[header.index("ครัวเรือนในทะเบียน")] == 1
    assert line[header.index("ประชากรในทะเบียน")] == 2


def test_community_export_uses_the_list_filters(clients, registry):
    client = clients["central_officer"]
    rows = csv_rows(client.get(reverse("community-list-export") + "?format=csv").content)
    codes = {r[1] for r in rows[1:]}
    assert {"HC001", "HX001"} <= codes
    rows = csv_rows(
        client.get(reverse("community-list-export") + "?format=csv&district=1004").content
    )
    assert {r[1] for r in rows[1:]} == {"HX001"}
    rows = csv_rows(client.get(reverse("community-list-export") + "?format=csv&q=ริมคลอง").content)
    assert {r[1] for r in rows[1:]} == {"HC001"}


def test_an_unknown_format_is_not_found(clients):
    url = reverse("community-list-export") + "?format=pdf"
    assert clients["district_officer"].get(url).status_code == 404


def test_the_community_export_imports_back_unchanged(clients, registry):
    for fmt in ("xlsx", "csv"):
        content = (
            clients["district_officer"]
            .get(reverse("community-list-export") + f"?format={fmt}")
            .content
        )
        result = run_import(kind="communities", data=content, filename=f"c.{fmt}", system=True)
        assert result.ok, result.error_lines
        assert result.summary_lines()[-1] == "created 0, updated 0, unchanged 1", fmt


@pytest.mark.parametrize(
    "evil",
    ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "  =1+1", "\uff1d1+1"],
)
def test_no_exported_cell_starts_a_formula(clients, registry, evil):
    community = registry["own"]
    area = community.area
    area.name_th = evil
    area.save()
    csv_content = (
        clients["district_officer"].get(reverse("community-list-export") + "?format=csv").content
    )
    row = next(r for r in csv_rows(csv_content)[1:] if r[1] == "HC001")
    assert row[2] == f"'{evil}"
    xlsx = clients["district_officer"].get(reverse("community-list-export")).content
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    assert 'quotePrefix="1"' in archive_styles(xlsx)


def archive_styles(xlsx: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return archive.read("xl/styles.xml").decode()


# --- people ----------------------------------------------------------------------------------


def test_people_export_needs_personal_export(clients, registry, communities):
    url = reverse("person-list-export")
    assert clients["committee_member"].get(url).status_code == 403
    assert clients["central_officer"].get(url).status_code == 403
    own_committee = community_for_area(communities["T-1001-01"])
    community_url = f"{url}?community={own_committee.pk}"
    assert clients["committee_member"].get(community_url).status_code == 403
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_people_export_of_a_community_outside_reach_is_not_found(clients, registry):
    url = f"{reverse('person-list-export')}?community={registry['other'].pk}"
    assert clients["district_officer"].get(url).status_code == 404
    url = f"{reverse('person-list-export')}?community=nope"
    assert clients["district_officer"].get(url).status_code == 404


def test_people_export_masks_ids_shows_flags_and_is_logged(clients, registry, role_users):
    url = f"{reverse('person-list-export')}?community={registry['own'].pk}&format=csv"
    response = clients["district_officer"].get(url)
    assert response.status_code == 200
    rows = csv_rows(response.content)
    header = rows[0]
    assert header[3] == "เลขประจำตัวประชาชน (ปิดบางส่วน)"
    assert "ผู้ป่วยติดเตียง" in header and "เลขบัตรคนพิการ" in header
    assert len(rows) == 3
    head_id = registry["head"].national_id
    body = response.content.decode("utf-8-sig")
    assert head_id not in body
    assert f"{head_id[0]}-{head_id[1:5]}-xxxxx-xx-{head_id[12]}" in body
    by_name = {r[5]: r for r in rows[1:]}
    assert by_name["สมชาย"][9] == "หัวหน้าครัวเรือน"
    assert by_name["สมศรี"][header.index("ผู้ป่วยติดเตียง")] == "ใช่"
    event = AuditEvent.objects.get(action="registry.export")
    assert event.actor == role_users["district_officer"]
    assert event.changes["rows"] == 2
    assert event.changes["filter"] == {"community": "HC001"}
    assert event.changes["format"] == "csv"
    assert event.area_path == registry["own"].area.path


def test_people_export_without_a_filter_covers_the_users_reach(clients, registry):
    rows = xlsx_rows(clients["district_head"].get(reverse("person-list-export")).content)
    names = {r[5] for r in rows[1:]}
    assert names == {"สมชาย", "สมศรี"}  # not the person in district 1004
    event = AuditEvent.objects.get(action="registry.export")
    assert event.changes["rows"] == 2 and event.changes["filter"] == {}


def test_people_export_without_view_flags_leaves_flags_out(clients, registry, monkeypatch):
    from .. import views_imports

    monkeypatch.setattr(views_imports, "can_view_welfare_flags", lambda user, obj: False)
    url = f"{reverse('person-list-export')}?community={registry['own'].pk}&format=csv"
    rows = csv_rows(clients["district_officer"].get(url).content)
    header = rows[0]
    assert "ผู้ป่วยติดเตียง" not in header and "เลขบัตรคนพิการ" not in header
    assert len(rows) == 3 and {r[5] for r in rows[1:]} == {"สมชาย", "สมศรี"}
    assert all(len(row) == len(header) for row in rows[1:])  # no unheaded flag values


def test_people_export_formula_guard(clients, registry):
    person = registry["head"]
    person.first_name = "=cmd|' /C calc'!A0"
    person.save()
    url = f"{reverse('person-list-export')}?community={registry['own'].pk}&format=csv"
    body = clients["district_officer"].get(url).content.decode("utf-8-sig")
    assert "'=cmd" in body
    assert ",=cmd" not in body


def test_people_export_imports_back_where_sensible(clients, registry):
    """The other columns are the template's, but masked IDs are no IDs: the file says so."""
    url = f"{reverse('person-list-export')}?community={registry['own'].pk}"
    content = clients["district_officer"].get(url).content
    result = run_import(kind="people", data=content, filename="p.xlsx", system=True)
    assert result.error_lines == [
        line
        for line in result.error_lines
        if line.startswith("file: The required column national_id")
    ]
    assert len(result.error_lines) == 1
    assert Community.objects.count() == 2


# --- households ------------------------------------------------------------------------------

HOUSEHOLD_HEADER = [
    "รหัสชุมชน",
    "ชื่อชุมชน",
    "บ้านเลขที่",
    "รหัสประจำบ้าน",
    "หัวหน้าครัวเรือน",
    "จำนวนสมาชิก",
    "การถือครองที่อยู่อาศัย",
    "สภาพที่อยู่อาศัย",
]


def test_household_export_of_a_community_has_thai_headers_heads_and_counts(
    clients, registry, role_users
):
    household = registry["household"]
    household.house_code = "10010000051"
    household.tenure = "rent"
    household.condition = "poor"
    household.save()
    make_household(registry["own"], house_no="7")  # no head, no members
    url = f"{reverse('household-list-export')}?community={registry['own'].pk}&format=csv"
    response = clients["district_officer"].get(url)
    assert response.status_code == 200
    rows = csv_rows(response.content)
    assert rows[0] == HOUSEHOLD_HEADER
    assert rows[1] == [
        "HC001",
        "ชุมชนริมคลอง",
        "5/1",
        "10010000051",
        f"{registry['head'].prefix}สมชาย {registry['head'].last_name}".strip(),
        "2",
        "เช่า",
        "ทรุดโทรม",
    ]
    assert rows[2][2:] == ["7", "", "", "0", "", ""]
    event = AuditEvent.objects.get(action="registry.export")
    assert event.changes == {
        "kind": "households",
        "format": "csv",
        "filter": {"community": "HC001"},
        "rows": 2,
    }
    assert event.actor == role_users["district_officer"]


def test_committee_members_export_the_households_of_their_community(clients, communities):
    own = community_for_area(communities["T-1001-01"])
    make_person(make_household(own, house_no="3"), relation="head", first_name="ประธาน")
    url = f"{reverse('household-list-export')}?community={own.pk}&format=csv"
    response = clients["committee_member"].get(url)  # people.view: the page shows heads too
    assert response.status_code == 200
    rows = csv_rows(response.content)
    assert rows[1][0] == "T-1001-01" and "ประธาน" in rows[1][4]


def test_household_export_xlsx_without_a_filter_covers_the_users_reach(clients, registry):
    response = clients["district_officer"].get(reverse("household-list-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response.content)
    assert rows[0] == HOUSEHOLD_HEADER
    assert {r[0] for r in rows[1:]} == {"HC001"}  # not the household in district 1004
    rows = xlsx_rows(clients["central_officer"].get(reverse("household-list-export")).content)
    assert {r[0] for r in rows[1:]} == {"HC001", "HX001"}


def test_household_export_of_a_community_outside_reach_is_not_found(clients, registry):
    url = f"{reverse('household-list-export')}?community={registry['other'].pk}"
    assert clients["district_officer"].get(url).status_code == 404
    assert clients["anonymous"].get(url).status_code == 302


def test_household_export_needs_people_view_there(clients, registry, monkeypatch):
    from .. import views_imports

    monkeypatch.setattr(views_imports, "can_view_people", lambda user, obj: False)
    url = f"{reverse('household-list-export')}?community={registry['own'].pk}"
    assert clients["district_officer"].get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="registry.export").exists()


# --- people: the filters of the people pages ---------------------------------------------------


def test_people_export_filters_by_household(clients, registry):
    other_household = make_household(registry["own"], house_no="6")
    make_person(other_household, relation="head", first_name="อีกบ้าน")
    url = f"{reverse('person-list-export')}?household={registry['household'].pk}&format=csv"
    rows = csv_rows(clients["district_officer"].get(url).content)
    assert {r[5] for r in rows[1:]} == {"สมชาย", "สมศรี"}
    event = AuditEvent.objects.get(action="registry.export")
    assert event.changes["filter"] == {"household": str(registry["household"].pk)}
    assert event.area_path == registry["own"].area.path


def test_people_export_filters_by_status(clients, registry):
    from django.utils import timezone

    from ..services import person_set_status

    person_set_status(
        actor=None, person=registry["head"], status="deceased", on=timezone.localdate()
    )
    base = f"{reverse('person-list-export')}?community={registry['own'].pk}&format=csv"
    alive = csv_rows(clients["district_officer"].get(f"{base}&status=alive").content)
    assert {r[5] for r in alive[1:]} == {"สมศรี"}
    deceased = csv_rows(clients["district_officer"].get(f"{base}&status=deceased").content)
    assert {r[5] for r in deceased[1:]} == {"สมชาย"}
    event = AuditEvent.objects.filter(action="registry.export").order_by("-pk").first()
    assert event.changes["filter"] == {"community": "HC001", "status": "deceased"}


def test_people_export_refuses_an_unknown_status(clients, registry):
    url = f"{reverse('person-list-export')}?status=sleeping"
    response = clients["district_officer"].get(url)
    assert response.status_code == 400
    assert "“sleeping”" in response.content.decode()
    assert "alive" in response.content.decode() and "moved_out" in response.content.decode()
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_people_export_of_a_household_outside_reach_is_not_found(clients, registry):
    household = registry["other"].households.get()
    url = f"{reverse('person-list-export')}?household={household.pk}"
    assert clients["district_officer"].get(url).status_code == 404


def test_people_export_of_a_household_needs_personal_export(clients, communities):
    own = community_for_area(communities["T-1001-01"])
    household = make_household(own, house_no="3")
    make_person(household, relation="head")
    url = f"{reverse('person-list-export')}?household={household.pk}"
    assert clients["committee_member"].get(url).status_code == 403
    assert clients["district_officer"].get(url).status_code == 200


def test_people_export_carries_the_legal_basis_with_the_flags(clients, registry):
    url = f"{reverse('person-list-export')}?community={registry['own'].pk}&format=csv"
    rows = csv_rows(clients["district_officer"].get(url).content)
    header = rows[0]
    column = header.index("ฐานทางกฎหมาย (ข้อมูลสุขภาพ/ความพิการ)")
    by_name = {r[5]: r for r in rows[1:]}
    assert by_name["สมศรี"][column].startswith("ความยินยอม")
    assert by_name["สมชาย"][column] == ""
