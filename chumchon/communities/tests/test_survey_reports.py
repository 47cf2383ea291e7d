"""The poverty report of a fiscal year over an area: numbers at each level (city, zone,
district, community), the page's drill-down, the Excel/CSV export, the API, scope (areas out of
reach 404, no `reports.view` 403) and constant query counts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.core.dates import fiscal_year, fiscal_year_bounds
from chumchon.core.excel import read_xlsx_rows
from chumchon.organizations.models import Area

from ..surveys import services
from ..surveys.selectors import survey_report
from .factories import community_for_area, make_community, make_household
from .survey_factories import member, open_round, submitted_survey

pytestmark = pytest.mark.django_db

YEAR = fiscal_year(timezone.localdate())
PAGE = "/surveys/reports/"
EXPORT = "/surveys/reports/export/"
API = "/api/v1/survey-reports"
ZERO_DIMENSIONS = {"health": 0, "living": 0, "education": 0, "income": 0, "services": 0}


@pytest.fixture
def surveyed(communities):
    """Zone BKK-01, district 1001: T-1001-01 (3 households: s1 not poor, s2 poor and without
    health insurance, s3 a draft) and TR-B (2 households: s4 poor and deprived in 4 dimensions,
    s5 surveyed only last year, poor). Zone BKK-02, district 1004: T-1004-01 (2 households: s6
    not poor, insecure tenure)."""
    own = community_for_area(communities[OWN_COMMUNITY])
    second = make_community("TR-B", district="1001")
    other = community_for_area(communities[OTHER_COMMUNITY])
    s1, s2, s3 = (make_household(own, f"{n}/1") for n in range(1, 4))
    s4, s5 = (make_household(second, f"{n}/2") for n in range(1, 3))
    s6, _s7 = (make_household(other, f"{n}/3") for n in range(1, 3))
    # last year's round in 1001: s5 poor (does not count in this year's report)
    start, _end = fiscal_year_bounds(YEAR - 1)
    last_year = services.survey_round_open(
        actor=None, district=Area.objects.get(code="1001"), fiscal_year_be=YEAR - 1
    )
    survey = services.survey_start(
        actor=None, household=s5, survey_round=last_year, surveyed_on=start
    )
    services.survey_save(
        actor=None,
        survey=survey,
        answers={
            "tenure": "owner",
            "housing_condition": "good",
            "drinking_water_enough": True,
            "water_source": "tap",
            "electricity": "own_meter",
            "waste": "collected",
        },
        members=[member("ปีก่อน", income="10000")],
    )
    services.survey_submit(actor=None, survey=survey)
    # this year
    submitted_survey(s1)
    submitted_survey(s2, members=[member("ไม่มีบัตร", income="20000", health_insurance="none")])
    services.survey_start(actor=None, household=s3, survey_round=open_round("1001"))
    submitted_survey(
        s4,
        members=[
            member("พ่อ", income="30000"),
            member(
                "ลูก", age=10, income="0", occupation="none", education="primary", in_school=False
            ),
        ],
        answers={"housing_condition": "poor", "waste": "dumped"},
    )
    submitted_survey(s6, answers={"tenure": "encroach"})
    return {"own": own, "second": second, "other": other}


def line(report, code):
    return next(r for r in report.rows if r.area.code == code)


# --- numbers ------------------------------------------------------------------------------------


def test_city_report_lists_zones_and_the_total(surveyed):
    report = survey_report(Area.objects.get(code="BKK"), YEAR)
    assert [r.area.code for r in report.rows] == [f"BKK-0{n}" for n in range(1, 7)]
    central = line(report, "BKK-01")
    assert (central.registered, central.surveyed, central.poor) == (5, 3, 2)
    assert central.coverage_percent == Decimal("60.00")
    assert central.poor_percent == Decimal("66.67")
    assert central.deprived == {
        "health": 1,
        "living": 1,
        "education": 1,
        "income": 2,
        "services": 1,
    }
    assert central.deprivations == {"0": 1, "1": 0, "2": 1, "3_or_more": 1}
    south = line(report, "BKK-02")
    assert (south.registered, south.surveyed, south.poor, south.poor_percent) == (
        2,
        1,
        0,
        Decimal("0.00"),
    )
    assert south.deprived == {**ZERO_DIMENSIONS, "living": 1}
    assert south.deprivations == {"0": 0, "1": 1, "2": 0, "3_or_more": 0}
    empty = line(report, "BKK-03")
    assert (empty.registered, empty.surveyed, empty.coverage_percent, empty.poor_percent) == (
        0,
        0,
        None,
        None,
    )
    total = report.total
    assert (total.registered, total.surveyed, total.poor) == (7, 4, 2)
    assert total.coverage_percent == Decimal("57.14")  # 4 / 7, half up
    assert total.poor_percent == Decimal("50.00")
    assert total.deprived == {"health": 1, "living": 2, "education": 1, "income": 2, "services": 1}
    assert total.deprivations == {"0": 1, "1": 1, "2": 1, "3_or_more": 1}


def test_zone_report_lists_districts(surveyed):
    report = survey_report(Area.objects.get(code="BKK-01"), YEAR)
    assert all(r.area.kind.code == "district" for r in report.rows)
    phra_nakhon = line(report, "1001")
    assert (phra_nakhon.registered, phra_nakhon.surveyed, phra_nakhon.poor) == (5, 3, 2)
    assert sum(r.surveyed for r in report.rows) == report.total.surveyed == 3


def test_district_report_lists_communities(surveyed):
    report = survey_report(Area.objects.get(code="1001"), YEAR)
    assert [r.area.code for r in report.rows] == [OWN_COMMUNITY, "TR-B"]
    own = line(report, OWN_COMMUNITY)
    assert (own.registered, own.surveyed, own.poor, own.poor_percent) == (3, 2, 1, Decimal("50.00"))
    assert own.deprived == {**ZERO_DIMENSIONS, "health": 1, "income": 1}
    assert own.deprivations == {"0": 1, "1": 0, "2": 1, "3_or_more": 0}
    second = line(report, "TR-B")
    assert (second.registered, second.surveyed, second.poor) == (2, 1, 1)
    assert second.deprived == {
        "health": 0,
        "living": 1,
        "education": 1,
        "income": 1,
        "services": 1,
    }
    assert second.deprivations == {"0": 0, "1": 0, "2": 0, "3_or_more": 1}


def test_community_report_is_its_total(surveyed):
    report = survey_report(Area.objects.get(code=OWN_COMMUNITY), YEAR)
    assert report.rows == []
    assert (report.total.registered, report.total.surveyed, report.total.poor) == (3, 2, 1)


def test_report_of_last_year_counts_only_last_years_surveys(surveyed):
    report = survey_report(Area.objects.get(code="1001"), YEAR - 1)
    second = line(report, "TR-B")
    assert (second.surveyed, second.poor, second.poor_percent) == (1, 1, Decimal("100.00"))
    assert report.total.surveyed == 1


# --- the page -----------------------------------------------------------------------------------


def test_page_defaults_to_the_users_widest_area_and_the_current_year(clients, surveyed):
    response = clients["district_officer"].get(PAGE)
    assert response.status_code == 200
    assert response.context["area"].code == "1001" and response.context["year"] == YEAR
    html = response.content.decode()
    assert f"?year={YEAR}&amp;area={OWN_COMMUNITY}" in html  # drill down to the community
    assert f'href="/communities/{surveyed["own"].pk}/"' in html
    assert "57.14" not in html and "66.67 %" in html  # the district's own total: 2 poor of 3
    central = clients["central_officer"].get(PAGE)
    assert central.context["area"].code == "BKK"
    assert f"?year={YEAR}&amp;area=BKK-01" in central.content.decode()


def test_page_drills_down_and_links_back_up_within_reach(clients, surveyed):
    client = clients["central_officer"]
    zone = client.get(f"{PAGE}?year={YEAR}&area=BKK-01").content.decode()
    assert f"?year={YEAR}&amp;area=1001" in zone
    district = client.get(f"{PAGE}?year={YEAR}&area=1001")
    crumbs = [c.get("url") for c in district.context["breadcrumbs"]]
    assert f"{PAGE}?year={YEAR}&area=BKK" in crumbs and f"{PAGE}?year={YEAR}&area=BKK-01" in crumbs
    community = client.get(f"{PAGE}?year={YEAR}&area={OWN_COMMUNITY}")
    assert community.status_code == 200 and community.context["report"].total.surveyed == 2
    # a district officer's breadcrumbs stop at the district
    own = clients["district_officer"].get(f"{PAGE}?year={YEAR}&area={OWN_COMMUNITY}")
    assert [c.get("url") for c in own.context["breadcrumbs"]][1] == f"{PAGE}?year={YEAR}&area=1001"


def test_page_refuses_a_year_that_is_not_a_fiscal_year(clients, surveyed):
    response = clients["district_officer"].get(f"{PAGE}?year=abc&area=1001", follow=True)
    assert response.context["year"] == YEAR
    assert "“abc” ไม่ใช่ปีงบประมาณ" in response.content.decode()


# --- scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "area", "status"),
    [
        ("district_officer", "BKK", 404),
        ("district_officer", "BKK-01", 404),
        ("district_officer", "1004", 404),
        ("district_officer", OTHER_COMMUNITY, 404),
        ("district_officer", "NOPE", 404),
        ("zone_officer", "BKK-02", 404),
        ("zone_officer", "1001", 200),
        ("committee_member", OWN_COMMUNITY, 403),
        ("committee_member", OTHER_COMMUNITY, 403),  # no report anywhere: 403 first
        ("auditor", "1004", 200),
    ],
)
def test_report_scope_on_page_export_and_api(clients, surveyed, actor, area, status):
    client = clients[actor]
    assert client.get(f"{PAGE}?area={area}").status_code == status
    assert client.get(f"{EXPORT}?area={area}").status_code == status
    assert client.get(f"{API}?area={area}").status_code == status


def test_committee_members_get_no_report_by_default(clients, surveyed):
    client = clients["committee_member"]
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(API).status_code == 403


# --- export -------------------------------------------------------------------------------------


def test_export_xlsx_has_thai_headers_rows_and_the_total(clients, surveyed):
    response = clients["district_officer"].get(f"{EXPORT}?year={YEAR}&area=1001&format=xlsx")
    assert response.status_code == 200
    assert f'filename="survey-report-{YEAR}-1001-' in response["Content-Disposition"]
    rows = read_xlsx_rows(response.content)
    assert rows[0][:7] == [
        "รหัสพื้นที่",
        "พื้นที่",
        "ครัวเรือนในทะเบียน",
        "ครัวเรือนที่สำรวจแล้ว",
        "ร้อยละที่สำรวจ",
        "ครัวเรือนยากจน",
        "ร้อยละครัวเรือนยากจน (ของที่สำรวจ)",
    ]
    assert rows[0][7:] == [
        "ขาดแคลนด้านสุขภาพ",
        "ขาดแคลนด้านความเป็นอยู่",
        "ขาดแคลนด้านการศึกษา",
        "ขาดแคลนด้านรายได้",
        "ขาดแคลนด้านการเข้าถึงบริการรัฐ",
        "ไม่ขาดแคลนด้านใด",
        "ขาดแคลน 1 ด้าน",
        "ขาดแคลน 2 ด้าน",
        "ขาดแคลน 3 ด้านขึ้นไป",
    ]
    assert rows[1] == [
        OWN_COMMUNITY,
        "ชุมชนทดสอบ 1001",
        3,
        2,
        66.67,
        1,
        50.0,
        1,
        0,
        0,
        1,
        0,
        1,
        0,
        1,
        0,
    ]
    assert rows[2][:7] == ["TR-B", "ชุมชนทดสอบ TR-B", 2, 1, 50.0, 1, 100.0]
    assert rows[3] == ["", "รวม เขตพระนคร", 5, 3, 60.0, 2, 66.67, 1, 1, 1, 2, 1, 1, 0, 1, 1]


def test_export_csv_writes_exact_percentages_and_empty_cells_for_none(clients, surveyed):
    response = clients["central_officer"].get(f"{EXPORT}?year={YEAR}&area=BKK&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:7] == ["BKK-01", rows[1][1], "5", "3", "60.00", "2", "66.67"]
    assert rows[3][:7] == ["BKK-03", rows[3][1], "0", "0", "", "0", ""]
    assert rows[-1][:7] == ["", "รวม กรุงเทพมหานคร", "7", "4", "57.14", "2", "50.00"]


def test_export_refuses_an_unknown_format_or_year(clients, surveyed):
    client = clients["district_officer"]
    response = client.get(f"{EXPORT}?area=1001&format=pdf")
    assert response.status_code == 400 and "pdf" in response.content.decode()
    assert client.get(f"{EXPORT}?area=1001&year=67").status_code == 400


# --- API ----------------------------------------------------------------------------------------


def test_api_report_gives_rows_and_total_with_percentages_as_strings(clients, surveyed):
    body = clients["central_officer"].get(f"{API}?fiscal_year={YEAR}&area=1001").json()
    assert body["fiscal_year"] == YEAR
    assert body["area"] == {
        "code": "1001",
        "name_th": "พระนคร",
        "name_en": body["area"]["name_en"],
        "kind": "district",
        "registered": 5,
        "surveyed": 3,
        "coverage_percent": "60.00",
        "poor": 2,
        "poor_percent": "66.67",
        "deprived": {"health": 1, "living": 1, "education": 1, "income": 2, "services": 1},
        "deprivations": {"0": 1, "1": 0, "2": 1, "3_or_more": 1},
    }
    assert [r["code"] for r in body["rows"]] == [OWN_COMMUNITY, "TR-B"]
    assert body["rows"][1]["poor_percent"] == "100.00"


def test_api_report_defaults_and_validation(clients, surveyed):
    body = clients["zone_officer"].get(API).json()
    assert body["area"]["code"] == "BKK-01" and body["fiscal_year"] == YEAR
    assert [r["kind"] for r in body["rows"]] == ["district"] * len(body["rows"])
    response = clients["zone_officer"].get(f"{API}?fiscal_year=67")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "fiscal_year"


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [f"{PAGE}?area=BKK", f"{EXPORT}?area=BKK", f"{API}?area=BKK"])
def test_report_runs_a_constant_number_of_queries(clients, surveyed, url):
    client = clients["central_officer"]
    open_round("1004")

    def grow(n):
        for i in range(n):
            community = make_community(district="1004" if i % 2 else "1001")
            submitted_survey(make_household(community))
            make_household(community)

    grow(1)
    client.get(url)  # warm up (session, reach)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(4)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
