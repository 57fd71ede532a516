"""Japanese first: every message the code and templates use has a Japanese translation,
with the same placeholders as the English text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_message_has_a_japanese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "--no-location", "--ignore-dirs=.venv node_modules .git instance static",
         "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as handle:
        wanted = {_key(m.id) for m in read_po(handle) if m.id}
    with (ROOT / "eventapp/translations/ja/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = {_key(m.id): m for m in read_po(handle, locale="ja") if m.id}
    untranslated = sorted(i for i in wanted if i not in catalog or not _texts(catalog[i].string) or catalog[i].fuzzy)
    assert untranslated == [], "run `make translations-update` and translate these in the ja catalog"
    broken = sorted(i for i in wanted if any(set(PLACEHOLDER.findall(i)) != set(PLACEHOLDER.findall(text))
                                             for text in _texts(catalog[i].string)))
    assert broken == []


def _key(message_id: str | tuple[str, ...]) -> str:
    """Singular msgid; for plural entries (ngettext) the plural form carries the placeholders too."""
    return message_id if isinstance(message_id, str) else message_id[1]


def _texts(translation: str | tuple[str, ...]) -> list[str]:
    texts = [translation] if isinstance(translation, str) else list(translation)
    return [t for t in texts if t]
