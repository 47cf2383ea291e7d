"""Excel in and out, shared by every module.

Writing: xlsxwriter with formulas off, so a text cell is always stored as text; a text that a
spreadsheet would read as a formula (it starts with "=", "+", "-", "@" or their full-width
forms, possibly after spaces, or with a tab or carriage return) also gets Excel's quote
prefix, so that editing the cell later does not turn it into a live formula. Dates are Excel
dates shown with the Buddhist-era year ("dd/mm/bbbb"). CSV for Excel (`write_csv`): UTF-8 with
a BOM, such texts prefixed with a single quote. Reading: python-calamine for xlsx, after a
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
from django.utils import timezone
from django.utils.translation import gettext as _

from .dates import format_date

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000

#: Excel's date format with the Buddhist-era year ("bbbb"): 12/03/2567.
DATE_FORMAT = "dd/mm/bbbb"
#: First characters (after leading whitespace) that make a spreadsheet read a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: First characters that are dangerous even before whitespace is skipped.
CONTROL_STARTS = ("\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet read this text as a formula? "=1+1", "  +A1", "＝HYPERLINK(...)"."""
    return text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def _local(value: datetime) -> datetime:
    """A naive datetime in local (Bangkok) time: an aware one is converted first."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """[(sheet name, header, rows)] -> xlsx bytes. Decimals are written as numbers with the
    decimals they carry; dates (and datetimes, in local time) as Excel dates shown
    dd/mm/bbbb, i.e. with the Buddhist-era year; text as text, never as a formula."""
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
    bold_quoted = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "quote_prefix": True}
    )
    date_fmt = book.add_format({"num_format": DATE_FORMAT})
    money_fmt = book.add_format({"num_format": "#,##0.00"})
    quoted = book.add_format({"quote_prefix": True})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        for c, title in enumerate(header):
            text = str(title)
            sheet.write_string(0, c, text, bold_quoted if looks_like_formula(text) else bold)
        widths = [max(8, len(str(h)) + 2) for h in header]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), money_fmt)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, _local(value), date_fmt)
                elif isinstance(value, date):
                    sheet.write_datetime(
                        r, c, datetime(value.year, value.month, value.day), date_fmt
                    )
                elif value is None:
                    sheet.write_blank(r, c, None)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    text = str(value)
                    if looks_like_formula(text):
                        sheet.write_string(r, c, text, quoted)
                    else:
                        sheet.write_string(r, c, text)
                if c < len(widths):
                    widths[c] = min(60, max(widths[c], len(str(value)) + 2))
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        local = _local(value)
        return f"{format_date(local, 'numeric')} {local:%H:%M}"
    if isinstance(value, date):
        return format_date(value, "numeric")
    if isinstance(value, bool | int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if looks_like_formula(text) else text


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file for Excel: UTF-8 with a BOM (so Thai opens right), CRLF line ends.

    Decimals are written exactly ("1234.50"), dates as dd/mm/yyyy with the Buddhist-era year
    (datetimes in local time, with hours and minutes), None as an empty cell. A text that a
    spreadsheet would read as a formula is prefixed with a single quote: "'=1+1".
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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
