"""Every registry write: the happy path, each rule, the audit row."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from chumchon.accounts.scoping import clear_reach_cache
from chumchon.communities import services
from chumchon.communities.models import Community, CommunityType, Household, Membership, Move
from chumchon.communities.permissions import moves_out_of_scope, person_scope
from chumchon.communities.selectors import community_totals, with_registry_counts
from chumchon.communities.tests.factories import (
    make_community,
    make_household,
    make_person,
    valid_national_id,
)
from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent, RevealLog
from chumchon.organizations.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def messages(exc: ValidationError) -> str:
    return " ".join(exc.value.messages) if hasattr(exc, "value") else " ".join(exc.messages)


# --- communities ---------------------------------------------------------------------


def test_community_create_makes_a_leaf_area_under_the_district_and_audits():
    community = make_community("HC001", type_code="urban", name_en="Test")
    assert community.area.parent.code == "1001"
    assert community.area.kind.code == "community"
    assert community.area.path == "/BKK/BKK-01/1001/HC001/"
    assert community.code == "HC001"
    assert community.type.name_th == "ชุมชนเมือง"
    assert AuditEvent.objects.filter(action="community.create", object_id=str(community.pk))


def test_community_types_are_data_including_the_later_regulations():
    names = set(CommunityType.objects.values_list("name_th", flat=True))
    assert {
        "ชุมชนแออัด",
        "ชุมชนชานเมือง",
        "เคหะชุมชน",
        "หมู่บ้านจัดสรร",
        "ชุมชนเมือง",
        "ชุมชนอาคารสูง",
        "ชุมชนรูปแบบพิเศษ",
    } <= names


def test_community_code_is_unique_across_the_installation():
    make_community("HC001")
    with pytest.raises(ValidationError) as exc:
        make_community("HC001", district="1004")
    assert "already used" in messages(exc)


def test_community_cannot_hang_under_another_community():
    parent = make_community("HC001")
    with pytest.raises(ValidationError) as exc:
        services.community_create(
            actor=None,
            parent=parent.area,
            code="HC002",
            name_th="ชุมชนซ้อน",
            type=CommunityType.objects.get(code="slum"),
        )
    assert "belongs to a district" in messages(exc)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"declared_families": -1}, "declared_families"),
        ({"declared_population": -5}, "declared_population"),
        ({"announced_on": date.today() + timedelta(days=30)}, "announced_on"),
        ({"lat": Decimal("13.7")}, "lng"),
        ({"lat": Decimal("95"), "lng": Decimal("100")}, "lat"),
    ],
)
def test_community_refuses_bad_values_and_saves_nothing(values, field):
    with pytest.raises(ValidationError) as exc:
        make_community("HC009", **values)
    assert field in exc.value.message_dict
    assert not Area.objects.filter(code="HC009").exists()


def test_community_update_changes_names_on_the_area_and_audits_the_diff():
    community = make_community("HC001")
    services.community_update(
        actor=None, community=community, name_th="ชุมชนใหม่", declared_families=200
    )
    community.refresh_from_db()
    assert community.area.name_th == "ชุมชนใหม่"
    event = AuditEvent.objects.filter(action="community.update").get()
    assert event.changes["name_th"][1] == "ชุมชนใหม่"
    assert event.changes["declared_families"] == [150, 200]


def test_community_status_cannot_be_edited_only_dissolved():
    community = make_community("HC001")
    with pytest.raises(ValidationError) as exc:
        services.community_update(actor=None, community=community, status="dissolved")
    assert "dissolve" in messages(exc)


def test_dissolve_keeps_the_record_and_counts_respect_the_date():
    kept = make_community("HC001", announced_on=date(2000, 1, 1))
    gone = make_community("HC002", announced_on=date(2000, 1, 1))
    household = make_household(gone)
    make_person(household, relation="head")
    services.community_dissolve(
        actor=None,
        community=gone,
        dissolved_on=date(2025, 5, 1),
        announcement_no="12/2568",
        reason="พื้นที่ถูกเวนคืน",
    )
    gone.refresh_from_db()
    assert gone.is_dissolved and gone.dissolved_on == date(2025, 5, 1)
    assert Household.objects.filter(community=gone).count() == 1  # history stays
    qs = Community.objects.filter(pk__in=[kept.pk, gone.pk])
    assert qs.existing_on(date(2025, 4, 30)).count() == 2
    assert qs.existing_on(date(2025, 5, 1)).count() == 1
    assert qs.existing_on(date(1999, 12, 31)).count() == 0
    event = AuditEvent.objects.get(action="community.dissolve")
    assert event.reason == "พื้นที่ถูกเวนคืน"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dissolved_on": None}, "dissolved_on"),
        # tomorrow where the service counts days (Bangkok), not on the test machine's clock (UTC)
        ({"dissolved_on": timezone.localdate() + timedelta(days=1)}, "dissolved_on"),
        ({"dissolved_on": date(1999, 1, 1)}, "dissolved_on"),
        ({"announcement_no": " "}, "announcement_no"),
        ({"reason": ""}, "reason"),
    ],
)
def test_dissolve_refuses_bad_input(kwargs, field):
    community = make_community("HC001", announced_on=date(2000, 1, 1))
    values = {"dissolved_on": date(2025, 1, 1), "announcement_no": "1/2568", "reason": "ยุบ"}
    values.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        services.community_dissolve(actor=None, community=community, **values)
    assert field in exc.value.message_dict
    community.refresh_from_db()
    assert community.status == "active"


def test_dissolving_twice_is_refused():
    community = make_community("HC001")
    args = {"dissolved_on": date(2025, 1, 1), "announcement_no": "1/2568", "reason": "ยุบ"}
    services.community_dissolve(actor=None, community=community, **args)
    with pytest.raises(ValidationError) as exc:
        services.community_dissolve(actor=None, community=community, **args)
    assert "already dissolved" in messages(exc)


def test_a_dissolved_community_takes_no_new_households():
    community = make_community("HC001")
    services.community_dissolve(
        actor=None,
        community=community,
        dissolved_on=date(2025, 1, 1),
        announcement_no="1/2568",
        reason="ยุบ",
    )
    with pytest.raises(ValidationError) as exc:
        make_household(community, "1")
    assert "dissolved" in messages(exc)


# --- households ------------------------------------------------------------------------


def test_house_code_is_normalised_and_unique():
    community = make_community("HC001")
    household = make_household(community, "๑๒/๓", house_code="๑๐๐๑-๐๑๒๓๔๕-๖")
    assert (household.house_no, household.house_code) == ("12/3", "10010123456")
    with pytest.raises(ValidationError) as exc:
        make_household(community, "99", house_code="10010123456")
    assert "house_code" in exc.value.message_dict


def test_house_code_with_the_wrong_number_of_digits_is_refused():
    community = make_community("HC001")
    with pytest.raises(ValidationError) as exc:
        make_household(community, "1", house_code="12345")
    assert "11 digits" in messages(exc)


def test_without_a_code_a_household_is_identified_by_community_and_house_number():
    one, two = make_community("HC001"), make_community("HC002")
    make_household(one, "5")
    make_household(two, "5")  # same number, other community: fine
    make_household(one, "5", house_code="10010123456")  # with a code: identified by the code
    with pytest.raises(ValidationError) as exc:
        make_household(one, "5")
    assert "house_no" in exc.value.message_dict


def test_poverty_override_needs_a_reason_and_is_audited():
    household = make_household(make_community("HC001"))
    with pytest.raises(ValidationError):
        services.household_set_poverty_override(
            actor=None, household=household, poor=True, reason="สั้น"
        )
    services.household_set_poverty_override(
        actor=None, household=household, poor=True, reason="ตกงานทั้งครอบครัวหลังน้ำท่วม"
    )
    household.refresh_from_db()
    assert household.poor_override is True
    assert AuditEvent.objects.filter(action="household.poverty_override").count() == 1


# --- people ----------------------------------------------------------------------------


def test_person_national_id_is_stored_with_a_keyed_hash_and_audited_masked():
    household = make_household(make_community("HC001"))
    number = valid_national_id(123)
    person = make_person(household, national_id=f" {number[:1]}-{number[1:5]}-{number[5:]} ")
    assert person.national_id == number
    assert person.national_id_hash and number not in person.national_id_hash
    event = AuditEvent.objects.get(action="person.create")
    assert number not in str(event.changes)
    assert person.masked_national_id == f"{number[0]}-{number[1:5]}-xxxxx-xx-{number[12]}"
    assert not hasattr(person.history.first(), "national_id")


def test_national_id_with_thai_digits_and_leading_zero_is_accepted():
    household = make_household(make_community("HC001"))
    number = valid_national_id(77, first="0")
    thai = number.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert make_person(household, national_id=thai).national_id == number


def test_bad_checksum_is_refused():
    household = make_household(make_community("HC001"))
    number = valid_national_id(5)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        make_person(household, national_id=wrong)
    assert "check digit" in messages(exc)


def test_national_id_is_unique():
    household = make_household(make_community("HC001"))
    number = valid_national_id(9)
    make_person(household, national_id=number)
    with pytest.raises(ValidationError) as exc:
        make_person(household, national_id=number, first_name="อื่น")
    assert "already registered" in messages(exc)


def test_a_person_without_an_id_needs_a_reason():
    household = make_household(make_community("HC001"))
    with pytest.raises(ValidationError) as exc:
        make_person(household, national_id="")
    assert "missing_id_reason" in exc.value.message_dict
    person = make_person(household, national_id="", missing_id_reason="foreign")
    assert person.national_id_hash is None


def test_health_and_disability_data_need_a_legal_basis():
    household = make_household(make_community("HC001"))
    with pytest.raises(ValidationError) as exc:
        make_person(household, bedridden=True)
    assert "sensitive_legal_basis" in exc.value.message_dict
    person = make_person(household, bedridden=True, sensitive_legal_basis="social_protection")
    assert person.welfare_flags() == ["bedridden"]


def test_welfare_flags_include_the_computed_elderly_flag():
    household = make_household(make_community("HC001"))
    today = timezone.localdate()
    old = make_person(household, birth_date=date(today.year - 61, 1, 1), disaster_victim=True)
    young = make_person(household, birth_date=date(today.year - 30, 1, 1))
    assert old.welfare_flags() == ["elderly", "disaster_victim"]
    assert young.welfare_flags() == []


def test_one_head_per_household():
    household = make_household(make_community("HC001"))
    make_person(household, relation="head")
    with pytest.raises(ValidationError) as exc:
        make_person(household, relation="head", first_name="สอง")
    assert "already has a head" in messages(exc)
    assert household.people.count() == 1  # nothing half-saved


def test_membership_is_dated_and_members_on_respects_dates():
    household = make_household(make_community("HC001"))
    person = make_person(household, since=date(2024, 1, 10))
    from chumchon.communities.models import Person

    assert not Person.objects.members_on(date(2024, 1, 9)).filter(pk=person.pk).exists()
    assert Person.objects.members_on(date(2024, 1, 10)).filter(pk=person.pk).exists()
    outsider = make_person(household, in_house_registration=False)
    assert not Person.objects.members_on(date(2025, 1, 1)).filter(pk=outsider.pk).exists()


def test_deceased_ends_the_membership_and_cannot_be_undone():
    household = make_household(make_community("HC001"))
    person = make_person(household, since=date(2020, 1, 1))
    services.person_set_status(actor=None, person=person, status="deceased", on=date(2025, 3, 1))
    person.refresh_from_db()
    assert person.status == "deceased" and person.household is None
    assert Membership.objects.get(person=person).until == date(2025, 3, 1)
    with pytest.raises(ValidationError):
        services.person_set_status(actor=None, person=person, status="alive", on=date(2025, 4, 1))


def test_moved_out_needs_a_destination_and_a_date_after_joining():
    household = make_household(make_community("HC001"))
    person = make_person(household, since=date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.person_set_status(
            actor=None, person=person, status="moved_out", on=date(2025, 1, 1)
        )
    assert "moved_to" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.person_set_status(
            actor=None, person=person, status="moved_out", on=date(2019, 1, 1), moved_to="ระยอง"
        )
    services.person_set_status(
        actor=None, person=person, status="moved_out", on=date(2025, 1, 1), moved_to="ระยอง"
    )
    person.refresh_from_db()
    assert (person.status, person.moved_to) == ("moved_out", "ระยอง")


def test_move_to_another_district_changes_scope_and_leaves_a_masked_line(communities):
    officer = make_user("officer1001", "district_officer", "1001")
    source = make_household(make_community("HC001", district="1001"))
    target = make_household(make_community("HC004", district="1004"))
    person = make_person(source, first_name="สมหญิง", last_name="ใจงาม", since=date(2020, 1, 1))
    assert person_scope(officer).filter(pk=person.pk).exists()
    services.person_move(
        actor=officer, person=person, to_household=target, on=date(2025, 6, 1), reason="ย้ายงาน"
    )
    clear_reach_cache(officer)
    person.refresh_from_db()
    assert person.area.parent.code == "1004"
    assert not person_scope(officer).filter(pk=person.pk).exists()
    line = moves_out_of_scope(officer).get()
    assert line.masked_label == "ส*** ใ***"
    assert "สมหญิง" not in line.masked_label
    closed, open_ = Membership.objects.filter(person=person).order_by("since")
    assert (closed.until, open_.since, open_.until) == (date(2025, 6, 1), date(2025, 6, 1), None)


def test_household_move_takes_its_members_along():
    source = make_community("HC001", district="1001")
    target = make_community("HC004", district="1004")
    household = make_household(source, "7")
    person = make_person(household, relation="head")
    services.household_move(
        actor=None, household=household, to_community=target, on=date(2025, 1, 1)
    )
    person.refresh_from_db()
    household.refresh_from_db()
    assert household.community == target and person.area == target.area
    assert Move.objects.get(household=household, person=None).from_area == source.area


def test_quick_registration_makes_a_minimal_person_in_a_district():
    district = Area.objects.get(code="1001")
    person = services.person_quick_register(
        actor=None, area=district, first_name="สมศักดิ์", approximate_age=45, sex="M"
    )
    assert person.quick_registered and person.household is None
    assert person.birth_year_estimated and person.age in (44, 45, 46)
    assert person.missing_id_reason == "unknown"
    assert not person.memberships.exists()
    with pytest.raises(ValidationError):
        services.person_quick_register(
            actor=None, area=district, first_name="x", approximate_age=-1
        )


def test_reveal_returns_the_formatted_id_and_logs_who_and_why(communities):
    head = make_user("head1001", "district_head", "1001")
    person = make_person(make_household(make_community("HC001")), national_id=valid_national_id(3))
    with pytest.raises(ValidationError):
        services.person_reveal_national_id(actor=head, person=person, reason="ดู")
    shown = services.person_reveal_national_id(
        actor=head, person=person, reason="ตรวจสอบสิทธิ์เบี้ยยังชีพผู้สูงอายุ"
    )
    assert shown.replace("-", "") == person.national_id
    log = RevealLog.objects.get()
    assert (log.actor, log.field, log.object_id) == (head, "national_id", str(person.pk))


def test_registry_counts_are_computed_from_households_and_living_members():
    community = make_community("HC001", declared_families=300, declared_population=900)
    one, two = make_household(community), make_household(community)
    make_person(one, relation="head")
    make_person(one)
    dead = make_person(two)
    services.person_set_status(actor=None, person=dead, status="deceased", on=date(2025, 1, 1))
    row = with_registry_counts(Community.objects.filter(pk=community.pk)).get()
    assert (row.registry_households, row.registry_population) == (2, 2)
    totals = community_totals(Community.objects.filter(pk=community.pk))
    assert totals["declared_families"] == 300
    assert totals["registry_population"] == 2


# --- review fixes ------------------------------------------------------------------------


def test_members_on_needs_one_membership_meeting_every_condition():
    """Registered 2020-2021, then living there unregistered: not a member in 2023."""
    household = make_household(make_community("HC001"))
    person = make_person(household, since=date(2020, 1, 1))
    services.person_update(actor=None, person=person)  # no change
    membership = Membership.objects.get(person=person)
    membership.until = date(2021, 12, 31)
    membership.save()
    Membership.objects.create(
        person=person, household=household, in_house_registration=False, since=date(2022, 1, 1)
    )
    from chumchon.communities.models import Person

    assert Person.objects.members_on(date(2021, 6, 1)).filter(pk=person.pk).count() == 1
    assert not Person.objects.members_on(date(2023, 1, 1)).filter(pk=person.pk).exists()
    assert Person.objects.members_on(date(2021, 6, 1), household=household).count() == 1


def test_a_deceased_person_cannot_be_moved():
    household = make_household(make_community("HC001"))
    other = make_household(make_community("HC002"))
    person = make_person(household, since=date(2020, 1, 1))
    services.person_set_status(actor=None, person=person, status="deceased", on=date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.person_move(actor=None, person=person, to_household=other, on=date(2025, 2, 1))
    assert "deceased" in messages(exc)
    assert not Membership.objects.filter(person=person, until__isnull=True).exists()


def test_a_household_of_a_dissolved_community_can_still_be_edited():
    community = make_community("HC001")
    household = make_household(community, "1")
    services.community_dissolve(
        actor=None,
        community=community,
        dissolved_on=date(2025, 1, 1),
        announcement_no="1/2568",
        reason="ยุบ",
    )
    household.community.refresh_from_db()
    services.household_update(actor=None, household=household, tenure="rent")
    household.refresh_from_db()
    assert household.tenure == "rent"


def test_household_move_leaves_a_history_row_and_a_move_line_per_person():
    source = make_community("HC001", district="1001")
    target = make_community("HC004", district="1004")
    household = make_household(source, "7")
    head = make_person(household, relation="head", first_name="สมชาย", last_name="ใจดี")
    child = make_person(household, relation="child", first_name="มานี", last_name="ใจดี")
    services.household_move(
        actor=None, household=household, to_community=target, on=date(2025, 1, 1)
    )
    for person in (head, child):
        person.refresh_from_db()
        assert person.area == target.area
        assert person.history.first().area_id == target.area_id
        assert Move.objects.get(person=person).masked_label == person.masked_name


def test_a_community_cannot_hang_under_a_zone_or_a_city_with_zones():
    for code in ("BKK-01", "BKK"):
        with pytest.raises(ValidationError) as exc:
            services.community_create(
                actor=None,
                parent=Area.objects.get(code=code),
                code=f"X-{code}",
                name_th="ชุมชนผิดระดับ",
                type=CommunityType.objects.get(code="slum"),
            )
        assert "level just above communities" in messages(exc)


def test_register_area_gives_an_existing_community_area_its_record(communities):
    area = communities["T-1001-01"]
    community = services.community_register_area(
        actor=None, area=area, type=CommunityType.objects.get(code="urban"), declared_families=80
    )
    assert community.area == area and community.declared_families == 80
    with pytest.raises(ValidationError):
        services.community_register_area(
            actor=None, area=area, type=CommunityType.objects.get(code="urban")
        )
    with pytest.raises(ValidationError):
        services.community_register_area(
            actor=None, area=Area.objects.get(code="1001"), type=community.type
        )


def test_counts_as_of_a_date_respect_dissolution_and_membership_dates():
    from chumchon.communities.selectors import community_totals, with_registry_counts

    kept = make_community("HC001", announced_on=date(2000, 1, 1))
    gone = make_community("HC002", announced_on=date(2000, 1, 1))
    for community in (kept, gone):
        household = make_household(community)
        make_person(household, since=date(2020, 1, 1))
    late = make_person(make_household(kept), since=date(2024, 6, 1))
    services.community_dissolve(
        actor=None,
        community=gone,
        dissolved_on=date(2023, 1, 1),
        announcement_no="1/2566",
        reason="ยุบ",
    )
    both = Community.objects.filter(pk__in=[kept.pk, gone.pk])
    rows = {c.code: c for c in with_registry_counts(both, on=date(2022, 6, 1))}
    assert (rows["HC001"].registry_population, rows["HC002"].registry_population) == (1, 1)
    rows = {c.code: c for c in with_registry_counts(both, on=date(2023, 6, 1))}
    assert (rows["HC001"].registry_population, rows["HC002"].registry_population) == (1, 0)
    assert rows["HC001"].registry_households == 1
    assert community_totals(both, on=date(2023, 6, 1))["communities"] == 1
    assert community_totals(both, on=date(2022, 6, 1))["registry_population"] == 2
    today = community_totals(both)
    assert today["registry_population"] == 3 and late.pk


def test_households_of_a_community_are_listed_in_house_number_order():
    from chumchon.communities.selectors import community_households

    community = make_community("HC001")
    for number in ("13", "4", "12/10", "12/3"):
        make_household(community, number)
    household = Household.objects.get(community=community, house_no="13")
    services.household_update(actor=None, household=household, house_no="2")
    listed = [h.house_no for h in community_households(community)]
    assert listed == ["2", "4", "12/3", "12/10"]


def test_household_details_of_a_person_in_no_household_are_refused_not_ignored():
    person = services.person_quick_register(
        actor=None, area=Area.objects.get(code="1001"), first_name="สมศักดิ์"
    )
    with pytest.raises(ValidationError) as exc:
        services.person_update(actor=None, person=person, relation="head")
    assert "relation" in exc.value.message_dict
    services.person_update(actor=None, person=person, relation="", phone="0812345678")
    person.refresh_from_db()
    assert person.phone == "0812345678"
