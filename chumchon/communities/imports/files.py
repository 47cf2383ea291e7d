"""Reading an uploaded file safely: refuse hostile files before any parser sees them, then
yield its rows with the row numbers the spreadsheet shows.

Limits (module constants, so tests can lower them):
- at most MAX_UPLOAD_BYTES uploaded (100 MB);
- an xlsx may unpack to at most MAX_UNZIPPED_BYTES (1 GB) at a compression ratio of at most
  MAX_RATIO (100), and have at most MAX_MEMBERS parts; the sizes its zip directory declares are
  checked, then verified by inflating every part (a forged directory fails its CRC check);
- no macros (`vbaProject.bin`), no external links (`xl/externalLinks/`), and it must really be
  an Excel workbook (`xl/workbook.xml`), not a renamed zip or document;
- an xlsx holds at most MAX_XLSX_ROWS rows (python-calamine loads a whole sheet into memory),
  checked before it is parsed: the first sheet's `<dimension ref="A1:M300001"/>`, its `<row>`
  elements and their numbers are read while its part is inflated for the checks above; CSV has
  no row limit and is streamed with `csv.reader`.

CSV: UTF-8 with or without a BOM, else cp874 (TIS-620), which Thai Excel writes with "Save as
CSV"; the delimiter is a comma, or a semicolon or tab when the header line uses one.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from .problems import FileRefused

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
MAX_XLSX_ROWS = 300_000
EXTENSIONS = (".xlsx", ".csv")

_CHUNK = 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


def file_format(filename: str, data: bytes) -> str:
    """ "xlsx" or "csv", by the file's name; anything else is refused."""
    name = (filename or "").lower().strip()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".xls", ".xlsm", ".xlsb", ".ods")):
        raise FileRefused(
            _(
                "Only .xlsx workbooks and .csv files can be imported: open the file in Excel and "
                'save it as "Excel Workbook (.xlsx)" or "CSV UTF-8".'
            )
        )
    raise FileRefused(_("Only .xlsx workbooks and .csv files can be imported."))


def check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise FileRefused(
            _("The file is larger than %(max)s MB: split it into smaller files."),
            max=MAX_UPLOAD_BYTES // (1024 * 1024),
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))


def check_xlsx(data: bytes) -> None:
    """Refuse anything but a plain, reasonably sized Excel workbook. Nothing is parsed."""
    if not data.startswith(_ZIP_MAGIC):
        raise FileRefused(_("The file is not really an Excel (.xlsx) workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise FileRefused(_("The file is not really an Excel (.xlsx) workbook.")) from exc
    with archive:
        members = archive.infolist()
        names = [m.filename.replace("\\", "/").lower() for m in members]
        if len(members) > MAX_MEMBERS:
            raise FileRefused(
                _("The workbook has too many parts (at most %(max)s)."), max=MAX_MEMBERS
            )
        if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
            raise FileRefused(
                _("Workbooks with macros are not accepted: save it as .xlsx without macros.")
            )
        if any(n.startswith("xl/externallinks/") for n in names):
            raise FileRefused(
                _(
                    "The workbook links to other workbooks (external links): copy the values "
                    "into this workbook and remove the links."
                )
            )
        if "xl/workbook.xml" not in names:
            raise FileRefused(_("The file is not really an Excel (.xlsx) workbook."))
        by_name = {m.filename.replace("\\", "/").lower(): m for m in members}
        counter = _RowCounter(_first_sheet_part(archive, by_name))
        _check_unpacked(archive, members, len(data), counter)
    _check_rows(counter.last_row)


def _check_rows(last_row: int) -> None:
    """Refuse a workbook whose first sheet reaches beyond MAX_XLSX_ROWS data rows."""
    if last_row - 1 > MAX_XLSX_ROWS:
        raise FileRefused(
            _(
                "The workbook has %(count)s rows; at most %(max)s can be imported from one "
                "workbook. Split it, or save it as CSV (no limit)."
            ),
            count=f"{last_row - 1:,}",
            max=f"{MAX_XLSX_ROWS:,}",
        )


_HEAD_BYTES = 64 * 1024
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheet(?=[\s/>])[^>]*>")
_REL_ID = re.compile(rb"\s[A-Za-z_][\w.\-]*:id\s*=\s*[\"']([^\"']*)[\"']")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Relationship(?=[\s/>])[^>]*>")
_ATTRIBUTE = re.compile(rb"\s(Id|Target)\s*=\s*[\"']([^\"']*)[\"']")
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']"
)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row(?=[\s/>])([^<>]*)")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d{1,9})[\"']")
_DIGITS = re.compile(rb"\d+")


def _read_head(archive: zipfile.ZipFile, member: zipfile.ZipInfo | None) -> bytes:
    if member is None:
        return b""
    try:
        with archive.open(member) as stream:
            return stream.read(_HEAD_BYTES * 16)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
        return b""  # the full check that follows refuses it with the right message


def _first_sheet_part(archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> str:
    """The (lower-case) name of the first sheet's part, as workbook.xml and its relationships
    say (the sheet python-calamine reads); xl/worksheets/sheet1.xml when they do not."""
    fallback = "xl/worksheets/sheet1.xml"
    sheet = _SHEET_TAG.search(_read_head(archive, by_name.get("xl/workbook.xml")))
    rel_id = _REL_ID.search(sheet.group(0)) if sheet else None
    if rel_id is None:
        return fallback
    rels = _read_head(archive, by_name.get("xl/_rels/workbook.xml.rels"))
    for tag in _RELATIONSHIP.finditer(rels):
        attributes = dict(_ATTRIBUTE.findall(tag.group(0)))
        if attributes.get(b"Id") == rel_id.group(1) and attributes.get(b"Target"):
            target = attributes[b"Target"].decode("utf-8", "replace").replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return posixpath.normpath(path).lower()
    return fallback


class _RowCounter:
    """Reads the first sheet's part as it is inflated: its declared dimension, the number of
    `<row>` elements and the highest row number; `last_row` is the largest of the three."""

    def __init__(self, part: str):
        self.part = part
        self.head = b""
        self.dimension = 0
        self.rows = 0
        self.highest = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < _HEAD_BYTES:
            self.head += chunk[: _HEAD_BYTES - len(self.head)]
            found = _DIMENSION.search(self.head)
            if found and not self.dimension:
                numbers = _DIGITS.findall(found.group(1))
                self.dimension = int(numbers[-1]) if numbers else 0
        text = self._tail + chunk
        cut = text.rfind(b"<")
        if cut < 0:
            self._tail = b""
            return
        self._scan(text[:cut])
        # an unfinished tag waits for the next chunk (a tag longer than the head is dropped)
        self._tail = text[cut:] if len(text) - cut <= _HEAD_BYTES else b""

    def finish(self) -> None:
        self._scan(self._tail)
        self._tail = b""

    def _scan(self, text: bytes) -> None:
        for row in _ROW.finditer(text):
            self.rows += 1
            number = _ROW_NUMBER.search(row.group(1))
            if number:
                self.highest = max(self.highest, int(number.group(1)))

    @property
    def last_row(self) -> int:
        return max(self.dimension, self.rows, self.highest)


def _refuse_bomb() -> FileRefused:
    return FileRefused(
        _(
            "The workbook unpacks to an unreasonable size (more than %(max)s MB, or more than "
            "%(ratio)s times its size): it is refused."
        ),
        max=MAX_UNZIPPED_BYTES // (1024 * 1024),
        ratio=MAX_RATIO,
    )


def _check_unpacked(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], size: int, counter: _RowCounter
) -> None:
    limit = min(MAX_UNZIPPED_BYTES, MAX_RATIO * max(size, 1))
    if sum(m.file_size for m in members) > limit:
        raise _refuse_bomb()
    # The directory may lie: inflate every part, counting, and let zipfile check sizes and CRCs.
    # The first sheet's rows are counted on the way.
    total = 0
    try:
        for member in members:
            sheet = member.filename.replace("\\", "/").lower() == counter.part
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise _refuse_bomb()
                    if sheet:
                        counter.feed(chunk)
            if sheet:
                counter.finish()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
    ) as exc:
        raise FileRefused(_("The file is not really an Excel (.xlsx) workbook.")) from exc
    except RuntimeError as exc:  # an encrypted part
        raise FileRefused(_("Password-protected workbooks cannot be imported.")) from exc


# --- rows ------------------------------------------------------------------------------------


class Sheet:
    """A file's rows as (spreadsheet row number, [cells]); blank rows are skipped."""

    def __init__(self, rows: Iterator[tuple[int, list[Any]]], total: int | None, fmt: str):
        self._rows = rows
        self.total = total  # data rows (estimate for CSV: None)
        self.format = fmt

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self._rows


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def open_sheet(data: bytes, filename: str, *, checked: bool = False) -> Sheet:
    """Check the file (unless `checked`) and open its rows; raises FileRefused."""
    check_size(len(data))
    fmt = file_format(filename, data)
    if fmt == "xlsx":
        if not checked:
            check_xlsx(data)
        return _xlsx_sheet(data)
    return _csv_sheet(data)


def _xlsx_sheet(data: bytes) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise FileRefused(_("The workbook has no sheet."))
        sheet = book.get_sheet_by_name(book.sheet_names[0])
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types
        raise FileRefused(
            _("The workbook cannot be read: save it again from Excel as .xlsx.")
        ) from exc
    rows_used = sheet.height
    _check_rows(rows_used)  # checked before parsing already; a second guard

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if not _blank(cells):
                yield number, list(cells)

    return Sheet(rows(), max(rows_used - 1, 0), "xlsx")


def csv_encoding(data: bytes) -> str:
    """utf-8-sig when the whole file is valid UTF-8 (checked in chunks), else cp874."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp874"
    return "utf-8-sig"


def _delimiter(first_line: str) -> str:
    if "," in first_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in first_line:
            return candidate
    return ","


def _csv_sheet(data: bytes) -> Sheet:
    encoding = csv_encoding(data)
    head = data[:4096].decode(encoding, errors="replace").splitlines()
    delimiter = _delimiter(head[0] if head else "")
    total = max(data.count(b"\n") - 1, 0) or None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
        try:
            reader = csv.reader(text, delimiter=delimiter)
            for number, cells in enumerate(reader, start=1):
                if not _blank(cells):
                    yield number, cells
        except csv.Error as exc:
            raise FileRefused(
                _("The CSV file cannot be read: %(reason)s."), reason=str(exc)
            ) from exc

    return Sheet(rows(), total, "csv")
