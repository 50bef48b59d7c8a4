"""Verify an Open Badges 3.0 credential or status list file offline: its eddsa-rdfc-2022 proof
against the keys this site publishes (or a given public key), with no network at all.

    manage.py badge_verify credential.json
    manage.py badge_verify credential.json --key issuer-public.pem

Exit status 1 when the proof does not verify. It reads only; there is nothing to dry-run.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.badges.credential import credential_verify
from certificates.badges.keys import load_key_file
from core.jsonld import dataintegrity


class Command(BaseCommand):
    help = "Verify the proof of an Open Badges credential or status list file, offline."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--key", help="a public (or private) Ed25519 PEM to verify with")

    def handle(self, *args, file: str, key: str | None, **options):
        try:
            document = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            if key:
                public_key = load_key_file(key).public_key
                proof = dataintegrity.verify(document, resolve_key=lambda _: public_key)
            else:
                proof = credential_verify(document)
        except (dataintegrity.ProofError, ValueError) as error:
            raise CommandError(f"NOT VERIFIED: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Verified: {document.get('id')} signed by {proof['verificationMethod']} "
                f"at {proof.get('created')}"
            )
        )
        for entry in document.get("credentialStatus") or []:
            self.stdout.write(
                f"Status: {entry.get('statusPurpose')} bit {entry.get('statusListIndex')} "
                f"of {entry.get('statusListCredential')}"
            )
