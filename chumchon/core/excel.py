"""Excel in and out, shared by every module.

Writing: xlsxwriter with formulas off (a cell that starts with "=" stays text, so a name typed
as "=HYPERLINK(...)" cannot become a live formula). Reading: python-calamine for xlsx, after a
check of the zip (size, ratio, members, macros); CSV for large inputs (UTF-8 or Thai cp874).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """[(sheet name, header, rows)] -> xlsx bytes. Decimals are written as numbers with the
    decimals they carry; dates as Excel dates shown d/m/yyyy."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    money_fmt = book.add_format({"num_format": "#,##0.00"})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, list(header), bold)
        widths = [max(8, len(str(h)) + 2) for h in header]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), money_fmt)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value.replace(tzinfo=None), date_fmt)
                elif isinstance(value, date):
                    sheet.write_datetime(
                        r, c, datetime(value.year, value.month, value.day), date_fmt
                    )
                elif value is None:
                    sheet.write_blank(r, c, None)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
                if c < len(widths):
                    widths[c] = min(60, max(widths[c], len(str(value)) + 2))
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def check_xlsx_safety(data: bytes) -> None:
    """Refuse zip bombs and macro-carrying workbooks before any parser sees them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("The file is not a valid Excel (.xlsx) workbook."), code="bad_xlsx"
        ) from exc
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValidationError(_("The workbook has too many parts."), code="xlsx_members")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(len(data), 1) + 10 * 1024 * 1024:
        raise ValidationError(_("The workbook unpacks to an unreasonable size."), code="xlsx_bomb")
    if any(m.filename.lower().endswith("vbaproject.bin") for m in members):
        raise ValidationError(_("Workbooks with macros are not accepted."), code="xlsx_macro")


def read_xlsx_rows(data: bytes, sheet: int | str = 0) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    check_xlsx_safety(data)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    name = book.sheet_names[sheet] if isinstance(sheet, int) else sheet
    return book.get_sheet_by_name(name).to_python()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp874 as Thai Windows Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp874")


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(decode_csv(data))))
