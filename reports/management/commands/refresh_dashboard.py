from django.core.management.base import BaseCommand, CommandError

from institutions.models import Province
from reports.dashboard.services import summaries_refresh, summaries_refresh_all


class Command(BaseCommand):
    help = "Rebuild the provincial dashboard's summary tables (one province, or every one)."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Province slug; every province when omitted")

    def handle(self, *args, **options):
        slug = options.get("province")
        if not slug:
            count = summaries_refresh_all()
            self.stdout.write(f"Refreshed {count} provinces.")
            return
        province = Province.objects.filter(slug=slug).first()
        if province is None:
            raise CommandError(f"No province {slug!r}.")
        refresh = summaries_refresh(province=province)
        self.stdout.write(f"Refreshed {slug}: {refresh.rows} rows in {refresh.duration_ms} ms.")
