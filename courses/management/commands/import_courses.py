from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from courses import services
from courses.models import CourseListUpload, UploadRow
from creditbank.thai import academic_year_be
from institutions.models import Institution


class Command(BaseCommand):
    help = "Import an institution's course list (.xlsx) the way the upload page does."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="the institution's portal code")
        parser.add_argument("--academic-year", type=int, default=None, help="B.E., e.g. 2567")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--errors", type=int, default=20, help="how many errors to print")

    def handle(
        self, *args, file: Path, institution: str, academic_year, dry_run, errors, **options
    ):
        target = Institution.objects.filter(code__iexact=institution).first()
        if target is None:
            raise CommandError(f"No institution has the code {institution}.")
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        year = academic_year or academic_year_be(timezone.localdate())
        with transaction.atomic():
            upload = services.course_upload_receive(
                actor=None, institution=target, data=file.read_bytes(), file_name=file.name,
                academic_year=year,
            )  # fmt: skip
        if upload.status == CourseListUpload.Status.QUEUED:
            upload = services.course_upload_check(upload_id=upload.pk)
        if upload.status == CourseListUpload.Status.REFUSED:
            raise CommandError(f"Refused: {upload.message}")
        counts = upload.counts
        keys = ("rows", "new", "changed", "unchanged", "warning", "error")
        self.stdout.write(" ".join(f"{key}={counts.get(key, 0)}" for key in keys))
        for row in UploadRow.objects.filter(upload=upload, status="error")[:errors]:
            for message in row.messages:
                if message["level"] == "error":
                    self.stdout.write(
                        f"row {row.row_number} [{message['column']}]: {message['message']}"
                    )
        if counts.get("error"):
            raise CommandError(f"Refused: {counts['error']} rows have errors; nothing was written.")
        if dry_run:
            services.course_upload_cancel(actor=None, upload=upload)
            self.stdout.write("Dry run: nothing was written.")
            return
        upload = services.course_upload_commit(actor=None, upload=upload)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {upload.counts.get('created', 0)} created, "
                f"{upload.counts.get('updated', 0)} updated."
            )
        )
