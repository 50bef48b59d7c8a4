"""Signed checkpoints of the audit chain's head, kept outside the database: written by a beat
task (and emailed to staff), and `audit_verify --checkpoint` shows a chain recomputed
without the key, a cut tail and a truncated table."""

import io
import json
from collections.abc import Callable

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.audit import audit_hmac_key, audit_log, row_digest, row_hmac
from accounts.checkpoints import (
    CHECKPOINT_DIR,
    CheckpointError,
    audit_checkpoint_write,
    checkpoint_read,
)
from accounts.models import AuditEvent
from accounts.tasks import audit_checkpoint_task
from tests.polling import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_storage(settings, tmp_path):
    """Checkpoints of this test only (the worker test uses the session's media folder, which
    its worker shares)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def write_rows(count: int) -> list[AuditEvent]:
    return [audit_log(action="test.write", details={"n": number}) for number in range(count)]


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def stored_checkpoints() -> list[str]:
    if not default_storage.exists(CHECKPOINT_DIR):
        return []
    names = []
    for day in default_storage.listdir(CHECKPOINT_DIR)[0]:
        folder = f"{CHECKPOINT_DIR}/{day}"
        names += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
    return sorted(names)


def as_owner(*statements: tuple[str, list]) -> None:
    """What the table's owner can do: switch the append-only triggers off, change rows,
    switch them back on."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks queued in the test's transaction would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def recompute_chain(link: Callable[[AuditEvent, str], str], *, grade_of: int) -> None:
    """Rewrite one row's facts, then recompute every link after it with `link`, as someone
    who can write the table would to hide the change."""
    statements = []
    previous = ""
    for event in AuditEvent.objects.order_by("id"):
        if event.pk == grade_of:
            event.details = {"grade": 100}
        event.prev_hash = previous
        event.row_hash = link(event, previous)
        statements.append(
            (
                "UPDATE accounts_auditevent SET details = %s, prev_hash = %s, row_hash = %s "
                "WHERE id = %s",
                [json.dumps(event.details), event.prev_hash, event.row_hash, event.pk],
            )
        )
        previous = event.row_hash
    as_owner(*statements)


# Writing checkpoints ---------------------------------------------------------------------------


def test_checkpoint_is_the_signed_head_of_the_chain(own_storage):
    *_, head = write_rows(3)
    name = audit_checkpoint_task()
    assert name.startswith(f"{CHECKPOINT_DIR}/")
    assert name.endswith(f"-{head.pk}.json")
    with default_storage.open(name, "rb") as stored:
        document = json.load(stored)
    assert document["checkpoint"]["last_id"] == head.pk
    assert document["checkpoint"]["row_hash"] == head.row_hash
    assert document["checkpoint"]["created_at"].endswith("+00:00")
    assert len(document["signature"]) == 64
    checkpoint = checkpoint_read(name)
    assert (checkpoint.last_id, checkpoint.row_hash) == (head.pk, head.row_hash)


def test_checkpoint_task_run_twice_writes_one_checkpoint(own_storage):
    write_rows(2)
    first = audit_checkpoint_task()
    assert audit_checkpoint_task() == ""  # same head: nothing rewritten
    assert stored_checkpoints() == [first]
    write_rows(1)
    second = audit_checkpoint_task()
    assert stored_checkpoints() == sorted([first, second])


def test_no_checkpoint_of_an_empty_table_or_an_unkeyed_head(own_storage):
    assert audit_checkpoint_task() == ""
    forged = AuditEvent(action="test.unkeyed")
    forged.row_hash = row_digest(forged, "")
    forged.save()
    assert audit_checkpoint_task() == ""
    assert not default_storage.exists(CHECKPOINT_DIR)


def test_checkpoint_is_emailed_to_staff_when_configured(own_storage, settings, mailoutbox):
    *_, head = write_rows(2)
    settings.AUDIT_CHECKPOINT_EMAILS = ["audit@programme.example", "ciso@programme.example"]
    name = audit_checkpoint_task()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["audit@programme.example", "ciso@programme.example"]
    assert message.subject == f"Audit checkpoint: event {head.pk}"
    assert head.row_hash in message.body and name in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == name.rsplit("/", 1)[-1] and mimetype == "application/json"
    with default_storage.open(name, "rb") as stored:
        assert content == stored.read()
    audit_checkpoint_task()
    assert len(mailoutbox) == 1  # nothing new, nothing sent


def test_no_email_when_no_staff_address_is_configured(own_storage, settings, mailoutbox):
    settings.AUDIT_CHECKPOINT_EMAILS = []
    write_rows(1)
    assert audit_checkpoint_task()
    assert mailoutbox == []


def test_beat_schedules_the_checkpoint_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == audit_checkpoint_task.name == "accounts.tasks.audit_checkpoint_task"
    assert entry["schedule"] == settings.AUDIT_CHECKPOINT_SECONDS


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_writes_a_checkpoint_that_audit_verify_accepts(celery_worker):
    *_, head = write_rows(3)
    audit_checkpoint_task.delay()
    found = wait_for(
        lambda: [name for name in stored_checkpoints() if name.endswith(f"-{head.pk}.json")],
        timeout=30,
        interval=0.2,
        message="the worker wrote no checkpoint",
    )
    output = verify("--checkpoint", found[0])
    assert f"event {head.pk} carries its hash and the chain reaches it" in output


# Verifying against a checkpoint ----------------------------------------------------------------


def test_audit_verify_accepts_a_checkpoint_from_storage_or_a_file(own_storage, tmp_path):
    write_rows(3)
    name = audit_checkpoint_write()
    write_rows(2)  # rows after the checkpoint are fine
    assert "event" in verify("--checkpoint", name)
    copy = tmp_path / "checkpoint.json"
    with default_storage.open(name, "rb") as stored:
        copy.write_bytes(stored.read())
    output = verify("--checkpoint", str(copy))
    assert f"audit chain OK: {AuditEvent.objects.count()} rows" in output
    assert "matches" in output


def test_chain_recomputed_without_the_key_fails_against_the_checkpoint(own_storage, settings):
    rows = write_rows(4)
    name = audit_checkpoint_write()
    recompute_chain(row_digest, grade_of=rows[1].pk)
    with pytest.raises(
        CommandError,
        match=f"event {rows[-1].pk} no longer carries the checkpoint's hash: the chain up to it "
        "was rewritten",
    ):
        verify("--checkpoint", name)
    # Without a checkpoint, an all-plain chain reads as legacy links, and audit_verify says so;
    # AUDIT_LEGACY_LAST_ID (0 for a database started keyed) refuses it outright.
    assert "4 unkeyed legacy links" in verify()
    settings.AUDIT_LEGACY_LAST_ID = 0
    with pytest.raises(CommandError, match=f"broken at event {rows[0].pk}: it is an unkeyed"):
        verify()


def test_chain_recomputed_with_another_key_fails_against_the_checkpoint(own_storage):
    rows = write_rows(4)
    name = audit_checkpoint_write()
    wrong = b"a-key-that-is-not-AUDIT_HMAC_KEY-0123456789"
    recompute_chain(lambda event, prev: row_hmac(event, prev, key=wrong), grade_of=rows[1].pk)
    with pytest.raises(CommandError, match="no longer carries the checkpoint's hash"):
        verify("--checkpoint", name)
    with pytest.raises(CommandError, match=f"broken at event {rows[0].pk}: its contents"):
        verify()


def test_newest_rows_deleted_by_the_owner_fail_against_the_checkpoint(own_storage):
    rows = write_rows(5)
    name = audit_checkpoint_write()
    as_owner(("DELETE FROM accounts_auditevent WHERE id >= %s", [rows[3].pk]))
    assert "audit chain OK: 3 rows" in verify()  # what is left still chains...
    with pytest.raises(  # ...but the checkpoint's head is gone
        CommandError,
        match=f"the newest row is event {rows[2].pk}: the rows from event {rows[4].pk} on were "
        r"deleted \(the tail was cut\)",
    ):
        verify("--checkpoint", name)


def test_truncated_table_fails_against_the_checkpoint(own_storage):
    write_rows(3)
    name = audit_checkpoint_write()
    as_owner(("TRUNCATE accounts_auditevent", []))
    assert "audit chain OK: 0 rows" in verify()
    with pytest.raises(CommandError, match="the audit table is empty: it was truncated"):
        verify("--checkpoint", name)


def test_checkpoint_with_a_changed_head_is_refused(own_storage, tmp_path):
    rows = write_rows(4)
    name = audit_checkpoint_write()
    with default_storage.open(name, "rb") as stored:
        document = json.load(stored)
    # Point the checkpoint at an older row, to hide that the tail was cut.
    document["checkpoint"]["last_id"] = rows[1].pk
    document["checkpoint"]["row_hash"] = rows[1].row_hash
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="refused: its signature does not match"):
        verify("--checkpoint", str(forged))


def test_separate_checkpoint_key_signs_and_checks_the_checkpoints(own_storage, settings):
    write_rows(2)
    settings.AUDIT_CHECKPOINT_KEY = "a-separate-checkpoint-key-0123456789abcdef"
    name = audit_checkpoint_write()
    assert "matches" in verify("--checkpoint", name)
    # A checkpoint forged with the chain key alone (held by every web node) does not pass.
    settings.AUDIT_CHECKPOINT_KEY = ""
    with pytest.raises(CheckpointError, match="signature does not match"):
        checkpoint_read(name)
    assert audit_hmac_key()  # the chain key is still there; it is just not the signing key


def test_unknown_checkpoint_name_is_an_error(own_storage):
    with pytest.raises(CommandError, match="no file or stored checkpoint named"):
        verify("--checkpoint", "audit-checkpoints/nowhere.json")
