"""The fund demo (`manage.py load_demo`): made through the services on the registry's demo
people, the books balance, the treasurer logs in to her fund only, a second run changes
nothing."""

from __future__ import annotations

import io
import time
from datetime import date

import pytest
from django.utils import timezone

from chumchon.accounts.models import RoleAssignment, User
from chumchon.communities.tests.factories import community_for_area, make_community, make_person
from chumchon.conftest import verified_client
from chumchon.organizations.models import Area
from chumchon.portal import demo as portal_demo

from .. import demo, ledger, selectors
from ..models import Entry, Fund, FundOfficer, Leg, Loan, PeriodClose
from ..permissions import can_confirm, can_record, fund_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """The demo users and the two demo communities' adults (the registry's own demo takes
    most of a minute: communities/tests/test_demo.py runs every loader, this one included)."""
    portal_demo.load_users()
    for code, count in ((demo.SAVINGS_AREA, 18), (demo.VILLAGE_AREA, 8)):
        area = Area.objects.filter(code=code).first() or make_community(code).area
        community_for_area(area)
        for n in range(count):
            make_person(
                area=area,
                first_name=f"สมาชิก{n}",
                birth_date=date(1960 + n, 1, 1),
                sex="F" if n % 2 else "M",
            )


def sizes() -> tuple[int, ...]:
    return (
        Fund.objects.count(),
        Entry.objects.count(),
        Leg.objects.count(),
        Loan.objects.count(),
        PeriodClose.objects.count(),
        RoleAssignment.objects.count(),
    )


def test_fund_demo_keeps_a_year_of_balanced_books_and_runs_once(registry):
    out = io.StringIO()
    started = time.monotonic()
    demo.load_funds(out)
    elapsed = time.monotonic() - started
    assert "Funds: 2 new funds" in out.getvalue()
    # about 5 s on an idle machine; the bound leaves room for a CI runner shared with others
    assert elapsed < 30, f"the fund demo took {elapsed:.1f} s"
    assert demo.load_funds in portal_demo.LOADERS

    group = Fund.objects.get(area__code=demo.SAVINGS_AREA, name=demo.SAVINGS_NAME)
    village = Fund.objects.get(area__code=demo.VILLAGE_AREA, kind__code="village_urban")
    today = timezone.localdate()
    for fund in (group, village):
        trial = selectors.trial_balance(fund)
        assert trial.total_debit == trial.total_credit > 0
        for entry in Entry.objects.filter(fund=fund).prefetch_related("legs"):
            legs = list(entry.legs.all())
            assert sum(leg.debit for leg in legs) == sum(leg.credit for leg in legs)
        sheet = selectors.balance_sheet(fund, today)
        assert sheet.balanced
        assert ledger.balance(fund, "cash") >= 0 and ledger.balance(fund, "bank") >= 0

    # the savings group: 15 members, a committee, about 13 months of books
    summary = selectors.fund_summary(group)
    assert summary["members"] == 15
    assert summary["grants"] == 50000
    assert summary["active_loans"] >= 3 and summary["loans_in_arrears"] == 1
    assert summary["pending_entries"] == 1
    assert (today - group.books_start).days >= 365
    positions = set(FundOfficer.objects.filter(fund=group).values_list("position", flat=True))
    assert positions == {"chair", "treasurer", "clerk"}
    kinds = set(Entry.objects.filter(fund=group).values_list("kind", flat=True))
    assert {"grant", "deposit", "withdrawal", "loan", "repayment", "interest", "expense"} <= kinds
    assert {"transfer", "income", "late_fee"} <= kinds
    closed = ledger.closed_through(group)
    assert closed is not None and closed.month in {(today.month - 2 - 1) % 12 + 1}
    for member in group.members.all():
        assert ledger.savings_of(member) >= 0
    assert Loan.objects.filter(fund=group, arrears_since__isnull=False).count() == 1
    # the village fund's 1,000,000 grant
    assert selectors.fund_summary(village)["grants"] == 1000000

    # the treasurer records and confirms in her fund only, and logs in without a second factor
    treasurer = User.objects.get(username="treasurer")
    assert treasurer.check_password(portal_demo.DEMO_PASSWORD)
    assert list(fund_scope(treasurer)) == [group]
    assert can_record(treasurer, group) and can_confirm(treasurer, group)
    pending = Entry.objects.get(fund=group, status="pending")
    assert pending.recorded_by == treasurer  # the district head (or the chair) confirms it
    response = verified_client(treasurer).get(f"/api/v1/funds/{group.pk}/trial-balance")
    assert response.status_code == 200 and response.json()["balanced"] is True

    before = sizes()
    again = io.StringIO()
    demo.load_funds(again)
    assert "Funds: 0 new funds" in again.getvalue()
    assert sizes() == before
