"""Thai calendar and numeral helpers.

Django's ``th`` locale formats dates with the Gregorian year; Thai official documents use the
Buddhist era (B.E. = C.E. + 543) and often Thai digits. Everything here is pure and cheap.
"""

import datetime as dt

BE_OFFSET = 543

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS_ABBR = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def to_thai_digits(value) -> str:
    return str(value).translate(_TO_THAI)


def to_arabic_digits(value) -> str:
    """Turn Thai digits into ASCII digits; leaves everything else alone."""
    return str(value).translate(_TO_ARABIC)


def be_year(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def ce_year(year_be: int) -> int:
    return year_be - BE_OFFSET


def format_date(value, *, language="th", style="long", thai_digits=False) -> str:
    """Format a date (or datetime) the way a Thai reader expects.

    ``style`` is ``long`` (6 มีนาคม 2567), ``short`` (6 มี.ค. 2567) or ``numeric`` (6/3/2567).
    English uses the Gregorian year (6 Mar 2024).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.tzinfo is None else value.astimezone().date()
    if language.startswith("th"):
        year = be_year(value.year)
        if style == "numeric":
            text = f"{value.day}/{value.month}/{year}"
        else:
            months = THAI_MONTHS if style == "long" else THAI_MONTHS_ABBR
            text = f"{value.day} {months[value.month - 1]} {year}"
        return to_thai_digits(text) if thai_digits else text
    if style == "numeric":
        return f"{value.day}/{value.month}/{value.year}"
    return f"{value.day} {ENGLISH_MONTHS_ABBR[value.month - 1]} {value.year}"


def fiscal_year_be(day: dt.date) -> int:
    """Thai fiscal year (1 Oct – 30 Sep), Buddhist era."""
    return be_year(day.year + 1 if day.month >= 10 else day.year)


def academic_year_be(day: dt.date) -> int:
    """Thai academic year starts in May; January–April belong to the previous one."""
    return be_year(day.year if day.month >= 5 else day.year - 1)
