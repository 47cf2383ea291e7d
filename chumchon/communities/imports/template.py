"""The downloadable import templates: an xlsx with Thai headers (row 1), the columns that must
stay text formatted as text (IDs, codes, house numbers: Excel would otherwise turn 12/3 into a
date and drop a national ID's leading zero), a note on each header with its key, and two more
sheets: what each column takes, and the values that are accepted."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import translation

from chumchon.organizations.models import Area

from .. import domain
from ..models import CommunityType, Person
from .columns import COLUMNS, COMMUNITIES, LEGAL_BASIS_HEADER, PEOPLE, SURVEYS

YES_NO = "ใช่ / ไม่ใช่ (Y/N, yes/no, 1/0); ว่าง = ไม่ใช่"


def template_filename(kind: str) -> str:
    return f"template-{kind}.xlsx"


def new_book() -> tuple[io.BytesIO, xlsxwriter.Workbook]:
    """An in-memory workbook that writes every cell as typed: no formulas, numbers or links
    made out of strings (a template's help text must stay text)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    return buffer, book


def template_xlsx(kind: str) -> bytes:
    if kind == SURVEYS:
        from .surveys import template_xlsx as survey_template

        return survey_template()
    columns = COLUMNS[kind]
    buffer, book = new_book()
    required = book.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    as_text = book.add_format({"num_format": 49})  # Excel's built-in "@" (text)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("ข้อมูล" if kind == COMMUNITIES else "สมาชิก")
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.thai, required if column.required else optional)
        note = f"{column.key}" + (" (จำเป็น)" if column.required else "")
        if column.hint:
            note += f"\n{column.hint}"
        sheet.write_comment(0, index, note)
        width = max(12, len(column.thai) + 4)
        sheet.set_column(index, index, width, as_text if column.text else None)
    sheet.freeze_panes(1, 0)

    help_sheet = book.add_worksheet("คำอธิบาย")
    for c, title in enumerate(("หัวตาราง", "ชื่อคอลัมน์ (key)", "จำเป็น", "ตัวอย่าง", "หมายเหตุ")):
        help_sheet.write_string(0, c, title, bold)
    for r, column in enumerate(columns, start=1):
        help_sheet.write_string(r, 0, column.thai)
        help_sheet.write_string(r, 1, column.key)
        help_sheet.write_string(r, 2, "จำเป็น" if column.required else "")
        help_sheet.write_string(r, 3, str(column.example))
        help_sheet.write_string(r, 4, column.hint)
    notes = [
        "หนึ่งแถวต่อหนึ่งคน ข้อมูลครัวเรือนซ้ำในทุกแถวของสมาชิก"
        if kind == PEOPLE
        else "หนึ่งแถวต่อหนึ่งชุมชน รหัสชุมชนซ้ำกับที่มีอยู่แล้ว = ปรับปรุงข้อมูลชุมชนนั้น",
        "ช่องที่ไม่จำเป็นและเว้นว่าง จะไม่เปลี่ยนข้อมูลที่มีอยู่ในทะเบียน",
        *(
            [
                "เลขบัตรคนพิการเป็นข้อมูลอ่อนไหว: ต้องกรอกฐานทางกฎหมายด้วย "
                "และผู้นำเข้าต้องมีสิทธิ์ดูข้อมูลสวัสดิการรายบุคคล",
                "วันที่ย้ายเข้า: วันที่เริ่มเป็นสมาชิกครัวเรือน (นับวันมีสิทธิ์เลือกตั้งกรรมการชุมชน) "
                "ใช้กับคนใหม่และคนที่ย้ายครัวเรือน (ครัวเรือนเดิมสิ้นสุดวันนั้น) เว้นว่าง = วันที่นำเข้า; "
                "คนที่อยู่ครัวเรือนเดิม วันที่นี้จะไม่แก้ประวัติที่บันทึกไว้",
            ]
            if kind == PEOPLE
            else []
        ),
        "วันที่: วัน/เดือน/ปี พ.ศ. (12/03/2567) หรือ ค.ศ. (2024-03-12) ก็ได้",
        "ตรวจทั้งไฟล์ก่อนบันทึก: ถ้ามีข้อผิดพลาดแม้แต่แถวเดียว จะไม่บันทึกอะไรเลย",
    ]
    for offset, note in enumerate(notes, start=len(columns) + 2):
        help_sheet.write_string(offset, 0, note)
    help_sheet.set_column(0, 0, 34)
    help_sheet.set_column(1, 1, 24)
    help_sheet.set_column(3, 4, 28)

    values = book.add_worksheet("ค่าที่ใช้ได้")
    if kind == COMMUNITIES:
        values.write_string(0, 0, "ประเภทชุมชน", bold)
        values.write_string(0, 1, "รหัส", bold)
        for r, t in enumerate(CommunityType.objects.filter(is_active=True), start=1):
            values.write_string(r, 0, t.name_th)
            values.write_string(r, 1, t.code)
        values.write_string(0, 3, "รหัสเขต", bold)
        values.write_string(0, 4, "ชื่อเขต", bold)
        districts = Area.objects.filter(kind__code="district").order_by("code")
        for r, d in enumerate(districts, start=1):
            values.write_string(r, 3, d.code)
            values.write_string(r, 4, d.name_th)
    else:
        values.write_string(0, 0, "ความสัมพันธ์กับหัวหน้าครัวเรือน", bold)
        words: dict[str, list[str]] = {}
        for word, code in domain.RELATION_ALIASES.items():
            words.setdefault(code, []).append(word)
        for r, (code, _label) in enumerate(domain.RELATION_CHOICES, start=1):
            values.write_string(r, 0, ", ".join(words.get(code, [code])))
        values.write_string(0, 2, "เพศ", bold)
        values.write_string(1, 2, "ชาย (M)")
        values.write_string(2, 2, "หญิง (F)")
        values.write_string(0, 3, "มีชื่อในทะเบียนบ้าน", bold)
        values.write_string(1, 3, YES_NO)
        values.write_string(0, 4, LEGAL_BASIS_HEADER, bold)
        values.write_string(0, 5, "รหัส", bold)
        with translation.override("th"):
            for r, (code, label) in enumerate(Person.LegalBasis.choices, start=1):
                values.write_string(r, 4, str(label))
                values.write_string(r, 5, code)
    values.set_column(0, 0, 40)
    values.set_column(2, 3, 20)
    values.set_column(4, 4, 60)
    values.set_column(5, 5, 20)
    book.close()
    return buffer.getvalue()
