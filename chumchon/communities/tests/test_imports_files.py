"""Hostile and unusable files are refused before any parser sees them, with a `file:` line."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile

import pytest

from ..imports import files
from ..models import Person
from .test_imports import csv_bytes, people_file, person_row, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db):
    from .factories import make_community

    return make_community("HC001", district="1001")


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if python-calamine is asked to open the workbook."""
    import python_calamine

    def refuse(*args, **kwargs):
        raise AssertionError("the parser was called")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)


def workbook_with(extra: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A real xlsx (or `base`) with extra parts added."""
    data = base or people_file([person_row()], fmt="xlsx")[0]
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for name, content in extra.items():
            target.writestr(name, content)
    return buffer.getvalue()


def only_file_error(result) -> str:
    assert not result.committed
    assert len(result.error_lines) == 1, result.error_lines
    line = result.error_lines[0]
    assert line.startswith("file: ")
    assert " / " in line
    return line


def test_a_plain_workbook_passes_the_checks(community):
    assert run((workbook_with({}), "p.xlsx")).ok


def test_a_zip_bomb_is_refused_by_its_compression_ratio(community, no_parsing):
    data = workbook_with({"xl/media/zeros.bin": b"\0" * (30 * 1024 * 1024)})
    assert len(data) < 300 * 1024
    line = only_file_error(run((data, "p.xlsx")))
    assert "unpacks to an unreasonable size" in line


def test_a_workbook_unpacking_beyond_the_limit_is_refused(community, monkeypatch, no_parsing):
    monkeypatch.setattr(files, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    data = workbook_with({"xl/media/noise.bin": os.urandom(2 * 1024 * 1024)})  # ratio about 1
    line = only_file_error(run((data, "p.xlsx")))
    assert "unpacks to an unreasonable size (more than 1 MB" in line


def test_a_forged_zip_directory_is_caught_when_inflating(community, monkeypatch, no_parsing):
    payload = b"\0" * (8 * 1024 * 1024)
    data = bytearray(workbook_with({"xl/media/big.bin": payload}))
    real = struct.pack("<I", len(payload))
    fake = struct.pack("<I", 1000)
    # declared uncompressed size: local header (offset 22) and central directory (offset 24)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            if data[at + offset : at + offset + 4] == real:
                data[at + offset : at + offset + 4] = fake
            start = at + 4
    monkeypatch.setattr(files, "MAX_RATIO", 10**6)  # only the inflating check can catch it
    line = only_file_error(run((bytes(data), "p.xlsx")))
    assert "not really an Excel (.xlsx) workbook" in line


def test_a_workbook_with_macros_is_refused(community, no_parsing):
    data = workbook_with({"xl/vbaProject.bin": b"macro"})
    line = only_file_error(run((data, "p.xlsx")))
    assert line.startswith("file: Workbooks with macros are not accepted")


def test_a_workbook_with_external_links_is_refused(community, no_parsing):
    data = workbook_with({"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    line = only_file_error(run((data, "p.xlsx")))
    assert "external links" in line


def test_a_text_file_named_xlsx_is_refused(community, no_parsing):
    line = only_file_error(run((b"national_id,first_name\n1,2\n", "p.xlsx")))
    assert line.startswith("file: The file is not really an Excel (.xlsx) workbook.")


def test_a_zip_that_is_not_a_workbook_is_refused(community, no_parsing):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    line = only_file_error(run((buffer.getvalue(), "p.xlsx")))
    assert "not really an Excel (.xlsx) workbook" in line


def test_a_broken_zip_is_refused(community, no_parsing):
    data = people_file([person_row()], fmt="xlsx")[0][:2000]
    line = only_file_error(run((data, "p.xlsx")))
    assert "not really an Excel (.xlsx) workbook" in line


@pytest.mark.parametrize("name", ["p.xls", "p.xlsm", "p.txt", "p"])
def test_other_file_types_are_refused(community, name):
    line = only_file_error(run((b"anything", name)))
    assert "Only .xlsx workbooks and .csv files can be imported" in line


def test_a_file_over_the_upload_limit_is_refused(community, monkeypatch):
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 1024 * 1024)
    data = people_file([person_row()])[0] + b"\r\n" * (600 * 1024)
    assert len(data) > 1024 * 1024
    line = only_file_error(run((data, "p.csv")))
    assert line.startswith("file: The file is larger than 1 MB")


def test_the_real_upload_limit_is_100_mb():
    assert files.MAX_UPLOAD_BYTES == 100 * 1024 * 1024
    assert files.MAX_UNZIPPED_BYTES == 1024 * 1024 * 1024
    assert files.MAX_RATIO == 100
    assert files.MAX_XLSX_ROWS == 300_000


def test_xlsx_over_the_row_limit_is_refused_before_parsing(community, monkeypatch, no_parsing):
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 3)
    rows = [person_row(house_no=str(n)) for n in range(4)]
    line = only_file_error(run(people_file(rows, fmt="xlsx")))
    assert "The workbook has 4 rows; at most 3 can be imported" in line
    assert Person.objects.count() == 0


def test_xlsx_at_the_row_limit_is_imported(community, monkeypatch):
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 3)
    rows = [person_row(house_no=str(n)) for n in range(3)]
    assert run(people_file(rows, fmt="xlsx")).ok


def rewrite_sheet(data: bytes, change, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with its sheet's XML changed by `change(text) -> text`."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == part:
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return buffer.getvalue()


def test_the_declared_dimension_alone_refuses_a_sheet_before_parsing(
    community, monkeypatch, no_parsing
):
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 10)
    data = people_file([person_row()], fmt="xlsx")[0]
    data = rewrite_sheet(
        data, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:N51"', xml)
    )
    line = only_file_error(run((data, "p.xlsx")))
    assert "The workbook has 50 rows; at most 10 can be imported" in line


def test_without_a_dimension_the_rows_are_counted_before_parsing(
    community, monkeypatch, no_parsing
):
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 3)
    data = people_file([person_row(house_no=str(n)) for n in range(4)], fmt="xlsx")[0]
    data = rewrite_sheet(data, lambda xml: re.sub(r"<dimension [^>]*/>", "", xml))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<dimension" not in archive.read("xl/worksheets/sheet1.xml").decode()
    line = only_file_error(run((data, "p.xlsx")))
    assert "The workbook has 4 rows; at most 3 can be imported" in line


def test_the_row_count_follows_the_first_sheet_wherever_its_part_is(monkeypatch):
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 3)
    data = people_file([person_row(house_no=str(n)) for n in range(4)], fmt="xlsx")[0]
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            name = item.filename
            if name == "xl/worksheets/sheet1.xml":
                name = "xl/worksheets/people.xml"
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            if name == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"worksheets/sheet1.xml", b"/xl/worksheets/people.xml")
            if name == "[Content_Types].xml":
                content = content.replace(
                    b"/xl/worksheets/sheet1.xml", b"/xl/worksheets/people.xml"
                )
            target.writestr(name, content)
    with pytest.raises(files.FileRefused) as refused:
        files.check_xlsx(buffer.getvalue())
    assert refused.value.problem.params["count"] == "4"


def test_csv_has_no_row_limit(community, monkeypatch):
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 3)
    rows = [person_row(house_no=str(n)) for n in range(6)]
    assert run(people_file(rows)).ok
    assert Person.objects.count() == 6


def test_an_empty_file_is_refused(community):
    line = only_file_error(run((b"", "p.csv")))
    assert line.startswith("file: The file is empty.")


def test_a_header_without_data_is_refused(community):
    line = only_file_error(run(people_file([])))
    assert "has a header but no data" in line


def test_csv_read_as_cp874_when_not_utf8():
    assert files.csv_encoding("ชื่อ".encode("cp874")) == "cp874"
    assert files.csv_encoding("ชื่อ".encode()) == "utf-8-sig"
    assert files.csv_encoding(b"\xef\xbb\xbfabc") == "utf-8-sig"


def test_csv_files_are_streamed_not_loaded_as_a_list(community):
    sheet = files.open_sheet(csv_bytes(["a"], [["1"], ["2"]]), "x.csv")
    rows = iter(sheet)
    assert next(rows) == (1, ["a"])
    assert next(rows) == (2, ["1"])
