"""In Debian's chromium, in Thai, at a phone's width (390 px): a fund's treasurer records a
savings deposit and a withdrawal, and sees the member's savings after each; screenshots land
in var/screenshots/fund-*.png to look at."""

from __future__ import annotations

from datetime import date

import pytest

from chumchon.committees.tests.test_election_browser import (  # the shared browser set-up
    SHOTS,
    live_server,  # noqa: F401 (fixture)
    page,  # noqa: F401 (fixture)
)

from .factories import make_fund, make_member, post_simple
from .test_entry_views import seat

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAY = date(2025, 1, 15)


def books():
    from chumchon.communities.tests.factories import make_community

    community = make_community(code="FB-101", name_th="ชุมชนริมคลองบางลำพู")
    fund = make_fund(community.area, name="กลุ่มออมทรัพย์ริมคลอง")
    post_simple(fund, "grant", "cash", "grants", "50000", on=DAY)
    member = make_member(fund, first_name="บุญมี", last_name="มีทรัพย์")
    post_simple(fund, "deposit", "cash", "savings", "5000", on=DAY, member=member)
    treasurer = seat(fund, "treasurer", "treasurer", display_name="สมศรี เหรัญญิก")
    return fund, member, treasurer


def record(tab, url: str, member_pk: int, amount: str) -> None:
    tab.goto(url)
    tab.locator("#id_member").select_option(str(member_pk))
    tab.locator("#id_amount").fill(amount)
    tab.locator("button[name=action][value=save]").click()
    tab.wait_for_url("**/entries/*/")


def test_treasurer_records_a_deposit_and_a_withdrawal_on_a_phone(page, live_server, settings):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False
    fund, member, _ = books()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("treasurer")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    new = f"{live_server.url}/funds/{fund.pk}/entries/new/"
    page.goto(new + "deposit/")
    option = page.locator(f"#id_member option[value='{member.pk}']").inner_text()
    assert "บุญมี มีทรัพย์" in option and "5,000.00" in option  # savings next to the member
    assert page.locator("#id_amount").get_attribute("inputmode") == "decimal"
    page.screenshot(path=str(SHOTS / "fund-deposit-form-phone.png"), full_page=True)

    record(page, new + "deposit/", member.pk, "1,500")
    assert page.get_by_test_id("member-savings").inner_text().count("6,500.00") == 1
    assert page.get_by_role("alert").first.is_visible()

    record(page, new + "withdrawal/", member.pk, "2000")
    assert "4,500.00" in page.get_by_test_id("member-savings").inner_text()
    assert "2,000.00" in page.get_by_test_id("entry-amount").inner_text()
    # nothing wider than the phone (tables scroll inside their own box)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(SHOTS / "fund-withdrawal-phone.png"), full_page=True)

    # a withdrawal above the savings is refused on the amount field, nothing saved
    page.goto(new + "withdrawal/")
    page.locator("#id_member").select_option(str(member.pk))
    page.locator("#id_amount").fill("9000")
    page.locator("button[name=action][value=save]").click()
    page.locator("#id_amount_error").wait_for()
    assert "4,500.00" in page.locator("#id_amount_error").inner_text()
    page.screenshot(path=str(SHOTS / "fund-withdrawal-refused-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/funds/{fund.pk}/entries/")
    assert page.get_by_test_id("journal").locator("tbody tr").count() == 4
    page.screenshot(path=str(SHOTS / "fund-journal-phone.png"), full_page=True)

    # the journal entry's rows: one more without a reload (the script), totals kept
    page.goto(new + "journal/")
    rows = page.get_by_test_id("leg-rows").locator("[data-leg-row]")
    assert rows.count() == 4
    page.locator("[data-add-leg]").click()
    assert rows.count() == 5
    assert page.locator("input[name=legs-TOTAL_FORMS]").input_value() == "5"
    page.locator("#id_legs-4-debit").fill("120")
    assert page.locator("#total-debit").inner_text() == "120.00"
    assert not page.console_errors, page.console_errors
