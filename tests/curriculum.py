"""The real curriculum (content/) in a test's database, as content_sync leaves it, without
paying for content_sync in every test that wants it (the `curriculum` fixture, conftest.py).

content_sync writes the course one row at a time: about 6 s on an idle machine and 20 s or
more while the suite runs, for each of the twenty-odd tests that read the real course. Once
per test process (`curriculum_snapshot`), the real sync runs on the database as the tests
find it between two tests, in a transaction that is rolled back, and a binary COPY is kept of
every table it filled; each test then loads those rows back in a fraction of a second. The
tests of the import itself (tests/courses/test_sync.py and the others on their own trees)
still run content_sync.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction

from accounts.audit import audit_log
from accounts.models import AuditEvent
from courses.content_cache import content_changed
from courses.pipeline.sync import content_sync


@dataclass(frozen=True)
class CurriculumSnapshot:
    """The rows content_sync wrote, by table, and the details of its audit row."""

    rows: dict[str, bytes]
    audit_details: dict


class SnapshotUnsafe(RuntimeError):
    """The rows cannot be copied faithfully (see the message)."""


def curriculum_snapshot_take() -> CurriculumSnapshot:
    """Run the real content_sync and copy what it wrote, then roll it back."""
    audit_table = AuditEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        before = _row_counts(cursor)
        content_sync(root=settings.CONTENT_DIR)
        after = _row_counts(cursor)
        # Rows added to tables that already held some could not be told apart from those:
        # say so rather than copy half the import. The audit row is written afresh on each
        # load instead (the audit trail is a hash chain: a copied row would break it).
        grown = [t for t in after if before[t] and after[t] != before[t] and t != audit_table]
        if grown:
            raise SnapshotUnsafe(f"content_sync added rows to tables already in use: {grown}")
        rows = {}
        for table in after:
            if after[table] and not before[table] and table != audit_table:
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                    rows[table] = b"".join(bytes(block) for block in copy)
        audit = AuditEvent.objects.filter(action="content.sync").order_by("-pk").first()
        transaction.set_rollback(True)
    return CurriculumSnapshot(rows=rows, audit_details=audit.details if audit else {})


def curriculum_load(snapshot: CurriculumSnapshot) -> None:
    """Load the snapshot into this test's database, as content_sync would have left it."""
    with transaction.atomic(), connection.cursor() as cursor:
        occupied = []
        for table in snapshot.rows:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608 - table names
            if cursor.fetchone()[0]:
                occupied.append(table)
        if occupied:
            raise SnapshotUnsafe(f"load the curriculum before anything of its own: {occupied}")
        # The rows are consistent already: no user trigger or foreign-key check while they are
        # copied in (as the flush between transactional tests runs), then back to normal for
        # the rest of the test.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, rows in snapshot.rows.items():
            with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(rows)
        cursor.execute("SET LOCAL session_replication_role = origin")
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
        if snapshot.audit_details:
            audit_log(action="content.sync", details=snapshot.audit_details)
        # What content_sync does last: pages cache nothing from before the import.
        content_changed()
        transaction.on_commit(content_changed, robust=True)


def _row_counts(cursor) -> dict[str, int]:
    """Rows per table."""
    counts = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - table names
        counts[table] = cursor.fetchone()[0]
    return counts
