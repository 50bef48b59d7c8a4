"""Certificate PDF rendering (WeasyPrint through config.pdf) with a QR code to the
verification page."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings

from config.pdf import render_pdf


def qr_svg(data: str) -> str:
    """The QR code as inline SVG markup (vector, so it stays sharp in print)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def render_certificate_pdf(certificate) -> bytes:
    return render_pdf(
        "certificates/certificate_pdf.html",
        {"certificate": certificate, "qr_svg": qr_svg(certificate.verify_url)},
        language=settings.LANGUAGE_CODE,
    )
