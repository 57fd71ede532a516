"""The obvious way to print badges, for comparison: one HTML document with inline styles for every
position and size, QR codes from the `qrcode` package as PNG data URIs, and one WeasyPrint write_pdf call.

Same texts and font sizes as ours (the BadgeViews from build_badge), same font, same sheet layout."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

import jinja2
import qrcode
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from eventapp.badges.design import DESIGNS, BadgeView
from eventapp.badges.layouts import LayoutSpec
from eventapp.config import PACKAGE_ROOT
from eventapp.printing.text_fit import LINE_HEIGHT

BAND_COLOURS = {"member": "#1f5fbf", "exhibitor": "#17803d", "speaker": "#c2410c", "general": "#0e7490",
                "guest": "#9f1239", "press": "#6b21a8", "staff": "#4b5563"}
FONTS = PACKAGE_ROOT / "static" / "fonts"
BAND_STYLES = {  # the role, its English name and the serial number in the coloured band
    "card": {"role": "left: 3mm; top: 1.4mm; font-size: 5.4mm; line-height: 6mm;",
             "role_en": "margin-left: 2.5mm; font-size: 2.6mm;",
             "serial": "right: 3mm; top: 3.2mm; font-size: 2.6mm; line-height: 3mm;"},
    "large": {"role": "left: 6mm; top: 3mm; font-size: 10mm; line-height: 11mm;",
              "role_en": "display: block; font-size: 3.2mm; line-height: 4mm;",
              "serial": "right: 6mm; top: 6.5mm; font-size: 4mm; line-height: 4.5mm;"},
}

TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>badges</title>
<style>
@font-face { font-family: "Badge Gothic"; src: url("{{ fonts }}/BIZUDPGothic-Regular.ttf"); font-weight: 400; }
@font-face { font-family: "Badge Gothic"; src: url("{{ fonts }}/BIZUDPGothic-Bold.ttf"); font-weight: 700; }
@page { size: {{ spec.page_width_mm }}mm {{ spec.page_height_mm }}mm; margin: 0; }
</style></head>
<body style="margin: 0; font-family: 'Badge Gothic'; color: #111;">
{% for page in pages %}
<div style="position: relative; width: {{ spec.page_width_mm }}mm; height: {{ spec.page_height_mm }}mm; overflow: hidden;{% if not loop.last %} page-break-after: always;{% endif %}">
{% for b, (x, y) in page %}
<div style="position: absolute; left: {{ x }}mm; top: {{ y }}mm; width: {{ spec.label_width_mm }}mm; height: {{ spec.label_height_mm }}mm; overflow: hidden; background: #fff;">
<div style="position: absolute; left: {{ g.band.x }}mm; top: {{ g.band.y }}mm; width: {{ g.band.width }}mm; height: {{ g.band.height }}mm; background: {{ colours[b.role] }}; color: #fff;">
<b style="position: absolute; font-weight: 700; {{ band.role }}">{{ b.role_ja }}<span style="font-weight: 400; {{ band.role_en }}">{{ b.role_en }}</span></b>
<i style="position: absolute; font-style: normal; {{ band.serial }}">No.{{ b.serial }}</i>
</div>
{% for key in keys %}{% set t = b.texts[key] %}{% set box = g[key] %}{% if t.lines %}
<div style="position: absolute; left: {{ box.x }}mm; top: {{ box.y }}mm; width: {{ box.width }}mm; height: {{ box.height }}mm; font-size: {{ t.size_mm }}mm; line-height: {{ t.size_mm * line_height }}mm; white-space: pre;{% if key == 'name' %} font-weight: 700;{% endif %}{% if key == 'footer' %} color: #555;{% endif %}">{{ t.lines|join("\n") }}</div>
{% endif %}{% endfor %}
<img src="{{ qr[b.registration_id] }}" style="position: absolute; left: {{ g.qr.x }}mm; top: {{ g.qr.y }}mm; width: {{ g.qr.width }}mm; height: {{ g.qr.height }}mm;" alt="">
</div>
{% endfor %}
</div>
{% endfor %}
</body></html>
""")


def qr_data_uri(token: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(token).save(buffer)  # the package's defaults: 10 px per module, 4-module border, level M
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def write_naive_sheets(badges: Sequence[BadgeView], tokens: Sequence[str], spec: LayoutSpec, out_path: Path) -> int:
    """All badges in one document, one pass. Returns the page count."""
    geometry = DESIGNS[spec.design]
    qr = {b.registration_id: qr_data_uri(token) for b, token in zip(badges, tokens, strict=True)}
    origins = [spec.origin(i) for i in range(spec.per_page)]
    pages = [list(zip(badges[i:i + spec.per_page], origins, strict=False))
             for i in range(0, len(badges), spec.per_page)]
    html = TEMPLATE.render(pages=pages, spec=spec, g={k: getattr(geometry, k) for k in (
        "band", "group", "company", "kana", "name", "romaji", "footer", "qr")}, keys=(
        "group", "company", "kana", "name", "romaji", "footer"), colours=BAND_COLOURS, band=BAND_STYLES[spec.design], qr=qr, line_height=LINE_HEIGHT,
        fonts=FONTS.as_uri())
    HTML(string=html, base_url=str(PACKAGE_ROOT)).write_pdf(out_path, font_config=FontConfiguration())
    return len(pages)
