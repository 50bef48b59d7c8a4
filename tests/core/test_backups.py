"""manage.py backup and restore, for real: pg_dump and pg_restore against PostgreSQL, storage
through the Storage API. A backup of officers, completions, signed certificates and audit
rows, restored into a new database and an empty storage folder, passes audit_verify (also
against a checkpoint that came back from storage) and certificates_verify, with every
table's row count unchanged; a damaged backup and a non-empty database are refused."""

import io
import json
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from accounts.checkpoints import audit_checkpoint_write
from accounts.models import AuditEvent, User
from certificates.models import Certificate
from core.backups import BackupError
from core.backups.objects import storage_keys
from core.backups.postgres import client_tool, server_version
from tests.certificates.issuing import issued_certificate
from tests.factories import MembershipFactory, UserFactory, build_course

# Only the round trip commits (pg_dump, another process, sees committed rows only, and the
# default connection moves to the new database); the refusals need the schema alone, which
# the test database has committed, and come before any write.
pytestmark = pytest.mark.django_db


def _server():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


def _drop(name: str) -> None:
    with _server() as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def _drops():
    """Threads dropping restored databases, joined when the session ends. DROP DATABASE
    waits for a checkpoint, which takes seconds on a busy server: the next tests run
    meanwhile."""
    threads: list[threading.Thread] = []
    yield threads
    for thread in threads:
        thread.join()


@pytest.fixture
def fresh_database(_drops):
    """A new, empty database on the test server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with _server() as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    thread = threading.Thread(target=_drop, args=(name,), name=f"drop {name}")
    thread.start()
    _drops.append(thread)


@contextmanager
def connected_to(name: str):
    """The default connection pointed at another database, as Django's test runner points it
    at the test database; pg_dump and pg_restore follow it."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def backup_into(folder: Path) -> Path:
    run("backup", "--output", str(folder))
    (backup,) = [path for path in folder.iterdir() if not path.name.startswith(".")]
    return backup


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_new_database_and_storage_verifies(
    settings, tmp_path, fresh_database
):
    # Given officers of two agencies with signed certificates, their audit rows and a signed
    # checkpoint of the audit chain, all in one storage folder
    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    officers = [MembershipFactory(user=UserFactory()).user for _ in range(3)]
    certificates = [issued_certificate(officer, course) for officer in officers[:2]]
    checkpoint = audit_checkpoint_write()
    before = table_counts()
    assert before["accounts_auditevent"] >= 6 and before["certificates_certificate"] == 2

    # When it is backed up, and restored into an empty database and storage folder
    backup = backup_into(tmp_path / "backups")
    assert AuditEvent.objects.order_by("-id").first().action == "backup.create"
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    with connected_to(fresh_database):
        assert "it would restore" in run("restore", str(backup), "--dry-run")
        assert table_counts() == {} and not list(storage_keys(default_storage))
        assert "Restored" in run("restore", str(backup))

        # Then every table holds the rows it held, plus the restore's own audit row
        assert table_counts() == before | {"accounts_auditevent": before["accounts_auditevent"] + 1}
        assert AuditEvent.objects.order_by("-id").first().action == "backup.restore"
        # the chain verifies, and reaches the checkpoint that came back from storage
        verified = run("audit_verify", "--checkpoint", checkpoint)
        assert "audit chain OK" in verified and "matches" in verified
        # and every certificate's PDF is back, hashing and verifying as issued
        assert "2 certificates verify" in run("certificates_verify")
        restored = Certificate.objects.get(serial=certificates[0].serial)
        assert restored.pdf_sha256 == certificates[0].pdf_sha256

    manifest = json.loads((backup / "manifest.json").read_text())
    keys = {item["key"] for item in manifest["objects"]}
    assert {c.pdf.name for c in certificates} | {checkpoint} <= keys
    assert manifest["migrations"]["accounts"] and manifest["database"]["format"] == "custom"
    assert (backup.stat().st_mode & 0o777) == 0o700


@pytest.fixture
def backup(settings, tmp_path) -> Path:
    """A backup of the (empty) test database and one object."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("exports/report.csv", ContentFile(b"id,name\n1,Kim\n"))
    path = backup_into(tmp_path / "backups")
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    return path


def test_restore_refuses_a_database_that_has_tables(backup):
    with pytest.raises(CommandError, match="is not empty"):
        run("restore", str(backup))

    assert not default_storage.exists("exports/report.csv")


def test_restore_refuses_a_changed_object_before_writing_anything(backup):
    (copy,) = (backup / "objects").glob("*/*")
    copy.write_bytes(b"id,name\n1,Mallory\n")

    with pytest.raises(CommandError, match="do not match its manifest"):
        run("restore", str(backup))

    assert not default_storage.exists("exports/report.csv")


def test_restore_refuses_a_changed_database_dump(backup):
    dump = backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0x01
    dump.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="changed or damaged"):
        run("restore", str(backup))


def test_restore_refuses_a_storage_key_with_other_content(backup):
    default_storage.save("exports/report.csv", ContentFile(b"something else"))

    with pytest.raises(CommandError, match="other content"):
        run("restore", str(backup))

    with default_storage.open("exports/report.csv") as handle:
        assert handle.read() == b"something else"


def test_restore_objects_only_leaves_the_database_and_records_it(backup):
    users = User.objects.count()

    assert "Restored 1 storage objects" in run("restore", str(backup), "--objects-only")

    with default_storage.open("exports/report.csv") as handle:
        assert handle.read() == b"id,name\n1,Kim\n"
    assert User.objects.count() == users
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "backup.restore" and event.details["objects_only"] is True


def test_backup_dry_run_writes_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("a/b.txt", ContentFile(b"12345"))

    assert "1 storage objects (5 bytes)" in run(
        "backup", "--output", str(tmp_path / "b"), "--dry-run"
    )
    assert not (tmp_path / "b").exists()


def test_a_failed_backup_leaves_no_folder_and_records_the_failure(tmp_path):
    # pg_dump connects as a role the server does not have; this process stays connected
    connection.ensure_connection()
    user = connection.settings_dict["USER"]
    connection.settings_dict["USER"] = "no_such_backup_role"
    try:
        with pytest.raises(CommandError, match="pg_dump failed"):
            run("backup", "--output", str(tmp_path / "backups"))
    finally:
        connection.settings_dict["USER"] = user

    assert list((tmp_path / "backups").iterdir()) == []
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.outcome) == ("backup.create", "failure")
    assert "no_such_backup_role" in event.details["error"]


def test_pg_dump_is_the_servers_major_version():
    server = server_version()

    assert client_tool("pg_dump", server=server).major == int(server.split(".")[0])
    with pytest.raises(BackupError, match="postgresql-client-99"):
        client_tool("pg_dump", server="99.1")
