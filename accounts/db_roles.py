"""The grants of the runtime database role: normal DML on every table except the audit table,
where it may only INSERT and SELECT, and no DDL anywhere. The owner role (which runs
migrations) keeps the rest. deploy/README.md and the tests both use this SQL."""

import re

from django.db import connection

AUDIT_TABLE = "accounts_auditevent"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def runtime_role_sql(*, role: str, database: str, owner: str) -> list[str]:
    """The statements, run by `owner` in `database`, that give `role` what the application
    needs at run time. Safe to run again (after each migrate, say)."""
    for name in (role, owner):
        if not _ROLE_NAME.match(name):
            raise ValueError(f"{name!r} is not a plain PostgreSQL role name")
    quote = connection.ops.quote_name
    role_q, owner_q, audit_q = quote(role), quote(owner), quote(AUDIT_TABLE)
    return [
        # PostgreSQL 15 already refuses CREATE in public to everyone but its owner; older
        # servers do not.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {role_q}",
        f"GRANT USAGE ON SCHEMA public TO {role_q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role_q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role_q}",
        # The audit table: INSERT and SELECT only (its triggers refuse the rest to the owner).
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit_q} FROM {role_q}",
        # Tables and sequences that later migrations create (as the owner) follow suit.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role_q}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {role_q}",
    ]


def runtime_role_grant(*, role: str, dry_run: bool = False) -> list[str]:
    """Apply runtime_role_sql on the default connection, as its user (the owner), in one
    transaction; with dry_run, only return the statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_user")
        database, owner = cursor.fetchone()
    statements = runtime_role_sql(role=role, database=database, owner=owner)
    if not dry_run:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return statements
