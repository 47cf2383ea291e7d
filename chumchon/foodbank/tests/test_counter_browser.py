"""In Debian's chromium, in Thai, on a tablet (768 px): a counter clerk finds a beneficiary,
taps + for two items (the running total follows without a reload), reviews, confirms and
reaches the receipt page; screenshots land in var/screenshots/foodbank-counter-*.png."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chumchon.committees.tests.test_election_browser import (  # the shared browser set-up
    SHOTS,
    live_server,  # noqa: F401 (fixture)
    page,  # noqa: F401 (fixture)
)
from chumchon.conftest import make_user

from .. import ledger
from ..models import Redemption
from .factories import make_award, make_beneficiary, make_item, make_lot, make_store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_clerk_redeems_two_items_on_a_tablet(page, live_server, settings, communities):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False
    today = timezone.localdate()
    store = make_store("1001")
    rice = make_item(store, name="ข้าวหอมมะลิ 5 กก.", points=50, unit="ถุง")
    oil = make_item(store, name="น้ำมันพืช 1 ลิตร", points=30, unit="ขวด")
    make_lot(rice, 10, expires_on=today + timedelta(days=100))
    make_lot(oil, 5, expires_on=today + timedelta(days=50))
    who = make_beneficiary(store, first_name="บุญมี", last_name="ศรีสุข", birth_date=date(1950, 1, 1))
    make_award(who, 200)
    make_user("clerk", "foodbank_clerk", "1001")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 768, "height": 1024})

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("clerk")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/foodbank/1001/counter/")
    page.locator("#id_q").fill("บุญมี")
    page.get_by_test_id("counter-result").first.wait_for()  # htmx, as the clerk types
    page.screenshot(path=str(SHOTS / "foodbank-counter-search-tablet.png"), full_page=True)
    page.get_by_test_id("counter-result").first.click()
    page.wait_for_url(f"**/counter/{who.pk}/")
    assert page.get_by_test_id("points-usable").inner_text() == "200"

    page.get_by_test_id(f"plus-{rice.pk}").click()
    expect(page.get_by_test_id("running-total")).to_have_text("50")
    page.get_by_test_id(f"plus-{rice.pk}").click()
    expect(page.get_by_test_id("running-total")).to_have_text("100")
    page.get_by_test_id(f"plus-{oil.pk}").click()
    expect(page.get_by_test_id("running-total")).to_have_text("130")
    assert page.get_by_test_id("points-left").inner_text() == "70"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, width
    page.screenshot(path=str(SHOTS / "foodbank-counter-basket-tablet.png"), full_page=True)

    page.get_by_test_id("review").click()
    page.get_by_test_id("review-basket").wait_for()
    assert page.get_by_test_id("review-total").inner_text() == "130"
    assert Redemption.objects.count() == 0
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/redemptions/*/")
    made = Redemption.objects.get()
    assert made.points == 130
    assert page.get_by_test_id("points-after").inner_text() == "70"
    assert page.get_by_test_id("print-slip").is_visible()
    assert ledger.points_balance(who, today) == 70
    page.screenshot(path=str(SHOTS / "foodbank-counter-receipt-page-tablet.png"), full_page=True)
    assert not page.console_errors, page.console_errors
