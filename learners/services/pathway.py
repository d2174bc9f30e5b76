"""Pathway planning ("what if I enrol at …"): read-only, nothing is asked or recorded.

For one curriculum of the province: how many of the learner's credits would count there (through
approved mappings, under the receiving institution's rules, plus what they already passed at
that institution) and which of its courses remain. For every curriculum of a level: a ranking by
how much of the record counts. Both load the learner's data once and evaluate in Python, so the
number of queries does not grow with the ledger or the number of curricula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from ..models import Learner
from . import evaluation as engine
from .transfer import curricula_for

ZERO = Decimal("0")


@dataclass
class Pathway:
    curriculum: object
    evaluation: engine.Evaluation
    courses: list[engine.CourseRef] = field(default_factory=list)
    earned_here: Decimal = ZERO
    passed_here_ids: set[int] = field(default_factory=set)

    @property
    def total_credits(self) -> Decimal:
        return self.evaluation.total_credits

    @property
    def transferred_credits(self) -> Decimal:
        return self.evaluation.counted_credits

    @property
    def counted_credits(self) -> Decimal:
        return self.transferred_credits + self.earned_here

    @property
    def share(self) -> Decimal:
        if not self.total_credits:
            return ZERO
        return min(self.counted_credits / self.total_credits, Decimal(1))

    @property
    def percent(self) -> int:
        return int((self.share * 100).to_integral_value())

    @property
    def remaining(self) -> list[engine.CourseRef]:
        done = self.evaluation.recognised_course_ids | self.passed_here_ids
        return [c for c in self.courses if c.id not in done]

    @property
    def remaining_credits(self) -> Decimal:
        return max(self.total_credits - self.counted_credits, ZERO)


@dataclass
class _Loaded:
    entries: list
    orientations: dict
    transferred: set


def _load(learner: Learner) -> _Loaded:
    entries = engine.load_entries(learner)
    return _Loaded(
        entries=entries,
        orientations=engine.load_orientations(e.course_id for e in entries if e.course_id),
        transferred=engine.load_transferred(learner),
    )


def _pathways(learner: Learner, curricula: list) -> list[Pathway]:
    if not curricula:
        return []
    loaded = _load(learner)
    rules = engine.load_rules(c.institution_id for c in curricula)
    courses = engine.curriculum_courses(curricula)
    today = timezone.localdate()
    result = []
    for curriculum in curricula:
        own = courses.get(curriculum.pk, [])
        total = Decimal(curriculum.total_credits or 0) or sum((c.credits for c in own), ZERO)
        evaluation = engine.evaluate_loaded(
            entries=loaded.entries,
            orientations=loaded.orientations,
            curriculum=curriculum,
            rule=engine.applied_rule(rules, curriculum),
            transferred=loaded.transferred,
            total_credits=total,
            on=today,
        )
        own_ids = {c.id for c in own}
        passed_here = {
            e.course_id: e
            for e in loaded.entries
            if e.institution_id == curriculum.institution_id
            and e.course_id in own_ids
            and e.passed
            and e.verified
            and (e.valid_until is None or e.valid_until >= today)
        }
        result.append(
            Pathway(
                curriculum=curriculum,
                evaluation=evaluation,
                courses=own,
                earned_here=sum((e.credits for e in passed_here.values()), ZERO),
                passed_here_ids=set(passed_here),
            )
        )
    return result


def pathway_for_curriculum(*, learner: Learner, curriculum) -> Pathway:
    """What would count toward ``curriculum`` and which of its courses remain."""
    return _pathways(learner, [curriculum])[0]


def pathway_ranking(*, learner: Learner, level: str = "") -> list[Pathway]:
    """The province's curricula (of ``level``, or all) ranked by how much of the learner's
    record counts there: credits first, then the share of the curriculum."""
    curricula = list(curricula_for(learner, level=level or None))
    ranked = _pathways(learner, curricula)
    ranked.sort(
        key=lambda p: (
            -p.counted_credits,
            -p.share,
            p.curriculum.institution.name_th,
            p.curriculum.pk,
        )
    )
    return ranked
