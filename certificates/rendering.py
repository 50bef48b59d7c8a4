"""Certificate PDF rendering (WeasyPrint through core.pdf): English, and the holder's
language beside it for a ko, th or ro holder, with a QR code to the verification page;
PDF/A-3b with the Open Badges credential attached, then PAdES-signed with a visible line in
the box the template leaves blank."""

from datetime import datetime

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.pdf import PdfAttachment, render_pdf
from core.qr import qr_png_data_uri
from core.signing import sign_pdf

PDF_VARIANT = "pdf/a-3b"
CREDENTIAL_NAME = "credential.json"
CREDENTIAL_MIME_TYPE = "application/ld+json"

# The layout the PDF is drawn with. Bump it when the certificate's look or wording changes:
# certificates rendered before keep their number, so staff can find and reissue them
# (the reissue service takes a template_version). Version 2: bilingual, programme,
# signatory, validity, signature box.
CURRENT_TEMPLATE_VERSION = 2

# Where the visible digital signature line goes: (x1, y1, x2, y2) in PDF points, origin at
# the bottom left of the A4 landscape page (842 x 595). The template leaves it blank;
# certificates/static/certificates/certificate_pdf.css positions .signature-box on it.
SIGNATURE_BOX = (354, 68, 638, 128)

# Holders whose language is printed beside English; any other language gets English only.
BILINGUAL_LANGUAGES = ("ko", "th", "ro")

STYLESHEET = "certificates/certificate_pdf.css"

LABELS = {
    "heading": _("Certificate of completion"),
    "certifies": _("This certifies that"),
    "completed_course": _("has completed the course"),
    "hours": _("Hours"),
    "completed": _("Completed"),
    "valid_until": _("Valid until"),
    "serial": _("Serial number"),
    "revision": _("Revision"),
    "signatory": _("For the programme"),
    "scan": _("Scan to verify"),
}


def certificate_language(certificate) -> str:
    """The second language printed on the certificate, or "" for English only."""
    language = certificate.holder_language
    return language if language in BILINGUAL_LANGUAGES else ""


def format_date(value, language: str) -> str:
    """A date as that language writes it: "4 December 2029" in English, the locale's own
    date format otherwise ("2029년 12월 4일")."""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    with translation.override(language):
        pattern = "j F Y" if language == "en" else get_format("DATE_FORMAT", language)
        return dateformat.format(value, pattern)


def bilingual(english: str, local: str) -> dict:
    # An untranslated string prints once, not twice.
    return {"en": english, "local": local if local != english else ""}


def certificate_texts(certificate) -> dict:
    """Everything printed besides the holder's own fields and the QR code: the labels in
    English and the holder's language, the dates in both, programme and signatory."""
    language = certificate_language(certificate)
    with translation.override("en"):
        english = {key: str(label) for key, label in LABELS.items()}
    if language:
        with translation.override(language):
            local = {key: str(label) for key, label in LABELS.items()}
    else:
        local = english
    labels = {key: bilingual(english[key], local[key]) for key in LABELS}
    dates = {
        "completed": certificate.completed_at,
        "valid_until": certificate.valid_until,
    }
    formatted = {
        key: bilingual(format_date(value, "en"), format_date(value, language or "en"))
        for key, value in dates.items()
        if value is not None
    }
    return {
        "language": language,
        "labels": labels,
        "dates": formatted,
        "programme": settings.CERT_PROGRAMME_NAME,
        "signatory_name": settings.CERT_SIGNATORY_NAME,
        "signatory_title": settings.CERT_SIGNATORY_TITLE,
    }


def certificate_context(certificate) -> dict:
    return {
        **certificate_texts(certificate),
        "certificate": certificate,
        "qr": qr_png_data_uri(certificate.verify_url),
    }


SIGNATURE_LINE = "Digitally signed by %(issuer)s on %(date)s"


def signature_line(*, signed_at: datetime, language: str = "") -> str:
    """The visible signature line in English and, for a holder who reads another language
    it is translated into, a second line in theirs, each date as that language writes it."""
    lines = [
        SIGNATURE_LINE % {"issuer": settings.CERT_ISSUER_NAME, "date": format_date(signed_at, "en")}
    ]
    if language and language != settings.LANGUAGE_CODE:
        with translation.override(language):
            template = gettext("Digitally signed by %(issuer)s on %(date)s")
        if template != SIGNATURE_LINE:
            lines.append(
                template
                % {"issuer": settings.CERT_ISSUER_NAME, "date": format_date(signed_at, language)}
            )
    return "\n".join(lines)


def draw_certificate_pdf(certificate, *, credential_json: bytes | None = None) -> bytes:
    """The certificate as unsigned PDF/A-3b, credential_json (the Open Badges credential)
    embedded as credential.json."""
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
    return render_pdf(
        "certificates/certificate_pdf.html",
        certificate_context(certificate),
        language="en",
        stylesheets=(STYLESHEET,),
        own_defaults=True,
        pdf_variant=PDF_VARIANT,
        attachments=attachments,
    )


def render_certificate_pdf(
    certificate, *, credential_json: bytes | None = None, signed_at: datetime | None = None
) -> bytes:
    """The signed certificate PDF. Signed after WeasyPrint, as an incremental update, so the
    file stays PDF/A-3b. signed_at (default now) is the date on the signature line."""
    pdf = draw_certificate_pdf(certificate, credential_json=credential_json)
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Certificate %(serial)s") % {"serial": certificate.serial}
    return sign_pdf(
        pdf,
        stamp_text=signature_line(
            signed_at=signed_at or timezone.now(), language=certificate.holder_language
        ),
        box=SIGNATURE_BOX,
        reason=reason,
        location=settings.SITE_URL,
    )
