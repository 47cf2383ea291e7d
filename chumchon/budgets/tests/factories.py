"""Budget test data written directly (the services under test are in services_*.py): a
programme with the usual categories, allocations, transfers, applications at any stage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chumchon.communities.models import Community, CommunityType
from chumchon.organizations.models import Area

from ..models import (
    Allocation,
    Application,
    ApplicationItem,
    ApplicationStep,
    CarryOver,
    Disbursement,
    Programme,
    RefusedItem,
    SpendingCategory,
    Transfer,
)

STRONG_COMMUNITY = "โครงการชุมชนเข้มแข็งพัฒนาตนเองตามหลักปรัชญาเศรษฐกิจพอเพียง"

# code, Thai, English, max share of the allocation (%)
CATEGORIES = [
    ("materials", "ค่าวัสดุอุปกรณ์", "Materials and equipment", None),
    ("food", "ค่าอาหารและเครื่องดื่ม", "Food and drinks", Decimal("30")),
    ("training", "ค่าวิทยากรและการอบรม", "Speakers and training", Decimal("50")),
]


def make_programme(
    fiscal_year: int = 2567,
    *,
    name_th: str = STRONG_COMMUNITY,
    amount: Decimal | str | None = Decimal("200000.00"),
    types: tuple[str, ...] = (),
    categories=CATEGORIES,
    refused: tuple[tuple[str, str], ...] = (("CCTV", "ไม่อยู่ในวัตถุประสงค์ของโครงการ"),),
    carry_over_deadline: date | None = None,
    status: str = Programme.Status.OPEN,
    **values,
) -> Programme:
    values.setdefault("budget_code", "50101000")
    values.setdefault("owner_area", Area.objects.get(code="BKK"))
    if amount is None:
        values.setdefault("allocation_rule", Programme.Rule.PER_COMMUNITY)
    programme = Programme.objects.create(
        fiscal_year=fiscal_year,
        name_th=name_th,
        amount_per_community=None if amount is None else Decimal(amount),
        carry_over_deadline=carry_over_deadline
        or date(fiscal_year - 542, 3, 31),  # six months into the next fiscal year
        status=status,
        **values,
    )
    if types:
        programme.community_types.set(CommunityType.objects.filter(code__in=types))
    for n, (code, th, en, share) in enumerate(categories):
        SpendingCategory.objects.create(
            programme=programme, code=code, name_th=th, name_en=en, max_share=share, sort_order=n
        )
    for term, reason in refused:
        RefusedItem.objects.create(programme=programme, term=term, reason=reason)
    return programme


def make_allocation(
    programme: Programme, community: Community, amount: Decimal | str | None = None, **values
) -> Allocation:
    return Allocation.objects.create(
        programme=programme,
        community=community,
        district=community.area.parent,
        amount=Decimal(amount) if amount is not None else programme.amount_per_community,
        **values,
    )


def make_transferred(
    programme: Programme,
    community: Community,
    *,
    user,
    transferred_on: date | None = None,
    amount: Decimal | str | None = None,
) -> Allocation:
    """An allocation already transferred to the community's district."""
    allocation = make_allocation(programme, community, amount)
    transfer = Transfer.objects.create(
        programme=programme,
        district=community.area.parent,
        transferred_on=transferred_on or date(programme.fiscal_year - 544, 12, 1),
        recorded_by=user,
    )
    allocation.status = Allocation.Status.TRANSFERRED
    allocation.transfer = transfer
    allocation.save(update_fields=["status", "transfer"])
    return allocation


def make_application(
    allocation: Allocation,
    *,
    prepared_by,
    status: str = Application.Status.SUBMITTED,
    items: list[tuple[str, str, str]] | None = None,
    submitted_on: date | None = None,
    decided_by=None,
) -> Application:
    """An application with items (category code, description, amount); approved ones carry
    the approved amount (the items' total) and the decision."""
    programme = allocation.programme
    items = items or [("materials", "วัสดุปรับปรุงลานกีฬา", "150000.00")]
    submitted_on = submitted_on or date(programme.fiscal_year - 543, 1, 15)
    application = Application.objects.create(
        programme=programme,
        allocation=allocation,
        community=allocation.community,
        title="ปรับปรุงลานกีฬาชุมชน",
        status=status,
        prepared_by=prepared_by,
        submitted_on=None if status == Application.Status.DRAFT else submitted_on,
        approved_amount=(
            sum((Decimal(a) for _c, _d, a in items), Decimal("0"))
            if status == Application.Status.APPROVED
            else None
        ),
    )
    categories = {c.code: c for c in programme.categories.all()}
    for n, (code, description, amount) in enumerate(items):
        ApplicationItem.objects.create(
            application=application,
            category=categories[code],
            description=description,
            amount=Decimal(amount),
            sort_order=n,
        )
    if status != Application.Status.DRAFT:
        ApplicationStep.objects.create(
            application=application,
            kind=ApplicationStep.Kind.SUBMITTED,
            on=submitted_on,
            by=prepared_by,
        )
    if status == Application.Status.APPROVED:
        total = sum((Decimal(a) for _c, _d, a in items), Decimal("0"))
        application.approved_amount = total
        application.decided_by = decided_by
        application.decided_on = submitted_on
        application.save(update_fields=["approved_amount", "decided_by", "decided_on"])
        ApplicationStep.objects.create(
            application=application,
            kind=ApplicationStep.Kind.APPROVED,
            on=submitted_on,
            by=decided_by or prepared_by,
            amount=total,
        )
    return application


def make_disbursement(
    application: Application,
    amount: Decimal | str,
    *,
    recorded_by,
    paid_on: date | None = None,
    confirmed_by=None,
    against: str = Disbursement.Against.YEAR,
) -> Disbursement:
    return Disbursement.objects.create(
        application=application,
        paid_on=paid_on or date(application.programme.fiscal_year - 543, 3, 1),
        amount=Decimal(amount),
        reference="ฎีกา 1/2567",
        against=against,
        status=Disbursement.Status.CONFIRMED if confirmed_by else Disbursement.Status.RECORDED,
        recorded_by=recorded_by,
        confirmed_by=confirmed_by,
    )


def make_carry_over(
    application: Application, amount: Decimal | str, *, recorded_by, reserved_on=None
) -> CarryOver:
    return CarryOver.objects.create(
        application=application,
        amount=Decimal(amount),
        reserved_on=reserved_on or date(application.programme.fiscal_year - 543, 9, 20),
        recorded_by=recorded_by,
    )
