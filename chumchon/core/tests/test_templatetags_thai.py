"""The ``thai`` template filters, rendered through a template engine. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.utils import translation

from chumchon.core.templatetags import thai

ENGINE = Engine(libraries={"thai": "chumchon.core.templatetags.thai"})
MARCH_12_2024 = dt.date(2024, 3, 12)


def render(source: str, **context: object) -> str:
    return ENGINE.from_string("{% load thai %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ d|be_date }}", "12 มีนาคม 2567"),
        ('{{ d|be_date:"short" }}', "12 มี.ค. 2567"),
        ('{{ d|be_date:"numeric" }}', "12/03/2567"),
        ("{{ d|fiscal_year }}", "2567"),
        ("{{ d|be_date|thai_digits }}", "๑๒ มีนาคม ๒๕๖๗"),
    ],
)
def test_date_filters_show_buddhist_era_in_thai(source: str, expected: str) -> None:
    with translation.override("th"):
        assert render(source, d=MARCH_12_2024) == expected


def test_date_filters_follow_active_language() -> None:
    with translation.override("en"):
        assert render("{{ d|be_date }}", d=MARCH_12_2024) == "12 March 2567 BE"
        assert render('{{ d|be_date:"short" }}', d=MARCH_12_2024) == "12 Mar 2567 BE"


def test_be_datetime_shows_bangkok_time() -> None:
    moment = dt.datetime(2024, 3, 11, 20, 5, tzinfo=dt.UTC)
    with translation.override("th"):
        assert render("{{ t|be_datetime }}", t=moment) == "12 มีนาคม 2567 03:05 น."
        assert render('{{ t|be_datetime:"short" }}', t=moment) == "12 มี.ค. 2567 03:05 น."
    with translation.override("en"):
        assert render("{{ t|be_datetime }}", t=moment) == "12 March 2567 BE 03:05"


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{{ v|baht }}", Decimal("1234567.5"), "1,234,567.50 บาท"),
        ("{{ v|number2 }}", Decimal("1234567.5"), "1,234,567.50"),
        ("{{ v|number2:0 }}", Decimal("1234567.5"), "1,234,568"),
        ("{{ v|number2 }}", "2.675", "2.68"),
        ("{{ v|percent }}", Decimal("89.99"), "89.99 %"),
        ("{{ v|percent:1 }}", Decimal("6.25"), "6.3 %"),
        ("{{ v|bahttext }}", Decimal("100.25"), "หนึ่งร้อยบาทยี่สิบห้าสตางค์"),
        ("{{ v|thai_digits }}", "ปี 2567", "ปี ๒๕๖๗"),
        ("{{ v|baht|thai_digits }}", Decimal("12.5"), "๑๒.๕๐ บาท"),
    ],
)
def test_number_filters_render_thai_figures(source: str, value: object, expected: str) -> None:
    with translation.override("th"):
        assert render(source, v=value) == expected


def test_baht_filter_follows_active_language() -> None:
    with translation.override("en"):
        assert render("{{ v|baht }}", v=Decimal("5")) == "5.00 baht"


@pytest.mark.parametrize(
    "source",
    [
        "{{ v|be_date }}",
        '{{ v|be_date:"short" }}',
        "{{ v|be_datetime }}",
        "{{ v|baht }}",
        "{{ v|number2 }}",
        "{{ v|percent }}",
        "{{ v|bahttext }}",
        "{{ v|thai_digits }}",
        "{{ v|fiscal_year }}",
    ],
)
@pytest.mark.parametrize("value", [None, ""])
def test_every_filter_renders_none_as_empty(source: str, value: object) -> None:
    assert render(source, v=value) == ""


def test_missing_variable_renders_empty() -> None:
    assert render("{{ nothing|be_date }}{{ nothing|baht }}{{ nothing|percent }}") == ""


def test_thai_digits_keeps_html_escaping() -> None:
    assert render("{{ v|thai_digits }}", v="<b>1</b>") == "&lt;b&gt;๑&lt;/b&gt;"


def test_filters_are_callable_directly() -> None:
    with translation.override("th"):
        assert thai.be_date(MARCH_12_2024) == "12 มีนาคม 2567"
        assert thai.percent(None) == ""
        assert thai.fiscal_year(dt.date(2024, 10, 1)) == "2568"


def test_money_filters_refuse_floats() -> None:
    with pytest.raises(TypeError):
        thai.baht(1.5)  # type: ignore[arg-type]
