"""Thai course codes.

Basic education (e.g. ``ง21101``): subject-group letter, level digit (1 primary, 2 lower
secondary, 3 upper secondary), year digit (0 = any year), type digit (1 basic, 2 additional),
two-digit sequence. Vocational (e.g. ``20101-2001``): five digits, a dash, four digits. Anything
else is accepted with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from creditbank.thai import to_arabic_digits

from .models import CourseType, Level, SubjectGroup

BASIC_CODE = re.compile(r"^([ก-ฮ])([1-3])([0-6])([1-2])([0-9]{2})$")
VOCATIONAL_CODE = re.compile(r"^[0-9]{5}-[0-9]{4}$")
LEVEL_BY_DIGIT = {"1": Level.PRIMARY, "2": Level.LOWER_SECONDARY, "3": Level.UPPER_SECONDARY}
TYPE_BY_DIGIT = {"1": CourseType.BASIC, "2": CourseType.ADDITIONAL}
GROUP_LETTERS = {choice.value for choice in SubjectGroup if len(choice.value) == 1}


@dataclass(frozen=True)
class ParsedCode:
    kind: str  # "basic", "vocational" or "other"
    code: str
    level: str | None = None
    subject_group: str | None = None
    year: int | None = None
    course_type: str | None = None


def normalise_code(raw) -> str:
    text = to_arabic_digits(str(raw or "")).strip()
    text = re.sub(r"\s+", "", text)
    return text.replace("–", "-").replace("—", "-").upper()


def parse_code(raw) -> ParsedCode:
    code = normalise_code(raw)
    match = BASIC_CODE.match(code)
    if match:
        letter, level_digit, year_digit, type_digit, _sequence = match.groups()
        return ParsedCode(
            kind="basic",
            code=code,
            level=LEVEL_BY_DIGIT[level_digit],
            subject_group=letter if letter in GROUP_LETTERS else SubjectGroup.OTHER,
            year=int(year_digit),
            course_type=TYPE_BY_DIGIT[type_digit],
        )
    if VOCATIONAL_CODE.match(code):
        return ParsedCode(kind="vocational", code=code)
    return ParsedCode(kind="other", code=code)
