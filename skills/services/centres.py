"""Standards, centres' accreditation, branch requests and equipment needs."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution

from ..ladder import ensure_loaded
from ..models import (
    BranchRequest,
    CentreBranch,
    CentreStandard,
    EquipmentNeed,
    LadderRung,
    NqfLevel,
    OccupationalStandard,
)
from .access import require_centre_role, require_decider
from .errors import SkillsError

CENTRE_KINDS = (Institution.Kind.TEST_CENTRE, Institution.Kind.VOCATIONAL_COLLEGE)


def nqf_for(body: str, level: int) -> NqfLevel:
    """The NQF rung of a body's level, from the ladder data."""
    ensure_loaded()
    rung = LadderRung.objects.select_related("nqf_level").filter(body=body, level=level).first()
    if rung is None:
        raise SkillsError({"level": _("This level is not on the NQF ladder for that body.")})
    return rung.nqf_level


@transaction.atomic
def standard_save(
    *,
    actor,
    body: str,
    code: str,
    level: int,
    name_th: str,
    branch: str,
    name_en: str = "",
    description: str = "",
    competency_units: list | None = None,
    credits: Decimal | int | str = 0,
    validity_years: int | None = None,
    nqf_level: int | None = None,
    owner: Institution | None = None,
    courses=(),
    replace_courses: bool = False,
) -> OccupationalStandard:
    """Create or update a standard (by body, code and level). The NQF level comes from the
    ladder unless given (an own standard states its own). ``replace_courses`` makes ``courses``
    the whole list (an edit page) instead of adding to it."""
    if actor is not None and not actor.is_superuser:
        if owner is None:
            raise PermissionDenied  # national standards are loaded by the system
        require_centre_role(actor, owner)
    if nqf_level is None:
        rung = nqf_for(body, level)
    else:
        ensure_loaded()
        rung = NqfLevel.objects.filter(number=nqf_level).first()
        if rung is None:
            raise SkillsError({"nqf_level": _("Unknown NQF level.")})
    standard = OccupationalStandard.objects.filter(body=body, code=code, level=level).first()
    taken = standard is not None and standard.owner_id != getattr(owner, "pk", None)
    if taken and actor is not None and not actor.is_superuser:
        raise SkillsError({"code": _("A standard with this code and level already exists.")})
    standard = standard or OccupationalStandard(body=body, code=code, level=level)
    standard.name_th = name_th
    standard.name_en = name_en
    standard.branch = branch
    standard.description = description
    standard.competency_units = competency_units or []
    standard.credits = Decimal(str(credits))
    standard.validity_years = validity_years
    standard.nqf_level = rung
    standard.owner = owner
    standard.full_clean()
    standard.save()
    if replace_courses:
        standard.courses.set(courses)
    elif courses:
        standard.courses.add(*courses)
    return standard


def standards_testable_q(centre: Institution) -> Q:
    """Standards a centre may test: its accredited branches plus single standards."""
    branches = CentreBranch.objects.filter(centre=centre).values("branch")
    singles = CentreStandard.objects.filter(centre=centre).values("standard")
    return Q(branch__in=branches) | Q(pk__in=singles)


def centre_may_test(centre: Institution, standard: OccupationalStandard) -> bool:
    return OccupationalStandard.objects.filter(
        standards_testable_q(centre), pk=standard.pk
    ).exists()


def centres_for_standard(standard: OccupationalStandard):
    """Active institutions accredited for the standard or its branch."""
    return Institution.objects.active().filter(
        Q(skill_branches__branch=standard.branch) | Q(skill_standards__standard=standard)
    )


def _require_centre_kind(centre: Institution) -> None:
    if centre.kind not in CENTRE_KINDS:
        raise SkillsError(_("Only a test centre or a vocational college can test standards."))


@transaction.atomic
def centre_branch_add(*, actor, centre: Institution, branch: str) -> CentreBranch:
    """Accredit a centre for a branch (the provincial centre does; approving a request too)."""
    require_decider(actor, centre)
    _require_centre_kind(centre)
    branch = (branch or "").strip()
    if not branch:
        raise SkillsError({"branch": _("Name the occupation branch.")})
    accredited, _created = CentreBranch.objects.get_or_create(centre=centre, branch=branch)
    return accredited


@transaction.atomic
def centre_standard_add(
    *, actor, centre: Institution, standard: OccupationalStandard
) -> CentreStandard:
    require_decider(actor, centre)
    _require_centre_kind(centre)
    link, _created = CentreStandard.objects.get_or_create(centre=centre, standard=standard)
    return link


@transaction.atomic
def branch_request_submit(
    *, actor, centre: Institution, branch: str, reason: str = ""
) -> BranchRequest:
    require_centre_role(actor, centre)
    _require_centre_kind(centre)
    branch = (branch or "").strip()
    if not branch:
        raise SkillsError({"branch": _("Name the occupation branch.")})
    if CentreBranch.objects.filter(centre=centre, branch=branch).exists():
        raise SkillsError({"branch": _("The centre already tests this branch.")})
    open_request = BranchRequest.objects.filter(
        centre=centre, branch=branch, status=BranchRequest.Status.SUBMITTED
    ).first()
    if open_request is not None:
        return open_request
    request = BranchRequest(centre=centre, branch=branch, reason=reason.strip(), requested_by=actor)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def branch_request_decide(
    *, actor, request: BranchRequest, approve: bool, note: str = ""
) -> BranchRequest:
    """Approve (the centre may then test the branch) or reject a submitted request."""
    request = BranchRequest.objects.select_for_update().select_related("centre").get(pk=request.pk)
    require_decider(actor, request.centre)
    if request.status != BranchRequest.Status.SUBMITTED:
        raise SkillsError(_("This request has already been decided."))
    if not approve and not note.strip():
        raise SkillsError({"note": _("Say why the request is rejected.")})
    request.status = BranchRequest.Status.APPROVED if approve else BranchRequest.Status.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    if approve:
        CentreBranch.objects.get_or_create(centre=request.centre, branch=request.branch)
    return request


@transaction.atomic
def equipment_need_save(
    *,
    actor,
    centre: Institution,
    item: str,
    quantity: int,
    branch: str,
    status: str = EquipmentNeed.Status.NEEDED,
    note: str = "",
    need: EquipmentNeed | None = None,
) -> EquipmentNeed:
    require_centre_role(actor, centre)
    if need is not None and need.centre_id != centre.pk:
        raise PermissionDenied
    need = need or EquipmentNeed(centre=centre, created_by=actor)
    need.item = (item or "").strip()
    need.quantity = quantity
    need.branch = (branch or "").strip()
    need.status = status
    need.note = (note or "").strip()
    need.full_clean()
    need.save()
    return need
