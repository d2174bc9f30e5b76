"""Posting to the credit ledger and reading balances from it.

Every write appends: ``entry_record`` posts an EARN (or, for the transfer service, a TRANSFER)
entry, ``entry_reverse`` posts a REVERSAL. Balances and breakdowns are computed from the
entries on every read; nothing stores a total.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Level, SubjectGroup
from institutions.models import Membership
from institutions.scoping import scope_for

from .. import grades
from ..models import CreditEntry, Learner, SourceKind
from .errors import LedgerError

Role = Membership.Role
Kind = CreditEntry.Kind
# Who may post results for an institution.
RECORDING_ROLES = (Role.REGISTRAR, Role.INSTITUTION_ADMIN, Role.TEST_OFFICER)
ZERO = Decimal("0")


def validity_years(source: str) -> int | None:
    """Years a credit from ``source`` stays valid (none by default: no Thai rule limits it).

    Set ``LEARNERS_CREDIT_VALIDITY_YEARS = {"skill_test": 5}`` in settings to limit a source.
    """
    return getattr(settings, "LEARNERS_CREDIT_VALIDITY_YEARS", {}).get(source)


def _valid_until(source: str, academic_year: int) -> dt.date | None:
    years = validity_years(source)
    if not years:
        return None
    # An academic year (B.E.) ends in March of the following Gregorian year.
    end = dt.date(academic_year - 543 + 1, 3, 31)
    return end.replace(year=end.year + years)


def natural_key_for(
    *, learner_id: int, institution_id: int, code: str, academic_year: int, term: str, kind: str
) -> str:
    return f"{kind}:{learner_id}:{institution_id}:{code}:{academic_year}:{term}"


def source_for_institution(institution) -> str:
    kind = institution.kind
    Kind_ = type(institution).Kind
    if kind == Kind_.VOCATIONAL_COLLEGE:
        return SourceKind.VOCATIONAL
    if kind in (Kind_.NFE_CENTRE, Kind_.NFE_OFFICE):
        return SourceKind.NFE
    if kind == Kind_.UNIVERSITY:
        return SourceKind.UNIVERSITY
    if kind == Kind_.TEST_CENTRE:
        return SourceKind.SKILL_TEST
    return SourceKind.SCHOOL


def build_entry(
    *,
    actor,
    learner: Learner,
    institution,
    grade: str,
    academic_year: int,
    term: str = "",
    course=None,
    credits: Decimal | None = None,
    course_code: str = "",
    course_name_th: str = "",
    course_name_en: str = "",
    level: str = "",
    subject_group: str = "",
    source: str | None = None,
    grade_scale: str | None = None,
    verified: bool = False,
    valid_until: dt.date | None = None,
    reference: str = "",
    note: str = "",
    idempotency_key: str | None = None,
    results_upload=None,
    kind: str = Kind.EARN,
    transfer_request=None,
    mapping=None,
) -> CreditEntry:
    """An unsaved, validated entry (no permission check, nothing written): ``entry_record`` and
    bulk posting (results approval) share it."""
    if kind == Kind.REVERSAL:
        raise LedgerError(_("Use entry_reverse to post a reversal."))
    if course is not None:
        if course.institution_id != institution.pk:
            raise LedgerError(_("The course belongs to another institution."))
        course_code = course_code or course.code
        course_name_th = course_name_th or course.name_th
        course_name_en = course_name_en or course.name_en
        level = level or course.level
        subject_group = subject_group or course.subject_group
        credits = course.credits if credits is None else credits
    if not course_name_th:
        raise LedgerError(_("Name the course or result."))
    if credits is None or Decimal(credits) < 0 or (Decimal(credits) * 2) % 1:
        raise LedgerError(_("Credits come in half steps (0.5, 1, 1.5 …) and are not negative."))
    if level and level not in Level.values:
        raise LedgerError(_("Unknown level."))
    if subject_group and subject_group not in SubjectGroup.values:
        raise LedgerError(_("Unknown subject group."))
    grade_scale = grade_scale or grades.scale_for_level(level)
    try:
        parsed = grades.parse(grade_scale, grade)
    except grades.GradeError as error:
        raise LedgerError(str(error)) from None
    if kind == Kind.TRANSFER:
        source = SourceKind.TRANSFER
        if transfer_request is None:
            raise LedgerError(_("A transfer entry names its transfer request."))
    source = source or source_for_institution(institution)
    if source not in SourceKind.values:
        raise LedgerError(_("Unknown credit source."))
    natural_key = natural_key_for(
        learner_id=learner.pk,
        institution_id=institution.pk,
        code=course_code or reference or course_name_th[:60],
        academic_year=academic_year,
        term=term,
        kind=kind,
    )
    entry = CreditEntry(
        learner=learner,
        kind=kind,
        source=source,
        institution=institution,
        course=course,
        course_code=course_code,
        course_name_th=course_name_th[:200],
        course_name_en=course_name_en[:200],
        level=level,
        subject_group=subject_group,
        credits=Decimal(credits),
        grade_scale=grade_scale,
        grade=parsed.code,
        grade_points=parsed.points,
        academic_year=academic_year,
        term=str(term or "")[:10],
        passed=parsed.passed,
        verified=verified,
        verified_by=actor if verified else None,
        valid_until=valid_until or _valid_until(source, academic_year),
        reference=reference,
        note=note,
        natural_key=natural_key,
        idempotency_key=idempotency_key or f"{natural_key}:{uuid.uuid4().hex}",
        results_upload=results_upload,
        transfer_request=transfer_request,
        mapping=mapping,
        created_by=actor,
    )
    entry.full_clean(
        exclude=["learner", "institution", "course", "created_by", "verified_by", "reverses",
                 "transfer_request", "mapping", "results_upload"],
        validate_unique=False,
        validate_constraints=False,
    )  # fmt: skip
    return entry


@transaction.atomic
def entry_record(*, actor, learner: Learner, institution, idempotency_key=None, **fields):
    """Post one result (EARN) or, from the transfer service, one TRANSFER entry.

    Fields as ``build_entry``. With ``idempotency_key``, posting the same key again returns the
    stored entry and writes nothing. The course's code, names, level, subject group and credits
    are copied onto the entry (explicit arguments win), so the ledger keeps what was true when
    the credit was earned. Recording needs a recording role at the institution (or the system,
    ``actor=None``); a TRANSFER entry is posted by the transfer service, which checks the
    approver's role itself.
    """
    if idempotency_key:
        existing = CreditEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if (
        actor is not None
        and fields.get("kind", Kind.EARN) != Kind.TRANSFER
        and not scope_for(actor).has_role(institution, *RECORDING_ROLES)
    ):
        raise PermissionDenied
    entry = build_entry(
        actor=actor,
        learner=learner,
        institution=institution,
        idempotency_key=idempotency_key,
        **fields,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # The same key posted concurrently: the other writer's entry stands.
        if idempotency_key:
            return CreditEntry.objects.get(idempotency_key=idempotency_key)
        raise
    return entry


@transaction.atomic
def entry_reverse(*, actor, entry: CreditEntry, reason: str) -> CreditEntry:
    """Cancel an entry by posting its mirror image. A reversal cannot itself be reversed (post
    the corrected result instead) and an entry is reversed at most once (the database's
    one-to-one ``reverses`` holds it even under concurrency)."""
    if entry.kind == Kind.REVERSAL:
        raise LedgerError(_("A reversal cannot be reversed: record the corrected result instead."))
    if actor is not None and not scope_for(actor).has_role(entry.institution, *RECORDING_ROLES):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Say why the entry is reversed."))
    # Serialise writers of one learner's ledger.
    Learner.objects.select_for_update().filter(pk=entry.learner_id).first()
    if CreditEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("This entry has already been reversed."))
    reversal = build_reversal(entry, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        raise LedgerError(_("This entry has already been reversed.")) from None
    return reversal


def build_reversal(entry: CreditEntry, *, actor, reason: str) -> CreditEntry:
    """The unsaved mirror image of ``entry`` (every field copied, credits negated)."""
    return CreditEntry(
        learner_id=entry.learner_id,
        kind=Kind.REVERSAL,
        source=entry.source,
        institution_id=entry.institution_id,
        course_id=entry.course_id,
        course_code=entry.course_code,
        course_name_th=entry.course_name_th,
        course_name_en=entry.course_name_en,
        level=entry.level,
        subject_group=entry.subject_group,
        credits=-entry.credits,
        grade_scale=entry.grade_scale,
        grade=entry.grade,
        grade_points=entry.grade_points,
        academic_year=entry.academic_year,
        term=entry.term,
        passed=entry.passed,
        verified=entry.verified,
        verified_by_id=entry.verified_by_id,
        valid_until=entry.valid_until,
        reverses=entry,
        transfer_request_id=entry.transfer_request_id,
        mapping_id=entry.mapping_id,
        results_upload_id=entry.results_upload_id,
        reference=entry.reference,
        note=reason,
        natural_key=entry.natural_key,
        idempotency_key=f"reverse:{entry.pk}",
        created_by=actor,
    )


# ---------------------------------------------------------------------------------------------
# Reading: balances and breakdowns are queries over the entries, nothing stored.


@dataclass
class Breakdown:
    label: str
    key: str
    credits: Decimal


@dataclass
class LedgerSummary:
    """What "My credits" shows. ``banked`` counts credits earned anywhere (net of reversals);
    ``transferred`` counts credits recognised at receiving institutions through transfers
    (they restate banked credits, so they are not added to ``banked``)."""

    banked: Decimal = ZERO
    transferred: Decimal = ZERO
    pending: Decimal = ZERO  # passed but not (yet) verified
    by_institution: list[Breakdown] = field(default_factory=list)
    by_level: list[Breakdown] = field(default_factory=list)
    by_subject_group: list[Breakdown] = field(default_factory=list)
    by_source: list[Breakdown] = field(default_factory=list)
    by_year: list[Breakdown] = field(default_factory=list)
    transferred_by_institution: list[Breakdown] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.banked


def _rows(learner, on: dt.date):
    counted = CreditEntry.objects.filter(learner=learner).counted(on)
    return (
        counted.values(
            "institution_id",
            "institution__name_th",
            "institution__name_en",
            "level",
            "subject_group",
            "source",
            "academic_year",
        )
        .annotate(total=Sum("credits"))
        .order_by()
    )


def learner_summary(learner: Learner, *, on: dt.date | None = None) -> LedgerSummary:
    """Balance and every breakdown in two queries (one grouped sum, one for pending credits),
    whatever the size of the ledger."""
    from django.utils.translation import get_language

    on = on or timezone.localdate()
    english = (get_language() or "th").startswith("en")
    sums: dict[str, dict] = {
        name: defaultdict(lambda: ZERO)
        for name in ("institution", "level", "group", "source", "year", "transfer_inst")
    }
    labels: dict[tuple[str, object], str] = {}
    summary = LedgerSummary()
    for row in _rows(learner, on):
        total = row["total"] or ZERO
        inst_label = (english and row["institution__name_en"]) or row["institution__name_th"]
        if row["source"] == SourceKind.TRANSFER:
            summary.transferred += total
            sums["transfer_inst"][row["institution_id"]] += total
            labels[("transfer_inst", row["institution_id"])] = inst_label
            continue
        summary.banked += total
        sums["institution"][row["institution_id"]] += total
        labels[("institution", row["institution_id"])] = inst_label
        sums["level"][row["level"]] += total
        sums["group"][row["subject_group"]] += total
        sums["source"][row["source"]] += total
        sums["year"][row["academic_year"]] += total

    level_names = dict(Level.choices)
    group_names = dict(SubjectGroup.choices)
    source_names = dict(SourceKind.choices)

    def _list(name, label_of, sort_key=None):
        items = [
            Breakdown(label=str(label_of(key)), key=str(key), credits=value)
            for key, value in sums[name].items()
            if value
        ]
        items.sort(key=sort_key or (lambda b: (-b.credits, b.label)))
        return items

    summary.by_institution = _list("institution", lambda k: labels[("institution", k)])
    summary.by_level = _list("level", lambda k: level_names.get(k) or _("Not stated"))
    summary.by_subject_group = _list("group", lambda k: group_names.get(k) or _("Not stated"))
    summary.by_source = _list("source", lambda k: source_names.get(k, k))
    summary.by_year = _list("year", lambda k: k, sort_key=lambda b: b.key)
    summary.transferred_by_institution = _list(
        "transfer_inst", lambda k: labels[("transfer_inst", k)]
    )
    summary.pending = (
        CreditEntry.objects.filter(learner=learner, passed=True, verified=False)
        .exclude(source=SourceKind.TRANSFER)
        .total_credits()
    )
    return summary


def learner_balance(learner: Learner, *, on: dt.date | None = None) -> Decimal:
    """Banked credits that count today: one SUM over the ledger."""
    return (
        CreditEntry.objects.filter(learner=learner)
        .counted(on)
        .exclude(source=SourceKind.TRANSFER)
        .total_credits()
    )


def learner_timeline(learner: Learner):
    """The ledger as it happened, newest first, with what the page shows in one query."""
    return (
        CreditEntry.objects.filter(learner=learner)
        .select_related("institution", "reverses", "reversal")
        .order_by("-created_at", "-pk")
    )
