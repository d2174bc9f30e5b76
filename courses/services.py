"""Course-list uploads and course approval.

An upload goes: ``course_upload_receive`` (file checks, hash, row kept) → the Celery task runs
``course_upload_check`` (parse and validate every row, store the preview) → the user confirms →
``course_upload_commit`` writes everything in one transaction. Re-sending the same file finds
every row unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
from itertools import chain, islice

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.spreadsheets import (
    HEADER_SCAN_ROWS,
    SpreadsheetRefused,
    check_upload,
    find_header,
    iter_first_sheet,
)

from . import bulk
from .importer import COLUMNS, ExistingCourses, RowChecker
from .models import Course, CourseListUpload, UploadRow
from .signals import send_courses_changed

Status = CourseListUpload.Status


class CourseError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@transaction.atomic
def course_upload_receive(
    *, actor, institution, data: bytes, file_name: str, academic_year: int
) -> CourseListUpload:
    """Keep the file and queue its check. A file refused outright is kept as refused."""
    digest = hashlib.sha256(data).hexdigest()
    upload = CourseListUpload(
        institution=institution,
        uploaded_by=actor,
        file_name=file_name[:255],
        sha256=digest,
        academic_year=academic_year,
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
    from .tasks import course_upload_check_task

    transaction.on_commit(lambda: course_upload_check_task.delay(upload.pk))
    return upload


def _progress(upload, percent, message=""):
    CourseListUpload.objects.filter(pk=upload.pk).update(progress=percent, message=message)


def course_upload_check(*, upload_id: int) -> CourseListUpload:
    """Parse and validate every row; store the preview. Idempotent.

    Rows stream from the sheet through validation and comparison into the stored preview in
    batches, so memory stays flat however long the file; one transaction holds the lock on the
    upload, and a refusal (or any failure) leaves no preview row behind.
    """
    with transaction.atomic():
        upload = CourseListUpload.objects.select_for_update().get(pk=upload_id)
        if upload.status not in (Status.QUEUED, Status.CHECKING):
            return upload
        upload.status = Status.CHECKING
        upload.save(update_fields=["status"])
    _progress(upload, 5, _("Reading the workbook"))
    try:
        with upload.file.open("rb") as handle:
            sheet = iter_first_sheet(handle.read())
        _progress(upload, 30, _("Checking every row"))
        with transaction.atomic():
            upload = CourseListUpload.objects.select_for_update().get(pk=upload_id)
            if upload.status != Status.CHECKING:
                return upload
            counts = _check_and_store(upload, sheet)
            CourseListUpload.objects.filter(pk=upload.pk).update(
                status=Status.PREVIEW, counts=counts, progress=100, message=""
            )
    except SpreadsheetRefused as refused:
        CourseListUpload.objects.filter(pk=upload.pk).update(
            status=Status.REFUSED, message=str(refused.message), progress=100
        )
    upload.refresh_from_db()
    return upload


def _check_and_store(upload, sheet) -> dict:
    """Validate, compare and store every row of ``sheet`` (an iterator). Returns the counts."""
    UploadRow.objects.filter(upload=upload).delete()
    head = list(islice(sheet, HEADER_SCAN_ROWS))
    header_index, mapping = find_header(head, COLUMNS)
    checker = RowChecker(mapping, institution=upload.institution, default_year=upload.academic_year)
    existing = ExistingCourses(upload.institution)
    body = chain(head[header_index + 1 :], sheet)
    counts: dict[str, int] = {"rows": 0}
    existing.load([upload.academic_year])
    with bulk.PreviewWriter(upload.pk) as writer:
        for batch in bulk.chunks(checker.results(body, first_row=header_index + 2)):
            if existing.missing_years(batch):
                writer.pause()  # the connection is needed for a query
            existing.mark(batch)
            writer.write(batch)
            counts["rows"] += len(batch)
            for result in batch:
                status = result.status
                counts[status] = counts.get(status, 0) + 1
                if result.change and status == "warning":
                    counts[result.change] = counts.get(result.change, 0) + 1
    if not counts["rows"]:
        raise SpreadsheetRefused(_("The sheet has a header row but no courses under it."), "empty")
    return counts


@transaction.atomic
def course_upload_commit(*, actor, upload: CourseListUpload) -> CourseListUpload:
    """Write every new and changed row in one transaction; the courses become submitted.

    The writes and their history rows are bulk statements (see ``courses.bulk``): a constant
    number of queries on PostgreSQL whatever the size of the file.
    """
    upload = CourseListUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status == Status.COMMITTED:
        return upload
    if upload.status != Status.PREVIEW:
        raise CourseError(
            _("This upload cannot be imported (status: %(s)s).")
            % {"s": upload.get_status_display()}
        )
    if upload.counts.get("error"):
        raise CourseError(_("Correct the rows with errors and upload the file again."))
    now = timezone.now()
    created, updated = bulk.apply_upload(upload, actor=actor, now=now)
    upload.status = Status.COMMITTED
    upload.committed_at = now
    upload.counts = {**upload.counts, "created": len(created), "updated": len(updated)}
    upload.save(update_fields=["status", "committed_at", "counts"])
    send_courses_changed([*created, *updated], reason="imported")
    return upload


@transaction.atomic
def course_upload_cancel(*, actor, upload: CourseListUpload) -> None:
    CourseListUpload.objects.filter(pk=upload.pk, status=Status.PREVIEW).update(
        status=Status.CANCELLED
    )


def _review(actor, courses, *, status, comment):
    courses = list(
        Course.objects.select_for_update().filter(
            pk__in=[c.pk for c in courses], status=Course.Status.SUBMITTED
        )
    )
    now = timezone.now()
    for course in courses:
        course.status = status
        course.review_comment = comment
        course.reviewed_by = actor
        course.reviewed_at = now
        course._history_user = actor
        course.save(
            update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"]
        )
    send_courses_changed([c.pk for c in courses], reason="reviewed")
    return len(courses)


@transaction.atomic
def courses_approve(*, actor, courses, comment: str = "") -> int:
    """Approve submitted courses (one or many). Already-approved ones are left alone."""
    return _review(actor, courses, status=Course.Status.APPROVED, comment=comment)


@transaction.atomic
def courses_return(*, actor, courses, comment: str) -> int:
    """Send submitted courses back to the institution as drafts, saying why."""
    if not comment.strip():
        raise CourseError(_("Say what needs to change before returning courses."))
    return _review(actor, courses, status=Course.Status.DRAFT, comment=comment)


@transaction.atomic
def course_retire(*, actor, course: Course) -> Course:
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status != Course.Status.RETIRED:
        course.status = Course.Status.RETIRED
        course._history_user = actor
        course.save(update_fields=["status", "updated_at"])
        send_courses_changed([course.pk], reason="retired")
    return course
