"""Benchmark: milliseconds that PAdES signing adds to one certificate PDF, warm (the signer,
key and signature line already loaded in this process), median of N.

Renders one certificate (PDF/A-3b, a credential attached) with WeasyPrint once, then signs
that PDF N times as certificates.rendering does. Needs no database: the certificate is an
unsaved row. Uses the development key (var/signing, created if missing).

    .venv/bin/python bench/pdf_signing.py            # 50 signatures
    .venv/bin/python bench/pdf_signing.py -n 200
"""

import argparse
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from certificates import rendering
    from certificates.models import Certificate
    from core.pdf import PdfAttachment, render_pdf
    from core.qr import qr_svg
    from core.signing import sign_pdf, signing_level

    call_command("signing_dev_keys", stdout=io.StringIO())
    certificate = Certificate(
        holder_name="Maria Popescu",
        agency_name="Romanian Police",
        course_title="Tracing Bitcoin Transactions",
        hours=Decimal("6.5"),
        completed_at=timezone.now(),
    )
    credential = b'{"@context": ["https://www.w3.org/ns/credentials/v2"]}' * 40
    unsigned = render_pdf(
        "certificates/certificate_pdf.html",
        {"certificate": certificate, "qr_svg": qr_svg(certificate.verify_url)},
        language="en",
        pdf_variant=rendering.PDF_VARIANT,
        attachments=[PdfAttachment("credential.json", credential, "application/ld+json")],
    )
    line = rendering.signature_line(signed_at=timezone.now())

    def sign() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        sign_pdf(unsigned, stamp_text=line, box=rendering.SIGNATURE_BOX, reason="bench")
        return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000

    first, _ = sign()  # loads the key, lays out the signature line
    runs = [sign() for _ in range(args.n)]
    wall = sorted(run[0] for run in runs)
    # CPU time too: on a busy box the wall clock also counts other processes.
    print(
        f"signing level={signing_level()} first_ms={first:.1f} "
        f"warm_median_ms={statistics.median(wall):.1f} "
        f"warm_p90_ms={wall[int(len(wall) * 0.9)]:.1f} "
        f"warm_cpu_median_ms={statistics.median(run[1] for run in runs):.1f} n={args.n}"
    )


if __name__ == "__main__":
    main()
