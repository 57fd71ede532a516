"""The baseline: what a capable engineer writes first. Every badge in one HTML document, one WeasyPrint
write_pdf call, in one process.

Lean markup: a <style> block with a class per box of the design, per font size and per label slot, and
per badge a div with its band, its texts and its QR code; the QR codes are the BadgeViews' own, PNG data
URIs at 1 px per module (eventapp.qr), scaled up without smoothing; the same print font stack
(eventapp.printing.fonts: its @font-face rules and font-family). The texts, their
lines and sizes are ours (the BadgeViews from build_badge), so the two renders differ only in how the
PDF is made: ours cuts the batch into chunks of CHUNK_PAGES pages, renders them in parallel processes
and joins them (eventapp/badges/rendering.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from eventapp.badges.design import DESIGNS, BadgeView
from eventapp.badges.layouts import LayoutSpec
from eventapp.printing.fonts import FONTS, font_face_css
from eventapp.printing.text_fit import LINE_HEIGHT

TEXT_KEYS = ("group", "company", "kana", "name", "romaji", "footer")
BAND_COLOURS = {"member": "#1f5fbf", "exhibitor": "#17803d", "speaker": "#c2410c", "general": "#0e7490",
                "guest": "#9f1239", "press": "#6b21a8", "staff": "#4b5563"}
BAND_STYLES = {  # the role, its English name and the serial number in the coloured band
    "card": {"b": "left: 3mm; top: 1.4mm; font-size: 5.4mm; line-height: 6mm;",
             "span": "margin-left: 2.5mm; font-size: 2.6mm;",
             "i": "right: 3mm; top: 3.2mm; font-size: 2.6mm; line-height: 3mm;"},
    "large": {"b": "left: 6mm; top: 3mm; font-size: 10mm; line-height: 11mm;",
              "span": "display: block; font-size: 3.2mm; line-height: 4mm;",
              "i": "right: 6mm; top: 6.5mm; font-size: 4mm; line-height: 4.5mm;"},
}

TEMPLATE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>badges</title>
<style>
{{ font_css|safe }}
@page { size: {{ spec.page_width_mm }}mm {{ spec.page_height_mm }}mm; margin: 0; }
body { margin: 0; color: #111; }
.page { position: relative; width: {{ spec.page_width_mm }}mm; height: {{ spec.page_height_mm }}mm;
        overflow: hidden; page-break-after: always; }
.page:last-child { page-break-after: auto; }
.label { position: absolute; width: {{ spec.label_width_mm }}mm; height: {{ spec.label_height_mm }}mm;
         overflow: hidden; }
.band, .t, .qr, .band b, .band i { position: absolute; }
.band { color: #fff; }
.band b { font-weight: 700; {{ band.b }} }
.band span { font-weight: 400; {{ band.span }} }
.band i { font-style: normal; {{ band.i }} }
.t { white-space: pre; }
.name { font-weight: 700; }
.footer { color: #555; }
.qr { image-rendering: pixelated; }
{% for key, box in boxes.items() %}
.{{ key }} { left: {{ box.x }}mm; top: {{ box.y }}mm; width: {{ box.width }}mm; height: {{ box.height }}mm; }
{% endfor %}
{% for role, colour in colours.items() %}
.{{ role }} { background: {{ colour }}; }
{% endfor %}
{% for x, y in origins %}
.s{{ loop.index0 }} { left: {{ x }}mm; top: {{ y }}mm; }
{% endfor %}
{% for size in sizes %}
.fs{{ (size * 100)|round|int }} { font-size: {{ size }}mm; line-height: {{ size * line_height }}mm; }
{% endfor %}
</style></head><body>
{% for page in pages %}
<div class="page">
{% for b in page %}
<div class="label s{{ loop.index0 }}"><div class="band {{ b.role }}"><b>{{ b.role_ja }}<span>{{ b.role_en }}</span></b><i>No.{{ b.serial }}</i></div>
{% for key in keys %}{% set t = b.texts[key] %}{% if t.lines %}
<div class="t {{ key }} fs{{ (t.size_mm * 100)|round|int }}">{{ t.lines|join("\\n") }}</div>
{% endif %}{% endfor %}
<img class="qr" src="{{ b.qr_uri }}" alt=""></div>
{% endfor %}
</div>
{% endfor %}
</body></html>
""")


def write_naive_sheets(badges: Sequence[BadgeView], spec: LayoutSpec, out_path: Path) -> int:
    """All badges in one document, one pass. Returns the page count."""
    geometry = DESIGNS[spec.design]
    pages = [badges[i:i + spec.per_page] for i in range(0, len(badges), spec.per_page)]
    html = TEMPLATE.render(
        pages=pages, spec=spec, keys=TEXT_KEYS, band=BAND_STYLES[spec.design], colours=BAND_COLOURS,
        boxes={key: getattr(geometry, key) for key in ("band", *TEXT_KEYS, "qr")},
        origins=[spec.origin(i) for i in range(spec.per_page)], line_height=LINE_HEIGHT,
        sizes=sorted({t.size_mm for b in badges for t in b.texts.values()}), font_css=font_face_css())
    HTML(string=html, base_url=str(FONTS)).write_pdf(out_path, font_config=FontConfiguration())
    return len(pages)
