"""Load the realistic demo data once; a second run changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from members.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # Each app contributes a seeder, listed in settings from the lowest layer up, so this
        # command imports no app above members.
        for dotted in settings.DEMO_SEEDERS:
            with transaction.atomic():
                import_string(dotted)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data is loaded. Demo logins (password: {DEMO_PASSWORD}):"))
        for email, name, what in DEMO_LOGINS:
            self.stdout.write(f"  {email:<24} {name}  — {what}")
