"""The certificate PDF: English beside the holder's language, programme and signatory,
validity, revision, a QR that decodes, a blank signature box, and what is built once."""

import threading
from collections import Counter
from datetime import UTC, datetime

import pypdfium2
import pytest
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration

import core.pdf_engine
from certificates.rendering import (
    CURRENT_TEMPLATE_VERSION,
    SIGNATURE_BOX,
    format_date,
    render_certificate_pdf,
)
from tests.certificates.pdf import pdf_facts, pdf_font_names
from tests.factories import CertificateFactory


def flat(text: str) -> str:
    """Text as pypdf extracts it, without the spaces it puts between glyph runs."""
    return "".join(text.split())


def certificate(**fields):
    defaults = {
        "holder_name": "Elena Ciobanu",
        "agency_name": "Romanian Police",
        "course_title": "Tracing Funds Across Chains",
        "serial": "CC-2026-0A1B2C3D4E",
    }
    return CertificateFactory.build(**{**defaults, **fields})


def test_korean_holder_gets_english_and_korean_headings_and_the_korean_name():
    cert = certificate(holder_name="김민준", holder_language="ko")
    data = render_certificate_pdf(cert)
    facts = pdf_facts(data)
    text = flat(facts["text"])
    for line in ("Certificate of completion", "This certifies that", "Serial number"):
        assert flat(line) in text
    for line in ("수료증", "다음 사람이", "일련번호", "스캔하여 진위 확인"):
        assert flat(line) in text
    assert "김민준" in text
    assert facts["pages"] == 1 and facts["landscape_a4"]
    assert facts["qr"] == [cert.verify_url]
    # One Korean face for every Korean line and the name: Nanum Myeongjo, not Noto CJK,
    # whose 65,000 glyphs cost several times as much to subset and embed.
    korean_fonts = {name for name in pdf_font_names(data) if "DejaVu" not in name}
    assert len(korean_fonts) == 1 and "NanumMyeongjo" in korean_fonts.pop()


def test_thai_holder_gets_english_and_thai_headings():
    cert = certificate(holder_name="สมชาย ใจดี", holder_language="th")
    data = render_certificate_pdf(cert)
    text = flat(pdf_facts(data)["text"])
    assert flat("Certificate of completion") in text
    # (Headings without sara am: pypdf extracts that vowel as two code points.)
    assert flat("ขอรับรองว่า") in text
    assert flat("สแกนเพื่อตรวจสอบ") in text
    assert flat("สมชาย ใจดี") in text
    assert any(font in name for name in pdf_font_names(data) for font in ("Loma", "Norasi"))


def test_romanian_holder_gets_english_and_romanian_headings():
    cert = certificate(holder_name="Elena Ciobanu-Ștefănescu", holder_language="ro")
    text = flat(pdf_facts(render_certificate_pdf(cert))["text"])
    for line in ("Certificate of completion", "Certificat de absolvire", "Număr de serie"):
        assert flat(line) in text
    assert flat("Elena Ciobanu-Ștefănescu") in text


@pytest.mark.parametrize("language", ["", "en", "de"])
def test_other_holders_get_english_only_and_latin_fonts_only(language):
    data = render_certificate_pdf(certificate(holder_language=language))
    text = flat(pdf_facts(data)["text"])
    assert flat("Certificate of completion") in text
    assert "수료증" not in text and flat("Certificat de absolvire") not in text
    # No CJK or Thai font is opened for a Latin certificate.
    assert all("DejaVu" in name for name in pdf_font_names(data)), pdf_font_names(data)


def test_validity_is_printed_when_the_certificate_expires():
    until = datetime(2029, 12, 4, 12, tzinfo=UTC)
    text = flat(pdf_facts(render_certificate_pdf(certificate(valid_until=until)))["text"])
    assert flat("Valid until") in text
    assert flat("4 December 2029") in text
    korean = certificate(holder_language="ko", valid_until=until)
    assert flat("2029년 12월 4일") in flat(pdf_facts(render_certificate_pdf(korean))["text"])


def test_no_validity_line_without_an_expiry():
    text = flat(pdf_facts(render_certificate_pdf(certificate(valid_until=None)))["text"])
    assert flat("Valid until") not in text


def test_nothing_but_the_certificate_is_printed():
    text = pdf_facts(render_certificate_pdf(certificate()))["text"]
    assert "{" not in text and "%" not in text  # no template comment or tag leaks out


def test_programme_and_signatory_come_from_settings(settings):
    settings.CERT_PROGRAMME_NAME = "Asia-Pacific Crypto Crime Academy"
    settings.CERT_SIGNATORY_NAME = "Dr. Mi-rae Seo"
    settings.CERT_SIGNATORY_TITLE = "Director of Training"
    text = flat(pdf_facts(render_certificate_pdf(certificate()))["text"])
    assert flat("ASIA-PACIFIC CRYPTO CRIME ACADEMY") in text.upper()
    assert flat("Dr. Mi-rae Seo") in text
    assert flat("Director of Training") in text


def test_revision_is_printed_after_the_first():
    assert "Revision" not in pdf_facts(render_certificate_pdf(certificate()))["text"]
    text = flat(pdf_facts(render_certificate_pdf(certificate(revision=3)))["text"])
    assert "Revision" in text
    assert "CC-2026-0A1B2C3D4E3" in text  # the values column: the serial, then revision 3


@pytest.mark.parametrize("language", ["", "ko", "th"])
def test_the_signature_box_is_left_blank(language):
    """Nothing is drawn where the visible signature line goes (SIGNATURE_BOX, points from
    the bottom left), so the signer can stamp it there."""
    cert = certificate(
        holder_name="김민준" if language == "ko" else "Elena Ciobanu",
        holder_language=language,
        valid_until=datetime(2029, 12, 4, tzinfo=UTC),
        revision=2,
    )
    document = pypdfium2.PdfDocument(render_certificate_pdf(cert))
    page = document[0]
    height = page.get_height()
    image = page.render(scale=2).to_pil().convert("L")
    x1, y1, x2, y2 = SIGNATURE_BOX
    box = image.crop((x1 * 2, (height - y2) * 2, x2 * 2, (height - y1) * 2))
    assert box.getextrema() == (255, 255)
    assert 0 < x1 < x2 < page.get_width() and 0 < y1 < y2 < height
    page.close()
    document.close()


def test_dates_are_written_as_each_language_writes_them():
    day = datetime(2029, 12, 4, 9, tzinfo=UTC)
    assert format_date(day, "en") == "4 December 2029"
    assert format_date(day, "ko") == "2029년 12월 4일"
    assert "2029" in format_date(day, "th") and "4" in format_date(day, "th")


def test_fonts_are_subset_with_harfbuzz():
    """WeasyPrint falls back to fontTools (pure Python, many times slower on CJK fonts)
    when libharfbuzz-subset is missing; scripts/ensure-services.sh installs it."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None
    assert harfbuzz.hb_version_atleast(4, 1, 0)  # what WeasyPrint asks before using it


def test_template_version_is_two():
    # Version 2: bilingual, programme, signatory, validity, signature box.
    assert CURRENT_TEMPLATE_VERSION == 2


def test_fetcher_font_configuration_and_stylesheet_are_built_once_per_thread(monkeypatch):
    built = Counter()

    class CountingFetcher(core.pdf_engine.StaticOnlyURLFetcher):
        def __init__(self, *args, **kwargs):
            built["fetcher"] += 1
            super().__init__(*args, **kwargs)

    class CountingFontConfiguration(FontConfiguration):
        def __init__(self, *args, **kwargs):
            built["font_config"] += 1
            super().__init__(*args, **kwargs)

    class CountingCSS(CSS):
        def __init__(self, *args, **kwargs):
            built["stylesheet"] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(core.pdf_engine, "StaticOnlyURLFetcher", CountingFetcher)
    monkeypatch.setattr(core.pdf_engine, "FontConfiguration", CountingFontConfiguration)
    monkeypatch.setattr(core.pdf_engine, "CSS", CountingCSS)
    certificates = [certificate(holder_name=f"Officer {n}") for n in range(3)]
    errors = []

    def render_three():  # a new thread starts with nothing built, like a new worker
        try:
            for cert in certificates:
                render_certificate_pdf(cert)
        except Exception as exc:  # reported below, in the test thread
            errors.append(exc)

    thread = threading.Thread(target=render_three)
    thread.start()
    thread.join()
    assert errors == []
    assert built == {"fetcher": 1, "font_config": 1, "stylesheet": 1}
