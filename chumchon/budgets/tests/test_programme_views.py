"""Programme pages: Thai text for each role that may see them, central staff act, query
counts stay constant as allocations grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chumchon.budgets.models import Programme
from chumchon.communities.tests.factories import make_community

from .factories import make_allocation, make_programme, make_transferred

pytestmark = pytest.mark.django_db


def test_list_and_detail_render_in_thai_for_staff(clients):
    programme = make_programme()
    for role in ("central_officer", "district_officer", "auditor"):
        page = clients[role].get(reverse("budget-programme-list"))
        assert page.status_code == 200
        assert "โครงการ" in page.content.decode()
        detail = clients[role].get(reverse("budget-programme-detail", args=[programme.pk]))
        assert detail.status_code == 200
        assert programme.name_th in detail.content.decode()


def test_district_officer_cannot_create_or_transfer(clients):
    programme = make_programme()
    assert clients["district_officer"].get(reverse("budget-programme-create")).status_code == 403
    url = reverse("budget-transfer-create", args=[programme.pk])
    assert clients["district_officer"].post(url, {}).status_code == 403


def test_central_officer_creates_allocates_and_transfers_from_the_pages(clients):
    client = clients["central_officer"]
    community = make_community()
    response = client.post(
        reverse("budget-programme-create"),
        {
            "fiscal_year": "2567",
            "name_th": "โครงการหน้าเว็บ",
            "budget_code": "50101000",
            "allocation_rule": "fixed",
            "amount_per_community": "200,000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get(name_th="โครงการหน้าเว็บ")
    client.post(reverse("budget-programme-allocate", args=[programme.pk]), {"as_of": "1/11/2566"})
    assert programme.allocations.count() >= 1
    url = reverse("budget-transfer-create", args=[programme.pk]) + "?district=1001"
    page = client.get(url)
    assert community.area.code in page.content.decode()
    response = client.post(
        url,
        {
            "district": "1001",
            "transferred_on": "1/12/2566",
            "communities": [community.area.code],
        },
    )
    assert response.status_code == 302
    transfer = programme.transfers.get()
    assert client.get(reverse("budget-transfer-detail", args=[transfer.pk])).status_code == 200


def test_transfer_outside_reach_is_404(clients, role_users):
    programme = make_programme()
    allocation = make_transferred(
        programme, make_community(district="1004"), user=role_users["central_officer"]
    )
    url = reverse("budget-transfer-detail", args=[allocation.transfer_id])
    assert clients["district_officer"].get(url).status_code == 404
    assert clients["central_officer"].get(url).status_code == 200


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_detail_and_allocation_list_queries_are_constant(clients, role_users):
    programme = make_programme()
    client = clients["central_officer"]
    make_allocation(programme, make_community())
    make_transferred(programme, make_community(), user=role_users["central_officer"])
    urls = [
        reverse("budget-programme-detail", args=[programme.pk]),
        reverse("budget-allocation-list", args=[programme.pk]),
    ]
    [_count(client, u) for u in urls]  # warm the caches (content types, session)
    before = [_count(client, u) for u in urls]
    for district in ("1001", "1004", "1002"):
        for _ in range(4):
            make_allocation(programme, make_community(district=district))
    make_transferred(programme, make_community(), user=role_users["central_officer"])
    after = [_count(client, u) for u in urls]
    assert after == before
