"""Load the realistic demo data once; a second run changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from members.demo import DEMO_LOGINS, DEMO_PASSWORD
from platform_site import extensions


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # Every installed app's seeder (its AppConfig's demo_seeder), in INSTALLED_APPS order: each
        # builds on the data of the apps below it.
        for seed in extensions.demo_seeders():
            with transaction.atomic():
                seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data is loaded. Demo logins (password: {DEMO_PASSWORD}):"))
        for email, name, what in DEMO_LOGINS:
            self.stdout.write(f"  {email:<24} {name}  — {what}")
