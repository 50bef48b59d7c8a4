"""Check the audit trail's chain, oldest row first: every link, and every row's HMAC under
AUDIT_HMAC_KEY. Reads only, so it has no --dry-run.

    manage.py audit_verify                      print "audit chain OK: N rows ..."
    manage.py audit_verify --batch 500          read the rows 500 at a time (default 2000)
    manage.py audit_verify --checkpoint FILE    also check against a signed checkpoint: a
                                                local file, or a name in default storage
                                                (audit-checkpoints/<day>/<time>-<id>.json)

Exits non-zero, naming the first broken link, when a row was changed or removed; with a
checkpoint, also when the checkpoint's row is gone or no longer carries its hash (the tail
was cut, the table truncated, or the chain recomputed without the key), or when the
checkpoint's signature does not match (AUDIT_CHECKPOINT_KEY, else AUDIT_HMAC_KEY).

Unkeyed (plain SHA-256) links written before the chain was keyed are accepted only at the
start of the chain, and only up to AUDIT_LEGACY_LAST_ID when that is set; the report names
them.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import audit_chain_verify
from accounts.checkpoints import CheckpointError, checkpoint_problem, checkpoint_read


class Command(BaseCommand):
    help = "Verify the audit trail's keyed chain, optionally against a signed checkpoint."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="Rows read per query.")
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="A signed checkpoint: a local file or a name in default storage.",
        )

    def handle(self, *args, batch: int, checkpoint: str | None, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        anchor = None
        if checkpoint:
            try:
                anchor = checkpoint_read(checkpoint)
            except CheckpointError as exc:
                raise CommandError(f"checkpoint {checkpoint} refused: {exc}") from exc
            problem = checkpoint_problem(checkpoint=anchor)
            if problem:
                raise CommandError(
                    f"audit chain does not reach the checkpoint of "
                    f"{anchor.created_at.isoformat()} (event {anchor.last_id}): {problem}"
                )
        report = audit_chain_verify(batch=batch)
        if report.broken_at is not None:
            raise CommandError(f"audit chain broken at event {report.broken_at}: {report.reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain OK: {report.checked} rows ({report.keyed} keyed with HMAC-SHA256)"
            )
        )
        if report.legacy:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.legacy} unkeyed legacy links (plain SHA-256, events "
                    f"{report.legacy_first_id} to {report.legacy_last_id}) start the chain: "
                    "written before it was keyed, they are anchored only by a checkpoint taken "
                    "after them or by AUDIT_LEGACY_LAST_ID."
                )
            )
        if anchor is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"checkpoint of {anchor.created_at.isoformat()} matches: event "
                    f"{anchor.last_id} carries its hash and the chain reaches it."
                )
            )
