"""Equivalence mappings: propose, review, approve (four eyes), reject, retire."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Membership
from institutions.scoping import scope_for

from ..evidence import MAX_EVIDENCE_FILES, EvidenceRefused, check_evidence
from ..models import EquivalenceMapping, MappingCourse, MappingEvidence, TransferDemand

Status = EquivalenceMapping.Status
Role = Membership.Role


class MappingError(ValidationError):
    """A business rule refused the action; the message is for the user."""


def _course_model():
    from courses.models import Course

    return Course


def _check_sides(sources: list, targets: list, province_id: int, actor) -> None:
    if not sources or not targets:
        raise MappingError(_("A mapping needs at least one source course and one target course."))
    source_ids = {c.pk for c in sources}
    target_ids = {c.pk for c in targets}
    if source_ids & target_ids:
        raise MappingError(_("A course cannot be mapped to itself."))
    for course in [*sources, *targets]:
        if course.institution.province_id != province_id:
            raise MappingError(_("%(code)s belongs to another province.") % {"code": course.code})
    scope = scope_for(actor)
    if not scope.is_national and province_id not in scope.province_ids:
        raise MappingError(_("You can only propose mappings in your own province."))
    source_institutions = {c.institution_id for c in sources}
    if source_institutions & {c.institution_id for c in targets}:
        raise MappingError(_("Source and target courses must come from different institutions."))


def _check_credits(credits_recognised: Decimal, targets: list) -> None:
    target_credits = sum((Decimal(c.credits) for c in targets), Decimal(0))
    if credits_recognised > target_credits:
        raise MappingError(
            _("Credits recognised (%(given)s) cannot exceed the target courses' credits (%(max)s).")
            % {"given": credits_recognised, "max": target_credits}
        )


@transaction.atomic
def mapping_propose(
    *,
    actor,
    province,
    sources: Iterable,
    targets: Iterable,
    credits_recognised: Decimal | None = None,
    kind: str = EquivalenceMapping.Kind.FULL,
    direction: str = EquivalenceMapping.Direction.ONE_WAY,
    min_grade: Decimal = Decimal("2.0"),
    conditions: str = "",
    rationale: str = "",
    valid_from_year: int,
    valid_to_year: int | None = None,
    evidence: Iterable = (),
    evidence_description: str = "",
) -> EquivalenceMapping:
    """Propose a mapping; ``evidence`` are uploaded files (PDF/PNG/JPEG) stored with it."""
    sources, targets = list(sources), list(targets)
    _check_sides(sources, targets, province.pk, actor)
    if credits_recognised is None:
        credits_recognised = sum((Decimal(c.credits) for c in targets), Decimal(0))
    _check_credits(Decimal(credits_recognised), targets)
    mapping = EquivalenceMapping(
        province=province,
        kind=kind,
        direction=direction,
        credits_recognised=credits_recognised,
        min_grade=min_grade,
        conditions=conditions,
        rationale=rationale,
        valid_from_year=valid_from_year,
        valid_to_year=valid_to_year,
        proposed_by=actor,
    )
    mapping.full_clean()
    mapping.save()
    MappingCourse.objects.bulk_create(
        [MappingCourse(mapping=mapping, course=c, side=MappingCourse.Side.SOURCE) for c in sources]
        + [
            MappingCourse(mapping=mapping, course=c, side=MappingCourse.Side.TARGET)
            for c in targets
        ]
    )
    mapping_evidence_add(
        actor=actor, mapping=mapping, files=evidence, description=evidence_description
    )
    return mapping


@transaction.atomic
def mapping_evidence_add(*, actor, mapping: EquivalenceMapping, files: Iterable, description=""):
    """Attach evidence files; all are checked (type by magic bytes, size, count) before any is
    stored, and nothing is stored if one is refused."""
    try:
        checked = check_evidence(files)
    except EvidenceRefused as error:
        raise MappingError(str(error)) from error
    existing = mapping.evidence.count()
    if checked and existing + len(checked) > MAX_EVIDENCE_FILES:
        raise MappingError(
            _("A mapping holds at most %(count)s evidence files.") % {"count": MAX_EVIDENCE_FILES}
        )
    added = []
    for upload, extension in checked:
        item = MappingEvidence(
            mapping=mapping,
            description=(description or upload.name or "")[:200],
            uploaded_by=actor,
        )
        item.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        item.save()
        added.append(item)
    return added


def _lock(mapping: EquivalenceMapping) -> EquivalenceMapping:
    return EquivalenceMapping.objects.select_for_update().get(pk=mapping.pk)


def _require_reviewer(actor, mapping: EquivalenceMapping) -> None:
    if not scope_for(actor).has_role_in_province(mapping.province_id, Role.COMMITTEE_REVIEWER):
        raise MappingError(_("Only the province's committee reviewers can decide on mappings."))


@transaction.atomic
def mapping_start_review(*, actor, mapping: EquivalenceMapping) -> EquivalenceMapping:
    mapping = _lock(mapping)
    _require_reviewer(actor, mapping)
    if mapping.status == Status.PROPOSED:
        mapping.status = Status.UNDER_REVIEW
        mapping._change_reason = "review started"
        mapping.save(update_fields=["status", "updated_at"])
    return mapping


@transaction.atomic
def mapping_approve(
    *,
    actor,
    mapping: EquivalenceMapping,
    comment: str = "",
    meeting: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
) -> EquivalenceMapping:
    """Approve a proposal. Approving an approved mapping again changes nothing.

    The row lock makes concurrent approvals queue up; the second one sees APPROVED and returns.
    """
    mapping = _lock(mapping)
    if mapping.status == Status.APPROVED:
        return mapping
    _require_reviewer(actor, mapping)
    if mapping.status not in (Status.PROPOSED, Status.UNDER_REVIEW):
        raise MappingError(
            _("A %(status)s mapping cannot be approved.") % {"status": mapping.get_status_display()}
        )
    if mapping.proposed_by_id == actor.pk:
        raise MappingError(_("Four eyes: someone other than the proposer must approve."))
    Course = _course_model()
    not_ready = [
        link.course.code
        for link in mapping.links.select_related("course")
        if link.course.status != Course.Status.APPROVED
    ]
    if not_ready:
        raise MappingError(
            _("These courses are not approved (or are retired): %(codes)s")
            % {"codes": ", ".join(sorted(not_ready))}
        )
    _check_credits(
        mapping.credits_recognised,
        [link.course for link in mapping.links.select_related("course") if link.side == "target"],
    )
    mapping.status = Status.APPROVED
    mapping.decided_by = actor
    mapping.decided_at = timezone.now()
    mapping.decision_comment = comment
    mapping.decision_meeting = meeting
    mapping.decision_number = decision_number
    mapping.decision_date = decision_date or timezone.localdate()
    mapping._change_reason = "approved"
    mapping.save()
    demand_resolve_for(mapping)
    return mapping


@transaction.atomic
def mapping_reject(
    *,
    actor,
    mapping: EquivalenceMapping,
    comment: str,
    meeting: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
) -> EquivalenceMapping:
    mapping = _lock(mapping)
    if mapping.status == Status.REJECTED:
        return mapping
    _require_reviewer(actor, mapping)
    if mapping.status not in (Status.PROPOSED, Status.UNDER_REVIEW):
        raise MappingError(
            _("A %(status)s mapping cannot be rejected.") % {"status": mapping.get_status_display()}
        )
    if not comment.strip():
        raise MappingError(_("Say why the mapping is rejected."))
    mapping.status = Status.REJECTED
    mapping.decided_by = actor
    mapping.decided_at = timezone.now()
    mapping.decision_comment = comment
    mapping.decision_meeting = meeting
    mapping.decision_number = decision_number
    mapping.decision_date = decision_date or timezone.localdate()
    mapping._change_reason = "rejected"
    mapping.save()
    return mapping


@transaction.atomic
def mapping_retire(*, actor, mapping: EquivalenceMapping, comment: str = "") -> EquivalenceMapping:
    mapping = _lock(mapping)
    _require_reviewer(actor, mapping)
    if mapping.status == Status.RETIRED:
        return mapping
    if mapping.status != Status.APPROVED:
        raise MappingError(_("Only an approved mapping can be retired."))
    mapping.status = Status.RETIRED
    mapping.decision_comment = comment or mapping.decision_comment
    mapping._change_reason = "retired"
    mapping.save()
    return mapping


@transaction.atomic
def demand_record(*, course, target_institution) -> TransferDemand:
    """Somebody asked to transfer ``course`` to ``target_institution`` and no mapping existed."""
    now = timezone.now()
    demand, created = TransferDemand.objects.select_for_update().get_or_create(
        course=course,
        target_institution=target_institution,
        defaults={
            "province_id": course.institution.province_id,
            "first_requested_at": now,
            "last_requested_at": now,
        },
    )
    if not created:
        TransferDemand.objects.filter(pk=demand.pk).update(
            request_count=F("request_count") + 1, last_requested_at=now, resolved_at=None
        )
        demand.refresh_from_db()
    return demand


def demand_resolve_for(mapping: EquivalenceMapping) -> int:
    targets = {
        link.course.institution_id
        for link in mapping.links.select_related("course")
        if link.side == MappingCourse.Side.TARGET
    }
    sources = [
        link.course_id for link in mapping.links.all() if link.side == MappingCourse.Side.SOURCE
    ]
    return TransferDemand.objects.filter(
        course_id__in=sources, target_institution_id__in=targets, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


@transaction.atomic
def demand_record_many(*, course_ids: Iterable[int], target_institution) -> int:
    """``demand_record`` for several courses at once (a transfer request with many unmapped
    entries), in a fixed number of queries. Returns how many courses were recorded."""
    from courses.models import Course

    course_ids = sorted(set(course_ids))
    if not course_ids:
        return 0
    now = timezone.now()
    provinces = dict(
        Course.objects.filter(pk__in=course_ids).values_list("pk", "institution__province_id")
    )
    existing = set(
        TransferDemand.objects.select_for_update()
        .filter(course_id__in=course_ids, target_institution=target_institution)
        .values_list("course_id", flat=True)
    )
    TransferDemand.objects.filter(
        course_id__in=existing, target_institution=target_institution
    ).update(request_count=F("request_count") + 1, last_requested_at=now, resolved_at=None)
    TransferDemand.objects.bulk_create(
        [
            TransferDemand(
                province_id=provinces[pk],
                course_id=pk,
                target_institution=target_institution,
                first_requested_at=now,
                last_requested_at=now,
            )
            for pk in course_ids
            if pk not in existing and pk in provinces
        ],
        ignore_conflicts=True,
    )
    return len(course_ids)
