"""The registry's pages: communities (list, detail, create, edit, dissolve, history) as each
role sees them, scoped by reach; constant query counts as data grows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area

from ..models import Community, Move
from ..services import community_dissolve, household_move
from .factories import community_for_area, make_community, make_household, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(communities):
    own = community_for_area(communities[OWN_COMMUNITY], families=120)
    other = community_for_area(communities[OTHER_COMMUNITY], type_code="housing")
    house = make_household(own, house_no="12/3")
    head = make_person(house, relation="head", first_name="สมชาย", last_name="ใจดี")
    make_person(house, relation="spouse", first_name="สมหญิง", last_name="ใจดี")
    return {"own": own, "other": other, "house": house, "head": head}


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_communities(count: int, district: str, start: int) -> None:
    for i in range(start, start + count):
        community = make_community(code=f"QC-{district}-{i}", district=district)
        household = make_household(community)
        make_person(household, relation="head")


# --- list --------------------------------------------------------------------------------


def test_community_list_shows_only_communities_in_reach(clients, registry):
    officer = page(clients["district_officer"], "/communities/")
    assert "ชุมชนทดสอบ 1001" in officer and "ชุมชนทดสอบ 1004" not in officer
    central = page(clients["central_officer"], "/communities/")
    assert "ชุมชนทดสอบ 1001" in central and "ชุมชนทดสอบ 1004" in central
    committee = page(clients["committee_member"], "/communities/")
    assert "ชุมชนทดสอบ 1001" in committee and "ชุมชนทดสอบ 1004" not in committee


def test_community_list_filters_by_zone_district_type_status_and_search(clients, registry):
    client = clients["central_officer"]
    assert "ชุมชนทดสอบ 1004" not in page(client, "/communities/?zone=BKK-01")
    assert "ชุมชนทดสอบ 1001" not in page(client, "/communities/?district=1004")
    by_type = page(client, "/communities/?type=housing")
    assert "ชุมชนทดสอบ 1004" in by_type and "ชุมชนทดสอบ 1001" not in by_type
    community_dissolve(
        actor=None,
        community=registry["other"],
        dissolved_on=date(2024, 1, 5),
        announcement_no="กท 1/2567",
        reason="ย้ายไปอยู่ที่ใหม่ทั้งชุมชน",
    )
    dissolved = page(client, "/communities/?status=dissolved")
    assert "ชุมชนทดสอบ 1004" in dissolved and "ชุมชนทดสอบ 1001" not in dissolved
    assert "ชุมชนทดสอบ 1004" in page(client, "/communities/?q=T-1004-01")
    assert "ชุมชนทดสอบ 1001" not in page(client, "/communities/?q=1004")


def test_community_list_filter_choices_follow_reach(clients, registry):
    central = page(clients["central_officer"], "/communities/")
    assert 'name="zone"' in central and 'name="district"' in central
    officer = page(clients["district_officer"], "/communities/")
    assert 'name="zone"' not in officer and 'name="district"' not in officer


def test_community_list_shows_declared_next_to_registry_counts_and_totals(clients, registry):
    html = page(clients["district_officer"], "/communities/")
    response = clients["district_officer"].get("/communities/")
    totals = response.context["totals"]
    assert totals["communities"] == 1 and totals["declared_families"] == 120
    assert totals["registry_households"] == 1 and totals["registry_population"] == 2
    row = response.context["object_list"][0]
    assert (row.registry_households, row.registry_population) == (1, 2)
    assert "120" in html and "ครัวเรือน: ตามที่เขตรายงาน / ในทะเบียน" in html


def dated_communities() -> dict[str, Community]:
    """In district 1001: one dissolved before 1 March 2024, one dissolved after it (each with a
    member since 2020), and one announced after it."""
    made = {}
    for code, dissolved_on in (("AS-GONE", date(2024, 1, 5)), ("AS-LATER", date(2024, 6, 1))):
        community = make_community(code=code, announced_on=date(2010, 1, 1))
        make_person(make_household(community, house_no="1"), relation="head")
        community_dissolve(
            actor=None,
            community=community,
            dissolved_on=dissolved_on,
            announcement_no="ยบ 1/2567",
            reason="รวมกับชุมชนข้างเคียง",
        )
        made[code] = community
    made["AS-NEW"] = make_community(code="AS-NEW", announced_on=date(2024, 5, 1))
    return made


def test_community_list_as_of_a_date_lists_and_counts_the_communities_existing_then(
    clients, registry
):
    dated_communities()
    response = clients["district_officer"].get("/communities/?on=01/03/2567")
    assert response.status_code == 200
    codes = {c.area.code for c in response.context["object_list"]}
    assert codes == {OWN_COMMUNITY, "AS-LATER"}  # dissolved after that day: still there
    later = next(c for c in response.context["object_list"] if c.area.code == "AS-LATER")
    assert (later.registry_households, later.registry_population) == (1, 1)
    totals = response.context["totals"]
    assert totals["communities"] == 2
    assert (totals["registry_households"], totals["registry_population"]) == (2, 3)
    assert 'value="01/03/2567"' in response.content.decode()
    today = clients["district_officer"].get("/communities/")
    assert {c.area.code for c in today.context["object_list"]} == {
        OWN_COMMUNITY,
        "AS-GONE",
        "AS-LATER",
        "AS-NEW",
    }


def test_community_list_refuses_an_impossible_as_of_date(clients, registry):
    response = clients["district_officer"].get("/communities/?on=31/02/2567")
    assert response.status_code == 200 and "on" in response.context["form"].errors


def test_community_list_paginates_fifty_per_page(clients, registry):
    for i in range(51):
        make_community(code=f"PG-{i:03d}")
    first = clients["district_officer"].get("/communities/")
    assert len(first.context["object_list"]) == 50
    assert first.context["totals"]["communities"] == 52
    second = clients["district_officer"].get("/communities/?page=2")
    assert len(second.context["object_list"]) == 2


def test_community_list_export_link_keeps_the_filters(clients, registry, monkeypatch):
    from ..views import communities as views

    monkeypatch.setattr(views, "url_or_none", lambda name: "/communities/export/")
    html = page(clients["district_officer"], "/communities/?status=active&q=ชุมชน")
    assert 'href="/communities/export/?status=active&amp;q=' in html


def test_new_community_button_only_for_those_who_may_create(clients, registry):
    assert 'href="/communities/new/"' in page(clients["district_officer"], "/communities/")
    assert 'href="/communities/new/"' not in page(clients["zone_officer"], "/communities/")
    assert 'href="/communities/new/"' not in page(clients["committee_member"], "/communities/")


@pytest.mark.parametrize("actor", ["central_officer", "district_officer"])
def test_community_list_query_count_does_not_grow_with_data(clients, registry, actor):
    client = clients[actor]
    add_communities(3, "1001", 0)
    client.get("/communities/")  # warm caches
    before = query_count(client, "/communities/")
    add_communities(27, "1001", 100)
    add_communities(5, "1004", 100)
    assert query_count(client, "/communities/") == before


# --- detail ------------------------------------------------------------------------------


def test_community_page_shows_profile_counts_and_households(clients, registry):
    html = page(clients["district_officer"], f"/communities/{registry['own'].pk}/")
    assert "ชุมชนทดสอบ 1001" in html and "ชุมชนแออัด" in html
    assert "12/3" in html and "สมชาย ใจดี" in html
    response = clients["district_officer"].get(f"/communities/{registry['own'].pk}/")
    assert response.context["counts"] == {"registry_households": 1, "registry_population": 2}
    household = response.context["households"][0]
    assert household.member_count == 2 and household.head_first_name == "สมชาย"


def test_community_page_outside_reach_is_404(clients, registry):
    page(clients["district_officer"], f"/communities/{registry['other'].pk}/", 404)
    page(clients["committee_member"], f"/communities/{registry['other'].pk}/", 404)


def test_community_page_buttons_follow_permissions(clients, registry):
    url = f"/communities/{registry['own'].pk}/"
    pk = registry["own"].pk
    officer = page(clients["district_officer"], url)
    assert f"/communities/{pk}/edit/" in officer and f"/communities/{pk}/households/new/" in officer
    assert f"/communities/{pk}/dissolve/" not in officer
    assert f"/communities/{pk}/dissolve/" in page(clients["district_head"], url)
    committee = page(clients["committee_member"], url)
    assert f"/communities/{pk}/edit/" not in committee
    assert f"/communities/{pk}/history/" not in committee
    assert "สมชาย ใจดี" in committee  # people.view: households and names


def test_dissolved_community_shows_banner_and_takes_no_households(clients, registry):
    community_dissolve(
        actor=None,
        community=registry["own"],
        dissolved_on=date(2024, 3, 12),
        announcement_no="กท 77/2567",
        reason="พื้นที่ถูกเวนคืน",
    )
    html = page(clients["district_head"], f"/communities/{registry['own'].pk}/")
    assert "ยุบเมื่อ 12 มีนาคม 2567" in html and "กท 77/2567" in html and "พื้นที่ถูกเวนคืน" in html
    assert f"/communities/{registry['own'].pk}/households/new/" not in html
    assert f"/communities/{registry['own'].pk}/dissolve/" not in html


def test_community_page_query_count_does_not_grow_with_households(clients, registry):
    client = clients["district_officer"]
    url = f"/communities/{registry['own'].pk}/"
    client.get(url)
    before = query_count(client, url)
    for _ in range(30):
        household = make_household(registry["own"])
        make_person(household, relation="head")
        make_person(household, relation="child")
    assert query_count(client, url) == before


# --- create and edit ---------------------------------------------------------------------

CREATE = {
    "district": "",
    "code": "HC-901",
    "name_th": "ชุมชนริมคลองใหม่",
    "name_en": "Rim Khlong Mai",
    "type": "",
    "announcement_no": "กท 12/2567",
    "announced_on": "12/03/2567",
    "address": "ซอยริมคลอง",
    "lat": "13.756331",
    "lng": "100.501762",
    "declared_families": "85",
    "declared_households": "80",
    "declared_population": "310",
}


def create_data(**changes):
    from ..models import CommunityType

    data = {
        **CREATE,
        "district": str(Area.objects.get(code="1001").pk),
        "type": str(CommunityType.objects.get(code="slum").pk),
    }
    data.update(changes)
    return data


def test_officer_creates_a_community_with_a_buddhist_era_date(clients, registry):
    response = clients["district_officer"].post("/communities/new/", create_data())
    community = Community.objects.get(area__code="HC-901")
    assert response.status_code == 302 and response["Location"] == f"/communities/{community.pk}/"
    assert community.announced_on == date(2024, 3, 12)
    assert community.area.parent.code == "1001" and community.declared_population == 310
    html = page(clients["district_officer"], response["Location"])
    assert "สร้างชุมชน ชุมชนริมคลองใหม่ แล้ว" in html and "12 มีนาคม 2567" in html


def test_create_offers_only_districts_where_the_user_edits(clients, registry):
    form = clients["district_officer"].get("/communities/new/").context["form"]
    assert [a.code for a in form.fields["district"].queryset] == ["1001"]
    other = str(Area.objects.get(code="1004").pk)
    response = clients["district_officer"].post("/communities/new/", create_data(district=other))
    assert response.status_code == 200 and "district" in response.context["form"].errors
    assert not Community.objects.filter(area__code="HC-901").exists()


def test_create_with_a_used_code_shows_the_error_on_the_code_field(clients, registry):
    response = clients["district_officer"].post(
        "/communities/new/", create_data(code=OWN_COMMUNITY)
    )
    errors = response.context["form"].errors
    assert response.status_code == 200 and "code" in errors
    assert OWN_COMMUNITY in errors["code"][0]
    assert 'aria-invalid="true"' in response.content.decode()


def test_create_with_an_invalid_code_shows_the_error_on_the_code_field(clients, registry):
    response = clients["district_officer"].post("/communities/new/", create_data(code="ชุมชน x"))
    assert "code" in response.context["form"].errors
    assert not Community.objects.filter(area__name_th="ชุมชนริมคลองใหม่").exists()


def test_create_refuses_a_future_date_and_negative_counts(clients, registry):
    response = clients["district_officer"].post(
        "/communities/new/", create_data(announced_on="01/01/2600", declared_families="-1")
    )
    errors = response.context["form"].errors
    assert "declared_families" in errors
    response = clients["district_officer"].post(
        "/communities/new/", create_data(announced_on="01/01/2600")
    )
    assert "announced_on" in response.context["form"].errors
    response = clients["district_officer"].post(
        "/communities/new/", create_data(announced_on="31/02/2567")
    )
    assert "announced_on" in response.context["form"].errors
    assert not Community.objects.filter(area__code="HC-901").exists()


def test_create_with_only_one_coordinate_names_the_longitude(clients, registry):
    response = clients["district_officer"].post("/communities/new/", create_data(lng=""))
    assert "lng" in response.context["form"].errors
    assert not Community.objects.filter(area__code="HC-901").exists()


def test_roles_without_records_edit_cannot_create(clients, registry):
    for actor in ("committee_member", "zone_officer", "auditor"):
        assert clients[actor].get("/communities/new/").status_code == 403
        assert clients[actor].post("/communities/new/", create_data()).status_code == 403
    assert not Community.objects.filter(area__code="HC-901").exists()


def test_officer_edits_the_profile_and_the_name(clients, registry):
    pk = registry["own"].pk
    form = clients["district_officer"].get(f"/communities/{pk}/edit/").context["form"]
    assert "code" not in form.fields and "district" not in form.fields
    data = create_data(name_th="ชุมชนใหม่ชื่อ", declared_families="99")
    response = clients["district_officer"].post(f"/communities/{pk}/edit/", data)
    assert response.status_code == 302
    community = Community.objects.get(pk=pk)
    assert community.area.name_th == "ชุมชนใหม่ชื่อ" and community.declared_families == 99


def test_edit_shows_the_announcement_date_in_the_buddhist_era(clients, registry):
    Community.objects.filter(pk=registry["own"].pk).update(announced_on=date(2024, 3, 12))
    html = page(clients["district_officer"], f"/communities/{registry['own'].pk}/edit/")
    assert 'value="12/03/2567"' in html


def test_edit_other_district_is_404_and_committee_is_403(clients, registry):
    page(clients["district_officer"], f"/communities/{registry['other'].pk}/edit/", 404)
    page(clients["committee_member"], f"/communities/{registry['own'].pk}/edit/", 403)
    data = create_data(name_th="ชื่อที่ไม่ควรบันทึก", declared_families="99")
    url = f"/communities/{registry['other'].pk}/edit/"
    assert clients["district_officer"].post(url, data).status_code == 404
    url = f"/communities/{registry['own'].pk}/edit/"
    assert clients["committee_member"].post(url, data).status_code == 403
    for community in Community.objects.filter(pk__in=[registry["own"].pk, registry["other"].pk]):
        assert community.area.name_th != "ชื่อที่ไม่ควรบันทึก" and community.declared_families != 99


# --- dissolve ----------------------------------------------------------------------------


def test_district_head_dissolves_a_community(clients, registry):
    pk = registry["own"].pk
    response = clients["district_head"].post(
        f"/communities/{pk}/dissolve/",
        {"dissolved_on": "12/03/2567", "announcement_no": "กท 5/2567", "reason": "เวนคืนที่ดิน"},
    )
    assert response.status_code == 302
    community = Community.objects.get(pk=pk)
    assert community.is_dissolved and community.dissolved_on == date(2024, 3, 12)
    assert community.dissolution_reason == "เวนคืนที่ดิน"
    assert AuditEvent.objects.filter(action="community.dissolve").exists()


def test_dissolve_form_names_each_missing_field(clients, registry):
    response = clients["district_head"].post(f"/communities/{registry['own'].pk}/dissolve/", {})
    errors = response.context["form"].errors
    assert set(errors) == {"dissolved_on", "announcement_no", "reason"}
    assert not Community.objects.get(pk=registry["own"].pk).is_dissolved


def test_dissolve_before_the_announcement_is_an_error_on_the_date(clients, registry):
    Community.objects.filter(pk=registry["own"].pk).update(announced_on=date(2024, 3, 12))
    response = clients["district_head"].post(
        f"/communities/{registry['own'].pk}/dissolve/",
        {"dissolved_on": "01/01/2567", "announcement_no": "กท 5/2567", "reason": "เวนคืน"},
    )
    assert "dissolved_on" in response.context["form"].errors
    assert not Community.objects.get(pk=registry["own"].pk).is_dissolved


def test_only_the_district_head_may_dissolve(clients, registry):
    pk = registry["own"].pk
    page(clients["district_officer"], f"/communities/{pk}/dissolve/", 403)
    page(clients["committee_member"], f"/communities/{pk}/dissolve/", 403)
    page(clients["district_head"], f"/communities/{registry['other'].pk}/dissolve/", 404)
    data = {"dissolved_on": "12/03/2567", "announcement_no": "กท 5/2567", "reason": "เวนคืน"}
    assert clients["district_officer"].post(f"/communities/{pk}/dissolve/", data).status_code == 403
    other = registry["other"].pk
    assert clients["district_head"].post(f"/communities/{other}/dissolve/", data).status_code == 404
    assert not Community.objects.filter(pk__in=[pk, other], dissolved_on__isnull=False).exists()


def test_dissolving_an_already_dissolved_community_goes_back_to_its_page(clients, registry):
    community_dissolve(
        actor=None,
        community=registry["own"],
        dissolved_on=date(2024, 1, 1),
        announcement_no="1",
        reason="เหตุผล",
    )
    response = clients["district_head"].get(f"/communities/{registry['own'].pk}/dissolve/")
    assert response.status_code == 302
    response = clients["district_head"].post(
        f"/communities/{registry['own'].pk}/dissolve/",
        {"dissolved_on": "02/01/2567", "announcement_no": "2", "reason": "อีกครั้ง"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    community = Community.objects.get(pk=registry["own"].pk)
    assert (
        community.dissolved_on == date(2024, 1, 1) and community.dissolution_announcement_no == "1"
    )


# --- history -----------------------------------------------------------------------------


def test_history_shows_changes_versions_and_masked_move_lines(clients, registry, role_users):
    clients["district_officer"].post(
        f"/communities/{registry['own'].pk}/edit/", create_data(declared_families="77")
    )
    household_move(
        actor=None,
        household=registry["house"],
        to_community=registry["other"],
        on=date(2024, 5, 1),
    )
    html = page(clients["district_officer"], f"/communities/{registry['own'].pk}/history/")
    assert "community.update" in html and "declared_families" in html
    assert "บ้านเลขที่ 12/3" in html or "House 12/3" in html
    assert "สมชาย" not in html  # no names in the move lines
    moves = Move.objects.filter(from_area=registry["own"].area)
    assert moves.filter(person__isnull=True).count() == 1  # the household's line
    assert moves.filter(person__isnull=False).count() == 2  # one masked line per member
    assert html.count("ส*** ใ***") == 2  # both members, masked


def test_history_needs_records_view(clients, registry):
    page(clients["committee_member"], f"/communities/{registry['own'].pk}/history/", 403)
    page(clients["zone_officer"], f"/communities/{registry['own'].pk}/history/")
    page(clients["district_officer"], f"/communities/{registry['other'].pk}/history/", 404)


# --- navigation --------------------------------------------------------------------------


def test_navigation_and_home_link_to_the_community_list(clients, registry):
    for actor in ("committee_member", "district_officer", "central_officer"):
        html = page(clients[actor], "/")
        assert 'href="/communities/"' in html
        assert ">ชุมชน</a>" in html


def test_pages_speak_english_when_chosen(clients, registry):
    client = clients["district_officer"]
    client.cookies["chumchon_language"] = "en"
    html = page(client, "/communities/")
    assert "households: declared / in the registry" in html and "New community" in html
    response = client.post("/communities/new/", create_data(code=OWN_COMMUNITY))
    assert "is already used by another area or community" in response.content.decode()
