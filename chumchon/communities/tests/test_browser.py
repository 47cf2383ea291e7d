"""In Debian's chromium: a district officer goes from the community list to a community, a
household and a person; screenshots land in var/screenshots/registry-*.png to look at."""

import os
from datetime import date
from pathlib import Path

import pytest

from chumchon.conftest import make_user
from chumchon.organizations.models import Area

from .factories import make_community, make_household, make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def live_server(django_db_setup, django_db_blocker):
    """A live server for this module only (stopped before the test database is dropped)."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def page(settings):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup.sh test`")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        yield page
        browser.close()


def registry_data():
    community = make_community(
        code="HC-001",
        name_th="ชุมชนวัดบวรนิเวศ",
        name_en="Wat Bowon Niwet",
        announcement_no="กท 12/2545",
        announced_on=date(2002, 6, 1),
        address="ถนนพระสุเมรุ แขวงบวรนิเวศ",
        declared_households=120,
        declared_population=480,
    )
    make_community(code="HC-002", name_th="ชุมชนบ้านพานถม", type_code="urban")
    household = make_household(community, house_no="45/7", house_code="10010045007")
    head = make_person(
        household,
        relation="head",
        national_id="1101700230708",
        first_name="สมชาย",
        last_name="ใจดีงาม",
        sex="M",
        birth_date=date(1955, 8, 12),
        bedridden=True,
        sensitive_legal_basis="social_protection",
    )
    make_person(
        household,
        relation="spouse",
        prefix="นาง",
        first_name="สมศรี",
        last_name="ใจดีงาม",
        sex="F",
        birth_date=date(1960, 1, 3),
    )
    make_person(
        household,
        relation="grandchild",
        prefix="เด็กหญิง",
        first_name="ปิยะดา",
        last_name="ใจดีงาม",
        sex="F",
        birth_date=date(2014, 4, 9),
        child_in_need=True,
    )
    return community, household, head


def test_officer_walks_the_registry_from_list_to_person(page, live_server, settings):
    settings.CHUMCHON_REQUIRE_OTP = False  # as in `make run`; the OTP flow has its own tests
    make_user("officer", "district_officer", "1001", display_name="วิภา ขยันงาน")
    assert Area.objects.filter(code="1001").exists()
    community, household, head = registry_data()
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("officer")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="ชุมชน", exact=True).first.click()
    page.wait_for_url("**/communities/")
    assert page.locator("h1").inner_text() == "ชุมชน"
    assert "ชุมชนวัดบวรนิเวศ" in page.content()
    page.screenshot(path=str(SHOTS / "registry-list.png"), full_page=True)

    page.get_by_role("link", name="ชุมชนวัดบวรนิเวศ").click()
    page.wait_for_url(f"**/communities/{community.pk}/")
    assert page.locator("h1").inner_text() == "ชุมชนวัดบวรนิเวศ"
    assert "1 มิถุนายน 2545" in page.content()
    page.screenshot(path=str(SHOTS / "registry-community.png"), full_page=True)

    page.get_by_role("link", name="ประวัติการแก้ไข").click()
    page.wait_for_url(f"**/communities/{community.pk}/history/")
    assert "community.create" in page.content()
    page.screenshot(path=str(SHOTS / "registry-history.png"), full_page=True)
    page.get_by_role("link", name="ข้อมูลชุมชนและครัวเรือน").click()
    page.wait_for_url(f"**/communities/{community.pk}/")

    page.get_by_role("link", name="45/7").click()
    page.wait_for_url(f"**/households/{household.pk}/")
    assert "1-1017-xxxxx-xx-8" in page.content()
    page.screenshot(path=str(SHOTS / "registry-household.png"), full_page=True)

    page.get_by_role("link", name="นายสมชาย ใจดีงาม").click()
    page.wait_for_url(f"**/people/{head.pk}/")
    assert "ผู้ป่วยติดเตียง" in page.content()
    page.screenshot(path=str(SHOTS / "registry-person.png"), full_page=True)

    page.goto(f"{live_server.url}/households/{household.pk}/people/new/")
    page.get_by_role("button", name="เพิ่มบุคคล").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() >= 1
    page.screenshot(path=str(SHOTS / "registry-person-form.png"), full_page=True)

    assert not page.console_errors, page.console_errors


def test_district_head_reveals_an_id_through_htmx(page, live_server, settings):
    settings.CHUMCHON_REQUIRE_OTP = False
    make_user("head", "district_head", "1001", display_name="หัวหน้า ฝ่าย")
    _community, _household, head = registry_data()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("head")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/people/{head.pk}/")
    page.locator("#id_reveal-reason").fill("ตรวจสอบสิทธิ์เบี้ยยังชีพตามคำร้อง 15/2567")
    page.get_by_role("button", name="เปิดดูและบันทึก").click()
    page.get_by_test_id("revealed-id").wait_for()
    assert page.url.endswith(f"/people/{head.pk}/")  # swapped in place, no page load
    assert page.get_by_test_id("revealed-id").inner_text() == "1-1017-00230-70-8"
    page.screenshot(path=str(SHOTS / "registry-reveal.png"), full_page=True)
    assert not page.console_errors, page.console_errors
