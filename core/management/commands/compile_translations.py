"""Compile the interface translations (locale/*/LC_MESSAGES/django.po) to .mo files.

    manage.py compile_translations            compile what changed
    manage.py compile_translations --dry-run  list what would be compiled

Pure Python (Babel), so a fresh machine needs no gettext tools; make run and make test call it.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                if dry_run:
                    self.stdout.write(f"would compile {po_path}")
                    continue
                with po_path.open("rb") as source:
                    try:
                        catalog = read_po(source, locale=po_path.parts[-3], abort_invalid=True)
                    except Exception as exc:
                        raise CommandError(f"{po_path}: {exc}") from exc
                with mo_path.open("wb") as target:
                    write_mo(target, catalog)
                compiled += 1
        self.stdout.write(self.style.SUCCESS(f"{compiled} catalog(s) compiled"))
