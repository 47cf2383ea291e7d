"""The election documents: the announcement of results (certified elections only, a running
number kept across reprints) and the voter signing sheet, read back from the PDF with poppler."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.urls import reverse

from chumchon.communities.tests.factories import community_for_area, make_household, make_person
from chumchon.core.models import AuditEvent, DocumentCounter
from chumchon.organizations.models import Area

from ..documents import thai_date_words
from ..models import Candidate, CommitteeTerm, Election
from .factories import be2534, make_election, make_voter

pytestmark = pytest.mark.django_db

CERTIFIED_AT = dt.datetime(2026, 6, 3, 10, 0, tzinfo=dt.UTC)  # 3 June 2026 in Bangkok: BE 2569
ELECTED = ["สมศรี มีสุข", "ประยูร ใจกว้าง", "วิไล รักษ์ถิ่น"]
RESERVE = ["บุญมา ทองดี", "สุดา แสงจันทร์"]


@pytest.fixture
def poppler():
    missing = [tool for tool in ("pdftotext",) if not shutil.which(tool)]
    if missing:
        pytest.fail(f"poppler-utils missing ({', '.join(missing)})", pytrace=False)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return unicodedata.normalize("NFKC", text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Without whitespace: a phrase may wrap anywhere (Thai has no spaces between words)."""
    return re.sub(r"\s+", "", nfkc(text))


def own_community():
    return community_for_area(Area.objects.get(code="T-1001-01"))


def certified(community=None, **values) -> Election:
    """A certified election of 3 seats: 3 elected, 2 in reserve (the last two tied, by lot)."""
    community = community or own_community()
    defaults = {
        "status": Election.Status.CERTIFIED,
        "eligible_voters": 120,
        "ballots_issued": 100,
        "ballots_cast": 90,
        "ballots_spoiled": 3,
        "ballots_blank": 2,
        "tie_break_method": "การจับสลาก",
        "tie_break_note": "หมายเลข 5 จับได้ก่อนหมายเลข 4",
        "certified_at": CERTIFIED_AT,
        **values,
    }
    election = make_election(community, dt.date(2026, 6, 1), seats=3, **defaults)
    votes = [70, 60, 50, 20, 20]
    for i, name in enumerate(ELECTED + RESERVE):
        first, last = name.split()
        Candidate.objects.create(
            election=election,
            person=make_voter(community, first_name=first, last_name=last, prefix="นาง"),
            number=i + 1 if i < 3 else 8 - i,  # the tied reserve: no. 5 drawn before no. 4
            votes=votes[i],
            rank=i + 1,
            by_lot=i >= 3,
            outcome=Candidate.Outcome.ELECTED if i < 3 else Candidate.Outcome.RESERVE,
        )
    CommitteeTerm.objects.create(
        community=community,
        policy=be2534(),
        election=election,
        seats=3,
        starts_on=dt.date(2026, 6, 3),
        ends_on=dt.date(2028, 6, 2),
        status=CommitteeTerm.Status.IN_OFFICE,
    )
    return election


def test_thai_date_words():
    assert thai_date_words(dt.date(2026, 6, 1)) == "วันจันทร์ที่ 1 มิถุนายน พ.ศ. 2569"
    assert thai_date_words(dt.date(2024, 3, 10)) == "วันอาทิตย์ที่ 10 มีนาคม พ.ศ. 2567"


def test_announcement_pdf_of_a_certified_election(clients, poppler, tmp_path):
    election = certified()
    response = clients["district_officer"].get(
        reverse("election-announcement-pdf", args=[election.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    election.refresh_from_db()
    assert election.document_no == "กท 1001/1/2569"
    for phrase in (
        "ประกาศสำนักงานเขตพระนคร",
        "ผลการเลือกตั้งกรรมการชุมชน ชุมชนทดสอบ 1001",
        "วันจันทร์ที่ 1 มิถุนายน พ.ศ. 2569",
        "ที่ กท 1001/1/2569",
        "ประกาศ ณ วันที่ 3 มิถุนายน 2569",
        "ผู้อำนวยการเขตพระนคร",
        "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534",
        "คิดเป็นร้อยละ 75.00",  # 90 of 120
        "หมายเลข 5 จับได้ก่อนหมายเลข 4",
        "ถึงวันที่ 2 มิถุนายน 2571",
    ):
        assert squash(phrase) in squash(text), f"{phrase!r} not in the PDF:\n{text}"
    for name in ELECTED + RESERVE:
        assert nfkc(f"นาง{name}") in text, name
    # the elected in rank order, then the reserve list
    positions = [text.index(nfkc(f"นาง{name}")) for name in ELECTED + RESERVE]
    assert positions == sorted(positions)
    # counts: eligible, issued, cast, spoiled, blank, valid
    for label, value in (
        ("ผู้มีสิทธิเลือกตั้ง", "120"),
        ("บัตรเลือกตั้งที่จ่าย", "100"),
        ("ผู้มาใช้สิทธิเลือกตั้ง", "90"),
        ("บัตรเสีย", "3"),
        ("บัตรไม่เลือกผู้สมัครผู้ใดเลย", "2"),
        ("บัตรดี", "85"),
    ):
        assert re.search(re.escape(nfkc(label)) + r"\s+" + value + r"\b", text), label


def test_the_document_number_is_taken_once_and_reused_on_reprint(clients, poppler, tmp_path):
    election = certified()
    url = reverse("election-announcement-pdf", args=[election.pk])
    first = pdf_text(clients["district_officer"].get(url).content, tmp_path)
    second = pdf_text(clients["district_head"].get(url).content, tmp_path)
    assert "กท 1001/1/2569" in first and "กท 1001/1/2569" in second
    counter = DocumentCounter.objects.get(issuer_code="กท 1001", year_be=2569)
    assert counter.last_number == 1
    assert AuditEvent.objects.filter(action="committees.announcement_number").count() == 1
    # the next certified election of the district gets the next number
    other = certified(make_community_in_1001())
    clients["district_officer"].get(reverse("election-announcement-pdf", args=[other.pk]))
    other.refresh_from_db()
    assert other.document_no == "กท 1001/2/2569"


def make_community_in_1001():
    from chumchon.communities.tests.factories import make_community

    return make_community("T-1001-02", district="1001", name_th="ชุมชนริมคลอง")


def test_unopposed_election_announcement_has_no_vote_counts(clients, poppler, tmp_path):
    election = certified(
        unopposed=True,
        ballots_issued=None,
        ballots_cast=None,
        ballots_spoiled=None,
        ballots_blank=None,
        tie_break_method="",
        tie_break_note="",
    )
    response = clients["district_officer"].get(
        reverse("election-announcement-pdf", args=[election.pk])
    )
    text = pdf_text(response.content, tmp_path)
    assert nfkc("โดยไม่มีผู้แข่งขัน") in text
    assert nfkc("บัตรเสีย") not in text


@pytest.mark.parametrize("status", ["planned", "results", "cancelled"])
def test_announcement_of_an_uncertified_election_is_409_with_a_message(clients, status):
    election = make_election(own_community(), status=status)
    response = clients["district_officer"].get(
        reverse("election-announcement-pdf", args=[election.pk])
    )
    assert response.status_code == 409
    assert "รับรองผล" in response.content.decode()
    election.refresh_from_db()
    assert election.document_no == ""
    assert not DocumentCounter.objects.exists()


def test_committee_member_prints_their_own_community_documents(clients):
    election = certified()
    for name in ("election-announcement-pdf", "election-voters-pdf"):
        response = clients["committee_member"].get(reverse(name, args=[election.pk]))
        assert response.status_code == 200, name


def test_documents_outside_reach_are_404_and_anonymous_goes_to_login(clients):
    other = certified(community_for_area(Area.objects.get(code="T-1004-01")))
    for name in ("election-announcement-pdf", "election-voters-pdf"):
        url = reverse(name, args=[other.pk])
        assert clients["district_officer"].get(url).status_code == 404
        assert clients["committee_member"].get(url).status_code == 404
        assert clients["central_officer"].get(url).status_code == 200
        response = clients["anonymous"].get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    other.refresh_from_db()
    assert other.document_no.startswith("กท 1004/")  # printed by the central officer


def test_voter_signing_sheet(clients, poppler, tmp_path):
    community = own_community()
    household = make_household(community, house_no="99/7")
    voter = make_person(
        household,
        first_name="มานี",
        last_name="มีนา",
        prefix="นางสาว",
        birth_date=dt.date(1990, 1, 1),
        since=dt.date(2020, 1, 1),
    )
    make_person(  # too young on election day: not on the sheet
        household, first_name="เด็กชาย", last_name="มีนา", birth_date=dt.date(2015, 1, 1)
    )
    election = make_election(community, dt.date(2026, 6, 1), place="ศาลาวัดบวร")
    response = clients["district_officer"].get(reverse("election-voters-pdf", args=[election.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for phrase in (
        "บัญชีรายชื่อผู้มีสิทธิเลือกตั้งกรรมการชุมชน",
        "ชุมชนทดสอบ 1001 เขตพระนคร",
        "วันจันทร์ที่ 1 มิถุนายน พ.ศ. 2569",
        "ศาลาวัดบวร",
        "ลายมือชื่อ",
        "นางสาวมานี มีนา",
        "99/7",
        "หน้า 1 / 1",
        "รวมผู้มีสิทธิเลือกตั้ง 1 คน",
    ):
        assert squash(phrase) in squash(text), f"{phrase!r} not in the PDF:\n{text}"
    assert nfkc("เด็กชาย") not in text
    assert voter.national_id not in text.replace("-", "").replace(" ", "")
    assert not re.search(r"\d{13}", text.replace("-", "").replace(" ", ""))


def test_long_voter_sheet_numbers_its_pages(clients, poppler, tmp_path):
    community = own_community()
    for i in range(45):
        make_voter(community, first_name=f"ผู้มีสิทธิ{i:02d}")
    election = make_election(community, dt.date(2026, 6, 1))
    response = clients["district_officer"].get(reverse("election-voters-pdf", args=[election.pk]))
    text = pdf_text(response.content, tmp_path)
    pages = re.findall(r"หน้า (\d+) / (\d+)", text)
    assert len(pages) >= 2 and pages[0] == ("1", pages[0][1]) and pages[-1][0] == pages[-1][1]
    assert "รวมผู้มีสิทธิเลือกตั้ง 45 คน" in text
    assert text.count(nfkc("ลายมือชื่อ")) >= 2  # the table head repeats on a new page


def test_voter_sheet_of_a_cancelled_election_is_409(clients):
    election = make_election(own_community(), status="cancelled")
    response = clients["district_officer"].get(reverse("election-voters-pdf", args=[election.pk]))
    assert response.status_code == 409
