"""Demo community funds for `make run` (`manage.py load_demo`), made through the services, after
the registry's demo (its loaders run first: this module is discovered after `communities`).

- 1001-001 ชุมชนท่าวัง (the demo committee member's community): a savings group,
  "กลุ่มออมทรัพย์เพื่อการผลิตชุมชนท่าวัง", 15 members from the registry (three joined later), a committee (chair,
  treasurer, clerk) whose treasurer is the new demo user `treasurer` (fund_treasurer role
  through ``services_setup.officer_grant_role``), and about 13 months of books: a grant
  (confirmed by the district head), membership fees, monthly deposits (some members skip a
  month), a few withdrawals, five loans repaid monthly (one stops paying: in arrears), expenses,
  cash taken to the bank each month, months closed up to two months ago, and one transfer
  awaiting confirmation.
- 1001-002: a village and urban community fund with its 1,000,000 baht grant, members and two
  loans repaid on time.

Dates are relative to the day the demo is loaded (the books start on the first day of the
month 13 months ago). Idempotent: a fund that exists (same area and name) is left as it is.
Deterministic: the same amounts on every run.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chumchon.communities.models import Person
from chumchon.organizations.models import Area
from chumchon.portal.demo import DEMO_PASSWORD, LOADERS

from . import domain, ledger
from .models import Fund, FundKind, FundMember, Loan

SAVINGS_AREA = "1001-001"
SAVINGS_NAME = "กลุ่มออมทรัพย์เพื่อการผลิตชุมชนท่าวัง"
VILLAGE_AREA = "1001-002"
VILLAGE_NAME = "กองทุนหมู่บ้านและชุมชนเมือง"
TREASURER = ("treasurer", "สมใจ รักออม (เหรัญญิกกลุ่มออมทรัพย์)")
MEMBERS = 15
#: (member index, months after the start, principal, instalments, stops paying after n)
LOANS = [
    (3, 1, "15000.00", 12, None),
    (5, 2, "20000.00", 10, None),
    (8, 4, "10000.00", 10, None),
    (10, 6, "12000.00", 12, 1),  # pays one instalment, then nothing: in arrears
    (12, 8, "8000.00", 6, None),
]
#: members (by index) who joined later: months after the start
LATE_JOINERS = {12: 4, 13: 6, 14: 8}
#: (member index, months after the start, amount)
WITHDRAWALS = [(2, 5, "600.00"), (7, 9, "1000.00"), (13, 11, "450.00")]
EXPENSES = [
    (0, "ค่าสมุดบัญชีเงินฝากและแบบพิมพ์", "850.00"),
    (3, "ค่าเครื่องเขียนและถ่ายเอกสาร", "240.00"),
    (6, "ค่าอาหารว่างประชุมคณะกรรมการ", "600.00"),
    (9, "ค่าเครื่องเขียนและถ่ายเอกสาร", "180.00"),
    (12, "ค่าจัดประชุมใหญ่สามัญประจำปี", "1500.00"),
]


def _users() -> dict[str, Any]:
    from chumchon.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__in=["officer", "head"])}


def _people(code: str, count: int, today: date) -> list[Person]:
    """Adults of the community in registry order (living, not quick-registered)."""
    adult = today.replace(year=today.year - 20)
    return list(
        Person.objects.filter(
            area__code=code,
            status=Person.Status.ALIVE,
            birth_date__lte=adult,
            user__isnull=True,
        ).order_by("pk")[:count]
    )


def _treasurer_user():
    from chumchon.accounts.models import User

    username, name = TREASURER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, email=f"{username}@example.invalid")
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _day(first: date, months: int, day: int) -> date:
    month = domain.add_months(first, months)
    return month.replace(day=min(day, domain.month_bounds(month)[1].day))


def _deposit_amount(index: int, month: int) -> str | None:
    """100 to 500 baht, deterministic; a few members skip a month now and then."""
    if (index * 7 + month * 3) % 17 == 0:
        return None
    return f"{100 + ((index * 37 + month * 11) % 5) * 100}.00"


class _Books:
    """Posting helpers for one fund, in date order."""

    def __init__(self, fund: Fund, clerk: Any, head: Any):
        from . import services_entries, services_loans

        self.fund, self.clerk, self.head = fund, clerk, head
        self.entries, self.loans = services_entries, services_loans

    def confirmed(self, entry):
        if entry.status == entry.Status.PENDING:
            self.entries.confirm(actor=self.head, entry=entry)
        return entry

    def repay_instalment(self, loan: Loan, due: date) -> None:
        """On the due date: the instalment (interest charged first), at most what is owed."""
        self.loans.accrue(loan=loan, through=due, actor=self.clerk)
        instalment = loan.schedule.filter(due_on=due).first()
        owed = ledger.owed_by(loan, available=True)
        if instalment is None or owed.total <= 0:
            return
        amount = min(owed.total, instalment.principal_due + owed.interest + owed.fees)
        self.confirmed(
            self.loans.repayment(
                actor=self.clerk,
                fund=self.fund,
                loan=loan,
                amount=amount,
                entry_date=due,
                reference=f"ร{due:%y%m}-{loan.number}",
            )
        )


def _savings_group(users: dict[str, Any], today: date) -> int:
    from . import services_periods, services_setup

    area = Area.objects.filter(code=SAVINGS_AREA).first()
    if area is None or Fund.objects.filter(area=area, name=SAVINGS_NAME).exists():
        return 0
    people = _people(SAVINGS_AREA, MEMBERS, today)
    if len(people) < MEMBERS:
        return 0
    officer, head = users["officer"], users["head"]
    start = domain.add_months(today.replace(day=1), -13)
    fund = services_setup.fund_create(
        actor=officer,
        kind=FundKind.objects.get(code="savings_group"),
        area=area,
        name=SAVINGS_NAME,
        established_on=start,
        registration_no="กอ. 12/2568",
        note="ออมสัจจะทุกวันที่ 5 ของเดือน ประชุมคณะกรรมการทุกวันที่ 25",
        savings_minimum="100",
        loan_ceiling="30000",
        interest_method="declining",
        interest_rate="12",
        max_instalments="12",
        late_fee="50",
        grace_days="5",
        confirm_threshold="20000",
    )
    members = [
        services_setup.member_add(
            actor=officer, fund=fund, person=p, joined_on=_day(start, LATE_JOINERS.get(i, 0), 1)
        )
        for i, p in enumerate(people)
    ]
    seats = {}
    for position, member in (
        ("chair", members[0]),
        ("treasurer", members[1]),
        ("clerk", members[2]),
    ):
        seats[position] = services_setup.officer_appoint(
            actor=officer, fund=fund, person=member.person, position=position, starts_on=start
        )
    treasurer = _treasurer_user()
    services_setup.officer_grant_role(actor=officer, officer=seats["treasurer"], user=treasurer)

    books = _Books(fund, treasurer, head)
    e = books.entries
    books.confirmed(
        e.grant(
            actor=treasurer,
            fund=fund,
            amount="50000",
            entry_date=_day(start, 0, 3),
            via="bank",
            source="เงินอุดหนุนสำนักงานเขตพระนคร เพื่อส่งเสริมการออมและอาชีพ",
            reference="พน 0405/123",
        )
    )
    for member in members[: MEMBERS - len(LATE_JOINERS)]:
        e.income(
            actor=treasurer,
            fund=fund,
            amount="20",
            entry_date=_day(start, 0, 5),
            description=f"ค่าสมัครสมาชิก เลขที่ {member.member_no}",
        )
    loans: list[tuple[Loan, int | None]] = []
    months = (today.year - start.year) * 12 + today.month - start.month  # 13
    for month in range(months + 1):
        deposit_day = _day(start, month, 5)
        if deposit_day > today:
            break
        for index, member in enumerate(members):
            amount = _deposit_amount(index, month)
            if amount and member.joined_on <= deposit_day:
                e.deposit(
                    actor=treasurer,
                    fund=fund,
                    member=member,
                    amount=amount,
                    entry_date=deposit_day,
                    reference=f"ส{deposit_day:%y%m}-{member.member_no}",
                )
        for index, at, amount in WITHDRAWALS:
            if at == month:
                e.withdrawal(
                    actor=treasurer,
                    fund=fund,
                    member=members[index],
                    amount=amount,
                    entry_date=_day(start, month, 8),
                    description="ถอนเงินสัจจะเพื่อใช้จ่ายในครอบครัว",
                )
        for index, at, principal, count, stops in LOANS:
            if at == month:
                loan = books.loans.loan_disburse(
                    actor=treasurer,
                    fund=fund,
                    member=members[index],
                    principal=principal,
                    entry_date=_day(start, month, 12),
                    instalments=count,
                    via="bank",
                    purpose="ทุนประกอบอาชีพค้าขาย",
                    guarantors=f"{members[index - 1].person.full_name}",
                )
                loans.append((loan, stops))
        for loan, stops in loans:
            paid = [i for i in loan.schedule.all() if i.due_on <= today]
            for number, instalment in enumerate(paid, start=1):
                this_month = (instalment.due_on.year, instalment.due_on.month) == (
                    deposit_day.year,
                    deposit_day.month,
                )
                if this_month and (stops is None or number <= stops):
                    books.repay_instalment(loan, instalment.due_on)
        for at, description, amount in EXPENSES:
            if at == month and _day(start, month, 20) <= today:
                e.expense(
                    actor=treasurer,
                    fund=fund,
                    amount=amount,
                    entry_date=_day(start, month, 20),
                    description=description,
                )
        banking_day = _day(start, month, 25)
        if banking_day < today - timedelta(days=7):
            cash = ledger.balance(fund, "cash", available=True)
            if cash > Decimal("3000"):
                e.transfer(
                    actor=treasurer,
                    fund=fund,
                    amount=(cash - Decimal("2000")).quantize(Decimal("1")),
                    entry_date=banking_day,
                    to="bank",
                    reference=f"ฝ{banking_day:%y%m}",
                    description="นำเงินสดฝากธนาคาร",
                )
    last_closed = domain.month_bounds(domain.add_months(today.replace(day=1), -2))[0]
    month = start
    while month <= last_closed:
        services_periods.close_month(actor=treasurer, fund=fund, month=month)
        month = domain.add_months(month, 1)
    # one entry waiting for the second person: cash for the loans of the coming month
    e.transfer(
        actor=treasurer,
        fund=fund,
        amount="25000",
        entry_date=max(today - timedelta(days=2), services_periods.open_period_start(fund)),
        to="cash",
        reference=f"ถอน {today.year + 543}/{today.month}",
        description="ถอนเงินจากธนาคารเตรียมจ่ายเงินกู้",
    )
    return 1


def _village_fund(users: dict[str, Any], today: date) -> int:
    from . import services_entries, services_loans, services_setup

    area = Area.objects.filter(code=VILLAGE_AREA).first()
    if area is None:
        return 0
    name = f"{VILLAGE_NAME}{area.name_th}"
    if Fund.objects.filter(area=area, name=name).exists():
        return 0
    people = _people(VILLAGE_AREA, 8, today)
    if len(people) < 3:
        return 0
    officer, head = users["officer"], users["head"]
    start = domain.add_months(today.replace(day=1), -10)
    kind = FundKind.objects.get(code="village_urban")
    fund = services_setup.fund_create(
        actor=officer,
        kind=kind,
        area=area,
        name=name,
        established_on=start,
        registration_no="กทบ. 10-1001-002",
        savings_minimum="0",
        loan_ceiling="50000",
        interest_method="flat",
        interest_rate="6",
        max_instalments="12",
        late_fee="100",
        confirm_threshold="30000",
    )
    members = [
        services_setup.member_add(actor=officer, fund=fund, person=p, joined_on=start)
        for p in people
    ]
    grant = services_entries.grant(
        actor=officer,
        fund=fund,
        amount=kind.standard_grant or Decimal("1000000"),
        entry_date=_day(start, 0, 10),
        via="bank",
        source="กองทุนหมู่บ้านและชุมชนเมืองแห่งชาติ",
        reference="สทบ. 1001/2568",
    )
    if grant.status == grant.Status.PENDING:
        services_entries.confirm(actor=head, entry=grant)
    for index, principal in ((0, "30000"), (1, "20000")):
        loan = services_loans.loan_disburse(
            actor=officer,
            fund=fund,
            member=members[index],
            principal=principal,
            entry_date=_day(start, 1, 15),
            via="bank",
            purpose="ทุนประกอบอาชีพ",
        )
        if loan.entries.filter(status="pending").exists():
            services_entries.confirm(actor=head, entry=loan.entries.get(status="pending"))
        books = _Books(fund, officer, head)
        for instalment in loan.schedule.filter(due_on__lte=today).order_by("number"):
            books.repay_instalment(loan, instalment.due_on)
    return 1


def load_funds(stdout: Any) -> None:
    started = time.monotonic()
    users = _users()
    if len(users) < 2:
        stdout.write("Funds: no demo users, nothing made")
        return
    today = timezone.localdate()
    made = _savings_group(users, today) + _village_fund(users, today)
    if made:
        from .services_loans import loans_daily

        loans_daily(today)  # interest and late fees due by today, arrears flags
    members = FundMember.objects.filter(fund__area__code__in=[SAVINGS_AREA, VILLAGE_AREA]).count()
    stdout.write(
        f"Funds: {made} new funds ({members} members in the demo funds) "
        f"in {time.monotonic() - started:.1f} s; fund treasurer login: {TREASURER[0]}"
    )


LOADERS.append(load_funds)
