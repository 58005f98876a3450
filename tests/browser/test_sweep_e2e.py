"""The Sweep page in a real headless Chromium: the map renders, a click picks a cell, and that
cell's link opens the Playground with exactly that configuration."""

from __future__ import annotations

import contextlib
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser

SMALL = "/sweep?surface=bowl&nx=24&ny=16&steps=100&cmp=sgd,rmsprop"
CHARTS = 4  # map, chosen run, comparison paths, lr search


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))


def cell_link(page: Page) -> str:
    link = page.page.locator('[data-testid="stPageLink"] a', has_text="Open this run in the Playground")
    return link.get_attribute("href")


def test_map_renders_and_a_clicked_cell_opens_in_the_playground(tab):
    tab.open(SMALL, charts=CHARTS)
    assert tab.exceptions() == [] and tab.errors == []
    # The map is the first chart; wait until Plotly has laid out its traces (it can lag the DOM on a busy machine).
    tab.page.wait_for_function(
        """() => {
            const plot = document.querySelectorAll('.js-plotly-plot')[0];
            const traces = (plot && plot._fullData || []).map(t => t.type + ':' + t.name);
            return traces.includes('heatmap:final f − f*') && traces.includes('scatter:cells');
        }""",
        timeout=30000,
    )
    before = cell_link(tab)

    box = tab.page.locator(".js-plotly-plot").first.locator(".nsewdrag").first.bounding_box()
    tab.page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    tab.wait_idle(CHARTS, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('cell=')", timeout=20000)
    i, j = (int(v) for v in query(tab.page.url)["cell"].split(","))
    assert i == pytest.approx(24 * 0.2, abs=1.5) and j == pytest.approx(16 * 0.7, abs=1.5)  # rows run upwards
    after = cell_link(tab)
    assert after != before
    wanted = query(after)

    tab.page.locator('[data-testid="stPageLink"] a', has_text="Open this run in the Playground").click()
    tab.page.wait_for_function("() => location.search.includes('opt=rmsprop') && !location.pathname.endsWith('sweep')")
    tab.wait_idle(3)
    got = query(tab.page.url)
    for key in ("surface", "opt", "rmsprop.lr", "rmsprop.rho", "rmsprop.eps", "steps", "start", "conv"):
        assert got.get(key) == wanted.get(key), key  # a key at its default is left out of both
    assert tab.page.locator('input[aria-label="Surface"]').input_value() == "Ill-conditioned bowl"
    assert tab.page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    assert tab.exceptions() == [] and tab.errors == []


def pick(tab: Page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` with the mouse, as a user does."""
    box = tab.page.locator(f'input[aria-label="{label}"]')
    for _ in range(3):  # a box still focused from the last pick may swallow a click
        box.click()
        with contextlib.suppress(PlaywrightTimeout):
            tab.page.get_by_role("option").first.wait_for(timeout=3000)
            break
    tab.page.get_by_role("option", name=option, exact=True).click()
    tab.wait_idle(CHARTS, after_input=True)


def test_switching_the_optimizer_then_clicking_on(tab):
    """Issue 15, item 1: after a switch to Adam the sidebar is Adam's and the next click is not lost."""
    tab.open(SMALL, charts=CHARTS)
    pick(tab, "Optimizer", "Adam")
    tab.page.wait_for_function("() => location.search.includes('opt=adam')", timeout=20000)
    assert query(tab.page.url)["y"] == "beta1"
    y_axis = tab.page.locator('input[aria-label="Y axis"]')
    assert y_axis.input_value() == "beta1"
    tab.page.locator('[data-testid="stSidebar"]').get_by_text("Other hyperparameters (fixed)").click()
    expander = tab.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]', has_text="Other hyperparam")
    fixed = expander.inner_text()
    assert "beta2" in fixed and "rho" not in fixed

    tab.page.get_by_text("steps to tolerance", exact=True).first.click()  # the next click, of another kind
    tab.wait_idle(CHARTS, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('metric=steps')", timeout=20000)
    got = query(tab.page.url)
    assert (got["opt"], got["y"]) == ("adam", "beta1")

    pick(tab, "Optimizer", "SGD")  # a single number: one row, y=none
    tab.page.wait_for_function("() => location.search.includes('opt=sgd')", timeout=20000)
    assert query(tab.page.url)["y"] == "none"
    pick(tab, "Optimizer", "RMSProp")
    tab.page.wait_for_function("() => location.search.includes('opt=rmsprop')", timeout=20000)
    assert query(tab.page.url)["y"] == "rho" and y_axis.input_value() == "decay rate rho"
    assert tab.exceptions() == [] and tab.errors == []
