"""Money and figures: exact decimals, one rounding rule, Thai display.

The house rule: amounts are ``Decimal`` from end to end (a ``float`` is refused), sums and
ratios are computed exactly, and the result is rounded once, half up, to the places shown
(satang: 2). Rounding each term and then adding drifts: 0.005 + 0.005 rounds to 0.01 once, but
to 0.02 when each term is rounded first.

``ROUND_HALF_UP`` in Python's ``decimal`` rounds ties away from zero, so negatives mirror
positives: 0.005 -> 0.01 and -0.005 -> -0.01; 2.675 -> 2.68 and -2.675 -> -2.68.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Final

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pythainlp.util import bahttext as _pythainlp_bahttext

__all__ = [
    "MAX_AMOUNT",
    "TWO_PLACES",
    "amount_problem",
    "arabic_digits",
    "baht_text",
    "format_baht",
    "format_number",
    "parse_amount",
    "percent",
    "round_half_up",
    "thai_digits",
    "to_decimal",
]

TWO_PLACES: Final = Decimal("0.01")
MAX_AMOUNT: Final = Decimal("999999999999.99")  # what a money column (14, 2) holds

#: Anything a person or a file may hand us as an amount.
Number = Decimal | int | str

_ARABIC_TO_THAI: Final = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_THAI_TO_ARABIC: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Optional sign, digits with or without correct thousands commas, optional fraction.
_AMOUNT: Final = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?")

# pythainlp's bahttext formats a float with "%.2f": exact for two-place amounts up to
# 15 significant digits (every such decimal has a distinct nearest double).
_BAHTTEXT_LIMIT: Final = Decimal(10) ** 13


def thai_digits(text: object) -> str:
    """ASCII digits to Thai digits: "2567" -> "๒๕๖๗". Other characters are kept."""
    return str(text).translate(_ARABIC_TO_THAI)


def arabic_digits(text: object) -> str:
    """Thai digits to ASCII digits: "๒๕๖๗" -> "2567". Other characters are kept."""
    return str(text).translate(_THAI_TO_ARABIC)


def _invalid(value: object) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a number. Type digits, e.g. 1234567.50 or 1,234,567.50."),
        code="invalid_decimal",
        params={"value": value},
    )


def to_decimal(value: Number) -> Decimal:
    """An exact ``Decimal`` from a Decimal, an int or a string.

    Strings may carry surrounding spaces, a sign, thousands commas in the right places
    ("1,234,567.50") and Thai digits. A ``float`` raises ``TypeError``: floats never enter
    money. Strings that are not numbers, and NaN or infinite Decimals, raise
    ``ValidationError`` (code "invalid_decimal").
    """
    if isinstance(value, float):
        raise TypeError("floats never enter money: pass a Decimal, an int or a string")
    if isinstance(value, bool):
        raise TypeError("expected a Decimal, an int or a string, not a bool")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _invalid(value)
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = arabic_digits(value.strip())
        if not text:
            raise ValidationError(_("Enter a number."), code="invalid_decimal")
        if not any(c.isdigit() for c in text) or not _AMOUNT.fullmatch(text):
            raise _invalid(value)
        return Decimal(text.replace(",", ""))
    raise TypeError(f"expected a Decimal, an int or a string, not {type(value).__name__}")


def _exponent(places: int) -> Decimal:
    if isinstance(places, bool) or not isinstance(places, int):
        raise TypeError(f"places must be an int, not {places!r}")
    return Decimal(1).scaleb(-places)


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round once, half up (ties away from zero), to ``places`` decimals.

    0.005 -> 0.01, 2.675 -> 2.68, -0.005 -> -0.01, -2.675 -> -2.68. Apply it to the exact
    sum or ratio, never to the terms. A result of zero is never negative ("-0.001" -> 0.00).
    """
    number = to_decimal(value)
    exponent = _exponent(places)
    with localcontext() as ctx:
        # Enough precision that quantize never fails for a large amount.
        ctx.prec = max(28, number.adjusted() + places + 2)
        rounded = number.quantize(exponent, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded  # no "-0.00"


def percent(numerator: Number, denominator: Number, places: int = 2) -> Decimal | None:
    """``numerator / denominator * 100``, computed exactly and rounded once, half up.

    None when the denominator is 0. 1806 / 2007 -> 89.99; 196936496 / 403000000 -> 48.87.
    """
    top = to_decimal(numerator)
    bottom = to_decimal(denominator)
    exponent = _exponent(places)
    if bottom == 0:
        return None
    scaled = Fraction(top) * 100 * 10**places / Fraction(bottom)
    magnitude = abs(scaled)
    rounded = magnitude.numerator * 2 + magnitude.denominator
    units = rounded // (2 * magnitude.denominator)  # floor(|x| + 1/2): ties away from zero
    if scaled < 0:
        units = -units
    with localcontext() as ctx:
        ctx.prec = max(28, len(str(abs(units))) + 2)
        return (Decimal(units) * exponent).quantize(exponent)


def format_number(value: Number, places: int = 2) -> str:
    """Thousands commas and ``places`` decimals, rounded half up: "1,234,567.50"."""
    return f"{round_half_up(value, places):,.{max(places, 0)}f}"


def format_baht(value: Number, lang: str | None = None) -> str:
    """An amount with its unit: "1,234,567.50 บาท", or "1,234,567.50 baht" in English.

    ``lang`` defaults to the active language; codes starting with "en" give English.
    """
    if lang is None:
        lang = translation.get_language() or ""
    unit = "baht" if lang.lower().startswith("en") else "บาท"
    return f"{format_number(value)} {unit}"


def baht_text(value: Number) -> str:
    """An amount in Thai words, as on a cheque: 1234567.50 ->
    "หนึ่งล้านสองแสนสามหมื่นสี่พันห้าร้อยหกสิบเจ็ดบาทห้าสิบสตางค์"; 0 -> "ศูนย์บาทถ้วน".

    The amount is rounded half up to satang first. pythainlp's ``bahttext`` takes only
    int/float and formats it with "%.2f" (which rounds a float like 2.675 down to 2.67 and
    drops the sign of -0.50), so it gets the already-rounded magnitude, which a float holds
    exactly enough for amounts below 10 ** 13 baht; a minus sign is added as "ลบ".
    """
    amount = round_half_up(value, 2)
    magnitude = abs(amount)
    if magnitude >= _BAHTTEXT_LIMIT:
        raise ValueError(f"{amount} baht is too large to spell out exactly")
    words = _pythainlp_bahttext(float(magnitude))
    return f"ลบ{words}" if amount < 0 else words


def amount_problem(value: object, *, label: str) -> tuple[Decimal | None, str | None]:
    """(amount, None) for a positive amount with at most 2 decimals, else (None, message).

    Accepts a Decimal, an int or a string (commas, Thai digits); refuses floats, zero,
    negatives, more than 2 decimals and non-numbers, naming ``label`` (e.g. "Item 3 amount").
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, gettext("%(label)s: enter an amount.") % {"label": label}
    if isinstance(value, float):
        value = repr(value)  # read what was typed; the decimal check below still applies
    try:
        amount = to_decimal(value)
    except (ValidationError, TypeError):
        return None, gettext("%(label)s: “%(value)s” is not an amount in baht.") % {
            "label": label,
            "value": value,
        }
    if amount <= 0:
        return None, gettext("%(label)s must be more than zero (got %(value)s).") % {
            "label": label,
            "value": value,
        }
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        return None, gettext(
            "%(label)s has more than 2 decimals (%(value)s): amounts are in satang."
        ) % {
            "label": label,
            "value": value,
        }
    if amount > MAX_AMOUNT:
        return None, gettext("%(label)s is too large (%(value)s).") % {
            "label": label,
            "value": value,
        }
    return amount.quantize(Decimal("0.01")), None


def parse_amount(value: object, *, field: str, label: str) -> Decimal:
    """The amount, or a ValidationError keyed by ``field``."""
    amount, problem = amount_problem(value, label=label)
    if problem:
        raise ValidationError({field: [problem]})
    return amount  # type: ignore[return-value]
