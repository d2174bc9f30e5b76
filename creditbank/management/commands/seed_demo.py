import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load the Lamphun demo (idempotent). Each app contributes its part in <app>/demo.py."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not list accounts.")

    def handle(self, *args, **options):
        if not settings.DEMO_ALLOWED:
            raise CommandError("Demo data is disabled here (DEMO_ALLOWED is off in production).")
        modules = []
        for config in apps.get_app_configs():
            try:
                modules.append(importlib.import_module(f"{config.name}.demo"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
        with transaction.atomic():
            for module in modules:
                module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Lamphun demo loaded."))
        if not options["quiet_accounts"]:
            from institutions.demo import DEMO_PASSWORD, accounts_summary

            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            for username, description in accounts_summary():
                self.stdout.write(f"  {username:<11} {description}")
