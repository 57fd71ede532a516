"""The web font: BIZ UDPGothic from @fontsource/biz-udpgothic as woff2 slices, and its metric-matched fallback.

    python tools/webfont.py vendor PACKAGE_DIR OUT_DIR   # what `make vendor` runs
    python tools/webfont.py fallback                     # the overrides in app.css, computed again

`vendor` copies the package's woff2 files of weight 400 (see WEIGHTS; the numbered Japanese slices, latin,
latin-ext, cyrillic, greek-ext: every slice of the family, so any character the TTF covers still comes in
the web font) and writes OUT_DIR/eventapp-gothic.css: the package's @font-face rules, family renamed to
"EventApp Gothic", woff2 only (every browser that has unicode-range has woff2) and font-display: swap.
The browser fetches only the slices whose unicode-range holds a character of the page. The package's
single-file "japanese" subset (1.3 MB) is left out. Same package, same output, byte for byte.

`vendor` also writes OUT_DIR/eventapp-gothic-placeholder.woff2 (13 kB, preloaded by base.html): BIZ UDPGothic
Regular's advance widths and vertical metrics for every character from U+2070 up (kana, kanji, full-width
forms, symbols), and no outlines. No local font stands in for Japanese on a device that has none (this
Linux, a Chromium without CJK fonts), and a device's own CJK font takes other room; with the placeholder,
text waiting for its slice is blank for a moment but already takes the room the slice will draw it in.
Latin waits in Arial or Liberation Sans resized (the overrides in app.css), visible.

`fallback` prints the size-adjust and ascent/descent/line-gap overrides that make a common local font take
the room BIZ UDPGothic takes, from the shipped TTF (eventapp/static/fonts) and the local font's file.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

FAMILY = "EventApp Gothic"
# Regular only: bold text in the web font is BIZ UDPGothic Regular emboldened by the browser. The package's
# 700 slices would double what a page downloads (the form's bold labels alone: 26 slices, 400 kB), past the
# 800 kB budget of a first visit; devices with a Japanese font of their own draw real bold.
WEIGHTS = ("400",)
# swap, not optional: where the slice comes late, optional would keep the placeholder (blank Japanese) for
# the rest of the page on a device without a Japanese font; with the placeholder, swap moves nothing.
FONT_DISPLAY = "swap"
CSS_NAME = "eventapp-gothic.css"
PLACEHOLDER_NAME = "eventapp-gothic-placeholder.woff2"
PLACEHOLDER_FAMILY = "EventApp Gothic Placeholder"
PLACEHOLDER_FROM = 0x2070  # below: Latin, Greek, Cyrillic, general punctuation, drawn by the Latin fallback
ROOT = Path(__file__).resolve().parent.parent
TTF = {"400": ROOT / "eventapp/static/fonts/BIZUDPGothic-Regular.ttf"}

_FACE = re.compile(r"/\* (?P<comment>[^*]*) \*/\s*@font-face \{(?P<body>[^}]*)\}")
_DECL = re.compile(r"\s*(?P<name>[a-z-]+):\s*(?P<value>[^;]+);")
_WOFF2 = re.compile(r"url\(\./files/(?P<file>[A-Za-z0-9_.-]+\.woff2)\) format\('woff2'\)")


def faces(css: str) -> list[dict[str, str]]:
    """The @font-face rules of one of the package's CSS files, as {descriptor: value} (plus 'file')."""
    found = []
    for match in _FACE.finditer(css):
        declarations = {d["name"]: d["value"].strip() for d in _DECL.finditer(match["body"])}
        woff2 = _WOFF2.search(declarations.get("src", ""))
        if woff2 is None:
            raise SystemExit(f"no woff2 source in the rule {match['comment']!r}")
        found.append({**declarations, "file": woff2["file"]})
    return found


def vendor(package: Path, out: Path) -> None:
    rules = []
    files = []
    for weight in WEIGHTS:
        weight_faces = faces((package / f"{weight}.css").read_text(encoding="utf-8"))
        if not weight_faces or any(face["font-weight"] != weight for face in weight_faces):
            raise SystemExit(f"{package / f'{weight}.css'}: expected @font-face rules of weight {weight}")
        for face in weight_faces:
            files.append(face["file"])
            rules.append("@font-face {\n"
                         f"  font-family: \"{FAMILY}\";\n"
                         f"  font-style: {face['font-style']};\n"
                         f"  font-weight: {weight};\n"
                         f"  font-display: {FONT_DISPLAY};\n"
                         f"  src: url(\"{face['file']}\") format(\"woff2\");\n"
                         f"  unicode-range: {face['unicode-range']};\n"
                         "}\n")
    version = _package_version(package)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.woff2"):
        if stale.name not in files and stale.name != PLACEHOLDER_NAME:
            stale.unlink()
    for name in files:
        shutil.copyfile(package / "files" / name, out / name)
    shutil.copyfile(package / "LICENSE", out / "OFL.txt")
    placeholder(TTF["400"], out / PLACEHOLDER_NAME)
    rules.append("@font-face {\n"
                 f"  font-family: \"{PLACEHOLDER_FAMILY}\";\n"
                 "  font-display: block;\n"
                 f"  src: url(\"{PLACEHOLDER_NAME}\") format(\"woff2\");\n"
                 "}\n")
    header = (f"/* BIZ UDPGothic (SIL Open Font License 1.1, OFL.txt) from @fontsource/biz-udpgothic {version},\n"
              f"   as {len(files)} woff2 slices by unicode-range; written by tools/webfont.py, do not edit. */\n")
    (out / CSS_NAME).write_text(header + "".join(rules), encoding="utf-8")
    print(f"{out / CSS_NAME}: {len(files)} slices ({sum((out / name).stat().st_size for name in files) / 1e6:.1f} MB "
          f"in all) and the placeholder ({(out / PLACEHOLDER_NAME).stat().st_size / 1e3:.1f} kB)")


def placeholder(ttf: Path, out: Path) -> None:
    """A font of blank glyphs as wide as `ttf`'s, one per distinct advance width, mapped by a many-to-one
    cmap (format 13) from every character of `ttf` from PLACEHOLDER_FROM up. Same input, same bytes."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    source = TTFont(ttf)
    hmtx, upm = source["hmtx"], source["head"].unitsPerEm
    widths = {cp: hmtx[glyph][0] for cp, glyph in source.getBestCmap().items() if cp >= PLACEHOLDER_FROM}
    names = {width: f"w{width}" for width in sorted(set(widths.values()))}
    builder = FontBuilder(upm, isTTF=True)
    builder.setupGlyphOrder([".notdef", *names.values()])
    builder.setupCharacterMap({})
    notdef = TTGlyphPen(None)  # OTS refuses an empty glyf table: .notdef (never mapped) gets a 1-unit square
    notdef.moveTo((0, 0))
    notdef.lineTo((0, 1))
    notdef.lineTo((1, 1))
    notdef.closePath()
    builder.setupGlyf({".notdef": notdef.glyph(), **{name: TTGlyphPen(None).glyph() for name in names.values()}})
    builder.setupHorizontalMetrics({".notdef": (upm, 0), **{name: (width, 0) for width, name in names.items()}})
    hhea, os2 = source["hhea"], source["OS/2"]
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    builder.setupNameTable({"familyName": PLACEHOLDER_FAMILY, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                     sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent,
                     fsSelection=os2.fsSelection, usWeightClass=400)
    builder.setupPost()
    font = builder.font
    many_to_one = CmapSubtable.newSubtable(13)
    many_to_one.platformID, many_to_one.platEncID, many_to_one.language = 3, 10, 0
    many_to_one.cmap = {cp: names[width] for cp, width in widths.items()}
    font["cmap"].tables = [many_to_one]
    font["head"].created = font["head"].modified = source["head"].modified
    font.recalcTimestamp = False
    font.flavor = "woff2"
    font.save(out)


def _package_version(package: Path) -> str:
    match = re.search(r'"version":\s*"([^"]+)"', (package / "package.json").read_text(encoding="utf-8"))
    return match.group(1) if match else "?"


# --- the metric-matched fallback ------------------------------------------------------------------------

# Latin text as the pages show it: the English catalogue's words and the digits, dates and addresses of both
# languages. Its average advance width sets size-adjust, so a line of it is as long in the fallback.
SAMPLE = ("Register now Joint Exchange Meeting Date and venue Attendance categories Send me my link again "
          "Family name Given name Company or organisation E-mail address Phone number Postcode Thank you "
          "Your registration is confirmed Receipt number Show this ticket at reception Log in Password "
          "Page not found Thu 18 Feb 2027 13:30-17:30 03-1234-5678 135-0064 taro@example.jp 3,000 yen")


def _advance(font, text: str) -> float:
    """Total advance of `text` in font units per em (1.0 = one em), characters the font lacks skipped."""
    cmap, hmtx, upm = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    return sum(hmtx[cmap[ord(ch)]][0] for ch in text if ord(ch) in cmap) / upm


def overrides(target_path: Path, local_path: Path) -> dict[str, str]:
    """The @font-face descriptors that make `local_path` stand in for `target_path`: as wide on SAMPLE,
    and with the target's ascent, descent and line gap (overrides are relative to the adjusted size)."""
    from fontTools.ttLib import TTFont

    target, local = TTFont(target_path), TTFont(local_path)
    sample = "".join(ch for ch in SAMPLE if ord(ch) in target.getBestCmap() and ord(ch) in local.getBestCmap())
    size_adjust = _advance(target, sample) / _advance(local, sample)
    hhea, upm = target["hhea"], target["head"].unitsPerEm

    def pct(value: float) -> str:
        return f"{value * 100:.2f}%"

    return {"size-adjust": pct(size_adjust), "ascent-override": pct(hhea.ascent / upm / size_adjust),
            "descent-override": pct(-hhea.descent / upm / size_adjust),
            "line-gap-override": pct(hhea.lineGap / upm / size_adjust)}


LOCAL_FONTS = {  # the stand-in, as the file to measure it from (metric-compatible fonts share one file)
    "Arial / Liberation Sans": {"400": Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
                                "700": Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")},
}


def fallback() -> None:
    """Both weights of the stand-in against the Regular: the web font's bold is the Regular emboldened,
    which keeps the Regular's advance widths."""
    for name, paths in LOCAL_FONTS.items():
        for weight, path in paths.items():
            if not path.exists():
                print(f"/* {name} {weight}: {path} is missing */")
                continue
            values = overrides(TTF["400"], path)
            print(f"/* {name}, weight {weight} */ " + " ".join(f"{k}: {v};" for k, v in values.items()))


def main(argv: list[str]) -> int:
    if argv[:1] == ["vendor"] and len(argv) == 3:
        vendor(Path(argv[1]), Path(argv[2]))
        return 0
    if argv == ["fallback"]:
        fallback()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
