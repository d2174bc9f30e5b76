"""Issue, revoke and verify certificates.

A certificate is signed with the portal's Ed25519 key (creditbank.signing, never SECRET_KEY)
over its ID and the facts it states; the QR code's URL carries the ID and that signature with
its key ID, so a tampered ID, signature or record reads "not genuine".
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from creditbank import signing
from creditbank.pagination import bump_count_version
from creditbank.thai import academic_year_be, be_year, format_date
from learners.models import SourceKind
from learners.services import ledger

from ..models import Certificate, Result, SerialCounter, TestSession
from .access import require_centre_role
from .errors import SkillsError

PAYLOAD_VERSION = "skills-cert-v1"


def signed_payload(certificate: Certificate) -> bytes:
    """The bytes the signature covers: the ID and every fact the certificate states."""
    fields = [
        PAYLOAD_VERSION,
        certificate.public_id,
        certificate.serial,
        certificate.holder_name,
        certificate.standard_code,
        certificate.standard_name,
        str(certificate.level),
        str(certificate.nqf_level),
        certificate.issuer_name,
        certificate.issued_on.isoformat(),
        certificate.expires_on.isoformat() if certificate.expires_on else "",
    ]
    return "\x1f".join(fields).encode("utf-8")


def verify_path(certificate: Certificate) -> str:
    return reverse(
        "skills:verify", kwargs={"public_id": certificate.public_id, "token": certificate.signature}
    )


def verify(public_id: str, token: str) -> tuple[str, Certificate | None]:
    """(shown status, certificate) for a QR link; anything that does not check out is
    NOT_GENUINE with no certificate (we show nothing of a record the link does not prove)."""
    Shown = Certificate.Shown
    if not public_id or not token or len(public_id) > 40 or len(token) > 200:
        return Shown.NOT_GENUINE, None
    certificate = (
        Certificate.objects.select_related("standard", "centre").filter(public_id=public_id).first()
    )
    if certificate is None or not secrets.compare_digest(token, certificate.signature):
        return Shown.NOT_GENUINE, None
    if not signing.verify(signed_payload(certificate), token):
        return Shown.NOT_GENUINE, None
    return certificate.shown_status(), certificate


def _next_sequence(centre, year: int, count: int = 1) -> int:
    """Reserve ``count`` consecutive sequence numbers; returns the first."""
    counter, _created = SerialCounter.objects.get_or_create(centre=centre, year=year)
    counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def _expiry(issued_on: dt.date, years: int | None) -> dt.date | None:
    if not years:
        return None
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


@transaction.atomic
def certificate_issue(
    *, actor, result: Result, issued_on: dt.date | None = None, post_credits: bool = False
) -> Certificate:
    """Issue the certificate of a passing result. Exactly one per result: issuing again
    returns the one already issued (the database's one-to-one holds it under concurrency)."""
    result = (
        Result.objects.select_for_update()
        .select_related("candidate__session__standard__nqf_level", "candidate__session__centre",
                        "candidate__learner")
        .get(pk=result.pk)
    )  # fmt: skip
    session = result.candidate.session
    centre = session.centre
    require_centre_role(actor, centre)
    existing = Certificate.objects.filter(result=result).first()
    if existing is None:
        if not result.passed:
            raise SkillsError(_("Only a passing result earns a certificate."))
        existing = _create(actor, result, session, issued_on or timezone.localdate())
    if post_credits and existing.ledger_entry_id is None:
        certificate_post_credits(actor=actor, certificate=existing)
    return existing


def _create(actor, result, session, issued_on) -> Certificate:
    year = be_year(issued_on.year)
    certificate = _build(
        actor, result, session, issued_on, year, _next_sequence(session.centre, year)
    )
    certificate.save()
    _certificates_changed()
    return certificate


def _certificates_changed() -> None:
    # The learner's "My credits" page caches its body under this version (creditbank.learner_panels).
    transaction.on_commit(lambda: bump_count_version("certificates"))


def _build(actor, result, session, issued_on, year, sequence) -> Certificate:
    """An unsaved, signed certificate (its constraints are the database's to enforce)."""
    centre, standard, learner = session.centre, session.standard, result.candidate.learner
    certificate = Certificate(
        public_id=secrets.token_urlsafe(18),
        serial=f"{centre.code}-{year}-{sequence:05d}",
        centre=centre,
        year=year,
        sequence=sequence,
        result=result,
        learner=learner,
        standard=standard,
        holder_name=learner.full_name_th,
        standard_code=standard.code,
        standard_name=standard.name_th,
        level=standard.level,
        nqf_level=standard.nqf_level.number,
        issuer_name=centre.name_th,
        issued_on=issued_on,
        expires_on=_expiry(issued_on, standard.validity_years),
        issued_by=actor,
    )
    certificate.signature = signing.sign(signed_payload(certificate))
    certificate.full_clean(
        exclude=["result", "learner", "centre", "standard"],
        validate_unique=False,
        validate_constraints=False,
    )
    return certificate


@transaction.atomic
def certificate_post_credits(*, actor, certificate: Certificate) -> Certificate:
    """Bank the certificate's credits: one SKILL_TEST entry, whatever the number of calls."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("centre", "standard", "learner")
        .get(pk=certificate.pk)
    )
    require_centre_role(actor, certificate.centre)
    if certificate.status != Certificate.Status.VALID:
        raise SkillsError(_("A revoked certificate earns no credits."))
    if certificate.ledger_entry_id is not None:
        return certificate
    standard = certificate.standard
    entry = ledger.entry_record(
        actor=actor, learner=certificate.learner, institution=certificate.centre,
        idempotency_key=f"skills:certificate:{certificate.public_id}",
        grade="ผ", academic_year=academic_year_be(certificate.issued_on),
        credits=standard.credits, course_code=certificate.standard_code,
        course_name_th=f"{certificate.standard_name} ระดับ {certificate.level}",
        course_name_en=f"{standard.name_en} level {certificate.level}" if standard.name_en else "",
        source=SourceKind.SKILL_TEST, reference=certificate.serial, verified=True,
        valid_until=certificate.expires_on,
    )  # fmt: skip
    certificate.ledger_entry_id = entry.pk
    certificate.save(update_fields=["ledger_entry_id"])
    return certificate


@transaction.atomic
def session_certificates_issue(
    *, actor, session: TestSession, post_credits: bool = False, issued_on: dt.date | None = None
) -> list[Certificate]:
    """Issue every passing result's certificate; those already issued are kept as they are.

    One pass for the whole session: the results are locked, the centre's serial counter is
    advanced once for all of them and the certificates are inserted together (the result's
    one-to-one still guarantees one certificate per result).
    """
    session = TestSession.objects.select_related("centre", "standard__nqf_level").get(pk=session.pk)
    require_centre_role(actor, session.centre)
    results = list(
        Result.objects.select_for_update(of=("self",))
        .filter(candidate__session=session, passed=True, certificate__isnull=True)
        .select_related("candidate__learner")
        .order_by("candidate__pk")
    )
    if results:
        issued_on = issued_on or timezone.localdate()
        year = be_year(issued_on.year)
        first = _next_sequence(session.centre, year, count=len(results))
        fresh = [
            _build(actor, result, session, issued_on, year, first + offset)
            for offset, result in enumerate(results)
        ]
        Certificate.objects.bulk_create(fresh)
        _certificates_changed()
    issued = list(
        Certificate.objects.filter(result__candidate__session=session)
        .select_related("standard", "centre")
        .order_by("sequence")
    )
    if post_credits:
        for certificate in issued:
            if (
                certificate.ledger_entry_id is None
                and certificate.status == Certificate.Status.VALID
            ):
                certificate_post_credits(actor=actor, certificate=certificate)
    return issued


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke with a reason; the banked credits, if any, are reversed in the ledger."""
    certificate = (
        Certificate.objects.select_for_update().select_related("centre").get(pk=certificate.pk)
    )
    require_centre_role(actor, certificate.centre)
    reason = (reason or "").strip()
    if not reason:
        raise SkillsError({"reason": _("Say why the certificate is revoked.")})
    if certificate.status == Certificate.Status.REVOKED:
        raise SkillsError(_("This certificate has already been revoked."))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_reason = reason
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    _certificates_changed()
    if certificate.ledger_entry_id:
        from learners.models import CreditEntry

        entry = CreditEntry.objects.filter(pk=certificate.ledger_entry_id).first()
        if entry is not None and not CreditEntry.objects.filter(reverses=entry).exists():
            ledger.entry_reverse(actor=actor, entry=entry, reason=reason)
    return certificate


def certificate_for_download(*, actor, certificate: Certificate) -> Certificate:
    """The holder, or staff of the issuing centre, may download a certificate."""
    if actor is None:
        raise PermissionDenied
    if certificate.learner.user_id == actor.pk:
        return certificate
    require_centre_role(actor, certificate.centre)
    return certificate


def session_certificates_render(*, actor, session: TestSession):
    """Queue the job that draws every valid certificate of the session (one file each and one
    combined PDF); the returned GeneratedDocument row carries the progress."""
    from creditbank.documents.jobs import document_request

    from ..documents import SESSION_CERTIFICATES

    require_centre_role(actor, session.centre)
    return document_request(
        actor=actor,
        kind=SESSION_CERTIFICATES,
        title=_("Certificates of the session %(standard)s, %(date)s")
        % {
            "standard": session.standard.code,
            "date": format_date(session.starts_on, language=get_language() or "th", style="short"),
        },
        parameters={"session": session.pk},
    )


def certificate_render(*, actor, certificate: Certificate):
    """Queue one certificate's PDF for its holder or the centre's staff."""
    from creditbank.documents.jobs import document_request

    from ..documents import CERTIFICATE

    certificate_for_download(actor=actor, certificate=certificate)
    return document_request(
        actor=actor,
        kind=CERTIFICATE,
        title=_("Certificate %(serial)s") % {"serial": certificate.serial},
        parameters={"certificate": certificate.pk},
    )
