import datetime as dt

from django.template import Context, Template
from django.utils import translation

from creditbank import thai


def test_buddhist_era_dates():
    day = dt.date(2024, 3, 6)
    assert thai.format_date(day) == "6 มีนาคม 2567"
    assert thai.format_date(day, style="short") == "6 มี.ค. 2567"
    assert thai.format_date(day, thai_digits=True) == "๖ มีนาคม ๒๕๖๗"
    assert thai.format_date(day, language="en") == "6 Mar 2024"


def test_thai_digits_round_trip():
    assert thai.to_thai_digits("2567") == "๒๕๖๗"
    assert thai.to_arabic_digits("๑.๕ หน่วยกิต") == "1.5 หน่วยกิต"


def test_fiscal_and_academic_years():
    assert thai.fiscal_year_be(dt.date(2023, 10, 1)) == 2567
    assert thai.fiscal_year_be(dt.date(2024, 9, 30)) == 2567
    assert thai.academic_year_be(dt.date(2024, 4, 30)) == 2566
    assert thai.academic_year_be(dt.date(2024, 5, 16)) == 2567


def test_template_filters_follow_the_language():
    template = Template("{{ d|be_date }}|{{ 2567|thai_digits }}|{{ y|be_year }}")
    context = Context({"d": dt.date(2024, 1, 5), "y": 2567})
    with translation.override("th"):
        assert template.render(context) == "5 มกราคม 2567|๒๕๖๗|2567"
    with translation.override("en"):
        assert template.render(context) == "5 Jan 2024|๒๕๖๗|2024"
