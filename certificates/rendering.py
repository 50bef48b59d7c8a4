"""Certificate PDF rendering with WeasyPrint; fetches nothing but the project's static files."""

import io
import mimetypes
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:"


class StaticOnlyURLFetcher(URLFetcher):
    """Serve data: URLs and our own static files (as static:path); refuse everything else,
    so a name or title in a certificate can never make the worker fetch a remote URL."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_PREFIX):
            try:
                found = finders.find(url.removeprefix(STATIC_PREFIX).lstrip("/"))
            except SuspiciousFileOperation:
                found = None
            if found:
                path = Path(found).resolve()
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": content_type}
                )
        raise ValueError(f"Certificate rendering may not fetch {url!r}")


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
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "certificates/certificate_pdf.html",
            {
                "certificate": certificate,
                "qr_svg": qr_svg(certificate.verify_url),
                "static_prefix": STATIC_PREFIX,
            },
        )
    return HTML(
        string=html, url_fetcher=StaticOnlyURLFetcher(allowed_protocols={"data", "static"})
    ).write_pdf()
