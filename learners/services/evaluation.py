"""The transfer evaluation engine: which of a learner's banked entries count toward a curriculum.

Read-only and a constant number of queries whatever the size of the ledger (tests count them):
the learner's live entries (one query), the approved mappings that touch the learner's courses
(one), the receiving institutions' rules (one), what was already transferred (one) and, for the
pathway, the curricula's courses (one). Everything else is computed in Python, so the same
loaded data evaluates one curriculum (a transfer request) or every curriculum of a province (the
pathway ranking).

Rules, in the order they are checked for each entry:

1. only live EARN entries are considered (a reversed entry and transfer entries restate nothing
   new); entries earned at the receiving institution already count there and are left out;
2. not passed, not verified, expired (``valid_until`` before today) → does not count;
3. already transferred to the receiving institution by an approved request → does not count;
4. an approved mapping must lead from the entry's course to courses of the target curriculum
   (a mirrored mapping also leads back); none → "no mapping" (the request puts the course on
   the equivalence demand list);
5. the mapping must be valid in the entry's academic year, and the grade must reach the higher
   of the mapping's minimum and the receiving institution's rule (default 2.0 / C);
6. n:m: every source course of the mapping must be passed under the same conditions;
7. at most ``max_share`` of the curriculum's credits (higher education: 3/4 by default, a
   setting per institution and level in ``TransferRule``); mappings beyond it do not count.

The residency condition (at least one term at the receiving institution) cannot be met by
credits: it is shown with the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.models import Course, Level
from equivalence.models import EquivalenceMapping, MappingCourse

from .. import grades
from ..models import CreditEntry, TransferItem, TransferRequest, TransferRule

Reason = TransferItem.Reason
ZERO = Decimal("0")
HALF = Decimal("0.5")
HIGHER_EDUCATION_LEVELS = frozenset({Level.ASSOCIATE, Level.BACHELOR})
DEFAULT_MIN_GRADE = Decimal("2.0")
DEFAULT_HIGHER_MAX_SHARE = Decimal("0.75")
DEFAULT_RESIDENCY_TERMS = 1


# ---------------------------------------------------------------------------------------------
# Loaded data


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

    entry: CreditEntry
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
    entries: list[CreditEntry]
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


# ---------------------------------------------------------------------------------------------
# Loading (a fixed number of queries)

_COURSE_FIELDS = ("id", "code", "name_th", "name_en", "credits", "level", "institution_id",
                  "curriculum_id")  # fmt: skip


def load_entries(learner) -> list[CreditEntry]:
    """The learner's live EARN entries, oldest first (one query)."""
    return list(
        CreditEntry.objects.filter(learner=learner, kind=CreditEntry.Kind.EARN)
        .filter(reversal__isnull=True)
        .select_related("institution")
        .only(
            "id",
            "learner_id",
            "kind",
            "institution_id",
            "institution__name_th",
            "institution__name_en",
            "institution__code",
            "course_id",
            "course_code",
            "course_name_th",
            "course_name_en",
            "level",
            "credits",
            "grade_scale",
            "grade",
            "grade_points",
            "academic_year",
            "term",
            "passed",
            "verified",
            "valid_until",
            "source",
            "created_at",
        )
        .order_by("academic_year", "term", "created_at", "pk")
    )


def load_orientations(course_ids) -> dict[int, list[Orientation]]:
    """Approved mappings that have one of ``course_ids`` on the side that is read as source,
    keyed by that course (one query)."""
    course_ids = sorted(set(course_ids))
    if not course_ids:
        return {}
    touching = MappingCourse.objects.filter(course_id__in=course_ids).values("mapping_id")
    rows = (
        MappingCourse.objects.filter(
            mapping__status=EquivalenceMapping.Status.APPROVED, mapping_id__in=touching
        )
        .values(
            "mapping_id",
            "side",
            "mapping__credits_recognised",
            "mapping__min_grade",
            "mapping__valid_from_year",
            "mapping__valid_to_year",
            "mapping__direction",
            *(f"course__{name}" if name != "id" else "course_id" for name in _COURSE_FIELDS),
        )
        .order_by("mapping_id", "course_id")
    )
    mappings: dict[int, dict] = {}
    for row in rows:
        data = mappings.setdefault(row["mapping_id"], {"row": row, "source": [], "target": []})
        course = CourseRef(
            id=row["course_id"],
            **{name: row[f"course__{name}"] for name in _COURSE_FIELDS if name != "id"},
        )
        data[row["side"]].append(course)
    wanted = set(course_ids)
    by_course: dict[int, list[Orientation]] = defaultdict(list)
    for mapping_id, data in mappings.items():
        row = data["row"]
        common = {
            "mapping_id": mapping_id,
            "min_grade": row["mapping__min_grade"],
            "valid_from": row["mapping__valid_from_year"],
            "valid_to": row["mapping__valid_to_year"],
        }
        credits = row["mapping__credits_recognised"]
        sources, targets = tuple(data["source"]), tuple(data["target"])
        if not sources or not targets:
            continue
        oriented = [Orientation(sources=sources, targets=targets, credits=credits, **common)]
        if row["mapping__direction"] == EquivalenceMapping.Direction.MIRRORED:
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


# ---------------------------------------------------------------------------------------------
# Evaluating


def _grade_label(entry) -> str:
    return entry.grade or "–"


def _sort_key(entry):
    points = entry.grade_points if entry.grade_points is not None else Decimal("-1")
    return (-points, -entry.academic_year, entry.pk)


def evaluate_loaded(
    *,
    entries: list[CreditEntry],
    orientations: dict[int, list[Orientation]],
    curriculum,
    rule: AppliedRule,
    transferred: set[tuple[int, int]],
    total_credits: Decimal | None = None,
    on: dt.date | None = None,
) -> Evaluation:
    """Evaluate loaded data against one curriculum (no queries)."""
    on = on or timezone.localdate()
    institution_id = curriculum.institution_id
    total = Decimal(total_credits if total_credits is not None else curriculum.total_credits or 0)
    evaluation = Evaluation(curriculum=curriculum, rule=rule, total_credits=total, on=on)
    verdicts: dict[int, Item] = {}
    eligible: list[CreditEntry] = []
    considered = [e for e in entries if e.institution_id != institution_id]
    for entry in considered:
        if not entry.passed:
            verdicts[entry.pk] = Item(entry, False, Reason.NOT_PASSED, _grade_label(entry))
        elif not entry.verified:
            verdicts[entry.pk] = Item(entry, False, Reason.NOT_VERIFIED)
        elif entry.valid_until is not None and entry.valid_until < on:
            verdicts[entry.pk] = Item(
                entry,
                False,
                Reason.EXPIRED,
                _("valid until %(date)s") % {"date": entry.valid_until},
            )
        elif (entry.pk, institution_id) in transferred:
            verdicts[entry.pk] = Item(
                entry, False, Reason.ALREADY_TRANSFERRED, _("by an approved request")
            )
        else:
            eligible.append(entry)

    by_course: dict[int, list[CreditEntry]] = defaultdict(list)
    for entry in eligible:
        if entry.course_id:
            by_course[entry.course_id].append(entry)
    for candidates in by_course.values():
        candidates.sort(key=_sort_key)

    def fits(orientation: Orientation) -> bool:
        return all(in_curriculum(c, curriculum) for c in orientation.targets)

    def threshold(orientation: Orientation) -> Decimal:
        return max(rule.min_grade, orientation.min_grade)

    def acceptable(entry, orientation) -> bool:
        return orientation.valid_in(entry.academic_year) and grades.meets_minimum(
            entry.grade_scale, entry.grade, threshold(orientation)
        )

    relevant: dict[int, Orientation] = {}
    for course_id in by_course:
        for orientation in orientations.get(course_id, ()):
            if fits(orientation):
                relevant[(orientation.mapping_id, orientation.mirrored)] = orientation
    ordered = sorted(relevant.values(), key=lambda o: (-o.credits, o.mapping_id, o.mirrored))

    consumed: set[int] = set()
    covered: set[int] = set()
    for orientation in ordered:
        if all(t.id in covered for t in orientation.targets):
            continue
        chosen = []
        for source in orientation.sources:
            entry = next(
                (
                    e
                    for e in by_course.get(source.id, ())
                    if e.pk not in consumed and acceptable(e, orientation)
                ),
                None,
            )
            if entry is None:
                break
            chosen.append(entry)
        else:
            consumed.update(e.pk for e in chosen)
            covered.update(t.id for t in orientation.targets)
            evaluation.groups.append(Group(orientation, chosen))

    cap = evaluation.cap_credits
    running = ZERO
    for group in evaluation.groups:
        if cap is not None and running + group.credits > cap:
            group.over_cap = True
            continue
        running += group.credits

    for group in evaluation.groups:
        shares = _split(group.credits, [e.credits for e in group.entries])
        codes = ", ".join(t.code for t in group.targets)
        for entry, share in zip(group.entries, shares, strict=True):
            if group.over_cap:
                verdicts[entry.pk] = Item(
                    entry, False, Reason.OVER_CAP,
                    _("at most %(cap)s credits") % {"cap": _fmt(cap)},
                    group.mapping_id, group.targets,
                )  # fmt: skip
            else:
                verdicts[entry.pk] = Item(
                    entry, True, Reason.COUNTED, codes, group.mapping_id, group.targets, share
                )

    for entry in eligible:
        if entry.pk not in verdicts:
            verdicts[entry.pk] = _why_not(entry, orientations, fits, acceptable, by_course, rule)

    evaluation.items = [verdicts[e.pk] for e in considered]
    return evaluation


def _why_not(entry, orientations, fits, acceptable, by_course, rule) -> Item:
    """The most useful reason an eligible entry does not count."""
    if not entry.course_id:
        return Item(entry, False, Reason.NO_MAPPING, _("not a course: ask for a prior-learning assessment"))  # fmt: skip
    candidates = [o for o in orientations.get(entry.course_id, ()) if fits(o)]
    if not candidates:
        return Item(entry, False, Reason.NO_MAPPING)
    in_year = [o for o in candidates if o.valid_in(entry.academic_year)]
    if not in_year:
        o = candidates[0]
        return Item(
            entry, False, Reason.MAPPING_NOT_VALID,
            _("earned %(year)s; mapping valid %(years)s")
            % {"year": entry.academic_year, "years": o.years_label},
            o.mapping_id, o.targets,
        )  # fmt: skip
    passing = [o for o in in_year if acceptable(entry, o)]
    if not passing:
        o = in_year[0]
        needed = max(rule.min_grade, o.min_grade)
        return Item(
            entry, False, Reason.GRADE_BELOW,
            _("grade %(grade)s; needs %(min)s") % {"grade": entry.grade, "min": _fmt(needed)},
            o.mapping_id, o.targets,
        )  # fmt: skip
    for o in passing:
        missing = [
            s.code
            for s in o.sources
            if s.id != entry.course_id
            and not any(acceptable(e, o) for e in by_course.get(s.id, ()))
        ]
        if missing:
            return Item(
                entry, False, Reason.INCOMPLETE_SET,
                _("also needs %(codes)s") % {"codes": ", ".join(missing)},
                o.mapping_id, o.targets,
            )  # fmt: skip
    o = passing[0]
    return Item(
        entry, False, Reason.ALREADY_TRANSFERRED,
        _("%(codes)s is already recognised through another result")
        % {"codes": ", ".join(t.code for t in o.targets)},
        o.mapping_id, o.targets,
    )  # fmt: skip


def _split(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` shared in proportion to ``weights`` (0.1 steps, the last takes the rest)."""
    if len(weights) == 1:
        return [total]
    weight_sum = sum(weights, ZERO) or Decimal(len(weights))
    shares = [
        (total * (w or 1) / weight_sum).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
        for w in weights[:-1]
    ]
    return [*shares, total - sum(shares, ZERO)]


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def curriculum_totals(curricula) -> dict[int, Decimal]:
    """Credits to graduate per curriculum: the stated total, else the sum of its courses."""
    return {c.pk: Decimal(c.total_credits or 0) for c in curricula}


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


def evaluate(learner, curriculum, *, on: dt.date | None = None) -> Evaluation:
    """Evaluate ``learner``'s ledger against one curriculum (four queries)."""
    entries = load_entries(learner)
    return evaluate_loaded(
        entries=entries,
        orientations=load_orientations(e.course_id for e in entries if e.course_id),
        curriculum=curriculum,
        rule=applied_rule(load_rules([curriculum.institution_id]), curriculum),
        transferred=load_transferred(learner),
        on=on,
    )
