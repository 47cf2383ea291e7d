"""Demo budget programmes for `make run` (`manage.py load_demo`), made through the services,
after the registry's and the committees' demo (their loaders run first).

- FY2569 Strong Community programme (200,000 baht per community) allocated to every demo
  community existing on 1 Oct 2025, transferred to districts 1001 and 1004. In 1001:
  1001-001 (the committee member's community, prepared by the committee) approved, paid in
  part, the rest carried over and partly paid from the carry-over; 1001-002 approved and paid
  in full; then one reviewed, one returned, one submitted, one draft; the others have not
  applied. In 1004: two approved and paid, one payment awaiting the head's confirmation, one
  submitted.
- FY2568 programme, transferred to 1001, three communities approved and paid, closed with the
  returns of the unpaid money.
- FY2570 (the year in progress) programme, transferred to 1001 on 2 Nov 2026, nobody has
  applied yet: the committee member can prepare 1001-001's application.

Idempotent: a programme that exists (same year and name) is left as it is.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

from chumchon.portal.demo import LOADERS

from .domain import ItemIn
from .models import Allocation, Programme

NAME = "โครงการชุมชนเข้มแข็งพัฒนาตนเองตามหลักปรัชญาเศรษฐกิจพอเพียง"
CATEGORIES = [
    {"code": "materials", "name_th": "ค่าวัสดุอุปกรณ์", "name_en": "Materials and equipment"},
    {
        "code": "food",
        "name_th": "ค่าอาหารและเครื่องดื่ม",
        "name_en": "Food and drinks",
        "max_share": Decimal("30"),
    },
    {
        "code": "training",
        "name_th": "ค่าวิทยากรและการอบรม",
        "name_en": "Speakers and training",
        "max_share": Decimal("50"),
    },
]
REFUSED = [("กล้องวงจรปิด", "ไม่อยู่ในวัตถุประสงค์ของโครงการ"), ("CCTV", "ไม่อยู่ในวัตถุประสงค์ของโครงการ")]
ITEMS = [
    ItemIn("materials", "วัสดุปรับปรุงลานกีฬาชุมชน", "120000.00", "ปรับปรุงลานกีฬา"),
    ItemIn("training", "ค่าวิทยากรอบรมอาชีพการทำขนม", "60000.00", "อบรมอาชีพ"),
    ItemIn("food", "ค่าอาหารและเครื่องดื่มผู้เข้าอบรม", "20000.00", "อบรมอาชีพ"),
]


def _users() -> dict[str, Any]:
    from chumchon.accounts.models import User

    return {
        u.username: u
        for u in User.objects.filter(username__in=["central", "officer", "head", "committee"])
    }


def _programme(users, fiscal_year: int, deadline: date) -> Programme | None:
    from . import services_programmes as programmes

    if Programme.objects.filter(fiscal_year=fiscal_year, name_th=NAME).exists():
        return None
    programme = programmes.programme_create(
        actor=users["central"],
        fiscal_year=fiscal_year,
        name_th=NAME,
        name_en="Strong Community Self-Development Programme",
        budget_code="50101000",
        amount_per_community="200000.00",
        carry_over_deadline=deadline,
        categories=CATEGORIES,
        refused=REFUSED,
    )
    programmes.programme_allocate(
        actor=users["central"], programme=programme, as_of=date(fiscal_year - 544, 10, 1)
    )
    programme.refresh_from_db()
    return programme


def _transfer(users, programme: Programme, district: str, on: date) -> list[Allocation]:
    from . import services_programmes as programmes

    allocations = list(
        Allocation.objects.filter(
            programme=programme,
            status=Allocation.Status.BUDGETED,
            community__area__parent__code=district,
        )
        .select_related("community__area", "district")
        .order_by("community__area__code")
    )
    if allocations:
        programmes.transfer_record(
            actor=users["central"],
            programme=programme,
            district=allocations[0].district,
            transferred_on=on,
            community_codes=[a.community.area.code for a in allocations],
            reference=f"กท 0405/{programme.fiscal_year}-{district}",
        )
    return allocations


def _apply(actor, programme, allocation, on: date, items=ITEMS):
    from . import services_applications as applications

    return applications.application_create(
        actor=actor,
        programme=programme,
        community=allocation.community,
        submitted_on=on,
        items=list(items),
        title="ปรับปรุงลานกีฬาและอบรมอาชีพชุมชน",
    )


def _pay(users, application, on: date, amount: str, reference: str, confirm: bool = True):
    from . import services_payments as payments

    made = payments.disbursement_record(
        actor=users["officer"],
        application=application,
        paid_on=on,
        amount=amount,
        reference=reference,
    )
    if confirm:
        payments.disbursement_confirm(actor=users["head"], disbursement=made)
    return made


def _fy2569(users) -> int:
    from . import services_applications as applications
    from . import services_payments as payments
    from . import services_programmes as programmes

    programme = _programme(users, 2569, date(2027, 3, 31))
    if programme is None:
        return 0
    programmes.allocations_drop_dissolved(
        actor=users["central"], programme=programme, on=date(2025, 11, 30)
    )
    own = _transfer(users, programme, "1001", date(2025, 12, 1))
    other = _transfer(users, programme, "1004", date(2025, 12, 3))
    officer, head = users["officer"], users["head"]
    submitted = date(2026, 1, 15)
    approved_on = date(2026, 2, 2)

    def first(allocation):
        made = _apply(users["committee"], programme, allocation, submitted)
        applications.application_review(actor=officer, application=made, on=date(2026, 1, 20))
        made = applications.application_approve(actor=head, application=made, on=approved_on)
        _pay(users, made, date(2026, 3, 2), "120000.00", "ฎีกา 12/2569")
        payments.carry_over_record(
            actor=head,
            application=made,
            amount="80000.00",
            reserved_on=date(2026, 9, 18),
            reference="กันเงิน 3/2569",
            note="ผู้รับจ้างส่งมอบวัสดุไม่ทันสิ้นปีงบประมาณ",
        )
        _pay(users, made, date(2026, 11, 2), "50000.00", "ฎีกาเหลื่อมปี 1/2570")

    def paid_in_full(allocation):
        made = _apply(officer, programme, allocation, submitted)
        made = applications.application_approve(actor=head, application=made, on=approved_on)
        _pay(users, made, date(2026, 3, 9), "200000.00", "ฎีกา 15/2569")

    def reviewed(allocation):
        made = _apply(officer, programme, allocation, date(2026, 2, 10))
        applications.application_review(
            actor=officer, application=made, on=date(2026, 2, 12), note="เอกสารครบถ้วน"
        )

    def returned(allocation):
        made = _apply(officer, programme, allocation, date(2026, 2, 10))
        applications.application_return(
            actor=head, application=made, on=date(2026, 2, 16), reason="ขอใบเสนอราคาวัสดุ 3 ราย"
        )

    def draft(allocation):
        applications.application_save(actor=officer, allocation=allocation, items=ITEMS[:1])

    # the committee member's community first; the others in code order; with fewer
    # communities the later stages are left out (the rest of 1001 has not applied)
    own.sort(key=lambda a: (a.community.area.code != "1001-001", a.community.area.code))
    for step, allocation in zip(
        [first, paid_in_full, reviewed, returned, draft], own, strict=False
    ):
        step(allocation)

    def approved_in_1004(n: int, confirm: bool):
        def step(allocation):
            made = _apply(officer, programme, allocation, submitted)
            made = applications.application_approve(actor=head, application=made, on=approved_on)
            _pay(users, made, date(2026, 4, 1), "200000.00", f"ฎีกา 1004-{n}/2569", confirm)

        return step

    def submitted_only(allocation):
        _apply(officer, programme, allocation, date(2026, 3, 1))

    # 1004: two paid, one payment awaiting the head's confirmation, then the stages 1001 had
    # no community left for (submitted, returned, draft)
    steps = [
        approved_in_1004(1, True),
        approved_in_1004(2, True),
        approved_in_1004(3, False),
        submitted_only,
        *[returned, draft][: max(0, 5 - len(own))],
    ]
    for step, allocation in zip(steps, other, strict=False):
        step(allocation)
    return 1


def _fy2568(users) -> int:
    from . import services_applications as applications
    from . import services_programmes as programmes

    programme = _programme(users, 2568, date(2026, 3, 31))
    if programme is None:
        return 0
    own = _transfer(users, programme, "1001", date(2024, 12, 2))
    for n, allocation in enumerate(own[:3]):
        application = _apply(users["officer"], programme, allocation, date(2025, 1, 20))
        application = applications.application_approve(
            actor=users["head"], application=application, on=date(2025, 2, 3)
        )
        _pay(
            users,
            application,
            date(2025, 3, 3),
            "150000.00" if n else "200000.00",
            f"ฎีกา {n + 1}/2568",
        )
    programmes.programme_close(
        actor=users["central"],
        programme=programme,
        closed_on=date(2025, 10, 31),
        note="ปิดโครงการ ส่งคืนเงินที่ไม่ได้ใช้",
    )
    return 1


def _fy2570(users) -> int:
    programme = _programme(users, 2570, date(2028, 3, 31))
    if programme is None:
        return 0
    _transfer(users, programme, "1001", date(2026, 11, 2))
    return 1


def load_budgets(stdout: Any) -> None:
    started = time.monotonic()
    users = _users()
    if len(users) < 4 or not Allocation.community.field.related_model.objects.exists():
        stdout.write("Budgets: no demo users or communities, nothing made")
        return
    made = _fy2568(users) + _fy2569(users) + _fy2570(users)
    stdout.write(f"Budgets: {made} new programmes in {time.monotonic() - started:.1f} s")


LOADERS.append(load_budgets)
