"""Shell pages: home per role, area pages, audit log; constant query counts as data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.core.audit import record_event
from chumchon.organizations.models import Area, AreaKind

pytestmark = pytest.mark.django_db


def add_communities(district_code: str, count: int, start: int = 0) -> None:
    kind = AreaKind.objects.get(code="community")
    parent = Area.objects.get(code=district_code)
    Area.objects.bulk_create(
        Area(
            code=f"Q{district_code}-{i}",
            name_th=f"ชุมชนที่ {i}",
            kind=kind,
            parent=parent,
            path=f"{parent.path}Q{district_code}-{i}/",
            depth=3,
        )
        for i in range(start, start + count)
    )


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "actor, url",
    [
        ("central_officer", "/"),
        ("central_officer", "/areas/?kind=community"),
        ("central_officer", "/areas/BKK/"),
        ("zone_officer", "/areas/BKK-01/"),
        ("district_officer", "/areas/1001/"),
        ("auditor", "/audit/"),
        ("district_officer", "/jobs/"),
    ],
)
def test_page_query_count_does_not_grow_with_data(clients, actor, url):
    client = clients[actor]
    add_communities("1001", 3)
    add_communities("1004", 3)
    record_event(actor=None, action="test.event", obj=Area.objects.get(code="1001"))
    client.get(url)  # warm caches (content types, sessions)
    before = query_count(client, url)
    add_communities("1001", 60, start=100)
    add_communities("1004", 60, start=100)
    for i in range(30):
        record_event(
            actor=None, action="test.event", obj=Area.objects.get(code="1001"), changes={"i": i}
        )
    assert query_count(client, url) == before


def test_home_shows_each_users_areas_with_counts(clients):
    central = clients["central_officer"].get("/").content.decode()
    assert "กรุงเทพมหานคร" in central and ">50<" in central.replace("<strong>", ">").replace(
        "</strong>", "<"
    )
    officer = clients["district_officer"].get("/").content.decode()
    assert "เขตพระนคร" in officer
    committee = clients["committee_member"].get("/").content.decode()
    assert "ชุมชนทดสอบ 1001" in committee


def test_anonymous_home_is_the_public_welcome(client):
    page = client.get("/").content.decode()
    assert "ชุมชน · Chumchon" in page and "/accounts/login/" in page


def test_area_page_breadcrumbs_link_only_what_the_user_reaches(clients):
    page = clients["district_officer"].get("/areas/T-1001-01/").content.decode()
    crumbs = page.split('class="breadcrumb"')[1].split("</ol>")[0]
    assert 'href="/areas/1001/"' in crumbs  # own district: a link
    assert "กรุงเทพกลาง" in crumbs and 'href="/areas/BKK-01/"' not in crumbs  # zone: text only
    assert 'href="/areas/BKK/"' not in crumbs


def test_area_list_is_scoped_to_reach(clients):
    page = clients["district_officer"].get("/areas/").content.decode()
    assert "/areas/1001/" in page and "/areas/1004/" not in page
    assert "/areas/T-1004-01/" not in page


def test_area_history_tab_shows_audit_events(clients):
    area = Area.objects.get(code="1001")
    record_event(actor=None, action="area.update", obj=area, changes={"name_en": ["A", "B"]})
    page = clients["district_officer"].get("/areas/1001/?tab=history").content.decode()
    assert "area.update" in page and "name_en" in page


def test_area_fact_sheet_is_a_pdf(clients):
    response = clients["district_officer"].get("/areas/1001/factsheet.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_audit_log_is_scoped_and_filtered(clients):
    record_event(actor=None, action="area.update", obj=Area.objects.get(code="1001"))
    record_event(actor=None, action="area.update", obj=Area.objects.get(code="1004"))
    page = clients["auditor"].get("/audit/?area=1004").content.decode()
    assert "/BKK/BKK-02/1004/" in page and "/BKK/BKK-01/1001/" not in page
    bad = clients["auditor"].get("/audit/?date_from=31/02/2567").content.decode()
    assert "31/02/2567" in bad  # the bad date is named next to the field


def test_central_officer_starts_a_new_parameter_period_from_the_page(clients):
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from chumchon.core.dates import format_date
    from chumchon.core.params import parameter_decimal, parameter_value

    # the food bank's migration loads 4.2 meals per kg from 1 January 2000, open-ended
    assert parameter_value("foodbank.meals_per_kg", date(2000, 1, 1)) == "4.2"
    client = clients["central_officer"]
    url = "/parameters/foodbank.meals_per_kg/new-period/"
    assert "foodbank.meals_per_kg" in client.get("/parameters/").content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    typed = f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year + 543}"  # as officers type it (BE)

    too_early = client.post(url, {"value": "4.5", "valid_from": "01/01/2543"})
    assert too_early.status_code == 200 and "1 มกราคม 2543" in too_early.content.decode()
    not_a_number = client.post(url, {"value": "สี่", "valid_from": typed})
    assert not_a_number.status_code == 200 and "is-invalid" in not_a_number.content.decode()
    past = client.post(url, {"value": "4.5", "valid_from": "1/1/68"})
    assert past.status_code == 200  # in the past: needs a reason
    assert format_date(timezone.localdate()) in past.content.decode()

    ok = client.post(url, {"value": "4.50", "valid_from": typed})
    assert ok.status_code == 302
    assert parameter_value("foodbank.meals_per_kg", tomorrow) == "4.50"  # a string, exact
    assert parameter_decimal("foodbank.meals_per_kg", tomorrow) == Decimal("4.50")
    assert parameter_decimal("foodbank.meals_per_kg", tomorrow - timedelta(days=1)) == Decimal(
        "4.2"
    )
    assert clients["district_officer"].get("/parameters/").status_code == 403


def test_a_retroactive_period_needs_a_reason_and_is_audited(clients):
    from datetime import date

    from chumchon.core.models import AuditEvent
    from chumchon.core.params import parameter_define, parameter_value

    parameter_define(actor=None, key="poverty.line", value="3000.00", valid_from=date(2000, 1, 1))
    response = clients["central_officer"].post(
        "/parameters/poverty.line/new-period/",
        {
            "value": "3100.50",
            "valid_from": "1/10/2567",
            "retroactive_reason": "ประกาศย้อนหลัง ฉบับที่ 5",
        },
    )
    assert response.status_code == 302
    assert parameter_value("poverty.line", date(2024, 10, 1)) == "3100.50"
    assert AuditEvent.objects.filter(reason__contains="ประกาศย้อนหลัง").exists()
