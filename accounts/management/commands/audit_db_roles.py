"""Grant the runtime database role its privileges; run as the owner role (the one that runs
migrations), after creating the runtime role and after each migrate.

    manage.py audit_db_roles --runtime-role cryptocops_app            grant, print the SQL
    manage.py audit_db_roles --runtime-role cryptocops_app --dry-run  print the SQL only

The runtime role gets SELECT, INSERT, UPDATE and DELETE on every table, except the audit
table (INSERT and SELECT only), USAGE on the sequences, and no DDL anywhere. PostgreSQL only.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.db_roles import runtime_role_grant


class Command(BaseCommand):
    help = "Grant the runtime database role: DML, but only INSERT and SELECT on the audit table."

    def add_arguments(self, parser):
        parser.add_argument("--runtime-role", required=True, help="The runtime role's name.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the SQL without running it."
        )

    def handle(self, *args, runtime_role: str, dry_run: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL only.")
        try:
            with transaction.atomic():
                statements = runtime_role_grant(role=runtime_role, dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for statement in statements:
            self.stdout.write(f"{statement};")
        if not dry_run:
            self.stdout.write(self.style.SUCCESS(f"granted the runtime role {runtime_role}"))
