"""Results uploads: a registrar's workbook of learners' results becomes verified ledger entries.

``results_upload_receive`` (file checks, hash, row kept, check queued) → the Celery task runs
``results_upload_check`` (every row validated, preview stored, progress recorded) → the uploader
confirms with ``results_upload_submit`` (one transaction: unknown learners registered, marked
unverified, if the upload said so) → a registrar approves with ``results_upload_approve`` (one
transaction: every new result posted as a verified entry, every corrected one reversed and
posted again). Sending the same file again finds every row unchanged and posts nothing;
approving twice posts once (one idempotency key per upload row).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course
from creditbank.db import insert_rows
from creditbank.pagination import bump_count_version
from creditbank.spreadsheets import SpreadsheetRefused, check_upload, read_first_sheet
from institutions.models import Membership
from institutions.scoping import scope_for

from ..importer import natural_key_of, validate_rows
from ..models import CreditEntry, Learner, ResultRow, ResultUpload
from .errors import LedgerError
from .ledger import build_entry, build_reversal

Status = ResultUpload.Status
Role = Membership.Role
UPLOAD_ROLES = (Role.REGISTRAR, Role.INSTITUTION_ADMIN)
APPROVE_ROLES = (Role.REGISTRAR, Role.INSTITUTION_ADMIN)


class ResultsError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _require(actor, institution, roles) -> None:
    if actor is not None and not scope_for(actor).has_role(institution, *roles):
        raise PermissionDenied


@transaction.atomic
def results_upload_receive(
    *, actor, institution, data: bytes, file_name: str, create_unknown: bool = False
) -> ResultUpload:
    """Keep the file and queue its check. A file refused outright is kept as refused."""
    _require(actor, institution, UPLOAD_ROLES)
    digest = hashlib.sha256(data).hexdigest()
    upload = ResultUpload(
        institution=institution,
        uploaded_by=actor,
        file_name=file_name[:255],
        sha256=digest,
        unknown_learners=(
            ResultUpload.UnknownLearners.CREATE
            if create_unknown
            else ResultUpload.UnknownLearners.REFUSE
        ),
    )
    try:
        check_upload(data, file_name)
    except SpreadsheetRefused as refused:
        upload.status = Status.REFUSED
        upload.message = str(refused.message)
        upload.save()
        return upload
    upload.file.save(f"{digest[:16]}.xlsx", ContentFile(data), save=False)
    upload.save()
    from ..tasks import results_upload_check_task

    transaction.on_commit(lambda: results_upload_check_task.delay(upload.pk))
    return upload


def _progress(upload, percent, message=""):
    ResultUpload.objects.filter(pk=upload.pk).update(progress=percent, message=message)


def results_upload_check(*, upload_id: int) -> ResultUpload:
    """Validate every row and store the preview. Running it again changes nothing."""
    with transaction.atomic():
        upload = ResultUpload.objects.select_for_update().get(pk=upload_id)
        if upload.status not in (Status.QUEUED, Status.CHECKING):
            return upload
        upload.status = Status.CHECKING
        upload.save(update_fields=["status"])
    _progress(upload, 5, _("Reading the workbook"))
    try:
        with upload.file.open("rb") as handle:
            rows = read_first_sheet(handle.read())
        _progress(upload, 30, _("Checking every row"))
        results, _header = validate_rows(
            rows,
            institution=upload.institution,
            create_unknown=upload.unknown_learners == ResultUpload.UnknownLearners.CREATE,
        )
        if not results:
            raise SpreadsheetRefused(
                _("The sheet has a header row but no results under it."), "empty"
            )
    except SpreadsheetRefused as refused:
        ResultUpload.objects.filter(pk=upload.pk).update(
            status=Status.REFUSED, message=str(refused.message), progress=100
        )
        upload.refresh_from_db()
        return upload
    _progress(upload, 80, _("Saving the preview"))
    counts = {"rows": len(results)}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        if result.change and result.status == "warning":
            counts[result.change] = counts.get(result.change, 0) + 1
        if result.data.get("new_learner") and not result.has_errors:
            counts["new_learners"] = counts.get("new_learners", 0) + 1
    with transaction.atomic():
        ResultRow.objects.filter(upload=upload).delete()
        insert_rows(
            ResultRow,
            ["upload_id", "row_number", "status", "data", "messages", "change", "learner_id",
             "course_id"],
            (
                (upload.pk, r.row_number, r.status, r.data, r.messages, r.change,
                 r.data.get("learner_id"), r.data.get("course_id"))
                for r in results
            ),
        )  # fmt: skip
        ResultUpload.objects.filter(pk=upload.pk).update(
            status=Status.PREVIEW, counts=counts, progress=100, message=""
        )
    upload.refresh_from_db()
    return upload


@transaction.atomic
def results_upload_submit(*, actor, upload: ResultUpload) -> ResultUpload:
    """Confirm a checked upload: register the new learners (unverified) and send it for
    approval. Refused while any row has an error."""
    upload = ResultUpload.objects.select_for_update().get(pk=upload.pk)
    _require(actor, upload.institution, UPLOAD_ROLES)
    if upload.status in (Status.SUBMITTED, Status.APPROVED):
        return upload
    if upload.status != Status.PREVIEW:
        raise ResultsError(
            _("This upload cannot be confirmed (status: %(s)s).")
            % {"s": upload.get_status_display()}
        )
    if upload.counts.get("error"):
        raise ResultsError(_("Correct the rows with errors and upload the file again."))
    rows = list(upload.rows.filter(learner__isnull=True).exclude(status=ResultRow.Status.ERROR))
    created = 0
    by_identifier: dict[tuple[str, str], Learner] = {}
    for row in rows:
        data = row.data
        key = (data["identifier_type"], data["identifier"])
        learner = by_identifier.get(key)
        if learner is None:
            learner = Learner.objects.filter(
                identifier_type=key[0], identifier=key[1]
            ).first()  # registered since the check
        if learner is None:
            if upload.unknown_learners != ResultUpload.UnknownLearners.CREATE:
                raise ResultsError(
                    _("Row %(row)s: no learner with this identifier is registered.")
                    % {"row": row.row_number}
                )
            learner = Learner(
                identifier_type=key[0],
                identifier=key[1],
                title_th=data.get("title_th", ""),
                first_name_th=data.get("first_name_th", ""),
                last_name_th=data.get("last_name_th", ""),
                first_name_en=data.get("first_name_en", ""),
                last_name_en=data.get("last_name_en", ""),
                home_institution=upload.institution,
                verified=False,
                created_by=actor,
            )
            learner.full_clean(validate_constraints=False)
            learner.save()
            created += 1
        by_identifier[key] = learner
        row.learner = learner
        data["learner_id"] = learner.pk
        row.save(update_fields=["learner", "data"])
    if created:
        bump_count_version("learners")
    upload.status = Status.SUBMITTED
    upload.submitted_by = actor
    upload.submitted_at = timezone.now()
    upload.counts = {**upload.counts, "learners_created": created}
    upload.save(update_fields=["status", "submitted_by", "submitted_at", "counts"])
    return upload


@transaction.atomic
def results_upload_approve(*, actor, upload: ResultUpload, comment: str = "") -> ResultUpload:
    """A registrar verifies the results: post them, in one transaction, exactly once.

    Rows already recorded with the same grade post nothing; a changed grade reverses the entry
    recorded before and posts the new one. Entries carry the upload and the approver.
    """
    upload = ResultUpload.objects.select_for_update().get(pk=upload.pk)
    _require(actor, upload.institution, APPROVE_ROLES)
    if upload.status == Status.APPROVED:
        return upload
    if upload.status != Status.SUBMITTED:
        raise ResultsError(
            _("This upload cannot be approved (status: %(s)s).")
            % {"s": upload.get_status_display()}
        )
    institution = upload.institution
    rows = list(
        upload.rows.exclude(status=ResultRow.Status.ERROR)
        .filter(learner__isnull=False)
        .order_by("row_number")
    )
    courses = Course.objects.in_bulk({r.course_id for r in rows})
    learners = Learner.objects.in_bulk({r.learner_id for r in rows})
    # Writers of these learners' ledgers queue behind this approval.
    list(Learner.objects.select_for_update().filter(pk__in=list(learners)).values_list("pk"))
    keys = {natural_key_of(r.data, institution.pk): r for r in rows}
    live = {e.natural_key: e for e in CreditEntry.objects.filter(natural_key__in=list(keys)).live()}
    done = set(
        CreditEntry.objects.filter(results_upload=upload).values_list("idempotency_key", flat=True)
    )
    reversals, entries = [], []
    counts = {"posted": 0, "corrected": 0, "unchanged": 0}
    for row in rows:
        key = natural_key_of(row.data, institution.pk)
        idempotency_key = f"results:{upload.pk}:{row.row_number}"
        if idempotency_key in done:
            continue
        current = live.get(key)
        if current is not None and current.grade == row.data.get("grade"):
            counts["unchanged"] += 1
            continue
        if current is not None:
            reversals.append(
                build_reversal(
                    current,
                    actor=actor,
                    reason=_("Corrected by results upload %(file)s (row %(row)s)")
                    % {"file": upload.file_name, "row": row.row_number},
                )
            )
            counts["corrected"] += 1
        try:
            entries.append(
                build_entry(
                    actor=actor,
                    learner=learners[row.learner_id],
                    institution=institution,
                    course=courses[row.course_id],
                    grade=row.data["grade_raw"],
                    academic_year=row.data["academic_year"],
                    term=row.data["term"],
                    verified=True,
                    idempotency_key=idempotency_key,
                    results_upload=upload,
                )
            )
        except LedgerError as error:
            raise ResultsError(
                _("Row %(row)s: %(error)s") % {"row": row.row_number, "error": error.messages[0]}
            ) from None
        counts["posted"] += 1
    CreditEntry.objects.bulk_create(reversals, batch_size=1000)
    CreditEntry.objects.bulk_create(entries, batch_size=1000)
    # Learners now have entries at this institution: staff lists scoped by entries change.
    bump_count_version("learners")
    transaction.on_commit(lambda: bump_count_version("learners"))
    upload.status = Status.APPROVED
    upload.decided_by = actor
    upload.decided_at = timezone.now()
    upload.comment = comment
    upload.counts = {**upload.counts, **counts}
    upload.save(update_fields=["status", "decided_by", "decided_at", "comment", "counts"])
    return upload


@transaction.atomic
def results_upload_reject(*, actor, upload: ResultUpload, comment: str) -> ResultUpload:
    upload = ResultUpload.objects.select_for_update().get(pk=upload.pk)
    _require(actor, upload.institution, APPROVE_ROLES)
    if upload.status == Status.REJECTED:
        return upload
    if upload.status != Status.SUBMITTED:
        raise ResultsError(
            _("This upload cannot be rejected (status: %(s)s).")
            % {"s": upload.get_status_display()}
        )
    if not (comment or "").strip():
        raise ResultsError(_("Say why the results are rejected."))
    upload.status = Status.REJECTED
    upload.decided_by = actor
    upload.decided_at = timezone.now()
    upload.comment = comment.strip()
    upload.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return upload


@transaction.atomic
def results_upload_cancel(*, actor, upload: ResultUpload) -> None:
    _require(actor, upload.institution, UPLOAD_ROLES)
    ResultUpload.objects.filter(pk=upload.pk, status=Status.PREVIEW).update(status=Status.CANCELLED)


def results_credits(upload: ResultUpload) -> Decimal:
    """Credits the upload posted (net of the corrections it made)."""
    return upload.entries.total_credits()
