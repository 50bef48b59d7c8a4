"""Load demo agencies and people for trying the site locally; safe to run again.

    manage.py seed_demo            create or refresh the demo data and print the logins
    manage.py seed_demo --dry-run  show what would be created, write nothing

Refuses to run with DEBUG off: demo passwords must never reach a real deployment.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create demo agencies (South Korea, Thailand, Moldova), a trainer, admins and officers."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on (development).")
        with transaction.atomic():
            people = seed_demo()
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for email, role, agency in people:
            self.stdout.write(f"  {email:38} {role:13} {agency}")
        if dry_run:
            self.stdout.write("dry run: nothing was written")
