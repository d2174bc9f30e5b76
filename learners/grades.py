"""Grade scales: what a grade is worth and whether it passes.

Two scales (DOMAIN.md):

* **basic** — basic education, vocational and non-formal courses: 4, 3.5, 3, 2.5, 2, 1.5, 1, 0
  and the non-numeric ผ (pass), มผ (fail), มส (not allowed to sit the final), ร (pending);
* **higher** — higher education: A 4, B+ 3.5, B 3, C+ 2.5, C 2, D+ 1.5, D 1, F 0, S
  (satisfactory), U (unsatisfactory), I (incomplete) and W (withdrawn).

A numeric grade passes from 1 / D upwards; 0 / F fails. ผ and S pass without grade points; มผ,
มส, ร, U, I and W do not pass (ร and I are pending: a later result replaces them through a
reversal and a new entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from creditbank.thai import to_arabic_digits


class GradeScale(models.TextChoices):
    BASIC = "basic", _("Basic education (4–0)")
    HIGHER = "higher", _("Higher education (A–F)")


@dataclass(frozen=True)
class Grade:
    scale: str
    code: str
    points: Decimal | None  # None: a non-numeric grade (ผ, S …)
    passed: bool
    pending: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.points is not None


def _numeric(scale: str, code: str, points: str) -> Grade:
    value = Decimal(points)
    return Grade(scale, code, value, passed=value >= 1)


BASIC_GRADES = [
    *(_numeric("basic", p, p) for p in ("4", "3.5", "3", "2.5", "2", "1.5", "1", "0")),
    Grade("basic", "ผ", None, passed=True),
    Grade("basic", "มผ", None, passed=False),
    Grade("basic", "มส", None, passed=False),
    Grade("basic", "ร", None, passed=False, pending=True),
]
_HIGHER_POINTS = (
    ("A", "4"), ("B+", "3.5"), ("B", "3"), ("C+", "2.5"),
    ("C", "2"), ("D+", "1.5"), ("D", "1"), ("F", "0"),
)  # fmt: skip
HIGHER_GRADES = [
    *(_numeric("higher", code, points) for code, points in _HIGHER_POINTS),
    Grade("higher", "S", None, passed=True),
    Grade("higher", "U", None, passed=False),
    Grade("higher", "I", None, passed=False, pending=True),
    Grade("higher", "W", None, passed=False),
]
SCALES: dict[str, dict[str, Grade]] = {
    GradeScale.BASIC: {g.code: g for g in BASIC_GRADES},
    GradeScale.HIGHER: {g.code: g for g in HIGHER_GRADES},
}
# What people write instead of the canonical code.
_ALIASES = {
    "มผ.": "มผ", "ม.ผ.": "มผ", "มส.": "มส", "ม.ส.": "มส", "ผ.": "ผ", "ร.": "ร",
    "4.0": "4", "3.0": "3", "2.0": "2", "1.0": "1", "0.0": "0",
    "4.00": "4", "3.50": "3.5", "3.00": "3", "2.50": "2.5", "2.00": "2", "1.50": "1.5",
    "1.00": "1", "0.00": "0",
}  # fmt: skip


class GradeError(ValueError):
    pass


def normalise_grade(raw) -> str:
    text = to_arabic_digits("" if raw is None else str(raw)).strip().replace(" ", "").upper()
    return _ALIASES.get(text, text)


def parse(scale: str, raw) -> Grade:
    """The grade ``raw`` on ``scale``, or GradeError naming the accepted values."""
    code = normalise_grade(raw)
    grades = SCALES.get(scale)
    if grades is None:
        raise GradeError(f"unknown grade scale {scale!r}")
    try:
        return grades[code]
    except KeyError:
        raise GradeError(
            _("“%(grade)s” is not a grade on this scale (%(accepted)s).")
            % {"grade": raw, "accepted": ", ".join(grades)}
        ) from None


def is_valid(scale: str, raw) -> bool:
    try:
        parse(scale, raw)
    except GradeError:
        return False
    return True


def points_of(scale: str, code: str) -> Decimal | None:
    return SCALES[scale][code].points


def meets_minimum(scale: str, code: str, minimum: Decimal) -> bool:
    """Whether a grade reaches a minimum on the 4-point scale (2.0 = C).

    A non-numeric pass (ผ, S) has no points: it meets no numeric minimum above zero.
    """
    grade = SCALES[scale][code]
    if not grade.passed:
        return False
    if grade.points is None:
        return minimum <= 0
    return grade.points >= minimum


def scale_for_level(level: str) -> str:
    """Higher-education levels grade A–F; everything else 4–0."""
    return GradeScale.HIGHER if level in {"associate", "bachelor"} else GradeScale.BASIC
