"""QR codes drawn as inline SVG (the ``qrcode`` library, already used for the TOTP set-up):
sharp at any printed size, no image file, no request of its own."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str) -> SafeString:
    """``data`` as an SVG QR code (medium error correction: a poster may be creased or
    stained), hidden from screen readers: the page says the same thing in words."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=4,
    )
    code.add_data(data)
    svg = code.make_image().to_string(encoding="unicode")
    # Sized by the page's CSS, not in millimetres by the library; each module drawn on
    # whole pixels, never blurred at its edges (a code drawn at a fractional scale on a
    # screen, then photographed, is read more surely: tests/e2e/test_poster.py).
    svg = svg.replace(
        "<svg ", '<svg aria-hidden="true" focusable="false" shape-rendering="crispEdges" ', 1
    )
    return mark_safe(svg)  # noqa: S308 - drawn by the library from our own URL
