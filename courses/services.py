"""Course-list uploads and course approval.

An upload goes: ``course_upload_receive`` (file checks, hash, row kept) → the Celery task runs
``course_upload_check`` (parse and validate every row, store the preview) → the user confirms →
``course_upload_commit`` writes everything in one transaction. Re-sending the same file finds
every row unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from creditbank.db import insert_rows
from creditbank.spreadsheets import SpreadsheetRefused, check_upload, read_first_sheet

from .importer import COMPARED_FIELDS, compare_with_existing, validate_rows
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
    """Parse and validate every row; store the preview. Idempotent."""
    with transaction.atomic():
        upload = CourseListUpload.objects.select_for_update().get(pk=upload_id)
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
            rows, institution=upload.institution, default_year=upload.academic_year
        )
        if not results:
            raise SpreadsheetRefused(
                _("The sheet has a header row but no courses under it."), "empty"
            )
        _progress(upload, 70, _("Comparing with the courses already registered"))
        compare_with_existing(results, upload.institution)
    except SpreadsheetRefused as refused:
        CourseListUpload.objects.filter(pk=upload.pk).update(
            status=Status.REFUSED, message=str(refused.message), progress=100
        )
        upload.refresh_from_db()
        return upload
    counts = {"rows": len(results)}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        if result.change and result.status == "warning":
            counts[result.change] = counts.get(result.change, 0) + 1
    with transaction.atomic():
        UploadRow.objects.filter(upload=upload).delete()
        insert_rows(
            UploadRow,
            ["upload_id", "row_number", "status", "data", "messages", "change"],
            ((upload.pk, r.row_number, r.status, r.data, r.messages, r.change) for r in results),
        )
        CourseListUpload.objects.filter(pk=upload.pk).update(
            status=Status.PREVIEW, counts=counts, progress=100, message=""
        )
    upload.refresh_from_db()
    return upload


def _course_values(data: dict) -> dict:
    values = {name: data.get(name) for name in COMPARED_FIELDS}
    values["credits"] = Decimal(str(data.get("credits") or "0"))
    for name in ("name_en", "subject_group", "course_type", "occupational_field", "term",
                 "description", "learning_outcomes"):  # fmt: skip
        values[name] = values[name] or ""
    return values


@transaction.atomic
def course_upload_commit(*, actor, upload: CourseListUpload) -> CourseListUpload:
    """Write every new and changed row in one transaction; the courses become submitted."""
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
    rows = list(upload.rows.exclude(change="unchanged").values_list("data", "change"))
    existing = {
        (c.code, c.academic_year): c
        for c in Course.objects.filter(
            institution=upload.institution,
            academic_year__in={d["academic_year"] for d, _c in rows},
            code__in={d["code"] for d, _c in rows},
        )
    }
    to_create, to_update = [], []
    now = timezone.now()
    for data, _change in rows:
        values = _course_values(data)
        course = existing.get((data["code"], data["academic_year"]))
        if course is None:
            to_create.append(
                Course(
                    institution=upload.institution,
                    code=data["code"],
                    academic_year=data["academic_year"],
                    status=Course.Status.SUBMITTED,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
        else:
            for name, value in values.items():
                setattr(course, name, value)
            if course.status in (Course.Status.APPROVED, Course.Status.DRAFT):
                course.status = Course.Status.SUBMITTED  # a changed course is reviewed again
            course.updated_at = now
            to_update.append(course)
    created_ids = _create_with_history(to_create, actor=actor, when=now) if to_create else []
    if to_update:
        bulk_update_with_history(
            to_update, Course, [*COMPARED_FIELDS, "status", "updated_at"], batch_size=2000,
            default_user=actor,
        )  # fmt: skip
    upload.status = Status.COMMITTED
    upload.committed_at = now
    upload.counts = {**upload.counts, "created": len(to_create), "updated": len(to_update)}
    upload.save(update_fields=["status", "committed_at", "counts"])
    send_courses_changed([*created_ids, *(c.pk for c in to_update)], reason="imported")
    return upload


def _create_with_history(courses: list[Course], *, actor, when) -> list[int]:
    """New courses and their first history rows, written with COPY where the database has it.

    Returns the new courses' primary keys.
    """
    fields = [f for f in Course._meta.concrete_fields if not f.primary_key]
    columns = [f.attname for f in fields]
    insert_rows(Course, columns, ([getattr(c, name) for name in columns] for c in courses))
    institution_id = courses[0].institution_id
    wanted = {(c.code, c.academic_year) for c in courses}
    ids = {
        (code, year): pk
        for code, year, pk in Course.objects.filter(
            institution_id=institution_id, academic_year__in={y for _c, y in wanted}
        ).values_list("code", "academic_year", "pk")
        if (code, year) in wanted
    }
    History = Course.history.model
    tracked = [
        f.attname
        for f in History._meta.concrete_fields
        if not f.name.startswith("history_") and f.attname != "id"
    ]
    history_columns = ["id", *tracked, "history_date", "history_change_reason", "history_type",
                       "history_user_id"]  # fmt: skip
    actor_id = actor.pk if actor else None
    insert_rows(
        History,
        history_columns,
        (
            [
                ids[(c.code, c.academic_year)],
                *[getattr(c, name) for name in tracked],
                when,
                None,
                "+",
                actor_id,
            ]
            for c in courses
        ),
    )
    return list(ids.values())


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
