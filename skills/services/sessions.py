"""Test sessions: open one, register candidates, record results (one by one or by workbook)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution
from learners.models import IdentifierType, Learner
from learners.services.learners import identifier_clean, learner_create, learner_find

from ..models import Candidate, OccupationalStandard, Result, ResultUpload, TestSession
from .access import require_centre_role
from .centres import centre_may_test
from .errors import SkillsError


@transaction.atomic
def session_create(
    *,
    actor,
    centre: Institution,
    standard: OccupationalStandard,
    starts_on: dt.date,
    ends_on: dt.date,
    capacity: int,
    venue: str = "",
    registration_open: bool = True,
) -> TestSession:
    require_centre_role(actor, centre)
    if not centre_may_test(centre, standard):
        raise SkillsError({"standard": _("This centre is not accredited to test that standard.")})
    session = TestSession(
        centre=centre, standard=standard, starts_on=starts_on, ends_on=ends_on,
        capacity=capacity, venue=venue.strip(), registration_open=registration_open,
        created_by=actor,
    )  # fmt: skip
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_set_registration(*, actor, session: TestSession, open_: bool) -> TestSession:
    require_centre_role(actor, session.centre)
    TestSession.objects.filter(pk=session.pk).update(registration_open=open_)
    session.registration_open = open_
    return session


def _locked_session(session: TestSession) -> TestSession:
    # Serialises registrations of one session, so two at once cannot pass the capacity.
    return TestSession.objects.select_for_update().select_related("centre").get(pk=session.pk)


@transaction.atomic
def candidate_register(
    *,
    actor,
    session: TestSession,
    learner: Learner | None = None,
    identifier: str = "",
    identifier_type: str = IdentifierType.CITIZEN_ID,
    first_name_th: str = "",
    last_name_th: str = "",
) -> Candidate:
    """Register an existing learner, or anyone by identifier and name: no prior qualification
    is needed, and someone unknown gets an unverified learner record. Refused when registration
    is closed or the session is full; registering someone twice returns their registration."""
    session = _locked_session(session)
    require_centre_role(actor, session.centre)
    if learner is None:
        value = identifier_clean(identifier_type, identifier)
        learner = learner_find(identifier_type=identifier_type, identifier=value)
        if learner is None:
            if not first_name_th.strip():
                raise SkillsError({"first_name_th": _("Give the candidate's name.")})
            # The test officer's role was checked above; the learners service is asked as
            # the system because registering for a test needs no registrar.
            learner = learner_create(
                actor=None, identifier=value, identifier_type=identifier_type,
                first_name_th=first_name_th, last_name_th=last_name_th, verified=False,
            )  # fmt: skip
    existing = Candidate.objects.filter(session=session, learner=learner).first()
    if existing is not None:
        return existing
    if not session.registration_open:
        raise SkillsError(_("Registration for this session is closed."), code="closed")
    if session.candidates.count() >= session.capacity:
        raise SkillsError(
            _("The session is full (%(capacity)s candidates).") % {"capacity": session.capacity},
            code="full",
        )
    candidate = Candidate(session=session, learner=learner, registered_by=actor)
    candidate.save()
    return candidate


def _parse_score(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        score = Decimal(str(raw).strip())
    except InvalidOperation:
        raise SkillsError({"score": _("The score is not a number.")}) from None
    if score < 0 or score > 100:
        raise SkillsError({"score": _("A score is between 0 and 100.")})
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def result_record(
    *, actor, session: TestSession, learner: Learner, passed: bool, score=None
) -> Result:
    """Record (or correct) a registered candidate's result. Someone not registered for the
    session is refused; a result with a certificate issued cannot change."""
    require_centre_role(actor, session.centre)
    candidate = Candidate.objects.filter(session=session, learner=learner).first()
    if candidate is None:
        raise SkillsError(
            _("This person is not registered for the session."), code="not_registered"
        )
    score = _parse_score(score)
    result = Result.objects.select_for_update().filter(candidate=candidate).first()
    if result is not None:
        if result.passed == passed and result.score == score:
            return result
        if hasattr(result, "certificate"):
            raise SkillsError(_("A certificate has been issued for this result; revoke it first."))
        result.passed, result.score, result.recorded_by = passed, score, actor
    else:
        result = Result(candidate=candidate, passed=passed, score=score, recorded_by=actor)
    result.full_clean()
    result.save()
    return result


# ---------------------------------------------------------------------------------------------
# Results workbook: receive and check (preview), then commit in one transaction.


def results_upload_receive(
    *, actor, session: TestSession, data: bytes, file_name: str
) -> ResultUpload:
    """Check every row of the workbook and store the preview; nothing else is written."""
    from ..importer import check_rows

    require_centre_role(actor, session.centre)
    upload = ResultUpload(
        session=session,
        uploaded_by=actor,
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
    )
    try:
        rows = check_rows(session, data, file_name)
    except ValidationError as refused:
        upload.status = ResultUpload.Status.REFUSED
        upload.message = " ".join(refused.messages)
        upload.save()
        return upload
    upload.rows = rows
    upload.file.save(f"{upload.sha256[:16]}.xlsx", ContentFile(data), save=False)
    upload.error_count = sum(1 for row in rows if row["errors"])
    upload.counts = _counts(rows)
    upload.status = ResultUpload.Status.PREVIEW
    upload.save()
    return upload


def _counts(rows) -> dict:
    counts = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
    for row in rows:
        counts["error" if row["errors"] else row["change"]] += 1
    return counts


@transaction.atomic
def results_upload_commit(*, actor, upload: ResultUpload) -> ResultUpload:
    """Write every row in one transaction. Committing twice, or the same file again, changes
    nothing: each result is keyed by its candidate."""
    upload = (
        ResultUpload.objects.select_for_update().select_related("session__centre").get(pk=upload.pk)
    )
    require_centre_role(actor, upload.session.centre)
    if upload.status == ResultUpload.Status.COMMITTED:
        return upload
    if not upload.can_commit:
        raise SkillsError(_("Fix the rows with errors and upload the file again."))
    candidates = {
        c.pk: c for c in Candidate.objects.filter(session=upload.session).select_related("learner")
    }
    for row in upload.rows:
        candidate = candidates.get(row["candidate"])
        if candidate is None:
            raise SkillsError(_("A candidate of this file is no longer registered."))
        result_record(
            actor=actor, session=upload.session, learner=candidate.learner,
            passed=row["passed"], score=row["score"],
        )  # fmt: skip
    upload.status = ResultUpload.Status.COMMITTED
    upload.committed_at = timezone.now()
    upload.save(update_fields=["status", "committed_at"])
    return upload


@transaction.atomic
def results_upload_cancel(*, actor, upload: ResultUpload) -> ResultUpload:
    require_centre_role(actor, upload.session.centre)
    if upload.status != ResultUpload.Status.PREVIEW:
        raise PermissionDenied
    upload.status = ResultUpload.Status.CANCELLED
    upload.save(update_fields=["status"])
    return upload


@transaction.atomic
def results_record_many(*, actor, session: TestSession, rows) -> int:
    """Record results entered on the session page, all or none: ``rows`` holds
    ``(candidate_id, passed, score)``; a candidate of another session is refused. Returns how
    many results changed."""
    require_centre_role(actor, session.centre)
    candidates = {
        c.pk: c for c in Candidate.objects.filter(session=session).select_related("learner")
    }
    changed = 0
    for candidate_id, passed, score in rows:
        candidate = candidates.get(candidate_id)
        if candidate is None:
            raise SkillsError(
                _("This person is not registered for the session."), code="not_registered"
            )
        before = Result.objects.filter(candidate=candidate).values_list("recorded_at", flat=True)
        before = before.first()
        result = result_record(
            actor=actor, session=session, learner=candidate.learner, passed=passed, score=score
        )
        changed += before is None or result.recorded_at != before
    return changed
