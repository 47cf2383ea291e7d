"""The columns of the registry's import templates: keys, Thai headers, required or not.

A file's header cell names a column by its key (`national_id`) or its Thai header
(`เลขประจำตัวประชาชน`), or one of a few aliases, in any case and with any spacing. Columns the
template does not know are ignored (an error sheet uploaded again carries an extra column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PEOPLE = "people"
COMMUNITIES = "communities"
KINDS = (PEOPLE, COMMUNITIES)


@dataclass(frozen=True)
class Column:
    key: str
    thai: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    #: Excel text format for the template column (IDs, codes, house numbers must stay text).
    text: bool = False
    example: object = ""
    hint: str = ""


#: The column of the legal basis (PDPA s.26) for health and disability data.
LEGAL_BASIS_HEADER = "ฐานทางกฎหมาย (ข้อมูลสุขภาพ/ความพิการ)"

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("community_code", "รหัสชุมชน", True, text=True, example="T-1001-01"),
    Column("house_no", "บ้านเลขที่", True, text=True, example="12/3"),
    Column(
        "house_code",
        "รหัสประจำบ้าน",
        aliases=("รหัสบ้าน",),
        text=True,
        example="1001-012345-6",
        hint="11 หลัก เว้นว่างได้",
    ),
    Column(
        "national_id",
        "เลขประจำตัวประชาชน",
        True,
        aliases=("เลขบัตรประชาชน", "เลขบัตรประจำตัวประชาชน", "เลขประจำตัว"),
        text=True,
        example="1-1017-00230-70-8",
        hint="13 หลัก",
    ),
    Column("prefix", "คำนำหน้าชื่อ", aliases=("คำนำหน้า",), example="นาย"),
    Column("first_name", "ชื่อ", True, example="สมชาย"),
    Column("last_name", "นามสกุล", True, aliases=("สกุล",), example="ใจดี"),
    Column("sex", "เพศ", example="ชาย", hint="ชาย/หญิง"),
    Column(
        "birth_date",
        "วันเกิด",
        aliases=("วันเดือนปีเกิด", "วัน เดือน ปี เกิด"),
        example="12/03/2510",
        hint="วัน/เดือน/ปี พ.ศ. หรือ ค.ศ.",
    ),
    Column(
        "relation",
        "ความสัมพันธ์กับหัวหน้าครัวเรือน",
        aliases=("ความสัมพันธ์",),
        example="หัวหน้าครัวเรือน",
    ),
    Column(
        "in_house_registration",
        "มีชื่อในทะเบียนบ้าน",
        aliases=("ชื่ออยู่ในทะเบียนบ้าน", "ทะเบียนบ้าน"),
        example="ใช่",
        hint="ใช่/ไม่ใช่",
    ),
    Column(
        "registered_since",
        "วันที่ย้ายเข้า (มีชื่อในทะเบียนบ้านตั้งแต่)",
        aliases=("ย้ายเข้าเมื่อ", "วันที่ย้ายเข้า", "อยู่ตั้งแต่"),
        example="15/01/2563",
        hint=(
            "วัน/เดือน/ปี พ.ศ. หรือ ค.ศ. วันที่เริ่มอยู่ในครัวเรือนนี้ เว้นว่าง = วันที่นำเข้า; "
            "ใช้เมื่อเพิ่มคนใหม่หรือย้ายครัวเรือนเท่านั้น "
            "คนที่อยู่ครัวเรือนเดิมอยู่แล้ว วันที่นี้จะไม่เปลี่ยนประวัติเดิม"
        ),
    ),
    Column(
        "disability_card",
        "เลขบัตรคนพิการ",
        aliases=("บัตรคนพิการ",),
        text=True,
        example="",
    ),
    Column(
        "legal_basis",
        LEGAL_BASIS_HEADER,
        aliases=("ฐานทางกฎหมาย", "sensitive_legal_basis"),
        example="",
        hint="จำเป็นเมื่อกรอกเลขบัตรคนพิการ: consent / social_protection / vital_interest",
    ),
    Column(
        "phone",
        "โทรศัพท์",
        aliases=("เบอร์โทรศัพท์", "เบอร์โทร", "หมายเลขโทรศัพท์"),
        text=True,
        example="0812345678",
    ),
)

COMMUNITY_COLUMNS: tuple[Column, ...] = (
    Column(
        "district_code",
        "รหัสเขต",
        True,
        aliases=("เขต",),
        text=True,
        example="1001",
        hint="รหัสหรือชื่อเขต",
    ),
    Column("code", "รหัสชุมชน", True, text=True, example="HC001"),
    Column("name_th", "ชื่อชุมชน", True, example="ชุมชนตัวอย่าง"),
    Column("type", "ประเภทชุมชน", True, aliases=("ประเภท",), example="ชุมชนแออัด"),
    Column(
        "announcement_no",
        "เลขที่ประกาศจัดตั้ง",
        aliases=("ประกาศเลขที่",),
        text=True,
        example="12/2550",
    ),
    Column(
        "announced_on",
        "วันที่ประกาศจัดตั้ง",
        aliases=("วันที่ประกาศ",),
        example="01/06/2550",
        hint="วัน/เดือน/ปี พ.ศ. หรือ ค.ศ.",
    ),
    Column("families", "จำนวนครอบครัว", True, example=150),
    Column("households", "จำนวนครัวเรือน", example=120),
    Column("population", "จำนวนประชากร", example=480),
    Column("lat", "ละติจูด", example="13.7563"),
    Column("lng", "ลองจิจูด", example="100.5018"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    PEOPLE: PEOPLE_COLUMNS,
    COMMUNITIES: COMMUNITY_COLUMNS,
}

_SPACES = re.compile(r"[\s_*\u200b\ufeff]+")


def header_key(text: object) -> str:
    """How header cells are compared: case, spaces, underscores and a required-mark "*" do
    not matter."""
    return _SPACES.sub("", str(text if text is not None else "")).lower()


def lookup(kind: str) -> dict[str, Column]:
    """Every accepted spelling of every column of `kind` -> the column."""
    table: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in (column.key, column.thai, *column.aliases):
            table[header_key(name)] = column
    return table
