"""Opening the app's pages in Streamlit's AppTest, by their key in the page registry."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from views.common.links import PAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(key: str, timeout: float = 60) -> AppTest:
    """An AppTest of the app that will open page ``key`` on its first run (not run yet).

    Before the first run, ``AppTest.switch_page`` finds a page by its file name only, and every page file is
    called page.py; a real session finds it by the hash of its url_path, which is what is set here."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if PAGES[key].url_path:
        at._page_hash = calc_hash(PAGES[key].url_path)
    return at
