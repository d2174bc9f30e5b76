from decimal import Decimal

import pytest

from learners import grades


@pytest.mark.parametrize(
    ("raw", "points", "passed"),
    [
        ("4", "4", True),
        ("3.5", "3.5", True),
        ("๓.๕", "3.5", True),  # Thai digits
        ("2.00", "2", True),
        ("1", "1", True),
        ("0", "0", False),
        ("ผ", None, True),
        ("มผ", None, False),
        ("มส", None, False),
        ("ร", None, False),
    ],
)
def test_basic_education_scale(raw, points, passed):
    grade = grades.parse("basic", raw)
    assert grade.points == (Decimal(points) if points else None)
    assert grade.passed is passed


@pytest.mark.parametrize(
    ("raw", "points", "passed"),
    [
        ("A", "4", True),
        ("b+", "3.5", True),
        ("B", "3", True),
        ("C+", "2.5", True),
        ("C", "2", True),
        ("D+", "1.5", True),
        ("D", "1", True),
        ("F", "0", False),
        ("S", None, True),
        ("U", None, False),
    ],
)
def test_higher_education_scale(raw, points, passed):
    grade = grades.parse("higher", raw)
    assert grade.points == (Decimal(points) if points else None)
    assert grade.passed is passed


@pytest.mark.parametrize(("scale", "raw"), [("basic", "5"), ("basic", "A"), ("higher", "3.5"),
                                            ("higher", "ผ"), ("basic", ""), ("basic", "4.2")])  # fmt: skip
def test_grades_outside_the_scale_are_refused(scale, raw):
    with pytest.raises(grades.GradeError):
        grades.parse(scale, raw)
    assert not grades.is_valid(scale, raw)


def test_minimum_grade_on_the_four_point_scale():
    assert grades.meets_minimum("higher", "C", Decimal("2.0"))
    assert not grades.meets_minimum("higher", "D+", Decimal("2.0"))
    assert grades.meets_minimum("basic", "2.5", Decimal("2.5"))
    assert not grades.meets_minimum("basic", "ผ", Decimal("2.0"))  # a pass without points
    assert grades.meets_minimum("basic", "ผ", Decimal("0"))
    assert not grades.meets_minimum("basic", "มผ", Decimal("0"))


def test_higher_education_levels_use_letter_grades():
    assert grades.scale_for_level("bachelor") == "higher"
    assert grades.scale_for_level("lower_secondary") == "basic"
    assert grades.scale_for_level("voc_cert") == "basic"
