"""Create the development PDF signing keys when they are missing (DEBUG only).

    manage.py signing_dev_keys            create them if CERT_SIGNING_KEY/CERT defaults are absent
    manage.py signing_dev_keys --dry-run  say what it would do

Writes a self-signed development root CA and an EC P-256 signing certificate issued by it at
the configured paths (var/signing/ by default). A second run does nothing. With DEBUG off it
creates nothing: production keys come from the environment (see README, "Certificates and
credentials"). make run, make test and the test suite call it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.signing import signing_status
from core.signing.keys import dev_keys_create


class Command(BaseCommand):
    help = "Create the development PDF signing root and certificate if they are missing."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        key, cert = settings.CERT_SIGNING_KEY, settings.CERT_SIGNING_CERT
        if key and cert and Path(key).exists() and Path(cert).exists():
            self.stdout.write(f"Signing key and certificate present: {cert}")
            return
        if not settings.DEBUG:
            raise CommandError(
                "DEBUG is off: development keys are not created. Set CERT_SIGNING_KEY and "
                "CERT_SIGNING_CERT to the production key and certificate (PEM files)."
            )
        if not key or not cert:
            raise CommandError("CERT_SIGNING_KEY and CERT_SIGNING_CERT must name files.")
        root = settings.CERT_SIGNING_CHAIN or str(Path(cert).with_name("dev-root-cert.pem"))
        if dry_run:
            self.stdout.write(f"Would create {key}, {cert} and the development root {root}")
            return
        created = dev_keys_create(key_path=Path(key), cert_path=Path(cert), root_path=Path(root))
        if created:
            status = signing_status()
            self.stdout.write(
                self.style.SUCCESS(f"Created the development signing certificate {cert}")
            )
            self.stdout.write(f"  subject: {status['subject']}\n  issuer:  {status['issuer']}")
        else:
            self.stdout.write(f"Signing key and certificate present: {cert}")
