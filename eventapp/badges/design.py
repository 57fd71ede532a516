"""What goes on a badge, measured to fit: role band, group, company, furigana, name, romaji, QR, serial.

Boxes are in millimetres relative to the label's top-left corner. Every text is fitted to its box
with the print fonts' metrics (text_fit), so the PDF template only places what was decided here. A
character none of the print fonts has prints as 〓 and is one of the badge's warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from eventapp.printing.text_fit import LINE_HEIGHT, FittedText, fit_text, printable
from eventapp.qr import qr_data_uri

ROLE_LABELS = {
    "member": ("会員", "Member"), "exhibitor": ("出展", "Exhibitor"), "speaker": ("発表", "Speaker"),
    "general": ("一般", "Visitor"), "guest": ("来賓", "Guest"), "press": ("報道", "Press"),
    "staff": ("スタッフ", "Staff"),
}
# Band colours (blue attendees, green exhibitors, grey staff: JAPANESE.md) live in badges.css as .c-<role>.


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class DesignGeometry:
    band: Box
    group: Box
    company: Box
    kana: Box
    name: Box
    romaji: Box
    footer: Box
    qr: Box
    sizes: dict[str, float]  # largest font size (mm) per text


CARD = DesignGeometry(  # 91 × 55 mm business card
    band=Box(0, 0, 91, 9), group=Box(3, 10.5, 85, 4.2), company=Box(3, 15, 85, 5.6),
    kana=Box(3, 22.5, 61, 3.6), name=Box(3, 26.3, 61, 12.5), romaji=Box(3, 39.5, 61, 4),
    footer=Box(3, 48.5, 61, 3.5), qr=Box(66, 30, 22, 22),
    sizes={"group": 3.2, "company": 4.6, "kana": 3.0, "name": 10.5, "romaji": 3.3, "footer": 2.4},
)
LARGE = DesignGeometry(  # A6 105 × 148 mm
    band=Box(0, 0, 105, 18), group=Box(6, 23, 93, 7), company=Box(6, 31, 93, 10),
    kana=Box(6, 46, 93, 6), name=Box(6, 52, 93, 22), romaji=Box(6, 75, 93, 7),
    footer=Box(6, 138, 93, 5), qr=Box(30, 88, 45, 45),
    sizes={"group": 5.5, "company": 8.0, "kana": 5.0, "name": 18.0, "romaji": 5.5, "footer": 3.2},
)
DESIGNS = {"card": CARD, "large": LARGE}
MIN_SIZES = {"group": 1.6, "company": 2.0, "kana": 1.6, "name": 3.5, "romaji": 1.6, "footer": 1.4}
MAX_LINES = {"company": 2, "name": 2}


@dataclass(frozen=True)
class BadgeView:
    registration_id: int
    serial: str
    role: str
    role_ja: str
    role_en: str
    qr_uri: str
    texts: dict[str, FittedText]
    warnings: tuple[str, ...] = field(default=())


def build_badge(*, registration_id: int, serial: int, role: str, group: str, company: str, kana: str, name: str,
                romaji: str, footer: str, token: str, design: str) -> BadgeView:
    geometry = DESIGNS[design]
    texts: dict[str, FittedText] = {}
    warnings: list[str] = []
    for key, raw in (("group", group), ("company", company), ("kana", kana), ("name", name),
                     ("romaji", romaji), ("footer", footer)):
        bold = key == "name"
        text, missing = printable(raw, bold=bold)
        if missing:
            warnings.append(f"{key}: {''.join(sorted(set(missing)))} printed as 〓")
        box: Box = getattr(geometry, key)
        texts[key] = fit_text(text, width_mm=box.width, height_mm=box.height, max_size_mm=geometry.sizes[key],
                              min_size_mm=MIN_SIZES[key], max_lines=MAX_LINES.get(key, 1), bold=bold)
        if key in ("name", "company") and texts[key].lines and texts[key].size_mm < MIN_SIZES[key]:
            warnings.append(f"{key}: very long, printed {texts[key].size_mm:.1f} mm high")
    role_ja, role_en = ROLE_LABELS.get(role, (role, role))
    return BadgeView(registration_id=registration_id, serial=f"{serial:04d}", role=role, role_ja=role_ja,
                     role_en=role_en, qr_uri=qr_data_uri(token), texts=texts, warnings=tuple(warnings))


def size_class(size_mm: float) -> str:
    return f"fs{round(size_mm * 100)}"


def geometry_css(design: str, layout_origins: list[tuple[float, float]], label_size: tuple[float, float],
                 page_size: tuple[float, float], sizes_used: set[float]) -> str:
    """CSS for one document: page and label slots, the design's boxes, and the fitted font sizes used."""
    geometry = DESIGNS[design]
    rules = [f".page {{ width: {page_size[0]}mm; height: {page_size[1]}mm; }}",
             f"@page {{ size: {page_size[0]}mm {page_size[1]}mm; margin: 0; }}",
             f".label {{ width: {label_size[0]}mm; height: {label_size[1]}mm; }}"]
    rules += [f".s{i} {{ left: {x}mm; top: {y}mm; }}" for i, (x, y) in enumerate(layout_origins)]
    for key in ("band", "group", "company", "kana", "name", "romaji", "footer", "qr"):
        box: Box = getattr(geometry, key)
        selector = {"band": ".band", "qr": ".qr"}.get(key, f".t-{key}")
        rules.append(f"{selector} {{ left: {box.x}mm; top: {box.y}mm; width: {box.width}mm; height: {box.height}mm; }}")
    rules += [f".{size_class(size)} {{ font-size: {size}mm; line-height: {round(size * LINE_HEIGHT, 3)}mm; }}"
              for size in sorted(sizes_used)]
    return "\n".join(rules)
