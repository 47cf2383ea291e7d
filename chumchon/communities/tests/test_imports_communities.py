"""Import of communities: upsert by code, forgiving district and type, strict counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chumchon.core.audit import AuditEvent
from chumchon.organizations.models import Area

from ..imports.columns import COMMUNITY_COLUMNS
from ..imports.communities import name_key
from ..models import Community
from .factories import make_community
from .test_imports import csv_bytes, run, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = [c.thai for c in COMMUNITY_COLUMNS]
KEYS = [c.key for c in COMMUNITY_COLUMNS]


def row(**values) -> dict:
    base = {
        "district_code": "1001",
        "code": "HC001",
        "name_th": "ชุมชนวัดตัวอย่าง",
        "type": "ชุมชนแออัด",
        "announcement_no": "12/2550",
        "announced_on": "01/06/2550",
        "families": "150",
        "households": "120",
        "population": "480",
        "lat": "13.7563",
        "lng": "100.5018",
    }
    base.update(values)
    return base


def communities_file(rows, *, header=None, fmt="csv"):
    table = [[r[k] for k in KEYS] for r in rows]
    if fmt == "xlsx":
        return xlsx_bytes(header or HEADER, table), "communities.xlsx"
    return csv_bytes(header or HEADER, table), "communities.csv"


def run_c(rows, **kw):
    return run(communities_file(rows), kind="communities", **kw)


def only_error(result) -> str:
    assert not result.committed
    assert len(result.error_lines) == 1, result.error_lines
    return result.error_lines[0]


def test_communities_are_created_as_areas_under_their_district_with_history():
    result = run_c([row(), row(code="HC002", name_th="ชุมชนที่สอง", type="suburban")])
    assert result.ok, result.error_lines
    assert result.summary_lines() == ["created 2, updated 0, unchanged 0"]
    community = Community.objects.select_related("area__parent").get(area__code="HC001")
    assert community.area.parent.code == "1001"
    assert community.area.path == "/BKK/BKK-01/1001/HC001/"
    assert community.area.depth == Area.objects.get(code="1001").depth + 1
    assert community.area.kind.code == "community"
    assert community.type.code == "slum"
    assert community.declared_families == 150
    assert community.declared_households == 120 and community.declared_population == 480
    assert community.announced_on == date(2007, 6, 1)
    assert community.lat == Decimal("13.756300") and community.lng == Decimal("100.501800")
    assert community.history.count() == 1 and community.area.history.count() == 1
    assert AuditEvent.objects.filter(action="registry.import").count() == 1
    assert AuditEvent.objects.count() == 1


def test_reimport_is_unchanged_and_changes_count_as_updated():
    run_c([row(), row(code="HC002")])
    assert run_c([row(), row(code="HC002")]).summary_lines()[-1] == (
        "created 0, updated 0, unchanged 2"
    )
    result = run_c([row(families="151"), row(code="HC002", name_th="ชื่อใหม่")])
    assert result.summary_lines()[-1] == "created 0, updated 2, unchanged 0"
    assert Community.objects.get(area__code="HC001").declared_families == 151
    renamed = Community.objects.get(area__code="HC002")
    assert renamed.area.name_th == "ชื่อใหม่"
    assert renamed.area.history.count() == 2
    assert renamed.history.count() == 1  # the record itself did not change


def test_an_area_of_kind_community_gets_its_registry_record(communities):
    result = run_c([row(code="T-1001-01", name_th="ชุมชนทดสอบ 1001")])
    assert result.ok, result.error_lines
    assert Community.objects.get(area__code="T-1001-01").declared_families == 150


@pytest.mark.parametrize(
    "written",
    ["1001", " ๑๐๐๑ ", "พระนคร", "เขตพระนคร", "เขต พระนคร", "Phra Nakhon", "phra nakhon district"],
)
def test_the_district_by_code_thai_name_khet_name_or_english(written):
    assert run_c([row(district_code=written)]).ok
    assert Community.objects.get().area.parent.code == "1001"


@pytest.mark.parametrize("written", ["ราษฎร์บูรณะ", "ราษฏร์บูรณะ", "เขตราษฏร์บูรณะ", "ราษฎรบูรณะ"])
def test_the_known_misspellings_of_rat_burana_are_matched(written):
    result = run_c([row(district_code=written)])
    assert result.ok, result.error_lines
    assert Community.objects.get().area.parent.code == "1024"


def test_district_names_stay_distinct_after_normalising():
    names = [name_key(a.name_th) for a in Area.objects.filter(kind__code="district")]
    assert len(names) == len(set(names)) == 50


@pytest.mark.parametrize("written", ["slum", "SLUM", "ชุมชนแออัด", " ชุมชน แออัด ".replace(" แ", "แ")])
def test_the_type_by_code_or_thai_label(written):
    assert run_c([row(type=written)]).ok
    assert Community.objects.get().type.code == "slum"


def test_xlsx_with_date_and_number_cells():
    data = communities_file(
        [row(announced_on=date(2010, 1, 5), families=150, households=None, lat=13.75, lng=100.5)],
        fmt="xlsx",
    )
    result = run(data, kind="communities")
    assert result.ok, result.error_lines
    community = Community.objects.get()
    assert community.announced_on == date(2010, 1, 5)
    assert community.declared_households is None


@pytest.mark.parametrize(
    ("values", "column", "english"),
    [
        ({"district_code": "9999"}, "รหัสเขต", "Unknown district “9999”."),
        ({"district_code": "เขตนอกโลก"}, "รหัสเขต", "Unknown district “เขตนอกโลก”."),
        ({"type": "ชุมชนลอยฟ้า"}, "ประเภทชุมชน", "Unknown community type “ชุมชนลอยฟ้า”"),
        ({"families": "-3"}, "จำนวนครอบครัว", "A count cannot be negative."),
        ({"population": "-1"}, "จำนวนประชากร", "A count cannot be negative."),
        ({"households": "12.5"}, "จำนวนครัวเรือน", "is not a whole number"),
        ({"families": ""}, "จำนวนครอบครัว", "This value is required."),
        ({"name_th": ""}, "ชื่อชุมชน", "This value is required."),
        ({"code": ""}, "รหัสชุมชน", "This value is required."),
        ({"code": "HC 001!"}, "รหัสชุมชน", "“HC 001!” is not a valid code"),
        ({"type": ""}, "ประเภทชุมชน", "This value is required."),
        ({"lat": "95"}, "ละติจูด", "Must be between -90 and 90."),
        ({"lng": ""}, "ลองจิจูด", "Give both latitude and longitude, or neither."),
        ({"announced_on": "99/99/2550"}, "วันที่ประกาศจัดตั้ง", "is not a date"),
    ],
)
def test_strict_rules_refuse_the_row(values, column, english):
    line = only_error(run_c([row(code="OK1"), row(**values)]))
    assert line.startswith(f"row 3, column {column}: ")
    assert english in line
    assert Community.objects.count() == 0


def test_an_announcement_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    line = only_error(run_c([row(announced_on=tomorrow.isoformat())]))
    assert "is in the future" in line


def test_a_duplicate_code_cites_the_first_row():
    rows = [row(code=f"C{n}") for n in range(7)]
    rows.insert(2, row(code="DUP"))
    rows.append(row(code="DUP"))
    line = only_error(run_c(rows))
    assert line.startswith(
        "row 10, column รหัสชุมชน: This community code appears twice in the file: duplicate of "
        "row 4 / "
    )


def test_a_district_outside_the_importers_reach_looks_unknown(role_users):
    officer = role_users["district_officer"]  # 1001 only
    line = only_error(run_c([row(district_code="1004")], actor=officer))
    assert "Unknown district “1004”." in line
    assert run_c([row()], actor=officer).ok


def test_an_existing_community_of_another_district_is_refused():
    make_community("HC009", district="1004")
    line = only_error(run_c([row(code="HC009")]))
    assert "belongs to another district" in line


def test_a_code_used_by_another_kind_of_area_is_refused():
    line = only_error(run_c([row(code="1002")]))
    assert "already used by an area that is not a community" in line


def test_a_dry_run_creates_nothing():
    result = run_c([row()], dry_run=True)
    assert result.summary_lines() == [
        "dry run: the file is valid; nothing was saved",
        "created 1, updated 0, unchanged 0",
    ]
    assert not Area.objects.filter(code="HC001").exists()
