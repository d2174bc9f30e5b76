"""What the evaluation works with: light references to courses and entries, mappings read in
one direction, the rule applied, and the result (items, groups, evaluation)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import get_language

from courses.models import Level

from ...models import CreditEntry, TransferItem

Reason = TransferItem.Reason
ZERO = Decimal("0")
HALF = Decimal("0.5")
HIGHER_EDUCATION_LEVELS = frozenset({Level.ASSOCIATE, Level.BACHELOR})
DEFAULT_MIN_GRADE = Decimal("2.0")
DEFAULT_HIGHER_MAX_SHARE = Decimal("0.75")
DEFAULT_RESIDENCY_TERMS = 1


@dataclass(frozen=True)
class CourseRef:
    """What the evaluation needs of a course (loaded with ``values()``, no model instances)."""

    id: int
    code: str
    name_th: str
    name_en: str
    credits: Decimal
    level: str
    institution_id: int
    curriculum_id: int | None

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th


@dataclass(frozen=True)
class Orientation:
    """A mapping read in one direction: these source courses count as these target courses."""

    mapping_id: int
    sources: tuple[CourseRef, ...]
    targets: tuple[CourseRef, ...]
    credits: Decimal
    min_grade: Decimal
    valid_from: int
    valid_to: int | None
    mirrored: bool = False

    def valid_in(self, academic_year: int) -> bool:
        return self.valid_from <= academic_year and (
            self.valid_to is None or academic_year <= self.valid_to
        )

    @property
    def years_label(self) -> str:
        return f"{self.valid_from}–{self.valid_to or ''}"


@dataclass(frozen=True)
class AppliedRule:
    min_grade: Decimal
    max_share: Decimal | None
    residency_terms: int
    rule_id: int | None = None
    note: str = ""

    def snapshot(self) -> dict:
        return {
            "min_grade": str(self.min_grade),
            "max_share": None if self.max_share is None else str(self.max_share),
            "residency_terms": self.residency_terms,
            "rule_id": self.rule_id,
            "note": self.note,
        }


@dataclass
class Item:
    """One banked entry's verdict."""

    entry: EntryRef | CreditEntry
    counts: bool
    reason: str
    detail: str = ""
    mapping_id: int | None = None
    targets: tuple[CourseRef, ...] = ()
    credits_recognised: Decimal = ZERO

    @property
    def reason_label(self) -> str:
        return str(Reason(self.reason).label)

    @property
    def target_course(self) -> CourseRef | None:
        return self.targets[0] if self.targets else None


@dataclass
class Group:
    """One mapping applied: these entries count as these target courses for ``credits``."""

    orientation: Orientation
    entries: list[EntryRef]
    over_cap: bool = False

    @property
    def credits(self) -> Decimal:
        return self.orientation.credits

    @property
    def mapping_id(self) -> int:
        return self.orientation.mapping_id

    @property
    def targets(self) -> tuple[CourseRef, ...]:
        return self.orientation.targets


@dataclass
class Evaluation:
    curriculum: object
    rule: AppliedRule
    total_credits: Decimal
    items: list[Item] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    on: dt.date | None = None

    @property
    def counted_groups(self) -> list[Group]:
        return [g for g in self.groups if not g.over_cap]

    @property
    def counted_credits(self) -> Decimal:
        return sum((g.credits for g in self.counted_groups), ZERO)

    @property
    def cap_credits(self) -> Decimal | None:
        if self.rule.max_share is None or not self.total_credits:
            return None
        cap = self.rule.max_share * self.total_credits
        return (cap / HALF).to_integral_value(rounding=ROUND_DOWN) * HALF

    @property
    def share(self) -> Decimal:
        """The part of the curriculum's credits that would count (0 … 1)."""
        if not self.total_credits:
            return ZERO
        return min(self.counted_credits / self.total_credits, Decimal(1))

    @property
    def recognised_course_ids(self) -> set[int]:
        return {c.id for g in self.counted_groups for c in g.targets}

    @property
    def counted_items(self) -> list[Item]:
        return [i for i in self.items if i.counts]

    @property
    def missing_course_ids(self) -> list[int]:
        """Courses with no mapping here: what the request adds to the demand list."""
        return sorted(
            {
                i.entry.course_id
                for i in self.items
                if i.reason == Reason.NO_MAPPING and i.entry.course_id
            }
        )

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for item in self.items:
            counts[item.reason] += 1
        return dict(counts)


@dataclass(frozen=True)
class InstitutionRef:
    pk: int
    code: str
    name_th: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th


@dataclass(frozen=True)
class EntryRef:
    """A ledger entry as the evaluation reads it (a tuple from ``values_list``, not a model:
    200 entries load in a fraction of the time)."""

    pk: int
    institution_id: int
    course_id: int | None
    course_code: str
    course_name_th: str
    course_name_en: str
    level: str
    credits: Decimal
    grade_scale: str
    grade: str
    grade_points: Decimal | None
    academic_year: int
    term: str
    passed: bool
    verified: bool
    valid_until: dt.date | None
    institution: InstitutionRef

    @property
    def id(self) -> int:
        return self.pk

    @property
    def course_name(self) -> str:
        if (get_language() or "th").startswith("en") and self.course_name_en:
            return self.course_name_en
        return self.course_name_th
