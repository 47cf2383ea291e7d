"""In Debian's chromium: upload a file with errors, then a good one; screenshots to look at
in var/screenshots/ (import-form-th.png, import-errors-th.png, import-done-th.png)."""

from __future__ import annotations

import pytest

from chumchon.conftest import make_user
from chumchon.portal.tests.test_browser import SHOTS, live_server, page  # noqa: F401

from ..models import Person
from .factories import make_community
from .test_imports import people_file, person_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_officer_imports_a_file_sees_errors_then_succeeds(page, live_server, settings, tmp_path):  # noqa: F811
    settings.CHUMCHON_REQUIRE_OTP = False
    make_user("officer", "district_officer", "1001", display_name="วิภา ขยันงาน")
    make_community("HC001", district="1001")
    SHOTS.mkdir(parents=True, exist_ok=True)
    bad = tmp_path / "members.xlsx"
    rows = [person_row(relation="หัวหน้าครัวเรือน"), person_row(national_id="1101700230709")]
    rows += [person_row(sex="ไม่ทราบ"), person_row(relation="หัวหน้า")]
    bad.write_bytes(people_file(rows, fmt="xlsx")[0])
    good = tmp_path / "members.csv"
    good.write_bytes(people_file([person_row(relation="หัวหน้าครัวเรือน"), person_row()])[0])

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("officer")
    page.get_by_label("รหัสผ่าน").fill("pw-test-123")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/imports/")
    assert page.locator("h1").inner_text() == "นำเข้าจาก Excel"
    page.screenshot(path=str(SHOTS / "import-form-th.png"), full_page=True)
    page.get_by_label("ไฟล์ (.xlsx หรือ .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="ตรวจและนำเข้า").click()
    page.wait_for_url("**/imports/*/")
    page.wait_for_selector(".import-errors")
    text = page.locator("#import-progress").inner_text()
    assert "ไฟล์มีข้อผิดพลาด 3 รายการ" in text
    assert "row 3, column เลขประจำตัวประชาชน:" in text
    page.screenshot(path=str(SHOTS / "import-errors-th.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="ดาวน์โหลดไฟล์ข้อผิดพลาด").click()
    assert download.value.suggested_filename == "errors-members.xlsx"

    page.get_by_role("link", name="นำเข้าไฟล์อื่น").click()
    page.get_by_label("ไฟล์ (.xlsx หรือ .csv)").set_input_files(str(good))
    page.get_by_role("button", name="ตรวจและนำเข้า").click()
    page.wait_for_selector(".alert-success")
    assert Person.objects.count() == 2
    page.screenshot(path=str(SHOTS / "import-done-th.png"), full_page=True)
    assert not page.console_errors
