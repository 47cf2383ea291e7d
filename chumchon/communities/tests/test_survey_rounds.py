"""Survey rounds: coverage, progress per community and per surveyor (selectors, exact numbers),
the pages (list, open, detail, close, reopen, reclassify), the API, access (another district:
404; committee members: 403) and constant query counts as communities and surveys grow."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.dates import fiscal_year, fiscal_year_bounds
from chumchon.core.models import AuditEvent, DatedParameter
from chumchon.organizations.models import Area

from ..models import Household, Survey, SurveyRound
from ..services import community_dissolve
from ..surveys import services
from ..surveys.selectors import (
    round_communities,
    round_coverage,
    round_surveyors,
    with_coverage,
)
from .factories import community_for_area, make_community, make_household
from .survey_factories import member, open_round, submitted_survey

pytestmark = pytest.mark.django_db

YEAR = fiscal_year(timezone.localdate())
ROUNDS = "/surveys/rounds/"
API = "/api/v1/survey-rounds/"


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def errors(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.fixture
def district(role_users, communities):
    """District 1001's round: T-1001-01 with 4 active households (+1 inactive), TB-01 with 2,
    TG-01 with 1 (dissolved after its survey); 1004 has its own round with one survey.

    Surveys in 1001: a1 (not poor) and a2 (poor) by the officer, a3 a draft and b1 (poor,
    3 deprivations) by the committee member, g1 (not poor) by a volunteer without an account."""
    officer = role_users["district_officer"]
    committee = role_users["committee_member"]
    own = community_for_area(communities[OWN_COMMUNITY])
    second = make_community("TB-01", district="1001")
    gone = make_community("TG-01", district="1001")
    other = community_for_area(communities[OTHER_COMMUNITY])
    a = [make_household(own, f"{n}/A") for n in range(1, 6)]
    Household.objects.filter(pk=a[4].pk).update(is_active=False)
    b = [make_household(second, f"{n}/B") for n in range(1, 3)]
    g1 = make_household(gone, "1/G")
    o = [make_household(other, f"{n}/O") for n in range(1, 3)]
    survey_round = open_round("1001")
    submitted_survey(a[0], actor=officer)
    submitted_survey(a[1], actor=officer, members=[member("คนจน", income="20000")])
    draft = services.survey_start(actor=committee, household=a[2], survey_round=survey_round)
    submitted_survey(
        b[0],
        actor=committee,
        members=[member("คนจน", income="30000")],
        answers={"housing_condition": "poor", "waste": "burned"},
    )
    submitted_survey(g1, answers={"surveyor_name": "นางสมศรี อาสา"})
    community_dissolve(
        actor=None,
        community=gone,
        dissolved_on=timezone.localdate(),
        announcement_no="ยบ. 9/2570",
        reason="รวมกับชุมชนอื่น",
    )
    submitted_survey(o[0])
    return {
        "round": survey_round,
        "other_round": SurveyRound.objects.get(area__code="1004", fiscal_year=YEAR),
        "own": own,
        "second": second,
        "gone": gone,
        "draft": draft,
        "households": {"a": a, "b": b, "o": o},
    }


# --- selectors ----------------------------------------------------------------------------------


def test_coverage_counts_registered_households_of_active_communities_against_submitted(district):
    coverage = round_coverage(district["round"])
    # registered: 4 active in T-1001-01 (the 5th is inactive) + 2 in TB-01; TG-01 is dissolved
    assert coverage == {
        "registered": 6,
        "submitted": 4,  # a1, a2, b1 and g1 (made before its community was dissolved)
        "drafts": 1,
        "not_started": 1,
        "percent": Decimal("66.67"),  # 4 / 6, half up
    }


def test_round_list_annotation_gives_the_same_numbers_per_round(district):
    rounds = {r.area.code: r for r in with_coverage(SurveyRound.objects.select_related("area"))}
    assert (rounds["1001"].registered, rounds["1001"].submitted, rounds["1001"].drafts) == (6, 4, 1)
    assert (rounds["1004"].registered, rounds["1004"].submitted, rounds["1004"].drafts) == (2, 1, 0)


def test_progress_per_community_lists_active_communities_and_dissolved_ones_with_surveys(district):
    rows = {r["community"].code: r for r in round_communities(district["round"])}
    assert list(rows) == [OWN_COMMUNITY, "TB-01", "TG-01"]
    own = rows[OWN_COMMUNITY]
    assert (own["registered"], own["submitted"], own["drafts"], own["poor"]) == (4, 2, 1, 1)
    assert own["percent"] == Decimal("50.00")
    assert own["last_surveyed_on"] == timezone.localdate()
    second = rows["TB-01"]
    assert (second["registered"], second["submitted"], second["drafts"], second["poor"]) == (
        2,
        1,
        0,
        1,
    )
    gone = rows["TG-01"]
    assert (gone["registered"], gone["submitted"], gone["percent"]) == (0, 1, None)


def test_a_community_without_surveys_shows_zero_progress(district):
    make_household(make_community("TC-01", district="1001"), "9/C")
    row = next(r for r in round_communities(district["round"]) if r["community"].code == "TC-01")
    assert (row["registered"], row["submitted"], row["drafts"], row["percent"]) == (
        1,
        0,
        0,
        Decimal("0.00"),
    )
    assert row["last_surveyed_on"] is None


def test_surveyors_are_counted_by_name_with_the_recording_account(district, role_users):
    officer = role_users["district_officer"]
    committee = role_users["committee_member"]
    assert round_surveyors(district["round"]) == [
        {
            "name": "district_officer",
            "user_id": officer.pk,
            "user": "district_officer",
            "submitted": 2,
            "drafts": 0,
        },
        {
            "name": "committee_member",
            "user_id": committee.pk,
            "user": "committee_member",
            "submitted": 1,
            "drafts": 1,
        },
        {"name": "นางสมศรี อาสา", "user_id": None, "user": None, "submitted": 1, "drafts": 0},
    ]


def test_surveyor_named_on_the_survey_is_kept_apart_from_the_account(district, role_users):
    officer = role_users["district_officer"]
    household = district["households"]["a"][3]
    submitted_survey(household, actor=officer, answers={"surveyor_name": "นายบุญส่ง ช่วยชุมชน"})
    rows = round_surveyors(district["round"])
    volunteer = next(r for r in rows if r["name"] == "นายบุญส่ง ช่วยชุมชน")
    assert volunteer["user"] == "district_officer" and volunteer["submitted"] == 1


# --- pages --------------------------------------------------------------------------------------


def test_round_list_shows_rounds_in_reach_with_coverage(clients, district):
    response = clients["district_officer"].get(ROUNDS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "เขตพระนคร" in html and "66.67 %" in html
    assert "เขตบางรัก" not in html  # 1004 is outside the officer's reach
    assert 'href="/surveys/rounds/new/"' in html
    central = clients["central_officer"].get(ROUNDS).content.decode()
    assert "เขตพระนคร" in central and "เขตบางรัก" in central and "50.00 %" in central
    assert 'href="/surveys/rounds/new/"' not in central  # central staff do not open rounds


def test_round_list_filters_by_year_and_status(clients, district):
    client = clients["central_officer"]
    services.survey_round_close(actor=None, survey_round=district["other_round"])
    closed = client.get(ROUNDS + "?status=closed").content.decode()
    assert "เขตบางรัก" in closed and "เขตพระนคร" not in closed
    assert "เขตพระนคร" not in client.get(ROUNDS + f"?year={YEAR - 1}").content.decode()


def test_round_detail_shows_coverage_communities_and_surveyors(clients, district):
    response = clients["district_officer"].get(f"{ROUNDS}{district['round'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress class="w-100" max="100" value="66.67"' in html
    assert f'href="/communities/{district["own"].pk}/"' in html
    assert "TG-01" in html and "นางสมศรี อาสา" in html
    assert f'href="/surveys/rounds/{district["round"].pk}/close/"' in html
    assert f"/surveys/reports/?year={YEAR}&amp;area=1001" in html
    # the zone officer reads it, without the managers' buttons
    zone = clients["zone_officer"].get(f"{ROUNDS}{district['round'].pk}/").content.decode()
    assert "66.67 %" in zone and "/close/" not in zone


def test_open_a_round_from_the_page_with_buddhist_era_dates(clients):
    client = clients["district_officer"]
    assert client.get(ROUNDS + "new/").status_code == 200
    start, end = fiscal_year_bounds(YEAR + 1)
    response = client.post(
        ROUNDS + "new/",
        {
            "district": Area.objects.get(code="1001").pk,
            "fiscal_year": YEAR + 1,
            "opens_on": f"01/11/{start.year + 543}",
            "closes_on": f"31/08/{end.year + 543}",
            "note": "รอบปีหน้า",
        },
    )
    survey_round = SurveyRound.objects.get(area__code="1001", fiscal_year=YEAR + 1)
    assert response.status_code == 302 and response["Location"] == f"{ROUNDS}{survey_round.pk}/"
    assert survey_round.opens_on == date(start.year, 11, 1)
    assert survey_round.closes_on == date(end.year, 8, 31)
    assert survey_round.note == "รอบปีหน้า"


def test_open_a_round_twice_shows_the_error_on_the_year(clients):
    open_round("1001")
    response = clients["district_officer"].post(
        ROUNDS + "new/", {"district": Area.objects.get(code="1001").pk, "fiscal_year": YEAR}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "มีรอบการสำรวจของปีงบประมาณ" in form.errors["fiscal_year"][0]
    assert SurveyRound.objects.count() == 1


def test_open_a_round_offers_only_districts_the_user_manages(clients):
    form = clients["district_officer"].get(ROUNDS + "new/").context["form"]
    assert [a.code for a in form.fields["district"].queryset] == ["1001"]
    response = clients["district_officer"].post(
        ROUNDS + "new/", {"district": Area.objects.get(code="1004").pk, "fiscal_year": YEAR}
    )
    assert response.status_code == 200 and "district" in response.context["form"].errors
    assert not SurveyRound.objects.exists()


def test_close_reopen_and_reclassify_from_the_pages(clients, district):
    client = clients["district_head"]
    survey_round = district["round"]
    base = f"{ROUNDS}{survey_round.pk}/"
    assert client.get(base + "close/").status_code == 200
    response = client.post(base + "close/", {"reason": ""})
    assert response.status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.status == "closed"
    # closing again sends back to the round; reopening needs a reason
    assert client.get(base + "close/")["Location"] == base
    response = client.post(base + "reopen/", {"reason": "สั้น"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(base + "reopen/", {"reason": "มีครัวเรือนสำรวจล่าช้า 3 หลัง"})
    assert response.status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.status == "open"
    # a higher poverty line: the two surveys above 38,000 but below 150,000 become poor, and
    # the reasons of the two poor ones now name the new line: 4 changed
    DatedParameter.objects.filter(key="survey.poverty_line").update(value="150000")
    response = client.post(base + "reclassify/", {"reason": "แก้เส้นความยากจน"}, follow=True)
    assert "ใหม่แล้ว: เปลี่ยน 4 ฉบับ" in response.content.decode()
    assert Survey.objects.filter(round=survey_round, is_poor=True).count() == 4
    event = AuditEvent.objects.get(action="survey_round.reclassify")
    assert event.changes == {"changed": 4} and event.reason == "แก้เส้นความยากจน"


# --- access -------------------------------------------------------------------------------------


def test_round_of_another_district_is_404_on_pages_and_api(clients, district):
    other = district["other_round"].pk
    for name in ("district_officer", "district_head", "zone_officer"):
        assert clients[name].get(f"{ROUNDS}{other}/").status_code == 404
        assert clients[name].get(f"{API}{other}").status_code == 404
    assert clients["district_head"].post(f"{ROUNDS}{other}/close/").status_code == 404
    assert post_json(clients["district_head"], f"{API}{other}/close").status_code == 404
    assert SurveyRound.objects.get(pk=other).status == "open"


def test_committee_members_get_403_on_rounds(clients, district):
    client = clients["committee_member"]
    own = district["round"].pk
    assert client.get(ROUNDS).status_code == 403
    assert client.get(f"{ROUNDS}{own}/").status_code == 403
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{own}").status_code == 403
    # another district's round stays invisible
    assert client.get(f"{ROUNDS}{district['other_round'].pk}/").status_code == 404


def test_only_managers_close_rounds(clients, district):
    base = f"{ROUNDS}{district['round'].pk}/"
    for name in ("zone_officer", "central_officer", "auditor"):
        assert clients[name].post(base + "close/").status_code == 403
        assert post_json(clients[name], f"{API}{district['round'].pk}/close").status_code == 403
    assert clients["zone_officer"].get(ROUNDS + "new/").status_code == 403
    assert SurveyRound.objects.get(pk=district["round"].pk).status == "open"


# --- API ----------------------------------------------------------------------------------------


def test_api_lists_rounds_in_reach_with_coverage(clients, district):
    body = clients["district_officer"].get(API).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["district_code"] == "1001" and item["fiscal_year"] == YEAR
    assert (item["registered"], item["submitted"], item["drafts"]) == (6, 4, 1)
    assert item["coverage_percent"] == "66.67" and item["status"] == "open"
    central = clients["central_officer"].get(API + "?district_code=1004").json()
    assert [i["district_code"] for i in central["items"]] == ["1004"]
    assert central["items"][0]["coverage_percent"] == "50.00"
    assert clients["central_officer"].get(API + f"?fiscal_year={YEAR - 1}").json()["count"] == 0


def test_api_round_detail_has_communities_and_surveyors(clients, district, role_users):
    body = clients["district_officer"].get(f"{API}{district['round'].pk}").json()
    assert body["not_started"] == 1 and body["coverage_percent"] == "66.67"
    communities = {c["code"]: c for c in body["communities"]}
    assert communities[OWN_COMMUNITY] == {
        "community_id": district["own"].pk,
        "code": OWN_COMMUNITY,
        "name_th": "ชุมชนทดสอบ 1001",
        "status": "active",
        "registered": 4,
        "submitted": 2,
        "drafts": 1,
        "coverage_percent": "50.00",
        "poor": 1,
        "last_surveyed_on": timezone.localdate().isoformat(),
    }
    assert communities["TG-01"]["coverage_percent"] is None
    assert body["surveyors"][0] == {
        "name": "district_officer",
        "user_id": role_users["district_officer"].pk,
        "submitted": 2,
        "drafts": 0,
    }


def test_api_opens_a_round(clients):
    response = post_json(
        clients["district_officer"],
        API,
        {"district_code": "1001", "fiscal_year": YEAR, "note": "ปีนี้"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    start, end = fiscal_year_bounds(YEAR)
    assert body["opens_on"] == start.isoformat() and body["closes_on"] == end.isoformat()
    assert body["registered"] == 0 and body["coverage_percent"] is None
    again = post_json(
        clients["district_officer"], API, {"district_code": "1001", "fiscal_year": YEAR}
    )
    assert again.status_code == 422
    assert "มีรอบการสำรวจของปีงบประมาณ" in errors(again)["fiscal_year"]


def test_api_open_refuses_other_districts_and_bad_input_naming_the_field(clients):
    client = clients["district_officer"]
    response = post_json(client, API, {"district_code": "1004", "fiscal_year": YEAR})
    assert response.status_code == 403 and "district_code" in errors(response)
    response = post_json(client, API, {"district_code": "9999", "fiscal_year": YEAR})
    assert response.status_code == 422 and "9999" in errors(response)["district_code"]
    response = post_json(
        client,
        API,
        {"district_code": "1001", "fiscal_year": YEAR, "opens_on": "2000-01-01"},
    )
    assert response.status_code == 422 and "opens_on" in errors(response)
    assert post_json(client, API, {}).status_code == 422
    assert not SurveyRound.objects.exists()


def test_api_close_reopen_reclassify(clients, district):
    client = clients["district_officer"]
    url = f"{API}{district['round'].pk}"
    response = post_json(client, url + "/close", {"reason": "ครบกำหนด"})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    again = post_json(client, url + "/close")
    assert again.status_code == 422 and "ปิดแล้ว" in errors(again)["status"]
    short = post_json(client, url + "/reopen", {"reason": "สั้น"})
    assert short.status_code == 422 and "reason" in errors(short)
    response = post_json(client, url + "/reopen", {"reason": "สำรวจเพิ่มเติมอีก 2 หลัง"})
    assert response.status_code == 200 and response.json()["status"] == "open"
    response = post_json(client, url + "/reclassify")
    assert response.status_code == 200
    assert response.json()["changed"] == 0 and response.json()["round"]["submitted"] == 4


# --- query counts -------------------------------------------------------------------------------


def _grow(n: int) -> None:
    for _ in range(n):
        community = make_community(district="1001")
        for _ in range(2):
            submitted_survey(make_household(community))
        services.survey_start(actor=None, household=make_household(community))


@pytest.mark.parametrize("url", ["list", "detail", "api_list", "api_detail"])
def test_round_pages_and_api_run_a_constant_number_of_queries(clients, district, url):
    client = clients["district_officer"]
    pk = district["round"].pk
    path = {
        "list": ROUNDS,
        "detail": f"{ROUNDS}{pk}/",
        "api_list": API,
        "api_detail": f"{API}{pk}",
    }[url]
    open_round("1004")
    _grow(1)
    client.get(path)  # warm up (session, reach)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _grow(4)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small)


def test_round_and_report_operations_are_described_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    ours = {
        ("/api/v1/survey-rounds/", "get"),
        ("/api/v1/survey-rounds/", "post"),
        ("/api/v1/survey-rounds/{round_id}", "get"),
        ("/api/v1/survey-rounds/{round_id}/close", "post"),
        ("/api/v1/survey-rounds/{round_id}/reopen", "post"),
        ("/api/v1/survey-rounds/{round_id}/reclassify", "post"),
        ("/api/v1/survey-reports", "get"),
    }
    for path, method in ours:
        assert paths[path][method].get("description"), f"{method} {path} has no description"


def test_round_page_links_to_the_export_and_the_survey_import(clients):
    from .survey_factories import open_round

    survey_round = open_round("1001")
    html = clients["district_officer"].get(f"/surveys/rounds/{survey_round.pk}/").content.decode()
    assert f"/surveys/rounds/{survey_round.pk}/export/?format=xlsx" in html
    assert "/imports/?kind=surveys" in html
    zone = clients["zone_officer"].get(f"/surveys/rounds/{survey_round.pk}/").content.decode()
    assert "/imports/?kind=surveys" not in zone
