"""Check every stored certificate PDF the way a recipient would. Reads only: no --dry-run.

    manage.py certificates_verify                   every certificate that has a PDF
    manage.py certificates_verify --trust-root PEM  also trust this root (a rotated chain)

For each certificate: its PDF is in default storage, hashes to the SHA-256 on its record
(the one the verify page shows), carries one intact, valid PAdES signature chaining to
CERT_SIGNING_CERT/CERT_SIGNING_CHAIN (or a --trust-root), and an attached credential.json
whose eddsa-rdfc-2022 proof verifies against the published Open Badges keys and which names
this certificate. Prints each failure and exits non-zero when there is one; run it after a
restore (deploy/README.md, "Restore").
"""

from django.core.management.base import BaseCommand, CommandError

from certificates.verification import certificates_check


class Command(BaseCommand):
    help = "Verify every stored certificate PDF: SHA-256, PAdES signature and credential."

    def add_arguments(self, parser):
        parser.add_argument(
            "--trust-root",
            action="append",
            default=[],
            metavar="PEM",
            help="Another certificate to trust as a root (repeatable).",
        )

    def handle(self, *args, trust_root: list[str], **options):
        checked = failed = 0
        for check in certificates_check(extra_roots=tuple(trust_root)):
            checked += 1
            if check.ok:
                continue
            failed += 1
            for problem in check.problems:
                self.stderr.write(
                    f"{check.certificate.serial} r{check.certificate.revision}: {problem}"
                )
        if failed:
            raise CommandError(f"{failed} of {checked} certificates do not verify.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{checked} certificates verify: PDF SHA-256, PAdES signature and credential."
            )
        )
