"""The print fonts: one stack for every PDF (badges, tickets, and the booklet and maps to come).

A character prints in the first font of STACK that has it: BIZ UDPGothic (everything Japanese up to
JIS X 0213, Latin), then Noto Sans JP (the same Gothic style; ideographs beyond JIS X 0213 such as 𠮷),
then Noto Emoji (monochrome, so it prints on any printer). A character none of them has is printed as 〓
and reported (text_fit.printable). The measurement (text_fit), the 〓 decision and the PDF engine
(render: its @font-face rules and its Fontconfig, which knows these fonts and no system font) all read
this module, so what is measured is what prints, on any machine.

BIZ UDPGothic is kept in the repository (static/fonts); the two fallbacks come from npm packages
(package.json) and `make vendor` copies them, with their licences, to static/vendor/fonts. All are
under the SIL Open Font License 1.1."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from eventapp.config import PACKAGE_ROOT

FONTS = PACKAGE_ROOT / "static" / "fonts"  # in the repository
VENDOR_FONTS = PACKAGE_ROOT / "static" / "vendor" / "fonts"  # from npm, by `make vendor`
FONT_DIRS = (FONTS, VENDOR_FONTS)


@dataclass(frozen=True)
class PrintFont:
    family: str  # the name print CSS knows it by
    regular: Path
    bold: Path

    def file(self, bold: bool) -> Path:
        return self.bold if bold else self.regular


GOTHIC = PrintFont("EventApp Gothic", FONTS / "BIZUDPGothic-Regular.ttf", FONTS / "BIZUDPGothic-Bold.ttf")
CJK = PrintFont("EventApp CJK", VENDOR_FONTS / "NotoSansJP_400Regular.ttf", VENDOR_FONTS / "NotoSansJP_700Bold.ttf")
EMOJI = PrintFont("EventApp Emoji", VENDOR_FONTS / "NotoEmoji_400Regular.ttf", VENDOR_FONTS / "NotoEmoji_700Bold.ttf")
STACK: tuple[PrintFont, ...] = (GOTHIC, CJK, EMOJI)

# Print templates wrap text that a fallback font prints in a span of this class (render.print_text), whose
# line-height 0 keeps that font's taller ascent and descent from moving the line: a line with 𠮷 or an
# emoji sits where the same line without them would, inside the box text_fit fitted it to.
FALLBACK_CLASS = "print-fallback"

# Generic names a stylesheet might use, and the one Pango asks for emoji sequences ("emoji"): all of
# them mean the stack, in its order, so no text ever depends on which fonts a machine has.
GENERIC_FAMILIES = ("emoji", "sans-serif", "serif", "monospace", "system-ui")


class MissingFonts(RuntimeError):
    """A font of the stack is not where it should be (a checkout without `make vendor`)."""


def check_installed() -> None:
    missing = [str(path) for font in STACK for path in (font.regular, font.bold) if not path.is_file()]
    if missing:
        raise MissingFonts("print fonts missing (run `make vendor`): " + ", ".join(missing))


def font_family_css() -> str:
    """The CSS font-family value of the stack."""
    return ", ".join(f'"{font.family}"' for font in STACK)


def font_face_css() -> str:
    """@font-face rules for every font of the stack, and the stack as the documents' font."""
    check_installed()
    rules = [f'@font-face {{ font-family: "{font.family}"; src: url("{font.file(bold).as_uri()}"); '
             f"font-weight: {700 if bold else 400}; }}"
             for font in STACK for bold in (False, True)]
    rules.append(f"html {{ font-family: {font_family_css()}; }}")
    rules.append(f".{FALLBACK_CLASS} {{ line-height: 0; }}")
    return "\n".join(rules)


def selects_no_font(char: str) -> bool:
    """Characters that take the font of the text around them instead of choosing one (as Pango itemizes:
    spaces, controls, format characters such as the zero-width joiner inside 👨‍👩‍👧 and tag characters,
    variation selectors such as U+FE0F and the ideographic ones after a kanji). They need no glyph of
    their own: they are never printed as 〓."""
    category = unicodedata.category(char)
    code = ord(char)
    if category == "Cf":
        return not (0x600 <= code <= 0x6FF or code in (0x70F, 0x8E2))  # Arabic marks that are visible
    return (category in ("Cc", "Cs", "Zl", "Zp") or (category == "Zs" and code != 0x1680)  # not OGHAM SPACE MARK
            or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)
