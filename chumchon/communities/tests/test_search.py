"""The staff search of the registry (search.py, the page, the API): matching rules, ranking,
scope, masking, national IDs by POST only, approximate counts, constant queries, messages.
PostgreSQL-only behaviour (trigram index, plans) is in test_search_postgres.py."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from chumchon.accounts.scoping import clear_reach_cache
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY, make_user, verified_client
from chumchon.core.models import AuditEvent
from chumchon.core.national_id import mask_national_id
from chumchon.organizations.models import Area

from .. import search
from ..migrations import __path__ as migrations_path
from ..models import Person
from ..search import COUNT_CAP, normalize_query, search_registry
from .factories import (
    community_for_area,
    make_community,
    make_household,
    make_person,
    valid_national_id,
)

pytestmark = pytest.mark.django_db

PAGE = "/search/"
API = "/api/v1/search"
API_ID = "/api/v1/search/national-id"
THIRTEEN_DIGITS = re.compile(r"(?<!\d)\d{13}(?!\d)")


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def other(communities):
    return community_for_area(communities[OTHER_COMMUNITY])


@pytest.fixture
def house(own):
    return make_household(own, house_no="12/3")


def person(household, first, last="", **values):
    return make_person(household, first_name=first, last_name=last, **values)


def names(people):
    return [f"{p.first_name} {p.last_name}".strip() for p in people]


def english(clients):
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


# --- normalisation and matching ----------------------------------------------------------------


def test_normalize_query_trims_collapses_spaces_and_makes_thai_digits_arabic():
    assert normalize_query("  สมชาย \u00a0  ใจดี\u200b ") == "สมชาย ใจดี"
    assert normalize_query("๑๒/๓") == "12/3"
    assert normalize_query(None) == ""


def test_two_tokens_match_first_name_and_last_name(role_users, house):
    person(house, "สมชาย", "ใจดี")
    person(house, "สมชาย", "รักชาติ")
    person(house, "ใจดี", "สมชาย")  # the same words the other way round
    results = search_registry(role_users["district_officer"], text="สมชาย ใจดี")
    assert names(results.people) == ["สมชาย ใจดี"]
    # each token is a fragment: 3+ characters anywhere, fewer at the start
    assert names(search_registry(role_users["district_officer"], text="ชาย ใจ").people) == [
        "สมชาย ใจดี"
    ]
    assert search_registry(role_users["district_officer"], text="ชาย ดี").people == []


def test_last_name_with_a_space_is_the_rest_of_the_text(role_users, house):
    person(house, "มาลี", "ณ อยุธยา")
    results = search_registry(role_users["district_officer"], text="มาลี ณ อยุธยา")
    assert names(results.people) == ["มาลี ณ อยุธยา"]


def test_one_token_matches_first_name_last_name_or_both_run_together(role_users, house):
    person(house, "สมชาย", "ใจดี")
    user = role_users["district_officer"]
    for text in ("มชา", "จดี", "สมชายใจดี", "ชายใจ"):
        assert names(search_registry(user, text=text).people) == ["สมชาย ใจดี"], text


def test_a_title_typed_before_the_name_is_dropped(role_users, house):
    person(house, "สมชาย", "ใจดี")
    user = role_users["district_officer"]
    assert names(search_registry(user, text="นายสมชาย").people) == ["สมชาย ใจดี"]
    assert names(search_registry(user, text="นาย สมชาย ใจดี").people) == ["สมชาย ใจดี"]


def test_fragment_shorter_than_3_characters_matches_only_the_start_of_a_name(role_users, house):
    person(house, "สมชาย", "ใจดี")
    person(house, "ชามา", "ทองดี")
    user = role_users["district_officer"]
    assert names(search_registry(user, text="ชา").people) == ["ชามา ทองดี"]  # not สมชาย
    assert names(search_registry(user, text="ใจ").people) == ["สมชาย ใจดี"]  # last name start
    assert names(search_registry(user, text="ดี").people) == []  # ดี only inside names
    assert len(search_registry(user, text="มชา").people) == 1  # 3 characters: anywhere


def test_thai_vowel_and_tone_marks_count(role_users, house):
    person(house, "ส้มโอ", "ใจดี")
    person(house, "สมใจ", "ทองดี")
    person(house, "กิจจา", "ทองดี")
    person(house, "กจกร", "ทองดี")
    user = role_users["district_officer"]
    assert names(search_registry(user, text="ส้ม").people) == ["ส้มโอ ใจดี"]
    assert names(search_registry(user, text="สมใ").people) == ["สมใจ ทองดี"]
    assert names(search_registry(user, text="กิจ").people) == ["กิจจา ทองดี"]
    assert names(search_registry(user, text="กจก").people) == ["กจกร ทองดี"]


def test_english_names_match_whatever_the_case(role_users, house):
    person(house, "John", "Smith", nationality="อังกฤษ")
    user = role_users["district_officer"]
    assert names(search_registry(user, text="john").people) == ["John Smith"]
    assert names(search_registry(user, text="SMI").people) == ["John Smith"]
    assert names(search_registry(user, text="jo sm").people) == ["John Smith"]


def test_like_wildcards_in_the_text_are_plain_characters(role_users, house):
    person(house, "สมชาย", "ใจดี")
    user = role_users["district_officer"]
    assert search_registry(user, text="%%%").people == []
    assert search_registry(user, text="___").people == []
    assert search_registry(user, text="ส_ช").people == []


# --- ranking -----------------------------------------------------------------------------------


def test_ranking_exact_then_first_name_start_then_last_name_start_then_anywhere(role_users, house):
    person(house, "อนันต์", "ทองสมศรี")  # anywhere
    person(house, "ประเสริฐ", "สมศรีวงศ์")  # last name starts
    person(house, "สมศรีสุข", "มั่นคง")  # first name starts, longer
    person(house, "สมศรีนวล", "ดี")  # first name starts, shorter name
    person(house, "สมศรี", "ใจงาม")  # exact
    results = search_registry(role_users["district_officer"], text="สมศรี")
    assert names(results.people) == [
        "สมศรี ใจงาม",
        "สมศรีนวล ดี",
        "สมศรีสุข มั่นคง",
        "ประเสริฐ สมศรีวงศ์",
        "อนันต์ ทองสมศรี",
    ]


def test_ties_go_to_the_shorter_name_then_the_name(role_users, house):
    person(house, "กมลา", "ทองดี")
    person(house, "กมล", "ทองดีมาก")
    person(house, "กมล", "ทองดี")
    person(house, "กมลรัตน์", "ทองดี")
    results = search_registry(role_users["district_officer"], text="กมล")
    assert names(results.people) == ["กมล ทองดี", "กมล ทองดีมาก", "กมลา ทองดี", "กมลรัตน์ ทองดี"]


def test_communities_rank_exact_name_before_prefix_word_start_and_substring(role_users):
    user = role_users["district_officer"]
    make_community(name_th="ชุมชนบ้านวัดสามพระยา")  # substring
    make_community(name_th="ชุมชนวัดสามพระยา")  # word start (after "ชุมชน")
    make_community(name_th="วัดสามพระยาเหนือ")  # prefix
    make_community(name_th="วัดสามพระยา")  # exact
    results = search_registry(user, text="วัดสามพระยา")
    assert [c.area.name_th for c in results.communities] == [
        "วัดสามพระยา",
        "วัดสามพระยาเหนือ",
        "ชุมชนวัดสามพระยา",
        "ชุมชนบ้านวัดสามพระยา",
    ]


def test_communities_by_code_english_name_and_a_short_word_start(role_users, own):
    user = role_users["district_officer"]
    community = make_community(code="TC-7788", name_th="ชุมชนริมคลองบางลำพู", name_en="Bang Lamphu")
    assert search_registry(user, text="TC-7788").communities == [community]
    assert search_registry(user, text="lamphu").communities == [community]
    assert search_registry(user, text="ริม").communities == [community]
    # two characters: only the start of the name, of a word, or after "ชุมชน"
    assert search_registry(user, text="ริ").communities == [community]
    assert search_registry(user, text="la").communities == [community]
    assert search_registry(user, text="ลอ").communities == []


# --- households --------------------------------------------------------------------------------


def test_households_by_house_number_exact_or_prefix_with_thai_digits(role_users, own):
    user = role_users["district_officer"]
    make_household(own, house_no="12/30")
    make_household(own, house_no="12/3")
    make_household(own, house_no="112/3")
    results = search_registry(user, text="๑๒/๓")
    assert [h.house_no for h in results.households] == ["12/3", "12/30"]
    assert results.household_count == 2


def test_households_by_house_registration_code_prefix(role_users, own):
    user = role_users["district_officer"]
    household = make_household(own, house_no="5", house_code="10010123456")
    assert search_registry(user, text="1001-0123").households == [household]
    assert search_registry(user, text="10010123456").households == [household]
    assert search_registry(user, text="100").households == []  # codes from 4 digits


def test_text_without_a_digit_does_not_search_households(role_users, own):
    make_household(own, house_no="ก")
    with CaptureQueriesContext(connection) as ctx:
        search_registry(role_users["superuser"], text="ก")
    assert not any('FROM "communities_household"' in q["sql"] for q in ctx.captured_queries)


# --- scope and masking -------------------------------------------------------------------------


def test_people_outside_the_users_reach_are_never_found_or_counted(role_users, house, other):
    person(house, "สมชาย", "ใจดี")
    person(make_household(other), "สมชาย", "ใจงาม")
    results = search_registry(role_users["district_officer"], text="สมชาย")
    assert names(results.people) == ["สมชาย ใจดี"]
    assert results.person_count == 1
    assert search_registry(role_users["central_officer"], text="สมชาย").person_count == 2
    assert search_registry(role_users["zone_officer"], text="สมชาย").person_count == 1


def test_committee_member_finds_only_their_own_community(role_users, house):
    neighbour = make_community(district="1001", name_th="ชุมชนเพื่อนบ้าน")
    person(house, "สมชาย", "ใจดี")
    person(make_household(neighbour, house_no="12/3"), "สมชาย", "ใจงาม")
    committee = search_registry(role_users["committee_member"], text="สมชาย")
    assert names(committee.people) == ["สมชาย ใจดี"]
    assert committee.person_count == 1
    assert search_registry(role_users["committee_member"], text="12/3").household_count == 1
    assert search_registry(role_users["committee_member"], text="เพื่อนบ้าน").communities == []
    officer = search_registry(role_users["district_officer"], text="สมชาย")
    assert officer.person_count == 2


def test_page_masks_national_ids_and_hides_them_from_committee_members(clients, house):
    nid = valid_national_id()
    person(house, "สมชาย", "ใจดี", national_id=nid)
    officer = clients["district_officer"].get(PAGE, {"q": "สมชาย"})
    assert officer.status_code == 200
    html = officer.content.decode()
    assert mask_national_id(nid) in html and nid not in html
    assert not THIRTEEN_DIGITS.search(html)
    committee = clients["committee_member"].get(PAGE, {"q": "สมชาย"}).content.decode()
    assert "สมชาย" in committee and mask_national_id(nid) not in committee


def test_api_masks_national_ids_and_gives_null_to_committee_members(clients, house):
    nid = valid_national_id()
    person(house, "สมชาย", "ใจดี", national_id=nid)
    officer = clients["district_officer"].get(API, {"q": "สมชาย"})
    assert officer.status_code == 200
    assert officer.json()["people"]["items"][0]["national_id_masked"] == mask_national_id(nid)
    assert not THIRTEEN_DIGITS.search(officer.content.decode())
    committee = clients["committee_member"].get(API, {"q": "สมชาย"}).json()
    assert committee["people"]["items"][0]["national_id_masked"] is None
    assert "phone" not in committee["people"]["items"][0]
    assert "birth_date" not in committee["people"]["items"][0]


# --- national ID -------------------------------------------------------------------------------


def test_national_id_search_by_post_finds_the_exact_person_through_the_hash(clients, house):
    nid = valid_national_id()
    person(house, "สมชาย", "ใจดี", national_id=nid)
    person(house, "สมชาย", "ใจงาม")
    grouped = f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"
    response = clients["district_officer"].post(PAGE, {"national_id": grouped})
    assert response.status_code == 200
    html = response.content.decode()
    assert "สมชาย ใจดี" in html and "ใจงาม" not in html
    assert nid not in html and grouped not in html  # not echoed back
    assert response.context["results"].by_national_id


def test_national_id_in_a_get_request_is_ignored(clients, house):
    nid = valid_national_id()
    person(house, "ประยูร", "มั่นคง", national_id=nid)
    before = AuditEvent.objects.count()
    response = clients["district_officer"].get(PAGE, {"national_id": nid})
    assert response.status_code == 200
    assert response.context["results"] is None
    assert "ประยูร" not in response.content.decode()
    api = clients["district_officer"].get(API, {"national_id": nid})
    assert api.status_code == 422  # no q: the text search refuses; the ID is not searched
    assert AuditEvent.objects.count() == before


def test_national_id_search_is_audited_without_the_number(role_users, house):
    nid = valid_national_id()
    found = person(house, "สมชาย", "ใจดี", national_id=nid)
    user = role_users["district_officer"]
    search_registry(user, national_id=nid)
    unknown = valid_national_id()
    search_registry(user, national_id=unknown)
    events = list(AuditEvent.objects.filter(action="person.search_national_id").order_by("id"))
    assert len(events) == 2
    assert events[0].object_id == str(found.pk) and events[0].changes["found"] is True
    assert events[0].changes["national_id_masked"] == mask_national_id(nid)
    assert events[1].object_id == "" and events[1].changes["found"] is False
    assert events[1].area_path == Area.objects.get(code="1001").path  # the searcher's district
    for event in events:
        row = json.dumps([event.object_label, event.changes, event.reason], ensure_ascii=False)
        assert nid not in row and unknown not in row


def test_national_id_outside_reach_looks_exactly_like_an_unknown_one(clients, house, other):
    nid = valid_national_id()
    person(make_household(other), "สมชาย", "ไกลบ้าน", national_id=nid)
    client = clients["district_officer"]
    outside = client.post(API_ID, {"national_id": nid}, content_type="application/json")
    unknown = client.post(
        API_ID, {"national_id": valid_national_id()}, content_type="application/json"
    )
    assert outside.status_code == unknown.status_code == 200
    assert outside.json() == unknown.json()
    assert outside.json()["people"] == {"items": [], "count": 0, "more": False}
    found = clients["central_officer"].post(
        API_ID, {"national_id": nid}, content_type="application/json"
    )
    assert [p["last_name"] for p in found.json()["people"]["items"]] == ["ไกลบ้าน"]


def test_committee_members_cannot_search_by_national_id(clients, role_users, house):
    """They see no national IDs, so an ID does not lead them to a person either."""
    nid = valid_national_id()
    person(house, "สมชาย", "ใจดี", national_id=nid)
    client = clients["committee_member"]
    page = client.get(PAGE, {"q": "สมชาย"})
    assert page.status_code == 200 and 'name="national_id"' not in page.content.decode()
    assert client.post(PAGE, {"national_id": nid}).status_code == 403
    api = client.post(API_ID, {"national_id": nid}, content_type="application/json")
    assert api.status_code == 403
    assert search_registry(role_users["committee_member"], national_id=nid).people == []
    assert 'name="national_id"' in clients["district_officer"].get(PAGE).content.decode()


def test_bad_national_id_is_a_422_naming_the_field(clients):
    client = english(clients)["district_officer"]
    response = client.post(API_ID, {"national_id": "1234"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "national_id"
    assert "4 digits instead of 13" in body["errors"][0]["message"]
    empty = client.post(API_ID, {"national_id": " "}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "national_id"


def test_bad_national_id_on_the_page_is_a_form_message(clients):
    client = english(clients)["district_officer"]
    response = client.post(PAGE, {"national_id": "12345678901"})
    assert response.status_code == 200
    assert "11 digits instead of 13" in response.content.decode()
    assert response.context["results"] is None
    empty = client.post(PAGE, {})
    assert "Enter the 13-digit national ID number." in empty.content.decode()


# --- input errors and messages -----------------------------------------------------------------


def test_empty_and_too_long_text_are_refused_with_a_message(role_users):
    user = role_users["district_officer"]
    with pytest.raises(ValidationError) as empty:
        search_registry(user, text="   ")
    assert "q" in empty.value.message_dict
    with translation.override("en"), pytest.raises(ValidationError) as long:
        search_registry(user, text="ก" * 101)
    assert "at most 100 characters (101 typed)" in long.value.message_dict["q"][0]
    search_registry(user, text="ก" * 100)  # the limit itself is fine


def test_api_refuses_empty_and_too_long_q_with_422(clients):
    client = english(clients)["district_officer"]
    for params in ({}, {"q": ""}, {"q": "  "}, {"q": "x" * 101}):
        response = client.get(API, params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] == "q"


def test_messages_are_in_thai_by_default_and_in_english_on_request(clients):
    client = clients["district_officer"]
    thai = client.get(API, {"q": "x" * 101}).json()["errors"][0]["message"]
    assert "ข้อความค้นหายาวเกินไป" in thai
    client.cookies["chumchon_language"] = "en"
    english_message = client.get(API, {"q": "x" * 101}).json()["errors"][0]["message"]
    assert "too long" in english_message
    with translation.override("th"):
        with pytest.raises(ValidationError) as empty:
            search_registry(None, text="")
        assert "พิมพ์ส่วนหนึ่งของชื่อ" in empty.value.message_dict["q"][0]


def test_page_shows_the_message_for_empty_and_too_long_text(clients):
    client = english(clients)["district_officer"]
    empty = client.get(PAGE, {"q": ""})
    assert empty.status_code == 200
    assert "Type part of a name" in empty.content.decode()
    long = client.get(PAGE, {"q": "ก" * 150})
    assert long.status_code == 200
    assert "too long: at most 100 characters (150 typed)" in long.content.decode()
    plain = client.get(PAGE)
    assert plain.status_code == 200 and plain.context["results"] is None


# --- counts and queries ------------------------------------------------------------------------


def _bulk_people(area, count, first_name="ทดสอบ"):
    Person.objects.bulk_create(
        Person(
            area=area,
            first_name=first_name,
            last_name=f"นามสกุล{i:05d}",
            missing_id_reason=Person.MissingId.UNKNOWN,
        )
        for i in range(count)
    )


def test_count_stops_at_1000_and_says_more_than(clients, role_users, own):
    _bulk_people(own.area, COUNT_CAP + 5)
    results = search_registry(role_users["district_officer"], text="ทดสอบ")
    assert results.person_count == COUNT_CAP and results.people_more
    assert len(results.people) == 20
    exact = search_registry(role_users["district_officer"], text="นามสกุล0000")
    assert exact.person_count == 10 and not exact.people_more
    page = english(clients)["district_officer"].get(PAGE, {"q": "ทดสอบ"}).content.decode()
    assert "more than 1,000" in page
    api = clients["district_officer"].get(API, {"q": "ทดสอบ"}).json()
    assert api["people"]["count"] == COUNT_CAP and api["people"]["more"] is True
    assert len(api["people"]["items"]) == 20


def test_limit_is_clamped(role_users, own):
    _bulk_people(own.area, 30)
    user = role_users["district_officer"]
    assert len(search_registry(user, text="ทดสอบ", limit=5).people) == 5
    assert len(search_registry(user, text="ทดสอบ", limit=0).people) == 1
    assert len(search_registry(user, text="ทดสอบ", limit=10_000).people) == 30


def test_queries_per_search_do_not_grow_with_the_data(role_users, own):
    user = role_users["district_officer"]
    household = make_household(own, house_no="12")
    person(household, "ทดสอบ", "ใจดี")
    make_community(name_th="ชุมชนทดสอบสอง")

    def queries(text):
        clear_reach_cache(user)
        with CaptureQueriesContext(connection) as ctx:
            search_registry(user, text=text)
        return len(ctx.captured_queries)

    small = {text: queries(text) for text in ("ทดสอบ", "1", "ทด ใจ")}
    _bulk_people(own.area, 300)
    for i in range(30):
        make_household(own, house_no=f"1/{i}")
        make_community(name_th=f"ชุมชนทดสอบ {i}")
    large = {text: queries(text) for text in ("ทดสอบ", "1", "ทด ใจ")}
    assert small == large
    assert max(large.values()) <= 8  # reach, area ids, 2 per kind


def test_page_and_api_queries_do_not_grow_with_the_data(clients, own):
    client = clients["district_officer"]
    person(make_household(own, house_no="1"), "ทดสอบ", "ใจดี")
    make_community(name_th="ชุมชนทดสอบ 1")

    def queries():
        counts = []
        for url, text in ((PAGE, "ทดสอบ"), (PAGE, "1"), (API, "ทดสอบ"), (API, "1")):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, {"q": text}).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    queries()  # sessions, second-factor checks and caches settle
    small = queries()
    _bulk_people(own.area, 200)
    for i in range(2, 40):
        person(make_household(own, house_no=f"1/{i}"), "ทดสอบ", f"คนที่{i}")
        make_community(name_th=f"ชุมชนทดสอบ {i}")
    assert queries() == small


# --- the page, the navigation and the API ------------------------------------------------------


def test_page_links_results_to_their_pages_and_shows_status_and_place(clients, house, own):
    deceased = person(house, "สมหมาย", "ใจดี")
    Person.objects.filter(pk=deceased.pk).update(status=Person.Status.DECEASED)
    client = english(clients)["district_officer"]
    html = client.get(PAGE, {"q": "สมหมาย"}).content.decode()
    assert f'href="/people/{deceased.pk}/"' in html
    assert f'href="/households/{house.pk}/"' in html
    assert "Deceased" in html and own.area.name_th in html
    html = client.get(PAGE, {"q": own.area.code}).content.decode()
    assert f'href="/communities/{own.pk}/"' in html


def test_navigation_has_the_search_box_for_people_viewers_only(clients, role_users, db):
    home = clients["committee_member"].get("/")
    assert 'action="/search/"' in home.content.decode()
    nobody = verified_client(make_user("no_roles"))
    assert 'action="/search/"' not in nobody.get("/").content.decode()
    assert nobody.get(PAGE, {"q": "สม"}).status_code == 403
    assert nobody.get(API, {"q": "สม"}).status_code == 403


def test_anonymous_is_sent_to_log_in(clients):
    assert clients["anonymous"].get(PAGE, {"q": "สม"}).status_code == 302
    assert clients["anonymous"].get(API, {"q": "สม"}).status_code == 401


def test_api_shape(clients, house, own):
    nid = valid_national_id()
    found = person(house, "สมชาย", "ใจดี", national_id=nid)
    body = clients["district_officer"].get(API, {"q": " ๑๒/๓ "}).json()
    assert body["q"] == "12/3"
    assert body["households"]["items"] == [
        {
            "id": house.pk,
            "house_no": "12/3",
            "house_code": "",
            "community_id": own.pk,
            "community_code": own.area.code,
            "community_name_th": own.area.name_th,
            "is_active": True,
        }
    ]
    body = clients["district_officer"].get(API, {"q": "สมชาย ใจดี"}).json()
    assert body["people"] == {
        "items": [
            {
                "id": found.pk,
                "prefix": "นาย",
                "first_name": "สมชาย",
                "last_name": "ใจดี",
                "full_name": "นายสมชาย ใจดี",
                "national_id_masked": mask_national_id(nid),
                "status": "alive",
                "area_code": own.area.code,
                "household_id": house.pk,
                "house_no": "12/3",
                "community_id": own.pk,
                "community_name_th": own.area.name_th,
            }
        ],
        "count": 1,
        "more": False,
    }
    body = clients["district_officer"].get(API, {"q": own.area.code}).json()
    assert body["communities"]["items"][0] == {
        "id": own.pk,
        "code": own.area.code,
        "name_th": own.area.name_th,
        "name_en": own.area.name_en,
        "district_code": "1001",
        "status": "active",
    }
    by_id = clients["district_officer"].post(
        API_ID, {"national_id": nid}, content_type="application/json"
    )
    assert by_id.json()["q"] is None
    assert [p["id"] for p in by_id.json()["people"]["items"]] == [found.pk]
    assert "no-cache" in by_id["Cache-Control"] or "no-store" in by_id["Cache-Control"]


def test_index_constants_of_the_migration_match_the_search():
    from importlib import import_module

    assert migrations_path  # the package is importable
    migration = import_module("chumchon.communities.migrations.0004_search_indexes")
    assert migration.THAI_MARKS == search.THAI_MARKS
    assert migration.MARK_LETTERS == search.MARK_LETTERS
    assert len(set(search.MARK_LETTERS)) == len(search.THAI_MARKS)
