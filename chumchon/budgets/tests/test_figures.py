"""The source's figures come out of records made through the services (issue 6, source 001):

- FY2567: 2,009 communities budgeted = 401,800,000.00; two dissolved before the transfer and
  dropped; 2,007 transferred = 401,400,000.00; 1,806 applied = 89.99 % (the source prints
  89.98 %, a truncation); disbursed + carried over 56,629,803.70 = 14.11 %.
- FY2566: 2,015 communities, all transferred = 403,000,000.00; disbursed + carried over
  196,936,496.00 = 48.87 %.

The registry (areas and communities in the 50 districts of Bangkok) is written in bulk; every
budget record goes through the services. Noise that must not count is added: drafts, a
returned application (it still counts as applied), a payment awaiting confirmation, a
cancelled payment, a payment made from a carry-over (already counted as carried over).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chumchon.communities.models import Community, CommunityType
from chumchon.organizations.models import Area, AreaKind

from .. import selectors
from ..domain import ItemIn
from ..models import Allocation, Application, Disbursement

D = Decimal
FULL = D("200000.00")


def bulk_communities(count: int, prefix: str) -> None:
    """`count` active communities spread over the 50 districts (bulk: registry set-up only)."""
    kind = AreaKind.objects.get(code="community")
    slum = CommunityType.objects.get(code="slum")
    districts = list(Area.objects.filter(kind__code="district").order_by("code"))
    assert len(districts) == 50
    areas = []
    for n in range(count):
        district = districts[n % 50]
        code = f"{prefix}-{district.code}-{n:04d}"
        areas.append(
            Area(
                code=code,
                name_th=f"ชุมชนทดสอบ {code}",
                kind=kind,
                parent=district,
                path=Area.build_path(district, code),
                depth=district.depth + 1,
            )
        )
    Area.objects.bulk_create(areas, batch_size=1000)
    made = Area.objects.filter(code__startswith=f"{prefix}-", kind=kind)
    Community.objects.bulk_create(
        [Community(area=area, type=slum, declared_families=150) for area in made],
        batch_size=1000,
    )


def services():
    try:
        from .. import services_applications, services_payments, services_programmes
    except ImportError as exc:  # pragma: no cover - the other helpers' modules
        pytest.fail(f"the budget services are not importable yet: {exc}")
    return services_programmes, services_applications, services_payments


def allocate(actor, fiscal_year: int):
    programmes, _apps, _pay = services()
    programme = programmes.programme_create(
        actor=actor,
        fiscal_year=fiscal_year,
        name_th="โครงการชุมชนเข้มแข็งพัฒนาตนเองตามหลักปรัชญาเศรษฐกิจพอเพียง",
        budget_code="50101000",
        amount_per_community="200000.00",
        carry_over_deadline=date(fiscal_year - 542, 3, 31),
    )
    programmes.programme_allocate(
        actor=actor, programme=programme, as_of=date(fiscal_year - 544, 10, 1)
    )
    programme.refresh_from_db()
    return programme


def transfer_all(actor, programme, transferred_on: date) -> None:
    programmes, _apps, _pay = services()
    by_district: dict[int, list[str]] = {}
    for district_id, code in Allocation.objects.filter(
        programme=programme, status=Allocation.Status.BUDGETED
    ).values_list("district_id", "community__area__code"):
        by_district.setdefault(district_id, []).append(code)
    districts = Area.objects.in_bulk(list(by_district))
    for district_id, codes in sorted(by_district.items()):
        programmes.transfer_record(
            actor=actor,
            programme=programme,
            district=districts[district_id],
            transferred_on=transferred_on,
            community_codes=codes,
            reference=f"กค 0400/{district_id}",
        )


def apply(officer, programme, allocation, submitted_on: date, amount: Decimal):
    _p, applications, _pay = services()
    return applications.application_create(
        actor=officer,
        programme=programme,
        community=allocation.community,
        submitted_on=submitted_on,
        items=[ItemIn("general", "วัสดุอุปกรณ์ปรับปรุงลานกีฬาชุมชน", str(amount))],
        title="ปรับปรุงลานกีฬาชุมชน",
    )


def approve_and_pay(
    officer, head, application, *, on: date, paid_on: date, paid: Decimal, carried: Decimal
):
    _p, applications, payments = services()
    application = applications.application_approve(actor=head, application=application, on=on)
    if paid:
        made = payments.disbursement_record(
            actor=officer,
            application=application,
            paid_on=paid_on,
            amount=str(paid),
            reference=f"ฎีกา {application.pk}",
        )
        payments.disbursement_confirm(actor=head, disbursement=made)
    if carried:
        payments.carry_over_record(
            actor=head,
            application=application,
            amount=str(carried),
            reserved_on=date(paid_on.year, 9, 20),
            reference=f"กันเงิน {application.pk}",
        )
    return application


def analyze() -> None:
    """Bring PostgreSQL's planner statistics up to the rows this test loaded, as autovacuum
    does in production after a load (it cannot see a test's uncommitted rows, and earlier tests
    may have left statistics of empty tables: then the planner nests loops over every row)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def summary(client, programme, area: str | None = None) -> dict:
    url = f"/api/v1/budget-programmes/{programme.pk}/summary"
    response = client.get(url, {"area": area} if area else {})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_fy2567_figures_of_the_source_come_out_of_the_records(role_users, clients):
    central = role_users["central_officer"]
    officer, head = role_users["district_officer"], role_users["district_head"]
    programmes, applications, payments = services()
    bulk_communities(2009, "F67")
    programme = allocate(central, 2567)
    assert programme.allocations.count() == 2009

    # two communities dissolved before the transfer drop out, with the reason
    dissolved = list(
        Community.objects.filter(area__code__startswith="F67-").order_by("area__code")[:2]
    )
    Community.objects.filter(pk__in=[c.pk for c in dissolved]).update(
        status=Community.Status.DISSOLVED,
        dissolved_on=date(2023, 11, 15),
        dissolution_reason="ถูกเวนคืนที่ดินทั้งชุมชน",
    )
    assert (
        programmes.allocations_drop_dissolved(
            actor=central, programme=programme, on=date(2023, 11, 30)
        )
        == 2
    )
    transfer_all(central, programme, date(2023, 12, 1))
    analyze()

    transferred = list(
        Allocation.objects.filter(programme=programme, status=Allocation.Status.TRANSFERRED)
        .select_related("community__area")
        .order_by("community__area__code")
    )
    assert len(transferred) == 2007
    applying, idle = transferred[:1806], transferred[1806:]

    # the approved ones: 280 paid in full, 3 paid 150,000 and carried 50,000, one paid
    # 9,803.70 and carried 20,000; one more approved with only a recorded (unconfirmed) and a
    # cancelled payment, which do not count
    plan = (
        [(FULL, FULL, D("0"))] * 280
        + [(FULL, D("150000.00"), D("50000.00"))] * 3
        + [(D("29803.70"), D("9803.70"), D("20000.00"))]
    )
    made = [
        apply(
            officer, programme, allocation, date(2024, 1, 15), plan[n][0] if n < len(plan) else FULL
        )
        for n, allocation in enumerate(applying)
    ]
    for application, (_approved, paid, carried) in zip(made, plan, strict=False):
        approve_and_pay(
            officer,
            head,
            application,
            on=date(2024, 2, 1),
            paid_on=date(2024, 3, 1),
            paid=paid,
            carried=carried,
        )
    extra = applications.application_approve(
        actor=head, application=made[len(plan)], on=date(2024, 2, 1)
    )
    payments.disbursement_record(
        actor=officer,
        application=extra,
        paid_on=date(2024, 3, 5),
        amount="50000.00",
        reference="ฎีการอยืนยัน",
    )
    cancelled = payments.disbursement_record(
        actor=officer,
        application=extra,
        paid_on=date(2024, 3, 6),
        amount="20000.00",
        reference="ฎีกาผิด",
    )
    payments.disbursement_cancel(actor=head, disbursement=cancelled, reason="บันทึกซ้ำ")
    # a payment from the carry-over (in the next fiscal year) is already counted as carried
    from_carry = payments.disbursement_record(
        actor=officer,
        application=Application.objects.get(pk=made[280].pk),
        paid_on=date(2024, 11, 15),
        amount="10000.00",
        reference="ฎีกาเหลื่อมปี 1",
    )
    assert from_carry.against == Disbursement.Against.CARRY_OVER
    payments.disbursement_confirm(actor=head, disbursement=from_carry)
    # returned for changes: still counted as applied; drafts are not
    applications.application_return(
        actor=head, application=made[-1], on=date(2024, 2, 2), reason="แนบใบเสนอราคาเพิ่ม"
    )
    for allocation in idle[:3]:
        applications.application_save(
            actor=officer,
            allocation=allocation,
            items=[ItemIn("general", "ร่างรายการ", "1000.00")],
        )

    analyze()
    f = selectors.figures(programme)
    assert f.communities_budgeted == 2009
    assert f.amount_budgeted == D("401800000.00")
    assert f.communities_dropped == 2
    assert f.communities_transferred == 2007
    assert f.amount_transferred == D("401400000.00")
    assert f.communities_applied == 1806
    assert f.applied_pct == D("89.99")
    assert f.communities_approved == 285
    assert f.amount_disbursed + f.amount_carried_over == D("56629803.70")
    assert f.amount_carried_over == D("170000.00")
    assert f.amount_paid_from_carry_over == D("10000.00")
    assert f.spent_and_carried_pct == D("14.11")
    assert f.payments_waiting == 1

    body = summary(clients["central_officer"], programme)
    assert body["area"] == "BKK"
    assert {
        k: body[k]
        for k in (
            "communities_budgeted",
            "amount_budgeted",
            "communities_transferred",
            "amount_transferred",
            "communities_applied",
            "applied_pct",
            "spent_and_carried_pct",
            "amount_returned",
        )
    } == {
        "communities_budgeted": 2009,
        "amount_budgeted": "401800000.00",
        "communities_transferred": 2007,
        "amount_transferred": "401400000.00",
        "communities_applied": 1806,
        "applied_pct": "89.99",
        "spent_and_carried_pct": "14.11",
        "amount_returned": "0.00",
    }
    assert D(body["amount_disbursed"]) + D(body["amount_carried_over"]) == D("56629803.70")
    # the districts add up to the city
    districts = [
        f for area, f in selectors.figures_by_child(programme, Area.objects.get(code="BKK"))
    ]
    assert sum(d.amount_transferred for d in districts) == D("401400000.00")


@pytest.mark.django_db
def test_fy2566_figures_of_the_source_come_out_of_the_records(role_users, clients):
    central = role_users["central_officer"]
    officer, head = role_users["district_officer"], role_users["district_head"]
    bulk_communities(2015, "F66")
    programme = allocate(central, 2566)
    transfer_all(central, programme, date(2022, 12, 1))
    analyze()
    transferred = list(
        Allocation.objects.filter(programme=programme, status=Allocation.Status.TRANSFERRED)
        .select_related("community__area")
        .order_by("community__area__code")
    )
    assert len(transferred) == 2015
    # 984 paid in full within the year, one approved for 136,496 of which 36,496 carried over
    plan = [(FULL, FULL, D("0"))] * 984 + [(D("136496.00"), D("100000.00"), D("36496.00"))]
    for allocation, (approved, paid, carried) in zip(transferred, plan, strict=False):
        application = apply(officer, programme, allocation, date(2023, 1, 16), approved)
        approve_and_pay(
            officer,
            head,
            application,
            on=date(2023, 2, 1),
            paid_on=date(2023, 3, 1),
            paid=paid,
            carried=carried,
        )
    analyze()
    f = selectors.figures(programme)
    assert (f.communities_budgeted, f.communities_transferred) == (2015, 2015)
    assert f.amount_transferred == D("403000000.00")
    assert f.spent_and_carried == D("196936496.00")
    assert f.spent_and_carried_pct == D("48.87")
    body = summary(clients["central_officer"], programme)
    assert body["amount_transferred"] == "403000000.00"
    assert body["communities_transferred"] == 2015
    assert body["spent_and_carried_pct"] == "48.87"
    assert D(body["amount_disbursed"]) + D(body["amount_carried_over"]) == D("196936496.00")
