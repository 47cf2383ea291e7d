"""The food bank's home, district overview, reports (pages, Excel) and the summary API: who is
sent where, what each page shows, the Excel exports read back, refusals, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.conftest import make_user, verified_client
from chumchon.core.dates import fiscal_year, fiscal_year_bounds
from chumchon.core.excel import read_xlsx_rows

from ..views_reports import figure_header
from .factories import (
    make_award,
    make_beneficiary,
    make_donation,
    make_donor,
    make_item,
    make_lot,
    make_store,
)
from .test_reports import distribute, redeem

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HOME = "/foodbank/"
REPORT = "/foodbank/reports/"


@pytest.fixture
def data(communities):
    """1001: 12.5 kg from two donors, an item near expiry and one expired, a redemption;
    1004: 3 kg."""
    store = make_store("1001")
    make_donation("1001", donor=make_donor("1001", name="ตลาดเช้า"), kg="10", on=TODAY)
    make_donation("1001", donor=make_donor("1001", name="ร้านขนม"), kg="2.5", on=TODAY)
    make_store("1004")
    make_donation("1004", kg="3", on=TODAY)
    milk = make_item(store, name="นมกล่อง", points=5)
    lot = make_lot(milk, 10, expires_on=TODAY + timedelta(days=2))
    make_lot(make_item(store, name="ขนมปัง"), 4, expires_on=TODAY - timedelta(days=1))
    person = make_beneficiary(store)
    redeem(person, lot, 2, make_award(person, 100), TODAY)
    return store


def clerk_client():
    return verified_client(make_user("clerk", "foodbank_clerk", "1001"))


# --- home ------------------------------------------------------------------------------------


def test_home_shows_central_staff_the_city_by_district(clients, data):
    response = clients["central_officer"].get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="home-districts"' in page
    assert reverse("foodbank-district", args=["1001"]) in page
    assert reverse("foodbank-district", args=["1004"]) in page
    assert response.context["report"].total.received_g == 15_500
    assert len(response.context["report"].rows) == 50


def test_home_shows_a_zone_officer_the_zone_only(clients, data):
    response = clients["zone_officer"].get(HOME)
    assert response.status_code == 200
    codes = {row.district.code for row in response.context["report"].rows}
    assert "1001" in codes and "1004" not in codes
    assert response.context["area"].code == "BKK-01"


def test_home_sends_a_district_officer_to_the_district(clients, data):
    response = clients["district_officer"].get(HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("foodbank-district", args=["1001"])


def test_home_sends_the_clerk_to_the_counter(data):
    response = clerk_client().get(HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("foodbank-counter", kwargs={"district": "1001"})


def test_home_district_picker_goes_to_a_district_in_reach_only(clients, data):
    response = clients["zone_officer"].get(HOME, {"district": "1001"})
    assert response["Location"] == reverse("foodbank-district", args=["1001"])
    assert clients["zone_officer"].get(HOME, {"district": "1004"}).status_code == 404


def test_home_refuses_the_committee_member_and_sends_anonymous_to_login(clients, data):
    assert clients["committee_member"].get(HOME).status_code == 403
    response = clients["anonymous"].get(HOME)
    assert response.status_code == 302 and "login" in response["Location"]


def test_home_queries_do_not_grow_with_districts_and_rows(clients, communities):
    client = clients["central_officer"]
    make_donation("1001", kg="1", on=TODAY)
    client.get(HOME)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(HOME).status_code == 200
    for code in ("1001", "1004", "1005", "1006", "1007"):
        store = make_store(code)
        for n in range(3):
            make_donation(code, kg=f"{n + 2}", on=TODAY)
        lot = make_lot(make_item(store), 20, expires_on=TODAY + timedelta(days=1))
        person = make_beneficiary(store)
        redeem(person, lot, 1, make_award(person, 50), TODAY)
        distribute(code, 1_000, 4, TODAY)
    with CaptureQueriesContext(connection) as large:
        assert client.get(HOME).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the district overview -------------------------------------------------------------------


def test_district_overview_shows_figures_alerts_and_the_officers_actions(clients, data):
    response = clients["district_officer"].get("/foodbank/1001/")
    assert response.status_code == 200
    page = response.content.decode()
    figures = response.context["figures"]
    assert (figures.received_g, figures.donors, figures.beneficiaries_helped) == (12_500, 2, 1)
    assert 'id="expiry-alerts"' in page
    assert "นมกล่อง" in page and "ขนมปัง" in page
    assert reverse("foodbank-donation-new", kwargs={"district": "1001"}) in page
    assert reverse("foodbank-counter", kwargs={"district": "1001"}) in page
    # the shared header's tabs
    assert 'id="district-tabs"' in page
    assert reverse("foodbank-district-report", args=["1001"]) in page
    assert reverse("foodbank-stock", kwargs={"district": "1001"}) in page


def test_district_tabs_and_actions_follow_the_users_permissions(clients, data):
    counter = reverse("foodbank-counter", kwargs={"district": "1001"})
    record = reverse("foodbank-donation-new", kwargs={"district": "1001"})
    auditor = clients["auditor"].get("/foodbank/1001/").content.decode()
    assert counter not in auditor and record not in auditor  # reads only
    clerk = clerk_client().get("/foodbank/1001/").content.decode()
    assert counter in clerk and record not in clerk


def test_district_overview_outside_reach_is_404_and_without_permission_403(clients, data):
    assert clients["district_officer"].get("/foodbank/1004/").status_code == 404
    assert clients["committee_member"].get("/foodbank/1001/").status_code == 403
    assert clients["central_officer"].get("/foodbank/BKK-01/").status_code == 404


# --- reports ---------------------------------------------------------------------------------


def test_report_defaults_to_the_current_fiscal_year_and_the_users_area(clients, data):
    response = clients["zone_officer"].get(REPORT)
    assert response.status_code == 200
    start, end = fiscal_year_bounds(fiscal_year(TODAY))
    assert (response.context["start"], response.context["end"]) == (start, end)
    assert response.context["area"].code == "BKK-01"
    assert response.context["report"].total.received_g == 12_500


def test_report_of_an_area_outside_reach_is_404(clients, data):
    assert clients["zone_officer"].get(REPORT, {"area": "BKK-02"}).status_code == 404
    assert clients["zone_officer"].get(REPORT, {"area": "NOPE"}).status_code == 404
    assert clients["committee_member"].get(REPORT).status_code == 403


def test_report_period_is_read_in_the_buddhist_era_and_checked(clients, data):
    client = clients["central_officer"]
    day = f"{TODAY.day}/{TODAY.month}/{TODAY.year + 543}"
    response = client.get(REPORT, {"area": "1004", "start": day, "end": day})
    assert response.context["report"].total.received_g == 3_000
    later = TODAY + timedelta(days=1)
    wrong = client.get(
        REPORT, {"start": f"{later.day}/{later.month}/{later.year + 543}", "end": day}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["end"]
    assert 'id="period-errors"' in wrong.content.decode()


def test_report_exports_every_district_of_the_area_to_excel(clients, data):
    response = clients["zone_officer"].get(REPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx_rows(response.content)
    codes = [str(row[0]) for row in rows[1:]]
    assert "1001" in codes and "1004" not in codes
    total = rows[-1]
    assert total[0] == "BKK-01"
    # columns: code, district, then the figures (donors, donations, kg received, ...)
    assert len(rows[0]) == 2 + len(figure_header())
    assert (total[2], total[3], float(total[4])) == (2, 2, 12.5)


def test_report_queries_do_not_grow_with_districts_and_rows(clients, communities):
    client = clients["central_officer"]
    make_donation("1001", kg="1", on=TODAY)
    client.get(REPORT)
    with CaptureQueriesContext(connection) as small:
        client.get(REPORT)
    for code in ("1004", "1005", "1006"):
        store = make_store(code)
        make_donation(code, kg="2", on=TODAY)
        lot = make_lot(make_item(store), 20, expires_on=TODAY - timedelta(days=1))
        make_beneficiary(store)
        distribute(code, 500, 2, TODAY)
        assert lot
    with CaptureQueriesContext(connection) as large:
        client.get(REPORT)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_district_report_lists_stock_by_item_and_exports_two_sheets(clients, data):
    client = clients["district_officer"]
    response = client.get("/foodbank/1001/report/")
    assert response.status_code == 200
    names = {row.item.name: row for row in response.context["items"]}
    assert (names["นมกล่อง"].on_hand, names["นมกล่อง"].redeemed) == (8, 2)
    assert names["ขนมปัง"].expired == 4
    export = client.get("/foodbank/1001/report/", {"format": "xlsx"})
    assert export.status_code == 200
    items = read_xlsx_rows(export.content, sheet=1)
    assert {row[0] for row in items[1:]} == {"นมกล่อง", "ขนมปัง"}
    figures = read_xlsx_rows(export.content, sheet=0)
    assert str(figures[1][1]).startswith("1001 ")


def test_district_report_outside_reach_is_404(clients, data):
    assert clients["district_officer"].get("/foodbank/1004/report/").status_code == 404


def test_district_report_queries_do_not_grow_with_items(clients, data):
    client = clients["district_officer"]
    client.get("/foodbank/1001/report/")
    with CaptureQueriesContext(connection) as small:
        client.get("/foodbank/1001/report/")
    for n in range(6):
        make_lot(make_item(data, name=f"ของ {n}"), 5, expires_on=TODAY + timedelta(days=n))
    with CaptureQueriesContext(connection) as large:
        client.get("/foodbank/1001/report/")
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the summary API -------------------------------------------------------------------------

API = "/api/v1/foodbank/reports/summary"


def test_summary_api_answers_integers_and_strings(clients, data):
    day = TODAY.isoformat()
    response = clients["central_officer"].get(API, {"from": day, "to": day, "area": "BKK-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["area"] == "BKK-01" and body["from"] == day and body["to"] == day
    total = body["total"]
    assert total["received_kg"] == "12.50"
    assert total["meals"] == "52.50"
    assert total["kgco2e"] == "31.63"  # 12.5 x 2.53 = 31.625, half up
    assert total["donors"] == 2
    assert total["beneficiaries_helped"] == 1
    assert total["points_redeemed"] == 10
    assert total["lots_expired"] == 1
    assert {row["district_code"] for row in body["districts"]} >= {"1001"}


def test_summary_api_defaults_to_the_users_area_and_the_fiscal_year(clients, data):
    body = clients["district_officer"].get(API).json()
    start, end = fiscal_year_bounds(fiscal_year(TODAY))
    assert body["area"] == "1001"
    assert (body["from"], body["to"]) == (start.isoformat(), end.isoformat())
    assert [row["district_code"] for row in body["districts"]] == ["1001"]


def test_summary_api_refuses_bad_dates_and_areas_out_of_reach(clients, data):
    client = clients["zone_officer"]
    bad = client.get(API, {"from": "1/10/2567"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "from"
    backwards = client.get(API, {"from": "2024-11-30", "to": "2024-10-01"})
    assert backwards.status_code == 422
    assert client.get(API, {"area": "1004"}).status_code == 404
    assert clients["committee_member"].get(API).status_code == 403
    assert clients["anonymous"].get(API).status_code == 401


# --- navigation and language -----------------------------------------------------------------


def test_navigation_links_the_food_bank_for_those_who_read_it(clients, data):
    def nav(client) -> list[str]:
        response = client.get(reverse("home"))
        return [item["url"] for item in response.context["nav_items"]]

    assert HOME in nav(clients["central_officer"])
    assert HOME in nav(clerk_client())
    assert HOME not in nav(clients["committee_member"])


def test_district_header_is_in_thai_by_default(clients, data):
    page = clients["district_officer"].get("/foodbank/1001/").content.decode()
    assert "ธนาคารอาหารเขตพระนคร" in page
    assert "ภาพรวม" in page
