"""Applications through the services: every refusal names its field, nothing is half-saved,
maker-checker, returned applications edited and resubmitted, every step in the history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chumchon.communities.tests.factories import community_for_area
from chumchon.organizations.models import Area

from .. import services_applications as services
from ..domain import ItemIn
from ..models import Allocation, Application, ApplicationItem, ApplicationStep, Programme
from .factories import make_allocation, make_application, make_programme, make_transferred

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the Thai catalogue may be compiled)."""
    with translation.override("en"):
        yield


ON = date(2024, 1, 15)  # FY2567; the factory's transfer is 1 Dec 2023


@pytest.fixture
def own(communities):
    return community_for_area(Area.objects.get(code="T-1001-01"))


@pytest.fixture
def allocation(own, role_users):
    return make_transferred(make_programme(), own, user=role_users["central_officer"])


def good_items():
    return [
        ItemIn("materials", "วัสดุปรับปรุงลานกีฬา", "100000.00", "ลานกีฬา"),
        ItemIn("food", "อาหารว่างผู้เข้าร่วม", "20000", "อบรม"),
    ]


def refusal(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict


def test_save_creates_a_draft_with_items_prepared_by_the_actor(allocation, role_users):
    officer = role_users["district_officer"]
    app = services.application_save(
        actor=officer, allocation=allocation, items=good_items(), title="ลานกีฬา"
    )
    assert app.status == Application.Status.DRAFT
    assert app.prepared_by == officer
    assert app.prepared_for == Application.PreparedFor.DISTRICT
    assert [i.amount for i in app.items.all()] == [Decimal("100000.00"), Decimal("20000.00")]


def test_prepared_for_defaults_to_committee_for_a_committee_member(allocation, role_users):
    app = services.application_save(
        actor=role_users["committee_member"], allocation=allocation, items=good_items()
    )
    assert app.prepared_for == Application.PreparedFor.COMMITTEE


@pytest.mark.parametrize(
    ("amount", "expect"),
    [
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("abc", "not an amount"),
        ("10.005", "more than 2 decimals"),
    ],
)
def test_bad_amounts_are_refused_on_their_item_row(allocation, role_users, amount, expect):
    items = [good_items()[0], ItemIn("materials", "สี", amount)]
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=items,
    )
    assert expect in " ".join(problems["items.2.amount"])
    assert not Application.objects.exists()


def test_a_refused_item_is_named_with_the_reason(allocation, role_users):
    items = [ItemIn("materials", "กล้อง cctv หน้าชุมชน", "50000")]
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=items,
    )
    message = problems["items.1.description"][0]
    assert "CCTV" in message and "ไม่อยู่ในวัตถุประสงค์" in message


def test_a_category_above_its_share_is_refused(allocation, role_users):
    items = [ItemIn("food", "อาหาร", "60000.01")]  # food is capped at 30 % of 200,000
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=items,
    )
    assert "30" in problems["items"][0] and "60,000.01" in problems["items"][0]


def test_a_total_above_the_allocation_is_refused(allocation, role_users):
    items = [ItemIn("materials", "วัสดุ", "150000"), ItemIn("materials", "อุปกรณ์", "50000.01")]
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=items,
    )
    assert "200,000.00" in problems["items"][0]


def test_a_budgeted_allocation_not_transferred_cannot_apply(own, role_users):
    allocation = make_allocation(make_programme(), own)
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=good_items(),
    )
    assert "not been transferred" in problems["allocation"][0]


def test_a_dropped_allocation_cannot_apply(own, role_users):
    allocation = make_allocation(
        make_programme(),
        own,
        status=Allocation.Status.DROPPED,
        dropped_on=date(2023, 11, 1),
        drop_reason="ยุบชุมชน",
    )
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=good_items(),
    )
    assert "ยุบชุมชน" in problems["allocation"][0]


def test_a_closed_programme_takes_no_application(allocation, role_users):
    Programme.objects.filter(pk=allocation.programme_id).update(
        status=Programme.Status.CLOSED, closed_on=date(2024, 9, 30)
    )
    allocation.refresh_from_db()
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=good_items(),
    )
    assert "closed" in problems["programme"][0]


def test_submit_before_the_transfer_or_outside_the_fiscal_year_is_refused(allocation, role_users):
    officer = role_users["district_officer"]
    app = services.application_save(actor=officer, allocation=allocation, items=good_items())
    problems = refusal(
        services.application_submit, actor=officer, application=app, submitted_on=date(2023, 11, 1)
    )
    assert "before the money was transferred" in problems["submitted_on"][0]
    problems = refusal(
        services.application_submit, actor=officer, application=app, submitted_on=date(2024, 10, 2)
    )
    assert "outside fiscal year 2567" in problems["submitted_on"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    assert not app.steps.exists()


def test_create_submits_and_a_second_application_is_refused(allocation, role_users):
    officer = role_users["district_officer"]
    kwargs = {
        "actor": officer,
        "programme": allocation.programme,
        "community": allocation.community,
        "submitted_on": ON,
        "items": good_items(),
    }
    app = services.application_create(**kwargs)
    assert app.status == Application.Status.SUBMITTED
    assert app.steps.get().kind == ApplicationStep.Kind.SUBMITTED
    problems = refusal(services.application_create, **kwargs)
    assert "already has an application" in problems["community"][0]
    assert Application.objects.count() == 1
    assert ApplicationItem.objects.count() == 2


def test_create_without_an_allocation_is_refused(own, role_users):
    problems = refusal(
        services.application_create,
        actor=role_users["district_officer"],
        programme=make_programme(),
        community=own,
        submitted_on=ON,
        items=good_items(),
    )
    assert "has no budget" in problems["community"][0]


def test_a_refused_edit_leaves_the_items_unchanged(allocation, role_users):
    officer = role_users["district_officer"]
    app = services.application_save(actor=officer, allocation=allocation, items=good_items())
    with pytest.raises(ValidationError):
        services.application_save(
            actor=officer,
            allocation=allocation,
            items=[*good_items(), ItemIn("materials", "x", "-1")],
            title="changed",
        )
    app.refresh_from_db()
    assert app.items.count() == 2
    assert app.title == ""


def test_a_submitted_application_cannot_be_edited(allocation, role_users):
    app = make_application(allocation, prepared_by=role_users["district_officer"])
    problems = refusal(
        services.application_save,
        actor=role_users["district_officer"],
        allocation=allocation,
        items=good_items(),
    )
    assert "only a draft or a returned" in problems["application"][0]
    assert app.items.count() == 1


def test_review_approve_and_history(allocation, role_users):
    officer, head = role_users["district_officer"], role_users["district_head"]
    app = services.application_create(
        actor=officer,
        programme=allocation.programme,
        community=allocation.community,
        submitted_on=ON,
        items=good_items(),
    )
    services.application_review(actor=officer, application=app, on=date(2024, 1, 20), note="ครบ")
    app = services.application_approve(actor=head, application=app, on=date(2024, 1, 25))
    assert app.status == Application.Status.APPROVED
    assert app.approved_amount == Decimal("120000.00")
    kinds = list(app.steps.values_list("kind", "by__username"))
    assert kinds == [
        ("submitted", officer.username),
        ("reviewed", officer.username),
        ("approved", head.username),
    ]


def test_approval_after_the_fiscal_year_is_refused(allocation, role_users):
    officer, head = role_users["district_officer"], role_users["district_head"]
    app = services.application_create(
        actor=officer,
        programme=allocation.programme,
        community=allocation.community,
        submitted_on=ON,
        items=good_items(),
    )
    problems = refusal(
        services.application_approve, actor=head, application=app, on=date(2024, 10, 1)
    )
    assert "ended on" in problems["on"][0] and "2567" in problems["on"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    approved = services.application_approve(actor=head, application=app, on=date(2024, 9, 30))
    assert approved.status == Application.Status.APPROVED


def test_the_preparer_cannot_approve_or_return_maker_checker(allocation, role_users):
    head = role_users["district_head"]
    app = services.application_create(
        actor=head,
        programme=allocation.programme,
        community=allocation.community,
        submitted_on=ON,
        items=good_items(),
    )
    problems = refusal(services.application_approve, actor=head, application=app, on=ON)
    assert "maker-checker" in problems["actor"][0]
    problems = refusal(services.application_return, actor=head, application=app, on=ON, reason="แก้")
    assert "maker-checker" in problems["actor"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    assert app.approved_amount is None


def test_whoever_prepared_an_earlier_version_cannot_approve_or_return(allocation, role_users):
    """Re-saving someone's draft (even unchanged) makes the re-saver prepared_by; the first
    preparer still prepared it and may not decide it (maker-checker)."""
    officer, head = role_users["district_officer"], role_users["district_head"]
    app = services.application_save(actor=head, allocation=allocation, items=good_items())
    app = services.application_save(actor=officer, allocation=allocation, items=good_items())
    assert app.prepared_by == officer
    app = services.application_submit(actor=officer, application=app, submitted_on=ON)
    problems = refusal(services.application_approve, actor=head, application=app, on=ON)
    assert "maker-checker" in problems["actor"][0]
    problems = refusal(services.application_return, actor=head, application=app, on=ON, reason="x")
    assert "maker-checker" in problems["actor"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    assert app.approved_amount is None
    assert not app.steps.exclude(kind=ApplicationStep.Kind.SUBMITTED).exists()


def test_approval_checks_the_spending_rules_as_they_stand(allocation, role_users):
    """An item refused after the submission is refused at approval; nothing is approved."""
    officer, head = role_users["district_officer"], role_users["district_head"]
    app = services.application_create(
        actor=officer,
        programme=allocation.programme,
        community=allocation.community,
        submitted_on=ON,
        items=good_items(),
    )
    allocation.programme.refused.create(term="อาหารว่าง", reason="ไม่สนับสนุน")
    problems = refusal(services.application_approve, actor=head, application=app, on=ON)
    assert "is refused by this programme" in problems["items.2.description"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    assert app.approved_amount is None
    assert not app.steps.filter(kind=ApplicationStep.Kind.APPROVED).exists()


def test_steps_from_the_wrong_status_are_refused(allocation, role_users):
    officer, head = role_users["district_officer"], role_users["district_head"]
    app = services.application_save(actor=officer, allocation=allocation, items=good_items())
    assert (
        "only a submitted"
        in refusal(services.application_review, actor=officer, application=app, on=ON)["status"][0]
    )
    assert (
        "only a submitted or reviewed"
        in refusal(services.application_approve, actor=head, application=app, on=ON)["status"][0]
    )
    assert (
        "only a submitted or reviewed"
        in refusal(services.application_return, actor=head, application=app, on=ON, reason="x")[
            "status"
        ][0]
    )


def test_return_needs_a_reason_then_edit_and_resubmit(allocation, role_users):
    officer, head = role_users["district_officer"], role_users["district_head"]
    app = services.application_create(
        actor=officer,
        programme=allocation.programme,
        community=allocation.community,
        submitted_on=ON,
        items=good_items(),
    )
    assert (
        "Say why"
        in refusal(services.application_return, actor=head, application=app, on=ON, reason=" ")[
            "reason"
        ][0]
    )
    services.application_return(
        actor=head, application=app, on=date(2024, 1, 20), reason="ลดค่าอาหาร"
    )
    app = services.application_save(
        actor=officer, allocation=allocation, items=[ItemIn("materials", "วัสดุ", "90000")]
    )
    assert app.status == Application.Status.RETURNED
    assert (
        "before the application was returned"
        in refusal(services.application_submit, actor=officer, application=app, submitted_on=ON)[
            "submitted_on"
        ][0]
    )
    app = services.application_submit(
        actor=officer, application=app, submitted_on=date(2024, 1, 22)
    )
    assert app.status == Application.Status.SUBMITTED
    assert app.decided_by is None
    services.application_approve(actor=head, application=app, on=date(2024, 1, 23))
    app.refresh_from_db()
    assert app.approved_amount == Decimal("90000.00")
    assert list(app.steps.values_list("kind", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
