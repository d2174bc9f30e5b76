"""Opening, moving and locking inspection rounds; choosing and ordering the agencies."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.thai import format_date
from institutions.models import Institution

from ..models import AgencyContribution, FocusPoint, InspectionPolicy, InspectionRound
from .access import require_centre
from .errors import ReportsError, RoundLocked

State = InspectionRound.State

# open → collecting → under review → locked; the centre may step back (and reopen a locked round).
NEXT_STATE = {
    State.OPEN: State.COLLECTING,
    State.COLLECTING: State.UNDER_REVIEW,
    State.UNDER_REVIEW: State.LOCKED,
}


def locked_message(round_: InspectionRound) -> str:
    who = (
        round_.locked_by.get_full_name() or round_.locked_by.get_username()
        if round_.locked_by
        else _("someone")
    )
    when = format_date(timezone.localtime(round_.locked_at).date()) if round_.locked_at else ""
    return _("This round was locked by %(who)s on %(when)s; nothing in it can be changed.") % {
        "who": who,
        "when": when,
    }


def ensure_unlocked(round_: InspectionRound) -> None:
    if round_.is_locked:
        raise RoundLocked(locked_message(round_), code="locked")


def _lock_row(round_: InspectionRound) -> InspectionRound:
    return (
        InspectionRound.objects.select_for_update(of=("self",))
        .select_related("locked_by", "province")
        .get(pk=round_.pk)
    )


@transaction.atomic
def round_create(
    *,
    actor,
    filing_office: Institution,
    fiscal_year: int,
    number: int,
    policy: InspectionPolicy,
    focus_point: FocusPoint,
    agencies=(),
    deadline=None,
) -> InspectionRound:
    """Open a round for the filing office's province, with its participating agencies."""
    round_ = InspectionRound(
        province=filing_office.province,
        filing_office=filing_office,
        fiscal_year=fiscal_year,
        number=number,
        policy=policy,
        focus_point=focus_point,
        deadline=deadline,
        created_by=actor,
    )
    if actor is not None:
        require_centre(actor, round_)
    if focus_point.policy_id != policy.pk:
        raise ReportsError({"focus_point": _("This focus point belongs to another policy.")})
    if filing_office.province_id is None:
        raise ReportsError({"filing_office": _("The filing office has no province.")})
    if InspectionRound.objects.filter(
        province=round_.province, fiscal_year=fiscal_year, number=number
    ).exists():
        raise ReportsError(
            _("Round %(number)s of fiscal year %(year)s already exists for this province.")
            % {"number": number, "year": fiscal_year}
        )
    round_.full_clean()
    round_.save()
    agencies_set(actor=actor, round_=round_, agencies=agencies)
    return round_


@transaction.atomic
def agencies_set(*, actor, round_: InspectionRound, agencies) -> list[AgencyContribution]:
    """Make ``agencies`` (in this order) the participants. A part already written is kept."""
    round_ = _lock_row(round_)
    if actor is not None:
        require_centre(actor, round_)
    ensure_unlocked(round_)
    agencies = list(agencies)
    foreign = [a for a in agencies if a.province_id != round_.province_id]
    if foreign:
        raise ReportsError(
            _("These agencies are not in the round's province: %(names)s")
            % {"names": ", ".join(str(a) for a in foreign)}
        )
    existing = {c.institution_id: c for c in round_.contributions.all()}
    keep_ids = {a.pk for a in agencies}
    for contribution in existing.values():
        if contribution.institution_id not in keep_ids:
            if contribution.blocks.exists():
                raise ReportsError(
                    _("%(agency)s has already written its part; it cannot be removed.")
                    % {"agency": contribution.institution}
                )
            contribution.delete()
    result = []
    for position, agency in enumerate(agencies, start=1):
        contribution = existing.get(agency.pk)
        if contribution is None:
            contribution = AgencyContribution.objects.create(
                round=round_, institution=agency, position=position
            )
        elif contribution.position != position:
            contribution.position = position
            contribution.save(update_fields=["position"])
        result.append(contribution)
    return result


@transaction.atomic
def contributions_reorder(*, actor, round_: InspectionRound, ordered_ids: list[int]) -> None:
    """The centre sets the order in which the agencies' parts appear in the report."""
    round_ = _lock_row(round_)
    require_centre(actor, round_)
    ensure_unlocked(round_)
    contributions = {c.pk: c for c in round_.contributions.all()}
    if sorted(ordered_ids) != sorted(contributions):
        raise ReportsError(_("The new order must list every agency of the round exactly once."))
    for position, pk in enumerate(ordered_ids, start=1):
        contribution = contributions[pk]
        if contribution.position != position:
            contribution.position = position
            contribution.save(update_fields=["position"])


@transaction.atomic
def round_set_state(*, actor, round_: InspectionRound, state: str) -> InspectionRound:
    """Move the round to ``state``. Locking records who and when; only the centre does either."""
    round_ = _lock_row(round_)
    if actor is not None:
        require_centre(actor, round_)
    if state not in State.values:
        raise ReportsError(_("Unknown state."))
    if state == round_.state:
        return round_  # idempotent: a double click changes nothing
    round_.state = state
    if state == State.LOCKED:
        round_.locked_by = actor
        round_.locked_at = timezone.now()
    else:
        round_.locked_by = None
        round_.locked_at = None
    round_.save(update_fields=["state", "locked_by", "locked_at"])
    return round_


def round_lock(*, actor, round_: InspectionRound) -> InspectionRound:
    return round_set_state(actor=actor, round_=round_, state=State.LOCKED)


def round_reopen(*, actor, round_: InspectionRound) -> InspectionRound:
    return round_set_state(actor=actor, round_=round_, state=State.UNDER_REVIEW)


def missing_parts(round_: InspectionRound) -> list[AgencyContribution]:
    """The agencies whose part is not submitted (the report marks each one)."""
    return [
        c
        for c in round_.contributions.select_related("institution").order_by("position", "pk")
        if not c.is_submitted
    ]
