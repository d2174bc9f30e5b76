"""Evaluating loaded data against a curriculum (no queries), and ``evaluate`` that loads and
evaluates one curriculum."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ... import grades
from ...models import TransferItem
from .data import ZERO, AppliedRule, EntryRef, Evaluation, Group, Item, Orientation
from .loading import (
    applied_rule,
    in_curriculum,
    load_entries,
    load_orientations,
    load_rules,
    load_transferred,
)

Reason = TransferItem.Reason


def _grade_label(entry) -> str:
    return entry.grade or "–"


def _sort_key(entry):
    points = entry.grade_points if entry.grade_points is not None else Decimal("-1")
    return (-points, -entry.academic_year, entry.pk)


def evaluate_loaded(
    *,
    entries: list[EntryRef],
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
    eligible: list[EntryRef] = []
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

    by_course: dict[int, list[EntryRef]] = defaultdict(list)
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


def evaluate(learner, curriculum, *, on: dt.date | None = None) -> Evaluation:
    """Evaluate ``learner``'s ledger against one curriculum (four queries)."""
    entries = load_entries(learner)
    return evaluate_loaded(
        entries=entries,
        orientations=load_orientations(
            (e.course_id for e in entries if e.course_id), learner=learner
        ),
        curriculum=curriculum,
        rule=applied_rule(load_rules([curriculum.institution_id]), curriculum),
        transferred=load_transferred(learner),
        on=on,
    )
