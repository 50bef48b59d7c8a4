"""Create the development Open Badges signing key (Ed25519, PEM) when it is missing.

    manage.py badge_dev_key                 create settings.OB_SIGNING_KEY if missing
    manage.py badge_dev_key --path FILE     create FILE instead (any setting of DEBUG)
    manage.py badge_dev_key --dry-run       say what would be done

An existing file is never overwritten. Without --path it runs only with DEBUG on: a
production key is made and kept by whoever runs the site, not by this command.
`make run` calls it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certificates.badges.keys import load_key_file, signing_key_create


class Command(BaseCommand):
    help = "Create the development Open Badges (Ed25519) signing key if it is missing."

    def add_arguments(self, parser):
        parser.add_argument("--path", help="write the key here instead of OB_SIGNING_KEY")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, path: str | None, dry_run: bool, **options):
        if path is None:
            if not settings.DEBUG:
                raise CommandError("Only with DEBUG on; in production provide OB_SIGNING_KEY.")
            path = settings.OB_SIGNING_KEY
        target = Path(path)
        if target.exists():
            self.stdout.write(f"{target} exists: key {load_key_file(target).key_id}")
            return
        if dry_run:
            self.stdout.write(f"Would create an Ed25519 key at {target}")
            return
        signing_key_create(target)
        key_id = load_key_file(target).key_id
        self.stdout.write(self.style.SUCCESS(f"Created {target}: key {key_id}"))
