from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from institutions.models import Province
from reports.models import InspectionRound
from reports.models.rounds import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from reports.services import documents


class Command(BaseCommand):
    help = (
        "Render a province's inspection-round report to a file: PDF, or xlsx when the output "
        "ends in .xlsx. Thai numerals unless --arabic-digits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="Province slug, e.g. lamphun")
        parser.add_argument("--fiscal-year", type=int, required=True, help="B.E., e.g. 2567")
        parser.add_argument("--round", type=int, required=True, choices=[1, 2])
        parser.add_argument("--output", required=True, help="FILE.pdf or FILE.xlsx")
        parser.add_argument("--arabic-digits", action="store_true")

    def handle(self, *args, **options):
        year = options["fiscal_year"]
        if not FISCAL_YEAR_MIN <= year <= FISCAL_YEAR_MAX:
            raise CommandError(
                f"The fiscal year is a Buddhist-era year between {FISCAL_YEAR_MIN} and "
                f"{FISCAL_YEAR_MAX} (got {year})."
            )
        output = Path(options["output"])
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "xlsx"):
            raise CommandError("The output must end in .pdf or .xlsx.")
        province = Province.objects.filter(slug=options["province"]).first()
        if province is None:
            raise CommandError(f"No province {options['province']!r}.")
        round_ = InspectionRound.objects.filter(
            province=province, fiscal_year=year, number=options["round"]
        ).first()
        if round_ is None:
            raise CommandError(
                f"{province.slug} has no round {options['round']} in fiscal year {year}."
            )
        missing = [c.institution.name_th for c in round_.contributions.all() if not c.is_submitted]
        _name, _type, data = documents.render(
            round_, fmt=fmt, thai_digits=not options["arabic_digits"]
        )
        # Written whole to a temporary name first: a failed run leaves no half file.
        partial = output.with_name(output.name + ".partial")
        partial.write_bytes(data)
        partial.replace(output)
        if missing:
            self.stderr.write("Parts not submitted (marked in the report): " + ", ".join(missing))
        self.stdout.write(f"Wrote {output} ({len(data):,} bytes).")
