"""Certificate PDF rendering (WeasyPrint through core.pdf) with a QR code to the
verification page: PDF/A-3b, the Open Badges credential attached, PAdES-signed."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.pdf import PdfAttachment, render_pdf
from core.qr import qr_svg
from core.signing import sign_pdf

PDF_VARIANT = "pdf/a-3b"
CREDENTIAL_NAME = "credential.json"
CREDENTIAL_MIME_TYPE = "application/ld+json"
# The visible signature line, in PDF points from the bottom left of the A4 landscape page:
# inside the border, left of the QR code, below the facts.
SIGNATURE_BOX = (80, 24, 520, 46)


SIGNATURE_LINE = "Digitally signed by %(issuer)s on %(date)s"


def signature_line(*, signed_at: datetime, language: str = "") -> str:
    """The visible signature line in English and, for a holder who reads another language
    it is translated into, a second line in theirs."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Digitally signed by %(issuer)s on %(date)s")
            % {
                "issuer": settings.CERT_ISSUER_NAME,
                "date": date_format(timezone.localtime(signed_at), "j F Y"),
            }
        ]
    if language and language != settings.LANGUAGE_CODE:
        with translation.override(language):
            template = _("Digitally signed by %(issuer)s on %(date)s")
            if template != SIGNATURE_LINE:
                lines.append(
                    template
                    % {
                        "issuer": settings.CERT_ISSUER_NAME,
                        "date": date_format(timezone.localtime(signed_at)),
                    }
                )
    return "\n".join(lines)


def render_certificate_pdf(
    certificate, *, credential_json: bytes | None = None, signed_at: datetime | None = None
) -> bytes:
    """The signed certificate PDF. Signed after WeasyPrint, as an incremental update, so the
    file stays PDF/A-3b; credential_json (the Open Badges credential) is embedded as
    credential.json. signed_at (default now) is the date on the signature line."""
    attachments = []
    if credential_json is not None:
        attachments.append(
            PdfAttachment(
                name=CREDENTIAL_NAME,
                data=credential_json,
                mime_type=CREDENTIAL_MIME_TYPE,
                description="Open Badges 3.0 credential",
                relationship="Data",
            )
        )
    pdf = render_pdf(
        "certificates/certificate_pdf.html",
        {"certificate": certificate, "qr_svg": qr_svg(certificate.verify_url)},
        language=settings.LANGUAGE_CODE,
        pdf_variant=PDF_VARIANT,
        attachments=attachments,
    )
    stamp_text = signature_line(
        signed_at=signed_at or timezone.now(), language=certificate.holder_language
    )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Certificate %(serial)s") % {"serial": certificate.serial}
    return sign_pdf(
        pdf,
        stamp_text=stamp_text,
        box=SIGNATURE_BOX,
        reason=reason,
        location=settings.SITE_URL,
    )
