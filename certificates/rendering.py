"""Certificate PDF rendering (WeasyPrint through core.pdf) with a QR code to the
verification page."""

from django.conf import settings

from core.pdf import render_pdf
from core.qr import qr_svg


def render_certificate_pdf(certificate) -> bytes:
    return render_pdf(
        "certificates/certificate_pdf.html",
        {"certificate": certificate, "qr_svg": qr_svg(certificate.verify_url)},
        language=settings.LANGUAGE_CODE,
    )
