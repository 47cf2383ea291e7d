"""In Debian's chromium, in Thai: a district head opens the election list, the election's page
(candidates ranked by votes, turnout, the certify form), also at a phone's width;
screenshots land in var/screenshots/election-*.png to look at."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from chumchon.communities.tests.factories import make_community
from chumchon.conftest import make_user

from .. import services_elections as services
from .factories import make_voter

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
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def page(settings):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup.sh test`")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
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


NAMES = ["สมชาย", "สมศรี", "ประเสริฐ", "วิไล", "บุญมี", "มาลัย", "ทองดี", "สุดา", "ชูชาติ"]


def election_data(head):
    community = make_community(code="HC-101", name_th="ชุมชนวัดบวรนิเวศ", declared_families=150)
    held_on = timezone.localdate() - timedelta(days=3)
    people = [make_voter(community, first_name=n, last_name="ใจดี") for n in NAMES]
    for _ in range(11):
        make_voter(community)
    election = services.election_plan(
        actor=head, community=community, held_on=held_on, place="ศาลาชุมชนวัดบวรนิเวศ"
    )
    for person in people:
        services.candidate_register(actor=head, election=election, person=person)
    services.results_enter(
        actor=head,
        election=election,
        ballots_issued=20,
        ballots_cast=18,
        ballots_spoiled=1,
        ballots_blank=1,
        votes={1: 15, 2: 14, 3: 13, 4: 12, 5: 11, 6: 10, 7: 9, 8: 8, 9: 3},
    )
    return election


def planned_election(head):
    community = make_community(code="HC-102", name_th="ชุมชนบ้านพานถม", declared_families=200)
    make_voter(community, first_name="สมหมาย", last_name="ขยัน")
    child = make_voter(
        community,
        first_name="ปิยะดา",
        last_name="เด็กดี",
        birth_date=date(2015, 4, 9),
        since=timezone.localdate() - timedelta(days=30),
    )
    election = services.election_plan(
        actor=head,
        community=community,
        held_on=timezone.localdate() + timedelta(days=30),
        place="ลานกีฬาชุมชน",
    )
    return election, child


def test_head_sees_the_election_page_in_thai(page, live_server, settings):
    settings.CHUMCHON_REQUIRE_OTP = False
    head = make_user("head", "district_head", "1001", display_name="หัวหน้า ฝ่าย")
    election = election_data(head)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("head")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/committees/elections/")
    assert page.locator("h1").inner_text() == "การเลือกตั้งกรรมการชุมชน"
    page.screenshot(path=str(SHOTS / "election-list.png"), full_page=True)
    page.locator(f"a[href='/committees/elections/{election.pk}/']").click()
    page.wait_for_url(f"**/committees/elections/{election.pk}/")
    assert "ชุมชนวัดบวรนิเวศ" in page.locator("h1").inner_text()
    assert page.get_by_test_id("turnout").inner_text() == "90.00 %"
    rows = page.get_by_test_id("candidates").locator("tbody tr")
    assert rows.count() == 9
    assert "สมชาย ใจดี" in rows.first.inner_text()
    assert page.get_by_role("button", name="รับรองผล").is_visible()
    page.screenshot(path=str(SHOTS / "election-detail.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.screenshot(path=str(SHOTS / "election-detail-phone.png"), full_page=False)

    # a planned election of another community: a child is refused, with the reasons
    page.set_viewport_size({"width": 1280, "height": 900})
    planned, child = planned_election(head)
    page.goto(f"{live_server.url}/committees/elections/{planned.pk}/")
    page.get_by_label("บุคคล (สมาชิกปัจจุบันของชุมชน)").select_option(str(child.pk))
    page.get_by_role("button", name="บันทึกผู้สมัคร").click()
    page.get_by_test_id("candidate-refusal").wait_for()
    refusal = page.get_by_test_id("candidate-refusal").inner_text()
    assert "ปิยะดา" in refusal and "สมัครรับเลือกตั้งไม่ได้" in refusal
    assert page.get_by_test_id("candidate-refusal").locator("li").count() >= 2
    page.screenshot(path=str(SHOTS / "election-candidate-refused.png"), full_page=True)
    assert not page.console_errors, page.console_errors
