"""In Debian's chromium: log in, navigate, switch language, and keep screenshots to look at.

Screenshots land in var/screenshots/ (home-th.png, area-th.png, area-en.png).
"""

import os
from pathlib import Path

import pytest

from chumchon.conftest import make_user

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
    """A live server for this module only: stopped (and its database connection closed) before
    the test database is dropped, unlike pytest-django's session-wide one."""
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


def test_officer_logs_in_navigates_and_switches_language(page, live_server, settings):
    settings.CHUMCHON_REQUIRE_OTP = False  # as in `make run`; the OTP flow has its own tests
    make_user("officer", "district_officer", "1001", display_name="วิภา ขยันงาน")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "th"
    page.get_by_label("ชื่อผู้ใช้").fill("officer")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "เขตพระนคร" in page.content()
    page.screenshot(path=str(SHOTS / "home-th.png"), full_page=True)

    page.get_by_role("link", name="เขตพระนคร").first.click()
    page.wait_for_url("**/areas/1001/")
    assert page.locator("h1").inner_text() == "เขตพระนคร"
    breadcrumb = page.locator("nav[aria-label] ol.breadcrumb").inner_text()
    assert "กรุงเทพกลาง" in breadcrumb
    page.screenshot(path=str(SHOTS / "area-th.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Phra Nakhon District"
    page.screenshot(path=str(SHOTS / "area-en.png"), full_page=True)

    # htmx and bootstrap load from our own static files: no CSP violations, no console errors
    assert page.evaluate("typeof window.htmx") == "object"
    assert not page.console_errors, page.console_errors


def test_thai_glyphs_have_a_real_font(page, live_server):
    """The page's Thai text is drawn with an installed Thai face (fonts-thai-tlwg), not boxes."""
    page.goto(f"{live_server.url}/")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": "p.lead"})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    families = {f["familyName"] for f in fonts}
    thai_faces = {
        "Laksaman",
        "Loma",
        "Garuda",
        "Kinnari",
        "Norasi",
        "Sawasdee",
        "Umpush",
        "Waree",
        "Purisa",
        "Kloy",
        "Tlwg Typo",
        "Tlwg Typist",
        "Tlwg Mono",
        "Sarabun",
    }
    assert families & thai_faces, families
