"""QR codes of registration tokens (the token is all a code holds), drawn by zxing-cpp's encoder:
fast enough to draw thousands for a batch of badges (about 0.2 ms each, ten times the pure-Python
`qrcode` package)."""

from __future__ import annotations

import base64
import io

import zxingcpp
from PIL import Image, ImageOps

QUIET_ZONE_MODULES = 4


def qr_image(data: str, *, scale: int = 1) -> Image.Image:
    """Black-on-white QR code (error correction M) with the standard 4-module quiet zone, `scale` px per module."""
    code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]  # a buffer
    height, width = modules.shape or (0, 0)
    image = Image.frombuffer("L", (width, height), modules.tobytes(), "raw", "L", 0, 1)
    image = ImageOps.expand(image, border=QUIET_ZONE_MODULES, fill=255)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    return image


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr_image(data, scale=box_size).save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(data: str) -> str:
    """One pixel per module, for print: the PDF scales it up without smoothing (image-rendering: pixelated)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(data, box_size=1)).decode("ascii")
