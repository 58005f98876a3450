"""Opening the app's pages in Streamlit's AppTest, by their key in the page registry."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from views.common import live, live_payload
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


def charts(at: AppTest) -> list[dict]:
    """Every chart's figure spec on the page, in page order (main area, then sidebar): Plotly charts as
    Streamlit sends them, and live charts (views/common/live.py) with their layers merged into one figure
    (the lower layer's layout, every layer's traces)."""
    found: list[dict] = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            kind = getattr(child, "type", None)
            if kind == "plotly_chart":
                found.append(json.loads(child.proto.spec))
            elif kind == "bidi_component" and child.proto.component_name == live.COMPONENT_NAME:
                figures = [layer["figure"] for layer in live_payload.decode(child.proto.bytes)["layers"]]
                if figures:  # a live chart without a figure holds only sliders (views/playground/charts.py)
                    found.append({"data": [t for f in figures for t in f["data"]], "layout": figures[0]["layout"]})
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return found


def live_payloads(at: AppTest) -> dict[str, dict]:
    """The decoded payload of every live chart on the page, by its key (views/common/live.py ``decode``)."""
    found: dict[str, dict] = {}

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "bidi_component" and child.proto.component_name == live.COMPONENT_NAME:
                found[child.proto.id] = live_payload.decode(child.proto.bytes)
            walk(child)

    walk(at.main)
    return found
