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
