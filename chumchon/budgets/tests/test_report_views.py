"""The report pages: figures of an area with every measure, children with drill-down links,
what lags, scoping (another district is 404), the Excel export with numbers as numbers, and
the budget card on the community page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chumchon.communities.models import Community
from chumchon.core.excel import read_xlsx_rows

from . import test_selectors

pytestmark = pytest.mark.django_db
scenario = test_selectors.scenario  # the shared records


def report(programme, area: str | None = None) -> str:
    url = reverse("budget-report", args=[programme.pk])
    return f"{url}?area={area}" if area else url


def test_central_staff_see_the_city_with_zones_and_every_measure(clients, scenario):
    response = clients["central_officer"].get(report(scenario["programme"]))
    assert response.status_code == 200
    assert response.context["area"].code == "BKK"
    page = response.content.decode()
    assert "66.67 %" in page  # applied % of transferred, 2 decimals
    assert "23.33 %" in page  # disbursed and carried over % of transferred
    assert "600,000.00" in page
    assert [row["area"].code for row in response.context["rows"]] == [
        f"BKK-0{n}" for n in range(1, 7)
    ]
    assert f"{report(scenario['programme'], 'BKK-01')}" in page  # drill-down link


def test_the_district_officer_opens_on_their_district_with_links_to_communities(clients, scenario):
    response = clients["district_officer"].get(report(scenario["programme"]))
    assert response.status_code == 200
    assert response.context["area"].code == "1001"
    codes = [row["area"].code for row in response.context["rows"]]
    assert codes == ["T-1001-01", "T-1001-03", "T-1001-04"]
    own = Community.objects.get(area__code="T-1001-01")
    assert reverse("community-detail", args=[own.pk]) in response.content.decode()
    assert "50.00 %" in response.content.decode()


@pytest.mark.parametrize("area", ["1004", "BKK", "BKK-02", "T-1004-01"])
def test_a_district_officer_asking_for_an_area_outside_their_district_gets_404(
    clients, scenario, area
):
    assert clients["district_officer"].get(report(scenario["programme"], area)).status_code == 404


def test_an_unknown_area_code_is_404(clients, scenario):
    assert clients["central_officer"].get(report(scenario["programme"], "NOPE")).status_code == 404


def test_a_committee_member_may_not_read_reports(clients, scenario):
    client = clients["committee_member"]
    assert client.get(report(scenario["programme"])).status_code == 403
    assert client.get(report(scenario["programme"], "T-1001-01")).status_code == 403


def test_the_zone_officer_drills_down_to_a_district(clients, scenario):
    response = clients["zone_officer"].get(report(scenario["programme"], "1001"))
    assert response.status_code == 200
    assert response.context["figures"].communities_transferred == 2
    assert clients["zone_officer"].get(report(scenario["programme"], "1004")).status_code == 404


def test_the_lag_section_names_districts_below_average_non_applicants_and_waiting_work(
    clients, scenario
):
    response = clients["central_officer"].get(report(scenario["programme"]))
    lag = response.context["lag"]
    assert [d.code for d, _f in lag["districts_below"]] == ["1004"]
    page = response.content.decode()
    assert "T-1001-03" in page  # transferred, only a draft: has not applied
    assert "10,000.00" in page  # a payment waiting for confirmation


def test_the_report_runs_a_constant_number_of_queries(clients, scenario, role_users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chumchon.communities.tests.factories import make_community

    from .factories import make_transferred

    client = clients["central_officer"]
    url = report(scenario["programme"], "1001")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(6):
        community = make_community(f"T-1001-5{n}", district="1001")
        make_transferred(scenario["programme"], community, user=role_users["district_officer"])
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second.captured_queries) == len(first.captured_queries)


def test_the_excel_export_has_the_children_and_the_total_as_numbers(clients, scenario):
    url = reverse("budget-report-export", args=[scenario["programme"].pk]) + "?area=1001"
    response = clients["district_officer"].get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx_rows(response.content)
    assert [r[0] for r in rows[1:]] == ["T-1001-01", "T-1001-03", "T-1001-04", "1001"]
    total = rows[-1]
    # code, area, budgeted, amount budgeted, dropped, transferred, amount transferred,
    # applied, applied %, ...
    assert total[2] == 3 and not isinstance(total[2], str)
    assert not isinstance(total[6], str) and Decimal(str(total[6])) == Decimal("400000")
    assert not isinstance(total[8], str) and Decimal(str(total[8])) == Decimal("50")


def test_the_export_of_another_district_is_404(clients, scenario):
    url = reverse("budget-report-export", args=[scenario["programme"].pk]) + "?area=1004"
    assert clients["district_officer"].get(url).status_code == 404


def test_the_community_page_shows_the_budget_card(clients, scenario):
    from django.utils import timezone

    from chumchon.core.dates import fiscal_year

    from ..models import Programme

    # the card shows this and last fiscal year's programmes
    this_year = fiscal_year(timezone.localdate())
    Programme.objects.filter(pk=scenario["programme"].pk).update(fiscal_year=this_year - 1)
    own = Community.objects.get(area__code="T-1001-01")
    url = reverse("community-detail", args=[own.pk])
    for actor in ("district_officer", "committee_member"):
        page = clients[actor].get(url).content.decode()
        assert 'id="budget-panel-h"' in page, actor
        assert "150,000.00" in page  # approved
        assert "130,000.00" in page  # paid: 100,000 in the year + 30,000 from the carry-over
    officer_page = clients["district_officer"].get(url).content.decode()
    assert f"{report(scenario['programme'], 'T-1001-01')}" in officer_page
    committee_page = clients["committee_member"].get(url).content.decode()
    assert "report/?area=" not in committee_page  # no records.view: no report link
    Programme.objects.filter(pk=scenario["programme"].pk).update(fiscal_year=this_year - 2)
    older = clients["district_officer"].get(url).content.decode()
    assert "150,000.00" not in older
