"""Pure rules of the registry: relations, flags, normalisation of what offices type. No ORM."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from django.utils.translation import gettext_lazy as _

ELDERLY_AGE: Final = 60
HOUSE_CODE_LENGTH: Final = 11
HEAD: Final = "head"

RELATION_CHOICES = [
    (HEAD, _("Head of household")),
    ("spouse", _("Spouse")),
    ("child", _("Child")),
    ("father", _("Father")),
    ("mother", _("Mother")),
    ("grandchild", _("Grandchild")),
    ("sibling", _("Sibling")),
    ("relative", _("Relative")),
    ("in_law", _("Child-in-law")),
    ("resident", _("Resident (not a relative)")),
]
RELATION_CODES: Final = {code for code, _label in RELATION_CHOICES}

#: What offices write in the relation column (Thai words and their common variants).
RELATION_ALIASES: Final = {
    "หัวหน้าครัวเรือน": HEAD,
    "หัวหน้า": HEAD,
    "เจ้าบ้าน": HEAD,
    "หัวหน้าครอบครัว": HEAD,
    "คู่สมรส": "spouse",
    "สามี": "spouse",
    "ภรรยา": "spouse",
    "ภริยา": "spouse",
    "บุตร": "child",
    "ลูก": "child",
    "บุตรชาย": "child",
    "บุตรสาว": "child",
    "บุตรบุญธรรม": "child",
    "บิดา": "father",
    "พ่อ": "father",
    "มารดา": "mother",
    "แม่": "mother",
    "หลาน": "grandchild",
    "พี่": "sibling",
    "น้อง": "sibling",
    "พี่น้อง": "sibling",
    "ญาติ": "relative",
    "ปู่": "relative",
    "ย่า": "relative",
    "ตา": "relative",
    "ยาย": "relative",
    "ลุง": "relative",
    "ป้า": "relative",
    "น้า": "relative",
    "อา": "relative",
    "เขย": "in_law",
    "ลูกเขย": "in_law",
    "สะใภ้": "in_law",
    "ลูกสะใภ้": "in_law",
    "ผู้อาศัย": "resident",
    "ผู้อยู่อาศัย": "resident",
    "ผู้เช่า": "resident",
    "ผู้อาศัยร่วม": "resident",
}

DISABILITY_CHOICES = [
    ("visual", _("Visual")),
    ("hearing", _("Hearing or communication")),
    ("physical", _("Physical or movement")),
    ("mental", _("Mental or behavioural")),
    ("intellectual", _("Intellectual")),
    ("learning", _("Learning")),
    ("autism", _("Autism")),
]

PREFIXES: Final = (
    "นาย",
    "นาง",
    "นางสาว",
    "เด็กชาย",
    "เด็กหญิง",
    "ด.ช.",
    "ด.ญ.",
    "น.ส.",
    "พระ",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Miss",
)

SEX_ALIASES: Final = {
    "ชาย": "M",
    "ช": "M",
    "m": "M",
    "male": "M",
    "หญิง": "F",
    "ญ": "F",
    "f": "F",
    "female": "F",
}

TRUE_WORDS: Final = {"ใช่", "มี", "y", "yes", "true", "1", "t", "✓", "x"}
FALSE_WORDS: Final = {"ไม่ใช่", "ไม่", "ไม่มี", "n", "no", "false", "0", "f", ""}

THAI_DIGITS: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_HOUSE_CODE_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def clean_text(value: object) -> str:
    """A cell as text: surrounding spaces (also non-breaking) removed; None is ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u00a0", " ").replace("\u200b", "").strip()


def thai_digits_to_ascii(text: str) -> str:
    return text.translate(THAI_DIGITS)


def normalize_house_code(value: object) -> str:
    """ "1001-012345-6" / "๑๐๐๑ ๐๑๒๓๔ ๕๖" -> "10010123456"; "" stays "".

    Raises ValueError when what remains is not exactly 11 digits (no check digit is verified)."""
    text = _HOUSE_CODE_SEPARATORS.sub("", thai_digits_to_ascii(clean_text(value)))
    if text and not (text.isascii() and text.isdigit() and len(text) == HOUSE_CODE_LENGTH):
        raise ValueError(text)
    return text


_NUMBER_RUNS: Final = re.compile(r"\d+")


def house_no_sort_key(house_no: str) -> str:
    """House numbers sort as people read them: 4 < 12/3 < 12/10 < 100. Digit runs are padded
    to 8 places: "12/3" -> "00000012/00000003"."""
    text = thai_digits_to_ascii(clean_text(house_no))
    return _NUMBER_RUNS.sub(lambda m: m.group().zfill(8), text)[:120]


def parse_bool(value: object) -> bool:
    """ใช่/ไม่ใช่/Y/N/yes/no/true/false/1/0 (any case); blank is no. ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = thai_digits_to_ascii(clean_text(value)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(text)


def parse_sex(value: object) -> str:
    """ชาย/หญิง/M/F (any case) -> "M"/"F"; blank -> ""; ValueError otherwise."""
    text = clean_text(value)
    if not text:
        return ""
    code = SEX_ALIASES.get(text.lower()) or SEX_ALIASES.get(text)
    if code is None:
        raise ValueError(text)
    return code


def parse_relation(value: object) -> str:
    """A Thai word (or an alias, or the code) -> the relation code; blank -> ""."""
    text = clean_text(value)
    if not text:
        return ""
    if text.lower() in RELATION_CODES:
        return text.lower()
    code = RELATION_ALIASES.get(text.replace(" ", ""))
    if code is None:
        raise ValueError(text)
    return code


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_elderly(birth: date | None, day: date) -> bool:
    age = age_on(birth, day)
    return age is not None and age >= ELDERLY_AGE


def birth_date_from_age(age: int, day: date) -> date:
    """An approximate birth date for a quick registration: 1 January of the year that gives
    `age` on `day` (the record is marked as estimated)."""
    return date(day.year - age, 1, 1)


def mask_name(first: str, last: str) -> str:
    """ "สมชาย ใจดี" -> "ส*** ใ***": enough for an old district to recognise a history line."""

    def one(word: str) -> str:
        word = (word or "").strip()
        return f"{word[0]}***" if word else ""

    return " ".join(p for p in (one(first), one(last)) if p)
