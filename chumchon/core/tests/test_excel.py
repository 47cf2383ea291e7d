"""Excel and CSV out: Buddhist-era dates, exact amounts, no formula from a text cell."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chumchon.core.excel import (
    decode_csv,
    looks_like_formula,
    read_csv_rows,
    read_xlsx_rows,
    write_csv,
    write_xlsx,
)

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+66 81 234 5678",
    "-2+3",
    "@SUM(A1:A2)",
    "   =1+1",
    "\u3000=1+1",  # an ideographic space first
    "\uff1d1+1",  # full-width =
    "\uff0b1",  # full-width +
    "\uff0d1",  # full-width -
    "\uff20SUM(A1)",  # full-width @
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["นาย ก.", "1+1=2", "a-b", "user@example.com", "", "0812345678", "ข้อ 3 = ผ่าน"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_texts_are_recognised(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_texts_are_not(text):
    assert not looks_like_formula(text)


def _xlsx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_xlsx_dates_show_the_buddhist_era_year():
    data = write_xlsx(
        [("s", ["date", "when"], [[date(2024, 3, 12), datetime(2024, 3, 12, 14, 5)]])]
    )
    styles = _xlsx_parts(data)["xl/styles.xml"]
    assert 'formatCode="dd/mm/bbbb"' in styles
    assert "yyyy" not in styles
    rows = read_xlsx_rows(data)
    assert rows[1][0] in (date(2024, 3, 12), datetime(2024, 3, 12))  # a real date value


def test_xlsx_aware_datetimes_are_written_in_bangkok_time():
    # 31 Dec 2024 18:00 UTC is 1 Jan 2025 01:00 in Bangkok.
    data = write_xlsx([("s", ["when"], [[datetime(2024, 12, 31, 18, 0, tzinfo=UTC)]])])
    value = read_xlsx_rows(data)[1][0]
    assert value == datetime(2025, 1, 1, 1, 0)


def test_xlsx_writes_formula_like_texts_as_quoted_text():
    data = write_xlsx([("s", ["=header", "name"], [[text, "ok"] for text in DANGEROUS])])
    parts = _xlsx_parts(data)
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    assert 'quotePrefix="1"' in parts["xl/styles.xml"]
    rows = read_xlsx_rows(data)
    assert rows[0][0] == "=header"
    assert [row[0] for row in rows[1:]] == DANGEROUS  # the text itself, unchanged
    # Every dangerous cell carries the quote-prefix style; the harmless ones do not.
    quoted_style = _quote_prefix_style_indexes(parts["xl/styles.xml"])
    cells = re.findall(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?', sheet)
    for column, row, style in cells:
        if column == "A":
            assert style in quoted_style, (column, row)
        elif row != "1":
            assert style not in quoted_style, (column, row)


def _quote_prefix_style_indexes(styles: str) -> set[str]:
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", cell_xfs, re.S)
    return {str(i) for i, xf in enumerate(xfs) if 'quotePrefix="1"' in xf}


def test_xlsx_keeps_amounts_as_numbers():
    data = write_xlsx([("s", ["amount"], [[Decimal("1234567.50")], [Decimal("-0.05")]])])
    rows = read_xlsx_rows(data)
    assert rows[1][0] == pytest.approx(1234567.5) and rows[2][0] == pytest.approx(-0.05)
    assert 'formatCode="#,##0.00"' in _xlsx_parts(data)["xl/styles.xml"]


def test_csv_has_a_bom_and_quotes_formula_like_texts():
    data = write_csv(["name", "@note"], [[text, "ok"] for text in DANGEROUS + HARMLESS])
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "'@note"]
    assert [row[0] for row in rows[1 : 1 + len(DANGEROUS)]] == [f"'{t}" for t in DANGEROUS]
    assert [row[0] for row in rows[1 + len(DANGEROUS) :]] == HARMLESS
    assert decode_csv(data).startswith("name,")  # the BOM is not part of the first cell


def test_csv_values_dates_in_be_and_exact_amounts():
    data = write_csv(
        ["date", "when", "amount", "count", "none", "thai"],
        [
            [
                date(2024, 3, 12),
                datetime(2024, 12, 31, 18, 0, tzinfo=UTC),
                Decimal("1234567.50"),
                -3,
                None,
                "ชุมชนแม่เหียะ",
            ],
            [date(2025, 1, 1), datetime(2025, 1, 1, 8, 30), Decimal("-0.05"), 0, None, ""],
        ],
    )
    assert data.endswith(b"\r\n")
    rows = read_csv_rows(data)
    assert rows[1] == [
        "12/03/2567",
        "01/01/2568 01:00",
        "1234567.50",
        "-3",  # a number, not a text: no quote
        "",
        "ชุมชนแม่เหียะ",
    ]
    assert rows[2] == ["01/01/2568", "01/01/2568 08:30", "-0.05", "0", "", ""]
    assert write_csv(["x"], [[Decimal("1E+3")]]).decode("utf-8-sig").splitlines()[1] == "1000"
