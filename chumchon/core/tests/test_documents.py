"""Official documents: running numbers, PDF rendering with an embedded Thai font, responses."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import translation

from chumchon.core.documents import (
    LocalOnlyFetcher,
    format_document_number,
    next_document_number,
    pdf_response,
    render_pdf,
)
from chumchon.core.models import DocumentCounter


@pytest.fixture
def poppler():
    """The PDF tests read the PDF back with poppler: missing tools fail, never skip."""
    missing = [tool for tool in ("pdffonts", "pdftotext") if not shutil.which(tool)]
    if missing:
        pytest.fail(
            f"poppler-utils missing ({', '.join(missing)}): run bash scripts/setup.sh test",
            pytrace=False,
        )


MEMO_CONTEXT = {
    "office": "กองสวัสดิการสังคม เทศบาลตำบลแม่เหียะ โทร. 0 5380 5000",
    "document_number": "ชม 51001/42/2567",
    "date": dt.date(2024, 3, 12),
    "subject": "ขออนุมัติจัดโครงการพัฒนาคุณภาพชีวิตผู้สูงอายุ ประจำปีงบประมาณ 2567",
    "to": "นายกเทศมนตรีตำบลแม่เหียะ",
    "paragraphs": [
        "ด้วยกองสวัสดิการสังคมมีความประสงค์จะจัดโครงการพัฒนาคุณภาพชีวิตผู้สูงอายุ "
        "เพื่อส่งเสริมสุขภาพกายและใจของผู้สูงอายุในชุมชน และสร้างเครือข่ายอาสาสมัครดูแล"
        "ผู้สูงอายุที่บ้าน โดยมีผู้เข้าร่วมโครงการประมาณ ๑๒๐ คน",
        "จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ",
    ],
    "signer_name": "นางสาวศรีสุดา ใจงาม",
    "signer_position": "ผู้อำนวยการกองสวัสดิการสังคม",
}


def _pdftotext(path: Path) -> str:
    """The text in content order (-raw), NFKC-normalised.

    Thai marks of a cluster may come out of canonical order and SARA AM as NIKHAHIT + SARA AA
    (see core.documents): equal up to NFKC. Layout mode (no -raw) may also split a raised
    tone mark onto its own line; -raw keeps the drawing order, as copy and paste does.
    """
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return unicodedata.normalize("NFKC", text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _pdffonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table as dicts: name, emb (the columns are fixed-width, names have no spaces)."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:  # header and dashes
        parts = line.split()
        # name type [type2] encoding emb sub uni object ID: count from the right.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


# --- PDF ---------------------------------------------------------------------------------


def test_memo_pdf_embeds_laksaman_and_extracts_thai(poppler, tmp_path):
    pdf = render_pdf("documents/memo.html", MEMO_CONTEXT)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "memo.pdf"
    path.write_bytes(pdf)

    fonts = _pdffonts(path)
    assert fonts, "no fonts in the PDF"
    laksaman = [f for f in fonts if "laksaman" in f["name"].lower()]
    assert laksaman, f"no Laksaman face: {fonts}"
    assert all(f["emb"] == "yes" for f in laksaman), fonts
    assert not [f for f in fonts if "sarabun" in f["name"].lower()], fonts

    text = _pdftotext(path)
    assert "บันทึกข้อความ" in text  # exactly, no normalisation needed
    for word in (
        "ส่วนราชการ",
        "ผู้สูงอายุ",  # marks of one cluster: ู and ้
        "ด้วย",
        "ที่บ้าน",
        "ตำบล",  # sara am
        "ประจำปี",
        "12 มีนาคม 2567",
        "ชม 51001/42/2567",
        "นางสาวศรีสุดา ใจงาม",
        "๑๒๐",
    ):
        assert _nfkc(word) in text, f"{word!r} not extracted from the PDF:\n{text}"


def test_long_memo_numbers_pages_in_thai_from_page_two(poppler, tmp_path):
    context = {**MEMO_CONTEXT, "paragraphs": MEMO_CONTEXT["paragraphs"][:1] * 30}
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf("documents/memo.html", context))
    pages = _pdftotext(path).split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert "๑" not in pages[0].replace("๑๒๐", "")  # no page number on page 1
    assert "- ๒ -" in pages[1]
    assert "- ๓ -" in pages[2]


def test_date_text_wins_over_date():
    from django.template.loader import render_to_string

    with translation.override("th"):  # as render_pdf renders it
        html = render_to_string(
            "documents/memo.html", {**MEMO_CONTEXT, "date_text": "๑๒ มีนาคม ๒๕๖๗"}
        )
        assert "๑๒ มีนาคม ๒๕๖๗" in html
        assert "12 มีนาคม 2567" not in html
        html = render_to_string("documents/memo.html", MEMO_CONTEXT)
        assert "12 มีนาคม 2567" in html


def test_pdf_is_thai_whatever_the_interface_language(poppler, tmp_path):
    with translation.override("en"):
        pdf = render_pdf("documents/memo.html", MEMO_CONTEXT)
        assert translation.get_language() == "en"  # the viewer's language is left alone
    path = tmp_path / "memo-en.pdf"
    path.write_bytes(pdf)
    text = _pdftotext(path)
    assert _nfkc("12 มีนาคม 2567") in text, text
    assert "March" not in text and "BE" not in text


# --- what a PDF may fetch ------------------------------------------------------------------


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def static_dir(tmp_path, settings):
    """A static directory holding one image, configured as STATICFILES_DIRS."""
    static = tmp_path / "static"
    (static / "img").mkdir(parents=True)
    (static / "img" / "garuda.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("not for PDFs")
    settings.STATIC_ROOT = tmp_path / "static_root"
    settings.STATICFILES_DIRS = [("vendor", tmp_path / "vendor"), static]
    return static


def test_fetcher_reads_files_of_the_static_directories(static_dir):
    fetcher = LocalOnlyFetcher()
    assert static_dir.resolve() in fetcher.roots
    assert (static_dir.parent / "vendor").resolve() in fetcher.roots  # (prefix, path) entries
    assert (static_dir.parent / "static_root").resolve() in fetcher.roots
    image = static_dir / "img" / "garuda.png"
    response = fetcher.fetch(image.as_uri())
    assert response.read() == PNG and response.content_type == "image/png"
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
    ],
)
def test_fetcher_refuses_other_files_and_the_network(static_dir, url):
    with pytest.raises(PermissionError):
        LocalOnlyFetcher().fetch(url)


def test_fetcher_refuses_a_way_out_of_the_static_directory(static_dir):
    fetcher = LocalOnlyFetcher()
    sneaky = static_dir.as_uri() + "/img/../../secret.txt"
    with pytest.raises(PermissionError):
        fetcher.fetch(sneaky)
    with pytest.raises(PermissionError):
        fetcher.fetch(static_dir.as_uri() + "/%2e%2e/secret.txt")
    link = static_dir / "img" / "link.txt"
    link.symlink_to(static_dir.parent / "secret.txt")
    with pytest.raises(PermissionError):
        fetcher.fetch(link.as_uri())


def test_a_pdf_never_embeds_a_file_outside_static(static_dir, monkeypatch):
    """A template showing <img src="file:///etc/passwd"> renders, without reading the file."""
    from chumchon.core import documents

    fetched: list[str] = []
    real_fetch = LocalOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = real_fetch(self, url, headers)
        except PermissionError:
            fetched.append(f"refused {url}")
            raise
        fetched.append(f"read {url}")
        return response

    monkeypatch.setattr(LocalOnlyFetcher, "fetch", spy)
    image = (static_dir / "img" / "garuda.png").as_uri()
    html = (
        '<html><body><img src="file:///etc/passwd"><img src="' + image + '"><p>ทดสอบ</p>'
        "</body></html>"
    )
    monkeypatch.setattr(documents, "render_to_string", lambda name, context: html)
    pdf = render_pdf("documents/memo.html", {})
    assert pdf.startswith(b"%PDF-")
    assert b"root:" not in pdf
    assert fetched == ["refused file:///etc/passwd", f"read {image}"]


def test_render_pdf_refuses_th_sarabun(settings):
    settings.PDF_FONT_FAMILY = "TH Sarabun New"
    with pytest.raises(ImproperlyConfigured):
        render_pdf("documents/memo.html", MEMO_CONTEXT)


def test_pdf_response_thai_filename():
    response = pdf_response(b"%PDF-1.7 x", "บันทึก ข้อความ 42/2567.pdf")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert 'filename="' in disposition
    assert "filename*=UTF-8''" in disposition
    star = disposition.split("filename*=UTF-8''", 1)[1]
    from urllib.parse import unquote

    assert unquote(star) == "บันทึก ข้อความ 42_2567.pdf"  # no path separator survives
    disposition.encode("latin-1")  # a header value must be Latin-1 (here: ASCII)
    assert response.content == b"%PDF-1.7 x"


def test_pdf_response_attachment_and_unsafe_names():
    response = pdf_response(b"%PDF", '../../etc/"passwd"\r\n', inline=False)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "\r" not in disposition and "\n" not in disposition
    assert "/" not in disposition.split("filename*=UTF-8''", 1)[1]
    assert disposition.split(";")[1].strip().startswith('filename="')
    assert 'filename="etc_passwd.pdf"' in disposition
    assert 'filename="report.pdf"' in pdf_response(b"", "report.pdf")["Content-Disposition"]


# --- running numbers ---------------------------------------------------------------------


def test_format_document_number():
    assert format_document_number("ชม 51001", 42, 2567) == "ชม 51001/42/2567"
    assert format_document_number("ชม 51001", 7, 2567, "ว") == "ชม 51001/ว 7/2567"


@pytest.mark.django_db
def test_numbers_run_1_2_3_per_issuer_and_year():
    on = dt.date(2024, 3, 12)
    got = [next_document_number(issuer_code="ชม 51001", on=on) for _ in range(3)]
    assert got == [
        (1, "ชม 51001/1/2567"),
        (2, "ชม 51001/2/2567"),
        (3, "ชม 51001/3/2567"),
    ]
    counter = DocumentCounter.objects.get(issuer_code="ชม 51001", series="", year_be=2567)
    assert counter.last_number == 3


@pytest.mark.django_db
def test_separate_sequences_per_issuer_series_and_year():
    dec = dt.date(2024, 12, 31)  # BE 2567
    jan = dt.date(2025, 1, 1)  # BE 2568
    assert next_document_number(issuer_code="A", on=dec) == (1, "A/1/2567")
    assert next_document_number(issuer_code="A", on=dec) == (2, "A/2/2567")
    assert next_document_number(issuer_code="B", on=dec) == (1, "B/1/2567")
    assert next_document_number(issuer_code="A", series="ว", on=dec) == (1, "A/ว 1/2567")
    assert next_document_number(issuer_code="A", on=jan) == (1, "A/1/2568")
    assert next_document_number(issuer_code="A", on=dec) == (3, "A/3/2567")
    assert next_document_number(issuer_code="A", series="ว", on=jan) == (1, "A/ว 1/2568")
    assert DocumentCounter.objects.count() == 5


@pytest.mark.django_db
def test_year_of_an_aware_datetime_is_read_in_bangkok():
    # 31 Dec 2024 18:00 UTC is 1 Jan 2025 01:00 in Bangkok: BE 2568.
    on = dt.datetime(2024, 12, 31, 18, 0, tzinfo=dt.UTC)
    assert next_document_number(issuer_code="A", on=on) == (1, "A/1/2568")


@pytest.mark.django_db
def test_default_date_is_today_in_bangkok(monkeypatch):
    from django.utils import timezone

    # 31 Dec 2024 17:30 UTC = 1 Jan 2025 00:30 in Bangkok.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2024, 12, 31, 17, 30, tzinfo=dt.UTC))
    assert next_document_number(issuer_code="A") == (1, "A/1/2568")


@pytest.mark.django_db
def test_rollback_gives_the_number_back():
    from django.db import transaction

    on = dt.date(2024, 3, 12)
    assert next_document_number(issuer_code="A", on=on)[0] == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_document_number(issuer_code="A", on=on)[0] == 2
        raise RuntimeError("the document failed to save")
    assert next_document_number(issuer_code="A", on=on)[0] == 2


@pytest.mark.django_db
def test_counter_created_by_a_racing_request(monkeypatch):
    """The row appears between our SELECT and our INSERT: the IntegrityError is absorbed."""
    from django.db.models import query

    on = dt.date(2024, 3, 12)
    real_first = query.QuerySet.first
    calls = {"n": 0}

    def first_after_a_rival_created_it(self):
        result = real_first(self)
        if self.model is DocumentCounter and calls["n"] == 0:
            calls["n"] += 1
            DocumentCounter.objects.create(issuer_code="A", series="", year_be=2567, last_number=5)
            return None  # we did not see it
        return result

    monkeypatch.setattr(query.QuerySet, "first", first_after_a_rival_created_it)
    assert next_document_number(issuer_code="A", on=on) == (6, "A/6/2567")
    assert DocumentCounter.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "   ", "x" * 51])
def test_bad_issuer_code(code):
    with pytest.raises(ValueError):
        next_document_number(issuer_code=code)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_numbers_have_no_gaps_or_duplicates():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across threads need PostgreSQL")
    on = dt.date(2024, 3, 12)
    threads_n, per_thread = 8, 10
    barrier = threading.Barrier(threads_n)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            for _ in range(per_thread):
                number, _text = next_document_number(issuer_code="CONC", on=on)
                with lock:
                    results.append(number)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == threads_n * per_thread
    assert sorted(results) == list(range(1, threads_n * per_thread + 1))
    assert DocumentCounter.objects.get(issuer_code="CONC").last_number == 80
