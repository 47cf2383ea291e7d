"""In Debian's chromium, on a phone-sized screen (390x844): a district officer starts a household
survey from the household page, fills it in (big toggles, a member added without a round trip),
loses the connection while saving and finds the answers put back, saves the draft, is
autosaved, submits and reads the classification with its reasons. Screenshots:
var/screenshots/survey-*.png and /tmp/survey_phone.png (to look at)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from chumchon.conftest import make_user

from ..models import Survey
from .factories import make_community, make_household, make_person
from .survey_factories import open_round
from .test_browser import ARGS, CHROMIUM, SHOTS, live_server  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(settings):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup.sh test`")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True, device_scale_factor=2
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        yield page
        browser.close()


def survey_data():
    community = make_community(code="HC-101", name_th="ชุมชนวัดบวรนิเวศ")
    household = make_household(community, house_no="45/7")
    make_person(
        household,
        relation="head",
        prefix="นาย",
        first_name="สมชาย",
        last_name="ใจดีงาม",
        sex="M",
        birth_date=date(1958, 8, 12),
    )
    make_person(
        household,
        relation="grandchild",
        prefix="เด็กหญิง",
        first_name="ปิยะดา",
        last_name="ใจดีงาม",
        sex="F",
        birth_date=date(2016, 4, 9),
    )
    open_round("1001")
    return household


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def choose(page, field_id: str) -> None:
    """Tap a toggle button (the label of a hidden radio or checkbox)."""
    page.locator(f'label[for="{field_id}"]').click()


def test_surveyor_fills_a_survey_on_a_phone(phone, live_server, settings):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False  # as in `make run`; the OTP flow has its own tests
    make_user("officer", "district_officer", "1001", first_name="วิภา", last_name="ขยันงาน")
    household = survey_data()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone
    page.clock.install()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("officer")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    # the household page: the poverty and survey block, and the button
    page.goto(f"{live_server.url}/households/{household.pk}/")
    assert "ความยากจนและการสำรวจ" in page.content()
    page.get_by_role("button", name="สำรวจครัวเรือน").click()
    page.wait_for_url("**/surveys/*/edit/")
    survey = Survey.objects.get(household=household)
    edit_url = f"{live_server.url}/surveys/{survey.pk}/edit/"
    assert "นายสมชาย ใจดีงาม" in page.content()
    assert "จากวันเกิดในทะเบียน" in page.content()

    # one column that fits the phone, big touch targets
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
    for selector in (
        'label[for="id_tenure_0"]',
        'label[for="id_drinking_water_enough_0"]',
        "#id_expenses_month",
        "#id_members-0-occupation",
        'label[for="id_members-0-health_insurance_0"]',
        "[data-add-member]",
    ):
        box = page.locator(selector).bounding_box()
        assert box and box["height"] >= 44, (selector, box)
    assert page.locator("#id_expenses_month").get_attribute("inputmode") == "decimal"

    # household answers
    page.locator("#id_respondent_name").fill("นางสมศรี ใจดีงาม")
    page.locator("#id_expenses_month").fill("8,500")
    choose(page, "id_tenure_2")  # rents
    choose(page, "id_housing_condition_1")  # needs repair
    choose(page, "id_drinking_water_enough_0")  # yes
    choose(page, "id_water_source_0")
    choose(page, "id_electricity_0")
    choose(page, "id_waste_0")
    choose(page, "id_welfare_received_0")  # elderly allowance
    # the head and the grandchild (from the registry)
    page.locator("#id_members-0-occupation").select_option("daily_wage")
    page.locator("#id_members-0-income_year").fill("36000")
    page.locator("#id_members-0-education").select_option("primary")
    choose(page, "id_members-0-reads_thai_0")
    choose(page, "id_members-0-health_insurance_0")
    page.locator("#id_members-1-occupation").select_option("student")
    page.locator("#id_members-1-education").select_option("primary")
    choose(page, "id_members-1-in_school_0")
    choose(page, "id_members-1-reads_thai_0")
    choose(page, "id_members-1-health_insurance_0")
    # someone living there who is not registered: a card added on the phone, no round trip
    page.locator("[data-add-member]").click()
    assert page.locator("#member-2").is_visible()
    page.locator("#id_members-2-name").fill("นายแดง มาอยู่")
    page.locator("#id_members-2-age").fill("45")
    page.locator("#id_members-2-occupation").select_option("none")
    page.locator("#id_members-2-education").select_option("primary")
    choose(page, "id_members-2-reads_thai_1")  # cannot read and write Thai
    choose(page, "id_members-2-health_insurance_4")  # no health insurance
    page.locator("#id_needs").fill("อยากได้งานประจำและซ่อมหลังคา")
    assert page.evaluate(f"localStorage.getItem('chumchon-survey-{survey.pk}') !== null")

    # the connection drops while saving: nothing is lost
    def drop(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/surveys/*/edit/", drop)
    page.get_by_role("button", name="บันทึกร่าง").last.click()
    page.wait_for_timeout(500)
    page.unroute("**/surveys/*/edit/")
    page.goto(edit_url)
    assert page.locator("#survey-restored").is_visible()
    assert page.locator("#id_needs").input_value() == "อยากได้งานประจำและซ่อมหลังคา"
    assert page.locator("#id_members-2-name").input_value() == "นายแดง มาอยู่"
    assert page.locator("#id_members-2-health_insurance_4").is_checked()
    assert page.locator("#id_tenure_2").is_checked()
    survey.refresh_from_db()
    assert survey.needs == ""  # the server never got it

    # save the draft: stored, the device's copy dropped, the preview shown
    page.get_by_role("button", name="บันทึกร่าง").last.click()
    page.wait_for_url(edit_url)
    assert "บันทึกร่างแล้ว" in page.content()
    assert not page.locator("#survey-restored").is_visible()
    assert page.evaluate(f"localStorage.getItem('chumchon-survey-{survey.pk}')") is None
    survey.refresh_from_db()
    assert survey.needs == "อยากได้งานประจำและซ่อมหลังคา" and survey.members.count() == 3
    preview = page.locator("#preview").inner_text()
    assert "ผลการจัดกลุ่มหากส่งตอนนี้" in preview and "ครัวเรือนยากจน" in preview

    # autosave after a minute of typing
    page.locator("#id_savings").fill("500")
    page.clock.fast_forward(61_000)
    expect(page.locator("#survey-autosave")).to_contain_text("บันทึกร่างอัตโนมัติ")
    survey.refresh_from_db()
    assert str(survey.savings) == "500.00"
    page.screenshot(path=str(SHOTS / "survey-form.png"), full_page=True)
    page.screenshot(path="/tmp/survey_phone_top.png")

    # submit: the classification with its reasons
    page.get_by_role("button", name="ส่งแบบสำรวจ").click()
    page.wait_for_url(f"{live_server.url}/surveys/{survey.pk}/")
    survey.refresh_from_db()
    assert survey.status == "submitted" and survey.is_poor is True
    text = page.locator("#classification").inner_text()
    assert "ครัวเรือนยากจน" in text and "ต่ำกว่าเส้นความยากจน" in text
    assert "สมาชิก 1 คนไม่มีหลักประกันสุขภาพ" in text
    assert "คนวัยทำงาน 1 คนอ่านเขียนภาษาไทยไม่ได้" in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the survey page scrolls sideways ({width}px)"
    # the phone keeps no copy of a submitted survey's answers (incomes, names)
    page.wait_for_load_state("load")
    assert page.evaluate(f"localStorage.getItem('chumchon-survey-{survey.pk}')") is None
    page.screenshot(path=str(SHOTS / "survey-detail.png"), full_page=True)
    shutil.copy(SHOTS / "survey-detail.png", "/tmp/survey_phone.png")

    # back on the household page: the classification and the year's line
    page.goto(f"{live_server.url}/households/{household.pk}/")
    block = page.locator("#survey").inner_text()
    assert "ครัวเรือนยากจน" in block and str(survey.round.fiscal_year) in block
    page.locator("#survey").screenshot(path=str(SHOTS / "survey-household.png"))
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
