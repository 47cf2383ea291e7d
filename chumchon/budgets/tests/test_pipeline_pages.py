"""A whole programme year run from the pages only, by the people who do it: central staff set
up, allocate and transfer; the community committee prepares and submits; the district officer
reviews; the division head approves; the officer records payments, the head confirms them and
carries money over; central staff close the year and see the city-wide figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chumchon.communities.tests.factories import community_for_area
from chumchon.organizations.models import Area

from ..models import (
    Allocation,
    Application,
    CarryOver,
    Disbursement,
    FundReturn,
    Programme,
)

pytestmark = pytest.mark.django_db


def ok(response, status=302):
    """The page answered as a success would (a redirect after a POST), else show its errors."""
    if response.status_code != status:
        context = getattr(response, "context", None) or {}
        problems = [
            str(getattr(value, "errors", ""))
            for value in (context.flatten() if hasattr(context, "flatten") else {}).values()
            if getattr(value, "errors", None)
        ]
        raise AssertionError(f"{response.status_code}: {problems}")
    return response


def test_a_programme_year_from_the_pages(clients, role_users, communities):
    own = community_for_area(Area.objects.get(code="T-1001-01"))
    other = community_for_area(Area.objects.get(code="T-1004-01"))
    central, committee = clients["central_officer"], clients["committee_member"]
    officer, head = clients["district_officer"], clients["district_head"]

    # 1. central staff set the programme up and allocate
    ok(
        central.post(
            reverse("budget-programme-create"),
            {
                "fiscal_year": "2567",
                "name_th": "โครงการชุมชนเข้มแข็งทดสอบ",
                "budget_code": "50101000",
                "allocation_rule": "fixed",
                "amount_per_community": "200,000",
                "carry_over_deadline": "31/3/2568",
            },
        )
    )
    programme = Programme.objects.get(name_th="โครงการชุมชนเข้มแข็งทดสอบ")
    ok(
        central.post(
            reverse("budget-category-add", args=[programme.pk]),
            {"code": "food", "name_th": "ค่าอาหาร", "max_share": "30"},
        )
    )
    ok(
        central.post(
            reverse("budget-refused-add", args=[programme.pk]),
            {"term": "CCTV", "reason": "ไม่อยู่ในวัตถุประสงค์"},
        )
    )
    ok(
        central.post(
            reverse("budget-programme-allocate", args=[programme.pk]), {"as_of": "1/10/2566"}
        )
    )
    allocation = Allocation.objects.get(programme=programme, community=own)
    assert allocation.amount == Decimal("200000.00")
    assert Allocation.objects.filter(programme=programme, community=other).exists()

    # 2. transfer to district 1001 (its communities ticked)
    page = central.get(reverse("budget-transfer-create", args=[programme.pk]) + "?district=1001")
    assert page.status_code == 200
    ok(
        central.post(
            reverse("budget-transfer-create", args=[programme.pk]),
            {
                "district": "1001",
                "transferred_on": "1/12/2566",
                "reference": "กท 0405/1",
                "communities": ["T-1001-01"],
            },
        )
    )
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.TRANSFERRED

    # 3. the committee prepares (a refused item first: shown, nothing saved), then submits
    edit = reverse("budget-application-edit", args=[allocation.pk])
    items = {
        "title": "ปรับปรุงลานกีฬา",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-activity": "ลานกีฬา",
        "items-0-category": "general",
        "items-0-description": "กล้อง CCTV",
        "items-0-amount": "100000",
        "items-1-activity": "อบรม",
        "items-1-category": "food",
        "items-1-description": "อาหารผู้เข้าอบรม",
        "items-1-amount": "50000",
    }
    refused = committee.post(edit, items)
    assert refused.status_code == 200
    assert "CCTV" in refused.content.decode()
    assert not Application.objects.filter(allocation=allocation).exists()
    ok(committee.post(edit, {**items, "items-0-description": "วัสดุปรับปรุงลานกีฬา"}))
    application = Application.objects.get(allocation=allocation)
    assert application.prepared_for == Application.PreparedFor.COMMITTEE
    ok(
        committee.post(
            reverse("budget-application-submit", args=[application.pk]),
            {"submit-submitted_on": "15/1/2567"},
        )
    )

    # 4. the officer reviews, the head approves
    ok(
        officer.post(
            reverse("budget-application-review", args=[application.pk]),
            {"review-on": "20/1/2567", "review-note": "ครบถ้วน"},
        )
    )
    ok(
        head.post(
            reverse("budget-application-approve", args=[application.pk]),
            {"approve-on": "1/2/2567"},
        )
    )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.approved_amount == Decimal("150000.00")

    # 5. the officer records a payment, the head confirms it and carries the rest over
    ok(
        officer.post(
            reverse("budget-payment-record", args=[application.pk]),
            {"paid_on": "1/3/2567", "amount": "100,000.00", "reference": "ฎีกา 1/2567"},
        )
    )
    payment = Disbursement.objects.get(application=application)
    ok(head.post(reverse("budget-payment-confirm", args=[payment.pk]), {}))
    ok(
        head.post(
            reverse("budget-carry-over-record", args=[application.pk]),
            {"amount": "40000", "reserved_on": "20/9/2567", "reference": "กันเงิน 1/2567"},
        )
    )
    assert CarryOver.objects.get(application=application).amount == Decimal("40000.00")
    ok(
        officer.post(
            reverse("budget-payment-record", args=[application.pk]),
            {"paid_on": "1/2/2568", "amount": "40000", "reference": "ฎีกาเหลื่อมปี 1/2568"},
        )
    )
    late = Disbursement.objects.get(application=application, against="carry_over")
    ok(head.post(reverse("budget-payment-confirm", args=[late.pk]), {}))

    # 6. the allocation page shows it all to the committee; the city report adds it up
    page = committee.get(reverse("budget-allocation-detail", args=[allocation.pk]))
    assert page.status_code == 200
    report = central.get(reverse("budget-report", args=[programme.pk]))
    assert report.status_code == 200
    figures = report.context["figures"]
    assert figures.amount_disbursed == Decimal("100000.00")
    assert figures.amount_carried_over == Decimal("40000.00")
    assert figures.amount_paid_from_carry_over == Decimal("40000.00")
    assert figures.spent_and_carried_pct == Decimal("70.00")  # 140,000 of 200,000

    # 7. central staff close after the carry-over deadline: the unpaid 60,000 goes back
    ok(
        central.post(
            reverse("budget-programme-close", args=[programme.pk]),
            {"closed_on": "1/4/2568", "note": "ปิดโครงการ"},
        )
    )
    programme.refresh_from_db()
    assert programme.status == Programme.Status.CLOSED
    assert FundReturn.objects.get(allocation=allocation).amount == Decimal("60000.00")


def test_programme_documents_download_for_city_staff_only(clients, role_users, communities):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chumchon.core.models import Attachment

    from .factories import make_programme

    programme = make_programme()
    upload = SimpleUploadedFile("คำสั่ง.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    ok(
        clients["central_officer"].post(
            reverse("budget-programme-detail", args=[programme.pk]),
            {"file": upload, "description": "หนังสือจัดสรร"},
        )
    )
    attachment = Attachment.objects.get()
    url = reverse("attachment-download", args=[attachment.pk])
    page = clients["central_officer"].get(reverse("budget-programme-detail", args=[programme.pk]))
    assert url in page.content.decode()
    assert clients["central_officer"].get(url).status_code == 200
    # a district reads the programme but not the city's files: no link, and 404
    page = clients["district_officer"].get(reverse("budget-programme-detail", args=[programme.pk]))
    assert "คำสั่ง.pdf" in page.content.decode() and url not in page.content.decode()
    assert clients["district_officer"].get(url).status_code == 404


def test_the_committee_attaches_and_reads_its_application_documents(
    clients, role_users, communities
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chumchon.core.models import Attachment

    from .factories import make_application, make_programme, make_transferred

    programme = make_programme()
    own = community_for_area(Area.objects.get(code="T-1001-01"))
    allocation = make_transferred(programme, own, user=role_users["central_officer"])
    application = make_application(allocation, prepared_by=role_users["committee_member"])
    upload = SimpleUploadedFile("ใบเสนอราคา.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    ok(
        clients["committee_member"].post(
            reverse("budget-application-attach", args=[application.pk]), {"file": upload}
        )
    )
    url = reverse("attachment-download", args=[Attachment.objects.get().pk])
    page = clients["committee_member"].get(
        reverse("budget-allocation-detail", args=[allocation.pk])
    )
    assert url in page.content.decode()
    assert clients["committee_member"].get(url).status_code == 200
    assert clients["district_officer"].get(url).status_code == 200
    assert (
        clients["central_officer"]
        .post(reverse("budget-application-attach", args=[application.pk]), {"file": upload})
        .status_code
        == 403
    )
