"""Learners and ledger entries for tests, made through the services like production does."""

import itertools
from decimal import Decimal

from courses.models import Course
from learners import identifiers
from learners.services import learners as learner_services
from learners.services import ledger as ledger_services

_counter = itertools.count(1)


def citizen_id(first_twelve: str | None = None) -> str:
    """A valid citizen ID (check digit computed); a fresh one each call without an argument."""
    first_twelve = first_twelve or f"1{next(_counter):011d}"
    return first_twelve + str(identifiers.citizen_id_check_digit(first_twelve))


def make_learner(**kwargs):
    kwargs.setdefault("identifier", citizen_id())
    kwargs.setdefault("first_name_th", "สมชาย")
    kwargs.setdefault("last_name_th", f"ใจดี{next(_counter)}")
    kwargs.setdefault("consent", True)
    return learner_services.learner_create(actor=kwargs.pop("actor", None), **kwargs)


def make_course(institution, code="ง21101", credits="1.0", level="lower_secondary", **kwargs):
    defaults = {
        "name_th": f"วิชา {code}",
        "name_en": f"Course {code}",
        "subject_group": "ง" if code.startswith("ง") else "",
        "academic_year": 2567,
        "status": Course.Status.APPROVED,
    }
    defaults.update(kwargs)
    return Course.objects.create(
        institution=institution, code=code, credits=Decimal(credits), level=level, **defaults
    )


def make_entry(learner, course, grade="3", *, verified=True, **kwargs):
    kwargs.setdefault("academic_year", 2567)
    kwargs.setdefault("term", "1")
    return ledger_services.entry_record(
        actor=kwargs.pop("actor", None),
        learner=learner,
        institution=course.institution,
        course=course,
        grade=grade,
        verified=verified,
        **kwargs,
    )
