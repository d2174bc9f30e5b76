from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from institutions.models import Institution
from learners.models import ResultRow, ResultUpload
from learners.services import results as services


class Command(BaseCommand):
    help = (
        "Import learners' results (.xlsx) for an institution the way the upload page does; "
        "the results then wait for a registrar's approval unless --approve is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="the institution's portal code")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument(
            "--create-learners",
            action="store_true",
            help="register unknown learners (unverified) instead of refusing their rows",
        )
        parser.add_argument(
            "--approve", action="store_true", help="also approve: post the verified entries"
        )
        parser.add_argument("--errors", type=int, default=20, help="how many errors to print")

    def handle(self, *args, file: Path, institution: str, dry_run, errors, **options):
        target = Institution.objects.filter(code__iexact=institution).first()
        if target is None:
            raise CommandError(f"No institution has the code {institution}.")
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        upload = services.results_upload_receive(
            actor=None,
            institution=target,
            data=file.read_bytes(),
            file_name=file.name,
            create_unknown=options["create_learners"],
        )
        if upload.status == ResultUpload.Status.QUEUED:
            upload = services.results_upload_check(upload_id=upload.pk)
        if upload.status == ResultUpload.Status.REFUSED:
            raise CommandError(f"Refused: {upload.message}")
        counts = upload.counts
        keys = ("rows", "new", "correction", "unchanged", "warning", "error", "new_learners")
        self.stdout.write(" ".join(f"{key}={counts.get(key, 0)}" for key in keys))
        for row in ResultRow.objects.filter(upload=upload, status="error")[:errors]:
            for message in row.messages:
                if message["level"] == "error":
                    self.stdout.write(
                        f"row {row.row_number} [{message['column']}]: {message['message']}"
                    )
        if counts.get("error"):
            services.results_upload_cancel(actor=None, upload=upload)
            raise CommandError(f"Refused: {counts['error']} rows have errors; nothing was written.")
        if dry_run:
            services.results_upload_cancel(actor=None, upload=upload)
            self.stdout.write("Dry run: nothing was written.")
            return
        upload = services.results_upload_submit(actor=None, upload=upload)
        if not options["approve"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Submitted upload {upload.pk}: "
                    f"{upload.counts.get('learners_created', 0)} learners registered; "
                    "the results wait for a registrar's approval."
                )
            )
            return
        upload = services.results_upload_approve(actor=None, upload=upload)
        self.stdout.write(
            self.style.SUCCESS(
                f"Approved upload {upload.pk}: {upload.counts.get('posted', 0)} results posted, "
                f"{upload.counts.get('corrected', 0)} corrected, "
                f"{upload.counts.get('unchanged', 0)} already recorded."
            )
        )
