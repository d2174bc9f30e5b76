"""An agency writes its part of a round: autosaved sections, inserted activities, submission."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.thai import format_date

from ..models import Activity, AgencyContribution, InspectionRound, SectionBlock
from .access import require_writer
from .errors import ReportsError
from .rounds import ensure_unlocked

MAX_BLOCKS_PER_SECTION = 200
MAX_BLOCK_CHARS = 10_000
Kind = SectionBlock.Kind


class StaleVersion(ReportsError):
    """Someone else saved this part since the editor loaded it."""


def _lock(contribution: AgencyContribution) -> AgencyContribution:
    contribution = (
        AgencyContribution.objects.select_for_update(of=("self",))
        .select_related("round", "institution")
        .get(pk=contribution.pk)
    )
    # The round's row is locked too, so a lock and a save cannot interleave.
    contribution.round = (
        InspectionRound.objects.select_for_update(of=("self",))
        .select_related("locked_by", "focus_point")
        .get(pk=contribution.round_id)
    )
    return contribution


def _clean_blocks(blocks) -> list[dict]:
    cleaned = []
    for block in blocks:
        text = (
            " ".join(str(block.get("text", "")).split())
            if block.get("kind") == Kind.ITEM
            else (str(block.get("text", "")).strip())
        )
        if not text:
            continue  # an empty paragraph is not content
        kind = block.get("kind") or Kind.PARAGRAPH
        if kind not in Kind.values:
            raise ReportsError(_("Unknown kind of block: %(kind)s") % {"kind": kind})
        if len(text) > MAX_BLOCK_CHARS:
            raise ReportsError(
                _("A paragraph may have at most %(max)s characters.") % {"max": MAX_BLOCK_CHARS}
            )
        cleaned.append({"kind": kind, "text": text, "activity": block.get("activity")})
    if len(cleaned) > MAX_BLOCKS_PER_SECTION:
        raise ReportsError(
            _("A section may have at most %(max)s paragraphs and items.")
            % {"max": MAX_BLOCKS_PER_SECTION}
        )
    return cleaned


@transaction.atomic
def section_save(
    *,
    actor,
    contribution: AgencyContribution,
    section: str,
    blocks: list[dict],
    expected_version: int | None = None,
) -> AgencyContribution:
    """Replace one section's paragraphs and items (the autosave).

    ``blocks`` is the section in order: ``{"kind": "paragraph"|"item", "text": ..., "activity":
    id or None}``. With ``expected_version`` a save over someone else's newer save is refused
    rather than silently overwriting it.
    """
    contribution = _lock(contribution)
    if actor is not None:
        require_writer(actor, contribution)
    ensure_unlocked(contribution.round)
    if section not in contribution.round.section_keys():
        raise ReportsError(
            _("This round's form has no section %(section)s.") % {"section": section}
        )
    if expected_version is not None and expected_version != contribution.version:
        editor = contribution.updated_by
        raise StaleVersion(
            _(
                "%(who)s saved this part after you opened it. Reload the page to see their "
                "changes; your text is still in the editor."
            )
            % {
                "who": (editor.get_full_name() or editor.get_username()) if editor else _("someone")
            },
            code="stale",
        )
    cleaned = _clean_blocks(blocks)
    activity_ids = {b["activity"] for b in cleaned if b["activity"]}
    allowed = set(
        Activity.objects.filter(
            pk__in=activity_ids, institution_id=contribution.institution_id
        ).values_list("pk", flat=True)
    )
    contribution.blocks.filter(section=section).delete()
    SectionBlock.objects.bulk_create(
        SectionBlock(
            contribution=contribution,
            section=section,
            position=position,
            kind=block["kind"],
            text=block["text"],
            activity_id=block["activity"] if block["activity"] in allowed else None,
        )
        for position, block in enumerate(cleaned, start=1)
    )
    contribution.version += 1
    contribution.updated_by = actor
    contribution.save(update_fields=["version", "updated_by", "updated_at"])
    return contribution


def activity_item_text(activity: Activity, *, language: str = "th") -> str:
    """How an activity reads as a numbered item: its date (or dates), title, place, partners."""
    if activity.end_date and activity.end_date != activity.start_date:
        start, end = activity.start_date, activity.end_date
        if (start.year, start.month) == (end.year, end.month):
            when = f"{start.day}–{format_date(end, language=language)}"
        elif start.year == end.year:
            first = format_date(start, language=language).rsplit(" ", 1)[0]
            when = f"{first} – {format_date(end, language=language)}"
        else:
            when = (
                f"{format_date(start, language=language)} – {format_date(end, language=language)}"
            )
    else:
        when = format_date(activity.start_date, language=language)
    parts = [
        f"{activity.title} ({when})"
        if language.startswith("en")
        else f"{activity.title} เมื่อวันที่ {when}"
    ]
    if activity.place:
        parts.append(
            (_("at %(place)s") if language.startswith("en") else "ณ %(place)s")
            % {"place": activity.place}
        )
    if activity.partners:
        parts.append(
            (_("with %(partners)s") if language.startswith("en") else "ร่วมกับ %(partners)s")
            % {"partners": activity.partners}
        )
    return " ".join(parts)


@transaction.atomic
def activities_insert(
    *, actor, contribution: AgencyContribution, section: str, activities
) -> AgencyContribution:
    """Append the chosen activities of the agency's log to a section as numbered items."""
    contribution = _lock(contribution)
    if actor is not None:
        require_writer(actor, contribution)
    ensure_unlocked(contribution.round)
    if section not in contribution.round.section_keys():
        raise ReportsError(
            _("This round's form has no section %(section)s.") % {"section": section}
        )
    activities = list(activities)
    foreign = [a for a in activities if a.institution_id != contribution.institution_id]
    if foreign:
        raise ReportsError(_("Only the agency's own activities can be inserted."))
    if not activities:
        raise ReportsError(_("Choose at least one activity to insert."))
    last = (
        contribution.blocks.filter(section=section)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
        or 0
    )
    if last + len(activities) > MAX_BLOCKS_PER_SECTION:
        raise ReportsError(
            _("A section may have at most %(max)s paragraphs and items.")
            % {"max": MAX_BLOCKS_PER_SECTION}
        )
    activities.sort(key=lambda a: (a.start_date, a.pk))
    SectionBlock.objects.bulk_create(
        SectionBlock(
            contribution=contribution,
            section=section,
            position=last + offset,
            kind=Kind.ITEM,
            text=activity_item_text(activity),
            activity=activity,
        )
        for offset, activity in enumerate(activities, start=1)
    )
    contribution.version += 1
    contribution.updated_by = actor
    contribution.save(update_fields=["version", "updated_by", "updated_at"])
    return contribution


@transaction.atomic
def contribution_submit(*, actor, contribution: AgencyContribution) -> AgencyContribution:
    """The agency hands its part to the centre (it can still edit until the round is locked)."""
    contribution = _lock(contribution)
    if actor is not None:
        require_writer(actor, contribution)
    ensure_unlocked(contribution.round)
    if not contribution.blocks.exists():
        raise ReportsError(_("Write at least one section before submitting."))
    if contribution.is_submitted:
        return contribution
    contribution.status = AgencyContribution.Status.SUBMITTED
    contribution.submitted_by = actor
    contribution.submitted_at = timezone.now()
    contribution.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return contribution


@transaction.atomic
def contribution_withdraw(*, actor, contribution: AgencyContribution) -> AgencyContribution:
    """Back to draft (e.g. the centre returns it for changes)."""
    contribution = _lock(contribution)
    if actor is not None:
        require_writer(actor, contribution)
    ensure_unlocked(contribution.round)
    contribution.status = AgencyContribution.Status.DRAFT
    contribution.submitted_by = None
    contribution.submitted_at = None
    contribution.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return contribution
