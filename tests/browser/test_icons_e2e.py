"""Material icons render as icons in a real Chromium without any emoji font (issue 15, item 13).

An unknown icon name would show as its name spelled out; an emoji would need an emoji font (Debian's headless
Chromium here has none, like many school machines). Every icon on every page must be a glyph about as wide as
it is tall.
"""

from __future__ import annotations

import pytest

from views.common.links import PAGES

pytestmark = pytest.mark.browser

CHARTS = {"playground": 3, "lessons": 1, "sweep": 4, "maps": 2}


@pytest.mark.parametrize("key", list(PAGES))
def test_every_icon_is_a_glyph(tab, key):
    tab.open("/" + PAGES[key].url_path, charts=CHARTS[key])
    icons = tab.page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stIconMaterial"]')).map(e => {
            const r = e.getBoundingClientRect();
            return {name: e.textContent, width: r.width, height: r.height, font: getComputedStyle(e).fontFamily};
        })"""
    )
    names = [i["name"] for i in icons]
    nav = [PAGES[k].icon.split("/")[1].rstrip(":") for k in PAGES]
    assert all(name in names for name in nav), (nav, names)  # the navigation's four icons
    for icon in icons:
        if icon["width"] == 0:  # in a closed expander or popover
            continue
        assert "Material" in icon["font"], icon
        assert icon["width"] <= 1.6 * icon["height"], icon  # a glyph, not the name spelled out
    assert tab.exceptions() == [] and tab.errors == []
