"""The two database roles: the owner runs migrations; the runtime role, granted by
`audit_db_roles` as deploy/README.md shows, may only INSERT and SELECT audit rows, has normal
DML elsewhere, no DDL anywhere, and the application runs as it."""

import io
import os
import secrets
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.audit import audit_chain_verify, audit_log
from accounts.db_roles import runtime_role_sql
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = "accounts_auditevent"


@pytest.fixture
def runtime_role():
    """A fresh login role, granted exactly as deploy/README.md documents, as the superuser
    that owns the test database's tables; dropped afterwards."""
    name = f"cc_runtime_{uuid.uuid4().hex[:12]}"
    password = secrets.token_urlsafe(24)
    with connection.cursor() as cursor:
        # A utility statement takes no bound parameters: the password goes in as a literal.
        cursor.execute(
            connection.ops.compose_sql(f"CREATE ROLE {name} LOGIN PASSWORD %s", [password])
        )
    out = io.StringIO()
    call_command("audit_db_roles", "--runtime-role", name, stdout=out)
    assert f"granted the runtime role {name}" in out.getvalue()
    yield name, password
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


def connect_as(role: str, password: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        password=password,
        autocommit=True,
    )


def database_url(role: str, password: str) -> str:
    db = connection.settings_dict
    return (
        f"postgres://{role}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


REFUSED = [
    "UPDATE accounts_auditevent SET action = 'x'",
    "DELETE FROM accounts_auditevent",
    "TRUNCATE accounts_auditevent",
    "ALTER TABLE accounts_auditevent DISABLE TRIGGER USER",
    "ALTER TABLE accounts_auditevent ADD COLUMN note text",
    "DROP TRIGGER accounts_auditevent_append_only ON accounts_auditevent",
    "DROP TABLE accounts_auditevent",
    "ALTER TABLE accounts_user ADD COLUMN note text",
    "DROP TABLE django_session",
    "CREATE TABLE public.scratch (id int)",
]


def test_runtime_role_may_only_insert_and_select_audit_rows(runtime_role):
    audit_log(action="test.by_owner")
    with connect_as(*runtime_role) as conn:
        assert conn.execute("SELECT count(*) FROM accounts_auditevent").fetchone() == (1,)
        with conn.transaction(force_rollback=True):
            inserted = conn.execute(
                "INSERT INTO accounts_auditevent (created_at, action, target_type, target_id, outcome, "
                "details, prev_hash, row_hash) "
                "VALUES (now(), 'test.raw', '', '', 'success', '{}', '', '') RETURNING id"
            ).fetchone()
            assert inserted is not None
        refused = {}
        for statement in REFUSED:
            try:
                conn.execute(statement)
            except psycopg.errors.InsufficientPrivilege as exc:
                refused[statement] = str(exc)
        assert list(refused) == REFUSED
        # Refused for want of the privilege, before the append-only trigger is even asked.
        for statement, message in refused.items():
            assert message.startswith(("permission denied", "must be owner")), (statement, message)
        # Everywhere else, normal DML.
        conn.execute("UPDATE accounts_user SET last_login = last_login WHERE false")
        conn.execute("DELETE FROM django_session WHERE false")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.by_owner"]


def test_application_writes_and_checkpoints_audit_rows_as_the_runtime_role(runtime_role, tmp_path):
    first = audit_log(action="test.by_owner")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(*runtime_role),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(tmp_path),
    }
    script = (
        "from accounts.audit import audit_log\n"
        "from accounts.tasks import audit_checkpoint_task\n"
        "audit_log(action='test.by_runtime_role', details={'via': 'manage.py shell'})\n"
        "print('checkpoint:', audit_checkpoint_task())\n"
    )
    wrote = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrote.returncode == 0, wrote.stderr
    checkpoint = wrote.stdout.split("checkpoint: ", 1)[1].strip()
    verified = subprocess.run(
        [sys.executable, "manage.py", "audit_verify", "--checkpoint", checkpoint],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stderr
    assert "audit chain OK: 2 rows (2 keyed with HMAC-SHA256)" in verified.stdout
    written = AuditEvent.objects.get(action="test.by_runtime_role")
    assert written.prev_hash == first.row_hash
    assert checkpoint.endswith(f"-{written.pk}.json")
    assert audit_chain_verify().broken_at is None


def test_audit_db_roles_dry_run_prints_the_grants_without_running_them():
    name = f"cc_runtime_{uuid.uuid4().hex[:12]}"
    out = io.StringIO()
    call_command("audit_db_roles", "--runtime-role", name, "--dry-run", stdout=out)
    sql = out.getvalue()
    assert f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "{AUDIT}" FROM "{name}";' in (
        sql
    )
    assert "granted" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        assert cursor.fetchone() is None


def test_deploy_readme_shows_the_grants_the_command_runs():
    readme = (settings.BASE_DIR / "deploy" / "README.md").read_text()
    statements = runtime_role_sql(role="cryptocops_app", database="cryptocops", owner="cryptocops")
    block = "```sql\n" + "".join(f"{statement};\n" for statement in statements) + "```"
    assert block in readme
