"""Check the audit trail's hash chain, oldest row first. Reads only, so it has no --dry-run.

    manage.py audit_verify              print "audit chain OK: N rows"
    manage.py audit_verify --batch 500  read the rows 500 at a time (default 2000)

Exits non-zero, naming the first broken link, when a row was changed or removed.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="Rows read per query.")

    def handle(self, *args, batch: int, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        report = audit_chain_verify(batch=batch)
        if report.broken_at is not None:
            raise CommandError(f"audit chain broken at event {report.broken_at}: {report.reason}")
        self.stdout.write(self.style.SUCCESS(f"audit chain OK: {report.checked} rows"))
