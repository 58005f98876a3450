"""The Playground in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser


def query(page: Page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.page.url).query))


def path(page: Page, name: str) -> dict:
    return next(t for t in page.traces(0) if t["name"] == name)


def test_charts_render_without_errors(tab):
    tab.open("/", charts=3)
    assert tab.chart_count() == 3
    assert tab.exceptions() == []
    assert tab.errors == []
    assert {"SGD", "RMSProp"} <= {t["name"] for t in tab.traces(0)}
    assert query(tab)["surface"] == "bowl"  # the URL reflects the view from the first run


def test_moving_a_slider_changes_the_chart_and_the_link(tab):
    tab.open("/", charts=3)
    before = path(tab, "SGD")
    tab.page.locator('input[type="range"][aria-label="Steps"]').focus()
    tab.page.keyboard.press("ArrowRight")
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('steps=200')", timeout=20000)
    after = path(tab, "SGD")
    assert len(after["x"]) > len(before["x"])
    # Steps reran the results alone (state.results_only): the sidebar stays as it was, showing the new value.
    assert tab.page.locator('input[aria-label="Surface"]').is_visible()
    assert tab.page.locator('input[type="range"][aria-label="Steps"]').get_attribute("aria-valuetext") == "200"
    assert tab.exceptions() == [] and tab.errors == []


def test_hyperparameter_slider_in_an_expander(tab):
    tab.open("/", charts=3)
    before = path(tab, "RMSProp")
    title = tab.page.locator("summary", has_text=re.compile(r"RMSProp$"))
    expander = tab.page.locator('[data-testid="stExpander"]').filter(has=title)
    expander.locator("summary").click()
    expander.locator('input[type="range"][aria-label="learning rate"]').focus()
    tab.page.keyboard.press("ArrowLeft")
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => !location.search.includes('rmsprop.lr=0.05&')", timeout=20000)
    assert path(tab, "RMSProp")["x"] != before["x"]


def test_share_link_reproduces_the_view_in_a_fresh_browser(browser, app_url):
    first = Page(browser, app_url).open("/?surface=rosenbrock&opt=sgd,adam&adam.lr=0.02&steps=300&conv=keras", 3)
    first.page.locator('input[type="range"][aria-label="Steps"]').focus()
    first.page.keyboard.press("ArrowRight")
    first.wait_idle(3, after_input=True)
    first.page.wait_for_function("() => location.search.includes('steps=500')", timeout=20000)
    link, traces = first.page.url, first.traces(0)
    first.close()

    second = Page(browser, app_url)
    second.page.goto(link)
    second.wait_idle(3)
    assert second.page.url == link
    assert second.traces(0) == traces
    assert second.page.locator('input[aria-label="Surface"]').input_value() == "Rosenbrock valley"
    assert second.exceptions() == [] and second.errors == []
    second.close()


def test_clicking_the_contour_moves_the_start(tab):
    tab.open("/", charts=3)
    box = tab.plot(0).locator(".nsewdrag").first.bounding_box()
    tab.page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => !location.search.includes('start=-1.8%2C1.2')", timeout=20000)
    x, y = (float(v) for v in query(tab)["start"].split(","))
    assert x == pytest.approx(1.0, abs=0.15) and y == pytest.approx(1.0, abs=0.15)
    start = next(t for t in tab.traces(0) if t["name"] == "start")
    assert start["x"][0] == pytest.approx(x) and start["y"][0] == pytest.approx(y)
    # The click lands in the charts' part of the page, the start's inputs in the sidebar: they follow it too.
    assert float(tab.page.locator('input[aria-label="Start x"]').input_value()) == pytest.approx(x, abs=1e-3)
    assert float(tab.page.locator('input[aria-label="Start y"]').input_value()) == pytest.approx(y, abs=1e-3)
    assert tab.exceptions() == [] and tab.errors == []


def test_embedded_and_presentation_views_render(tab):
    tab.open("/?embed=true&present=1", charts=3)
    assert tab.exceptions() == [] and tab.errors == []
    assert "embed=true" in tab.page.url


def test_dark_theme_renders(browser, app_url):
    page = Page(browser, app_url, color_scheme="dark").open("/?surface=himmelblau", charts=3)
    assert page.exceptions() == [] and page.errors == []
    page.close()


def test_junk_link_shows_warnings_not_tracebacks(tab):
    tab.open("/?surface=moon&rmsprop.lr=abc&start=9,9&steps=-3", charts=3)
    assert tab.exceptions() == []
    warnings = tab.page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert len(warnings) >= 3


def test_settings_survive_closing_the_expander_and_a_visit_to_another_page(tab):
    tab.open("/", charts=3)
    title = tab.page.locator("summary", has_text=re.compile(r"RMSProp$"))
    expander = tab.page.locator('[data-testid="stExpander"]').filter(has=title)
    expander.locator("summary").click()  # the sliders are drawn once the expander is open
    expander.locator('input[type="range"][aria-label="learning rate"]').focus()
    tab.page.keyboard.press("ArrowLeft")
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('rmsprop.lr=0.04&')", timeout=20000)
    moved = path(tab, "RMSProp")
    expander.locator("summary").click()  # closed again: nothing drawn, the value stays
    tab.wait_idle(3, after_input=True)
    assert expander.locator('input[type="range"]').count() == 0
    assert "rmsprop.lr=0.04&" in tab.page.url and path(tab, "RMSProp") == moved

    nav = tab.page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Lessons", exact=True).click()
    tab.page.wait_for_function("() => location.pathname.endsWith('/lessons')", timeout=20000)
    tab.wait_idle(1)
    nav.get_by_text("Playground", exact=True).click()
    tab.page.wait_for_function("() => !location.pathname.endsWith('/lessons')", timeout=20000)
    tab.wait_idle(3)
    tab.page.wait_for_function("() => location.search.includes('surface=')", timeout=20000)
    assert query(tab)["rmsprop.lr"] == "0.04"
    assert path(tab, "RMSProp") == moved
    assert tab.exceptions() == [] and tab.errors == []


def test_every_update_rule_fits_the_sidebar(tab):
    """Each optimizer's equations, in every convention, fit its expander (no clipped LaTeX)."""
    names = "sgd,momentum,nesterov,adagrad,rmsprop,adam,adadelta,nadam"
    tab.open(f"/?opt={names}&rmsprop.centered=1&rmsprop.momentum=0.9&adam.amsgrad=1", charts=3)
    expanders = tab.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]')
    for label in ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam", "Adadelta", "Nadam"):
        # the summary reads "keyboard_arrow_right" or "..._down" (the icon), then the label ("Adam", not "Nadam")
        expander = expanders.filter(has=tab.page.locator("summary", has_text=re.compile(rf"(right|down)\s*{label}$")))
        expander.locator("summary").click()
        expander.locator('input[aria-label="learning rate"]').wait_for(timeout=30000)
        tab.wait_idle(3)
    for convention in ("PyTorch", "Keras 3", "Optax", "TensorFlow 1"):
        tab.page.locator('[data-testid="stSidebar"] label', has_text=re.compile(rf"^{convention}$")).click()
        tab.wait_idle(3, after_input=True)
        widths = tab.page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stSidebar"] .katex-display')]
                .map(e => [e.scrollWidth, e.clientWidth])"""
        )
        assert len(widths) >= 7, convention  # TF1 has no Nadam: its expander shows a note instead
        assert all(scroll <= client + 3 for scroll, client in widths), (convention, widths)
    assert tab.exceptions() == [] and tab.errors == []
