"""In Debian's chromium: an officer searches from the navigation box, opens a result, then finds
a person by national ID; the same on a phone. Screenshots: var/screenshots/search-*.png."""

import pytest

from chumchon.conftest import make_user

from .factories import make_household, make_person
from .test_browser import SHOTS, live_server, page, registry_data  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(browser_page, url):
    browser_page.goto(f"{url}/accounts/login/")
    browser_page.get_by_label("ชื่อผู้ใช้").fill("officer")
    browser_page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    browser_page.get_by_role("button", name="เข้าสู่ระบบ").click()
    browser_page.wait_for_url(f"{url}/")


def test_officer_searches_by_name_then_by_national_id(page, live_server, settings):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False
    make_user("officer", "district_officer", "1001", display_name="วิภา ขยันงาน")
    community, household, head = registry_data()
    make_person(make_household(community, house_no="9"), first_name="สมชัย", last_name="ใจดี")
    SHOTS.mkdir(parents=True, exist_ok=True)
    _log_in(page, live_server.url)

    page.get_by_role("searchbox", name="ค้นหาในทะเบียน").fill("สมช")
    page.get_by_role("search").get_by_role("button", name="ค้นหา").click()
    page.wait_for_url("**/search/?q=*")
    people = page.locator("section[aria-labelledby=found-people]")
    assert "สมชาย ใจดีงาม" in people.inner_text()
    assert "1-1017-xxxxx-xx-8" in people.inner_text()
    page.screenshot(path=str(SHOTS / "search-results.png"), full_page=True)

    page.get_by_role("textbox", name="เลขประจำตัวประชาชน").fill("1-1017-00230-70-8")
    page.get_by_role("button", name="ค้นหาด้วยเลขประจำตัวประชาชน").click()
    assert "นายสมชาย ใจดีงาม" in page.locator("section[aria-labelledby=found-people]").inner_text()
    assert "1101700230708" not in page.url and "1101700230708" not in page.content()
    page.get_by_role("link", name="นายสมชาย ใจดีงาม").click()
    page.wait_for_url(f"{live_server.url}/people/{head.pk}/")
    assert not page.console_errors


def test_search_page_fits_a_phone(page, live_server, settings):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False
    make_user("officer", "district_officer", "1001")
    registry_data()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/search/?q=ใจดี")
    assert "สมศรี" in page.locator("section[aria-labelledby=found-people]").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # no sideways scrolling of the page (tables scroll inside)
    page.screenshot(path=str(SHOTS / "search-phone.png"), full_page=True)
