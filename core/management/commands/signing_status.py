"""Show how certificate PDFs are signed here: key and certificate files, subject, issuer,
expiry, PAdES level (B-B, or B-T with CERT_TSA_URL). Reads only; prints no secret.

    manage.py signing_status
"""

from django.core.management.base import BaseCommand

from core.signing import signing_status


class Command(BaseCommand):
    help = "Show the PDF signing configuration."

    def handle(self, *args, **options):
        for name, value in signing_status().items():
            self.stdout.write(f"{name}: {value}")
