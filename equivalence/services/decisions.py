"""A committee's decisions from a workbook: check every row, preview, then apply all at once.

Same discipline as course lists: the file is refused outright when it is not a plain .xlsx; every
row is checked before anything is written, and problems are reported by row; confirming applies
every decision in one transaction (one refused row and nothing is written); importing the same
decisions again changes nothing (approving an approved mapping is harmless).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.spreadsheets import SpreadsheetRefused, check_upload, clean_text, parse_number
from institutions.models import Membership
from institutions.scoping import scope_for

from ..models import DecisionImport, EquivalenceMapping, MappingCourse
from ..spreadsheets import parse_courses, parse_date, parse_decision, read_decision_rows
from .mappings import MappingError, mapping_approve, mapping_reject

Status = EquivalenceMapping.Status
OPEN = (Status.PROPOSED, Status.UNDER_REVIEW)


def _course_model():
    from courses.models import Course

    return Course


def _parse(raw: dict) -> dict:
    """Cell values → the row as stored for the preview, with its reading problems."""
    problems: list[str] = []
    row = {"row": raw["row"], "mapping": None, "sources": [], "targets": []}
    try:
        number = parse_number(raw.get("mapping"))
    except ValueError:
        number = None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, int) and number > 0:
        row["mapping"] = number
    else:
        problems.append(_("The mapping ID must be a whole number from the exported file."))
    decision = parse_decision(raw.get("decision"))
    if decision is None:
        problems.append(_("The decision must be อนุมัติ (approve) or ไม่อนุมัติ (reject)."))
    row["decision"] = decision or ""
    row["comment"] = clean_text(raw.get("comment"))[:2000]
    row["meeting"] = clean_text(raw.get("meeting"))[:200]
    row["number"] = clean_text(raw.get("number"))[:50]
    try:
        date = parse_date(raw.get("date"))
        row["date"] = date.isoformat() if date else None
    except ValueError:
        row["date"] = None
        problems.append(_("The decision date is not a date (use 2024-06-01 or 1/6/2567)."))
    for side in ("sources", "targets"):
        row[side] = [list(pair) for pair in parse_courses(raw.get(side))]
    row["problems"] = problems
    return row


def _mappings(actor, ids):
    links = MappingCourse.objects.select_related("course__institution")
    return {
        m.pk: m
        for m in EquivalenceMapping.objects.for_user(actor)
        .filter(pk__in=ids)
        .prefetch_related(Prefetch("links", queryset=links))
    }


def _known_courses(rows) -> set[tuple[str, str]]:
    pairs = {tuple(p) for r in rows for side in ("sources", "targets") for p in r[side]}
    if not pairs:
        return set()
    Course = _course_model()
    found = Course.objects.filter(
        code__in={code for _i, code in pairs}, institution__code__in={i for i, _c in pairs}
    ).values_list("institution__code", "code")
    return set(found)


def _evaluate(actor, rows: list[dict]) -> list[dict]:
    """Decide each row's outcome against the database as it is now (no writes)."""
    scope = scope_for(actor)
    mappings = _mappings(actor, [r["mapping"] for r in rows if r["mapping"]])
    known = _known_courses(rows)
    Course = _course_model()
    seen: set[int] = set()
    for row in rows:
        messages = list(row["problems"])
        outcome = row["decision"] or "skip"
        mapping = mappings.get(row["mapping"]) if row["mapping"] else None
        if row["mapping"] and mapping is None:
            messages.append(
                _("There is no mapping #%(id)s that you can decide on.") % {"id": row["mapping"]}
            )
        if row["mapping"] and row["mapping"] in seen:
            messages.append(
                _("Mapping #%(id)s appears twice in the file.") % {"id": row["mapping"]}
            )
        seen.add(row["mapping"])
        for side in ("sources", "targets"):
            unknown = [f"{i}:{c}" for i, c in row[side] if (i, c) not in known]
            if unknown:
                messages.append(
                    _("Unknown course codes: %(codes)s (write institution code:course code).")
                    % {"codes": ", ".join(unknown)}
                )
            elif mapping is not None and row[side]:
                mine = {
                    (link.course.institution.code, link.course.code)
                    for link in mapping.links.all()
                    if link.side == side[:-1]
                }
                if mine != {tuple(p) for p in row[side]}:
                    messages.append(
                        _("The %(side)s courses do not match mapping #%(id)s.")
                        % {"side": _("source") if side == "sources" else _("target"),
                           "id": mapping.pk}
                    )  # fmt: skip
        if mapping is not None and row["decision"]:
            wanted = Status.APPROVED if row["decision"] == "approve" else Status.REJECTED
            if mapping.status == wanted:
                outcome = "unchanged"
            elif not scope.has_role_in_province(
                mapping.province_id, Membership.Role.COMMITTEE_REVIEWER
            ):
                messages.append(_("Only the province's committee reviewers decide on mappings."))
            elif mapping.status not in OPEN:
                messages.append(
                    _("Mapping #%(id)s is %(status)s and cannot be decided again.")
                    % {"id": mapping.pk, "status": mapping.get_status_display()}
                )
            elif row["decision"] == "approve":
                if mapping.proposed_by_id == actor.pk:
                    messages.append(_("Four eyes: someone other than the proposer must approve."))
                not_ready = sorted(
                    link.course.code
                    for link in mapping.links.all()
                    if link.course.status != Course.Status.APPROVED
                )
                if not_ready:
                    messages.append(
                        _("These courses are not approved (or are retired): %(codes)s")
                        % {"codes": ", ".join(not_ready)}
                    )
            elif not row["comment"]:
                messages.append(_("Say why the mapping is rejected."))
        row["messages"] = messages
        row["outcome"] = "error" if messages else outcome
    return rows


def _counts(rows) -> dict[str, int]:
    counts = {"approve": 0, "reject": 0, "unchanged": 0, "skip": 0, "error": 0}
    for row in rows:
        counts[row["outcome"]] += 1
    return counts


@transaction.atomic
def decisions_import_receive(*, actor, data: bytes, file_name: str) -> DecisionImport:
    """Check a decision file and keep the preview; a file refused outright is kept as refused."""
    record = DecisionImport(
        uploaded_by=actor, file_name=file_name[:255], sha256=hashlib.sha256(data).hexdigest()
    )
    try:
        check_upload(data, file_name)
        raw_rows = read_decision_rows(data)
    except SpreadsheetRefused as refused:
        record.status = DecisionImport.Status.REFUSED
        record.message = str(refused.message)
        record.save()
        return record
    rows = _evaluate(actor, [_parse(raw) for raw in raw_rows])
    record.rows = rows
    record.counts = _counts(rows)
    record.status = DecisionImport.Status.PREVIEW
    if not rows:
        record.status = DecisionImport.Status.REFUSED
        record.message = _("The file has no decision rows.")
    record.save()
    return record


@transaction.atomic
def decisions_import_commit(*, actor, decision_import: DecisionImport) -> DecisionImport:
    """Apply every decision of a checked file in one transaction; a second call does nothing."""
    record = DecisionImport.objects.select_for_update().get(pk=decision_import.pk)
    if record.status == DecisionImport.Status.COMMITTED:
        return record
    if record.status != DecisionImport.Status.PREVIEW or record.uploaded_by_id != actor.pk:
        raise MappingError(_("This file cannot be applied."))
    rows = _evaluate(actor, record.rows)  # the database may have moved since the preview
    record.rows, record.counts = rows, _counts(rows)
    if record.counts["error"]:
        record.save(update_fields=["rows", "counts"])
        raise MappingError(
            _("%(count)s rows have problems: nothing was written.")
            % {"count": record.counts["error"]}
        )
    mappings = _mappings(
        actor, [r["mapping"] for r in rows if r["outcome"] in ("approve", "reject")]
    )
    for row in rows:
        if row["outcome"] not in ("approve", "reject"):
            continue
        mapping = mappings[row["mapping"]]
        date = dt.date.fromisoformat(row["date"]) if row["date"] else None
        if row["outcome"] == "approve":
            mapping_approve(
                actor=actor, mapping=mapping, comment=row["comment"], meeting=row["meeting"],
                decision_number=row["number"], decision_date=date,
            )  # fmt: skip
        else:
            mapping_reject(
                actor=actor, mapping=mapping, comment=row["comment"], meeting=row["meeting"],
                decision_number=row["number"], decision_date=date,
            )  # fmt: skip
    record.status = DecisionImport.Status.COMMITTED
    record.committed_at = timezone.now()
    record.save()
    return record
