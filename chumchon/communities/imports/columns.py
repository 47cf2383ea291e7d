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
SURVEYS = "surveys"
KINDS = (PEOPLE, COMMUNITIES, SURVEYS)


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

#: Household surveys (imports/surveys.py): one row per member; a house's answers on its first
#: row or repeated on every row of the house. Choices take the code or the Thai label.
SURVEY_COLUMNS: tuple[Column, ...] = (
    Column(
        "community_code",
        "รหัสชุมชน",
        True,
        text=True,
        example="T-1001-01",
        hint="แถวที่ไม่กรอกรหัสชุมชน บ้านเลขที่ และรหัสประจำบ้าน = สมาชิกอีกคนของบ้านในแถวบน",
    ),
    Column(
        "house_no",
        "บ้านเลขที่",
        text=True,
        example="12/3",
        hint="บ้านเลขที่ หรือรหัสประจำบ้าน อย่างน้อยหนึ่งอย่าง; แถวของบ้านเดียวกันต้องอยู่ติดกัน",
    ),
    Column(
        "house_code",
        "รหัสประจำบ้าน",
        aliases=("รหัสบ้าน",),
        text=True,
        example="",
        hint="11 หลัก เว้นว่างได้",
    ),
    Column(
        "fiscal_year",
        "ปีงบประมาณ (พ.ศ.)",
        aliases=("ปีงบประมาณ", "ปีงบ", "ปีงบประมาณ พ.ศ."),
        example=2569,
        hint="รอบการสำรวจของเขตในปีนี้ต้องเปิดอยู่; เว้นว่าง = ปีงบประมาณของวันที่สำรวจ",
    ),
    Column(
        "surveyed_on",
        "วันที่สำรวจ",
        aliases=("วันสำรวจ", "วันที่เก็บข้อมูล"),
        example="15/01/2569",
        hint="วัน/เดือน/ปี พ.ศ. หรือ ค.ศ. อยู่ในช่วงของรอบการสำรวจ; เว้นว่าง = วันที่นำเข้า",
    ),
    Column(
        "surveyor_name",
        "ผู้สำรวจ",
        aliases=("ชื่อผู้สำรวจ", "ผู้เก็บข้อมูล"),
        example="นางสาวสมใจ ขยัน",
        hint="เว้นว่าง = ชื่อผู้นำเข้า",
    ),
    Column(
        "respondent_name",
        "ผู้ให้ข้อมูล",
        aliases=("ชื่อผู้ให้ข้อมูล", "ผู้ตอบ"),
        example="นายสมชาย ใจดี",
    ),
    Column(
        "other_income_year",
        "รายได้อื่นของครัวเรือนต่อปี (บาท)",
        aliases=("รายได้อื่นต่อปี", "รายได้อื่นของครัวเรือน"),
        example=12000,
        hint="เบี้ยยังชีพ เงินที่ลูกหลานส่งให้ เงินช่วยเหลือ; เว้นว่าง = 0",
    ),
    Column(
        "expenses_month",
        "รายจ่ายครัวเรือนต่อเดือน (บาท)",
        aliases=("รายจ่ายต่อเดือน", "รายจ่ายครัวเรือน"),
        example=9000,
    ),
    Column(
        "debt_formal",
        "หนี้ในระบบ (บาท)",
        aliases=("หนี้ในระบบ",),
        example=0,
        hint="ธนาคาร สหกรณ์",
    ),
    Column(
        "debt_informal",
        "หนี้นอกระบบ (บาท)",
        aliases=("หนี้นอกระบบ",),
        example=0,
    ),
    Column("savings", "เงินออม (บาท)", aliases=("เงินออม",), example=5000),
    Column(
        "tenure",
        "การถือครองที่อยู่อาศัย",
        aliases=("การถือครอง",),
        example="เช่า",
        hint="ดูคำที่ใช้ได้ในแผ่นงาน “ค่าที่ใช้ได้”",
    ),
    Column(
        "housing_condition",
        "สภาพที่อยู่อาศัย",
        aliases=("สภาพบ้าน",),
        example="ต้องซ่อมแซม",
    ),
    Column(
        "drinking_water_enough",
        "มีน้ำดื่มสะอาดเพียงพอตลอดปี",
        aliases=("น้ำดื่มเพียงพอ", "มีน้ำดื่มสะอาดเพียงพอ"),
        example="ใช่",
        hint="ใช่/ไม่ใช่",
    ),
    Column("water_source", "แหล่งน้ำใช้", aliases=("น้ำใช้",), example="น้ำประปานครหลวง"),
    Column("electricity", "ไฟฟ้า", example="มีมิเตอร์ไฟฟ้าของตนเอง"),
    Column("waste", "การกำจัดขยะ", aliases=("ขยะ",), example="เขตเก็บขน"),
    Column(
        "welfare_received",
        "สวัสดิการที่ได้รับ",
        aliases=("สวัสดิการที่ได้รับแล้ว", "สวัสดิการ"),
        example="เบี้ยยังชีพผู้สูงอายุ, บัตรสวัสดิการแห่งรัฐ",
        hint="หลายรายการคั่นด้วยจุลภาค (,); เว้นว่าง = ไม่ได้รับ",
    ),
    Column(
        "needs",
        "ความต้องการของครัวเรือน",
        aliases=("ความต้องการ",),
        example="อยากได้งานทำใกล้บ้าน",
    ),
    Column(
        "national_id",
        "เลขประจำตัวประชาชน",
        aliases=("เลขบัตรประชาชน", "เลขบัตรประจำตัวประชาชน", "เลขประจำตัว"),
        text=True,
        example="1-1017-00230-70-8",
        hint="ของสมาชิกที่มีชื่อในทะเบียนของบ้านนี้; คนที่ไม่มีในทะเบียน เว้นว่างและกรอกชื่อ",
    ),
    Column(
        "name",
        "ชื่อ-นามสกุล",
        aliases=("ชื่อ - นามสกุล", "ชื่อสมาชิก", "ชื่อ นามสกุล", "member_name"),
        example="นายสมชาย ใจดี",
        hint="จำเป็นเมื่อไม่มีเลขประจำตัวประชาชน",
    ),
    Column(
        "age",
        "อายุ (ปี)",
        aliases=("อายุ",),
        example=45,
        hint="คนที่มีวันเกิดในทะเบียน ใช้อายุจากวันเกิด",
    ),
    Column("occupation", "อาชีพ", example="รับจ้างรายวัน"),
    Column(
        "income_year",
        "รายได้ต่อปี (บาท)",
        aliases=("รายได้ต่อปี", "รายได้สมาชิกต่อปี"),
        example=96000,
        hint="เว้นว่าง = 0",
    ),
    Column("education", "การศึกษา", aliases=("ระดับการศึกษา",), example="ประถมศึกษา"),
    Column(
        "in_school",
        "กำลังเรียนอยู่",
        aliases=("กำลังเรียน", "กำลังศึกษา"),
        example="ไม่ใช่",
        hint="ใช่/ไม่ใช่ (จำเป็นสำหรับเด็กวัยเรียน)",
    ),
    Column(
        "reads_thai",
        "อ่านเขียนภาษาไทยได้",
        aliases=("อ่านออกเขียนได้", "อ่านเขียนภาษาไทย"),
        example="ใช่",
        hint="ใช่/ไม่ใช่ (จำเป็นสำหรับวัยทำงานขึ้นไป)",
    ),
    Column(
        "health_insurance",
        "สิทธิการรักษาพยาบาล",
        aliases=("หลักประกันสุขภาพ", "สิทธิรักษาพยาบาล"),
        example="บัตรทอง",
    ),
    Column(
        "has_disability",
        "มีความพิการ",
        aliases=("พิการ", "ความพิการ"),
        example="ไม่ใช่",
        hint="ใช่/ไม่ใช่; เว้นว่าง = ไม่ใช่",
    ),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    PEOPLE: PEOPLE_COLUMNS,
    COMMUNITIES: COMMUNITY_COLUMNS,
    SURVEYS: SURVEY_COLUMNS,
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
