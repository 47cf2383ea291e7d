"""Thai national ID numbers (เลขประจำตัวประชาชน), 13 digits with a check digit.

The checksum is python-stdnum's ``stdnum.th.pin``. stdnum refuses two things we must accept
or handle ourselves:

- Thai digits (๐-๙): ``normalize_national_id`` converts them to ASCII first;
- a first digit 0, which people without Thai registration status really have: such IDs are
  accepted when the check digit holds (stdnum's ``calc_check_digit``). A first digit 9 is not
  issued and stays refused.

The official checksum (weights 13..2, mod 11, mapped to one digit) cannot catch everything: the
third digit has weight 11, which is 0 mod 11, and sums 0 and 10 give the same check digit, so
some single-digit typos still pass. Validation catches most typos, not all.

IDs are never indexed in clear text: ``national_id_hash`` gives a keyed HMAC-SHA256 for
exact-match search, and ``mask_national_id`` what a screen may show.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.th import pin

__all__ = [
    "MASKED_NATIONAL_ID",
    "format_national_id",
    "is_valid_national_id",
    "mask_national_id",
    "national_id_hash",
    "normalize_national_id",
    "validate_national_id",
]

NATIONAL_ID_LENGTH: Final = 13
#: What ``mask_national_id`` shows for something that is not 13 digits.
MASKED_NATIONAL_ID: Final = "x-xxxx-xxxxx-xx-x"
HASH_LABEL: Final = b"chumchon.national_id"

_THAI_TO_ARABIC: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Separators people type: spaces of any kind, ASCII and Unicode dashes, dots.
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015\u2212.]+")
_DIGITS: Final = re.compile(r"[0-9]+")


def normalize_national_id(text: str | None) -> str:
    """Remove spaces, dashes and dots and turn Thai digits into ASCII: "๑-๑๐๑๗-..." -> "11017..."."""
    if text is None:
        return ""
    return _SEPARATORS.sub("", str(text).translate(_THAI_TO_ARABIC))


def _error(message: object, value: str, **params: object) -> ValidationError:
    return ValidationError(message, code="invalid_national_id", params={"value": value, **params})


def validate_national_id(text: str | None) -> str:
    """The normalised 13 digits, or ``ValidationError`` (code "invalid_national_id") saying
    what is wrong: empty, characters other than digits, wrong length, first digit 9, or a check
    digit that does not match. A first digit 0 is accepted (see the module docstring).
    """
    value = "" if text is None else str(text).strip()
    number = normalize_national_id(value)
    if not number:
        raise _error(_("Enter the 13-digit national ID number."), value)
    if not _DIGITS.fullmatch(number):
        raise _error(
            _("“%(value)s” is not a national ID number: it may contain only digits."), value
        )
    if len(number) != NATIONAL_ID_LENGTH:
        raise _error(
            _("“%(value)s” is not a national ID number: it has %(count)s digits instead of 13."),
            value,
            count=len(number),
        )
    if number[0] == "0":
        # stdnum refuses a leading 0 (InvalidComponent); the checksum is the same.
        valid_checksum = pin.calc_check_digit(number) == number[-1]
    else:
        try:
            pin.validate(number)
        except stdnum_exceptions.InvalidComponent as exc:
            raise _error(
                _("“%(value)s” is not a national ID number: no ID starts with %(digit)s."),
                value,
                digit=number[0],
            ) from exc
        except stdnum_exceptions.InvalidChecksum:
            valid_checksum = False
        else:
            valid_checksum = True
    if not valid_checksum:
        raise _error(
            _(
                "“%(value)s” is not a national ID number: the last digit (the check digit) does "
                "not match the others. Look for a mistyped digit."
            ),
            value,
        )
    return number


def is_valid_national_id(text: str | None) -> bool:
    """Whether ``text`` is a valid national ID (after normalisation)."""
    try:
        validate_national_id(text)
    except ValidationError:
        return False
    return True


def format_national_id(text: str | None) -> str:
    """The usual 1-4-5-2-1 grouping, "1-1017-00230-70-8"; "" for anything but 13 digits."""
    number = normalize_national_id(text)
    if len(number) != NATIONAL_ID_LENGTH or not _DIGITS.fullmatch(number):
        return ""
    return pin.format(number)


def mask_national_id(text: str | None) -> str:
    """What a screen may show (the registry issue's format): the first five digits and the check
    digit, in the usual grouping.

    "1101700230708" -> "1-1017-xxxxx-xx-8". The first digit is the person type and the next
    four the registration office (shared by everyone registered there); the last is the check
    digit, computed from the others: the seven digits that identify the person stay hidden.
    Anything that is not 13 digits after normalisation gives
    ``MASKED_NATIONAL_ID`` ("x-xxxx-xxxxx-xx-x"), and None or "" gives "".
    """
    number = normalize_national_id(text)
    if not number:
        return ""
    if len(number) != NATIONAL_ID_LENGTH or not _DIGITS.fullmatch(number):
        return MASKED_NATIONAL_ID
    return f"{number[0]}-{number[1:5]}-xxxxx-xx-{number[12]}"


def _hash_key() -> bytes:
    personal_key = getattr(settings, "PERSONAL_DATA_KEY", "") or ""
    if personal_key:
        return personal_key.encode() if isinstance(personal_key, str) else bytes(personal_key)
    secret = getattr(settings, "SECRET_KEY", "") or ""
    if not secret:
        raise ImproperlyConfigured("national_id_hash needs PERSONAL_DATA_KEY or SECRET_KEY")
    # A key of its own, derived from SECRET_KEY, so the hash is not a plain HMAC under it.
    return hmac.new(secret.encode(), HASH_LABEL, hashlib.sha256).digest()


def national_id_hash(normalised_id: str) -> str:
    """Keyed HMAC-SHA256 (hex) of a national ID, for exact-match search without clear text.

    The key is ``settings.PERSONAL_DATA_KEY`` when set, otherwise HMAC-SHA256 of the label
    "chumchon.national_id" under ``settings.SECRET_KEY``. Changing either key changes every
    hash (stored hashes must then be recomputed). The input is normalised again, so "1-1017-..."
    and "11017..." hash alike; anything that is not 13 digits raises ``ValueError``.
    """
    number = normalize_national_id(normalised_id)
    if len(number) != NATIONAL_ID_LENGTH or not _DIGITS.fullmatch(number):
        raise ValueError("national_id_hash expects a 13-digit national ID")
    return hmac.new(_hash_key(), number.encode("ascii"), hashlib.sha256).hexdigest()
