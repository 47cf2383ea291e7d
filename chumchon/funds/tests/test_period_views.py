"""Closing the books from the periods page: the first open month, a confirmation step before
closing a month or a year, the services' refusals shown, who may close."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from chumchon.conftest import verified_client

from ..models import PeriodClose
from .factories import make_fund, make_member, post_simple
from .test_entry_views import seat

DAY = date(2025, 1, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(communities):
    made = make_fund("T-1001-01")
    post_simple(made, "grant", "cash", "grants", "100000", on=DAY)
    return made


@pytest.fixture
def client(fund):
    return verified_client(seat(fund, "treasurer", "treasurer"))


def url(fund):
    return reverse("fund-periods", args=[fund.pk])


def test_periods_page_offers_the_first_open_month_and_ended_years(client, fund):
    html = client.get(url(fund)).content.decode()
    assert 'name="month" value="2025-01"' in html
    assert 'value="2025-01-01"' in html  # the accounting year 2568 has ended
    assert 'data-testid="closes"' in html


def test_closing_a_month_asks_first_then_closes(client, fund):
    asked = client.post(url(fund), {"action": "close_month", "month": "2025-01"})
    assert asked.status_code == 200
    assert 'data-testid="period-confirm"' in asked.content.decode()
    assert not PeriodClose.objects.exists()
    response = client.post(
        url(fund), {"action": "close_month", "month": "2025-01", "confirmed": "yes"}
    )
    assert response.status_code == 302
    close = PeriodClose.objects.get(fund=fund)
    assert (close.kind, close.starts_on, close.ends_on) == (
        "month",
        DAY.replace(day=1),
        date(2025, 1, 31),
    )
    html = client.get(url(fund)).content.decode()
    assert 'name="month" value="2025-02"' in html
    assert "31 ม.ค. 2568" in html  # listed among the closed periods


def test_closing_a_month_out_of_order_shows_the_error(client, fund):
    response = client.post(
        url(fund), {"action": "close_month", "month": "2025-03", "confirmed": "yes"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="period-errors"' in html
    assert not PeriodClose.objects.exists()


def test_a_pending_entry_blocks_closing_its_month(client, fund):
    member = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "30000", on=DAY, member=member, confirm=True)
    html = client.get(url(fund)).content.decode()
    assert "มี 1 รายการในเดือนนี้ที่รอการยืนยัน" in html
    response = client.post(
        url(fund), {"action": "close_month", "month": "2025-01", "confirmed": "yes"}
    )
    assert 'data-testid="period-errors"' in response.content.decode()
    assert not PeriodClose.objects.exists()


def test_closing_a_year_closes_its_months_and_the_year(client, fund):
    asked = client.post(url(fund), {"action": "close_year", "year_start": "2025-01-01"})
    assert 'data-testid="period-confirm"' in asked.content.decode()
    response = client.post(
        url(fund), {"action": "close_year", "year_start": "2025-01-01", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert PeriodClose.objects.filter(fund=fund, kind="year").count() == 1
    assert PeriodClose.objects.filter(fund=fund, kind="month").count() == 12
    html = client.get(url(fund)).content.decode()
    assert 'value="2025-01-01"' not in html  # no longer offered


def test_an_empty_post_asks_what_to_close(client, fund):
    response = client.post(url(fund), {})
    assert response.status_code == 200
    assert 'data-testid="period-errors"' in response.content.decode()


def test_a_reader_sees_the_periods_but_cannot_close(clients, fund):
    reader = clients["zone_officer"]
    html = reader.get(url(fund)).content.decode()
    assert 'data-testid="close-month"' not in html
    response = reader.post(
        url(fund), {"action": "close_month", "month": "2025-01", "confirmed": "yes"}
    )
    assert response.status_code == 403
    assert not PeriodClose.objects.exists()
