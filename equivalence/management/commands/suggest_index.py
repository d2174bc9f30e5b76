from django.core.management.base import BaseCommand, CommandError

from equivalence.services import suggestions
from institutions.models import Province


class Command(BaseCommand):
    help = "Rebuild the course-equivalence suggestion index, or show its state."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status"])
        parser.add_argument("--province", help="a province code or slug (default: all)")

    def handle(self, *args, action, province, **options):
        chosen = None
        if province:
            chosen = (
                Province.objects.filter(code=province).first()
                or Province.objects.filter(slug=province).first()
            )
            if chosen is None:
                raise CommandError(f"No province has the code or slug {province}.")
        if action == "rebuild":
            counts = suggestions.suggest_index_rebuild(province=chosen)
            for code, count in counts.items():
                self.stdout.write(f"{code}\t{count} courses indexed")
            self.stdout.write(self.style.SUCCESS(f"Rebuilt {len(counts)} province index(es)."))
            return
        self.stdout.write("province\tcourses\tversion\tbuilt\tupdated\tbytes\tfile")
        for row in suggestions.suggest_index_status():
            if chosen is not None and row["province"] != chosen.code:
                continue
            built = row["built_at"].isoformat(timespec="seconds") if row["built_at"] else "-"
            updated = row["updated_at"].isoformat(timespec="seconds") if row["updated_at"] else "-"
            size = row["bytes"] if row["bytes"] is not None else "missing"
            self.stdout.write(
                f"{row['province']}\t{row['courses']}\t{row['version']}\t{built}\t{updated}"
                f"\t{size}\t{row['file']}"
            )
