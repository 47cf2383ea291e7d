"""Household pages: create, the household's page (IDs and welfare flags by role), edit, move to
another community, and the manual poverty status."""

from __future__ import annotations

from datetime import date

import pytest

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.models import AuditEvent

from ..models import Household, Move, Person
from .factories import community_for_area, make_community, make_household, make_person

pytestmark = pytest.mark.django_db

HEAD_ID = "1101700230708"  # masked: 1-1017-xxxxx-xx-8
MASKED = "1-1017-xxxxx-xx-8"


@pytest.fixture
def registry(communities):
    own = community_for_area(communities[OWN_COMMUNITY])
    other = community_for_area(communities[OTHER_COMMUNITY])
    house = make_household(own, house_no="12/3", house_code="10010123456")
    head = make_person(
        house,
        relation="head",
        national_id=HEAD_ID,
        birth_date=date(1950, 5, 1),
        disability_card="DC-55",
        disability_type="physical",
        sensitive_legal_basis="social_protection",
    )
    return {"own": own, "other": other, "house": house, "head": head}


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- create ------------------------------------------------------------------------------


def test_officer_adds_a_household_to_a_community(clients, registry):
    response = clients["district_officer"].post(
        f"/communities/{registry['own'].pk}/households/new/",
        {"house_no": " ๑๕/๒ ", "house_code": "1001-01234-57", "tenure": "rent"},
    )
    household = Household.objects.get(house_no="15/2")
    assert response.status_code == 302 and response["Location"] == f"/households/{household.pk}/"
    assert household.house_code == "10010123457" and household.area == registry["own"].area


def test_add_household_errors_land_on_their_fields(clients, registry):
    url = f"/communities/{registry['own'].pk}/households/new/"
    response = clients["district_officer"].post(url, {"house_no": "1", "house_code": "123"})
    assert "house_code" in response.context["form"].errors
    response = clients["district_officer"].post(url, {"house_no": "", "house_code": ""})
    assert "house_no" in response.context["form"].errors
    make_household(registry["own"], house_no="20")
    response = clients["district_officer"].post(url, {"house_no": "20"})
    assert response.context["form"].errors["house_no"] == ["ชุมชนนี้มีครัวเรือนบ้านเลขที่นี้อยู่แล้ว"]


def test_dissolved_community_refuses_a_household_with_a_clear_message(clients, registry):
    from ..services import community_dissolve

    community_dissolve(
        actor=None,
        community=registry["own"],
        dissolved_on=date(2024, 1, 1),
        announcement_no="1",
        reason="เวนคืน",
    )
    url = f"/communities/{registry['own'].pk}/households/new/"
    response = clients["district_officer"].post(url, {"house_no": "99"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Household.objects.filter(house_no="99").exists()


def test_add_household_is_404_elsewhere_and_403_for_the_committee(clients, registry):
    page(clients["district_officer"], f"/communities/{registry['other'].pk}/households/new/", 404)
    page(clients["committee_member"], f"/communities/{registry['own'].pk}/households/new/", 403)
    url = f"/communities/{registry['other'].pk}/households/new/"
    assert clients["district_officer"].post(url, {"house_no": "98"}).status_code == 404
    url = f"/communities/{registry['own'].pk}/households/new/"
    assert clients["committee_member"].post(url, {"house_no": "98"}).status_code == 403
    assert not Household.objects.filter(house_no="98").exists()


# --- detail: who sees IDs and flags ------------------------------------------------------


def test_officer_sees_masked_ids_and_welfare_flags_of_members(clients, registry):
    html = page(clients["district_officer"], f"/households/{registry['house'].pk}/")
    assert MASKED in html and HEAD_ID not in html
    assert "ผู้สูงอายุ (60 ปีขึ้นไป)" in html and "คนพิการ" in html
    assert "หัวหน้าครัวเรือน" in html
    assert "/poverty/" in html and f"/households/{registry['house'].pk}/edit/" in html


def test_committee_member_sees_members_without_ids_or_flags(clients, registry):
    html = page(clients["committee_member"], f"/households/{registry['house'].pk}/")
    assert "สมชาย" in html
    assert MASKED not in html and "xxxxx-xx" not in html and HEAD_ID not in html
    assert "ผู้สูงอายุ (60 ปีขึ้นไป)" not in html and "คนพิการ" not in html
    assert "/poverty/" not in html and "/edit/" not in html


def test_committee_member_sees_no_poverty_status_or_its_reason(clients, registry):
    from ..services import household_set_poverty_override

    reason = "รายได้ต่ำกว่าเส้นความยากจน ตรวจเยี่ยมแล้ว"
    household_set_poverty_override(
        actor=None, household=registry["house"], poor=True, reason=reason
    )
    url = f"/households/{registry['house'].pk}/"
    officer = page(clients["district_officer"], url)
    assert "สถานะครัวเรือนยากจนที่กำหนดเอง" in officer and reason in officer
    for actor in ("committee_member", "zone_officer"):  # neither holds personal.view_flags
        html = page(clients[actor], url)
        assert "สถานะครัวเรือนยากจนที่กำหนดเอง" not in html, actor
        assert reason not in html and "ครัวเรือนยากจน" not in html, actor


def test_zone_officer_sees_masked_ids_but_no_flags(clients, registry):
    html = page(clients["zone_officer"], f"/households/{registry['house'].pk}/")
    assert MASKED in html and "ผู้สูงอายุ (60 ปีขึ้นไป)" not in html and "คนพิการ" not in html


def test_household_outside_reach_is_404(clients, registry):
    other = make_household(registry["other"])
    page(clients["district_officer"], f"/households/{other.pk}/", 404)
    page(clients["committee_member"], f"/households/{other.pk}/", 404)


def test_former_members_are_shown_with_masked_names(clients, registry):
    from ..services import person_set_status

    person_set_status(actor=None, person=registry["head"], status="deceased", on=date(2024, 2, 1))
    html = page(clients["district_officer"], f"/households/{registry['house'].pk}/")
    assert "ส*** ใ***" in html


# --- edit and move -----------------------------------------------------------------------


def test_officer_edits_a_household(clients, registry):
    url = f"/households/{registry['house'].pk}/edit/"
    assert 'value="12/3"' in page(clients["district_officer"], url)
    response = clients["district_officer"].post(
        url, {"house_no": "12/4", "house_code": "", "condition": "poor"}
    )
    assert response.status_code == 302
    registry["house"].refresh_from_db()
    assert registry["house"].house_no == "12/4" and registry["house"].condition == "poor"


def test_household_move_lists_every_active_community_of_the_city(clients, registry):
    response = clients["district_officer"].get(f"/households/{registry['house'].pk}/move/")
    choices = list(response.context["form"].fields["to_community"].queryset)
    assert registry["other"] in choices and registry["own"] not in choices
    assert "ชุมชนทดสอบ 1004" in response.content.decode()


def test_officer_moves_a_household_to_another_district(clients, registry):
    house = registry["house"]
    response = clients["district_officer"].post(
        f"/households/{house.pk}/move/",
        {"to_community": registry["other"].pk, "moved_on": "01/05/2567", "reason": "ย้ายตามคำร้อง"},
    )
    # the household now belongs to district 1004: back to the old community's page
    assert response.status_code == 302
    assert response["Location"] == f"/communities/{registry['own'].pk}/"
    house.refresh_from_db()
    assert house.community == registry["other"] and house.area == registry["other"].area
    assert Person.objects.get(pk=registry["head"].pk).area == registry["other"].area
    move = Move.objects.get(household=house, person__isnull=True)
    assert move.moved_on == date(2024, 5, 1) and move.from_area == registry["own"].area
    page(clients["district_officer"], f"/households/{house.pk}/", 404)


def test_household_move_stays_on_the_household_when_still_in_reach(clients, registry):
    target = make_community(code="MV-1", district="1001")
    response = clients["district_officer"].post(
        f"/households/{registry['house'].pk}/move/",
        {"to_community": target.pk, "moved_on": "01/05/2567"},
    )
    assert response["Location"] == f"/households/{registry['house'].pk}/"


def test_household_move_errors(clients, registry):
    url = f"/households/{registry['house'].pk}/move/"
    response = clients["district_officer"].post(url, {})
    assert set(response.context["form"].errors) == {"to_community", "moved_on"}
    response = clients["district_officer"].post(
        url, {"to_community": registry["other"].pk, "moved_on": "01/01/2600"}
    )
    assert "moved_on" in response.context["form"].errors
    assert registry["house"].community == registry["own"]


def test_household_move_outside_reach_says_nothing_about_the_house_numbers_there(clients, registry):
    house = make_household(registry["own"], house_no="77")
    make_household(registry["other"], house_no="77")
    response = clients["district_officer"].post(
        f"/households/{house.pk}/move/",
        {"to_community": registry["other"].pk, "moved_on": "01/05/2567"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["to_community"]
    html = response.content.decode()
    assert "มีครัวเรือนบ้านเลขที่นี้อยู่แล้ว" not in html and "already has a household" not in html
    house.refresh_from_db()
    assert house.community == registry["own"] and not Move.objects.exists()
    # the page still speaks of the household's own community, not the one chosen
    assert response.context["object"].community == registry["own"]


# --- manual poverty status ---------------------------------------------------------------


def test_officer_marks_a_household_poor_with_a_reason(clients, registry):
    house = registry["house"]
    response = clients["district_officer"].post(
        f"/households/{house.pk}/poverty/",
        {"poor": "poor", "poor_override_reason": "รายได้ต่ำกว่าเส้นความยากจน ตรวจเยี่ยมแล้ว"},
    )
    assert response.status_code == 302
    house.refresh_from_db()
    assert house.poor_override is True
    assert AuditEvent.objects.filter(action="household.poverty_override").exists()
    html = page(clients["district_officer"], f"/households/{house.pk}/")
    assert "บันทึกสถานะครัวเรือนยากจนที่กำหนดเองแล้ว" in html


def test_poverty_status_without_a_reason_is_refused_with_a_message(clients, registry):
    house = registry["house"]
    response = clients["district_officer"].post(
        f"/households/{house.pk}/poverty/",
        {"poor": "poor", "poor_override_reason": "สั้น"},
        follow=True,
    )
    house.refresh_from_db()
    assert house.poor_override is None
    assert "กรุณาระบุเหตุผล (อย่างน้อย 10 ตัวอักษร)" in response.content.decode()


def test_poverty_status_needs_records_edit(clients, registry):
    url = f"/households/{registry['house'].pk}/poverty/"
    data = {"poor": "poor", "poor_override_reason": "เหตุผลที่ยาวพอสมควร"}
    assert clients["committee_member"].post(url, data).status_code == 403
    assert clients["zone_officer"].post(url, data).status_code == 403
    other = make_household(registry["other"])
    assert (
        clients["district_officer"].post(f"/households/{other.pk}/poverty/", data).status_code
        == 404
    )
