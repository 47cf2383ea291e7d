"""Reading one cell the way a person meant it: forgiving where a person would be, strict where
it matters. Each reader returns the value or raises CellError with a bilingual message."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chumchon.core.dates import format_date, parse_date

from .. import domain
from .problems import CellError

_NUMBER_SEPARATORS = re.compile(r"[\s,\u00a0]+")


def text(value: Any) -> str:
    """Surrounding spaces removed; a whole-number float (from Excel) without ".0"."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return domain.clean_text(value)


def limited(value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise CellError(_("Too long: at most %(max)s characters."), max=max_length)
    return value


def code_text(value: Any) -> str:
    """A code typed as text or number: Thai digits as ASCII, surrounding spaces removed."""
    return domain.thai_digits_to_ascii(text(value))


def whole_number(value: Any) -> int | None:
    """ "1,234", "๑๒๓", 150.0 -> int; blank -> None. Negative numbers are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("Enter a whole number, not %(value)s."), value=value)
        number = int(value)
    else:
        cleaned = _NUMBER_SEPARATORS.sub("", domain.thai_digits_to_ascii(str(value)))
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]
        if not re.fullmatch(r"[+-]?[0-9]+", cleaned):
            raise CellError(_("“%(value)s” is not a whole number."), value=text(value))
        number = int(cleaned)
    if number < 0:
        raise CellError(_("A count cannot be negative."))
    return number


def decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Enter a number."))
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        else:
            number = Decimal(_NUMBER_SEPARATORS.sub("", domain.thai_digits_to_ascii(str(value))))
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number."), value=text(value)) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number."), value=text(value))
    return number


def coordinate(value: Any, limit: int) -> Decimal | None:
    number = decimal(value)
    if number is None:
        return None
    if not -limit <= number <= limit:
        raise CellError(_("Must be between -%(limit)s and %(limit)s."), limit=limit)
    return number.quantize(Decimal("0.000001"))


def past_date(value: Any) -> dt.date | None:
    """A date cell (xlsx) or a typed date (BE or CE, Thai digits); not in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _("“%(value)s” is not a date: type day/month/year, for example 12/03/2567."),
            value=text(value),
        )
    else:
        try:
            day = parse_date(str(value))
        except ValidationError as exc:
            raise CellError(exc) from None
    if day > timezone.localdate():
        raise CellError(_("The date %(date)s is in the future."), date=format_date(day, "numeric"))
    return day


def boolean(value: Any) -> bool:
    """ใช่/ไม่ใช่/Y/N/yes/no/true/false/1/0; blank is no."""
    try:
        return domain.parse_bool(value)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not yes or no: write ใช่ or ไม่ใช่ (Y/N, 1/0)."), value=text(value)
        ) from None


def sex(value: Any) -> str:
    try:
        return domain.parse_sex(value)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a sex: write ชาย or หญิง (M or F)."), value=text(value)
        ) from None


def relation(value: Any) -> str:
    try:
        return domain.parse_relation(value)
    except ValueError:
        raise CellError(
            _(
                "“%(value)s” is not a relation to the head of household: write, for example, "
                "หัวหน้าครัวเรือน, คู่สมรส, บุตร, บิดา, มารดา, หลาน, ญาติ or ผู้อาศัย."
            ),
            value=text(value),
        ) from None


def house_code(value: Any) -> str:
    try:
        return domain.normalize_house_code(value)
    except ValueError:
        raise CellError(
            _("A house registration code has 11 digits (spaces and dashes are ignored).")
        ) from None


def house_no(value: Any) -> str:
    if isinstance(value, dt.date):
        raise CellError(
            _(
                "The house number was read as a date: format the column as text in Excel and "
                "type it again."
            )
        )
    return domain.thai_digits_to_ascii(text(value))
