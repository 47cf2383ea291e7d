"""Thai date conventions: Buddhist-era display, typed-date parsing, fiscal years.

Dates are stored as ISO (CE) dates; everything shown to people carries the Buddhist era
(พ.ศ. = CE + 543), whatever the interface language. The fiscal year (ปีงบประมาณ) runs from
1 October to 30 September and is named by the BE year in which it ends: FY2567 is
1 Oct 2023 to 30 Sep 2024, and its first quarter is October to December.

Month names and the era suffix are chosen by language code (not through gettext) so that a
caller can ask for a given language explicitly; ``lang`` defaults to the active language.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Final

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BE_OFFSET",
    "ENGLISH_MONTHS",
    "ENGLISH_MONTHS_ABBR",
    "THAI_MONTHS",
    "THAI_MONTHS_ABBR",
    "be_year",
    "fiscal_quarter",
    "fiscal_quarter_bounds",
    "fiscal_year",
    "fiscal_year_bounds",
    "format_date",
    "format_datetime",
    "parse_date",
]

#: Buddhist era = common era + 543.
BE_OFFSET: Final = 543
#: A typed four-digit year at or above this is read as BE (2400 BE = 1857 CE), below it as CE.
BE_THRESHOLD: Final = 2400
#: The smallest four-digit year accepted when typed (CE); smaller ones are typing mistakes.
MIN_TYPED_YEAR: Final = 1000

THAI_MONTHS: Final[tuple[str, ...]] = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_ABBR: Final[tuple[str, ...]] = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
ENGLISH_MONTHS: Final[tuple[str, ...]] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ENGLISH_MONTHS_ABBR: Final[tuple[str, ...]] = tuple(name[:3] for name in ENGLISH_MONTHS)

DATE_STYLES: Final = ("long", "short", "numeric")

_THAI_TO_ARABIC: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Month words as typed, without dots, spaces or case: "มี.ค." -> "มีค", "Mar." -> "mar".
_MONTH_WORDS: Final[dict[str, int]] = {}
for _number, _names in enumerate(
    zip(THAI_MONTHS, THAI_MONTHS_ABBR, ENGLISH_MONTHS, ENGLISH_MONTHS_ABBR, strict=True), start=1
):
    for _name in _names:
        _MONTH_WORDS[_name.replace(".", "").lower()] = _number
_MONTH_WORDS["sept"] = 9
del _number, _names, _name

# Explicit era markers, without dots or spaces, lowercased.
_BE_MARKERS: Final = frozenset({"พศ", "be"})
_CE_MARKERS: Final = frozenset({"คศ", "ce", "ad"})

_NUMERIC_DMY: Final = re.compile(r"([0-9]{1,2})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]+)")
_NUMERIC_YMD: Final = re.compile(r"([0-9]{4})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})")
_ERA: Final = r"(?:พ\.?\s*ศ\.?|ค\.?\s*ศ\.?|b\.?\s*e\.?|c\.?\s*e\.?|a\.?\s*d\.?)"
# Day, month word (anything but digits), optional era, year, optional era.
_WORDED: Final = re.compile(
    rf"([0-9]{{1,2}})\s*([^0-9]+?)\s*(?:({_ERA})\s*)?([0-9]+)(?:\s*({_ERA}))?",
    re.IGNORECASE,
)


def _local_date(value: dt.date) -> dt.date:
    """The calendar date of ``value``; an aware datetime is read in local (Bangkok) time."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or datetime, not {type(value).__name__}")


def _is_english(lang: str | None) -> bool:
    if lang is None:
        lang = translation.get_language()
    return bool(lang) and lang.lower().startswith("en")


def be_year(d_or_year: dt.date | int) -> int:
    """The Buddhist-era year of a date, datetime (local time) or CE year: CE + 543."""
    if isinstance(d_or_year, bool):
        raise TypeError("expected a date or a CE year, not a bool")
    if isinstance(d_or_year, int):
        return d_or_year + BE_OFFSET
    return _local_date(d_or_year).year + BE_OFFSET


def format_date(d: dt.date | None, style: str = "long", lang: str | None = None) -> str:
    """Show a date with its Buddhist-era year.

    Styles, Thai / English (``lang`` starting with "en"; default: the active language):

    - ``long``: "12 มีนาคม 2567" / "12 March 2567 BE"
    - ``short``: "12 มี.ค. 2567" / "12 Mar 2567 BE"
    - ``numeric``: "12/03/2567" in both

    An aware datetime is converted to local (Bangkok) time first; None gives "".
    """
    if d is None:
        return ""
    if style not in DATE_STYLES:
        raise ValueError(f"unknown date style {style!r}; use one of {', '.join(DATE_STYLES)}")
    day = _local_date(d)
    year = be_year(day)
    if style == "numeric":
        return f"{day.day:02d}/{day.month:02d}/{year}"
    english = _is_english(lang)
    if english:
        names = ENGLISH_MONTHS if style == "long" else ENGLISH_MONTHS_ABBR
        return f"{day.day} {names[day.month - 1]} {year} BE"
    names = THAI_MONTHS if style == "long" else THAI_MONTHS_ABBR
    return f"{day.day} {names[day.month - 1]} {year}"


def format_datetime(
    value: dt.datetime | dt.date | None, lang: str | None = None, *, style: str = "long"
) -> str:
    """Show a date and time: "12 มีนาคม 2567 14:05 น." in Thai, "12 March 2567 BE 14:05" in English.

    An aware datetime is converted to local (Bangkok) time; a plain date is shown without a
    time; None gives "".
    """
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value, style, lang)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    shown = f"{format_date(value, style, lang)} {value:%H:%M}"
    return shown if _is_english(lang) else f"{shown} น."


def _invalid(message: object, **params: object) -> ValidationError:
    return ValidationError(message, code="invalid_date", params=params)


def _ce_year(year_text: str, era: str | None, original: str) -> int:
    """The CE year of a typed year: two digits are BE, four digits are BE from 2400 up.

    An explicit era ("be" / "ce") overrides the rule; a two-digit year then counts from
    2500 BE or 2000 CE.
    """
    year = int(year_text)
    if not (len(year_text) == 2 or (len(year_text) == 4 and year >= MIN_TYPED_YEAR)):
        raise _invalid(
            _(
                "“%(value)s” has an unusable year “%(year)s”: type a Buddhist-era year such as "
                "2567 or 67, or a common-era year such as 2024."
            ),
            value=original,
            year=year_text,
        )
    if era is None:
        era = "be" if len(year_text) == 2 or year >= BE_THRESHOLD else "ce"
    if era == "be":
        if len(year_text) == 2:
            year += 2500
        return year - BE_OFFSET
    return year + 2000 if len(year_text) == 2 else year


def _build(year: int, month: int, day: int, original: str) -> dt.date:
    if not 1 <= month <= 12:
        raise _invalid(
            _("“%(value)s” is not a date: there is no month %(month)s (months run from 1 to 12)."),
            value=original,
            month=month,
        )
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise _invalid(
            _("“%(value)s” is not a date: the year is out of range."),
            value=original,
        )
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        raise _invalid(
            _(
                "“%(value)s” is not a date: that month has %(last_day)s days, so there is no "
                "day %(day)s."
            ),
            value=original,
            day=day,
            last_day=last_day,
        )
    return dt.date(year, month, day)


def _era_of(marker: str | None) -> str | None:
    """Return "be", "ce" or None for an era marker matched by ``_ERA``."""
    if not marker:
        return None
    key = marker.replace(".", "").replace(" ", "").lower()
    if key in _BE_MARKERS:
        return "be"
    if key in _CE_MARKERS:
        return "ce"
    return None


def _unrecognised(original: str) -> ValidationError:
    return _invalid(
        _(
            "“%(value)s” is not a date. Type day/month/year, for example 12/03/2567, "
            "12/03/67 or 12 มี.ค. 2567."
        ),
        value=original,
    )


def parse_date(text: str) -> dt.date:
    """Read a date typed by a person.

    - Surrounding spaces are ignored and Thai digits (๐-๙) are read as ASCII digits.
    - ``D/M/Y`` with ``/``, ``-`` or ``.`` between the parts is day/month/year.
    - ``YYYY-MM-DD`` (ISO) is year-first.
    - Month names and abbreviations in Thai or English: "12 มีนาคม 2567", "12 มี.ค. 67",
      "12 Mar 2024"; an explicit era ("พ.ศ." / "BE", "ค.ศ." / "CE") before or after the year
      overrides the year rule.
    - Year rule: a two-digit year is BE (67 -> 2567 -> 2024 CE); a four-digit year from 2400 up
      is BE, a four-digit year from 1000 to 2399 is CE. Other years are refused.

    Anything else raises ``ValidationError`` (code "invalid_date") naming the value.
    """
    if not isinstance(text, str) or not text.strip():
        raise _invalid(_("Enter a date, for example 12/03/2567."), value=text)
    original = text.strip()
    cleaned = " ".join(original.translate(_THAI_TO_ARABIC).split())

    match = _NUMERIC_YMD.fullmatch(cleaned)
    if match:
        year_text, _sep, month, day = match.groups()
        return _build(_ce_year(year_text, None, original), int(month), int(day), original)

    match = _NUMERIC_DMY.fullmatch(cleaned)
    if match:
        day, _sep, month, year_text = match.groups()
        return _build(_ce_year(year_text, None, original), int(month), int(day), original)

    match = _WORDED.fullmatch(cleaned)
    if match:
        day, month_word, era_before, year_text, era_after = match.groups()
        month = _MONTH_WORDS.get(month_word.replace(".", "").replace(" ", "").lower())
        if month is not None:
            era = _era_of(era_before or era_after)
            return _build(_ce_year(year_text, era, original), month, int(day), original)
    raise _unrecognised(original)


def _check_fiscal_year(fy_be: int) -> int:
    if isinstance(fy_be, bool) or not isinstance(fy_be, int):
        raise ValueError(f"a fiscal year is a Buddhist-era year (int), not {fy_be!r}")
    if fy_be < BE_THRESHOLD:
        raise ValueError(
            f"fiscal year {fy_be} is not a Buddhist-era year (expected {BE_THRESHOLD} or later; "
            f"FY2567 is 1 Oct 2023 to 30 Sep 2024)"
        )
    if fy_be - BE_OFFSET > dt.MAXYEAR:
        raise ValueError(f"fiscal year {fy_be} is out of range")
    return fy_be


def fiscal_year(d: dt.date) -> int:
    """The BE fiscal year of a date: 2023-10-01 -> 2567, 2024-09-30 -> 2567, 2024-10-01 -> 2568."""
    day = _local_date(d)
    ce_end_year = day.year + 1 if day.month >= 10 else day.year
    return ce_end_year + BE_OFFSET


def fiscal_year_bounds(fy_be: int) -> tuple[dt.date, dt.date]:
    """First and last day of a BE fiscal year: 2567 -> (2023-10-01, 2024-09-30)."""
    ce_end_year = _check_fiscal_year(fy_be) - BE_OFFSET
    return dt.date(ce_end_year - 1, 10, 1), dt.date(ce_end_year, 9, 30)


def fiscal_quarter(d: dt.date) -> int:
    """The fiscal quarter of a date: 1 = Oct-Dec, 2 = Jan-Mar, 3 = Apr-Jun, 4 = Jul-Sep."""
    return (_local_date(d).month - 10) % 12 // 3 + 1


def fiscal_quarter_bounds(fy_be: int, q: int) -> tuple[dt.date, dt.date]:
    """First and last day of quarter ``q`` (1-4) of BE fiscal year ``fy_be``.

    (2567, 1) -> (2023-10-01, 2023-12-31); (2567, 2) -> (2024-01-01, 2024-03-31).
    """
    ce_end_year = _check_fiscal_year(fy_be) - BE_OFFSET
    if isinstance(q, bool) or not isinstance(q, int) or not 1 <= q <= 4:
        raise ValueError(f"a fiscal quarter is 1, 2, 3 or 4, not {q!r}")
    first_month = (q * 3 + 6) % 12 + 1  # 1 -> 10, 2 -> 1, 3 -> 4, 4 -> 7
    year = ce_end_year - 1 if q == 1 else ce_end_year
    last_month = first_month + 2
    return (
        dt.date(year, first_month, 1),
        dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )
