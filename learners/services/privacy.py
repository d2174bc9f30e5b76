"""Data-subject rights under Thailand's PDPA: a learner's copy of all their data (JSON and
.xlsx), and erasure requests that staff record and answer.

Erasure pseudonymises: the learner's names, identifier and birth date are replaced, the sign-in
account is unlinked, share links are revoked, the personal part of issued transcripts and of
uploaded result rows is blanked and the transcripts' PDF files are deleted. The ledger stays
exactly as it was (``CreditEntry`` rows are append-only and carry no personal data of their
own), so every balance, breakdown and statistic keeps its numbers.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.documents.jobs import document_discard
from creditbank.documents.xlsx import SafeWorkbook, write_rows
from institutions.scoping import scope_for

from ..models import (
    CreditEntry,
    ErasureRequest,
    Learner,
    ResultRow,
    ShareAccess,
    Transcript,
    TranscriptShare,
    TransferItem,
    TransferRequest,
    UnmaskLog,
)
from .errors import LearnerError
from .learners import STAFF_ROLES

Status = ErasureRequest.Status
EXPORT_FORMAT = "creditbank-learner-data/1"
# Fields of an uploaded result row that came from the sheet and name the person.
RESULT_ROW_PERSONAL = ("identifier", "first_name_th", "last_name_th", "first_name_en",
                       "last_name_en", "title_th", "birth_date", "name")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The learner's copy of their data


def _entry(entry: CreditEntry) -> dict:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "source": entry.source,
        "institution": entry.institution.name_th,
        "institution_code": entry.institution.code,
        "course_code": entry.course_code,
        "course_name_th": entry.course_name_th,
        "course_name_en": entry.course_name_en,
        "level": entry.level,
        "subject_group": entry.subject_group,
        "credits": entry.credits,
        "grade_scale": entry.grade_scale,
        "grade": entry.grade,
        "grade_points": entry.grade_points,
        "academic_year": entry.academic_year,
        "term": entry.term,
        "passed": entry.passed,
        "verified": entry.verified,
        "valid_until": entry.valid_until,
        "reverses": entry.reverses_id,
        "transfer_request": entry.transfer_request_id,
        "reference": entry.reference,
        "note": entry.note,
        "recorded_at": entry.created_at,
    }


def learner_data(learner: Learner) -> dict:
    """Everything the portal holds about the learner, one query per kind of record."""
    home = learner.home_institution
    entries = (
        CreditEntry.objects.filter(learner=learner)
        .select_related("institution")
        .order_by("created_at", "pk")
    )
    requests = list(
        TransferRequest.objects.filter(learner=learner)
        .select_related("target_institution", "target_curriculum")
        .order_by("requested_at", "pk")
    )
    items: dict[int, list] = {}
    for item in (
        TransferItem.objects.filter(request__learner=learner)
        .select_related("target_course")
        .order_by("pk")
    ):
        items.setdefault(item.request_id, []).append(
            {
                "entry": item.entry_id,
                "counts": item.counts,
                "reason": item.reason,
                "detail": item.detail,
                "target_course": item.target_course.code if item.target_course else "",
                "credits_recognised": item.credits_recognised,
            }
        )
    accesses: dict[int, list] = {}
    for access in ShareAccess.objects.filter(share__learner=learner).order_by("at", "pk"):
        accesses.setdefault(access.share_id, []).append(
            {
                "at": access.at,
                "ip_address": access.ip_address,
                "user_agent": access.user_agent,
                "shown": access.granted,
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "learner": {
            "identifier_type": learner.identifier_type,
            "identifier": learner.identifier,
            "title_th": learner.title_th,
            "first_name_th": learner.first_name_th,
            "last_name_th": learner.last_name_th,
            "first_name_en": learner.first_name_en,
            "last_name_en": learner.last_name_en,
            "birth_date": learner.birth_date,
            "home_institution": home.name_th if home else "",
            "home_institution_code": home.code if home else "",
            "consent": learner.consent,
            "consent_at": learner.consent_at,
            "identity_verified": learner.verified,
            "account_linked_at": learner.linked_at,
            "registered_at": learner.created_at,
            "personal_data_erased": learner.pseudonymised,
        },
        "credit_entries": [_entry(entry) for entry in entries],
        "transfer_requests": [
            {
                "id": request.pk,
                "target_institution": request.target_institution.name_th,
                "target_curriculum": request.target_curriculum.name_th
                if request.target_curriculum
                else "",
                "status": request.status,
                "note": request.learner_note,
                "requested_at": request.requested_at,
                "decided_at": request.decided_at,
                "comment": request.comment,
                "items": items.get(request.pk, []),
            }
            for request in requests
        ],
        "transcripts": [
            {"serial": t.serial, "issued_at": t.issued_at, "revoked_at": t.revoked_at}
            for t in Transcript.objects.filter(learner=learner).order_by("issued_at", "pk")
        ],
        "share_links": [
            {
                "recipient": share.recipient,
                "created_at": share.created_at,
                "expires_at": share.expires_at,
                "revoked_at": share.revoked_at,
                "accesses": accesses.get(share.pk, []),
            }
            for share in TranscriptShare.objects.filter(learner=learner).order_by(
                "created_at", "pk"
            )
        ],
        "identifier_unmaskings": [
            {"at": log.at, "reason": log.reason}
            for log in UnmaskLog.objects.filter(learner=learner).order_by("at", "pk")
        ],
        "erasure_requests": [
            {
                "received_at": request.received_at,
                "status": request.status,
                "answered_at": request.answered_at,
                "answer": request.answer,
            }
            for request in ErasureRequest.objects.filter(learner=learner).order_by(
                "received_at", "pk"
            )
        ],
    }


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return float(o)  # credits and grade points: one decimal place
        return super().default(o)


def learner_data_json(learner: Learner) -> bytes:
    return json.dumps(learner_data(learner), cls=_Encoder, ensure_ascii=False, indent=2).encode(
        "utf-8"
    )


def _plain(value):
    """xlsx cells take no time zone: local time without one."""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, list):
        return json.dumps(value, cls=_Encoder, ensure_ascii=False)
    return value


def _sheet(book, title, records: list[dict], header: list[str] | None = None):
    header = header or (list(records[0]) if records else ["–"])
    write_rows(
        book.sheet(title),
        header,
        ([_plain(record.get(key)) for key in header] for record in records),
    )


def learner_data_xlsx(learner: Learner) -> bytes:
    """The same data as ``learner_data_json``, one sheet per kind of record, formula-safe."""
    data = learner_data(learner)
    book = SafeWorkbook()
    write_rows(
        book.sheet(_("Learner")),
        [_("Field"), _("Value")],
        [(key, _plain(value)) for key, value in data["learner"].items()],
    )
    _sheet(book, _("Credit entries"), data["credit_entries"])
    requests = [{k: v for k, v in r.items() if k != "items"} for r in data["transfer_requests"]]
    _sheet(book, _("Transfer requests"), requests)
    items = [{"request": r["id"], **item} for r in data["transfer_requests"] for item in r["items"]]
    _sheet(book, _("Transfer items"), items)
    _sheet(book, _("Transcripts"), data["transcripts"])
    shares = [{k: v for k, v in s.items() if k != "accesses"} for s in data["share_links"]]
    _sheet(book, _("Share links"), shares)
    accesses = [
        {"recipient": s["recipient"], **access}
        for s in data["share_links"]
        for access in s["accesses"]
    ]
    _sheet(book, _("Share link accesses"), accesses)
    _sheet(book, _("Identifier unmaskings"), data["identifier_unmaskings"])
    _sheet(book, _("Erasure requests"), data["erasure_requests"])
    return book.to_bytes()


# ---------------------------------------------------------------------------------------------
# Erasure requests


def _require_staff_for(actor, learner: Learner) -> None:
    """Staff with a registrar, institution-admin or centre role over the learner's home
    institution (anywhere in their scope when the learner has none) who can see the learner."""
    if actor is None:
        return
    if not Learner.objects.for_user(actor).filter(pk=learner.pk).exists():
        raise PermissionDenied
    scope = scope_for(actor)
    home = learner.home_institution
    allowed = scope.has_role(home, *STAFF_ROLES) if home else scope.has_role_anywhere(*STAFF_ROLES)
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def erasure_request_record(
    *, actor, learner: Learner, channel: str = "", details: str = ""
) -> ErasureRequest:
    """Staff record that the learner asked to have their personal data erased."""
    _require_staff_for(actor, learner)
    if learner.pseudonymised:
        raise LearnerError(_("This learner's personal data has already been erased."))
    if ErasureRequest.objects.filter(learner=learner, status=Status.RECEIVED).exists():
        raise LearnerError(_("An erasure request for this learner is already waiting."))
    request = ErasureRequest(
        learner=learner,
        received_by=actor,
        channel=(channel or "").strip()[:100],
        details=(details or "").strip(),
    )
    request.full_clean(exclude=["received_by"])
    request.save()
    return request


@transaction.atomic
def erasure_request_answer(
    *, actor, request: ErasureRequest, complete: bool, answer: str
) -> ErasureRequest:
    """Answer a waiting request: ``complete`` pseudonymises the learner; otherwise it is
    refused, and the answer must say why (PDPA: a refusal is justified to the person)."""
    request = (
        ErasureRequest.objects.select_for_update(of=("self",))
        .select_related("learner", "learner__home_institution")
        .get(pk=request.pk)
    )
    _require_staff_for(actor, request.learner)
    if request.status != Status.RECEIVED:
        raise LearnerError(_("This request has already been answered."))
    answer = (answer or "").strip()
    if not complete and not answer:
        raise LearnerError(_("Say why the request is refused."))
    if complete:
        learner_pseudonymise(actor=actor, learner=request.learner)
    request.status = Status.COMPLETED if complete else Status.REFUSED
    request.answer = answer
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    return request


@transaction.atomic
def learner_pseudonymise(*, actor, learner: Learner) -> Learner:
    """Replace the learner's personal data with a pseudonym; the ledger is not touched."""
    learner = (
        Learner.objects.select_for_update(of=("self",))
        .select_related("home_institution")
        .get(pk=learner.pk)
    )
    _require_staff_for(actor, learner)
    if learner.pseudonymised:
        return learner
    now = timezone.now()
    pseudonym = f"P-{secrets.token_hex(5).upper()}"
    former = {
        "identifier_type": learner.identifier_type,
        "identifier": learner.identifier,
        "first_name_th": learner.first_name_th,
        "last_name_th": learner.last_name_th,
        "first_name_en": learner.first_name_en,
        "last_name_en": learner.last_name_en,
    }
    learner.identifier = f"ERASED-{secrets.token_hex(12)}"
    learner.title_th = ""
    learner.first_name_th = learner.first_name_en = pseudonym
    learner.last_name_th = learner.last_name_en = ""
    learner.birth_date = None
    learner.user = None
    learner.pseudonymised = True
    learner.pseudonymised_at = now
    learner.save(
        update_fields=[
            "identifier", "title_th", "first_name_th", "first_name_en", "last_name_th",
            "last_name_en", "birth_date", "user", "pseudonymised", "pseudonymised_at",
            "updated_at",
        ]
    )  # fmt: skip
    TranscriptShare.objects.filter(learner=learner, revoked_at__isnull=True).update(revoked_at=now)
    for transcript in Transcript.objects.filter(learner=learner).select_related("document"):
        content = dict(transcript.content or {})
        data = dict(content.get("data") or {})
        data["learner"] = {
            **(data.get("learner") or {}),
            "name_th": pseudonym,
            "name_en": pseudonym,
            "identifier_masked": "—",
            "birth_date": None,
        }
        content.update(data=data, erased=True)
        transcript.content = content
        transcript.save(update_fields=["content"])
        if transcript.document is not None:
            document_discard(document=transcript.document)
    _scrub_result_rows(learner, former, pseudonym)
    return learner


def _scrub_result_rows(learner: Learner, former: dict, pseudonym: str) -> None:
    """Uploaded result rows keep the sheet's names and identifier (and a warning may quote a
    name): blank them in every row of this learner, matched or not yet matched."""
    names = sorted(
        {v for k, v in former.items() if k != "identifier_type" and v and len(v) >= 2},
        key=len,
        reverse=True,
    )
    rows = ResultRow.objects.filter(
        Q(learner=learner)
        | Q(data__identifier_type=former["identifier_type"], data__identifier=former["identifier"])
    ).only("pk", "data", "messages")
    for row in rows:
        row.data = {
            key: ("" if key in RESULT_ROW_PERSONAL else value) for key, value in row.data.items()
        }
        text = json.dumps(row.messages, ensure_ascii=False)
        for name in names:
            text = text.replace(json.dumps(name, ensure_ascii=False)[1:-1], pseudonym)
        row.messages = json.loads(text)
        row.save(update_fields=["data", "messages"])


def learner_erasure_requests(learner: Learner):
    return (
        ErasureRequest.objects.filter(learner=learner)
        .select_related("received_by", "answered_by")
        .order_by("-received_at", "-pk")
    )
