"""Person pages: create, the person's page by role, edit, status, move, the logged reveal of the
national ID, the subject-access report, and quick registration."""

from __future__ import annotations

from datetime import date

import pytest

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.models import AuditEvent, RevealLog
from chumchon.organizations.models import Area

from ..models import Household, Membership, Move, Person
from ..services import person_quick_register
from .factories import (
    community_for_area,
    make_community,
    make_household,
    make_person,
    valid_national_id,
)

pytestmark = pytest.mark.django_db

HEAD_ID = "1101700230708"
MASKED = "1-1017-xxxxx-xx-8"
FORMATTED = "1-1017-00230-70-8"
REASON = "คำร้องขอข้อมูลเลขที่ 15/2567"


@pytest.fixture
def registry(communities):
    own = community_for_area(communities[OWN_COMMUNITY])
    other = community_for_area(communities[OTHER_COMMUNITY])
    house = make_household(own, house_no="12/3")
    head = make_person(
        house,
        relation="head",
        national_id=HEAD_ID,
        birth_date=date(1950, 5, 1),
        phone="0812345678",
        bedridden=True,
        sensitive_legal_basis="social_protection",
    )
    other_house = make_household(other, house_no="7")
    stranger = make_person(other_house, relation="head", first_name="มานี")
    return {
        "own": own,
        "other": other,
        "house": house,
        "head": head,
        "other_house": other_house,
        "stranger": stranger,
    }


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def person_data(**changes):
    data = {
        "national_id": "",
        "missing_id_reason": "",
        "prefix": "นาง",
        "first_name": "สมศรี",
        "last_name": "ใจดี",
        "sex": "F",
        "birth_date": "01/02/2520",
        "nationality": "ไทย",
        "phone": "",
        "relation": "spouse",
        "in_house_registration": "on",
        "since": "15/06/2565",
        "disability_card": "",
        "disability_type": "",
        "sensitive_legal_basis": "",
    }
    data.update(changes)
    return data


# --- create ------------------------------------------------------------------------------


def test_officer_adds_a_person_with_a_dated_membership(clients, registry):
    new_id = valid_national_id(4242)
    url = f"/households/{registry['house'].pk}/people/new/"
    response = clients["district_officer"].post(
        url, person_data(national_id=f" {new_id[:1]}-{new_id[1:]} ")
    )
    person = Person.objects.get(first_name="สมศรี")
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.national_id == new_id and person.birth_date == date(1977, 2, 1)
    membership = person.memberships.get()
    assert membership.relation == "spouse" and membership.in_house_registration
    assert membership.since == date(2022, 6, 15)


def test_person_form_has_a_sensitive_fieldset_that_asks_for_the_legal_basis(clients, registry):
    html = page(clients["district_officer"], f"/households/{registry['house'].pk}/people/new/")
    assert "สุขภาพและความพิการ (ข้อมูลอ่อนไหว)" in html
    assert 'name="sensitive_legal_basis"' in html and '<datalist id="prefix-options">' in html


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"national_id": "1101700230709"}, "national_id"),  # check digit
        ({"national_id": "12345"}, "national_id"),
        ({"national_id": HEAD_ID}, "national_id"),  # already registered
        ({}, "missing_id_reason"),  # neither an ID nor a reason
        ({"missing_id_reason": "unknown", "bedridden": "on"}, "sensitive_legal_basis"),
        ({"missing_id_reason": "unknown", "birth_date": "01/01/2600"}, "birth_date"),
        ({"missing_id_reason": "unknown", "birth_date": "32/01/2520"}, "birth_date"),
        ({"missing_id_reason": "unknown", "relation": "head"}, "relation"),  # second head
        ({"missing_id_reason": "unknown", "first_name": ""}, "first_name"),
    ],
)
def test_person_errors_land_on_their_field(clients, registry, changes, field):
    url = f"/households/{registry['house'].pk}/people/new/"
    response = clients["district_officer"].post(url, person_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Person.objects.filter(first_name="สมศรี").exists()


def test_duplicate_id_error_is_in_thai(clients, registry):
    url = f"/households/{registry['house'].pk}/people/new/"
    response = clients["district_officer"].post(url, person_data(national_id=HEAD_ID))
    assert "มีบุคคลที่ใช้เลขประจำตัวประชาชนนี้ลงทะเบียนแล้ว" in response.content.decode()


def test_add_person_is_404_elsewhere_and_403_for_the_committee(clients, registry):
    page(clients["district_officer"], f"/households/{registry['other_house'].pk}/people/new/", 404)
    page(clients["committee_member"], f"/households/{registry['house'].pk}/people/new/", 403)
    data = person_data(first_name="ผู้บุกรุก", missing_id_reason="not_issued")
    url = f"/households/{registry['other_house'].pk}/people/new/"
    assert clients["district_officer"].post(url, data).status_code == 404
    url = f"/households/{registry['house'].pk}/people/new/"
    assert clients["committee_member"].post(url, data).status_code == 403
    assert not Person.objects.filter(first_name="ผู้บุกรุก").exists()


# --- detail ------------------------------------------------------------------------------


def test_officer_sees_the_masked_id_and_flags(clients, registry):
    html = page(clients["district_officer"], f"/people/{registry['head'].pk}/")
    assert MASKED in html and HEAD_ID not in html and FORMATTED not in html
    assert "ผู้สูงอายุ (60 ปีขึ้นไป)" in html and "ผู้ป่วยติดเตียง" in html
    assert "1 พฤษภาคม 2493" in html  # birth date in the Buddhist era
    assert "/reveal/" not in html  # an officer may not reveal


def test_committee_member_sees_no_id_and_no_flags(clients, registry):
    html = page(clients["committee_member"], f"/people/{registry['head'].pk}/")
    assert "สมชาย" in html
    assert MASKED not in html and "xxxxx-xx" not in html and HEAD_ID not in html
    assert "ผู้สูงอายุ (60 ปีขึ้นไป)" not in html and "ผู้ป่วยติดเตียง" not in html
    assert "/reveal/" not in html and "/subject-access/" not in html and "/edit/" not in html
    assert "1 พฤษภาคม 2493" not in html  # no birth date (the age only), no phone


def test_committee_member_sees_no_birth_date_or_phone(clients, registry):
    from chumchon.communities.services import person_update

    person_update(actor=None, person=registry["head"], phone="0812345678")
    html = page(clients["committee_member"], f"/people/{registry['head'].pk}/")
    assert "0812345678" not in html and "2493" not in html
    officer = page(clients["district_officer"], f"/people/{registry['head'].pk}/")
    assert "0812345678" in officer and "2493" in officer


def test_district_head_gets_the_reveal_form_and_subject_report_link(clients, registry):
    html = page(clients["district_head"], f"/people/{registry['head'].pk}/")
    assert f'hx-post="/people/{registry["head"].pk}/reveal/"' in html
    assert f"/people/{registry['head'].pk}/subject-access/" in html


def test_person_page_shows_dated_memberships(clients, registry):
    html = page(clients["district_officer"], f"/people/{registry['head'].pk}/")
    assert "1 มกราคม 2563" in html and "บ้านเลขที่ 12/3" in html


def test_person_outside_reach_is_404(clients, registry):
    page(clients["district_officer"], f"/people/{registry['stranger'].pk}/", 404)
    page(clients["committee_member"], f"/people/{registry['stranger'].pk}/", 404)


# --- edit --------------------------------------------------------------------------------


def test_edit_keeps_the_id_when_left_blank_and_never_shows_it(clients, registry):
    head = registry["head"]
    url = f"/people/{head.pk}/edit/"
    html = page(clients["district_officer"], url)
    assert HEAD_ID not in html and MASKED in html  # only in the help text
    response = clients["district_officer"].post(
        url,
        person_data(
            first_name="สมชาย",
            relation="head",
            since="01/01/2563",
            phone="0899999999",
            bedridden="on",
            sensitive_legal_basis="social_protection",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    head.refresh_from_db()
    assert head.national_id == HEAD_ID and head.phone == "0899999999"


def test_edit_replaces_the_id_when_a_new_one_is_typed(clients, registry):
    head = registry["head"]
    new_id = valid_national_id(777)
    clients["district_officer"].post(
        f"/people/{head.pk}/edit/",
        person_data(
            national_id=new_id,
            first_name="สมชาย",
            relation="head",
            since="01/01/2563",
            bedridden="on",
            sensitive_legal_basis="social_protection",
        ),
    )
    head.refresh_from_db()
    assert head.national_id == new_id


def test_edit_removes_the_id_with_the_checkbox_and_a_reason(clients, registry):
    head = registry["head"]
    url = f"/people/{head.pk}/edit/"
    assert 'name="remove_national_id"' in page(clients["district_officer"], url)
    data = person_data(
        first_name="สมชาย",
        relation="head",
        since="01/01/2563",
        bedridden="on",
        sensitive_legal_basis="social_protection",
        remove_national_id="on",
    )
    response = clients["district_officer"].post(url, data)  # no reason: refused
    assert response.status_code == 200
    assert "missing_id_reason" in response.context["form"].errors
    head.refresh_from_db()
    assert head.national_id == HEAD_ID
    response = clients["district_officer"].post(url, {**data, "missing_id_reason": "unknown"})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.national_id == "" and head.national_id_hash is None
    assert head.missing_id_reason == "unknown"
    # nothing left to remove: the checkbox is gone
    assert 'name="remove_national_id"' not in page(clients["district_officer"], url)


def test_edit_refuses_removing_the_id_and_typing_a_new_one(clients, registry):
    head = registry["head"]
    response = clients["district_officer"].post(
        f"/people/{head.pk}/edit/",
        person_data(
            national_id=valid_national_id(778),
            remove_national_id="on",
            missing_id_reason="unknown",
            first_name="สมชาย",
            relation="head",
            since="01/01/2563",
            bedridden="on",
            sensitive_legal_basis="social_protection",
        ),
    )
    assert "national_id" in response.context["form"].errors
    head.refresh_from_db()
    assert head.national_id == HEAD_ID


def test_edit_is_403_for_the_committee(clients, registry):
    page(clients["committee_member"], f"/people/{registry['head'].pk}/edit/", 403)
    data = person_data(first_name="ชื่อใหม่", relation="head")
    response = clients["committee_member"].post(f"/people/{registry['head'].pk}/edit/", data)
    assert response.status_code == 403
    assert Person.objects.get(pk=registry["head"].pk).first_name != "ชื่อใหม่"


# --- status ------------------------------------------------------------------------------


def test_officer_records_a_death_which_ends_the_membership(clients, registry):
    head = registry["head"]
    response = clients["district_officer"].post(
        f"/people/{head.pk}/status/", {"status": "deceased", "status_on": "03/02/2567"}
    )
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.status == "deceased" and head.status_on == date(2024, 2, 3)
    assert head.household is None
    assert Membership.objects.get(person=head).until == date(2024, 2, 3)
    html = page(clients["district_officer"], f"/people/{head.pk}/status/")
    assert "เปลี่ยนสถานะจากสถานะนี้ไม่ได้" in html


def test_moving_out_needs_a_destination(clients, registry):
    url = f"/people/{registry['head'].pk}/status/"
    response = clients["district_officer"].post(
        url, {"status": "moved_out", "status_on": "03/02/2567"}
    )
    assert "moved_to" in response.context["form"].errors
    response = clients["district_officer"].post(
        url, {"status": "moved_out", "status_on": "03/02/2567", "moved_to": "จังหวัดขอนแก่น"}
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=registry["head"].pk).moved_to == "จังหวัดขอนแก่น"


def test_status_date_before_joining_is_an_error_on_the_date(clients, registry):
    response = clients["district_officer"].post(
        f"/people/{registry['head'].pk}/status/",
        {"status": "deceased", "status_on": "01/01/2550"},
    )
    assert "status_on" in response.context["form"].errors


# --- move --------------------------------------------------------------------------------


def test_move_asks_for_the_community_first_then_the_household(clients, registry):
    url = f"/people/{registry['head'].pk}/move/"
    html = page(clients["district_officer"], url)
    assert 'name="community"' in html and 'name="to_household"' not in html
    near = make_community(code="MV-NEAR", district="1001")
    make_household(near, house_no="9/9", house_code="10010000099")
    html = page(clients["district_officer"], f"{url}?community={near.pk}")
    # within reach: the households there are listed to choose from
    assert 'name="to_household"' in html and "บ้านเลขที่ 9/9" in html


def test_move_outside_reach_asks_for_a_house_number_and_lists_no_household(clients, registry):
    registry["other_house"].house_code = "10040000077"
    registry["other_house"].save()
    url = f"/people/{registry['head'].pk}/move/?community={registry['other'].pk}"
    response = clients["district_officer"].get(url)
    html = response.content.decode()
    assert 'name="to_household"' not in html and 'name="new_house_no"' in html
    assert response.context["form"].fields["new_house_no"].required
    assert "บ้านเลขที่ 7" not in html and "10040000077" not in html and "มานี" not in html


def test_officer_moves_a_person_into_another_districts_household_by_house_number(clients, registry):
    head = registry["head"]
    response = clients["district_officer"].post(
        f"/people/{head.pk}/move/",
        {
            "to_community": registry["other"].pk,
            "new_house_no": "๗",  # Thai digit: the house number 7
            "relation": "relative",
            "in_house_registration": "on",
            "moved_on": "01/04/2567",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/households/{registry['house'].pk}/"
    head.refresh_from_db()
    assert head.household == registry["other_house"] and head.area == registry["other"].area
    assert Household.objects.filter(community=registry["other"]).count() == 1
    move = Move.objects.get(person=head)
    assert move.masked_label == "ส*** ใ***" and move.moved_on == date(2024, 4, 1)


def test_move_outside_reach_answers_a_second_head_neutrally(clients, registry):
    response = clients["district_officer"].post(
        f"/people/{registry['head'].pk}/move/",
        {
            "to_community": registry["other"].pk,
            "new_house_no": "7",
            "relation": "head",
            "moved_on": "01/04/2567",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["new_house_no"]
    html = response.content.decode()
    assert "already has a head" not in html and "มีหัวหน้าครัวเรือนแล้ว" not in html
    assert "มานี" not in html
    registry["head"].refresh_from_db()
    assert registry["head"].household == registry["house"] and not Move.objects.exists()


def test_move_within_reach_still_names_a_second_head(clients, registry):
    near = make_community(code="MV-NEAR2", district="1001")
    there = make_household(near, house_no="3")
    make_person(there, relation="head", first_name="มานะ")
    response = clients["district_officer"].post(
        f"/people/{registry['head'].pk}/move/",
        {
            "to_community": near.pk,
            "to_household": there.pk,
            "relation": "head",
            "moved_on": "01/04/2567",
        },
    )
    assert "relation" in response.context["form"].errors


def test_officer_moves_a_person_into_a_new_household_by_house_number(clients, registry):
    head = registry["head"]
    clients["district_officer"].post(
        f"/people/{head.pk}/move/",
        {
            "to_community": registry["other"].pk,
            "new_house_no": "88/1",
            "relation": "head",
            "moved_on": "01/04/2567",
        },
    )
    new_house = Household.objects.get(community=registry["other"], house_no="88/1")
    head.refresh_from_db()
    assert head.household == new_house


def test_a_failed_move_keeps_no_new_household(clients, registry):
    response = clients["district_officer"].post(
        f"/people/{registry['head'].pk}/move/",
        {"to_community": registry["other"].pk, "new_house_no": "88/1", "moved_on": "01/01/2600"},
    )
    assert "moved_on" in response.context["form"].errors
    assert not Household.objects.filter(house_no="88/1").exists()


def test_move_needs_a_household_or_a_new_house_number_not_both(clients, registry):
    near = make_community(code="MV-NEAR3", district="1001")
    there = make_household(near, house_no="3")
    url = f"/people/{registry['head'].pk}/move/"
    base = {"to_community": near.pk, "moved_on": "01/04/2567"}
    response = clients["district_officer"].post(url, base)
    assert "new_house_no" in response.context["form"].errors
    response = clients["district_officer"].post(
        url, {**base, "to_household": there.pk, "new_house_no": "5"}
    )
    assert "new_house_no" in response.context["form"].errors
    response = clients["district_officer"].post(url, {**base, "to_household": registry["house"].pk})
    assert "to_household" in response.context["form"].errors
    # outside reach a household id is ignored: only the house number counts
    response = clients["district_officer"].post(
        url,
        {"to_community": registry["other"].pk, "moved_on": "01/04/2567", "to_household": "1"},
    )
    assert list(response.context["form"].errors) == ["new_house_no"]


def test_a_quick_registered_persons_move_is_on_their_page_and_the_districts_list(clients, registry):
    near = make_community(code="MV-Q", district="1001")
    person = person_quick_register(
        actor=None, area=Area.objects.get(code="1001"), first_name="ดำ", approximate_age=50
    )
    clients["district_officer"].post(
        f"/people/{person.pk}/move/",
        {"to_community": near.pk, "new_house_no": "1", "moved_on": "01/04/2567"},
    )
    move = Move.objects.get(person=person)
    assert move.from_area.code == "1001" and move.to_area == near.area
    html = page(clients["district_officer"], f"/people/{person.pk}/")
    assert "1 เมษายน 2567" in html and near.area.name_th in html
    # no community's history shows a move out of a district: the community list does
    listing = page(clients["district_officer"], "/communities/")
    assert "ด***" in listing and "ดำ" not in listing.split('id="district-moves"')[1]
    assert "ด***" not in page(clients["committee_member"], "/communities/")


def test_the_old_district_keeps_the_masked_line_of_a_quick_registered_person(clients, registry):
    person = person_quick_register(
        actor=None, area=Area.objects.get(code="1001"), first_name="ดำ", approximate_age=50
    )
    clients["district_officer"].post(
        f"/people/{person.pk}/move/",
        {"to_community": registry["other"].pk, "new_house_no": "90", "moved_on": "01/04/2567"},
    )
    assert Person.objects.get(pk=person.pk).area == registry["other"].area
    page(clients["district_officer"], f"/people/{person.pk}/", 404)
    listing = page(clients["district_officer"], "/communities/")
    assert "ด***" in listing and registry["other"].area.name_th in listing


# --- reveal ------------------------------------------------------------------------------


def test_district_head_reveals_the_full_id_once_with_a_logged_reason(clients, registry, role_users):
    head = registry["head"]
    response = clients["district_head"].post(
        f"/people/{head.pk}/reveal/", {"reveal-reason": REASON}
    )
    html = response.content.decode()
    assert response.status_code == 200 and FORMATTED in html
    assert "no-store" in response["Cache-Control"]
    log = RevealLog.objects.get()
    assert log.actor == role_users["district_head"] and log.reason == REASON
    assert log.field == "national_id" and log.object_id == str(head.pk)


def test_reveal_over_htmx_answers_only_the_panel(clients, registry):
    response = clients["district_head"].post(
        f"/people/{registry['head'].pk}/reveal/", {"reveal-reason": REASON}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert FORMATTED in html and "<html" not in html
    assert RevealLog.objects.filter(reason=REASON).count() == 1


def test_reveal_without_a_real_reason_shows_nothing_and_logs_nothing(clients, registry):
    response = clients["district_head"].post(
        f"/people/{registry['head'].pk}/reveal/", {"reveal-reason": "ดู"}
    )
    assert FORMATTED not in response.content.decode()
    assert "reason" in response.context["form"].errors
    assert not RevealLog.objects.exists()


def test_reveal_is_403_for_officers_and_committee_and_404_elsewhere(clients, registry):
    url = f"/people/{registry['head'].pk}/reveal/"
    for actor in ("district_officer", "committee_member", "zone_officer"):
        assert clients[actor].post(url, {"reveal-reason": REASON}).status_code == 403
    other = f"/people/{registry['stranger'].pk}/reveal/"
    assert clients["district_head"].post(other, {"reveal-reason": REASON}).status_code == 404
    assert not RevealLog.objects.exists()


def test_reveal_of_a_person_without_an_id_says_so(clients, registry):
    person = make_person(registry["house"], national_id="", missing_id_reason="not_issued")
    response = clients["district_head"].post(
        f"/people/{person.pk}/reveal/", {"reveal-reason": REASON}
    )
    assert "ไม่มีเลขประจำตัวประชาชน" in response.content.decode()
    assert not RevealLog.objects.exists()


# --- subject-access report ---------------------------------------------------------------


def test_subject_report_asks_for_a_reason_first(clients, registry):
    html = page(clients["district_head"], f"/people/{registry['head'].pk}/subject-access/")
    assert 'name="reason"' in html and FORMATTED not in html
    assert not RevealLog.objects.exists()


def test_subject_report_logs_and_shows_everything_held(clients, registry):
    head = registry["head"]
    clients["district_head"].post(f"/people/{head.pk}/reveal/", {"reveal-reason": REASON})
    response = clients["district_head"].post(
        f"/people/{head.pk}/subject-access/", {"reason": "คำขอเจ้าของข้อมูล เลขที่ 3/2567"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert FORMATTED in html and "0812345678" in html and "ผู้ป่วยติดเตียง" in html
    assert "บ้านเลขที่ 12/3" in html  # memberships
    assert "person.create" in html  # audit events
    assert REASON in html and "subject_access_report" in html  # reveal log, this one included
    assert RevealLog.objects.filter(field="subject_access_report").count() == 1


def test_subject_report_is_403_without_personal_reveal(clients, registry):
    url = f"/people/{registry['head'].pk}/subject-access/"
    page(clients["district_officer"], url, 403)
    page(clients["committee_member"], url, 403)
    page(clients["district_head"], f"/people/{registry['stranger'].pk}/subject-access/", 404)
    assert clients["district_officer"].post(url, {"reason": REASON}).status_code == 403
    stranger = f"/people/{registry['stranger'].pk}/subject-access/"
    assert clients["district_head"].post(stranger, {"reason": REASON}).status_code == 404
    assert not RevealLog.objects.exists()


# --- quick registration ------------------------------------------------------------------


def test_officer_quick_registers_a_homeless_person(clients, registry):
    response = clients["district_officer"].post(
        "/people/quick/",
        {
            "district": Area.objects.get(code="1001").pk,
            "first_name": "ลุงแดง",
            "approximate_age": "65",
            "sex": "M",
            "missing_id_reason": "unknown",
        },
    )
    person = Person.objects.get(first_name="ลุงแดง")
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.quick_registered and person.household is None
    assert person.area.code == "1001" and person.birth_year_estimated
    assert not person.memberships.exists()
    html = page(clients["district_officer"], response["Location"])
    assert "ลงทะเบียนอย่างย่อ" in html and "ไม่ได้อยู่ในครัวเรือนใด" in html


def test_quick_registration_preselects_the_only_district_and_checks_the_age(clients, registry):
    response = clients["district_officer"].get("/people/quick/")
    assert response.context["form"].fields["district"].initial == Area.objects.get(code="1001").pk
    response = clients["district_officer"].post(
        "/people/quick/",
        {
            "district": Area.objects.get(code="1004").pk,
            "first_name": "ป้า",
            "approximate_age": "131",
            "missing_id_reason": "unknown",
        },
    )
    assert {"district", "approximate_age"} <= set(response.context["form"].errors)
    assert not Person.objects.filter(first_name="ป้า").exists()


def test_quick_registration_is_403_without_records_edit(clients, registry):
    page(clients["committee_member"], "/people/quick/", 403)
    page(clients["zone_officer"], "/people/quick/", 403)
    data = {
        "district": Area.objects.get(code="1001").pk,
        "first_name": "ลุงแดง",
        "approximate_age": "65",
        "missing_id_reason": "unknown",
    }
    for actor in ("committee_member", "zone_officer"):
        assert clients[actor].post("/people/quick/", data).status_code == 403
    assert not Person.objects.filter(first_name="ลุงแดง").exists()


def test_every_write_is_audited(clients, registry):
    clients["district_officer"].post(
        f"/households/{registry['house'].pk}/people/new/",
        person_data(missing_id_reason="not_issued"),
    )
    assert AuditEvent.objects.filter(action="person.create", actor__isnull=False).exists()
