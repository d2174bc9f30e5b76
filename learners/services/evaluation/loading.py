"""Loading what an evaluation needs, each in one query, and resolving the rule that applies."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from courses.models import Course
from equivalence.models import EquivalenceMapping, MappingCourse

from ...models import CreditEntry, TransferItem, TransferRequest, TransferRule
from .data import (
    DEFAULT_HIGHER_MAX_SHARE,
    DEFAULT_MIN_GRADE,
    DEFAULT_RESIDENCY_TERMS,
    HIGHER_EDUCATION_LEVELS,
    ZERO,
    AppliedRule,
    CourseRef,
    EntryRef,
    InstitutionRef,
    Orientation,
)

_COURSE_FIELDS = ("id", "code", "name_th", "name_en", "credits", "level", "institution_id",
                  "curriculum_id")  # fmt: skip


_ENTRY_FIELDS = ("id", "institution_id", "course_id", "course_code", "course_name_th",
                 "course_name_en", "level", "credits", "grade_scale", "grade", "grade_points",
                 "academic_year", "term", "passed", "verified", "valid_until")  # fmt: skip


def load_entries(learner) -> list[EntryRef]:
    """The learner's live EARN entries, oldest first (one query)."""
    rows = (
        CreditEntry.objects.filter(learner=learner, kind=CreditEntry.Kind.EARN)
        .filter(reversal__isnull=True)
        .order_by("academic_year", "term", "created_at", "pk")
        .values_list(
            *_ENTRY_FIELDS, "institution__code", "institution__name_th", "institution__name_en"
        )
    )
    institutions: dict[int, InstitutionRef] = {}
    entries = []
    for row in rows:
        institution = institutions.get(row[1])
        if institution is None:
            institution = institutions[row[1]] = InstitutionRef(row[1], *row[-3:])
        entries.append(EntryRef(*row[:-3], institution))
    return entries


def load_orientations(course_ids, *, learner=None) -> dict[int, list[Orientation]]:
    """Approved mappings that have one of ``course_ids`` on the side that is read as source,
    keyed by that course (one query). With ``learner``, the courses are selected in the
    database (a subquery over the learner's entries) instead of being sent as parameters."""
    course_ids = sorted(set(course_ids))
    if not course_ids:
        return {}
    if learner is not None:
        wanted_ids = CreditEntry.objects.filter(
            learner=learner, kind=CreditEntry.Kind.EARN, course__isnull=False
        ).values("course_id")
    else:
        wanted_ids = course_ids
    touching = MappingCourse.objects.filter(course_id__in=wanted_ids).values("mapping_id")
    rows = (
        MappingCourse.objects.filter(
            mapping__status=EquivalenceMapping.Status.APPROVED, mapping_id__in=touching
        )
        .order_by("mapping_id", "course_id")
        .values_list(
            "mapping_id",
            "side",
            "mapping__credits_recognised",
            "mapping__min_grade",
            "mapping__valid_from_year",
            "mapping__valid_to_year",
            "mapping__direction",
            *(f"course__{name}" if name != "id" else "course_id" for name in _COURSE_FIELDS),
        )
    )
    mappings: dict[int, dict] = {}
    courses: dict[int, CourseRef] = {}
    for row in rows:
        data = mappings.get(row[0])
        if data is None:
            data = mappings[row[0]] = {"row": row, "source": [], "target": []}
        course = courses.get(row[7])
        if course is None:
            course = courses[row[7]] = CourseRef(*row[7:])
        data[row[1]].append(course)
    wanted = set(course_ids)
    by_course: dict[int, list[Orientation]] = defaultdict(list)
    for mapping_id, data in mappings.items():
        _id, _side, credits, min_grade, valid_from, valid_to, direction, *_course = data["row"]
        common = {
            "mapping_id": mapping_id,
            "min_grade": min_grade,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        sources, targets = tuple(data["source"]), tuple(data["target"])
        if not sources or not targets:
            continue
        oriented = [Orientation(sources=sources, targets=targets, credits=credits, **common)]
        if direction == EquivalenceMapping.Direction.MIRRORED:
            back = min(credits, sum((c.credits for c in sources), ZERO))
            oriented.append(
                Orientation(sources=targets, targets=sources, credits=back, mirrored=True, **common)
            )
        for orientation in oriented:
            for course in orientation.sources:
                if course.id in wanted:
                    by_course[course.id].append(orientation)
    return by_course


def load_transferred(learner) -> set[tuple[int, int]]:
    """(entry id, receiving institution id) of entries counted by approved requests."""
    return set(
        TransferItem.objects.filter(
            counts=True,
            request__learner=learner,
            request__status=TransferRequest.Status.APPROVED,
        ).values_list("entry_id", "request__target_institution_id")
    )


def load_rules(institution_ids) -> dict[tuple[int, str], TransferRule]:
    return {
        (rule.institution_id, rule.level): rule
        for rule in TransferRule.objects.filter(institution_id__in=sorted(set(institution_ids)))
    }


def applied_rule(rules: dict, curriculum) -> AppliedRule:
    """The receiving institution's rule for the curriculum's level, else its rule for every
    level, else the Thai defaults (2.0 / C; 3/4 cap for higher education only; one term)."""
    rule = rules.get((curriculum.institution_id, curriculum.level)) or rules.get(
        (curriculum.institution_id, "")
    )
    higher = curriculum.level in HIGHER_EDUCATION_LEVELS
    if rule is None:
        share = DEFAULT_HIGHER_MAX_SHARE if higher else None
        applied = AppliedRule(DEFAULT_MIN_GRADE, share, DEFAULT_RESIDENCY_TERMS)
    else:
        applied = AppliedRule(
            rule.min_grade, rule.max_share, rule.residency_terms, rule.pk, rule.note
        )
    if higher and curriculum.transfer_max_share is not None:
        # The curriculum may be stricter than the institution's rule, never looser.
        share = min(applied.max_share or Decimal(1), curriculum.transfer_max_share)
        applied = AppliedRule(
            applied.min_grade, share, applied.residency_terms, applied.rule_id, applied.note
        )
    return applied


def in_curriculum(course: CourseRef, curriculum) -> bool:
    """A target course belongs to the curriculum: it names it, or (course lists that do not
    name curricula) it is a course of the same institution and level."""
    if course.institution_id != curriculum.institution_id:
        return False
    if course.curriculum_id is not None:
        return course.curriculum_id == curriculum.pk
    return course.level == curriculum.level


def curriculum_courses(curricula) -> dict[int, list[CourseRef]]:
    """Approved courses of each curriculum (named, or same institution and level): one query."""
    curricula = list(curricula)
    if not curricula:
        return {}
    query = Q()
    for c in curricula:
        query |= Q(curriculum_id=c.pk) | Q(
            curriculum__isnull=True, institution_id=c.institution_id, level=c.level
        )
    rows = Course.objects.approved().filter(query).values(*_COURSE_FIELDS).order_by("code", "id")
    result: dict[int, list[CourseRef]] = {c.pk: [] for c in curricula}
    refs = [CourseRef(**row) for row in rows]
    for c in curricula:
        result[c.pk] = [r for r in refs if in_curriculum(r, c)]
    return result
