"""Transcripts: issue (a signed snapshot of the ledger, rendered to PDF by a document job),
verify (the public page behind the QR code), and share with a receiving institution.

A ``Transcript`` keeps what it said when it was issued (``content``): ``data`` (the learner's
name, masked identifier and every entry that counted that day, grouped by institution),
``sha256`` of that data in canonical JSON, and the Ed25519 signature (``creditbank.signing``)
over the serial number, the issue time and that hash. The verification page checks the
signature and that the stored data still hashes to what was signed, so a row written or edited
behind the application's back does not verify. The QR code carries a short prefix of the
signature (``code``): unforgeable in practice, and short enough for a robust QR.

When a learner's personal data is erased (``services.privacy``), the learner's fields in
``data`` are replaced and ``erased`` is set: the signature still proves the transcript was
issued, and the page says whose data is no longer shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Level
from creditbank import signing, thai
from creditbank.documents.jobs import document_request

from ..models import CreditEntry, Learner, ShareAccess, SourceKind, Transcript, TranscriptShare
from .errors import LearnerError
from .learners import is_staff_of

DOCUMENT_KIND = "learners.transcript"
CONTENT_VERSION = 1
CODE_LENGTH = 22  # characters of the signature's base64url part in the QR: 132 bits
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
SERIAL_LENGTH = 10
SHARE_DAYS_DEFAULT = 14
SHARE_DAYS_MAX = 90
USER_AGENT_MAX = 300


REVOKE_REASON_MAX = 300


class TranscriptError(LearnerError):
    """A transcript action was refused; the message is for the user."""


class ShareGone(Exception):
    """A share link exists but is expired or revoked (the page answers 410)."""

    def __init__(self, share: TranscriptShare, reason: str):
        super().__init__(reason)
        self.share = share
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# What a transcript says


def _money(value: Decimal | None) -> str:
    """Credits as text (JSON has no decimal): ``1.5``, ``2``."""
    value = Decimal(value or 0)
    text = f"{value.normalize():f}"
    return text


def _gpa(rows) -> str:
    points = credits = Decimal(0)
    for row in rows:
        if row["points"] is not None and Decimal(row["credits"]) > 0:
            points += Decimal(row["points"]) * Decimal(row["credits"])
            credits += Decimal(row["credits"])
    return f"{points / credits:.2f}" if credits else ""


def transcript_data(learner: Learner, *, on: dt.date | None = None) -> dict:
    """The transcript's content: the learner and every entry that counts on ``on`` (passed,
    verified, not expired, not reversed), grouped by the institution that recorded it (in the
    order the learner studied there); transfers in their own section. Two queries."""
    on = on or timezone.localdate()
    entries = (
        CreditEntry.objects.filter(learner=learner)
        .counted(on)
        .live()
        .select_related("institution", "institution__province")
        .order_by("academic_year", "term", "course_code", "pk")
    )
    groups: OrderedDict[tuple[str, int], dict] = OrderedDict()
    banked = transferred = Decimal(0)
    by_level: dict[str, Decimal] = {}
    for entry in entries:
        is_transfer = entry.source == SourceKind.TRANSFER
        key = ("transfer" if is_transfer else "earned", entry.institution_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "transfer": is_transfer,
                "institution_th": entry.institution.name_th,
                "institution_en": entry.institution.name_en,
                "sources": [],
                "rows": [],
            }
        if entry.source not in group["sources"]:
            group["sources"].append(entry.source)
        group["rows"].append(
            {
                "year": entry.academic_year,
                "term": entry.term,
                "code": entry.course_code,
                "name_th": entry.course_name_th,
                "name_en": entry.course_name_en,
                "level": entry.level,
                "credits": _money(entry.credits),
                "grade": entry.grade,
                "points": None if entry.grade_points is None else _money(entry.grade_points),
                "reference": entry.reference,
            }
        )
        if is_transfer:
            transferred += entry.credits
        else:
            banked += entry.credits
            by_level[entry.level] = by_level.get(entry.level, Decimal(0)) + entry.credits
    ordered = sorted(groups.values(), key=lambda g: (g["transfer"], g["rows"][0]["year"]))
    for group in ordered:
        group["credits"] = _money(sum(Decimal(r["credits"]) for r in group["rows"]))
        group["gpa"] = _gpa(group["rows"])
    home = learner.home_institution
    province = home.province if home is not None else None
    return {
        "learner": {
            "name_th": learner.full_name_th,
            "name_en": learner.full_name_en,
            "identifier_type": learner.identifier_type,
            "identifier_masked": learner.masked_identifier,
            "birth_date": learner.birth_date.isoformat() if learner.birth_date else None,
            "home_institution_th": home.name_th if home else "",
            "home_institution_en": home.name_en if home else "",
        },
        "province_th": province.name_th if province else "",
        "province_en": province.name_en if province else "",
        "as_of": on.isoformat(),
        "groups": ordered,
        "banked": _money(banked),
        "transferred": _money(transferred),
        # Levels in the order of the scale, "not stated" (skill tests, prior learning) last.
        "by_level": {
            level: _money(by_level[level]) for level in [*Level.values, ""] if by_level.get(level)
        },
        "courses": sum(len(g["rows"]) for g in ordered if not g["transfer"]),
        "gpa": _gpa([r for g in ordered if not g["transfer"] for r in g["rows"]]),
    }


def content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _signed_message(serial: str, issued_at: dt.datetime, sha256: str) -> bytes:
    stamp = issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"creditbank/transcript/v{CONTENT_VERSION}\n{serial}\n{stamp}\n{sha256}".encode()


def _new_serial(today: dt.date) -> str:
    random_part = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))
    return f"TR{thai.be_year(today.year)}-{random_part}"


def verification_code(transcript: Transcript) -> str:
    """The part of the signature the QR code carries."""
    return transcript.signature.split(".", 1)[-1][:CODE_LENGTH]


def verification_path(transcript: Transcript, *, with_code: bool = True) -> str:
    path = reverse("learners:transcript_verify", args=[transcript.serial])
    return f"{path}?c={verification_code(transcript)}" if with_code else path


# ---------------------------------------------------------------------------------------------
# Issuing


def _require_own(actor, learner: Learner) -> None:
    """Only the learner themself asks for their transcript or manages its share links."""
    if actor is None or learner.user_id is None or learner.user_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def transcript_issue(*, actor, learner: Learner, base_url: str, language: str = "th") -> Transcript:
    """Snapshot and sign the learner's transcript and queue its PDF.

    Asking again on the same day with an unchanged ledger returns the transcript already
    issued (a double click makes one document), unless its rendering failed.
    ``base_url`` (``https://host``) is where the QR code points.
    """
    _require_own(actor, learner)
    learner = (
        Learner.objects.select_for_update(of=("self",))
        .select_related("home_institution")
        .get(pk=learner.pk)
    )
    if learner.pseudonymised:
        raise TranscriptError(_("This learner's personal data has been erased."))
    data = transcript_data(learner)
    sha256 = content_hash(data)
    now = timezone.now()
    recent = (
        Transcript.objects.filter(
            learner=learner, revoked_at__isnull=True, issued_at__date=timezone.localdate(now)
        )
        .select_related("document")
        .order_by("-issued_at", "-pk")
        .first()
    )
    if (
        recent is not None
        and recent.content.get("sha256") == sha256
        and recent.document is not None
        and not recent.document.is_failed
    ):
        return recent
    serial = _new_serial(timezone.localdate(now))
    transcript = Transcript(
        learner=learner,
        serial=serial,
        signature=signing.sign(_signed_message(serial, now, sha256)),
        content={"v": CONTENT_VERSION, "sha256": sha256, "data": data},
        issued_by=actor,
        issued_at=now,
    )
    transcript.full_clean(exclude=["document"])
    transcript.save()
    with translation.override(language):
        title = _("Transcript %(serial)s") % {"serial": serial}
    transcript.document = document_request(
        actor=actor,
        kind=DOCUMENT_KIND,
        title=title,
        parameters={
            "transcript": transcript.pk,
            "base_url": base_url.rstrip("/"),
            "language": language if language in ("th", "en") else "th",
        },
    )
    transcript.save(update_fields=["document"])
    return transcript


def transcript_display(data: dict, *, english: bool) -> dict:
    """The snapshot in the reader's language: names, level and source labels."""

    def pick(th, en):
        return (english and en) or th

    levels = dict(Level.choices)
    sources = dict(SourceKind.choices)
    groups = []
    for group in data["groups"]:
        rows = [
            {
                **row,
                "name": pick(row["name_th"], row["name_en"]),
                "level_label": str(levels.get(row["level"], "")),
            }
            for row in group["rows"]
        ]
        groups.append(
            {
                **group,
                "institution": pick(group["institution_th"], group["institution_en"]),
                "source_labels": [str(sources.get(s, s)) for s in group["sources"]],
                "rows": rows,
            }
        )
    learner = data["learner"]
    return {
        "name": pick(learner["name_th"], learner["name_en"]),
        "name_other": learner["name_en"] if not english else learner["name_th"],
        "identifier_masked": learner["identifier_masked"],
        "birth_date": dt.date.fromisoformat(learner["birth_date"])
        if learner.get("birth_date")
        else None,
        "home_institution": pick(learner["home_institution_th"], learner["home_institution_en"]),
        "province": pick(data["province_th"], data["province_en"]),
        "earned_groups": [g for g in groups if not g["transfer"]],
        "transfer_groups": [g for g in groups if g["transfer"]],
        "by_level": [
            (str(levels.get(level, "")) or _("Not stated"), credits)
            for level, credits in data["by_level"].items()
        ],
        "banked": data["banked"],
        "transferred": data["transferred"],
        "courses": data["courses"],
        "gpa": data["gpa"],
    }


def transcript_render(transcript: Transcript, *, base_url: str, language: str = "th") -> bytes:
    """The transcript's PDF, drawn from its snapshot (never from today's ledger)."""
    import segno

    from creditbank.documents.pdf import render_template_pdf

    if transcript.content.get("erased"):
        raise TranscriptError(_("This learner's personal data has been erased."))
    url = base_url.rstrip("/") + verification_path(transcript)
    qr = segno.make(url, error="m")
    with translation.override(language):
        return render_template_pdf(
            "learners/transcript_pdf.html",
            {
                "transcript": transcript,
                "t": transcript_display(transcript.content["data"], english=language == "en"),
                "verify_url": url,
                "verify_url_short": base_url.rstrip("/")
                + verification_path(transcript, with_code=False),
                # One pixel per module: the PDF keeps it sharp (image-rendering: pixelated).
                "qr_png": qr.png_data_uri(scale=1, border=4),
                "issued_on": timezone.localtime(transcript.issued_at).date(),
                "as_of": dt.date.fromisoformat(transcript.content["data"]["as_of"]),
                "title": _("Credit bank transcript"),
            },
        )


# ---------------------------------------------------------------------------------------------
# Verifying


@dataclass
class Verification:
    transcript: Transcript | None
    signature_valid: bool = False
    content_intact: bool = False
    code_matches: bool = True
    revoked: bool = False
    erased: bool = False

    @property
    def genuine(self) -> bool:
        """Issued by us, unaltered, and the QR's code (if any) belongs to it."""
        return (
            self.transcript is not None
            and self.signature_valid
            and self.content_intact
            and self.code_matches
        )


def transcript_verify(*, serial: str, code: str = "") -> Verification:
    """What the public verification page says about a serial number (and the QR's code)."""
    serial = (serial or "").strip().upper()[:40]
    transcript = Transcript.objects.filter(serial=serial).first()
    if transcript is None:
        return Verification(transcript=None, code_matches=False)
    content = transcript.content or {}
    sha256 = str(content.get("sha256", ""))
    erased = bool(content.get("erased"))
    intact = erased or (
        "data" in content and hmac.compare_digest(content_hash(content["data"]), sha256)
    )
    code = (code or "").strip()
    return Verification(
        transcript=transcript,
        signature_valid=signing.verify(
            _signed_message(transcript.serial, transcript.issued_at, sha256), transcript.signature
        ),
        content_intact=intact,
        code_matches=not code or hmac.compare_digest(code, verification_code(transcript)),
        revoked=transcript.revoked_at is not None,
        erased=erased,
    )


@transaction.atomic
def transcript_revoke(*, actor, transcript: Transcript, reason: str) -> Transcript:
    """Withdraw an issued transcript, saying why: the verification page then says it is revoked
    and share links stop showing it. The learner may revoke their own; staff of the learner's
    institutions may too (a transcript issued before a correction of the ledger, say).
    Revoking twice changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise TranscriptError(_("Say why the transcript is revoked."))
    transcript = (
        Transcript.objects.select_for_update(of=("self",))
        .select_related("learner")
        .get(pk=transcript.pk)
    )
    learner = transcript.learner
    own = actor is not None and learner.user_id is not None and learner.user_id == actor.pk
    if not own and not is_staff_of(actor, learner):
        raise PermissionDenied
    if transcript.revoked_at is None:
        transcript.revoked_at = timezone.now()
        transcript.revoked_by = actor
        transcript.revoke_reason = reason[:REVOKE_REASON_MAX]
        transcript.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return transcript


def learner_transcripts(learner: Learner):
    return Transcript.objects.filter(learner=learner).select_related("document")


# ---------------------------------------------------------------------------------------------
# Share links


@transaction.atomic
def share_create(
    *, actor, learner: Learner, recipient: str = "", days: int = SHARE_DAYS_DEFAULT
) -> TranscriptShare:
    """A link a receiving institution opens without signing in, valid for ``days`` days."""
    _require_own(actor, learner)
    if learner.pseudonymised:
        raise TranscriptError(_("This learner's personal data has been erased."))
    if not 1 <= int(days) <= SHARE_DAYS_MAX:
        raise TranscriptError(
            _("A share link lasts from 1 to %(max)s days.") % {"max": SHARE_DAYS_MAX}
        )
    if not _shareable(learner).exists():
        raise TranscriptError(_("Issue a transcript first: the link shows your latest one."))
    share = TranscriptShare(
        learner=learner,
        token=secrets.token_urlsafe(32),
        recipient=(recipient or "").strip()[:200],
        expires_at=timezone.now() + dt.timedelta(days=int(days)),
        created_by=actor,
    )
    share.full_clean()
    share.save()
    return share


@transaction.atomic
def share_revoke(*, actor, share: TranscriptShare) -> TranscriptShare:
    share = (
        TranscriptShare.objects.select_for_update(of=("self",))
        .select_related("learner")
        .get(pk=share.pk)
    )
    _require_own(actor, share.learner)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share


def _shareable(learner):
    """Transcripts a share link may show: issued, not revoked, with a finished PDF."""
    return (
        Transcript.objects.filter(learner=learner, revoked_at__isnull=True, document__status="done")
        .exclude(document__file="")
        .select_related("document")
        .order_by("-issued_at", "-pk")
    )


def share_open(
    *, token: str, ip_address: str | None, user_agent: str
) -> tuple[TranscriptShare, Transcript | None]:
    """Open a share link and log the access (when, IP, browser), refused ones included.

    Unknown token: ``TranscriptShare.DoesNotExist`` (a 404, nothing to log against). Expired or
    revoked: ``ShareGone`` (logged as not shown). Otherwise the share and the learner's latest
    shareable transcript (None if none is ready).
    """
    share = TranscriptShare.objects.select_related("learner").get(token=token)
    reason = ""
    if share.revoked_at is not None:
        reason = "revoked"
    elif share.expires_at <= timezone.now():
        reason = "expired"
    elif share.learner.pseudonymised:
        reason = "erased"
    ShareAccess.objects.create(
        share=share,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
        granted=not reason,
    )
    if reason:
        raise ShareGone(share, reason)
    return share, _shareable(share.learner).first()


def learner_shares(learner: Learner):
    """The learner's share links with how often and when they were last opened (one query)."""
    return (
        TranscriptShare.objects.filter(learner=learner)
        .annotate(
            access_count=Count("accesses"),
            last_access=Max("accesses__at"),
        )
        .order_by("-created_at", "-pk")
    )


def learner_share_accesses(learner: Learner):
    return (
        ShareAccess.objects.filter(share__learner=learner)
        .select_related("share")
        .order_by("-at", "-pk")
    )
