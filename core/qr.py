"""QR codes: inline SVG for screens (check-in) and a PNG data URI for certificate PDFs."""

import base64
import io

# qrcode and Pillow are imported by the first code made, not by every web worker's start
# (each gunicorn worker starts again every 1,000 requests; tests/core/test_lazy_imports.py).


def qr_svg(data: str) -> str:
    """The QR code as inline SVG markup (vector, so it stays sharp in print)."""
    import qrcode
    import qrcode.image.svg

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


def qr_matrix(data: str, *, border: int = 2) -> list[list[bool]]:
    """The QR code's modules, quiet zone included (True is dark)."""
    import qrcode

    code = qrcode.QRCode(border=border, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_png_data_uri(data: str) -> str:
    """The QR code as a data: URI of a greyscale PNG, one pixel per module, for PDFs.

    WeasyPrint embeds it as-is, far faster than parsing an SVG of thousands of path
    points; print it with `image-rendering: pixelated` so every module stays a sharp
    square (no interpolation) at any size."""
    from PIL import Image

    matrix = qr_matrix(data)
    size = len(matrix)
    image = Image.frombytes(
        "L", (size, size), bytes(0 if dark else 255 for row in matrix for dark in row)
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
