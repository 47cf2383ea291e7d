"""Thai national ID numbers: normalisation, checksum, masking, keyed hash. No database."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.th import pin

from chumchon.core.national_id import (
    MASKED_NATIONAL_ID,
    format_national_id,
    is_valid_national_id,
    mask_national_id,
    national_id_hash,
    normalize_national_id,
    validate_national_id,
)

VALID_ID = "1101700230708"


def with_check_digit(first_twelve: str) -> str:
    """A 13-digit ID: twelve digits plus the check digit computed by stdnum's algorithm."""
    return first_twelve + pin.calc_check_digit(first_twelve)


ZERO_ID = with_check_digit("012345678901")  # a person without Thai registration status

twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)
valid_ids = twelve_digits.filter(lambda s: s[0] != "9").map(with_check_digit)


def test_reference_id_is_valid_for_stdnum() -> None:
    assert pin.is_valid(VALID_ID)
    assert with_check_digit(VALID_ID[:12]) == VALID_ID


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1101700230708", "1101700230708"),
        ("1-1017-00230-70-8", "1101700230708"),
        ("1 1017 00230 70 8", "1101700230708"),
        ("1.1017.00230.70.8", "1101700230708"),
        (" 1–1017–00230–70–8 ", "1101700230708"),  # en dashes
        ("๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘", "1101700230708"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_removes_separators_and_converts_thai_digits(
    text: str | None, expected: str
) -> None:
    assert normalize_national_id(text) == expected


@pytest.mark.parametrize(
    "text", [VALID_ID, "1-1017-00230-70-8", "๑๑๐๑๗๐๐๒๓๐๗๐๘", "3100600445635", ZERO_ID]
)
def test_valid_ids_are_returned_normalised(text: str) -> None:
    result = validate_national_id(text)
    assert result == normalize_national_id(text)
    assert is_valid_national_id(text)


def test_id_starting_with_zero_is_accepted_when_checksum_holds() -> None:
    assert ZERO_ID.startswith("0")
    assert not pin.is_valid(ZERO_ID)  # stdnum alone refuses it
    assert validate_national_id(ZERO_ID) == ZERO_ID


def test_id_starting_with_zero_is_refused_when_checksum_fails() -> None:
    wrong = ZERO_ID[:12] + str((int(ZERO_ID[12]) + 1) % 10)
    assert not is_valid_national_id(wrong)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter"),
        ("   ", "Enter"),
        ("110170023070", "12 digits"),
        ("11017002307080", "14 digits"),
        ("11017002307a8", "only digits"),
        ("1101700230709", "check digit"),
        (with_check_digit("910170023070"), "starts with 9"),
    ],
)
def test_invalid_ids_raise_validation_error_naming_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_national_id(text)
    assert caught.value.code == "invalid_national_id"
    with translation.override("en"):
        message = caught.value.messages[0]
    assert fragment in message
    if text.strip():
        assert text in message
    assert not is_valid_national_id(text)


@given(valid_ids)
def test_ids_with_a_correct_check_digit_are_valid(national_id: str) -> None:
    assert validate_national_id(national_id) == national_id
    assert validate_national_id(format_national_id(national_id)) == national_id


@given(valid_ids, st.integers(min_value=1, max_value=9))
def test_a_mistyped_check_digit_is_caught(national_id: str, shift: int) -> None:
    typo = national_id[:12] + str((int(national_id[12]) + shift) % 10)
    assert not is_valid_national_id(typo)


@given(valid_ids, st.sampled_from([0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11]))
def test_a_mistyped_digit_is_caught_unless_the_sum_wraps(national_id: str, position: int) -> None:
    # Weights 13..2 are taken mod 11 and mapped to one digit by (11 - s) % 10, so the check
    # digit is the same for sums 0 and 10: changing one digit is caught unless it moves the
    # sum between those two values.
    def weighted_sum(number: str) -> int:
        return sum((13 - i) * int(d) for i, d in enumerate(number[:12])) % 11

    for digit in "0123456789":
        typo = national_id[:position] + digit + national_id[position + 1 :]
        if typo == national_id or typo[0] == "9":
            continue
        sums = {weighted_sum(national_id), weighted_sum(typo)}
        if sums != {0, 10}:
            assert not is_valid_national_id(typo)


def test_third_digit_is_outside_the_checksum() -> None:
    # Its weight is 11, which is 0 mod 11: the official algorithm cannot catch a typo there.
    typo = VALID_ID[:2] + "9" + VALID_ID[3:]
    assert typo != VALID_ID
    assert is_valid_national_id(typo)


@given(valid_ids)
def test_valid_ids_agree_with_stdnum_apart_from_leading_zero(national_id: str) -> None:
    if national_id[0] != "0":
        assert pin.is_valid(national_id)


def test_format_groups_one_four_five_two_one() -> None:
    assert format_national_id(VALID_ID) == "1-1017-00230-70-8"
    assert format_national_id("123") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID_ID, "1-1017-xxxxx-xx-8"),
        ("1-1017-00230-70-8", "1-1017-xxxxx-xx-8"),
        ("๑๑๐๑๗๐๐๒๓๐๗๐๘", "1-1017-xxxxx-xx-8"),
        ("123", MASKED_NATIONAL_ID),
        ("abcdefghijklm", MASKED_NATIONAL_ID),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_shows_the_issue_format(text: str | None, expected: str) -> None:
    assert mask_national_id(text) == expected


@given(valid_ids)
def test_mask_hides_the_seven_digits_that_identify_the_person(national_id: str) -> None:
    """Shown: type and registration office (first five) and the check digit; hidden: 6-12."""
    masked = mask_national_id(national_id)
    digits = "".join(c for c in masked if c.isdigit())
    assert digits == national_id[:5] + national_id[-1]
    assert masked == f"{national_id[0]}-{national_id[1:5]}-xxxxx-xx-{national_id[-1]}"
    assert national_id[5:12] not in masked.replace("-", "")


@override_settings(PERSONAL_DATA_KEY="", SECRET_KEY="secret-one")
def test_hash_derives_its_key_from_secret_key_when_no_personal_data_key() -> None:
    key = hmac.new(b"secret-one", b"chumchon.national_id", hashlib.sha256).digest()
    expected = hmac.new(key, VALID_ID.encode(), hashlib.sha256).hexdigest()
    assert national_id_hash(VALID_ID) == expected
    assert national_id_hash(VALID_ID) != hashlib.sha256(VALID_ID.encode()).hexdigest()


@override_settings(PERSONAL_DATA_KEY="personal-key", SECRET_KEY="secret-one")
def test_hash_uses_personal_data_key_when_set() -> None:
    expected = hmac.new(b"personal-key", VALID_ID.encode(), hashlib.sha256).hexdigest()
    assert national_id_hash(VALID_ID) == expected


def test_hash_changes_with_the_key() -> None:
    with override_settings(PERSONAL_DATA_KEY="key-a"):
        first = national_id_hash(VALID_ID)
    with override_settings(PERSONAL_DATA_KEY="key-b"):
        second = national_id_hash(VALID_ID)
    assert first != second


def test_hash_is_the_same_for_any_typed_form_of_the_id() -> None:
    forms = [VALID_ID, "1-1017-00230-70-8", "๑๑๐๑๗๐๐๒๓๐๗๐๘", " 1 1017 00230 70 8 "]
    hashes = {national_id_hash(form) for form in forms}
    assert len(hashes) == 1
    (only,) = hashes
    assert len(only) == 64
    assert VALID_ID not in only


@pytest.mark.parametrize("text", ["", "123", "11017002307a8"])
def test_hash_refuses_what_is_not_thirteen_digits(text: str) -> None:
    with pytest.raises(ValueError):
        national_id_hash(text)


@override_settings(PERSONAL_DATA_KEY="", SECRET_KEY="")
def test_hash_without_any_key_is_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured):
        national_id_hash(VALID_ID)
