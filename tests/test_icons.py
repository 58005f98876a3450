"""Icons are Streamlit's Material icons, never emoji (issue 15, item 13).

Emoji need an emoji font, which many machines lack (the README's own screenshot showed empty boxes in the
navigation). A scan of every source file of the UI (views/ and app.py): no emoji, and every ``icon=`` /
``page_icon=`` is a ``:material/name:`` shortcode. tests/browser/test_icons_e2e.py checks that they render.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from views.common.links import PAGES

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = sorted([*ROOT.glob("views/**/*.py"), ROOT / "app.py"])
#: Emoji: the pictographic planes, an emoji-presentation selector (U+FE0F) after anything, and the BMP characters
#: that Unicode shows as emoji by default (Emoji_Presentation=Yes in emoji-data.txt). Text symbols such as ★ ✓ ×
#: → are in every text font and stay.
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\ufe0f\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653"
    "\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd"
    "\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55]"
)
MATERIAL = re.compile(r"^:material/[a-z0-9_]+:$")


def test_the_scan_finds_emoji():
    for text in ("🎛️", "📉", "ℹ️", "⚠️", "✅", "❌", "⏱️", "🔗 Share"):
        assert EMOJI.search(text), text
    for text in ("★ best run", "✓", "f − f*", "→", "×"):
        assert not EMOJI.search(text), text


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_emoji_in_the_ui(path):
    found = [(n, line.strip()) for n, line in enumerate(path.read_text().splitlines(), 1) if EMOJI.search(line)]
    assert not found, found


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_icon_is_a_material_icon(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.keyword) and node.arg in ("icon", "page_icon") and isinstance(node.value, ast.Constant):
            assert node.value.value is None or MATERIAL.match(node.value.value), (path.name, node.value.value)


def test_the_page_registry_uses_material_icons():
    for page in PAGES.values():
        assert MATERIAL.match(page.icon), page


def test_the_favicon_is_a_file_of_the_app():
    """Not an emoji (it needs an emoji font) nor a Material icon (Streamlit fetches those favicons from a CDN)."""
    assert 'assets" / "favicon.svg"' in (ROOT / "app.py").read_text()
    assert (ROOT / "assets" / "favicon.svg").read_text().startswith("<svg")
