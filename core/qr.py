"""QR codes as inline SVG: certificates print them, check-in screens show them."""

import io

import qrcode
import qrcode.image.svg


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
