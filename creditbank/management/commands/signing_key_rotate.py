from django.core.management.base import BaseCommand

from creditbank import signing


class Command(BaseCommand):
    help = "Create a new Ed25519 signing key; it signs from now on, old keys keep verifying."

    def handle(self, *args, **options):
        kid = signing.key_create()
        self.stdout.write(f"New signing key {kid} is active. Keep {signing.keys_dir()} safe.")
