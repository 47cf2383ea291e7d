import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area, AreaKind
from chumchon.organizations.services import RowErrors, area_update, areas_load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; Thai ones are checked separately."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_migration_loads_bangkok_city_6_zones_and_50_districts():
    assert Area.objects.of_kind("city").get().code == "BKK"
    assert Area.objects.of_kind("zone").count() == 6
    assert Area.objects.of_kind("district").count() == 50
    assert Area.objects.of_kind("community").count() == 0  # no migration loads communities
    phra_nakhon = Area.objects.get(code="1001")
    assert phra_nakhon.name_th == "พระนคร"  # without the prefix "เขต"
    assert phra_nakhon.name_en == "Phra Nakhon"
    assert phra_nakhon.parent.name_th == "กรุงเทพกลาง"
    assert phra_nakhon.path == "/BKK/BKK-01/1001/"
    zone_sizes = sorted(z.children.count() for z in Area.objects.of_kind("zone"))
    assert zone_sizes == [7, 7, 8, 9, 9, 10]


def test_api_lists_the_50_districts_under_their_zones(client):
    response = client.get("/api/v1/areas/?kind=district")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 50 and len(body["items"]) == 50
    zones = {a["code"] for a in client.get("/api/v1/areas/?kind=zone").json()["items"]}
    assert len(zones) == 6
    assert all(item["parent_code"] in zones for item in body["items"])
    first = body["items"][0]
    assert set(first) == {"code", "name_th", "name_en", "kind", "parent_code"}
    assert "พระนคร".encode() in response.content  # Thai is not escaped


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "offset=99999999999"])
def test_api_list_bounds_limit_and_offset(client, query):
    response = client.get(f"/api/v1/areas/?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["message"] and body["errors"][0]["field"] in ("limit", "offset")
    assert body["errors"][0]["message"].startswith("ต้อง")  # Thai by default


def test_api_speaks_english_when_the_client_asks(client):
    response = client.get("/api/v1/areas/?limit=abc", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {
        "message": "The request is not valid.",
        "errors": [{"field": "limit", "message": "Enter a whole number."}],
    }


def test_api_list_pages_with_limit_and_offset(client):
    page = client.get("/api/v1/areas/?kind=district&limit=20&offset=40").json()
    assert page["count"] == 50 and len(page["items"]) == 10


def test_api_unknown_area_is_404_with_error_body(client):
    response = client.get("/api/v1/areas/NOPE")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}


KHON_KAEN = """code,name_th,name_en,kind,parent_code
KK-C002,ชุมชนโนนหนองวัด 2,Non Nong Wat 2,community,KKC
KKC,เทศบาลนครขอนแก่น,Khon Kaen City Municipality,city,
KK-C001,ชุมชนหนองแวงตราชู,Nong Waeng Trachu,community,KKC
"""


def write(tmp_path, text, name="areas.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_load_areas_loads_a_municipality_with_two_levels_in_any_row_order(tmp_path):
    out = io.StringIO()
    call_command("load_areas", str(write(tmp_path, KHON_KAEN)), stdout=out)
    assert "created 3" in out.getvalue()
    community = Area.objects.get(code="KK-C002")
    assert community.path == "/KKC/KK-C002/"
    assert community.parent.code == "KKC"
    assert Area.objects.roots().count() == 2  # Bangkok and Khon Kaen in one installation


def test_load_areas_twice_changes_nothing_and_updates_renames(tmp_path):
    call_command("load_areas", str(write(tmp_path, KHON_KAEN)), stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_areas", str(write(tmp_path, KHON_KAEN)), stdout=out)
    assert "created 0, updated 0, unchanged 3" in out.getvalue()
    renamed = KHON_KAEN.replace("ชุมชนโนนหนองวัด 2", "ชุมชนโนนหนองวัด ๒")
    call_command("load_areas", str(write(tmp_path, renamed)), stdout=out)
    assert Area.objects.get(code="KK-C002").name_th == "ชุมชนโนนหนองวัด ๒"
    event = AuditEvent.objects.get(action="area.update")
    assert event.changes["name_th"] == ["ชุมชนโนนหนองวัด 2", "ชุมชนโนนหนองวัด ๒"]


def test_load_areas_reads_thai_windows_cp874_csv(tmp_path):
    call_command(
        "load_areas", str(write(tmp_path, KHON_KAEN, encoding="cp874")), stdout=io.StringIO()
    )
    assert Area.objects.get(code="KKC").name_th == "เทศบาลนครขอนแก่น"


def test_load_areas_reports_every_error_with_row_and_column_and_saves_nothing(tmp_path):
    bad = """code,name_th,name_en,kind,parent_code
X1,ชุมชนหนึ่ง,,community,NOWHERE
X2,,,community,BKK
X3,ชุมชนสาม,,village,BKK
bad code!,ชุมชนสี่,,community,BKK
X1,ซ้ำ,,community,BKK
"""
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("load_areas", str(write(tmp_path, bad)), stdout=io.StringIO(), stderr=err)
    messages = err.getvalue()
    assert "Row 2, column parent_code" in messages and "NOWHERE" in messages
    assert "Row 3, column name_th" in messages
    assert "Row 4, column kind" in messages and "village" in messages
    assert "Row 5, column code" in messages
    assert "Row 6, column code" in messages and "row 2" in messages
    assert not Area.objects.filter(code__in=["X1", "X2", "X3"]).exists()


def test_load_areas_refuses_a_cycle(tmp_path):
    cyclic = "code,name_th,name_en,kind,parent_code\nA1,ก,,zone,A2\nA2,ข,,zone,A1\n"
    with pytest.raises(RowErrors) as excinfo:
        from chumchon.organizations.services import read_area_csv

        areas_load(actor=None, rows=read_area_csv(cyclic))
    assert any("cycle" in str(m) for m in excinfo.value.row_errors)


def test_load_areas_missing_columns_is_a_clear_error(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_areas", str(write(tmp_path, "code,name\nA,B\n")), stderr=err)
    assert "name_th" in err.getvalue() and "kind" in err.getvalue()


def test_moving_a_district_to_another_zone_repaths_its_subtree(communities):
    district = Area.objects.get(code="1001")
    area_update(actor=None, area=district, parent=Area.objects.get(code="BKK-02"))
    community = Area.objects.get(code="T-1001-01")
    assert community.path == "/BKK/BKK-02/1001/T-1001-01/"
    event = AuditEvent.objects.get(action="area.update", object_id=str(district.pk))
    assert event.changes["parent"][1] == Area.objects.get(code="BKK-02").pk


def test_an_area_cannot_move_under_its_own_descendant(communities):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        area_update(
            actor=None, area=Area.objects.get(code="BKK-01"), parent=Area.objects.get(code="1001")
        )


def test_area_kinds_are_data():
    assert list(AreaKind.objects.values_list("code", flat=True)) == [
        "city",
        "zone",
        "district",
        "community",
    ]
    json.dumps([k.name_th for k in AreaKind.objects.all()], ensure_ascii=False)


def test_load_errors_are_also_given_in_thai(tmp_path):
    from django.utils import translation

    bad = "code,name_th,name_en,kind,parent_code\nX1,ชุมชน,,village,BKK\n"
    err = io.StringIO()
    with translation.override("th"), pytest.raises(CommandError):
        call_command("load_areas", str(write(tmp_path, bad)), stdout=io.StringIO(), stderr=err)
    assert "แถวที่ 2" in err.getvalue() and "village" in err.getvalue()


def test_api_export_starts_a_job_and_refuses_malformed_json(
    clients, django_capture_on_commit_callbacks
):
    client = clients["district_officer"]
    client.cookies["chumchon_language"] = "en"
    bad = client.post("/api/v1/areas/1001/export", "{not json", content_type="application/json")
    assert bad.status_code == 400
    assert bad.json() == {"message": "The request body is not valid JSON.", "errors": []}
    wrong = client.post(
        "/api/v1/areas/1001/export", {"format": "pdf"}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "format"
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post("/api/v1/areas/1001/export", {}, content_type="application/json")
    assert ok.status_code == 202
    job = client.get(ok.json()["url"]).json()
    assert job["status"] == "succeeded"
    assert (
        client.post("/api/v1/areas/1004/export", {}, content_type="application/json").status_code
        == 404
    )
    committee = clients["committee_member"]
    assert (
        committee.post(
            "/api/v1/areas/T-1001-01/export", {}, content_type="application/json"
        ).status_code
        == 403
    )


def test_api_unknown_path_and_wrong_method_answer_json(client):
    missing = client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404 and set(missing.json()) == {"message", "errors"}
    method = client.delete("/api/v1/areas/")
    assert method.status_code == 405 and set(method.json()) == {"message", "errors"}


def test_load_areas_refuses_a_level_under_a_lower_level(tmp_path):
    text = (
        "code,name_th,name_en,kind,parent_code\nD9,เขตใหม่,,district,T9\nT9,ชุมชน,,community,1001\n"
    )
    with pytest.raises(RowErrors) as excinfo:
        from chumchon.organizations.services import read_area_csv

        areas_load(actor=None, rows=read_area_csv(text))
    assert any("Row 2, column kind" in str(m) for m in excinfo.value.row_errors)
    assert not Area.objects.filter(code__in=["D9", "T9"]).exists()
