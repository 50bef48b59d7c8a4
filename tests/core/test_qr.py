"""QR codes for PDFs: a one-pixel-per-module PNG that decodes back to the text."""

import base64
import io

import zxingcpp
from PIL import Image

from core.qr import qr_matrix, qr_png_data_uri

URL = "https://training.example/verify/aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_a/"


def test_png_qr_is_one_pixel_per_module_and_decodes():
    uri = qr_png_data_uri(URL)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.mode == "L"  # greyscale: WeasyPrint embeds it as it is, no conversion
    assert image.size == (len(qr_matrix(URL)),) * 2
    # Scaled up without smoothing, as the PDF prints it (image-rendering: pixelated).
    big = image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)
    assert [code.text for code in zxingcpp.read_barcodes(big)] == [URL]
