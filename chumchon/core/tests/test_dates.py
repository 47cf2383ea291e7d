"""Thai date conventions: BE display, typed dates, fiscal years. No database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chumchon.core.dates import (
    ENGLISH_MONTHS,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    be_year,
    fiscal_quarter,
    fiscal_quarter_bounds,
    fiscal_year,
    fiscal_year_bounds,
    format_date,
    format_datetime,
    parse_date,
)

MARCH_12_2024 = dt.date(2024, 3, 12)
dates_1900_2200 = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


def test_month_tables_have_twelve_entries_in_calendar_order() -> None:
    assert len(THAI_MONTHS) == len(THAI_MONTHS_ABBR) == len(ENGLISH_MONTHS) == 12
    assert THAI_MONTHS[0] == "มกราคม"
    assert THAI_MONTHS[-1] == "ธันวาคม"
    assert THAI_MONTHS_ABBR[0] == "ม.ค."
    assert THAI_MONTHS_ABBR[-1] == "ธ.ค."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2024, 2567),
        (1957, 2500),
        (MARCH_12_2024, 2567),
        (dt.datetime(2024, 3, 12, 9, 0), 2567),
    ],
)
def test_be_year_adds_543(value: dt.date | int, expected: int) -> None:
    assert be_year(value) == expected


def test_be_year_reads_aware_datetime_in_bangkok_time() -> None:
    # 31 Dec 2023 20:00 UTC is already 1 Jan 2024 in Bangkok.
    assert be_year(dt.datetime(2023, 12, 31, 20, 0, tzinfo=dt.UTC)) == 2567


# --- format_date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "thai", "english"),
    [
        ("long", "12 มีนาคม 2567", "12 March 2567 BE"),
        ("short", "12 มี.ค. 2567", "12 Mar 2567 BE"),
        ("numeric", "12/03/2567", "12/03/2567"),
    ],
)
def test_format_date_always_shows_buddhist_era(style: str, thai: str, english: str) -> None:
    assert format_date(MARCH_12_2024, style, lang="th") == thai
    assert format_date(MARCH_12_2024, style, lang="en") == english
    assert format_date(MARCH_12_2024, style, lang="en-us") == english


def test_format_date_follows_active_language() -> None:
    with translation.override("th"):
        assert format_date(MARCH_12_2024) == "12 มีนาคม 2567"
    with translation.override("en"):
        assert format_date(MARCH_12_2024) == "12 March 2567 BE"


def test_format_date_does_not_pad_day_in_words_but_pads_numeric() -> None:
    day = dt.date(2023, 10, 1)
    assert format_date(day, "long", lang="th") == "1 ตุลาคม 2566"
    assert format_date(day, "numeric", lang="th") == "01/10/2566"


def test_format_date_of_none_is_empty() -> None:
    assert format_date(None) == ""
    assert format_datetime(None) == ""


def test_format_date_converts_aware_datetime_to_bangkok_date() -> None:
    late_utc = dt.datetime(2024, 3, 11, 20, 5, tzinfo=dt.UTC)  # 12 Mar 03:05 in Bangkok
    assert format_date(late_utc, "numeric") == "12/03/2567"


def test_format_date_refuses_unknown_style() -> None:
    with pytest.raises(ValueError, match="style"):
        format_date(MARCH_12_2024, "medium")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("th", "12 มีนาคม 2567 03:05 น."), ("en", "12 March 2567 BE 03:05")],
)
def test_format_datetime_adds_local_time(lang: str, expected: str) -> None:
    value = dt.datetime(2024, 3, 11, 20, 5, tzinfo=dt.UTC)
    assert format_datetime(value, lang) == expected


def test_format_datetime_short_style_and_naive_datetime() -> None:
    naive = dt.datetime(2024, 3, 12, 14, 5)
    assert format_datetime(naive, "th", style="short") == "12 มี.ค. 2567 14:05 น."


def test_format_datetime_of_plain_date_has_no_time() -> None:
    assert format_datetime(MARCH_12_2024, "th") == "12 มีนาคม 2567"


# --- parse_date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "12/03/2567",
        "12/3/2567",
        "12-03-2567",
        "12.03.2567",
        "  12/03/2567  ",
        "12 / 03 / 2567",
        "๑๒/๐๓/๒๕๖๗",
        "12/03/2024",
        "2024-03-12",
        "2567-03-12",
        "12/03/67",
        "12 มีนาคม 2567",
        "12 มี.ค. 2567",
        "12 มี.ค. 67",
        "12มี.ค.2567",
        "12 มีค 2567",
        "๑๒ มีนาคม ๒๕๖๗",
        "12 มี.ค. พ.ศ. 2567",
        "12 มีนาคม 2567 พ.ศ.",
        "12 March 2024",
        "12 Mar 2567",
        "12 March 2567 BE",
        "12 Mar 24 CE",
        "12 มี.ค. ค.ศ. 2024",
    ],
)
def test_parse_date_reads_every_accepted_form(text: str) -> None:
    assert parse_date(text) == MARCH_12_2024


def test_two_digit_year_is_buddhist_era() -> None:
    assert parse_date("12/03/67") == dt.date(2024, 3, 12)
    assert parse_date("01/01/00") == dt.date(1957, 1, 1)  # 2500 BE
    assert parse_date("31/12/99") == dt.date(2056, 12, 31)  # 2599 BE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/01/2400", dt.date(1857, 1, 1)),  # the first year read as BE
        ("01/01/2399", dt.date(2399, 1, 1)),  # the last year read as CE
        ("01/01/1000", dt.date(1000, 1, 1)),
    ],
)
def test_four_digit_year_is_buddhist_era_from_2400(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_slash_date_is_day_first() -> None:
    assert parse_date("03/12/2567") == dt.date(2024, 12, 3)


def test_iso_date_is_common_era_unless_buddhist_year() -> None:
    assert parse_date("2024-03-12") == dt.date(2024, 3, 12)
    assert parse_date("2567-03-12") == dt.date(2024, 3, 12)


def test_leap_day_follows_the_ce_calendar() -> None:
    assert parse_date("29/02/2567") == dt.date(2024, 2, 29)  # 2024 is a leap year
    with pytest.raises(ValidationError):
        parse_date("29/02/2566")  # 2023 is not


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("31/02/2567", "31/02/2567"),
        ("12/13/2567", "12/13/2567"),
        ("00/03/2567", "00/03/2567"),
        ("12/00/2567", "12/00/2567"),
        ("12/03/567", "567"),
        ("12/03/0999", "0999"),
        ("12/03/25670", "25670"),
        ("12/03/7", "12/03/7"),
        ("abc", "abc"),
        ("12 foo 2567", "12 foo 2567"),
        ("12/03", "12/03"),
        ("2567", "2567"),
        ("12/03-2567", "12/03-2567"),
        ("2024-02-30", "2024-02-30"),
        ("12 มี.ค.", "12 มี.ค."),
    ],
)
def test_invalid_date_raises_validation_error_naming_the_value(text: str, named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(text)
    assert caught.value.code == "invalid_date"
    with translation.override("en"):
        message = " ".join(caught.value.messages)
    assert named in message


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_date_raises_validation_error(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(text)
    assert caught.value.code == "invalid_date"


def test_month_13_message_says_months_run_to_12() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date("12/13/2567")
    with translation.override("en"):
        assert "13" in caught.value.messages[0]
        assert "1 to 12" in caught.value.messages[0]


@given(dates_1900_2200)
def test_numeric_format_round_trips_through_parse_date(day: dt.date) -> None:
    assert parse_date(format_date(day, "numeric")) == day


@given(dates_1900_2200, st.sampled_from(["long", "short"]), st.sampled_from(["th", "en"]))
def test_worded_formats_round_trip_through_parse_date(day: dt.date, style: str, lang: str) -> None:
    assert parse_date(format_date(day, style, lang=lang)) == day


@given(dates_1900_2200)
def test_iso_format_round_trips_through_parse_date(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day


# --- fiscal years --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (dt.date(2023, 10, 1), 2567),
        (dt.date(2024, 3, 12), 2567),
        (dt.date(2024, 9, 30), 2567),
        (dt.date(2024, 10, 1), 2568),
        (dt.date(2023, 9, 30), 2566),
    ],
)
def test_fiscal_year_is_named_by_the_be_year_it_ends_in(day: dt.date, fy: int) -> None:
    assert fiscal_year(day) == fy


def test_fiscal_year_of_aware_datetime_uses_bangkok_date() -> None:
    # 30 Sep 2024 18:00 UTC is 1 Oct 2024 01:00 in Bangkok: the next fiscal year.
    assert fiscal_year(dt.datetime(2024, 9, 30, 18, 0, tzinfo=dt.UTC)) == 2568


def test_fiscal_year_bounds_run_october_to_september() -> None:
    assert fiscal_year_bounds(2567) == (dt.date(2023, 10, 1), dt.date(2024, 9, 30))


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2023, 10, 1), 1),
        (dt.date(2023, 12, 31), 1),
        (dt.date(2024, 1, 1), 2),
        (dt.date(2024, 3, 31), 2),
        (dt.date(2024, 4, 1), 3),
        (dt.date(2024, 6, 30), 3),
        (dt.date(2024, 7, 1), 4),
        (dt.date(2024, 9, 30), 4),
    ],
)
def test_fiscal_quarter_one_is_october_to_december(day: dt.date, quarter: int) -> None:
    assert fiscal_quarter(day) == quarter


@pytest.mark.parametrize(
    ("quarter", "bounds"),
    [
        (1, (dt.date(2023, 10, 1), dt.date(2023, 12, 31))),
        (2, (dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
        (3, (dt.date(2024, 4, 1), dt.date(2024, 6, 30))),
        (4, (dt.date(2024, 7, 1), dt.date(2024, 9, 30))),
    ],
)
def test_fiscal_quarter_bounds_of_fy2567(quarter: int, bounds: tuple[dt.date, dt.date]) -> None:
    assert fiscal_quarter_bounds(2567, quarter) == bounds


def test_fiscal_quarter_two_ends_on_leap_day_in_a_leap_year() -> None:
    assert fiscal_quarter_bounds(2567, 2)[1] == dt.date(2024, 3, 31)
    start, end = fiscal_quarter_bounds(2567, 2)
    assert (end - start).days + 1 == 91  # Jan 31 + Feb 29 + Mar 31


@pytest.mark.parametrize("fy", [2024, 0, -1, "2567", 2567.0, True, None, 99999])
def test_fiscal_year_bounds_refuses_what_is_not_a_be_year(fy: object) -> None:
    with pytest.raises(ValueError):
        fiscal_year_bounds(fy)  # type: ignore[arg-type]


@pytest.mark.parametrize("q", [0, 5, -1, "1", 1.0, True, None])
def test_fiscal_quarter_bounds_refuses_bad_quarter(q: object) -> None:
    with pytest.raises(ValueError):
        fiscal_quarter_bounds(2567, q)  # type: ignore[arg-type]


def test_fiscal_quarter_bounds_refuses_bad_fiscal_year() -> None:
    with pytest.raises(ValueError):
        fiscal_quarter_bounds(2024, 1)


@given(dates_1900_2200)
def test_fiscal_year_bounds_contain_the_date(day: dt.date) -> None:
    start, end = fiscal_year_bounds(fiscal_year(day))
    assert start <= day <= end
    assert (start.month, start.day, end.month, end.day) == (10, 1, 9, 30)
    assert end.year == start.year + 1


@given(dates_1900_2200)
def test_fiscal_quarter_bounds_contain_the_date(day: dt.date) -> None:
    start, end = fiscal_quarter_bounds(fiscal_year(day), fiscal_quarter(day))
    assert start <= day <= end


@given(st.integers(min_value=2443, max_value=2743))
def test_fiscal_quarters_tile_the_fiscal_year(fy: int) -> None:
    year_start, year_end = fiscal_year_bounds(fy)
    quarters = [fiscal_quarter_bounds(fy, q) for q in (1, 2, 3, 4)]
    assert quarters[0][0] == year_start
    assert quarters[-1][1] == year_end
    for (_, end), (next_start, _) in zip(quarters, quarters[1:], strict=False):
        assert next_start - end == dt.timedelta(days=1)
