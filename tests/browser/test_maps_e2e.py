"""The Maps page in a real headless Chromium: charts render; a clicked start or lr opens in the Playground."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser

MAPS = "/maps?res=60&steps=150&lrs=20"


PROBE_404 = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def open_maps(page: Page) -> list[str]:
    """Open the Maps page; returns the URLs that failed. Loading a page other than the root directly makes
    Streamlit's frontend probe ``/maps/_stcore/...`` first (404) before it finds the server: not an error."""
    failed: list[str] = []
    page.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.open(MAPS, charts=2)
    return failed


def real_errors(page: Page, failed: list[str]) -> list[str]:
    probes_only = all("/maps/_stcore/" in url for url in failed)
    return [e for e in page.errors if not (probes_only and e == PROBE_404)]


def query(page: Page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.page.url).query))


def click_data_point(page: Page, chart: int, x: float, y: float, axes: str = "xaxis") -> None:
    """Click the pixel of data point (x, y) on the first subplot of a chart."""
    position = page.page.evaluate(
        """([i, x, y, axes]) => {
            const gd = document.querySelectorAll('.js-plotly-plot')[i];
            const xa = gd._fullLayout[axes], ya = gd._fullLayout[axes.replace('x', 'y')];
            const box = gd.querySelector('.main-svg').getBoundingClientRect();
            const px = xa.type === 'log' ? xa.l2p(Math.log10(x)) : xa.l2p(x);
            const py = ya.type === 'log' ? ya.l2p(Math.log10(y)) : ya.l2p(y);
            return [box.left + xa._offset + px, box.top + ya._offset + py];
        }""",
        [chart, x, y, axes],
    )
    page.page.mouse.move(*position)
    page.page.mouse.click(*position)


def test_maps_render_without_errors(tab):
    failed = open_maps(tab)
    assert tab.page.locator(".js-plotly-plot").count() == 2
    assert tab.exceptions() == [] and real_errors(tab, failed) == []
    names = {t["name"] for t in tab.traces(0)}
    assert {"1: min (3, 2)", "minimum (numbered)"} <= names
    assert query(tab)["surface"] == "himmelblau"


def test_clicked_start_opens_in_the_playground(tab):
    failed = open_maps(tab)
    tab.page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    click_data_point(tab, 0, -2.8, 3.1)
    tab.wait_idle(2, after_input=True)
    picked_x = tab.page.locator('input[aria-label="Picked start x"]')
    tab.page.wait_for_function(
        "() => document.querySelector('input[aria-label=\"Picked start x\"]').value !== '0.000'", timeout=20000
    )
    x = float(picked_x.input_value())
    y = float(tab.page.locator('input[aria-label="Picked start y"]').input_value())
    assert x == pytest.approx(-2.8, abs=0.4) and y == pytest.approx(3.1, abs=0.4)
    tab.page.get_by_text("Open this start in Playground").click()
    tab.page.wait_for_function("() => !location.pathname.endsWith('/maps')", timeout=20000)
    tab.wait_idle(3)
    start = [float(v) for v in query(tab)["start"].split(",")]
    assert start == pytest.approx([x, y], abs=1e-3)
    assert tab.exceptions() == [] and real_errors(tab, failed) == []


def test_clicked_lr_opens_in_the_playground(tab):
    failed = open_maps(tab)
    chart = tab.page.locator(".js-plotly-plot").nth(1)
    chart.scroll_into_view_if_needed()
    sgd = next(t for t in tab.traces(1) if t["name"] == "SGD")
    i = next(k for k, v in enumerate(sgd["y"]) if v is not None and sgd["x"][k] > 1e-3)
    click_data_point(tab, 1, sgd["x"][i], sgd["y"][i])
    tab.wait_idle(2, after_input=True)
    link = tab.page.get_by_text("Open SGD at lr")
    link.wait_for(timeout=20000)
    tab.page.wait_for_function(
        "t => [...document.querySelectorAll('a')].some(a => a.innerText.includes(t))",
        arg=f"at lr {sgd['x'][i]:.3g} ",
        timeout=20000,
    )
    link.click()
    tab.page.wait_for_function("() => !location.pathname.endsWith('/maps')", timeout=20000)
    tab.wait_idle(3)
    q = query(tab)
    assert q["opt"] == "sgd" and float(q["sgd.lr"]) == pytest.approx(sgd["x"][i], rel=1e-9)
    assert tab.exceptions() == [] and real_errors(tab, failed) == []
