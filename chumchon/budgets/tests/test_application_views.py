"""The application pages: the item form with errors on their row, nothing half-saved, submit,
review, approve/return with maker-checker, the work queue, scoping and constant queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chumchon.communities.tests.factories import community_for_area, make_community
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY

from ..models import Application
from .factories import make_application, make_programme, make_transferred

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(clients):
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def other(communities):
    return community_for_area(communities[OTHER_COMMUNITY])


@pytest.fixture
def allocation(own, role_users):
    return make_transferred(make_programme(), own, user=role_users["central_officer"])


def items_post(rows, **extra):
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "title": "ลานกีฬา",
        "prepared_for": "",
        **extra,
    }
    for n, (category, description, amount) in enumerate(rows):
        data[f"items-{n}-category"] = category
        data[f"items-{n}-description"] = description
        data[f"items-{n}-amount"] = amount
        data[f"items-{n}-activity"] = "กิจกรรม" if category else ""
    return data


def edit_url(allocation):
    return reverse("budget-application-edit", args=[allocation.pk])


def test_the_item_form_saves_a_draft(web, allocation):
    page = web["committee_member"].get(edit_url(allocation))
    assert page.status_code == 200
    assert 'inputmode="decimal"' in page.content.decode()
    response = web["committee_member"].post(
        edit_url(allocation), items_post([("materials", "วัสดุ", "1,000.50"), ("", "", "")])
    )
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.status == "draft" and app.items.count() == 1
    assert app.prepared_for == "committee"


def test_errors_land_on_their_row_and_nothing_is_saved(web, allocation, role_users):
    client = web["district_officer"]
    client.post(edit_url(allocation), items_post([("materials", "วัสดุ", "1000")]))
    rows = [("materials", "วัสดุ", "1000"), ("materials", "กล้อง CCTV", "10.555")]
    response = client.post(edit_url(allocation), items_post(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Item 2 amount has more than 2 decimals" in html
    assert "is refused by this programme" in html
    assert 'id="id_items-1-amount_error"' in html
    assert Application.objects.get().items.count() == 1


def test_add_row_without_javascript_keeps_what_was_typed(web, allocation):
    response = web["district_officer"].post(
        edit_url(allocation), items_post([("materials", "วัสดุ", "5")], action="add_row")
    )
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 2
    assert not Application.objects.exists()


def test_submit_review_approve_through_the_pages(web, allocation, role_users):
    web["committee_member"].post(edit_url(allocation), items_post([("materials", "วัสดุ", "900")]))
    app = Application.objects.get()
    url = reverse("budget-application-submit", args=[app.pk])
    response = web["committee_member"].post(url, {"submit-submitted_on": "15/01/2567"})
    assert response.status_code == 302
    review = reverse("budget-application-review", args=[app.pk])
    assert web["committee_member"].post(review, {}).status_code == 403
    response = web["district_officer"].post(
        review, {"review-on": "20/01/2567", "review-note": "ครบถ้วน"}
    )
    assert response.status_code == 302
    approve = reverse("budget-application-approve", args=[app.pk])
    assert web["committee_member"].post(approve, {}).status_code == 403
    response = web["district_head"].post(approve, {"approve-on": "25/01/2567"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "approved" and str(app.approved_amount) == "900.00"
    page = web["committee_member"].get(reverse("budget-allocation-detail", args=[allocation.pk]))
    assert [s.kind for s in page.context["steps"]] == ["submitted", "reviewed", "approved"]


def test_submit_before_the_transfer_shows_the_error(web, allocation):
    web["district_officer"].post(edit_url(allocation), items_post([("materials", "วัสดุ", "900")]))
    app = Application.objects.get()
    url = reverse("budget-application-submit", args=[app.pk])
    response = web["district_officer"].post(url, {"submit-submitted_on": "01/11/2566"})
    assert response.status_code == 200
    assert "before the money was transferred" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "draft"


def test_the_preparer_sees_no_decision_form_and_cannot_approve(web, allocation, role_users):
    app = make_application(allocation, prepared_by=role_users["district_head"])
    page = web["district_head"].get(reverse("budget-allocation-detail", args=[allocation.pk]))
    assert "approve_form" not in page.context and page.context["decide_blocked"]
    response = web["district_head"].post(
        reverse("budget-application-approve", args=[app.pk]), {"approve-on": "20/01/2567"}
    )
    assert response.status_code == 200
    assert "maker-checker" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "submitted"


def test_return_needs_a_reason(web, allocation, role_users):
    app = make_application(allocation, prepared_by=role_users["district_officer"])
    url = reverse("budget-application-return", args=[app.pk])
    response = web["district_head"].post(url, {"return-on": "20/01/2567"})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == "submitted"
    web["district_head"].post(url, {"return-on": "20/01/2567", "return-reason": "ลดค่าอาหาร"})
    app.refresh_from_db()
    assert app.status == "returned"


def test_scoping_other_district_and_other_community(web, other, role_users):
    theirs = make_transferred(make_programme(), other, user=role_users["central_officer"])
    url = reverse("budget-allocation-detail", args=[theirs.pk])
    assert web["district_officer"].get(url).status_code == 404
    assert web["committee_member"].get(url).status_code == 404
    assert web["committee_member"].get(edit_url(theirs)).status_code == 404
    assert web["central_officer"].get(url).status_code == 200
    assert web["central_officer"].get(edit_url(theirs)).status_code == 403


def test_committee_member_of_another_community_gets_404(web, role_users):
    neighbour = make_community(code="T-1001-77", district="1001")
    allocation = make_transferred(make_programme(), neighbour, user=role_users["central_officer"])
    url = reverse("budget-allocation-detail", args=[allocation.pk])
    assert web["committee_member"].get(url).status_code == 404
    assert web["district_officer"].get(url).status_code == 200


def test_queue_splits_what_the_head_may_decide(web, allocation, role_users):
    head = role_users["district_head"]
    mine = make_application(allocation, prepared_by=head)
    second = make_community(code="T-1001-78", district="1001")
    theirs = make_application(
        make_transferred(allocation.programme, second, user=role_users["central_officer"]),
        prepared_by=role_users["district_officer"],
    )
    page = web["district_head"].get(reverse("budget-queue"))
    assert [a.pk for a in page.context["to_decide"]] == [theirs.pk]
    assert [a.pk for a in page.context["not_mine_to_decide"]] == [mine.pk]
    page = web["district_officer"].get(reverse("budget-queue"))
    assert {a.pk for a in page.context["to_review"]} == {mine.pk, theirs.pk}
    page = web["committee_member"].get(reverse("budget-queue"))
    assert [a.pk for a in page.context["my_allocations"]] == [allocation.pk]
    assert "to_decide" not in page.context


def test_pages_use_a_constant_number_of_queries(web, allocation, role_users):
    client = web["district_head"]
    programme = allocation.programme

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_application(
        allocation,
        prepared_by=role_users["district_officer"],
        items=[("materials", "a", "10"), ("food", "b", "10")],
    )
    detail = reverse("budget-allocation-detail", args=[allocation.pk])
    queue = reverse("budget-queue")
    first_detail, first_queue = count(detail), count(queue)
    for n in range(5):
        community = make_community(code=f"T-1001-9{n}", district="1001")
        make_application(
            make_transferred(programme, community, user=role_users["central_officer"]),
            prepared_by=role_users["district_officer"],
            items=[("materials", "a", "10"), ("food", "b", "10"), ("training", "c", "5")],
            submitted_on=date(2024, 1, 10),
        )
    app = allocation.application
    app.items.create(category=programme.categories.get(code="training"), description="c", amount=1)
    assert count(detail) == first_detail
    assert count(queue) == first_queue
