"""In Debian's chromium at a phone's width, in Thai: a committee member adds item rows (the
script, no page reload), sees the running total, meets the category cap in Thai with every
typed value kept, then saves the draft. Screenshots land in var/screenshots/budget-*.png."""

import pytest

from chumchon.committees.tests.test_election_browser import (  # the shared browser set-up
    SHOTS,
    live_server,  # noqa: F401 (fixture)
    page,  # noqa: F401 (fixture)
)
from chumchon.communities.tests.factories import community_for_area
from chumchon.conftest import make_user
from chumchon.organizations.models import Area

from ..models import Application
from .factories import make_programme, make_transferred

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_committee_prepares_an_application_on_a_phone(page, live_server, settings, communities):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False
    central = make_user("central", "central_officer", "BKK")
    make_user("committee", "committee_member", "T-1001-01", display_name="บุญมี ชุมชนดี")
    own = community_for_area(Area.objects.get(code="T-1001-01"))
    allocation = make_transferred(make_programme(), own, user=central)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("committee")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    url = f"{live_server.url}/budgets/allocations/{allocation.pk}/application/"
    page.goto(url)
    rows = page.locator("#item-rows > *")
    assert rows.count() == 1
    page.locator("[data-add-row]").click()
    assert rows.count() == 2 and page.url == url  # added by the script, no reload
    typed = [
        ("ลานกีฬา", "materials", "วัสดุปรับปรุงลานกีฬา", "120,000"),
        ("อบรม", "food", "อาหารผู้เข้าอบรม", "70000"),
    ]
    for i, (activity, category, description, amount) in enumerate(typed):
        row = rows.nth(i)
        row.locator("input[name$=activity]").fill(activity)
        row.locator("select[name$=category]").select_option(category)
        row.locator("input[name$=description]").fill(description)
        row.locator("input[name$=amount]").fill(amount)
    assert page.get_by_test_id("running-total").inner_text() == "190,000.00"
    assert page.locator("input[name$=amount]").first.get_attribute("inputmode") == "decimal"

    page.get_by_role("button", name="บันทึกร่าง").click()
    page.get_by_test_id("general-error").first.wait_for()
    error = page.get_by_test_id("general-error").first.inner_text()
    assert "ค่าอาหารและเครื่องดื่ม" in error and "ร้อยละ 30" in error
    assert rows.nth(1).locator("input[name$=amount]").input_value() == "70000"
    assert not Application.objects.exists()  # nothing half-saved
    page.screenshot(path=str(SHOTS / "budget-application-phone-refused.png"), full_page=True)

    rows.nth(1).locator("input[name$=amount]").fill("50000")
    page.get_by_role("button", name="บันทึกร่าง").click()
    page.wait_for_url(f"**/budgets/allocations/{allocation.pk}/")
    application = Application.objects.get()
    assert application.status == Application.Status.DRAFT
    assert [i.amount for i in application.items.order_by("sort_order")] == [120000, 50000]
    page.screenshot(path=str(SHOTS / "budget-allocation-phone.png"), full_page=True)
    assert not page.console_errors, page.console_errors
