"""Reading a certificate PDF back: page count, text, and the QR code's content."""

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader


def pdf_facts(data: bytes) -> dict:
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=3).to_pil()
    codes = zxingcpp.read_barcodes(image)
    return {
        "pages": len(reader.pages),
        "landscape_a4": abs(width - 841.89) < 2 and abs(height - 595.28) < 2,
        "text": " ".join(p.extract_text() for p in reader.pages),
        "qr": [code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode],
    }


def pdf_font_names(data: bytes) -> set[str]:
    """The base names of the fonts embedded on the first page."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}


HANGUL_FONTS = ("Nanum", "NotoSansCJK", "NotoSerifCJK")
THAI_FONTS = (
    "Loma", "Norasi", "Garuda", "Kinnari", "Laksaman", "Sawasdee", "Tlwg", "Umpush", "Waree",
    "Purisa", "Kinnari", "NotoSansThai", "NotoSerifThai",
)  # fmt: skip


def pdf_all_font_names(data: bytes) -> set[str]:
    """The base names of the fonts embedded on every page."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        names |= {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    return names


def assert_real_glyphs(data: bytes, text: str) -> None:
    """text comes back out of the PDF, and its Korean or Thai letters were set in a font made
    for that script (DejaVu, the Latin default, has neither: they would print as boxes)."""
    # PDFium, not pypdf: pypdf puts Thai tone marks on the wrong consonant.
    document = pypdfium2.PdfDocument(data)
    extracted = " ".join(page.get_textpage().get_text_range() for page in document)
    assert text.replace(" ", "") in extracted.replace(" ", "").replace("\n", ""), extracted
    fonts = {name.replace("-", "").replace(" ", "") for name in pdf_all_font_names(data)}
    if any("\uac00" <= ch <= "\ud7a3" for ch in text):
        assert any(f in name for name in fonts for f in HANGUL_FONTS), fonts
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        assert any(f in name for name in fonts for f in THAI_FONTS), fonts
