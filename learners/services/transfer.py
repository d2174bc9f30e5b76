"""Credit transfer: evaluate, ask, approve (posting TRANSFER entries exactly once), reject.

``transfer_evaluate`` is read-only (see ``evaluation.py`` for the rules). ``transfer_request_create``
stores the evaluation as the request's items and puts the courses that have no mapping on the
equivalence demand list. ``transfer_request_approve`` locks the request and the learner,
evaluates again (the ledger may have changed since the learner asked), rewrites the items and
posts one TRANSFER entry per recognised target course, all in one transaction. Approving an
approved request again changes nothing; concurrent approvals queue on the request's row lock and
the second finds it approved. Each TRANSFER entry's idempotency key names the learner, the
receiving institution, the mapping and the target course, so even a path that skipped the lock
could not post the same recognition twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course
from creditbank.pagination import bump_count_version
from creditbank.thai import academic_year_be
from equivalence.models import EquivalenceMapping
from equivalence.services.mappings import demand_record_many
from institutions.models import Institution, Membership
from institutions.scoping import scope_for

from .. import grades
from ..models import CreditEntry, Learner, TransferItem, TransferRequest
from . import evaluation as engine
from .ledger import build_entry

Role = Membership.Role
Status = TransferRequest.Status
# Who may ask for a learner (at the learner's home institution or the receiving one).
REQUEST_ROLES = (Role.REGISTRAR, Role.INSTITUTION_ADMIN)
# Who decides: the receiving institution's registrar (or its administrator).
DECIDE_ROLES = (Role.REGISTRAR, Role.INSTITUTION_ADMIN)
COUNT_NAMESPACE = "transfer_requests"

Evaluation = engine.Evaluation


class TransferError(ValidationError):
    """A business rule refused the action; the message is for the user."""


def transfer_evaluate(*, learner: Learner, curriculum, on: dt.date | None = None) -> Evaluation:
    """What of ``learner``'s ledger would count toward ``curriculum`` and why (read-only, a
    constant number of queries)."""
    return engine.evaluate(learner, curriculum, on=on)


def request_evaluation(request: TransferRequest) -> Evaluation:
    """The evaluation a request page shows: live while the request is open."""
    return engine.evaluate(request.learner, request.target_curriculum)


def can_request_for(actor, learner: Learner, curriculum=None) -> bool:
    if actor is None:
        return True
    if learner.user_id is not None and learner.user_id == actor.pk:
        return True
    scope = scope_for(actor)
    if not Learner.objects.for_user(actor).filter(pk=learner.pk).exists():
        return False
    places = [i for i in (learner.home_institution, getattr(curriculum, "institution", None)) if i]
    return any(scope.has_role(place, *REQUEST_ROLES) for place in places)


def can_decide(actor, request: TransferRequest) -> bool:
    return scope_for(actor).has_role(request.target_institution, *DECIDE_ROLES)


def _store_items(request: TransferRequest, evaluation: Evaluation) -> None:
    TransferItem.objects.filter(request=request).delete()
    TransferItem.objects.bulk_create(
        [
            TransferItem(
                request=request,
                entry_id=item.entry.pk,
                mapping_id=item.mapping_id,
                target_course_id=item.target_course.id if item.target_course else None,
                counts=item.counts,
                reason=item.reason,
                detail=item.detail[:300],
                credits_recognised=item.credits_recognised,
            )
            for item in evaluation.items
        ]
    )


def _lock_learner(learner_id: int) -> None:
    """Serialise writers of one learner's ledger (transfers, reversals)."""
    Learner.objects.select_for_update().filter(pk=learner_id).first()


@transaction.atomic
def transfer_request_create(
    *, actor, learner: Learner, curriculum, note: str = ""
) -> TransferRequest:
    """The learner (or a registrar for them) asks to count banked credits toward
    ``curriculum``. One open request per learner and curriculum."""
    institution = curriculum.institution
    if not institution.active or institution.kind in Institution.OFFICE_KINDS:
        raise TransferError(_("Credits can only be transferred to an institution that teaches."))
    if not can_request_for(actor, learner, curriculum):
        raise PermissionDenied
    _lock_learner(learner.pk)
    if TransferRequest.objects.filter(
        learner=learner, target_curriculum=curriculum, status=Status.REQUESTED
    ).exists():
        raise TransferError(_("There is already an open request for this curriculum."))
    requested_by = actor if actor is not None else learner.user
    if requested_by is None:
        raise TransferError(_("Say who asks: the learner's account or a registrar."))
    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    request = TransferRequest.objects.create(
        learner=learner,
        target_institution=institution,
        target_curriculum=curriculum,
        learner_note=(note or "").strip(),
        requested_by=requested_by,
        evaluated_at=timezone.now(),
        rule_snapshot=evaluation.rule.snapshot(),
    )
    _store_items(request, evaluation)
    demand_record_many(course_ids=evaluation.missing_course_ids, target_institution=institution)
    transaction.on_commit(lambda: bump_count_version(COUNT_NAMESPACE))
    return request


def _lock_request(request: TransferRequest) -> TransferRequest:
    return (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("learner", "target_institution", "target_curriculum__institution")
        .get(pk=request.pk)
    )


def _transfer_grade(scale: str, sources: list[CreditEntry]) -> str:
    """The grade a recognised course carries: the sources' credit-weighted grade points,
    rounded down to a grade of the target's scale; a pass without points (ผ / S) if any source
    has none."""
    points = [(e.grade_points, e.credits) for e in sources]
    if any(p is None for p, _credits in points):
        return "S" if scale == grades.GradeScale.HIGHER else "ผ"
    weight = sum((c for _p, c in points), Decimal(0)) or Decimal(len(points))
    average = sum((p * (c or 1) for p, c in points), Decimal(0)) / weight
    numeric = [g for g in grades.SCALES[scale].values() if g.points is not None]
    best = max((g for g in numeric if g.points <= average), key=lambda g: g.points)
    return best.code


def _post_entries(*, actor, request: TransferRequest, evaluation: Evaluation) -> list[CreditEntry]:
    groups = evaluation.counted_groups
    course_ids = {t.id for g in groups for t in g.targets}
    courses = Course.objects.in_bulk(sorted(course_ids))
    mappings = EquivalenceMapping.objects.in_bulk(sorted({g.mapping_id for g in groups}))
    year = academic_year_be(timezone.localdate())
    entries = []
    for group in groups:
        remaining = group.credits
        targets = list(group.targets)
        for index, target in enumerate(targets):
            credits = remaining if index == len(targets) - 1 else min(target.credits, remaining)
            remaining -= credits
            course = courses[target.id]
            scale = grades.scale_for_level(course.level)
            entries.append(
                build_entry(
                    actor=actor,
                    learner=request.learner,
                    institution=request.target_institution,
                    course=course,
                    credits=credits,
                    grade=_transfer_grade(scale, group.entries),
                    grade_scale=scale,
                    academic_year=year,
                    verified=True,
                    kind=CreditEntry.Kind.TRANSFER,
                    transfer_request=request,
                    mapping=mappings[group.mapping_id],
                    note=_("Transferred from %(codes)s")
                    % {
                        "codes": ", ".join(e.course_code or e.course_name_th for e in group.entries)
                    },
                    idempotency_key=(
                        f"transfer:{request.learner_id}:{request.target_institution_id}:"
                        f"{group.mapping_id}:{target.id}"
                    ),
                )
            )
    try:
        with transaction.atomic():
            CreditEntry.objects.bulk_create(entries)
    except IntegrityError:
        raise TransferError(
            _("Some of these credits have already been transferred to this institution.")
        ) from None
    return entries


@transaction.atomic
def transfer_request_approve(
    *, actor, request: TransferRequest, comment: str = ""
) -> TransferRequest:
    """The receiving institution's registrar approves: the evaluation is run again under lock
    and every recognised course is posted as a TRANSFER entry, at once and exactly once."""
    request = _lock_request(request)
    if actor is not None and not can_decide(actor, request):
        raise PermissionDenied
    if request.status == Status.APPROVED:
        return request
    if request.status != Status.REQUESTED:
        raise TransferError(
            _("A %(status)s request cannot be approved.") % {"status": request.get_status_display()}
        )
    _lock_learner(request.learner_id)
    evaluation = transfer_evaluate(learner=request.learner, curriculum=request.target_curriculum)
    if not evaluation.counted_groups:
        raise TransferError(_("Nothing in this request counts any more: reject it instead."))
    _store_items(request, evaluation)
    _post_entries(actor=actor, request=request, evaluation=evaluation)
    request.status = Status.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.evaluated_at = request.decided_at
    request.comment = (comment or "").strip()
    request.rule_snapshot = evaluation.rule.snapshot()
    request.save(
        update_fields=["status", "decided_by", "decided_at", "evaluated_at", "comment",
                       "rule_snapshot"]
    )  # fmt: skip
    transaction.on_commit(lambda: bump_count_version(COUNT_NAMESPACE))
    return request


@transaction.atomic
def transfer_request_reject(*, actor, request: TransferRequest, comment: str) -> TransferRequest:
    request = _lock_request(request)
    if actor is not None and not can_decide(actor, request):
        raise PermissionDenied
    if request.status == Status.REJECTED:
        return request
    if request.status != Status.REQUESTED:
        raise TransferError(
            _("A %(status)s request cannot be rejected.") % {"status": request.get_status_display()}
        )
    comment = (comment or "").strip()
    if not comment:
        raise TransferError(_("Say why the request is rejected."))
    request.status = Status.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.comment = comment
    request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    transaction.on_commit(lambda: bump_count_version(COUNT_NAMESPACE))
    return request


@transaction.atomic
def transfer_request_withdraw(*, actor, request: TransferRequest) -> TransferRequest:
    """The learner (or whoever may ask for them) withdraws an open request."""
    request = _lock_request(request)
    if not can_request_for(actor, request.learner, request.target_curriculum):
        raise PermissionDenied
    if request.status == Status.WITHDRAWN:
        return request
    if request.status != Status.REQUESTED:
        raise TransferError(_("Only an open request can be withdrawn."))
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status"])
    transaction.on_commit(lambda: bump_count_version(COUNT_NAMESPACE))
    return request


def learner_province_ids(learner: Learner) -> list[int]:
    """The provinces a learner plans in: their home institution's, else those where they
    banked credits (one query at most)."""
    if learner.home_institution_id:
        province_id = (
            learner.home_institution.province_id if learner.home_institution is not None else None
        )
        if province_id:
            return [province_id]
    return sorted(
        {
            pk
            for pk in CreditEntry.objects.filter(learner=learner)
            .values_list("institution__province_id", flat=True)
            .distinct()
            if pk
        }
    )


def curricula_for(learner: Learner, *, level: str | None = None):
    """Curricula a learner may ask to transfer into: those of the province's active teaching
    institutions."""
    from courses.models import Curriculum

    queryset = (
        Curriculum.objects.filter(
            institution__province_id__in=learner_province_ids(learner),
            institution__active=True,
        )
        .exclude(institution__kind__in=Institution.OFFICE_KINDS)
        .select_related("institution")
        .order_by("institution__name_th", "name", "pk")
    )
    if level:
        queryset = queryset.filter(level=level)
    return queryset


def stored_items(request: TransferRequest) -> list[engine.Item]:
    """A decided request's items as they were decided (one query), in the evaluation's shape."""
    items = (
        TransferItem.objects.filter(request=request)
        .select_related("entry__institution", "target_course")
        .order_by("entry__academic_year", "entry__term", "entry__created_at", "entry_id")
    )
    return [
        engine.Item(
            entry=item.entry,
            counts=item.counts,
            reason=item.reason,
            detail=item.detail,
            mapping_id=item.mapping_id,
            targets=(item.target_course,) if item.target_course_id else (),
            credits_recognised=item.credits_recognised,
        )
        for item in items
    ]
