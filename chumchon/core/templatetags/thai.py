"""Template filters for Thai display: ``{% load thai %}``.

    {{ d|be_date }}             12 มีนาคม 2567      (styles: "long", "short", "numeric")
    {{ d|be_date:"short" }}     12 มี.ค. 2567
    {{ t|be_datetime }}         12 มีนาคม 2567 14:05 น.
    {{ amount|baht }}           1,234,567.50 บาท
    {{ amount|number2 }}        1,234,567.50        (optional places: {{ n|number2:0 }})
    {{ share|percent }}         89.99 %             (the value is already a percentage)
    {{ amount|bahttext }}       หนึ่งล้าน...บาทห้าสิบสตางค์
    {{ text|thai_digits }}      ๒๕๖๗
    {{ d|fiscal_year }}         2567

Every filter gives "" for None or "". Amounts follow ``chumchon.core.money``: a float is a
programming error and raises ``TypeError``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from chumchon.core import dates, money

register = template.Library()


def _missing(value: object) -> bool:
    return value is None or value == ""


def _places(arg: object) -> int:
    return 2 if _missing(arg) else int(arg)  # type: ignore[call-overload]


@register.filter(is_safe=True)
def be_date(value: dt.date | None, style: str | None = None) -> str:
    """A date with its Buddhist-era year, in the active language."""
    if _missing(value):
        return ""
    return dates.format_date(value, style or "long")


@register.filter(is_safe=True)
def be_datetime(value: dt.datetime | dt.date | None, style: str | None = None) -> str:
    """A date and local time with its Buddhist-era year, in the active language."""
    if _missing(value):
        return ""
    return dates.format_datetime(value, style=style or "long")


@register.filter(is_safe=True)
def baht(value: Decimal | int | str | None) -> str:
    """An amount with two decimals and its unit: "1,234,567.50 บาท"."""
    if _missing(value):
        return ""
    return money.format_baht(value)  # type: ignore[arg-type]


@register.filter(is_safe=True)
def number2(value: Decimal | int | str | None, places: int | str | None = None) -> str:
    """A number with thousands commas and (by default) two decimals: "1,234,567.50"."""
    if _missing(value):
        return ""
    return money.format_number(value, _places(places))  # type: ignore[arg-type]


@register.filter(is_safe=True)
def percent(value: Decimal | int | str | None, places: int | str | None = None) -> str:
    """A percentage that is already computed: Decimal("89.99") -> "89.99 %"."""
    if _missing(value):
        return ""
    return f"{money.format_number(value, _places(places))} %"  # type: ignore[arg-type]


@register.filter(is_safe=True)
def bahttext(value: Decimal | int | str | None) -> str:
    """An amount in Thai words: "หนึ่งร้อยบาทถ้วน"."""
    if _missing(value):
        return ""
    return money.baht_text(value)  # type: ignore[arg-type]


@register.filter(is_safe=True)
def thai_digits(value: object) -> str:
    """ASCII digits to Thai digits; other characters are kept."""
    if _missing(value):
        return ""
    return money.thai_digits(value)


@register.filter(is_safe=True)
def fiscal_year(value: dt.date | None) -> str:
    """The Buddhist-era fiscal year (Oct-Sep) of a date: 2024-03-12 -> "2567"."""
    if _missing(value):
        return ""
    return str(dates.fiscal_year(value))  # type: ignore[arg-type]


@register.filter(is_safe=True)
def number0(value: Decimal | int | str | None) -> str:
    """A whole number with thousands separators: 12345 -> "12,345"."""
    if _missing(value):
        return ""
    return money.format_number(value, 0)


@register.simple_tag
def be_today(style: str = "long") -> str:
    """Today's date in the Buddhist era (Asia/Bangkok)."""
    from django.utils import timezone

    return dates.format_date(timezone.localdate(), style)
