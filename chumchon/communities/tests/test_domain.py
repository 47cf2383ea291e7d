"""The registry's pure rules, by tables of cases."""

from datetime import date

import pytest

from chumchon.communities import domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10010123456", "10010123456"),
        (" 1001-012345-6 ", "10010123456"),
        ("๑๐๐๑ ๐๑๒๓๔ ๕๖", "10010123456"),
        ("", ""),
        (None, ""),
        (10010123456, "10010123456"),
        (10010123456.0, "10010123456"),
    ],
)
def test_house_code_is_eleven_digits_after_removing_spaces_dashes_and_thai_digits(raw, expected):
    assert domain.normalize_house_code(raw) == expected


@pytest.mark.parametrize("raw", ["1001012345", "100101234567", "1001-01234X-6", "บ้าน"])
def test_house_code_of_another_length_or_with_letters_is_refused(raw):
    with pytest.raises(ValueError):
        domain.normalize_house_code(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ใช่", True),
        ("ไม่ใช่", False),
        ("Y", True),
        ("n", False),
        ("YES", True),
        ("no", False),
        ("true", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("๑", True),
        ("", False),
        (None, False),
        ("  yes ", True),
        (True, True),
        (1.0, True),
    ],
)
def test_booleans_accept_thai_and_english_words_and_blank_is_no(raw, expected):
    assert domain.parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "ไม่แน่ใจ"])
def test_unknown_boolean_words_are_refused(raw):
    with pytest.raises(ValueError):
        domain.parse_bool(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ชาย", "M"), ("หญิง", "F"), ("M", "M"), ("f", "F"), ("Female", "F"), ("", "")],
)
def test_sex_accepts_thai_and_letters(raw, expected):
    assert domain.parse_sex(raw) == expected


def test_unknown_sex_is_refused():
    with pytest.raises(ValueError):
        domain.parse_sex("X")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("หัวหน้าครัวเรือน", "head"),
        ("เจ้าบ้าน", "head"),
        ("คู่สมรส", "spouse"),
        ("สามี", "spouse"),
        ("ภรรยา", "spouse"),
        ("บุตร", "child"),
        ("บิดา", "father"),
        ("มารดา", "mother"),
        ("หลาน", "grandchild"),
        ("ญาติ", "relative"),
        ("ผู้อาศัย", "resident"),
        ("head", "head"),
        (" บุตร ", "child"),
        ("", ""),
    ],
)
def test_relation_by_thai_word_alias_or_code(raw, expected):
    assert domain.parse_relation(raw) == expected


def test_unknown_relation_is_refused():
    with pytest.raises(ValueError):
        domain.parse_relation("เพื่อนบ้าน")


@pytest.mark.parametrize(
    ("birth", "day", "age", "elderly"),
    [
        (date(1966, 11, 22), date(2026, 11, 22), 60, True),
        (date(1966, 11, 23), date(2026, 11, 22), 59, False),
        (date(1964, 2, 29), date(2024, 2, 28), 59, False),
        (date(1964, 2, 29), date(2024, 2, 29), 60, True),
        (None, date(2026, 1, 1), None, False),
    ],
)
def test_elderly_is_computed_from_the_birth_date_sixty_and_over(birth, day, age, elderly):
    assert domain.age_on(birth, day) == age
    assert domain.is_elderly(birth, day) is elderly


def test_masked_name_keeps_first_letters_only():
    assert domain.mask_name("สมชาย", "ใจดี") == "ส*** ใ***"
    assert domain.mask_name("Ali", "") == "A***"


def test_clean_text_strips_spaces_and_turns_whole_floats_into_integers():
    assert domain.clean_text("\u00a0 ชุมชน \u200b") == "ชุมชน"
    assert domain.clean_text(12.0) == "12"
    assert domain.clean_text(None) == ""


def test_house_numbers_sort_as_people_read_them():
    numbers = ["100", "12/10", "4", "12/3", "๕", "ก12", "12"]
    assert sorted(numbers, key=domain.house_no_sort_key) == [
        "4",
        "๕",
        "12",
        "12/3",
        "12/10",
        "100",
        "ก12",
    ]
